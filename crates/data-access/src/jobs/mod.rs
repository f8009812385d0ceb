//! The jobs table as a queue: enqueue (inside the caller's transaction), claim with a
//! lease, extend or release the lease, settle the outcome, and manage dead jobs.
//!
//! Claims never keep a transaction open while a job runs. On MySQL/MariaDB and PostgreSQL
//! a claim locks one due row with `FOR UPDATE SKIP LOCKED` and leases it in a short
//! transaction; SQLite has a single writer, so a compare-and-set `UPDATE` does. A lease
//! that runs out (the worker died) makes the job claimable again; a processed-jobs record
//! keyed by the job id makes a redelivered, already finished job a no-op.

use crate::entities::job::{self, Entity as Jobs};
use crate::entities::processed_job::{self, Entity as ProcessedJobs};
use chrono::{NaiveDateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, JobStatus};

mod dead;
mod outbox;

pub use dead::{list_dead, redrive_dead, retry_dead};
pub use outbox::{bury_attempted, claim_for_publishing, mark_published, note_failure, unpublish};

/// A job a worker holds until `locked_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    /// This attempt's number, starting at 1.
    pub attempt: u32,
    pub max_attempts: u32,
}

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
    let at = now();
    Jobs::insert(job::ActiveModel {
        id: Set(id.as_uuid()),
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_owned()),
        status: Set(JobStatus::Pending),
        attempts: Set(0),
        max_attempts: Set(i32::try_from(max_attempts).unwrap_or(i32::MAX)),
        run_at: Set(run_at),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Rows in `waiting` due by `due_by`, or in `leased` whose lease ran out before `at`.
fn takeable(
    waiting: JobStatus,
    due_by: NaiveDateTime,
    leased: JobStatus,
    at: NaiveDateTime,
) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(job::Column::Status.eq(waiting.as_str()))
                .add(job::Column::RunAt.lte(due_by)),
        )
        .add(
            Condition::all()
                .add(job::Column::Status.eq(leased.as_str()))
                .add(job::Column::LockedUntil.lt(at)),
        )
}

/// Due pending jobs, and running jobs whose worker's lease ran out.
fn claimable(at: NaiveDateTime) -> Condition {
    takeable(JobStatus::Pending, at, JobStatus::Running, at)
}

fn lease_update(lease: Duration, at: NaiveDateTime) -> sea_orm::UpdateMany<Jobs> {
    Jobs::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(JobStatus::Running.as_str()),
        )
        .col_expr(job::Column::LockedUntil, Expr::value(later(lease)))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).add(1),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(at))
}

fn claimed(candidate: job::Model) -> ClaimedJob {
    ClaimedJob {
        id: JobId::from(candidate.id),
        kind: candidate.kind,
        payload: candidate.payload,
        attempt: u32::try_from(candidate.attempts + 1).unwrap_or(u32::MAX),
        max_attempts: u32::try_from(candidate.max_attempts).unwrap_or(1),
    }
}

/// Takes the oldest due job of one of `kinds` (or one whose lease ran out) for `lease`, if
/// there is one. Jobs of other kinds wait for a worker that can run them.
pub async fn claim_next(
    db: &DatabaseConnection,
    kinds: &[&str],
    lease: Duration,
) -> Result<Option<ClaimedJob>, DbErr> {
    if kinds.is_empty() {
        return Ok(None);
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => claim_compare_and_set(db, kinds, lease).await,
        _ => claim_skip_locked(db, kinds, lease).await,
    }
}

async fn claim_skip_locked(
    db: &DatabaseConnection,
    kinds: &[&str],
    lease: Duration,
) -> Result<Option<ClaimedJob>, DbErr> {
    let at = now();
    let txn = crate::db::begin_write(db).await?;
    let candidate = Jobs::find()
        .filter(claimable(at))
        .filter(job::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(job::Column::RunAt)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .one(&txn)
        .await?;
    let Some(candidate) = candidate else {
        txn.commit().await?;
        return Ok(None);
    };
    lease_update(lease, at)
        .filter(job::Column::Id.eq(candidate.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(claimed(candidate)))
}

async fn claim_compare_and_set(
    db: &DatabaseConnection,
    kinds: &[&str],
    lease: Duration,
) -> Result<Option<ClaimedJob>, DbErr> {
    const CANDIDATES: u64 = 8;
    let at = now();
    let candidates = Jobs::find()
        .filter(claimable(at))
        .filter(job::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(job::Column::RunAt)
        .limit(CANDIDATES)
        .all(db)
        .await?;
    for candidate in candidates {
        let won = lease_update(lease, at)
            .filter(job::Column::Id.eq(candidate.id))
            .filter(job::Column::Attempts.eq(candidate.attempts))
            .filter(claimable(at))
            .exec(db)
            .await?;
        if won.rows_affected == 1 {
            return Ok(Some(claimed(candidate)));
        }
    }
    Ok(None)
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
    let txn = crate::db::begin_write(db).await?;
    if ProcessedJobs::find_by_id(id.as_uuid())
        .one(&txn)
        .await?
        .is_none()
    {
        ProcessedJobs::insert(processed_job::ActiveModel {
            job_id: Set(id.as_uuid()),
            kind: Set(kind.to_owned()),
            processed_at: Set(now()),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    Jobs::delete_by_id(id.as_uuid()).exec(&txn).await?;
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
