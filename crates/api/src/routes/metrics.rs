//! `GET /metrics`: Prometheus text exposition of this instance's metrics.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// Prometheus metrics: requests by route and status, request latency, queue depth by
/// status and the age of the oldest due job (read from the database at scrape time), and
/// job counters when the worker runs in this process.
#[utoipa::path(
    tag = "observability",
    responses((status = 200, description = "Prometheus text format.", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn render_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match trove_data_access::jobs::stats(&state.db).await {
        Ok(stats) => state.metrics.set_queue(stats),
        Err(error) => tracing::warn!(%error, "queue metrics unavailable; serving the rest"),
    }
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
