//! The outbox side of the SQS backend: leasing pending rows for the relay, and recording
//! what the relay and the SQS consumer did with them.

use super::{Takeable, bury, later, now, oldest_locked};
use crate::entities::job::{self, Entity as Jobs};
use chrono::NaiveDateTime;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::JobStatus;

/// A job leased for publishing: what the message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publishable {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub max_attempts: u32,
    pub run_at: NaiveDateTime,
}

/// Leases up to `limit` jobs for publishing to SQS: first those whose earlier publisher
/// died (its lease ran out), then pending jobs due within `horizon`, oldest first. Each is
/// marked `publishing` until `lease` runs out, so two relays do not publish the same job
/// and a crashed relay's jobs are published again. One short transaction, on the same
/// index-ordered queries as the worker's claim.
pub async fn claim_for_publishing(
    db: &DatabaseConnection,
    horizon: Duration,
    lease: Duration,
    limit: u64,
) -> Result<Vec<Publishable>, DbErr> {
    let at = now();
    let txn = crate::db::begin_write(db).await?;
    let expired = Takeable {
        status: JobStatus::Publishing,
        lane: None,
        clock: job::Column::LockedUntil,
        by: at,
        kinds: None,
    };
    let mut rows = oldest_locked(&txn, expired, limit).await?;
    let room = limit.saturating_sub(rows.len() as u64);
    if room > 0 {
        let due = Takeable {
            status: JobStatus::Pending,
            lane: None,
            clock: job::Column::RunAt,
            by: later(horizon),
            kinds: None,
        };
        rows.extend(oldest_locked(&txn, due, room).await?);
    }
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    Jobs::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(JobStatus::Publishing.as_str()),
        )
        .col_expr(job::Column::LockedUntil, Expr::value(later(lease)))
        .filter(job::Column::Id.is_in(rows.iter().map(|row| row.0)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, payload, _, max_attempts, run_at)| Publishable {
            id: JobId::from(id),
            kind,
            payload,
            max_attempts: u32::try_from(max_attempts).unwrap_or(1),
            run_at,
        })
        .collect())
}

/// The relay published these jobs: they now live in SQS until a worker finishes them.
pub async fn mark_published(db: &impl ConnectionTrait, ids: &[JobId]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    Jobs::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Sent.as_str()))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<NaiveDateTime>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::Id.is_in(ids.iter().map(JobId::as_uuid)))
        .filter(job::Column::Status.eq(JobStatus::Publishing.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Publishing failed: the jobs go back to pending for the next relay round.
pub async fn unpublish(db: &impl ConnectionTrait, ids: &[JobId], error: &str) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    Jobs::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(JobStatus::Pending.as_str()),
        )
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<NaiveDateTime>::None),
        )
        .col_expr(job::Column::LastError, Expr::value(error))
        .filter(job::Column::Id.is_in(ids.iter().map(JobId::as_uuid)))
        .filter(job::Column::Status.eq(JobStatus::Publishing.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt's error on the row without changing where the job lives
/// (SQS keeps the message; its visibility timeout carries the delay).
pub async fn note_failure(
    db: &impl ConnectionTrait,
    id: JobId,
    attempt: u32,
    error: &str,
) -> Result<(), DbErr> {
    Jobs::update_many()
        .col_expr(job::Column::LastError, Expr::value(error))
        .col_expr(
            job::Column::Attempts,
            Expr::value(i32::try_from(attempt).unwrap_or(i32::MAX)),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Buries a job delivered through SQS: dead with its reason and attempt count.
pub async fn bury_attempted(
    db: &impl ConnectionTrait,
    id: JobId,
    attempt: u32,
    error: &str,
) -> Result<(), DbErr> {
    note_failure(db, id, attempt, error).await?;
    bury(db, id, error).await
}
