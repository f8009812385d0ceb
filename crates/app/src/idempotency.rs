//! `Idempotency-Key` for use cases that create things: the first request with a key runs
//! and its successful answer is stored; the same key with the same body gets that answer
//! again, with another body `idempotency_key_reused`, and while the first still runs
//! `idempotency_in_progress`. Failures release the key, so the client may retry. Keys
//! are scoped (route and resource) and remembered for `orders.idempotency_hours`.
//!
//! A use case runs through [`once`] (or [`create_once`] for a plain create): the key is
//! claimed, the work writes through a unit of work, and the answer is stored through that
//! same unit of work, so what was created and its answer land together or not at all.

use crate::{App, AppError, UnitOfWork};
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
    /// Ours (or no key was given): run, then [`KeyClaim::commit`] or [`KeyClaim::release`].
    Fresh(KeyClaim),
    /// Answered before.
    Replay(StoredAnswer),
}

/// The right to run one request under a key; without a key it only commits.
#[derive(Debug)]
#[must_use = "a claimed key is committed with the answer or released"]
pub struct KeyClaim(Option<uuid::Uuid>);

impl StoredAnswer {
    /// A `201 Created` answer with `created` as its body.
    pub fn created(created: &impl serde::Serialize) -> Result<Self, AppError> {
        Ok(Self {
            status: 201,
            body: serde_json::to_string(created).map_err(AppError::internal)?,
            replayed: false,
        })
    }
}

impl KeyClaim {
    /// Stores `answer` with what `uow` wrote and commits both, so a replay finds exactly
    /// what was created. When the commit itself fails the outcome is unknown, so the
    /// claim is left to its lease rather than released: a retry then sees the answer if
    /// the commit landed and runs afresh if it did not.
    pub async fn commit(
        self,
        app: &App,
        uow: UnitOfWork,
        answer: StoredAnswer,
    ) -> Result<StoredAnswer, AppError> {
        if let Some(id) = self.0 {
            let ttl = chrono::Duration::hours(i64::from(app.orders.idempotency_hours));
            let stored =
                idempotency::complete(&*uow, id, answer.status, answer.body.clone(), ttl).await;
            if let Err(error) = stored {
                drop(uow);
                self.release(app).await;
                return Err(error.into());
            }
        }
        uow.commit(app).await?;
        Ok(answer)
    }

    /// Gives the key up after a failure that wrote nothing, so a retry runs again. Best
    /// effort: a key that cannot be released frees itself when its lease runs out.
    pub async fn release(self, app: &App) {
        let Some(id) = self.0 else {
            return;
        };
        if let Err(error) = idempotency::release(&app.db, id).await {
            tracing::warn!(%error, "cannot release an idempotency key");
        }
    }
}

fn hash_of(body: &serde_json::Value) -> Result<String, AppError> {
    // serde_json's maps are sorted, so equal bodies serialise equally.
    let bytes = serde_json::to_vec(body).map_err(AppError::internal)?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// Claims `key` for one run; with no key every request runs.
pub async fn claim(app: &App, key: Option<&IdempotencyKey>) -> Result<Claimed, AppError> {
    let Some(key) = key else {
        return Ok(Claimed::Fresh(KeyClaim(None)));
    };
    let hash = hash_of(&key.body)?;
    let lease = chrono::Duration::seconds(i64::from(app.orders.idempotency_in_progress_seconds));
    match idempotency::claim(&app.db, &key.scope, &key.key, &hash, lease).await? {
        Claim::Fresh(id) => Ok(Claimed::Fresh(KeyClaim(Some(id)))),
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

/// Runs `work` at most once per `key`: `work` writes through the unit of work it opens and
/// returns it with its answer, which is stored and committed with it; a repeat of the key
/// gets the stored answer back. A failure before the commit releases the key.
pub async fn once(
    app: &App,
    key: Option<IdempotencyKey>,
    work: impl AsyncFnOnce() -> Result<(UnitOfWork, StoredAnswer), AppError>,
) -> Result<StoredAnswer, AppError> {
    let claim = match claim(app, key.as_ref()).await? {
        Claimed::Fresh(claim) => claim,
        Claimed::Replay(answer) => return Ok(answer),
    };
    match work().await {
        Ok((uow, answer)) => claim.commit(app, uow, answer).await,
        Err(error) => {
            claim.release(app).await;
            Err(error)
        }
    }
}

/// Creates something at most once per `key`: `create` writes through a fresh unit of
/// work and returns what it created, answered as `201` with it as the body.
pub async fn create_once<T: serde::Serialize>(
    app: &App,
    key: Option<IdempotencyKey>,
    create: impl AsyncFnOnce(&mut UnitOfWork) -> Result<T, AppError>,
) -> Result<StoredAnswer, AppError> {
    once(app, key, async move || {
        let mut uow = UnitOfWork::begin(app).await?;
        let created = create(&mut uow).await?;
        Ok((uow, StoredAnswer::created(&created)?))
    })
    .await
}
