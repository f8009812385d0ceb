//! Refunds of paid card orders, whole or in part, by the vendor's owner. Stripe gives the
//! platform fee back in proportion (`refund_application_fee`) and pulls the amount back
//! from the vendor's account (`reverse_transfer`).
//!
//! The Stripe request is keyed by the order, what it had refunded before and the amount:
//! a retry after a lost answer returns Stripe's first refund instead of refunding twice,
//! while a second refund of the same amount (after the first was recorded) is a new one.
//! Stripe is called with no transaction open; the refund is then recorded and the order's
//! totals reconciled in one unit of work, which raises `OrderRefunded`. The
//! `charge.refunded` webhook reconciles again from Stripe's side.

use crate::events::{DomainEvent, OrderRefunded};
use crate::{App, AppError, Fields, UnitOfWork};
use serde::Deserialize;
use std::collections::BTreeMap;
use trove_data_access::entities::order_refund;
use trove_data_access::orders;
use trove_data_access::refunds::{self, StripeRefund};
use trove_domain::ids::{OrderId, VendorId};
use trove_domain::order::OrderStatus;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    /// What to refund; everything not yet refunded when absent.
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub amount_minor: Option<i64>,
    /// Shown in the order's history, up to 500 characters.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// Refunds `order_id` of `vendor` as `actor` and returns the recorded refund.
pub async fn refund(
    app: &App,
    vendor: VendorId,
    order_id: OrderId,
    request: NewRefund,
    actor: &str,
) -> Result<order_refund::Model, AppError> {
    let order = orders::find(&app.db, vendor, order_id.as_uuid())
        .await?
        .ok_or_else(|| AppError::no_such("order"))?
        .order;
    let status = order.status;
    let refundable = matches!(
        status,
        OrderStatus::Paid
            | OrderStatus::Processing
            | OrderStatus::Fulfilled
            | OrderStatus::Completed
    );
    let Some(payment_intent) = order.payment_intent_id.clone().filter(|_| refundable) else {
        return Err(AppError::conflict(
            "conflict",
            format!(
                "Only paid card orders are refunded here; this one is a {} order and {status}.",
                order.payment_method
            ),
        ));
    };
    let left = order.total_minor - order.refunded_minor;
    if left <= 0 {
        return Err(AppError::conflict(
            "conflict",
            "This order is refunded in full already.",
        ));
    }
    let amount = request.amount_minor.unwrap_or(left);
    Fields::default()
        .check(
            (1..=left).contains(&amount),
            "amount_minor",
            &format!("must be 1 to {left} (what is left to refund)"),
        )
        .check(
            request
                .reason
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
    let refund = app
        .stripe()?
        .refund(key, &payment_intent, amount, metadata)
        .await?;
    let mut uow = UnitOfWork::begin(app).await?;
    let order = orders::find_any(&*uow, order.id)
        .await?
        .ok_or_else(|| AppError::no_such("order"))?;
    let stripe_refund = StripeRefund {
        id: refund.id,
        amount_minor: refund.amount_minor,
        status: refund.status,
        reason: request.reason,
    };
    let row = refunds::record(&*uow, &order, stripe_refund, actor).await?;
    let order = refunds::reconcile(&*uow, order, None, actor).await?;
    uow.emit(DomainEvent::OrderRefunded(OrderRefunded {
        order_id,
        vendor_id: vendor,
        refunded_minor: order.refunded_minor,
        fee_refunded_minor: order.fee_refunded_minor,
        currency: order.currency.clone(),
    }));
    uow.commit(app).await?;
    Ok(row)
}
