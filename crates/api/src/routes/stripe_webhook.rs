//! Stripe's webhook endpoint: the raw body and its `Stripe-Signature` go to
//! `trove_app::payments::webhook::receive`, which verifies, stores the event once with its
//! job, and answers duplicates without a second effect. A bad signature or body is 400 and
//! nothing is stored; when the database cannot take the event the answer is 5xx, so
//! Stripe delivers it again later.

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use trove_app::payments::webhook::{self, Received};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceipt {
    pub received: bool,
    /// The event was already stored: acknowledged, nothing done twice.
    pub duplicate: bool,
}

/// Receives a Stripe event (platform and Connect events alike).
#[utoipa::path(
    tag = "webhooks",
    params(("Stripe-Signature" = String, Header, description = "`t=…,v1=…` as Stripe signs it.")),
    request_body(content = String, content_type = "application/json", description = "The event exactly as Stripe sent it."),
    responses(
        (status = 200, description = "Stored and queued, or a duplicate.", body = WebhookReceipt),
        (status = 400, description = "Missing, malformed, stale or wrong signature (`invalid_signature`), or not an event (`invalid_event`).", body = ErrorBody),
        (status = 503, description = "Not configured, or the database is unavailable: Stripe retries.", body = ErrorBody),
    )
)]
#[post("/api/v1/webhooks/stripe")]
pub async fn receive_stripe_event(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let signature = request
        .headers()
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    let received = webhook::receive(&state.app, signature, &body, now).await?;
    Ok(HttpResponse::Ok().json(WebhookReceipt {
        received: true,
        duplicate: received == Received::Duplicate,
    }))
}
