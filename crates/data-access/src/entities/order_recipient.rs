//! `order_recipients`: who receives the gift, how, and how far it has got. The address is
//! JSON text; the redemption code is stored only as its SHA-256.

use sea_orm::entity::prelude::*;
use trove_domain::order::RecipientStatus;
use trove_domain::storefront::DeliveryMethod;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_recipients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub vendor_id: Uuid,
    pub name: String,
    pub email: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub address: Option<String>,
    pub zone_id: Option<Uuid>,
    pub shipping_minor: i64,
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    pub send_on: Option<Date>,
    pub status: RecipientStatus,
    #[sea_orm(unique)]
    pub code_hash: Option<String>,
    pub code_expires_at: Option<DateTime>,
    pub tracking: Option<String>,
    /// The recipient's picks as JSON: order line id → variant id.
    #[sea_orm(column_type = "Text", nullable)]
    pub cart: Option<String>,
    pub position: i32,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
