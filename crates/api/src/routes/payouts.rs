//! A vendor's money at Stripe: the connected account's balance and its payouts, newest
//! first, read live from Stripe with the account's `Stripe-Account` header. Owners (and
//! admins) only.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::{DEFAULT_PER_PAGE, Fields, MAX_PER_PAGE};
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PayoutQuery {
    /// 1–100, default 20.
    pub limit: Option<u64>,
    /// The last payout id of the previous page.
    #[param(max_length = 255, pattern = "^po_")]
    pub starting_after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AmountView {
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutView {
    pub id: String,
    pub amount_minor: i64,
    pub currency: String,
    /// `paid`, `pending`, `in_transit`, `canceled` or `failed`.
    pub status: String,
    pub arrival_date: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutsView {
    pub available: Vec<AmountView>,
    pub pending: Vec<AmountView>,
    pub payouts: Vec<PayoutView>,
    /// More payouts follow: pass the last id as `starting_after`.
    pub has_more: bool,
}

/// The connected account's balance and payouts, newest first.
#[utoipa::path(
    tag = "payments",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), PayoutQuery),
    responses(
        (status = 200, description = "OK.", body = PayoutsView),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "No Stripe account connected, or payments not configured.", body = ErrorBody),
        (status = 422, description = "Bad limit or cursor.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; try again.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/payments/payouts")]
pub async fn list_payouts(
    state: web::Data<AppState>,
    access: VendorAccess,
    query: web::Query<PayoutQuery>,
) -> Result<web::Json<PayoutsView>, ApiError> {
    access.require_owner()?;
    let limit = query.limit.unwrap_or(DEFAULT_PER_PAGE);
    Fields::default()
        .check(
            (1..=MAX_PER_PAGE).contains(&limit),
            "limit",
            "must be 1 to 100",
        )
        .check(
            query
                .starting_after
                .as_deref()
                .is_none_or(|id| id.starts_with("po_") && id.len() <= 255),
            "starting_after",
            "must be a payout id (po_…)",
        )
        .finish()?;
    let listed = trove_app::payments::payouts::list(
        &state.app,
        access.vendor_id(),
        limit,
        query.starting_after.as_deref(),
    )
    .await?;
    let amounts = |list: Vec<trove_integrations::stripe::Amount>| {
        list.into_iter()
            .map(|amount| AmountView {
                amount_minor: amount.amount_minor,
                currency: amount.currency,
            })
            .collect()
    };
    let at = |seconds: i64| DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    Ok(web::Json(PayoutsView {
        available: amounts(listed.balance.available),
        pending: amounts(listed.balance.pending),
        payouts: listed
            .payouts
            .into_iter()
            .map(|payout| PayoutView {
                id: payout.id,
                amount_minor: payout.amount_minor,
                currency: payout.currency,
                status: payout.status,
                arrival_date: at(payout.arrival_date),
                created_at: at(payout.created),
            })
            .collect(),
        has_more: listed.has_more,
    }))
}
