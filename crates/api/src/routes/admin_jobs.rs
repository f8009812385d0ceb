//! Dead jobs for platform admins: list them with their last error, retry one, redrive all
//! of a kind. A redriven job runs once more; the processed-jobs record keeps a job that
//! did finish from running twice.

use crate::auth::guards::AdminUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trove_data_access::entities::job;
use trove_data_access::jobs;
use trove_domain::ids::JobId;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadJobQuery {
    /// Only jobs of this kind, e.g. `send_email`.
    pub kind: Option<String>,
    /// 1-based page number.
    pub page: Option<u64>,
    /// Items per page, 1–100 (default 20).
    pub per_page: Option<u64>,
}

/// A dead job. The payload is not shown: it can carry tokens meant for one recipient.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobView {
    pub id: Uuid,
    pub kind: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it died.
    pub failed_at: DateTime<Utc>,
}

impl From<job::Model> for DeadJobView {
    fn from(job: job::Model) -> Self {
        Self {
            id: job.id,
            kind: job.kind,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            last_error: job.last_error,
            created_at: job.created_at.and_utc(),
            failed_at: job.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobPage {
    pub items: Vec<DeadJobView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Redrive {
    /// The job kind whose dead jobs go back on the queue.
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Redriven {
    pub redriven: u64,
}

/// Dead jobs, most recently failed first.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(DeadJobQuery),
    responses(
        (status = 200, description = "OK.", body = DeadJobPage),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "Invalid paging.", body = ErrorBody),
    )
)]
#[get("/api/v1/admin/jobs/dead")]
pub async fn list_dead_jobs(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<DeadJobQuery>,
) -> Result<web::Json<DeadJobPage>, ApiError> {
    let query = query.into_inner();
    let (page, per_page) =
        crate::validation::paging(&mut Fields::default(), query.page, query.per_page)?;
    let (items, total) = jobs::list_dead(&state.db, query.kind.as_deref(), page, per_page).await?;
    Ok(web::Json(DeadJobPage {
        items: items.into_iter().map(DeadJobView::from).collect(),
        page,
        per_page,
        total,
    }))
}

/// Puts one dead job back on the queue with fresh attempts.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("job_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Queued again."),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No dead job with this id.", body = ErrorBody),
    )
)]
#[post("/api/v1/admin/jobs/{job_id}/retry")]
pub async fn retry_dead_job(
    state: web::Data<AppState>,
    _admin: AdminUser,
    job_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    if jobs::retry_dead(&state.db, JobId::from(job_id.into_inner())).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("No dead job with this id."))
    }
}

/// Puts every dead job of a kind back on the queue.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = Redrive,
    responses(
        (status = 200, description = "How many were queued again.", body = Redriven),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "No kind given.", body = ErrorBody),
    )
)]
#[post("/api/v1/admin/jobs/redrive")]
pub async fn redrive_dead_jobs(
    state: web::Data<AppState>,
    _admin: AdminUser,
    body: web::Json<Redrive>,
) -> Result<web::Json<Redriven>, ApiError> {
    let kind = body.into_inner().kind;
    Fields::default()
        .check(
            !kind.trim().is_empty() && kind.len() <= 64,
            "kind",
            "must name a job kind",
        )
        .finish()?;
    let redriven = jobs::redrive_dead(&state.db, kind.trim()).await?;
    Ok(web::Json(Redriven { redriven }))
}
