//! `Idempotency-Key` for use cases that create things: the first request with a key runs
//! and its successful answer is stored; the same key with the same body gets that answer
//! again, with another body `idempotency_key_reused`, and while the first still runs
//! `idempotency_in_progress`. Failures release the key, so the client may retry. Keys
//! are scoped (route and resource) and remembered for `orders.idempotency_hours`.
//!
//! A use case claims the key, does its work, and stores its answer with [`complete`]
//! through the unit of work that commits what it created, so the two land together.

use crate::{App, AppError};
use sea_orm::{ConnectionTrait, DbErr};
use trove_data_access::idempotency::{self, Claim};

/// A client's key for one request.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// What the key is unique within, e.g. `orders:{storefront_id}`.
    pub scope: String,
    pub key: String,
    /// The request body as received.
    pub body: serde_json::Value,
}

/// An answer to hand back, fresh or stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    /// JSON text.
    pub body: String,
    /// Answered from the store (an earlier request with the same key).
    pub replayed: bool,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claimed {
    /// Ours: run, then `complete` (or `release` on failure).
    Fresh(uuid::Uuid),
    /// Answered before.
    Replay(StoredAnswer),
}

fn hash_of(body: &serde_json::Value) -> Result<String, AppError> {
    // serde_json's maps are sorted, so equal bodies serialise equally.
    let bytes = serde_json::to_vec(body).map_err(AppError::internal)?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// Claims `key` for one run.
pub async fn claim(app: &App, key: &IdempotencyKey) -> Result<Claimed, AppError> {
    let ttl = chrono::Duration::hours(i64::from(app.orders.idempotency_hours));
    let hash = hash_of(&key.body)?;
    match idempotency::claim(&app.db, &key.scope, &key.key, &hash, ttl).await? {
        Claim::Fresh(id) => Ok(Claimed::Fresh(id)),
        Claim::Replay { status, body } => Ok(Claimed::Replay(StoredAnswer {
            status,
            body,
            replayed: true,
        })),
        Claim::Mismatch => Err(AppError::Rejected {
            code: "idempotency_key_reused",
            message: "This Idempotency-Key was used with another request body.".into(),
        }),
        Claim::InProgress => Err(AppError::conflict(
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
        )),
    }
}

/// Stores the answer of claim `id`, through the caller's unit of work.
pub async fn complete(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
    answer: &StoredAnswer,
) -> Result<(), DbErr> {
    idempotency::complete(db, id, answer.status, answer.body.clone()).await
}

/// Gives claim `id` up after a failure, so a retry runs again. Best effort: a key that
/// cannot be released expires with its time to live.
pub async fn release(app: &App, id: uuid::Uuid) {
    if let Err(error) = idempotency::release(&app.db, id).await {
        tracing::warn!(%error, "cannot release an idempotency key");
    }
}
