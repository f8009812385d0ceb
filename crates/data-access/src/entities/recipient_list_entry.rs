//! `recipient_list_entries`: the good rows of a recipient list; the address is JSON text.

use sea_orm::entity::prelude::*;
use trove_domain::storefront::DeliveryMethod;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recipient_list_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub list_id: Uuid,
    pub line: i32,
    pub name: String,
    pub email: String,
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    pub send_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub address: Option<String>,
    pub zone_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
