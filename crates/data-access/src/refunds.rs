//! Refunds of card orders. Each Stripe refund is stored once by its Stripe id (the
//! vendor's request and the `charge.refunded` webhook may both report it); the order's
//! `refunded_minor` is what Stripe has refunded on the charge, and `fee_refunded_minor`
//! the platform fee part given back in proportion. A fully refunded order becomes
//! `refunded`.

use crate::entities::order;
use crate::entities::order_refund::{self, Entity as Refunds};
use crate::jobs::now;
use crate::orders;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use trove_domain::order::{OrderStatus, fee_refund};

/// One refund as Stripe reported it.
#[derive(Debug, Clone)]
pub struct StripeRefund {
    pub id: String,
    pub amount_minor: i64,
    pub status: String,
    pub reason: Option<String>,
}

/// Stores `refund` for `order` unless it is known (then only its status changes).
pub async fn record(
    db: &impl ConnectionTrait,
    order: &order::Model,
    refund: StripeRefund,
    actor: &str,
) -> Result<order_refund::Model, DbErr> {
    let existing = Refunds::find()
        .filter(order_refund::Column::StripeRefundId.eq(refund.id.as_str()))
        .one(db)
        .await?;
    if let Some(existing) = existing {
        if existing.status == refund.status {
            return Ok(existing);
        }
        let mut active: order_refund::ActiveModel = existing.into();
        active.status = Set(refund.status);
        active.updated_at = Set(now());
        return active.update(db).await;
    }
    let at = now();
    order_refund::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        order_id: Set(order.id),
        stripe_refund_id: Set(refund.id),
        amount_minor: Set(refund.amount_minor),
        fee_refunded_minor: Set(fee_refund(
            order.platform_fee_minor,
            order.total_minor,
            refund.amount_minor,
        )),
        status: Set(refund.status),
        reason: Set(refund.reason),
        created_by: Set(actor.chars().take(320).collect()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
}

/// The order's refunds, oldest first.
pub async fn of_order(
    db: &impl ConnectionTrait,
    order_id: uuid::Uuid,
) -> Result<Vec<order_refund::Model>, DbErr> {
    Refunds::find()
        .filter(order_refund::Column::OrderId.eq(order_id))
        .order_by_asc(order_refund::Column::CreatedAt)
        .all(db)
        .await
}

/// Brings the order's refund totals up to date: the larger of its live refunds (pending or
/// succeeded) and `charge_refunded` (the charge's `amount_refunded`, when a webhook tells
/// it), never above the total. Logs the change; a whole refund makes the order `refunded`.
pub async fn reconcile(
    db: &impl ConnectionTrait,
    order: order::Model,
    charge_refunded: Option<i64>,
    actor: &str,
) -> Result<order::Model, DbErr> {
    let live: i64 = of_order(db, order.id)
        .await?
        .iter()
        .filter(|refund| matches!(refund.status.as_str(), "pending" | "succeeded"))
        .map(|refund| refund.amount_minor)
        .sum();
    let refunded = live
        .max(charge_refunded.unwrap_or(0))
        .min(order.total_minor);
    if refunded == order.refunded_minor {
        return Ok(order);
    }
    let fee = fee_refund(order.platform_fee_minor, order.total_minor, refunded);
    let status = order.status;
    let (id, currency) = (order.id, order.currency.clone());
    let mut active: order::ActiveModel = order.into();
    active.refunded_minor = Set(refunded);
    active.fee_refunded_minor = Set(fee);
    active.updated_at = Set(now());
    let order = active.update(db).await?;
    let note = format!(
        "refunded {refunded} of {} {currency} minor units; platform fee given back {fee}",
        order.total_minor
    );
    let (from, to) = (Some(status.as_str()), status.as_str());
    orders::append_event(db, id, None, actor, from, to, Some(note)).await?;
    let whole = refunded == order.total_minor;
    match status {
        current if whole && current.transition(OrderStatus::Refunded).is_ok() => {
            let moved =
                orders::set_status(db, order.clone(), OrderStatus::Refunded, actor, None).await?;
            Ok(moved.unwrap_or(order))
        }
        _ => Ok(order),
    }
}
