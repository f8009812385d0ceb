//! Receiving a Stripe webhook: the raw body is checked against `Stripe-Signature` (any
//! `v1` under the current or previous secret, within the tolerance); a bad signature or a
//! body that is not an event is refused and nothing is stored. A genuine event is stored
//! once by its id together with its `process_stripe_event` job, in one unit of work; the
//! worker applies it (`apply_stored_event`). A redelivery stores nothing and queues
//! nothing.

use crate::{App, AppError, UnitOfWork};
use secrecy::ExposeSecret;
use trove_data_access::jobs;
use trove_data_access::stripe_events::{self, NewEvent};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, ProcessStripeEvent};
use trove_integrations::stripe::webhook;

/// What receiving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Stored,
    /// Stored before: acknowledged, nothing done twice.
    Duplicate,
}

/// Verifies and stores one delivery of `body` signed with `signature` at `now` (seconds).
pub async fn receive(
    app: &App,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<Received, AppError> {
    let settings = &app.stripe_settings;
    let secrets: Vec<&str> = [&settings.webhook_secret, &settings.webhook_secret_previous]
        .into_iter()
        .flatten()
        .map(|secret| secret.expose_secret())
        .collect();
    if secrets.is_empty() {
        return Err(AppError::NotConfigured {
            code: "payments_not_configured",
            message: "No webhook signing secret is configured.".into(),
        });
    }
    webhook::verify(
        signature,
        body,
        &secrets,
        settings.webhook_tolerance_seconds,
        now,
    )
    .map_err(|error| AppError::malformed("invalid_signature", error.to_string()))?;
    let event = webhook::parse_event(body)
        .map_err(|error| AppError::malformed("invalid_event", error.to_string()))?;
    let payload = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::malformed("invalid_event", "the body is not UTF-8"))?;
    tracing::info!(event_id = %event.id, event_type = %event.event_type, account = ?event.account, "stripe event received");
    let job = JobPayload::ProcessStripeEvent(ProcessStripeEvent {
        v: 1,
        event_id: event.id.clone(),
    });
    let uow = UnitOfWork::begin(app).await?;
    let new = NewEvent {
        id: event.id,
        event_type: event.event_type,
        account: event.account,
        payload,
    };
    if !stripe_events::insert_new(&*uow, new).await? {
        return Ok(Received::Duplicate);
    }
    jobs::enqueue(&*uow, JobId::new(), &job, jobs::now()).await?;
    uow.commit(app).await?;
    Ok(Received::Stored)
}
