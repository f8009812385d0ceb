//! Stored feature-flag rollouts (per flag) and overrides (per flag and vendor).

use crate::entities::feature_flag_override::{self, Entity as Overrides};
use crate::entities::feature_flag_rollout::{self, Entity as Rollouts};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;
use trove_domain::ids::VendorId;

pub async fn rollouts(db: &impl ConnectionTrait) -> Result<HashMap<String, u8>, DbErr> {
    Ok(Rollouts::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.flag, row.percentage.clamp(0, 100) as u8))
        .collect())
}

pub async fn overrides_for(
    db: &impl ConnectionTrait,
    vendor: VendorId,
) -> Result<HashMap<String, bool>, DbErr> {
    Ok(Overrides::find()
        .filter(feature_flag_override::Column::VendorId.eq(vendor.as_uuid()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.flag, row.enabled))
        .collect())
}

/// Sets (or with `None` removes) the rollout percentage of `flag`.
pub async fn set_rollout(
    db: &impl ConnectionTrait,
    flag: &str,
    percentage: Option<u8>,
) -> Result<(), DbErr> {
    let Some(percentage) = percentage else {
        Rollouts::delete_by_id(flag.to_owned()).exec(db).await?;
        return Ok(());
    };
    Rollouts::insert(feature_flag_rollout::ActiveModel {
        flag: Set(flag.to_owned()),
        percentage: Set(i32::from(percentage)),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(feature_flag_rollout::Column::Flag)
            .update_columns([
                feature_flag_rollout::Column::Percentage,
                feature_flag_rollout::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Forces `flag` on or off for `vendor`, or with `None` removes the override.
pub async fn set_override(
    db: &impl ConnectionTrait,
    flag: &str,
    vendor: VendorId,
    enabled: Option<bool>,
) -> Result<(), DbErr> {
    let Some(enabled) = enabled else {
        Overrides::delete_many()
            .filter(feature_flag_override::Column::Flag.eq(flag))
            .filter(feature_flag_override::Column::VendorId.eq(vendor.as_uuid()))
            .exec(db)
            .await?;
        return Ok(());
    };
    Overrides::insert(feature_flag_override::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        flag: Set(flag.to_owned()),
        vendor_id: Set(vendor.as_uuid()),
        enabled: Set(enabled),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            feature_flag_override::Column::Flag,
            feature_flag_override::Column::VendorId,
        ])
        .update_columns([
            feature_flag_override::Column::Enabled,
            feature_flag_override::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
