//! `product_variants`: what is actually bought: SKU (unique per vendor), price, stock.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Uuid,
    pub vendor_id: Uuid,
    pub sku: String,
    pub title: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    /// `None` when stock is not tracked.
    pub stock: Option<i32>,
    pub weight_grams: Option<i32>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
