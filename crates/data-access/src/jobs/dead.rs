//! Dead jobs: listing them, and putting them back on the queue with fresh attempts.

use super::now;
use crate::entities::job::{self, Entity as Jobs};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use trove_domain::ids::JobId;
use trove_domain::job::JobStatus;

/// One page of dead jobs (most recently failed first) and how many match.
pub async fn list_dead(
    db: &impl ConnectionTrait,
    kind: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<job::Model>, u64), DbErr> {
    let mut query = Jobs::find()
        .filter(job::Column::Status.eq(JobStatus::Dead.as_str()))
        .order_by_desc(job::Column::UpdatedAt);
    if let Some(kind) = kind {
        query = query.filter(job::Column::Kind.eq(kind));
    }
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page.saturating_sub(1)).await?, total))
}

fn redrive() -> sea_orm::UpdateMany<Jobs> {
    Jobs::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(JobStatus::Pending.as_str()),
        )
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(now()))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::Status.eq(JobStatus::Dead.as_str()))
}

/// Puts one dead job back on the queue with fresh attempts. False when it is not dead.
pub async fn retry_dead(db: &impl ConnectionTrait, id: JobId) -> Result<bool, DbErr> {
    let result = redrive()
        .filter(job::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Puts every dead job of `kind` back on the queue; returns how many.
pub async fn redrive_dead(db: &impl ConnectionTrait, kind: &str) -> Result<u64, DbErr> {
    Ok(redrive()
        .filter(job::Column::Kind.eq(kind))
        .exec(db)
        .await?
        .rows_affected)
}
