//! A vendor's orders: list (filter by status, search by customer), detail, the event log,
//! status changes (mark a bank-transfer order paid, cancel an unpaid one, move it on), and
//! tracking per recipient. Every change appends an event with who made it.
//!
//! The changes themselves are use cases of `trove_app::orders` (marking paid starts
//! fulfilment through its events); these handlers check the input and map the answer.
//! An expired gift can be reissued with a new code.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::{Fields, paging};
use crate::views::order::{EventView, OrderSummary, OrderView, RecipientView};
use actix_web::{get, post, put, web};
use serde::{Deserialize, Serialize};
use trove_data_access::orders::{self, OrderFilter};
use trove_domain::ids::{OrderId, RecipientId};
use trove_domain::order::OrderStatus;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    #[param(schema_with = crate::openapi::rules::order_status)]
    pub status: Option<String>,
    /// Part of the customer's email or name.
    pub q: Option<String>,
    pub page: Option<u64>,
    /// 1–100 (default 20).
    pub per_page: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusChange {
    /// `paid` (bank transfer received), `cancelled` (unpaid only), `processing`,
    /// `fulfilled`, `completed` or `refunded`.
    #[schema(schema_with = crate::openapi::rules::order_status)]
    pub status: String,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingBody {
    /// Carrier and tracking number or URL; moves a pushed recipient to `shipped`.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub tracking: String,
}

/// The vendor's orders, newest first.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), OrderListQuery),
    responses(
        (status = 200, description = "OK.", body = OrderPage),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Unknown status or bad paging.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    access: VendorAccess,
    query: web::Query<OrderListQuery>,
) -> Result<web::Json<OrderPage>, ApiError> {
    let query = query.into_inner();
    let status = query.status.as_deref().map(str::parse::<OrderStatus>);
    let mut fields = Fields::default();
    fields.check(
        status.as_ref().is_none_or(Result::is_ok),
        "status",
        "must be an order status",
    );
    let (page, per_page) = paging(&mut fields, query.page, query.per_page)?;
    let filter = OrderFilter {
        status: status.and_then(Result::ok),
        search: query.q.filter(|q| !q.trim().is_empty()),
    };
    let (rows, total) =
        orders::list(&state.db, access.vendor_id(), &filter, page, per_page).await?;
    Ok(web::Json(OrderPage {
        items: rows.into_iter().map(OrderSummary::from).collect(),
        page,
        per_page,
        total,
    }))
}

/// One order with its lines and recipients.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = OrderView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/orders/{order_id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<OrderView>, ApiError> {
    let detail = orders::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("order"))?;
    Ok(web::Json(detail.into()))
}

/// Every status change of the order and its recipients, oldest first.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = Vec<EventView>),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/orders/{order_id}/events")]
pub async fn list_order_events(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Vec<EventView>>, ApiError> {
    let detail = orders::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("order"))?;
    let events = orders::events(&state.db, detail.order.id).await?;
    Ok(web::Json(events.into_iter().map(EventView::from).collect()))
}

/// Moves an order on; illegal moves are 409 with the allowed ones.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path)),
    request_body = OrderStatusChange,
    responses(
        (status = 200, description = "OK.", body = OrderView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Not allowed from the current status (`details.allowed`), or a card order marked paid by hand.", body = ErrorBody),
        (status = 422, description = "Unknown status.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/orders/{order_id}/status")]
pub async fn change_order_status(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<OrderStatusChange>,
) -> Result<web::Json<OrderView>, ApiError> {
    let body = body.into_inner();
    let to = body.status.parse::<OrderStatus>();
    Fields::default()
        .check(to.is_ok(), "status", "must be an order status")
        .check(
            body.note.as_ref().is_none_or(|n| n.chars().count() <= 500),
            "note",
            "must be at most 500 characters",
        )
        .finish()?;
    let to = to.map_err(ApiError::internal)?;
    let vendor = access.vendor_id();
    let order_id = OrderId::from(path.1);
    trove_app::orders::change_status(&state.app, vendor, order_id, to, &access.actor(), body.note)
        .await?;
    let detail = orders::find(&state.db, vendor, path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("order"))?;
    Ok(web::Json(detail.into()))
}

/// Gives a link gift a new code: the old code stops working. For a gift that expired (or
/// whose code ran out), on a paid order.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path), ("recipient_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Reissued: scheduled again; an email link goes out now, a create link is emailed to the customer.", body = RecipientView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Not a link gift, or it has not expired.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/orders/{order_id}/recipients/{recipient_id}/reissue")]
pub async fn reissue_gift(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<web::Json<RecipientView>, ApiError> {
    let (_, order_id, recipient_id) = path.into_inner();
    let recipient = trove_app::orders::reissue_gift(
        &state.app,
        access.vendor_id(),
        OrderId::from(order_id),
        RecipientId::from(recipient_id),
        &access.actor(),
    )
    .await?;
    Ok(web::Json(recipient.into()))
}

/// Records a recipient's tracking; a pushed recipient becomes `shipped`.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("order_id" = Uuid, Path), ("recipient_id" = Uuid, Path)),
    request_body = TrackingBody,
    responses(
        (status = 200, description = "OK.", body = RecipientView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "The recipient's shipment has not been pushed yet.", body = ErrorBody),
        (status = 422, description = "Empty or too long.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/orders/{order_id}/recipients/{recipient_id}/tracking")]
pub async fn set_tracking(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: web::Json<TrackingBody>,
) -> Result<web::Json<RecipientView>, ApiError> {
    let tracking = body.into_inner().tracking.trim().to_owned();
    Fields::default()
        .check(
            (1..=500).contains(&tracking.chars().count()),
            "tracking",
            "must be 1 to 500 characters",
        )
        .finish()?;
    let (_, order_id, recipient_id) = path.into_inner();
    let recipient = trove_app::orders::set_tracking(
        &state.app,
        access.vendor_id(),
        OrderId::from(order_id),
        RecipientId::from(recipient_id),
        tracking,
        &access.actor(),
    )
    .await?;
    Ok(web::Json(recipient.into()))
}
