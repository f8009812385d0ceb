//! Single-use tokens: the first request that spends a `jti` wins, every later one loses.

use crate::entities::consumed_token::{self, Entity as ConsumedTokens};
use crate::jobs::now;
use chrono::NaiveDateTime;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Records `jti` as spent. `Ok(false)` when it was spent before (a replay).
pub async fn consume(
    db: &impl ConnectionTrait,
    jti: &str,
    expires_at: NaiveDateTime,
) -> Result<bool, DbErr> {
    ConsumedTokens::delete_many()
        .filter(consumed_token::Column::ExpiresAt.lt(now()))
        .exec(db)
        .await?;
    let inserted = ConsumedTokens::insert(consumed_token::ActiveModel {
        jti: Set(jti.to_owned()),
        expires_at: Set(expires_at),
    })
    .exec_without_returning(db)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(error)
            if matches!(
                error.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Ok(false)
        }
        Err(error) => Err(error),
    }
}
