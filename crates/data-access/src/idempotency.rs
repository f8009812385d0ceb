//! Idempotency keys: the first request with a key claims it; once it succeeds its response
//! is stored and every later request with the same key and body gets that response back.
//! A different body under the same key is a mismatch; a request while the first is still
//! running finds it in progress. A failed first request releases the key so the client can
//! retry. A claim is held for a short lease while its request runs: one whose request died
//! with the outcome unknown (the database lost at commit, the process killed) frees itself
//! when the lease runs out, and a retry then finds either the stored answer (the commit
//! landed) or nothing (it did not). A completed key lives for the callers' time to live
//! (24 h) and is then claimable again.

use crate::entities::idempotency_key::{self, Entity as Keys};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Ours: run the request, then `complete` or `release`.
    Fresh(uuid::Uuid),
    /// Finished before: answer with this.
    Replay { status: u16, body: String },
    /// Used before with another request body.
    Mismatch,
    /// The first request with this key has not finished yet.
    InProgress,
}

pub async fn claim(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    request_hash: &str,
    lease: chrono::Duration,
) -> Result<Claim, DbErr> {
    let at = now();
    Keys::delete_many()
        .filter(idempotency_key::Column::Scope.eq(scope))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::ExpiresAt.lt(at))
        .exec(db)
        .await?;
    let id = uuid::Uuid::now_v7();
    let inserted = idempotency_key::ActiveModel {
        id: Set(id),
        scope: Set(scope.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(at),
        expires_at: Set(at + lease),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => return Ok(Claim::Fresh(id)),
        Err(error)
            if matches!(
                error.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) => {}
        Err(error) => return Err(error),
    }
    let Some(existing) = Keys::find()
        .filter(idempotency_key::Column::Scope.eq(scope))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?
    else {
        // Released between our insert and this read: the client may simply retry.
        return Ok(Claim::InProgress);
    };
    Ok(if existing.request_hash != request_hash {
        Claim::Mismatch
    } else {
        match (existing.response_status, existing.response_body) {
            (Some(status), Some(body)) => Claim::Replay {
                status: u16::try_from(status).unwrap_or(200),
                body,
            },
            _ => Claim::InProgress,
        }
    })
}

/// Stores the response of the request that claimed `id`, kept for `ttl` from now.
pub async fn complete(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    status: u16,
    body: String,
    ttl: chrono::Duration,
) -> Result<(), DbErr> {
    Keys::update_many()
        .col_expr(
            idempotency_key::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(now() + ttl),
        )
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            sea_orm::sea_query::Expr::value(i32::from(status)),
        )
        .col_expr(
            idempotency_key::Column::ResponseBody,
            sea_orm::sea_query::Expr::value(body),
        )
        .filter(idempotency_key::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Frees a key whose request failed, so the same key can be tried again.
pub async fn release(db: &impl ConnectionTrait, id: uuid::Uuid) -> Result<(), DbErr> {
    Keys::delete_by_id(id).exec(db).await?;
    Ok(())
}
