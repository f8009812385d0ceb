//! The shopper's side of a card payment after Stripe.js confirmed it: the Customer
//! Frontend tells us, we ask Stripe for the PaymentIntent (never trusting the caller) and
//! apply what Stripe says. Success marks the order paid exactly once, whether this call or
//! the `payment_intent.succeeded` webhook comes first; a failed attempt is recorded.

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use trove_data_access::fulfilment::{self, IntentReport, PaymentOutcome};
use trove_data_access::orders;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardConfirmation {
    /// The PaymentIntent the order was placed with.
    pub payment_intent_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CardPaymentStatus {
    pub order_id: Uuid,
    /// The order's status: `paid` once the payment succeeded.
    pub status: String,
    /// Stripe's PaymentIntent status, e.g. `succeeded`, `processing`, `requires_payment_method`.
    pub payment_status: String,
    /// Why the last attempt failed, if it did.
    pub payment_failure: Option<String>,
}

/// Checks a card order's payment with Stripe and applies it.
#[utoipa::path(
    tag = "checkout",
    params(("order_id" = Uuid, Path)),
    request_body = CardConfirmation,
    responses(
        (status = 200, description = "What Stripe says, and the order's status after applying it.", body = CardPaymentStatus),
        (status = 404, description = "No card order with this id and PaymentIntent.", body = ErrorBody),
        (status = 409, description = "Payments not configured.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; try again.", body = ErrorBody),
    )
)]
#[post("/api/v1/public/orders/{order_id}/card-payment")]
pub async fn confirm_card_payment(
    state: web::Data<AppState>,
    order_id: web::Path<Uuid>,
    body: web::Json<CardConfirmation>,
) -> Result<web::Json<CardPaymentStatus>, ApiError> {
    let not_found = || ApiError::not_found("No card order with this id and PaymentIntent.");
    let order = orders::find_any(&state.db, *order_id)
        .await?
        .filter(|order| order.payment_intent_id.as_deref() == Some(&body.payment_intent_id))
        .ok_or_else(not_found)?;
    let intent = super::payments::stripe(&state)?
        .retrieve_payment_intent(&body.payment_intent_id)
        .await?;
    let txn = trove_data_access::begin_write(&state.db).await?;
    let order = orders::find_any(&txn, order.id)
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
    let (order, outcome) =
        fulfilment::apply_payment_intent(&txn, &state.orders, order, &report, actor).await?;
    if outcome == PaymentOutcome::Mismatch {
        return Err(ApiError::conflict(
            "The payment does not match the order; the vendor will be in touch.",
        ));
    }
    txn.commit().await?;
    Ok(web::Json(CardPaymentStatus {
        order_id: order.id,
        status: order.status,
        payment_status: intent.status,
        payment_failure: order.payment_failure,
    }))
}
