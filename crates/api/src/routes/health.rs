//! `GET /health` (liveness) and `GET /health/detailed` (dependencies).

use crate::error::ErrorBody;
use crate::health::{self, HealthReport};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    /// Always `ok` when the process can answer.
    pub status: &'static str,
}

/// Liveness: the process is up. Calls no dependency, so it is always fast.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive.", body = Liveness))
)]
#[get("/health")]
pub async fn liveness() -> web::Json<Liveness> {
    web::Json(Liveness { status: "ok" })
}

/// Each dependency with its status and latency. 503 when a required one is down.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Every required dependency is up.", body = HealthReport),
        (status = 503, description = "A required dependency is down; `message` names it.", body = HealthReport),
        (status = 429, description = "Rate limited.", body = ErrorBody),
    )
)]
#[get("/health/detailed")]
pub async fn detailed_health(state: web::Data<AppState>) -> HttpResponse {
    let report = health::run(&state.health_checks).await;
    let status = if report.is_down() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status).json(report)
}
