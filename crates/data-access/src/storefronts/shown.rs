//! What the public storefront page shows of its offering, read with only the columns the
//! page renders (the page is the hottest read: every column not shown is work for the
//! database and the decoder on every uncached read). Three statements whatever the
//! catalogue size: the offering in order, its active products, their variants.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use trove_domain::product::ProductStatus;

/// An active product on the public page, with its variants in order and the storefront's
/// price override.
#[derive(Debug, Clone)]
pub struct ShownProduct {
    pub product: ShownProductRow,
    pub variants: Vec<ShownVariant>,
    pub price_override_minor: Option<i64>,
}

/// The product columns the page shows (attributes, options and image ids are JSON text).
#[derive(Debug, Clone, FromQueryResult)]
pub struct ShownProductRow {
    pub id: uuid::Uuid,
    pub title: String,
    pub description: Option<String>,
    pub attributes: String,
    pub customisation_options: String,
    pub image_ids: String,
}

/// The variant columns the page shows.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ShownVariant {
    pub id: uuid::Uuid,
    pub product_id: uuid::Uuid,
    pub sku: String,
    pub title: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub stock: Option<i32>,
}

#[derive(FromQueryResult)]
struct OfferingRow {
    product_id: uuid::Uuid,
    price_override_minor: Option<i64>,
}

/// The active products `storefront_id` offers, in its order.
pub async fn shown_offering(
    db: &impl ConnectionTrait,
    storefront_id: uuid::Uuid,
) -> Result<Vec<ShownProduct>, DbErr> {
    use crate::entities::product::{self, Entity as Products};
    use crate::entities::product_variant::{self, Entity as Variants};
    use crate::entities::storefront_product::{self, Entity as Offerings};

    let offerings = Offerings::find()
        .select_only()
        .columns([
            storefront_product::Column::ProductId,
            storefront_product::Column::PriceOverrideMinor,
        ])
        .filter(storefront_product::Column::StorefrontId.eq(storefront_id))
        .order_by_asc(storefront_product::Column::Position)
        .into_model::<OfferingRow>()
        .all(db)
        .await?;
    if offerings.is_empty() {
        return Ok(Vec::new());
    }
    let mut products: HashMap<uuid::Uuid, ShownProductRow> = Products::find()
        .select_only()
        .columns([
            product::Column::Id,
            product::Column::Title,
            product::Column::Description,
            product::Column::Attributes,
            product::Column::CustomisationOptions,
            product::Column::ImageIds,
        ])
        .filter(product::Column::Id.is_in(offerings.iter().map(|offer| offer.product_id)))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .into_model::<ShownProductRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let mut variants: HashMap<uuid::Uuid, Vec<ShownVariant>> = HashMap::new();
    if !products.is_empty() {
        let rows = Variants::find()
            .select_only()
            .columns([
                product_variant::Column::Id,
                product_variant::Column::ProductId,
                product_variant::Column::Sku,
                product_variant::Column::Title,
                product_variant::Column::PriceMinor,
                product_variant::Column::Currency,
                product_variant::Column::Stock,
            ])
            .filter(product_variant::Column::ProductId.is_in(products.keys().copied()))
            .order_by_asc(product_variant::Column::Position)
            .into_model::<ShownVariant>()
            .all(db)
            .await?;
        for variant in rows {
            variants
                .entry(variant.product_id)
                .or_default()
                .push(variant);
        }
    }
    Ok(offerings
        .into_iter()
        .filter_map(|offer| {
            let product = products.remove(&offer.product_id)?;
            Some(ShownProduct {
                variants: variants.remove(&product.id).unwrap_or_default(),
                product,
                price_override_minor: offer.price_override_minor,
            })
        })
        .collect())
}
