//! How an order reads in answers: the list summary, the detail with lines and
//! recipients, and the event log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use trove_data_access::entities::{order, order_event, order_recipient};
use trove_data_access::orders::OrderDetail;
use trove_domain::order::{OrderStatus, RecipientStatus, payment_reference};
use trove_domain::storefront::DeliveryMethod;
use utoipa::ToSchema;
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
