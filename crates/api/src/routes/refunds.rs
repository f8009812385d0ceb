//! Refunds of paid card orders, whole or in part, by the vendor's owner. Stripe gives the
//! platform fee back in proportion (`refund_application_fee`) and pulls the amount back
//! from the vendor's account (`reverse_transfer`).
//!
//! The Stripe request is keyed by the order, what it had refunded before and the amount:
//! a retry after a lost answer returns Stripe's first refund instead of refunding twice,
//! while a second refund of the same amount (after the first was recorded) is a new one.
//! The refund is recorded and the order's totals reconciled in one transaction; the
//! `charge.refunded` webhook reconciles again from Stripe's side.

use super::orders::not_found;
use super::payments::stripe;
use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trove_data_access::entities::order_refund;
use trove_data_access::orders;
use trove_data_access::refunds::{self, StripeRefund};
use trove_domain::order::OrderStatus;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    /// What to refund; everything not yet refunded when absent.
    pub amount_minor: Option<i64>,
    /// Shown in the order's history, up to 500 characters.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub id: Uuid,
    pub stripe_refund_id: String,
    pub amount_minor: i64,
    /// The platform fee part given back with this refund.
    pub fee_refunded_minor: i64,
    /// Stripe's status: `pending`, `succeeded`, `failed`, `canceled`, `requires_action`.
    pub status: String,
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<order_refund::Model> for RefundView {
    fn from(row: order_refund::Model) -> Self {
        Self {
            id: row.id,
            stripe_refund_id: row.stripe_refund_id,
            amount_minor: row.amount_minor,
            fee_refunded_minor: row.fee_refunded_minor,
            status: row.status,
            reason: row.reason,
            created_by: row.created_by,
            created_at: row.created_at.and_utc(),
        }
    }
}

/// Refunds a paid card order in whole or in part.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path)),
    request_body = NewRefund,
    responses(
        (status = 201, description = "Refunded; the order's `refunded_minor` and `fee_refunded_minor` are updated.", body = RefundView),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Not a paid card order, or nothing left to refund.", body = ErrorBody),
        (status = 422, description = "Amount outside 1 to what is left, or reason too long.", body = ErrorBody),
        (status = 502, description = "Stripe refused the refund.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; retrying is safe.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/orders/{order_id}/refunds")]
pub async fn create_refund(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<NewRefund>,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    let body = body.into_inner();
    let order = orders::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(not_found)?
        .order;
    let status: OrderStatus = order.status.parse().map_err(ApiError::internal)?;
    let Some(payment_intent) = order.payment_intent_id.clone().filter(|_| {
        matches!(
            status,
            OrderStatus::Paid
                | OrderStatus::Processing
                | OrderStatus::Fulfilled
                | OrderStatus::Completed
        )
    }) else {
        return Err(ApiError::conflict(format!(
            "Only paid card orders are refunded here; this one is a {} order and {status}.",
            order.payment_method
        )));
    };
    let left = order.total_minor - order.refunded_minor;
    if left <= 0 {
        return Err(ApiError::conflict(
            "This order is refunded in full already.",
        ));
    }
    let amount = body.amount_minor.unwrap_or(left);
    Fields::default()
        .check(
            (1..=left).contains(&amount),
            "amount_minor",
            &format!("must be 1 to {left} (what is left to refund)"),
        )
        .check(
            body.reason
                .as_ref()
                .is_none_or(|r| r.chars().count() <= 500),
            "reason",
            "must be at most 500 characters",
        )
        .finish()?;
    let key = format!(
        "trove:refund:{}:{}:{amount}",
        order.id, order.refunded_minor
    );
    let metadata = BTreeMap::from([("order_id".to_owned(), order.id.to_string())]);
    let refund = stripe(&state)?
        .refund(key, &payment_intent, amount, metadata)
        .await?;
    let actor = super::orders::actor(&access);
    let txn = trove_data_access::begin_write(&state.db).await?;
    let order = orders::find_any(&txn, order.id)
        .await?
        .ok_or_else(not_found)?;
    let row = refunds::record(
        &txn,
        &order,
        StripeRefund {
            id: refund.id,
            amount_minor: refund.amount_minor,
            status: refund.status,
            reason: body.reason,
        },
        &actor,
    )
    .await?;
    refunds::reconcile(&txn, order, None, &actor).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(RefundView::from(row)))
}

/// The order's refunds, oldest first.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = [RefundView]),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/orders/{order_id}/refunds")]
pub async fn list_refunds(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Vec<RefundView>>, ApiError> {
    let order = orders::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(not_found)?
        .order;
    let rows = refunds::of_order(&state.db, order.id).await?;
    Ok(web::Json(rows.into_iter().map(RefundView::from).collect()))
}
