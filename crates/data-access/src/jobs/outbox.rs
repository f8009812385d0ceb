//! The outbox side of the SQS backend: leasing pending rows for the relay, and recording
//! what the relay and the SQS consumer did with them.

use super::{bury, later, now, takeable};
use crate::entities::job::{self, Entity as Jobs};
use chrono::NaiveDateTime;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::JobStatus;

/// Pending jobs due before `horizon`, and jobs whose publisher's lease ran out.
fn publishable(at: NaiveDateTime, horizon: NaiveDateTime) -> Condition {
    takeable(JobStatus::Pending, horizon, JobStatus::Publishing, at)
}

/// Leases up to `limit` pending jobs due within `horizon` for publishing to SQS (and any
/// whose earlier publisher died). Each is marked `publishing` until `lease` runs out, so two
/// relays do not publish the same job and a crashed relay's jobs are published again.
pub async fn claim_for_publishing(
    db: &impl ConnectionTrait,
    horizon: Duration,
    lease: Duration,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let at = now();
    let horizon = later(horizon);
    let candidates = Jobs::find()
        .filter(publishable(at, horizon))
        .order_by_asc(job::Column::RunAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut leased = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let won = Jobs::update_many()
            .col_expr(
                job::Column::Status,
                Expr::value(JobStatus::Publishing.as_str()),
            )
            .col_expr(job::Column::LockedUntil, Expr::value(later(lease)))
            .filter(job::Column::Id.eq(candidate.id))
            .filter(publishable(at, horizon))
            .exec(db)
            .await?;
        if won.rows_affected == 1 {
            leased.push(candidate);
        }
    }
    Ok(leased)
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

/// Publishing failed: the job goes back to pending for the next relay round.
pub async fn unpublish(db: &impl ConnectionTrait, id: JobId, error: &str) -> Result<(), DbErr> {
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
        .filter(job::Column::Id.eq(id.as_uuid()))
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
