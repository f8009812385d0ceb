//! The recipient's side of a gift. `POST /api/v1/gifts/redeem` exchanges a code for a
//! Recipient token; it has the strict attempt limit of storefront passwords and answers
//! one generic 404 for unknown, dead and expired codes alike. With the token the recipient
//! sees only their gift: the items (they may swap each for another variant of the same
//! product within its price, stock permitting) and their address, which must resolve to
//! one of the storefront's zones. Confirming the address queues the shipment.

use crate::auth::guards::RecipientAccess;
use crate::error::{ApiError, ErrorBody};
use crate::middleware::rate_limit::limit_attempts;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use trove_data_access::entities::order_recipient;
use trove_data_access::gifts;
use trove_domain::order::RecipientStatus;
use utoipa::ToSchema;
use uuid::Uuid;

use trove_app::shipping::AddressInput;
use view::{
    ChosenItem, GiftView, budget_options, choose, detail_of, gift_view, items_of, picks_of,
};

mod view;

/// How long a Recipient token lasts.
const SESSION_LIFETIME: Duration = Duration::from_secs(2 * 3600);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientSession {
    /// A Recipient token: send as `Authorization: Bearer …`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pick {
    pub line_id: Uuid,
    pub variant_id: Uuid,
}

/// A fixed gift takes `picks` (another variant per line); a budget gift takes `items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartBody {
    #[serde(default)]
    pub picks: Vec<Pick>,
    #[serde(default)]
    pub items: Vec<ChosenItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = GiftAddress)]
pub struct AddressBody {
    pub address: AddressInput,
}

fn no_gift() -> ApiError {
    trove_app::gifts::no_gift().into()
}

/// Exchanges a gift code for a Recipient token.
#[utoipa::path(
    tag = "gifts",
    request_body = RedeemBody,
    responses(
        (status = 201, description = "A Recipient token for this gift.", body = RecipientSession),
        (status = 404, description = "Unknown, reissued or expired code (one answer for all).", body = ErrorBody),
        (status = 429, description = "Too many attempts from this client; `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/api/v1/gifts/redeem")]
pub async fn redeem_gift(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RedeemBody>,
) -> Result<HttpResponse, ApiError> {
    limit_attempts(&request, &state, "gift-redeem").await?;
    let recipient = trove_app::gifts::redeem(&state.app, &body.code).await?;
    let token = state
        .authenticator
        .issue_recipient(&recipient.id.to_string(), SESSION_LIFETIME)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(RecipientSession {
        token,
        expires_at: Utc::now() + chrono::Duration::from_std(SESSION_LIFETIME).unwrap_or_default(),
    }))
}

async fn recipient_of(
    state: &AppState,
    access: &RecipientAccess,
) -> Result<order_recipient::Model, ApiError> {
    let id = Uuid::parse_str(&access.recipient_id).map_err(|_| no_gift())?;
    gifts::find_recipient(&state.db, id)
        .await?
        .ok_or_else(no_gift)
}

/// The holder's gift.
#[utoipa::path(
    tag = "gifts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "OK.", body = GiftView),
        (status = 403, description = "Not a Recipient token.", body = ErrorBody),
    )
)]
#[get("/api/v1/gift")]
pub async fn get_gift(
    state: web::Data<AppState>,
    access: RecipientAccess,
) -> Result<web::Json<GiftView>, ApiError> {
    let recipient = recipient_of(&state, &access).await?;
    Ok(web::Json(gift_view(&state, recipient).await?))
}

fn not_redeemed(status: RecipientStatus) -> ApiError {
    trove_app::gifts::not_open(status).into()
}

/// Picks variants for the gift's items (same product, within the line's price, in stock).
#[utoipa::path(
    tag = "gifts",
    security(("bearer" = [])),
    request_body = CartBody,
    responses(
        (status = 200, description = "The gift with the picks.", body = GiftView),
        (status = 409, description = "Not redeemed, or already confirmed.", body = ErrorBody),
        (status = 422, description = "A pick is not a choice of its line; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/gift/cart")]
pub async fn set_gift_cart(
    state: web::Data<AppState>,
    access: RecipientAccess,
    body: web::Json<CartBody>,
) -> Result<web::Json<GiftView>, ApiError> {
    let recipient = recipient_of(&state, &access).await?;
    if recipient.status != RecipientStatus::Redeemed {
        return Err(not_redeemed(recipient.status));
    }
    let detail = detail_of(&state, &recipient).await?;
    if let Some(budget) = detail.order.budget_minor {
        let options = budget_options(&state, &detail.order, budget).await?;
        let cart = choose(&options, budget, &body.items)?;
        let recipient = gifts::set_cart(&state.db, recipient, cart).await?;
        return Ok(web::Json(gift_view(&state, recipient).await?));
    }
    let items = items_of(&state, &recipient, &detail.lines).await?;
    let mut fields = crate::validation::Fields::default();
    let mut picks = picks_of(&recipient);
    for (index, pick) in body.picks.iter().enumerate() {
        let allowed = items.iter().any(|item| {
            item.line_id == pick.line_id
                && item
                    .choices
                    .iter()
                    .any(|choice| choice.variant_id == pick.variant_id)
        });
        fields.check(
            allowed,
            &format!("picks[{index}]"),
            "must be a variant of that line's product within its price and in stock",
        );
        picks.insert(pick.line_id, pick.variant_id);
    }
    fields.finish()?;
    let cart = serde_json::to_string(&picks).map_err(ApiError::internal)?;
    let recipient = gifts::set_cart(&state.db, recipient, cart).await?;
    Ok(web::Json(gift_view(&state, recipient).await?))
}

/// Confirms where the gift goes; the address must be in one of the storefront's zones.
/// The shipment is then queued.
#[utoipa::path(
    tag = "gifts",
    security(("bearer" = [])),
    request_body = AddressBody,
    responses(
        (status = 200, description = "Confirmed; the shipment is queued.", body = GiftView),
        (status = 409, description = "Not redeemed, or already confirmed.", body = ErrorBody),
        (status = 422, description = "No zone covers the address; the reason is given.", body = ErrorBody),
    )
)]
#[put("/api/v1/gift/address")]
pub async fn confirm_gift_address(
    state: web::Data<AppState>,
    access: RecipientAccess,
    body: web::Json<AddressBody>,
) -> Result<web::Json<GiftView>, ApiError> {
    let recipient = recipient_of(&state, &access).await?;
    let recipient =
        trove_app::gifts::confirm_address(&state.app, recipient, &body.into_inner().address)
            .await?;
    Ok(web::Json(gift_view(&state, recipient).await?))
}
