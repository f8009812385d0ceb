//! `GET /metrics`: Prometheus text exposition of this instance's metrics.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// Prometheus metrics: requests by route and status, request latency histogram.
#[utoipa::path(
    tag = "observability",
    responses((status = 200, description = "Prometheus text format.", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn render_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
