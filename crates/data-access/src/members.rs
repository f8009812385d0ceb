//! Vendor members: who belongs, with which role, and the rule that a vendor always keeps
//! at least one owner.

use crate::entities::user::{self, Entity as Users};
use crate::entities::vendor::{self, Entity as Vendors};
use crate::entities::vendor_membership::{self, Entity as Memberships};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use trove_domain::ids::{UserId, VendorId};
use trove_domain::vendor::VendorRole;

pub async fn membership(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    user: UserId,
) -> Result<Option<vendor_membership::Model>, DbErr> {
    Memberships::find()
        .filter(vendor_membership::Column::VendorId.eq(vendor.as_uuid()))
        .filter(vendor_membership::Column::UserId.eq(user.as_uuid()))
        .one(db)
        .await
}

/// A member with their profile.
#[derive(Debug, Clone)]
pub struct Member {
    pub membership: vendor_membership::Model,
    pub user: user::Model,
}

pub async fn list(db: &impl ConnectionTrait, vendor: VendorId) -> Result<Vec<Member>, DbErr> {
    let memberships = Memberships::find()
        .filter(vendor_membership::Column::VendorId.eq(vendor.as_uuid()))
        .order_by_asc(vendor_membership::Column::CreatedAt)
        .all(db)
        .await?;
    let users = Users::find()
        .filter(user::Column::Id.is_in(memberships.iter().map(|m| m.user_id)))
        .all(db)
        .await?;
    Ok(memberships
        .into_iter()
        .filter_map(|membership| {
            let user = users
                .iter()
                .find(|user| user.id == membership.user_id)?
                .clone();
            Some(Member { membership, user })
        })
        .collect())
}

/// The vendors `user` belongs to, with the role in each.
pub async fn vendors_of(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<Vec<(vendor_membership::Model, vendor::Model)>, DbErr> {
    let memberships = Memberships::find()
        .filter(vendor_membership::Column::UserId.eq(user.as_uuid()))
        .order_by_asc(vendor_membership::Column::CreatedAt)
        .all(db)
        .await?;
    let vendors = Vendors::find()
        .filter(vendor::Column::Id.is_in(memberships.iter().map(|m| m.vendor_id)))
        .all(db)
        .await?;
    Ok(memberships
        .into_iter()
        .filter_map(|membership| {
            let vendor = vendors
                .iter()
                .find(|v| v.id == membership.vendor_id)?
                .clone();
            Some((membership, vendor))
        })
        .collect())
}

/// Adds `user` with `role`, or leaves an existing membership as it is.
pub async fn add(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    user: UserId,
    role: VendorRole,
) -> Result<vendor_membership::Model, DbErr> {
    if let Some(existing) = membership(db, vendor, user).await? {
        return Ok(existing);
    }
    vendor_membership::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.as_uuid()),
        user_id: Set(user.as_uuid()),
        role: Set(role),
        created_at: Set(now()),
    }
    .insert(db)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum MemberChangeError {
    #[error("no such member")]
    NotFound,
    #[error("a vendor must keep at least one owner")]
    LastOwner,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Changes a member's role; demoting the last owner is refused.
pub async fn set_role(
    db: &DatabaseConnection,
    vendor: VendorId,
    user: UserId,
    role: VendorRole,
) -> Result<vendor_membership::Model, MemberChangeError> {
    let txn = crate::db::begin_write(db).await?;
    let current = membership(&txn, vendor, user)
        .await?
        .ok_or(MemberChangeError::NotFound)?;
    if current.role == VendorRole::Owner && role != VendorRole::Owner {
        ensure_another_owner(&txn, vendor).await?;
    }
    let mut active: vendor_membership::ActiveModel = current.into();
    active.role = Set(role);
    let updated = active.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Removes a member; removing the last owner is refused.
pub async fn remove(
    db: &DatabaseConnection,
    vendor: VendorId,
    user: UserId,
) -> Result<(), MemberChangeError> {
    let txn = crate::db::begin_write(db).await?;
    let current = membership(&txn, vendor, user)
        .await?
        .ok_or(MemberChangeError::NotFound)?;
    if current.role == VendorRole::Owner {
        ensure_another_owner(&txn, vendor).await?;
    }
    Memberships::delete_by_id(current.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

async fn ensure_another_owner(
    db: &impl ConnectionTrait,
    vendor: VendorId,
) -> Result<(), MemberChangeError> {
    let owners = Memberships::find()
        .filter(vendor_membership::Column::VendorId.eq(vendor.as_uuid()))
        .filter(vendor_membership::Column::Role.eq(VendorRole::Owner.as_str()))
        .count(db)
        .await?;
    if owners > 1 {
        Ok(())
    } else {
        Err(MemberChangeError::LastOwner)
    }
}
