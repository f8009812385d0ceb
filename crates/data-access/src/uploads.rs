//! Uploads: declared by a vendor's staff, confirmed once the stored object matches. Every
//! lookup is scoped by vendor, so another vendor's upload ids find nothing.

use crate::entities::upload::{self, Entity as Uploads};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use trove_domain::ids::{UserId, VendorId};
use trove_domain::upload::{UploadPurpose, UploadStatus};

/// A declared upload, before anything is stored.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub id: uuid::Uuid,
    pub vendor: VendorId,
    pub purpose: UploadPurpose,
    pub content_type: String,
    pub size_bytes: u64,
    pub created_by: UserId,
}

/// Where the object of upload `id` of `vendor` is stored; nobody else chooses keys.
pub fn storage_key(vendor: VendorId, id: uuid::Uuid) -> String {
    format!("vendors/{}/{id}", vendor.as_uuid())
}

pub async fn create(db: &impl ConnectionTrait, new: NewUpload) -> Result<upload::Model, DbErr> {
    upload::ActiveModel {
        id: Set(new.id),
        vendor_id: Set(new.vendor.as_uuid()),
        purpose: Set(new.purpose),
        content_type: Set(new.content_type),
        size_bytes: Set(i64::try_from(new.size_bytes).unwrap_or(i64::MAX)),
        storage_key: Set(storage_key(new.vendor, new.id)),
        status: Set(UploadStatus::Pending),
        created_by: Set(Some(new.created_by.as_uuid())),
        created_at: Set(now()),
        confirmed_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<upload::Model>, DbErr> {
    Uploads::find_by_id(id)
        .filter(upload::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await
}

/// Which vendor upload `id` belongs to: the one unscoped lookup, used only to decide
/// whether the caller may see it at all.
pub async fn vendor_of(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<VendorId>, DbErr> {
    Ok(Uploads::find_by_id(id)
        .one(db)
        .await?
        .map(|row| VendorId::from(row.vendor_id)))
}

/// The vendor's uploads among `ids` (unknown and foreign ids are simply absent).
pub async fn find_many(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    ids: &[uuid::Uuid],
) -> Result<Vec<upload::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Uploads::find()
        .filter(upload::Column::VendorId.eq(vendor.as_uuid()))
        .filter(upload::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// Marks a pending upload ready (a second confirm of a ready one changes nothing).
pub async fn mark_ready(
    db: &impl ConnectionTrait,
    current: upload::Model,
) -> Result<upload::Model, DbErr> {
    if current.status == UploadStatus::Ready {
        return Ok(current);
    }
    let mut active: upload::ActiveModel = current.into();
    active.status = Set(UploadStatus::Ready);
    active.confirmed_at = Set(Some(now()));
    active.update(db).await
}
