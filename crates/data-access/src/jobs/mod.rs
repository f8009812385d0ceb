//! The jobs table as a queue: enqueue (inside the caller's transaction), claim with a
//! lease, extend or release the lease, settle the outcome, and manage dead jobs.
//!
//! Claims take a batch in one short transaction and never keep it open while jobs run. On
//! MySQL/MariaDB and PostgreSQL the batch's rows are locked with `FOR UPDATE SKIP LOCKED`,
//! so concurrent claimers take different rows; on SQLite the transaction is `IMMEDIATE`
//! and SQLite's single writer does the same. Every claim query is one equality on
//! `status` and a range on the column it orders by (`run_at` for due jobs, `locked_until`
//! for expired leases, of which there are only as many as jobs running), so it follows the
//! `(status, run_at)` index and costs the same at a backlog of a thousand or a million.
//!
//! A lease that runs out (the worker died) makes the job claimable again; a processed-jobs
//! record keyed by the job id makes a redelivered, already finished job a no-op.

use crate::entities::job::{self, Entity as Jobs};
use crate::entities::processed_job::{self, Entity as ProcessedJobs};
use chrono::{NaiveDateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashSet;
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, JobStatus, Lane};

mod dead;
mod outbox;

pub use dead::{list_dead, redrive_dead, retry_dead};
pub use outbox::{
    Publishable, bury_attempted, claim_for_publishing, mark_published, note_failure, unpublish,
};

/// A job a worker holds until `locked_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    /// This attempt's number, starting at 1.
    pub attempt: u32,
    pub max_attempts: u32,
    /// An earlier delivery already recorded the job as processed: settle it, do not run it.
    pub already_processed: bool,
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

/// The columns a claim reads: id, kind, payload, attempts, max_attempts, run_at.
pub(crate) type ClaimedRow = (uuid::Uuid, String, String, i32, i32, NaiveDateTime);

/// Which rows of the queue a claim reads: those in `status` (and `lane`, when given) whose
/// `clock` column has passed `by` (`run_at` due by then, or `locked_until` run out before
/// then), of `kinds` when given.
pub(crate) struct Takeable<'a> {
    pub status: JobStatus,
    pub lane: Option<Lane>,
    pub clock: job::Column,
    pub by: NaiveDateTime,
    pub kinds: Option<&'a [&'a str]>,
}

/// The oldest `limit` rows `what` describes, locked against other claimers. The filter is
/// equalities on `status` (and `lane`) and a range on the column the rows come ordered by,
/// so it walks the `(status, lane, run_at)` or `(status, run_at)` index in order (or the
/// few leased rows) and stops after `limit` rows, however many wait behind them.
pub(crate) async fn oldest_locked<C: ConnectionTrait>(
    txn: &C,
    what: Takeable<'_>,
    limit: u64,
) -> Result<Vec<ClaimedRow>, DbErr> {
    let Takeable {
        status,
        lane,
        clock,
        by,
        kinds,
    } = what;
    let mut query = Jobs::find()
        .select_only()
        .columns([
            job::Column::Id,
            job::Column::Kind,
            job::Column::Payload,
            job::Column::Attempts,
            job::Column::MaxAttempts,
            job::Column::RunAt,
        ])
        .filter(job::Column::Status.eq(status.as_str()))
        .order_by_asc(clock)
        .limit(limit);
    query = match clock {
        job::Column::LockedUntil => query.filter(clock.lt(by)),
        _ => query.filter(clock.lte(by)),
    };
    if let Some(lane) = lane {
        query = query.filter(job::Column::Lane.eq(lane.as_str()));
    }
    if let Some(kinds) = kinds {
        query = query.filter(job::Column::Kind.is_in(kinds.iter().copied()));
    }
    if txn.get_database_backend() != DbBackend::Sqlite {
        // SQLite has one writer: the claim's IMMEDIATE transaction already excludes others.
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    query.into_tuple().all(txn).await
}

/// Takes up to `max` jobs of `kinds` for `lease`: first those whose worker's lease ran out
/// (a crashed worker's jobs are not starved by a backlog), then the oldest due pending
/// ones, read lane by lane (each lane's kinds from its own index range) and merged by
/// `run_at`. Jobs of other kinds wait for a worker that can run them. One short
/// transaction per batch; none stays open while the jobs run. Each job says whether an
/// earlier delivery already recorded it as processed.
pub async fn claim(
    db: &DatabaseConnection,
    kinds: &[&str],
    max: u64,
    lease: Duration,
) -> Result<Vec<ClaimedJob>, DbErr> {
    if kinds.is_empty() || max == 0 {
        return Ok(Vec::new());
    }
    let at = now();
    let txn = crate::db::begin_write(db).await?;
    let expired = Takeable {
        status: JobStatus::Running,
        lane: None,
        clock: job::Column::LockedUntil,
        by: at,
        kinds: Some(kinds),
    };
    let mut rows = oldest_locked(&txn, expired, max).await?;
    let room = max.saturating_sub(rows.len() as u64);
    if room > 0 {
        let mut due = Vec::new();
        for lane in Lane::ALL {
            let lane_kinds: Vec<&str> = kinds
                .iter()
                .copied()
                .filter(|kind| Lane::of_kind(kind) == lane)
                .collect();
            if lane_kinds.is_empty() {
                continue;
            }
            let pending = Takeable {
                status: JobStatus::Pending,
                lane: Some(lane),
                clock: job::Column::RunAt,
                by: at,
                kinds: Some(&lane_kinds),
            };
            due.extend(oldest_locked(&txn, pending, room).await?);
        }
        due.sort_by_key(|row| row.5);
        due.truncate(usize::try_from(room).unwrap_or(usize::MAX));
        rows.extend(due);
    }
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = rows.iter().map(|row| row.0).collect();
    let processed = processed_among(&txn, &ids).await?;
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
        .filter(job::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, payload, attempts, max_attempts, _)| ClaimedJob {
                id: JobId::from(id),
                kind,
                payload,
                attempt: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
                max_attempts: u32::try_from(max_attempts).unwrap_or(1),
                already_processed: processed.contains(&id),
            },
        )
        .collect())
}

/// Which of `ids` were already recorded as processed, in one query.
pub async fn processed_among(
    db: &impl ConnectionTrait,
    ids: &[uuid::Uuid],
) -> Result<HashSet<uuid::Uuid>, DbErr> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<uuid::Uuid> = ProcessedJobs::find()
        .select_only()
        .column(processed_job::Column::JobId)
        .filter(processed_job::Column::JobId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
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
