//! Guest checkout on a storefront: `quote` prices an order without creating anything;
//! `orders` places it (with `Idempotency-Key`). The rules (what may be ordered, pricing,
//! payment) are `trove_app::checkout`'s; these handlers find the visible storefront, check
//! its password session and map the answer.

use crate::auth::storefront_lock::{require_unlocked, visible_storefront};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};
use trove_app::checkout::{self, CheckoutBody, PlacedOrder, Quote};

/// Prices an order without creating anything.
#[utoipa::path(
    tag = "checkout",
    params(("slug" = String, Path)),
    request_body = CheckoutBody,
    responses(
        (status = 200, description = "The breakdown the order would have.", body = Quote),
        (status = 401, description = "Password-protected: open a storefront session first.", body = ErrorBody),
        (status = 404, description = "No visible storefront with this slug.", body = ErrorBody),
        (status = 422, description = "Invalid items or recipients; every problem in `details`.", body = ErrorBody),
    )
)]
#[post("/api/v1/public/storefronts/{slug}/quote")]
pub async fn quote_order(
    request: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Json<CheckoutBody>,
) -> Result<web::Json<Quote>, ApiError> {
    let storefront = visible_storefront(&state, &slug).await?;
    require_unlocked(&request, &storefront)?;
    Ok(web::Json(
        checkout::quote(&state.app, &storefront, &body).await?,
    ))
}

/// Places an order: it stays `created` until paid (bank transfer: the invoice is emailed;
/// card: confirm `card_payment` with Stripe.js). Send an `Idempotency-Key` so a retried
/// request cannot create a second order.
#[utoipa::path(
    tag = "checkout",
    params(("slug" = String, Path), Idempotency),
    request_body = CheckoutBody,
    responses(
        (status = 201, description = "Created; the invoice email is on its way, or `card_payment` holds the client secret.", body = PlacedOrder),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 401, description = "Password-protected: open a storefront session first.", body = ErrorBody),
        (status = 404, description = "No visible storefront with this slug.", body = ErrorBody),
        (status = 409, description = "A request with this Idempotency-Key is still running, or the prices changed while it was placed.", body = ErrorBody),
        (status = 422, description = "Invalid items, recipients or payment method, or the key was used with another body.", body = ErrorBody),
        (status = 502, description = "Stripe refused to create the payment; nothing was kept.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; nothing was kept, retry with the same key.", body = ErrorBody),
    )
)]
#[post("/api/v1/public/storefronts/{slug}/orders")]
pub async fn place_order(
    request: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    idempotency: Idempotency,
    body: web::Json<CheckoutBody>,
) -> Result<HttpResponse, ApiError> {
    let storefront = visible_storefront(&state, &slug).await?;
    require_unlocked(&request, &storefront)?;
    let key = idempotency.key(format!("orders:{}", storefront.id), &*body)?;
    let answer = checkout::place_order(&state.app, &storefront, &body, key).await?;
    Ok(crate::idempotency::respond(answer))
}
