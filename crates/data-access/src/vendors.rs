//! Vendors: onboarding (the creator becomes owner), settings, and the admin listing.

use crate::entities::vendor::{self, Entity as Vendors};
use crate::entities::vendor_membership;
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use trove_domain::ids::{UserId, VendorId};
use trove_domain::vendor::{OnboardingStatus, VendorRole};

/// Creates the vendor and makes `owner` its owner, in one transaction (a savepoint when
/// `db` is already one).
pub async fn create_with_owner(
    db: &impl TransactionTrait,
    name: &str,
    contact_email: Option<String>,
    owner: UserId,
) -> Result<vendor::Model, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let at = now();
    let vendor = vendor::ActiveModel {
        id: Set(VendorId::new().as_uuid()),
        name: Set(name.to_owned()),
        onboarding_status: Set(OnboardingStatus::Profile),
        contact_email: Set(contact_email),
        slack_webhook_url: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    vendor_membership::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.id),
        user_id: Set(owner.as_uuid()),
        role: Set(VendorRole::Owner),
        created_at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(vendor)
}

pub async fn find(db: &impl ConnectionTrait, id: VendorId) -> Result<Option<vendor::Model>, DbErr> {
    Vendors::find_by_id(id.as_uuid()).one(db).await
}

/// Settings to change; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub struct VendorChanges {
    pub name: Option<String>,
    pub contact_email: Option<Option<String>>,
    pub slack_webhook_url: Option<Option<String>>,
}

pub async fn update(
    db: &impl ConnectionTrait,
    vendor: vendor::Model,
    changes: VendorChanges,
) -> Result<vendor::Model, DbErr> {
    let mut active: vendor::ActiveModel = vendor.into();
    if let Some(name) = changes.name {
        active.name = Set(name);
    }
    if let Some(contact_email) = changes.contact_email {
        active.contact_email = Set(contact_email);
    }
    if let Some(url) = changes.slack_webhook_url {
        active.slack_webhook_url = Set(url);
    }
    active.updated_at = Set(now());
    active.update(db).await
}

#[derive(Debug, Default, Clone)]
pub struct VendorFilter {
    /// Case-insensitive part of the name.
    pub name_contains: Option<String>,
    pub onboarding_status: Option<OnboardingStatus>,
}

/// One page of vendors (newest first) and the total matching the filter.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &VendorFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<vendor::Model>, u64), DbErr> {
    let mut query = Vendors::find().order_by_desc(vendor::Column::CreatedAt);
    if let Some(part) = &filter.name_contains {
        let pattern = format!("%{}%", part.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                sea_orm::sea_query::Expr::col(vendor::Column::Name),
            ))
            .like(pattern),
        );
    }
    if let Some(status) = filter.onboarding_status {
        query = query.filter(vendor::Column::OnboardingStatus.eq(status.as_str()));
    }
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((items, total))
}

/// Sets the vendor's onboarding status (it follows the Stripe account).
pub async fn set_onboarding_status(
    db: &impl ConnectionTrait,
    id: VendorId,
    status: OnboardingStatus,
) -> Result<(), DbErr> {
    Vendors::update_many()
        .col_expr(
            vendor::Column::OnboardingStatus,
            sea_orm::sea_query::Expr::value(status.as_str()),
        )
        .filter(vendor::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}
