//! Refunds of paid card orders, by the vendor's owner: `trove_app::orders::refund` calls
//! Stripe (keyed so a retry cannot refund twice) and records the result; staff may read
//! the list.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use trove_app::orders::NewRefund;
use trove_data_access::entities::order_refund;
use trove_data_access::{orders, refunds};
use trove_domain::ids::OrderId;
use utoipa::ToSchema;
use uuid::Uuid;

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
    let vendor = access.vendor_id();
    let order_id = OrderId::from(path.1);
    let actor = access.actor();
    let row =
        trove_app::orders::refund(&state.app, vendor, order_id, body.into_inner(), &actor).await?;
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
        .ok_or_else(|| ApiError::no_such("order"))?
        .order;
    let rows = refunds::of_order(&state.db, order.id).await?;
    Ok(web::Json(rows.into_iter().map(RefundView::from).collect()))
}
