//! Catalogue syncs from Shopify: queued by the vendor, run by the worker, read back as
//! progress. A retried run starts its counts afresh (an import is idempotent, so running
//! it again reaches the same catalogue and honest counts).

use crate::entities::shopify_sync::{self, Entity as Syncs};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use trove_domain::ids::VendorId;
use trove_domain::shopify::SyncStatus;

/// What a run did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub seen: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub archived: i32,
    pub failed: i32,
}

pub async fn queue(
    db: &impl ConnectionTrait,
    vendor: VendorId,
) -> Result<shopify_sync::Model, DbErr> {
    shopify_sync::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.as_uuid()),
        status: Set(SyncStatus::Queued),
        seen: Set(0),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        archived: Set(0),
        failed: Set(0),
        failures: Set("[]".into()),
        error: Set(None),
        created_at: Set(now()),
        started_at: Set(None),
        finished_at: Set(None),
    }
    .insert(db)
    .await
}

/// The vendor's sync `id`, if it is theirs.
pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<shopify_sync::Model>, DbErr> {
    Syncs::find_by_id(id)
        .filter(shopify_sync::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await
}

/// Writes the run's state: `Running` with counts as it goes, then its end.
pub async fn record(
    db: &impl ConnectionTrait,
    current: shopify_sync::Model,
    status: SyncStatus,
    counts: SyncCounts,
    failures_json: String,
    error: Option<String>,
) -> Result<shopify_sync::Model, DbErr> {
    let at = now();
    let mut active: shopify_sync::ActiveModel = current.clone().into();
    active.status = Set(status);
    active.seen = Set(counts.seen);
    active.created = Set(counts.created);
    active.updated = Set(counts.updated);
    active.unchanged = Set(counts.unchanged);
    active.archived = Set(counts.archived);
    active.failed = Set(counts.failed);
    active.failures = Set(failures_json);
    active.error = Set(error.map(|error| error.chars().take(1000).collect()));
    if current.started_at.is_none() || current.status == SyncStatus::Queued {
        active.started_at = Set(Some(at));
    }
    if matches!(status, SyncStatus::Succeeded | SyncStatus::Failed) {
        active.finished_at = Set(Some(at));
    }
    active.update(db).await
}
