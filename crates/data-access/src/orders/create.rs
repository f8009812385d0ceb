//! Storing a new order: the order row, its lines and its recipients (in the caller's
//! transaction), with the first event of its log.

use super::{OrderDetail, append_event};
use crate::entities::order;
use crate::entities::order_line;
use crate::entities::order_recipient::{self, Entity as Recipients};
use crate::jobs::now;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use trove_domain::ids::{OrderId, VendorId};
use trove_domain::order::{Breakdown, OrderStatus, RecipientStatus};
use trove_domain::storefront::DeliveryMethod;

#[derive(Debug, Clone)]
pub struct NewLine {
    pub product_id: uuid::Uuid,
    pub variant_id: uuid::Uuid,
    pub sku: String,
    pub title: String,
    pub unit_price_minor: i64,
    pub quantity: u32,
    pub customisation_json: String,
}

#[derive(Debug, Clone)]
pub struct NewRecipient {
    pub name: String,
    pub email: String,
    pub address_json: Option<String>,
    pub zone_id: Option<uuid::Uuid>,
    pub shipping_minor: i64,
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    pub send_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub vendor: VendorId,
    pub storefront_id: uuid::Uuid,
    pub customer_email: String,
    pub customer_name: String,
    pub payment_method: String,
    pub fee_basis_points: u32,
    pub breakdown: Breakdown,
    /// Each recipient chooses up to this amount; `lines` is then empty.
    pub budget_minor: Option<i64>,
    pub lines: Vec<NewLine>,
    pub recipients: Vec<NewRecipient>,
    /// A card order's PaymentIntent, created before the order is stored.
    pub payment_intent_id: Option<String>,
}

fn position(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

/// Inserts a `created` order with its lines and `pending` recipients, and its first event:
/// four statements however many lines (and one more per 500 recipients), none reading
/// back what it wrote.
pub async fn create(
    db: &impl ConnectionTrait,
    id: OrderId,
    new: NewOrder,
    actor: &str,
) -> Result<OrderDetail, DbErr> {
    let at = now();
    let breakdown = new.breakdown;
    let order = order::Model {
        id: id.as_uuid(),
        vendor_id: new.vendor.as_uuid(),
        storefront_id: new.storefront_id,
        customer_email: new.customer_email,
        customer_name: new.customer_name,
        status: OrderStatus::Created,
        payment_method: new.payment_method,
        currency: breakdown.currency.to_string(),
        items_per_recipient_minor: breakdown.items_per_recipient_minor,
        items_minor: breakdown.items_minor,
        shipping_minor: breakdown.shipping_minor,
        fee_basis_points: i32::try_from(new.fee_basis_points).unwrap_or(i32::MAX),
        platform_fee_minor: breakdown.platform_fee_minor,
        fee_charged_minor: breakdown.fee_charged_to_shopper_minor,
        total_minor: breakdown.total_minor,
        budget_minor: new.budget_minor,
        created_at: at,
        updated_at: at,
        paid_at: None,
        payment_intent_id: new.payment_intent_id,
        payment_failure: None,
        refunded_minor: 0,
        fee_refunded_minor: 0,
    };
    order::Entity::insert(order::ActiveModel::from(order.clone()))
        .exec_without_returning(db)
        .await?;
    let lines: Vec<order_line::Model> = new
        .lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| order_line::Model {
            id: uuid::Uuid::now_v7(),
            order_id: order.id,
            product_id: line.product_id,
            variant_id: line.variant_id,
            sku: line.sku,
            title: line.title,
            unit_price_minor: line.unit_price_minor,
            quantity: i32::try_from(line.quantity).unwrap_or(i32::MAX),
            customisation: line.customisation_json,
            position: position(index),
        })
        .collect();
    if !lines.is_empty() {
        order_line::Entity::insert_many(lines.iter().cloned().map(order_line::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
    }
    // Recipients go in batches: a bulk order has thousands.
    let recipients: Vec<order_recipient::Model> = new
        .recipients
        .into_iter()
        .enumerate()
        .map(|(index, recipient)| order_recipient::Model {
            id: uuid::Uuid::now_v7(),
            order_id: order.id,
            vendor_id: new.vendor.as_uuid(),
            name: recipient.name,
            email: recipient.email,
            address: recipient.address_json,
            zone_id: recipient.zone_id,
            shipping_minor: recipient.shipping_minor,
            delivery_method: recipient.delivery_method,
            delivery_note: recipient.delivery_note,
            send_on: recipient.send_on,
            status: RecipientStatus::Pending,
            code_hash: None,
            code_expires_at: None,
            tracking: None,
            cart: None,
            position: position(index),
            updated_at: at,
        })
        .collect();
    for batch in recipients.chunks(500) {
        Recipients::insert_many(
            batch
                .iter()
                .cloned()
                .map(order_recipient::ActiveModel::from),
        )
        .exec_without_returning(db)
        .await?;
    }
    append_event(
        db,
        order.id,
        None,
        actor,
        None,
        OrderStatus::Created.as_str(),
        None,
    )
    .await?;
    Ok(OrderDetail {
        order,
        lines,
        recipients,
    })
}
