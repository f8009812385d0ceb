//! Applying one stored Stripe webhook event, in one unit of work with marking it
//! processed, so a retried job or a redelivered event does nothing twice.
//!
//! - `account.updated`: the connected account's capabilities and requirements replace
//!   what we had (routed by the account id); the vendor's onboarding status follows.
//! - `account.application.deauthorized`: the vendor's connection is forgotten.
//! - `payment_intent.succeeded`: the order becomes `paid` (once, whoever comes first).
//! - `payment_intent.payment_failed`: the failure is recorded on the order.
//! - `charge.refunded`: refunds listed on the charge are recorded and the order's refund
//!   totals reconciled with the charge's `amount_refunded`.
//! - Anything else is kept and marked ignored.

use super::{IntentReport, apply_payment_intent};
use crate::events::{DomainEvent, OrderRefunded};
use crate::{App, AppError, UnitOfWork};
use sea_orm::DbErr;
use serde_json::Value;
use trove_data_access::refunds::{self, StripeRefund};
use trove_data_access::{orders, payment_accounts, stripe_events};
use trove_domain::ids::{OrderId, VendorId};
use trove_integrations::stripe::{account_state, webhook};

const ACTOR: &str = "stripe";

/// What became of a stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Applied now; the text says what it did (also stored on the event).
    Applied(String),
    /// An earlier run applied it.
    AlreadyProcessed,
}

/// Applies the stored event `event_id`. An event that is not stored or cannot be read is
/// `AppError::Rejected` (it will never work); database trouble is a `Database` error.
pub async fn apply_stored_event(app: &App, event_id: &str) -> Result<EventOutcome, AppError> {
    let mut uow = UnitOfWork::begin(app).await?;
    let stored = stripe_events::find(&*uow, event_id)
        .await?
        .ok_or_else(|| AppError::Rejected {
            code: "event_not_stored",
            message: "the event is not stored".into(),
        })?;
    if stored.processed_at.is_some() {
        return Ok(EventOutcome::AlreadyProcessed);
    }
    let event =
        webhook::parse_event(stored.payload.as_bytes()).map_err(|error| AppError::Rejected {
            code: "unreadable_event",
            message: error.to_string(),
        })?;
    let outcome = apply(&mut uow, app, &event).await?;
    tracing::info!(event_id = %event.id, event_type = %event.event_type, %outcome, "stripe event applied");
    stripe_events::processed(&*uow, stored, &outcome).await?;
    uow.commit(app).await?;
    Ok(EventOutcome::Applied(outcome))
}

async fn apply(uow: &mut UnitOfWork, app: &App, event: &webhook::Event) -> Result<String, DbErr> {
    let object = &event.object;
    match event.event_type.as_str() {
        "account.updated" => {
            let account = text(object, "id")
                .or(event.account.as_deref())
                .unwrap_or_default();
            let Some(current) = payment_accounts::find_by_stripe_account(&**uow, account).await?
            else {
                return Ok(format!("ignored: no vendor has account {account}"));
            };
            let state = account_state(object);
            payment_accounts::update_state(&**uow, current, &state).await?;
            Ok(format!(
                "account {account}: {}",
                state.onboarding_status().as_str()
            ))
        }
        "account.application.deauthorized" => {
            let account = event.account.as_deref().unwrap_or_default();
            let Some(current) = payment_accounts::find_by_stripe_account(&**uow, account).await?
            else {
                return Ok(format!("ignored: no vendor has account {account}"));
            };
            payment_accounts::reset(&**uow, VendorId::from(current.vendor_id)).await?;
            Ok(format!("account {account} disconnected"))
        }
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            payment_intent(uow, app, event).await
        }
        "charge.refunded" => charge_refunded(uow, object).await,
        other => Ok(format!("ignored: {other}")),
    }
}

async fn payment_intent(
    uow: &mut UnitOfWork,
    app: &App,
    event: &webhook::Event,
) -> Result<String, DbErr> {
    let object = &event.object;
    let id = text(object, "id").unwrap_or_default();
    let Some(order) = orders::find_by_payment_intent(&**uow, id).await? else {
        return Ok(format!("ignored: no order has payment intent {id}"));
    };
    let currency = text(object, "currency")
        .unwrap_or_default()
        .to_ascii_uppercase();
    let last_error = object
        .pointer("/last_payment_error/message")
        .and_then(Value::as_str)
        .or_else(|| {
            (event.event_type == "payment_intent.payment_failed").then_some("the payment failed")
        });
    let report = IntentReport {
        id,
        status: text(object, "status").unwrap_or_default(),
        amount_minor: object.get("amount").and_then(Value::as_i64).unwrap_or(-1),
        currency: &currency,
        last_error,
    };
    let (order, outcome) = apply_payment_intent(uow, app, order, &report, ACTOR).await?;
    Ok(format!("order {}: {outcome:?}", order.id))
}

async fn charge_refunded(uow: &mut UnitOfWork, object: &Value) -> Result<String, DbErr> {
    let intent = text(object, "payment_intent").unwrap_or_default();
    let Some(order) = orders::find_by_payment_intent(&**uow, intent).await? else {
        return Ok(format!("ignored: no order has payment intent {intent}"));
    };
    let refunded_before = order.refunded_minor;
    let listed = object
        .pointer("/refunds/data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for refund in &listed {
        let (Some(id), Some(amount)) = (
            text(refund, "id"),
            refund.get("amount").and_then(Value::as_i64),
        ) else {
            continue;
        };
        let refund = StripeRefund {
            id: id.to_owned(),
            amount_minor: amount,
            status: text(refund, "status").unwrap_or("succeeded").to_owned(),
            reason: text(refund, "reason").map(str::to_owned),
        };
        refunds::record(&**uow, &order, refund, ACTOR).await?;
    }
    let charged = object.get("amount_refunded").and_then(Value::as_i64);
    let order = refunds::reconcile(&**uow, order, charged, ACTOR).await?;
    if order.refunded_minor > refunded_before {
        uow.emit(DomainEvent::OrderRefunded(OrderRefunded {
            order_id: OrderId::from(order.id),
            vendor_id: VendorId::from(order.vendor_id),
            refunded_minor: order.refunded_minor,
            fee_refunded_minor: order.fee_refunded_minor,
            currency: order.currency.clone(),
        }));
    }
    Ok(format!(
        "order {}: refunded {} (fee {})",
        order.id, order.refunded_minor, order.fee_refunded_minor
    ))
}

fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}
