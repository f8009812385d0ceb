//! Stripe's webhook endpoint. The raw body is checked against `Stripe-Signature` (any
//! `v1` under the current or previous secret, within the tolerance); a bad signature is
//! 400 and nothing is stored. A genuine event is stored once by its id together with its
//! `process_stripe_event` job, and answered at once: the worker applies it. A redelivered
//! event is acknowledged (200) without a second row or job. When the database cannot take
//! the event the answer is 5xx, so Stripe delivers it again later.

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use secrecy::ExposeSecret;
use serde::Serialize;
use trove_data_access::stripe_events::{self, NewEvent};
use trove_integrations::stripe::webhook;
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
    let settings = &state.stripe_settings;
    let secrets: Vec<&str> = [&settings.webhook_secret, &settings.webhook_secret_previous]
        .into_iter()
        .flatten()
        .map(|secret| secret.expose_secret())
        .collect();
    if secrets.is_empty() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "payments_not_configured",
            "No webhook signing secret is configured.",
        ));
    }
    let header = request
        .headers()
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    webhook::verify(
        header,
        &body,
        &secrets,
        settings.webhook_tolerance_seconds,
        chrono::Utc::now().timestamp(),
    )
    .map_err(|error| ApiError::bad_request("invalid_signature", error.to_string()))?;
    let event = webhook::parse_event(&body)
        .map_err(|error| ApiError::bad_request("invalid_event", error.to_string()))?;
    let payload = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("invalid_event", "the body is not UTF-8"))?;
    tracing::info!(event_id = %event.id, event_type = %event.event_type, account = ?event.account, "stripe event received");
    let stored = stripe_events::receive(
        &state.db,
        NewEvent {
            id: event.id,
            event_type: event.event_type,
            account: event.account,
            payload,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(WebhookReceipt {
        received: true,
        duplicate: !stored,
    }))
}
