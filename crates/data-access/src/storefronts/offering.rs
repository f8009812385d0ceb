//! What a storefront offers: replacing its offering, reading it for the public page, the
//! variants a checkout prices, and whether a product image is shown on it.

use super::touch;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use trove_domain::ids::VendorId;
use trove_domain::product::ProductStatus;

/// A product as a storefront offers it.
#[derive(Debug, Clone)]
pub struct Offered {
    pub product: crate::products::ProductWithVariants,
    pub price_override_minor: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum OfferingError {
    #[error("these products are not the vendor's: {0:?}")]
    UnknownProducts(Vec<uuid::Uuid>),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Replaces what a storefront offers with `items` (product, optional price override), in
/// that order. Every product must be the vendor's own.
pub async fn set_offering(
    db: &sea_orm::DatabaseConnection,
    vendor: VendorId,
    storefront_id: uuid::Uuid,
    items: &[(uuid::Uuid, Option<i64>)],
) -> Result<(), OfferingError> {
    use crate::entities::product::{self, Entity as Products};
    use crate::entities::storefront_product::{self, Entity as Offerings};

    let wanted: Vec<uuid::Uuid> = items.iter().map(|(id, _)| *id).collect();
    let owned: Vec<uuid::Uuid> = Products::find()
        .filter(product::Column::VendorId.eq(vendor.as_uuid()))
        .filter(product::Column::Id.is_in(wanted.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|product| product.id)
        .collect();
    let unknown: Vec<uuid::Uuid> = wanted
        .iter()
        .filter(|id| !owned.contains(id))
        .copied()
        .collect();
    if !unknown.is_empty() {
        return Err(OfferingError::UnknownProducts(unknown));
    }
    let txn = crate::db::begin_write(db).await?;
    Offerings::delete_many()
        .filter(storefront_product::Column::StorefrontId.eq(storefront_id))
        .exec(&txn)
        .await?;
    for (position, (product_id, price_override)) in items.iter().enumerate() {
        storefront_product::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            storefront_id: Set(storefront_id),
            product_id: Set(*product_id),
            price_override_minor: Set(*price_override),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        }
        .insert(&txn)
        .await?;
    }
    touch(&txn, storefront_id).await?;
    txn.commit().await?;
    Ok(())
}

/// What a storefront offers, in order, with variants: three queries whatever the number
/// of products (offerings, products, variants).
pub async fn offering(
    db: &impl ConnectionTrait,
    storefront_id: uuid::Uuid,
    only_active: bool,
) -> Result<Vec<Offered>, DbErr> {
    use crate::entities::product::{self, Entity as Products};
    use crate::entities::storefront_product::{self, Entity as Offerings};

    let offerings = Offerings::find()
        .filter(storefront_product::Column::StorefrontId.eq(storefront_id))
        .order_by_asc(storefront_product::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<uuid::Uuid> = offerings.iter().map(|o| o.product_id).collect();
    let mut products = Products::find().filter(product::Column::Id.is_in(ids.iter().copied()));
    if only_active {
        products = products.filter(product::Column::Status.eq(ProductStatus::Active.as_str()));
    }
    let mut products: std::collections::HashMap<uuid::Uuid, product::Model> = products
        .all(db)
        .await?
        .into_iter()
        .map(|product| (product.id, product))
        .collect();
    let ids: Vec<uuid::Uuid> = products.keys().copied().collect();
    let mut variants = crate::products::variants_of(db, &ids).await?;
    Ok(offerings
        .into_iter()
        .filter_map(|offer| {
            let product = products.remove(&offer.product_id)?;
            let variants = variants.remove(&product.id).unwrap_or_default();
            Some(Offered {
                product: crate::products::ProductWithVariants { product, variants },
                price_override_minor: offer.price_override_minor,
            })
        })
        .collect())
}

/// The variants among `variant_ids` (every variant when `None`) of active products the
/// storefront offers, grouped by product in offering order, with the storefront's price
/// override: what a checkout prices, in one query however large the catalogue.
pub async fn offered_variants(
    db: &impl ConnectionTrait,
    storefront_id: uuid::Uuid,
    variant_ids: Option<&[uuid::Uuid]>,
) -> Result<Vec<Offered>, DbErr> {
    use crate::entities::product::{self, Entity as Products};
    use crate::entities::product_variant::{self, Entity as Variants};
    use crate::entities::storefront_product::{self, Entity as Offerings};
    use sea_orm::{FromQueryResult, JoinType, QuerySelect, QueryTrait};

    let of_product: sea_orm::RelationDef = Variants::belongs_to(Products)
        .from(product_variant::Column::ProductId)
        .to(product::Column::Id)
        .into();
    let offered_as: sea_orm::RelationDef = Offerings::belongs_to(Products)
        .from(storefront_product::Column::ProductId)
        .to(product::Column::Id)
        .into();
    let mut query = Variants::find()
        .join(JoinType::InnerJoin, of_product)
        .join(JoinType::InnerJoin, offered_as.rev())
        .filter(storefront_product::Column::StorefrontId.eq(storefront_id))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .order_by_asc(storefront_product::Column::Position)
        .order_by_asc(product_variant::Column::Position);
    if let Some(ids) = variant_ids {
        query = query.filter(product_variant::Column::Id.is_in(ids.iter().copied()));
    }
    let statement = query
        .select_also(Products)
        .column_as(
            storefront_product::Column::PriceOverrideMinor,
            OfferedRow::PRICE_OVERRIDE,
        )
        .into_query();
    let rows = OfferedRow::find_by_statement(db.get_database_backend().build(&statement))
        .all(db)
        .await?;
    let mut offered: Vec<Offered> = Vec::new();
    for OfferedRow {
        variant,
        product,
        price_override_minor,
    } in rows
    {
        match offered.last_mut() {
            Some(last) if last.product.product.id == product.id => {
                last.product.variants.push(variant);
            }
            _ => offered.push(Offered {
                product: crate::products::ProductWithVariants {
                    product,
                    variants: vec![variant],
                },
                price_override_minor,
            }),
        }
    }
    Ok(offered)
}

/// One row of `offered_variants`: the variant and its product as `select_also` names their
/// columns (`A_…`, `B_…`), and the storefront's price override.
struct OfferedRow {
    variant: crate::entities::product_variant::Model,
    product: crate::entities::product::Model,
    price_override_minor: Option<i64>,
}

impl OfferedRow {
    const PRICE_OVERRIDE: &'static str = "offered_price_override_minor";
}

impl sea_orm::FromQueryResult for OfferedRow {
    fn from_query_result(row: &sea_orm::QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        Ok(Self {
            variant: crate::entities::product_variant::Model::from_query_result(row, "A_")?,
            product: crate::entities::product::Model::from_query_result(row, "B_")?,
            price_override_minor: row.try_get("", Self::PRICE_OVERRIDE)?,
        })
    }
}

/// Whether an active product the storefront offers shows upload `upload_id` among its
/// images: one query.
pub async fn offers_image(
    db: &impl ConnectionTrait,
    storefront_id: uuid::Uuid,
    upload_id: uuid::Uuid,
) -> Result<bool, DbErr> {
    use crate::entities::product::{self, Entity as Products};
    use crate::entities::storefront_product::{self, Entity as Offerings};
    use sea_orm::sea_query::Query;

    let offered = Query::select()
        .column(storefront_product::Column::ProductId)
        .from(Offerings)
        .and_where(storefront_product::Column::StorefrontId.eq(storefront_id))
        .to_owned();
    let found = Products::find()
        .filter(product::Column::Id.in_subquery(offered))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .filter(product::Column::ImageIds.contains(upload_id.to_string()))
        .one(db)
        .await?;
    Ok(found.is_some())
}
