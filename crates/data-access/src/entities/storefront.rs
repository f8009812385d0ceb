//! `storefronts`: a vendor's branded shops. Delivery methods, branding and content are
//! JSON text.

use sea_orm::entity::prelude::*;
use trove_domain::storefront::FeeTransferMode;
use trove_domain::storefront::StorefrontStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "storefronts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub vendor_id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(unique)]
    pub custom_domain: Option<String>,
    pub name: String,
    pub status: StorefrontStatus,
    #[sea_orm(column_type = "Text")]
    pub delivery_methods: String,
    pub fee_transfer_mode: FeeTransferMode,
    pub gift_notes: bool,
    pub show_stock: bool,
    #[sea_orm(column_type = "Text")]
    pub branding: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// PBKDF2 hash of the shoppers' password; `None` when the storefront is open.
    pub password_hash: Option<String>,
    /// Bumped by every change to what the public page shows (`storefronts::touch*`).
    pub version: i64,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
