//! How a product with its variants reads in answers (the vendor's catalogue and a
//! storefront's offering).

use chrono::{DateTime, Utc};
use serde::Serialize;
use trove_app::catalogue::{CustomisationOption, Price};
use trove_data_access::products::ProductWithVariants;
use trove_domain::product::{ProductSource, ProductStatus};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct VariantView {
    pub id: Uuid,
    pub sku: String,
    pub title: Option<String>,
    pub price: Price,
    pub stock: Option<i32>,
    pub weight_grams: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = String)]
    pub status: ProductStatus,
    /// `manual`, or `shopify` for imported products.
    #[schema(value_type = String)]
    pub source: ProductSource,
    pub attributes: serde_json::Value,
    #[schema(value_type = Vec<CustomisationOption>)]
    pub customisation_options: serde_json::Value,
    /// Upload ids of the images, in display order.
    pub image_upload_ids: Vec<Uuid>,
    pub variants: Vec<VariantView>,
    pub created_at: DateTime<Utc>,
}

impl From<ProductWithVariants> for ProductView {
    fn from(item: ProductWithVariants) -> Self {
        let product = item.product;
        Self {
            id: product.id,
            title: product.title,
            description: product.description,
            status: product.status,
            source: product.source,
            attributes: serde_json::from_str(&product.attributes).unwrap_or_default(),
            customisation_options: serde_json::from_str(&product.customisation_options)
                .unwrap_or_default(),
            image_upload_ids: serde_json::from_str(&product.image_ids).unwrap_or_default(),
            variants: item
                .variants
                .into_iter()
                .map(|variant| VariantView {
                    id: variant.id,
                    sku: variant.sku,
                    title: variant.title,
                    price: Price {
                        minor: variant.price_minor,
                        currency: variant.currency,
                    },
                    stock: variant.stock,
                    weight_grams: variant.weight_grams,
                })
                .collect(),
            created_at: product.created_at.and_utc(),
        }
    }
}
