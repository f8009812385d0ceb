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
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

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

/// Claims `key` in `scope` for a request whose body hashes to `request_hash`, held for
/// `lease` while it runs. A key not seen before costs one INSERT; one in use costs a read
/// more; one whose time ran out is removed and claimed afresh.
pub async fn claim(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    request_hash: &str,
    lease: chrono::Duration,
) -> Result<Claim, DbErr> {
    let at = now();
    let new = NewKey {
        scope,
        key,
        request_hash,
        expires_at: at + lease,
    };
    if let Some(id) = new.insert(db).await? {
        return Ok(Claim::Fresh(id));
    }
    let existing = Keys::find()
        .filter(idempotency_key::Column::Scope.eq(scope))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?;
    let Some(existing) = existing else {
        // Released or expired and removed since our insert failed: claim it now.
        return Ok(new
            .insert(db)
            .await?
            .map_or(Claim::InProgress, Claim::Fresh));
    };
    if existing.expires_at < at {
        Keys::delete_many()
            .filter(idempotency_key::Column::Id.eq(existing.id))
            .filter(idempotency_key::Column::ExpiresAt.lt(at))
            .exec(db)
            .await?;
        return Ok(new
            .insert(db)
            .await?
            .map_or(Claim::InProgress, Claim::Fresh));
    }
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

/// A key row to insert, in progress until `expires_at`.
struct NewKey<'a> {
    scope: &'a str,
    key: &'a str,
    request_hash: &'a str,
    expires_at: chrono::NaiveDateTime,
}

impl NewKey<'_> {
    /// Inserts the row: its id, or `None` when the key is already taken.
    async fn insert(&self, db: &impl ConnectionTrait) -> Result<Option<uuid::Uuid>, DbErr> {
        let id = uuid::Uuid::now_v7();
        let inserted = Keys::insert(idempotency_key::ActiveModel {
            id: Set(id),
            scope: Set(self.scope.to_owned()),
            key: Set(self.key.to_owned()),
            request_hash: Set(self.request_hash.to_owned()),
            response_status: Set(None),
            response_body: Set(None),
            created_at: Set(now()),
            expires_at: Set(self.expires_at),
        })
        .exec_without_returning(db)
        .await;
        match inserted {
            Ok(_) => Ok(Some(id)),
            Err(error)
                if matches!(
                    error.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }
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
