//! The shopper's side of a card payment after Stripe.js confirmed it: we ask Stripe for
//! the PaymentIntent (never trusting the caller), then apply what Stripe says in a unit
//! of work. Success marks the order paid exactly once, whether this call or the
//! `payment_intent.succeeded` webhook comes first; a failed attempt is recorded.

use super::{IntentReport, PaymentOutcome, apply_payment_intent};
use crate::{App, AppError, UnitOfWork};
use serde::Serialize;
use trove_data_access::orders;
use trove_domain::ids::OrderId;
use trove_domain::order::OrderStatus;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct CardPaymentStatus {
    pub order_id: Uuid,
    /// The order's status: `paid` once the payment succeeded.
    #[schema(value_type = String)]
    pub status: OrderStatus,
    /// Stripe's PaymentIntent status, e.g. `succeeded`, `processing`, `requires_payment_method`.
    pub payment_status: String,
    /// Why the last attempt failed, if it did.
    pub payment_failure: Option<String>,
}

fn not_found() -> AppError {
    AppError::not_found("No card order with this id and PaymentIntent.")
}

/// Checks `order_id`'s payment `payment_intent_id` with Stripe and applies it.
pub async fn confirm_card_payment(
    app: &App,
    order_id: OrderId,
    payment_intent_id: &str,
) -> Result<CardPaymentStatus, AppError> {
    let order = orders::find_any(&app.db, order_id.as_uuid())
        .await?
        .filter(|order| order.payment_intent_id.as_deref() == Some(payment_intent_id))
        .ok_or_else(not_found)?;
    let intent = app
        .stripe()?
        .retrieve_payment_intent(payment_intent_id)
        .await?;
    let mut uow = UnitOfWork::begin(app).await?;
    let order = orders::find_any(&*uow, order.id)
        .await?
        .ok_or_else(not_found)?;
    let report = IntentReport {
        id: &intent.id,
        status: &intent.status,
        amount_minor: intent.amount_minor,
        currency: &intent.currency,
        last_error: intent.last_error.as_deref(),
    };
    let actor = "customer:card-confirmation";
    let (order, outcome) = apply_payment_intent(&mut uow, app, order, &report, actor).await?;
    if outcome == PaymentOutcome::Mismatch {
        return Err(AppError::conflict(
            "conflict",
            "The payment does not match the order; the vendor will be in touch.",
        ));
    }
    uow.commit(app).await?;
    Ok(CardPaymentStatus {
        order_id: order.id,
        status: order.status,
        payment_status: intent.status,
        payment_failure: order.payment_failure,
    })
}
