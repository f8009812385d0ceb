//! The shopper's side of a card payment after Stripe.js confirmed it: the Customer
//! Frontend tells us and `trove_app::payments::confirm_card_payment` asks Stripe (never
//! trusting the caller) and applies what Stripe says.

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{post, web};
use serde::Deserialize;
use trove_app::payments::CardPaymentStatus;
use trove_domain::ids::OrderId;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardConfirmation {
    /// The PaymentIntent the order was placed with.
    pub payment_intent_id: String,
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
    let status = trove_app::payments::confirm_card_payment(
        &state.app,
        OrderId::from(*order_id),
        &body.payment_intent_id,
    )
    .await?;
    Ok(web::Json(status))
}
