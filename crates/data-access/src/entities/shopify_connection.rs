//! `shopify_connections`: a vendor's Shopify shop and its tokens, sealed (the columns hold
//! `trove_integrations::secrets::Sealed` JSON, never a raw token).

use sea_orm::entity::prelude::*;
use trove_domain::shopify::ConnectionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shopify_connections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub vendor_id: Uuid,
    /// The shop's `*.myshopify.com` domain (unique).
    pub shop: String,
    pub status: ConnectionStatus,
    pub shop_name: String,
    pub currency: String,
    /// Comma-separated access scopes Shopify granted.
    pub scopes: String,
    pub access_token: Option<String>,
    pub access_token_expires_at: Option<DateTime>,
    pub refresh_token: Option<String>,
    pub refresh_token_expires_at: Option<DateTime>,
    pub last_error: Option<String>,
    pub last_sync_at: Option<DateTime>,
    pub connected_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
