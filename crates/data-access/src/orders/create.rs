//! Storing a new order: the order row, its lines and its recipients (in the caller's
//! transaction), with the first event of its log.

use super::{OrderDetail, append_event};
use crate::entities::order;
use crate::entities::order_line;
use crate::entities::order_recipient::{self, Entity as Recipients};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};
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

/// Inserts a `created` order with its lines and `pending` recipients, and its first event.
pub async fn create(
    db: &impl ConnectionTrait,
    id: OrderId,
    new: NewOrder,
    actor: &str,
) -> Result<OrderDetail, DbErr> {
    let at = now();
    let breakdown = new.breakdown;
    let order = order::ActiveModel {
        id: Set(id.as_uuid()),
        vendor_id: Set(new.vendor.as_uuid()),
        storefront_id: Set(new.storefront_id),
        customer_email: Set(new.customer_email),
        customer_name: Set(new.customer_name),
        status: Set(OrderStatus::Created),
        payment_method: Set(new.payment_method),
        currency: Set(breakdown.currency.to_string()),
        items_per_recipient_minor: Set(breakdown.items_per_recipient_minor),
        items_minor: Set(breakdown.items_minor),
        shipping_minor: Set(breakdown.shipping_minor),
        fee_basis_points: Set(i32::try_from(new.fee_basis_points).unwrap_or(i32::MAX)),
        platform_fee_minor: Set(breakdown.platform_fee_minor),
        fee_charged_minor: Set(breakdown.fee_charged_to_shopper_minor),
        total_minor: Set(breakdown.total_minor),
        budget_minor: Set(new.budget_minor),
        created_at: Set(at),
        updated_at: Set(at),
        paid_at: Set(None),
        payment_intent_id: Set(new.payment_intent_id),
        payment_failure: Set(None),
        refunded_minor: Set(0),
        fee_refunded_minor: Set(0),
    }
    .insert(db)
    .await?;
    let mut lines = Vec::with_capacity(new.lines.len());
    for (index, line) in new.lines.into_iter().enumerate() {
        lines.push(
            order_line::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                order_id: Set(order.id),
                product_id: Set(line.product_id),
                variant_id: Set(line.variant_id),
                sku: Set(line.sku),
                title: Set(line.title),
                unit_price_minor: Set(line.unit_price_minor),
                quantity: Set(i32::try_from(line.quantity).unwrap_or(i32::MAX)),
                customisation: Set(line.customisation_json),
                position: Set(position(index)),
            }
            .insert(db)
            .await?,
        );
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
        .exec(db)
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
