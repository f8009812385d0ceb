//! `products`: a vendor's catalogue items. Attributes, customisation options
//! and image ids are JSON text.

use sea_orm::entity::prelude::*;
use trove_domain::product::{ProductSource, ProductStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub vendor_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub status: ProductStatus,
    pub source: ProductSource,
    pub external_id: Option<String>,
    /// Fingerprint of the Shopify content an imported product was last written from.
    pub source_hash: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub attributes: String,
    #[sea_orm(column_type = "Text")]
    pub customisation_options: String,
    /// Ordered upload ids of the product's images, as a JSON array.
    pub image_ids: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
