//! A vendor's storefronts. Every query is scoped by vendor, so another vendor's
//! storefront ids find nothing.

use crate::entities::storefront::{self, Entity as Storefronts};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use trove_domain::ids::VendorId;
use trove_domain::storefront::{FeeTransferMode, StorefrontStatus};

mod offering;
mod shown;

pub use offering::{
    Offered, OfferingError, offered_variants, offering, offers_image, set_offering,
};
pub use shown::{ShownProduct, ShownProductRow, ShownVariant, shown_offering};

/// Everything a storefront is made of, already validated and serialised where JSON.
#[derive(Debug, Clone)]
pub struct StorefrontFields {
    pub slug: String,
    pub custom_domain: Option<String>,
    pub name: String,
    pub delivery_methods_json: String,
    pub fee_transfer_mode: FeeTransferMode,
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
        status: Set(StorefrontStatus::ForReview),
        delivery_methods: Set(fields.delivery_methods_json),
        fee_transfer_mode: Set(fields.fee_transfer_mode),
        gift_notes: Set(fields.gift_notes),
        show_stock: Set(fields.show_stock),
        branding: Set(fields.branding_json),
        content: Set(fields.content_json),
        password_hash: Set(None),
        version: Set(1),
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
    db: &impl TransactionTrait,
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
    update_and_touch(db, active).await
}

/// Sets or clears (`None`) the shoppers' password hash.
pub async fn set_password_hash(
    db: &impl TransactionTrait,
    current: storefront::Model,
    hash: Option<String>,
) -> Result<storefront::Model, DbErr> {
    let mut active: storefront::ActiveModel = current.into();
    active.password_hash = Set(hash);
    update_and_touch(db, active).await
}

pub async fn set_status(
    db: &impl TransactionTrait,
    current: storefront::Model,
    status: StorefrontStatus,
) -> Result<storefront::Model, DbErr> {
    let mut active: storefront::ActiveModel = current.into();
    active.status = Set(status);
    update_and_touch(db, active).await
}

/// Writes a changed storefront and bumps its version in one transaction.
async fn update_and_touch(
    db: &impl TransactionTrait,
    mut active: storefront::ActiveModel,
) -> Result<storefront::Model, DbErr> {
    active.updated_at = Set(now());
    let txn = crate::db::begin_write(db).await?;
    let updated = active.update(&txn).await?;
    touch(&txn, updated.id).await?;
    txn.commit().await?;
    Ok(storefront::Model {
        version: updated.version + 1,
        ..updated
    })
}

/// Marks what storefront `id`'s public page shows as changed. Call it in the transaction
/// of the change.
pub async fn touch(db: &impl ConnectionTrait, id: uuid::Uuid) -> Result<(), DbErr> {
    bump_versions(db, storefront::Column::Id.eq(id)).await
}

/// Marks the public pages of every storefront offering one of `products` as changed.
/// Call it in the transaction of the change to those products.
pub async fn touch_offering(
    db: &impl ConnectionTrait,
    products: &[uuid::Uuid],
) -> Result<(), DbErr> {
    use crate::entities::storefront_product::{self, Entity as Offerings};
    use sea_orm::sea_query::Query;

    if products.is_empty() {
        return Ok(());
    }
    let offering = Query::select()
        .column(storefront_product::Column::StorefrontId)
        .from(Offerings)
        .and_where(storefront_product::Column::ProductId.is_in(products.iter().copied()))
        .to_owned();
    bump_versions(db, storefront::Column::Id.in_subquery(offering)).await
}

async fn bump_versions(
    db: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<(), DbErr> {
    Storefronts::update_many()
        .col_expr(
            storefront::Column::Version,
            Expr::col(storefront::Column::Version).add(1),
        )
        .filter(which)
        .exec(db)
        .await?;
    Ok(())
}

fn visible(include_demo: bool) -> Vec<&'static str> {
    let mut visible = vec![StorefrontStatus::Active.as_str()];
    if include_demo {
        visible.push(StorefrontStatus::Demo.as_str());
    }
    visible
}

/// A storefront customers may see, by slug: `active`, or `demo` when asked for.
pub async fn find_public(
    db: &impl ConnectionTrait,
    slug: &str,
    include_demo: bool,
) -> Result<Option<storefront::Model>, DbErr> {
    Storefronts::find()
        .filter(storefront::Column::Slug.eq(slug))
        .filter(storefront::Column::Status.is_in(visible(include_demo)))
        .one(db)
        .await
}

/// A storefront customers may see, by its custom domain (stored lowercase).
pub async fn find_public_by_domain(
    db: &impl ConnectionTrait,
    domain: &str,
    include_demo: bool,
) -> Result<Option<storefront::Model>, DbErr> {
    Storefronts::find()
        .filter(storefront::Column::CustomDomain.eq(domain))
        .filter(storefront::Column::Status.is_in(visible(include_demo)))
        .one(db)
        .await
}

/// Copies `source` under a new slug and name with its settings, offering and shipping
/// links, in one transaction. The copy starts `for_review`, without the custom domain
/// (domains are unique).
pub async fn duplicate(
    db: &sea_orm::DatabaseConnection,
    source: storefront::Model,
    slug: String,
    name: String,
) -> Result<storefront::Model, DbErr> {
    use crate::entities::storefront_product::{self, Entity as Offerings};
    use crate::entities::storefront_shipping_zone::{self, Entity as Links};

    let txn = crate::db::begin_write(db).await?;
    let at = now();
    let copy = storefront::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(source.vendor_id),
        slug: Set(slug),
        custom_domain: Set(None),
        name: Set(name),
        status: Set(StorefrontStatus::ForReview),
        delivery_methods: Set(source.delivery_methods),
        fee_transfer_mode: Set(source.fee_transfer_mode),
        gift_notes: Set(source.gift_notes),
        show_stock: Set(source.show_stock),
        branding: Set(source.branding),
        content: Set(source.content),
        password_hash: Set(source.password_hash),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let offered = Offerings::find()
        .filter(storefront_product::Column::StorefrontId.eq(source.id))
        .all(&txn)
        .await?;
    for offer in offered {
        storefront_product::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            storefront_id: Set(copy.id),
            product_id: Set(offer.product_id),
            price_override_minor: Set(offer.price_override_minor),
            position: Set(offer.position),
        }
        .insert(&txn)
        .await?;
    }
    let zones: Vec<uuid::Uuid> = Links::find()
        .filter(storefront_shipping_zone::Column::StorefrontId.eq(source.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|link| link.zone_id)
        .collect();
    crate::storefront_shipping::link(&txn, copy.id, &zones).await?;
    txn.commit().await?;
    Ok(copy)
}
