//! A vendor's storefronts. Every query is scoped by vendor, so another vendor's
//! storefront ids find nothing.

use crate::entities::storefront::{self, Entity as Storefronts};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use trove_domain::ids::VendorId;
use trove_domain::storefront::StorefrontStatus;

/// Everything a storefront is made of, already validated and serialised where JSON.
#[derive(Debug, Clone)]
pub struct StorefrontFields {
    pub slug: String,
    pub custom_domain: Option<String>,
    pub name: String,
    pub delivery_methods_json: String,
    pub fee_transfer_mode: String,
    pub gift_notes: bool,
    pub show_stock: bool,
    pub branding_json: String,
    pub content_json: String,
}

/// Creates a storefront under review.
pub async fn create(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    fields: StorefrontFields,
) -> Result<storefront::Model, DbErr> {
    let at = now();
    storefront::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.as_uuid()),
        slug: Set(fields.slug),
        custom_domain: Set(fields.custom_domain),
        name: Set(fields.name),
        status: Set(StorefrontStatus::ForReview.as_str().to_owned()),
        delivery_methods: Set(fields.delivery_methods_json),
        fee_transfer_mode: Set(fields.fee_transfer_mode),
        gift_notes: Set(fields.gift_notes),
        show_stock: Set(fields.show_stock),
        branding: Set(fields.branding_json),
        content: Set(fields.content_json),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<storefront::Model>, DbErr> {
    Storefronts::find_by_id(id)
        .filter(storefront::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await
}

/// One page of the vendor's storefronts (newest first) and their total.
pub async fn list(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    page: u64,
    per_page: u64,
) -> Result<(Vec<storefront::Model>, u64), DbErr> {
    let paginator = Storefronts::find()
        .filter(storefront::Column::VendorId.eq(vendor.as_uuid()))
        .order_by_desc(storefront::Column::CreatedAt)
        .paginate(db, per_page);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page.saturating_sub(1)).await?, total))
}

/// Replaces every field a vendor edits (status has its own path).
pub async fn update(
    db: &impl ConnectionTrait,
    current: storefront::Model,
    fields: StorefrontFields,
) -> Result<storefront::Model, DbErr> {
    let mut active: storefront::ActiveModel = current.into();
    active.slug = Set(fields.slug);
    active.custom_domain = Set(fields.custom_domain);
    active.name = Set(fields.name);
    active.delivery_methods = Set(fields.delivery_methods_json);
    active.fee_transfer_mode = Set(fields.fee_transfer_mode);
    active.gift_notes = Set(fields.gift_notes);
    active.show_stock = Set(fields.show_stock);
    active.branding = Set(fields.branding_json);
    active.content = Set(fields.content_json);
    active.updated_at = Set(now());
    active.update(db).await
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    current: storefront::Model,
    status: StorefrontStatus,
) -> Result<storefront::Model, DbErr> {
    let mut active: storefront::ActiveModel = current.into();
    active.status = Set(status.as_str().to_owned());
    active.updated_at = Set(now());
    active.update(db).await
}
