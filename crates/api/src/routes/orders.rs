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
use actix_web::{get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use trove_data_access::entities::{order, order_event, order_recipient};
use trove_data_access::orders::{self, OrderDetail, OrderFilter};
use trove_domain::ids::{OrderId, RecipientId};
use trove_domain::order::{OrderStatus, RecipientStatus, payment_reference};
use trove_domain::storefront::DeliveryMethod;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSummary {
    pub id: Uuid,
    pub storefront_id: Uuid,
    pub customer_email: String,
    pub customer_name: String,
    #[schema(value_type = String)]
    pub status: OrderStatus,
    pub payment_method: String,
    pub currency: String,
    pub total_minor: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

impl From<order::Model> for OrderSummary {
    fn from(row: order::Model) -> Self {
        Self {
            id: row.id,
            storefront_id: row.storefront_id,
            customer_email: row.customer_email,
            customer_name: row.customer_name,
            status: row.status,
            payment_method: row.payment_method,
            currency: row.currency,
            total_minor: row.total_minor,
            created_at: row.created_at.and_utc(),
            paid_at: row.paid_at.map(|at| at.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub product_id: Uuid,
    pub variant_id: Uuid,
    pub sku: String,
    pub title: String,
    pub unit_price_minor: i64,
    pub quantity: i32,
    pub customisation: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub address: Option<serde_json::Value>,
    #[schema(value_type = String)]
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    pub send_on: Option<NaiveDate>,
    pub shipping_minor: i64,
    /// `pending`, `scheduled`, `link_sent`, `redeemed`, `address_confirmed`, `pushed`,
    /// `shipped`, `delivered` or `expired`.
    #[schema(value_type = String)]
    pub status: RecipientStatus,
    pub tracking: Option<String>,
}

impl From<order_recipient::Model> for RecipientView {
    fn from(row: order_recipient::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            email: row.email,
            address: row
                .address
                .and_then(|address| serde_json::from_str(&address).ok()),
            delivery_method: row.delivery_method,
            delivery_note: row.delivery_note,
            send_on: row.send_on,
            shipping_minor: row.shipping_minor,
            status: row.status,
            tracking: row.tracking,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    #[serde(flatten)]
    pub summary: OrderSummary,
    pub items_per_recipient_minor: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub platform_fee_minor: i64,
    pub fee_charged_minor: i64,
    pub payment_reference: String,
    /// The Stripe PaymentIntent of a card order.
    pub payment_intent_id: Option<String>,
    /// Why the last card payment attempt failed, if it did.
    pub payment_failure: Option<String>,
    /// Refunded to the customer so far.
    pub refunded_minor: i64,
    /// The part of the platform fee given back with those refunds.
    pub fee_refunded_minor: i64,
    pub lines: Vec<LineView>,
    pub recipients: Vec<RecipientView>,
}

impl From<OrderDetail> for OrderView {
    fn from(detail: OrderDetail) -> Self {
        let order = detail.order;
        Self {
            items_per_recipient_minor: order.items_per_recipient_minor,
            items_minor: order.items_minor,
            shipping_minor: order.shipping_minor,
            platform_fee_minor: order.platform_fee_minor,
            fee_charged_minor: order.fee_charged_minor,
            payment_reference: payment_reference(order.id),
            payment_intent_id: order.payment_intent_id.clone(),
            payment_failure: order.payment_failure.clone(),
            refunded_minor: order.refunded_minor,
            fee_refunded_minor: order.fee_refunded_minor,
            lines: detail
                .lines
                .into_iter()
                .map(|line| LineView {
                    product_id: line.product_id,
                    variant_id: line.variant_id,
                    sku: line.sku,
                    title: line.title,
                    unit_price_minor: line.unit_price_minor,
                    quantity: line.quantity,
                    customisation: serde_json::from_str(&line.customisation).unwrap_or_default(),
                })
                .collect(),
            recipients: detail
                .recipients
                .into_iter()
                .map(RecipientView::from)
                .collect(),
            summary: order.into(),
        }
    }
}

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
    pub status: Option<String>,
    /// Part of the customer's email or name.
    pub q: Option<String>,
    pub page: Option<u64>,
    /// 1–100 (default 20).
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub recipient_id: Option<Uuid>,
    /// `customer:{email}`, `user:{id}` or `system`.
    pub actor: String,
    pub from: Option<String>,
    pub to: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<order_event::Model> for EventView {
    fn from(row: order_event::Model) -> Self {
        Self {
            recipient_id: row.recipient_id,
            actor: row.actor,
            from: row.from_status,
            to: row.to_status,
            note: row.note,
            at: row.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusChange {
    /// `paid` (bank transfer received), `cancelled` (unpaid only), `processing`,
    /// `fulfilled`, `completed` or `refunded`.
    pub status: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingBody {
    /// Carrier and tracking number or URL; moves a pushed recipient to `shipped`.
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
