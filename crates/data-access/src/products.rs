//! A vendor's products and their variants. Every query is scoped by vendor; a product and
//! its variants are written in one transaction, and SKUs are unique per vendor.

use crate::entities::product::{self, Entity as Products};
use crate::entities::product_variant::{self, Entity as Variants};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};
use std::collections::HashMap;
use trove_domain::ids::VendorId;
use trove_domain::money::Money;
use trove_domain::product::{ProductSource, ProductStatus};

#[derive(Debug, Clone)]
pub struct NewVariant {
    pub sku: String,
    pub title: Option<String>,
    pub price: Money,
    pub stock: Option<i32>,
    pub weight_grams: Option<i32>,
}

/// A product's editable fields, validated, JSON already serialised.
#[derive(Debug, Clone)]
pub struct ProductFields {
    pub title: String,
    pub description: Option<String>,
    pub status: ProductStatus,
    pub attributes_json: String,
    pub customisation_json: String,
    /// Ordered ids of ready `product_image` uploads of the same vendor.
    pub image_ids_json: String,
    pub variants: Vec<NewVariant>,
}

#[derive(Debug, Clone)]
pub struct ProductWithVariants {
    pub product: product::Model,
    pub variants: Vec<product_variant::Model>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    Newest,
    Oldest,
    TitleAscending,
    TitleDescending,
}

#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    pub status: Option<ProductStatus>,
    /// Case-insensitive part of the title or of a variant's SKU.
    pub search: Option<String>,
    pub sort: ProductSort,
}

async fn insert_variants(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    product_id: uuid::Uuid,
    variants: &[NewVariant],
) -> Result<Vec<product_variant::Model>, DbErr> {
    let mut inserted = Vec::with_capacity(variants.len());
    for (position, variant) in variants.iter().enumerate() {
        inserted.push(
            new_variant_row(vendor, product_id, position, variant)
                .insert(db)
                .await?,
        );
    }
    Ok(inserted)
}

/// The row of `variant`, new, at `position` of its product.
fn new_variant_row(
    vendor: VendorId,
    product_id: uuid::Uuid,
    position: usize,
    variant: &NewVariant,
) -> product_variant::ActiveModel {
    product_variant::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        product_id: Set(product_id),
        vendor_id: Set(vendor.as_uuid()),
        sku: Set(variant.sku.clone()),
        title: Set(variant.title.clone()),
        price_minor: Set(variant.price.minor),
        currency: Set(variant.price.currency.to_string()),
        stock: Set(variant.stock),
        weight_grams: Set(variant.weight_grams),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
    }
}

pub async fn create(
    db: &impl TransactionTrait,
    vendor: VendorId,
    fields: ProductFields,
) -> Result<ProductWithVariants, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let at = now();
    let product = product::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.as_uuid()),
        title: Set(fields.title),
        description: Set(fields.description),
        status: Set(fields.status),
        source: Set(ProductSource::Manual),
        external_id: Set(None),
        source_hash: Set(None),
        attributes: Set(fields.attributes_json),
        customisation_options: Set(fields.customisation_json),
        image_ids: Set(fields.image_ids_json),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let variants = insert_variants(&txn, vendor, product.id, &fields.variants).await?;
    txn.commit().await?;
    Ok(ProductWithVariants { product, variants })
}

/// Replaces a product and all its variants. `Ok(None)` when the vendor has no such product.
pub async fn replace(
    db: &DatabaseConnection,
    vendor: VendorId,
    id: uuid::Uuid,
    fields: ProductFields,
) -> Result<Option<ProductWithVariants>, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let Some(current) = Products::find_by_id(id)
        .filter(product::Column::VendorId.eq(vendor.as_uuid()))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let mut active: product::ActiveModel = current.into();
    active.title = Set(fields.title);
    active.description = Set(fields.description);
    active.status = Set(fields.status);
    active.attributes = Set(fields.attributes_json);
    active.customisation_options = Set(fields.customisation_json);
    active.image_ids = Set(fields.image_ids_json);
    active.updated_at = Set(now());
    let product = active.update(&txn).await?;
    Variants::delete_many()
        .filter(product_variant::Column::ProductId.eq(id))
        .exec(&txn)
        .await?;
    let variants = insert_variants(&txn, vendor, id, &fields.variants).await?;
    crate::storefronts::touch_offering(&txn, &[id]).await?;
    txn.commit().await?;
    Ok(Some(ProductWithVariants { product, variants }))
}

/// The variants of `products`, in their order, grouped by product: one query.
pub async fn variants_of(
    db: &impl ConnectionTrait,
    products: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Vec<product_variant::Model>>, DbErr> {
    let mut grouped: HashMap<uuid::Uuid, Vec<product_variant::Model>> = HashMap::new();
    if products.is_empty() {
        return Ok(grouped);
    }
    let rows = Variants::find()
        .filter(product_variant::Column::ProductId.is_in(products.iter().copied()))
        .order_by_asc(product_variant::Column::Position)
        .all(db)
        .await?;
    for row in rows {
        grouped.entry(row.product_id).or_default().push(row);
    }
    Ok(grouped)
}

fn with_variants(
    products: Vec<product::Model>,
    mut variants: HashMap<uuid::Uuid, Vec<product_variant::Model>>,
) -> Vec<ProductWithVariants> {
    products
        .into_iter()
        .map(|product| {
            let variants = variants.remove(&product.id).unwrap_or_default();
            ProductWithVariants { product, variants }
        })
        .collect()
}

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<ProductWithVariants>, DbErr> {
    let Some(product) = Products::find_by_id(id)
        .filter(product::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let variants = variants_of(db, &[product.id]).await?;
    Ok(with_variants(vec![product], variants).pop())
}

/// One page of the vendor's products with their variants, and how many match.
pub async fn list(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    query: &ProductQuery,
    page: u64,
    per_page: u64,
) -> Result<(Vec<ProductWithVariants>, u64), DbErr> {
    let mut select = Products::find().filter(product::Column::VendorId.eq(vendor.as_uuid()));
    if let Some(status) = query.status {
        select = select.filter(product::Column::Status.eq(status.as_str()));
    }
    if let Some(search) = &query.search {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        let sku_match = Query::select()
            .column(product_variant::Column::ProductId)
            .from(Variants)
            .and_where(product_variant::Column::VendorId.eq(vendor.as_uuid()))
            .and_where(
                Expr::expr(Func::lower(Expr::col(product_variant::Column::Sku)))
                    .like(pattern.clone()),
            )
            .to_owned();
        select = select.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(product::Column::Title))).like(pattern))
                .add(product::Column::Id.in_subquery(sku_match)),
        );
    }
    select = match query.sort {
        ProductSort::Newest => select.order_by_desc(product::Column::CreatedAt),
        ProductSort::Oldest => select.order_by_asc(product::Column::CreatedAt),
        ProductSort::TitleAscending => select.order_by_asc(product::Column::Title),
        ProductSort::TitleDescending => select.order_by_desc(product::Column::Title),
    };
    let paginator = select.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let products = paginator.fetch_page(page.saturating_sub(1)).await?;
    let ids: Vec<uuid::Uuid> = products.iter().map(|p| p.id).collect();
    let variants = variants_of(db, &ids).await?;
    Ok((with_variants(products, variants), total))
}

/// Sets the status of the vendor's products among `ids`; how many changed.
pub async fn set_status(
    db: &impl TransactionTrait,
    vendor: VendorId,
    ids: &[uuid::Uuid],
    status: ProductStatus,
) -> Result<u64, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let result = Products::update_many()
        .col_expr(product::Column::Status, Expr::value(status.as_str()))
        .col_expr(product::Column::UpdatedAt, Expr::value(now()))
        .filter(product::Column::VendorId.eq(vendor.as_uuid()))
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .exec(&txn)
        .await?;
    crate::storefronts::touch_offering(&txn, ids).await?;
    txn.commit().await?;
    Ok(result.rows_affected)
}

/// Clears the Shopify ids of the vendor's imported products (the products stay, and say
/// `shopify` as their source); how many changed.
pub async fn forget_external_ids(
    db: &impl ConnectionTrait,
    vendor: VendorId,
) -> Result<u64, DbErr> {
    let result = Products::update_many()
        .col_expr(
            product::Column::ExternalId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(product::Column::UpdatedAt, Expr::value(now()))
        .filter(product::Column::VendorId.eq(vendor.as_uuid()))
        .filter(product::Column::Source.eq(ProductSource::Shopify.as_str()))
        .filter(product::Column::ExternalId.is_not_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// A product as read from the vendor's Shopify shop, mapped to Trove's fields.
#[derive(Debug, Clone)]
pub struct ImportedProduct {
    /// The Shopify product GID.
    pub external_id: String,
    /// Fingerprint of everything below: equal means nothing to write.
    pub source_hash: String,
    pub title: String,
    pub description: Option<String>,
    pub status: ProductStatus,
    pub attributes_json: String,
    pub variants: Vec<NewVariant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
}

/// Writes `imported` as the vendor's product with that Shopify id: created when new,
/// rewritten when its fingerprint changed (variants matched by SKU keep their ids, so open
/// gifts and orders still name them), left alone otherwise (one read).
pub async fn import(
    db: &DatabaseConnection,
    vendor: VendorId,
    imported: ImportedProduct,
) -> Result<ImportOutcome, DbErr> {
    let find = || {
        Products::find()
            .filter(product::Column::VendorId.eq(vendor.as_uuid()))
            .filter(product::Column::Source.eq(ProductSource::Shopify.as_str()))
            .filter(product::Column::ExternalId.eq(imported.external_id.as_str()))
    };
    let unchanged = |found: &Option<product::Model>| {
        found
            .as_ref()
            .is_some_and(|current| current.source_hash.as_deref() == Some(&imported.source_hash))
    };
    if unchanged(&find().one(db).await?) {
        return Ok(ImportOutcome::Unchanged);
    }
    let txn = crate::db::begin_write(db).await?;
    let existing = find().one(&txn).await?;
    if unchanged(&existing) {
        return Ok(ImportOutcome::Unchanged);
    }
    let at = now();
    let outcome = match existing {
        Some(current) => {
            let id = current.id;
            let mut active: product::ActiveModel = current.into();
            active.title = Set(imported.title);
            active.description = Set(imported.description);
            active.status = Set(imported.status);
            active.attributes = Set(imported.attributes_json);
            active.source_hash = Set(Some(imported.source_hash));
            active.updated_at = Set(at);
            active.update(&txn).await?;
            match_variants(&txn, vendor, id, &imported.variants).await?;
            crate::storefronts::touch_offering(&txn, &[id]).await?;
            ImportOutcome::Updated
        }
        None => {
            let product = product::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                vendor_id: Set(vendor.as_uuid()),
                title: Set(imported.title),
                description: Set(imported.description),
                status: Set(imported.status),
                source: Set(ProductSource::Shopify),
                external_id: Set(Some(imported.external_id)),
                source_hash: Set(Some(imported.source_hash)),
                attributes: Set(imported.attributes_json),
                customisation_options: Set("[]".into()),
                image_ids: Set("[]".into()),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&txn)
            .await?;
            insert_variants(&txn, vendor, product.id, &imported.variants).await?;
            ImportOutcome::Created
        }
    };
    txn.commit().await?;
    Ok(outcome)
}

/// Brings a product's variants to `wanted`: same SKU updated in place, new ones added,
/// missing ones removed.
async fn match_variants(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    product_id: uuid::Uuid,
    wanted: &[NewVariant],
) -> Result<(), DbErr> {
    let current = Variants::find()
        .filter(product_variant::Column::ProductId.eq(product_id))
        .all(db)
        .await?;
    let keep: Vec<&str> = wanted.iter().map(|variant| variant.sku.as_str()).collect();
    let gone: Vec<uuid::Uuid> = current
        .iter()
        .filter(|variant| !keep.contains(&variant.sku.as_str()))
        .map(|variant| variant.id)
        .collect();
    if !gone.is_empty() {
        Variants::delete_many()
            .filter(product_variant::Column::Id.is_in(gone))
            .exec(db)
            .await?;
    }
    for (position, variant) in wanted.iter().enumerate() {
        match current.iter().find(|existing| existing.sku == variant.sku) {
            Some(existing) => {
                let mut active = new_variant_row(vendor, product_id, position, variant);
                active.id = Set(existing.id);
                active.update(db).await?;
            }
            None => {
                new_variant_row(vendor, product_id, position, variant)
                    .insert(db)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Archives the vendor's imported products whose Shopify id is not in `seen` (deleted in
/// Shopify): they leave storefronts' offers but stay, with their variants, for open gifts
/// and orders. How many were archived.
pub async fn archive_unseen(
    db: &DatabaseConnection,
    vendor: VendorId,
    seen: &std::collections::HashSet<String>,
) -> Result<u64, DbErr> {
    let candidates: Vec<(uuid::Uuid, Option<String>)> = Products::find()
        .select_only()
        .column(product::Column::Id)
        .column(product::Column::ExternalId)
        .filter(product::Column::VendorId.eq(vendor.as_uuid()))
        .filter(product::Column::Source.eq(ProductSource::Shopify.as_str()))
        .filter(product::Column::Status.ne(ProductStatus::Archived.as_str()))
        .filter(product::Column::ExternalId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let unseen: Vec<uuid::Uuid> = candidates
        .into_iter()
        .filter(|(_, external)| external.as_ref().is_some_and(|id| !seen.contains(id)))
        .map(|(id, _)| id)
        .collect();
    if unseen.is_empty() {
        return Ok(0);
    }
    let mut archived = 0;
    for chunk in unseen.chunks(500) {
        archived += set_status(db, vendor, chunk, ProductStatus::Archived).await?;
    }
    Ok(archived)
}
