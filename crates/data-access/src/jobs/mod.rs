//! The jobs table as a queue: enqueue (inside the caller's transaction), claim with a
//! lease, extend or release the lease, settle the outcome, and manage dead jobs.
//!
//! Claims take a batch in one short transaction and never keep it open while jobs run. On
//! MySQL/MariaDB and PostgreSQL the batch's rows are locked with `FOR UPDATE SKIP LOCKED`,
//! so concurrent claimers take different rows; on SQLite the transaction is `IMMEDIATE`
//! and SQLite's single writer does the same. Every claim query is equalities on `status`
//! (and `lane`) and a range on the column it orders by (`run_at` for due jobs,
//! `locked_until` for expired leases, of which there are only as many as jobs running), so
//! it follows the `(status, lane, run_at)` or `(status, run_at)` index in order and costs
//! the same at a backlog of a thousand or a million (`claim`, and `outbox` for the relay).
//!
//! A lease that runs out (the worker died) makes the job claimable again; a processed-jobs
//! record keyed by the job id makes a redelivered, already finished job a no-op.

use crate::entities::job::{self, Entity as Jobs};
use crate::entities::processed_job::{self, Entity as ProcessedJobs};
use chrono::{NaiveDateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, JobStatus, Lane};

mod claim;
mod dead;
mod outbox;

pub use claim::{ClaimedJob, claim, processed_among};
pub(crate) use claim::{Takeable, oldest_locked};
pub use dead::{list_dead, redrive_dead, retry_dead};
pub use outbox::{
    Publishable, bury_attempted, claim_for_publishing, mark_published, note_failure, unpublish,
};

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn later(duration: Duration) -> NaiveDateTime {
    now() + chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Writes a pending job due at `run_at`. Call it inside the transaction of the change that
/// causes it (transactional outbox).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    id: JobId,
    payload: &JobPayload,
    run_at: NaiveDateTime,
) -> Result<(), DbErr> {
    let body = serde_json::to_string(payload).map_err(|error| DbErr::Json(error.to_string()))?;
    enqueue_raw(
        db,
        id,
        payload.kind(),
        &body,
        payload.max_attempts(),
        run_at,
    )
    .await
}

/// Writes a pending job from its parts, for payloads that are already serialised.
pub async fn enqueue_raw(
    db: &impl ConnectionTrait,
    id: JobId,
    kind: &str,
    payload: &str,
    max_attempts: u32,
    run_at: NaiveDateTime,
) -> Result<(), DbErr> {
    enqueue_raw_many(
        db,
        &[NewJob {
            id,
            kind,
            payload,
            max_attempts,
            run_at,
        }],
    )
    .await
}

/// A pending job to write, its payload already serialised.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    pub id: JobId,
    pub kind: &'a str,
    pub payload: &'a str,
    pub max_attempts: u32,
    pub run_at: NaiveDateTime,
}

/// Rows per multi-row `INSERT`, well inside every backend's limit on bound parameters.
const INSERT_CHUNK: usize = 500;

/// Writes many pending jobs with multi-row inserts (call it inside the transaction of
/// the change that causes them, as `enqueue`).
pub async fn enqueue_raw_many(db: &impl ConnectionTrait, new: &[NewJob<'_>]) -> Result<(), DbErr> {
    let at = now();
    for chunk in new.chunks(INSERT_CHUNK) {
        let rows = chunk.iter().map(|job| job::ActiveModel {
            id: Set(job.id.as_uuid()),
            kind: Set(job.kind.to_owned()),
            payload: Set(job.payload.to_owned()),
            status: Set(JobStatus::Pending),
            lane: Set(Lane::of_kind(job.kind)),
            attempts: Set(0),
            max_attempts: Set(i32::try_from(job.max_attempts).unwrap_or(i32::MAX)),
            run_at: Set(job.run_at),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        });
        Jobs::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Keeps a running job reserved for another `lease` (heartbeat of long jobs).
pub async fn extend_lease(
    db: &impl ConnectionTrait,
    id: JobId,
    lease: Duration,
) -> Result<(), DbErr> {
    Jobs::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(later(lease)))
        .filter(job::Column::Id.eq(id.as_uuid()))
        .filter(job::Column::Status.eq(JobStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a claimed job back unrun (shutdown): due at once, the attempt not counted.
pub async fn release(db: &impl ConnectionTrait, id: JobId) -> Result<(), DbErr> {
    Jobs::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(JobStatus::Pending.as_str()),
        )
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<NaiveDateTime>::None),
        )
        .col_expr(job::Column::RunAt, Expr::value(now()))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).sub(1),
        )
        .filter(job::Column::Id.eq(id.as_uuid()))
        .filter(job::Column::Status.eq(JobStatus::Running.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether the job's work was already recorded as done.
pub async fn was_processed(db: &impl ConnectionTrait, id: JobId) -> Result<bool, DbErr> {
    Ok(ProcessedJobs::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .is_some())
}

/// The job succeeded: its processed record is written and it leaves the queue, together.
pub async fn complete(db: &DatabaseConnection, id: JobId, kind: &str) -> Result<(), DbErr> {
    complete_many(db, &[(id, kind.to_owned())]).await
}

/// Several jobs succeeded: their processed records are written and they leave the queue,
/// all in one transaction (the SQL queue groups the completions of concurrent jobs).
pub async fn complete_many(db: &DatabaseConnection, done: &[(JobId, String)]) -> Result<(), DbErr> {
    if done.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = done.iter().map(|(id, _)| id.as_uuid()).collect();
    let txn = crate::db::begin_write(db).await?;
    let mut recorded = processed_among(&txn, &ids).await?;
    let at = now();
    let fresh: Vec<processed_job::ActiveModel> = done
        .iter()
        .filter(|(id, _)| recorded.insert(id.as_uuid()))
        .map(|(id, kind)| processed_job::ActiveModel {
            job_id: Set(id.as_uuid()),
            kind: Set(kind.clone()),
            processed_at: Set(at),
        })
        .collect();
    if !fresh.is_empty() {
        ProcessedJobs::insert_many(fresh)
            .exec_without_returning(&txn)
            .await?;
    }
    Jobs::delete_many()
        .filter(job::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// The attempt failed but may succeed later: back to pending at `delay` from now.
pub async fn retry_later(
    db: &impl ConnectionTrait,
    id: JobId,
    delay: Duration,
    error: &str,
) -> Result<(), DbErr> {
    settle(db, id, JobStatus::Pending, Some(later(delay)), error).await
}

/// The job will not succeed: it stays in the table as dead, with the reason.
pub async fn bury(db: &impl ConnectionTrait, id: JobId, error: &str) -> Result<(), DbErr> {
    settle(db, id, JobStatus::Dead, None, error).await
}

async fn settle(
    db: &impl ConnectionTrait,
    id: JobId,
    status: JobStatus,
    run_at: Option<NaiveDateTime>,
    error: &str,
) -> Result<(), DbErr> {
    let mut update = Jobs::update_many()
        .col_expr(job::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<NaiveDateTime>::None),
        )
        .col_expr(job::Column::LastError, Expr::value(error))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()));
    if let Some(run_at) = run_at {
        update = update.col_expr(job::Column::RunAt, Expr::value(run_at));
    }
    update
        .filter(job::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Jobs waiting to run now or later (not dead, not running).
pub async fn pending_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Jobs::find()
        .filter(job::Column::Status.eq(JobStatus::Pending.as_str()))
        .count(db)
        .await
}

/// How the queue stands, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueStats {
    pub pending: u64,
    pub running: u64,
    pub dead: u64,
    /// Age of the oldest job that is due and not yet running, in seconds.
    pub oldest_due_age_seconds: i64,
}

pub async fn stats(db: &impl ConnectionTrait) -> Result<QueueStats, DbErr> {
    let count = |status: JobStatus| {
        Jobs::find()
            .filter(job::Column::Status.eq(status.as_str()))
            .count(db)
    };
    let at = now();
    let oldest = Jobs::find()
        .filter(job::Column::Status.eq(JobStatus::Pending.as_str()))
        .filter(job::Column::RunAt.lte(at))
        .order_by_asc(job::Column::RunAt)
        .one(db)
        .await?;
    Ok(QueueStats {
        pending: count(JobStatus::Pending).await?,
        running: count(JobStatus::Running).await?,
        dead: count(JobStatus::Dead).await?,
        oldest_due_age_seconds: oldest
            .map_or(0, |job| Ord::max((at - job.run_at).num_seconds(), 0)),
    })
}

/// One job row, for inspection.
pub async fn find(db: &impl ConnectionTrait, id: JobId) -> Result<Option<job::Model>, DbErr> {
    Jobs::find_by_id(id.as_uuid()).one(db).await
}
