//! The jobs table as a queue: enqueue, claim with a lease, and settle the outcome.
//!
//! A claim is a compare-and-set `UPDATE` on one candidate row, so two workers can never
//! hold the same job, on any backend, without keeping a transaction open while the job
//! runs. A lease that runs out (the worker died) makes the job claimable again.

use crate::entities::job::{self, Entity as Jobs};
use chrono::{NaiveDateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::JobStatus;

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

/// What to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub max_attempts: u32,
    pub run_at: NaiveDateTime,
}

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn later(duration: Duration) -> NaiveDateTime {
    now() + chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Writes a pending job. Call it inside the transaction of the change that causes it.
pub async fn enqueue(db: &impl ConnectionTrait, job: NewJob) -> Result<(), DbErr> {
    let at = now();
    Jobs::insert(job::ActiveModel {
        id: Set(job.id.as_uuid()),
        kind: Set(job.kind),
        payload: Set(job.payload),
        status: Set(JobStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        max_attempts: Set(i32::try_from(job.max_attempts).unwrap_or(i32::MAX)),
        run_at: Set(job.run_at),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn claimable(at: NaiveDateTime) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(job::Column::Status.eq(JobStatus::Pending.as_str()))
                .add(job::Column::RunAt.lte(at)),
        )
        .add(
            sea_orm::Condition::all()
                .add(job::Column::Status.eq(JobStatus::Running.as_str()))
                .add(job::Column::LockedUntil.lt(at)),
        )
}

/// Takes the oldest due job of one of `kinds` (or one whose lease ran out) for `lease`, if
/// there is one. Jobs of other kinds wait for a worker that can run them.
pub async fn claim_next(
    db: &impl ConnectionTrait,
    kinds: &[&str],
    lease: Duration,
) -> Result<Option<ClaimedJob>, DbErr> {
    const CANDIDATES: u64 = 8;
    if kinds.is_empty() {
        return Ok(None);
    }
    let at = now();
    let candidates = Jobs::find()
        .filter(claimable(at))
        .filter(job::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(job::Column::RunAt)
        .limit(CANDIDATES)
        .all(db)
        .await?;
    for candidate in candidates {
        let claimed = Jobs::update_many()
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
            .filter(job::Column::Id.eq(candidate.id))
            .filter(job::Column::Attempts.eq(candidate.attempts))
            .filter(claimable(at))
            .exec(db)
            .await?;
        if claimed.rows_affected == 1 {
            return Ok(Some(ClaimedJob {
                id: JobId::from(candidate.id),
                kind: candidate.kind,
                payload: candidate.payload,
                attempt: u32::try_from(candidate.attempts + 1).unwrap_or(u32::MAX),
                max_attempts: u32::try_from(candidate.max_attempts).unwrap_or(1),
            }));
        }
    }
    Ok(None)
}

/// The job succeeded: it leaves the queue.
pub async fn complete(db: &impl ConnectionTrait, id: JobId) -> Result<(), DbErr> {
    Jobs::delete_by_id(id.as_uuid()).exec(db).await?;
    Ok(())
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

/// One job row, for inspection.
pub async fn find(db: &impl ConnectionTrait, id: JobId) -> Result<Option<job::Model>, DbErr> {
    Jobs::find_by_id(id.as_uuid()).one(db).await
}
