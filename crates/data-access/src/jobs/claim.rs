//! Claiming: taking a batch of due jobs (and jobs whose lease ran out) for a worker in one
//! short transaction, on queries that follow an index in order whatever the backlog.

use super::{later, now};
use crate::entities::job::{self, Entity as Jobs};
use crate::entities::processed_job::{self, Entity as ProcessedJobs};
use chrono::NaiveDateTime;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashSet;
use std::time::Duration;
use trove_domain::ids::JobId;
use trove_domain::job::{JobStatus, Lane};

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
