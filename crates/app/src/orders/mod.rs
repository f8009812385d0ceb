//! A vendor's work on an order after checkout: moving its status (marking a bank
//! transfer paid, cancelling, fulfilling), reissuing an expired gift's code, tracking a
//! shipment, refunding a card payment.
//!
//! Policy: the order's legal moves live in `trove_domain::order`; this module applies
//! them with a compare-and-set inside a unit of work and raises the events that follow
//! (`OrderPaid` through `payments`, `OrderCancelled`, `GiftCodesIssued`).

mod refunds;

pub use refunds::{NewRefund, refund};

use crate::events::{DomainEvent, GiftCodesIssued, OrderCancelled};
use crate::{App, AppError, UnitOfWork, gifts, payments};
use trove_data_access::entities::order_recipient;
use trove_data_access::{jobs, orders};
use trove_domain::ids::{OrderId, RecipientId, VendorId};
use trove_domain::order::{OrderStatus, RecipientStatus};
use trove_domain::storefront::DeliveryMethod;

fn illegal(error: trove_domain::order::IllegalTransition) -> AppError {
    AppError::Conflict {
        code: "illegal_transition",
        message: format!("An order cannot go from {} to {}.", error.from, error.to),
        details: Some(serde_json::json!({ "allowed": error.allowed })),
    }
}

/// Moves `order_id` of `vendor` to `to` as `actor`. Marking paid is for bank transfers
/// only (a card pays itself) and starts fulfilment.
pub async fn change_status(
    app: &App,
    vendor: VendorId,
    order_id: OrderId,
    to: OrderStatus,
    actor: &str,
    note: Option<String>,
) -> Result<(), AppError> {
    let mut uow = UnitOfWork::begin(app).await?;
    let detail = orders::find(&*uow, vendor, order_id.as_uuid())
        .await?
        .ok_or_else(|| AppError::no_such("order"))?;
    let from = detail.order.status;
    from.transition(to).map_err(illegal)?;
    if to == OrderStatus::Paid && detail.order.payment_method != "bank_transfer" {
        return Err(AppError::conflict(
            "conflict",
            "Only bank-transfer orders are marked paid by hand; card payments confirm themselves.",
        ));
    }
    let changed = if to == OrderStatus::Paid {
        payments::mark_paid(&mut uow, app, detail.order, actor, note).await?
    } else {
        orders::set_status(&*uow, detail.order, to, actor, note).await?
    };
    changed.ok_or_else(|| {
        AppError::conflict("conflict", "The order changed meanwhile; read it again.")
    })?;
    if to == OrderStatus::Cancelled {
        uow.emit(DomainEvent::OrderCancelled(OrderCancelled {
            order_id,
            vendor_id: vendor,
        }));
    }
    uow.commit(app).await?;
    Ok(())
}

/// Gives an expired link gift a new code: the old one stops working, the gift is
/// `scheduled` again and goes out (or to the customer) through `GiftCodesIssued`.
pub async fn reissue_gift(
    app: &App,
    vendor: VendorId,
    order_id: OrderId,
    recipient_id: RecipientId,
    actor: &str,
) -> Result<order_recipient::Model, AppError> {
    let mut uow = UnitOfWork::begin(app).await?;
    let detail = orders::find(&*uow, vendor, order_id.as_uuid())
        .await?
        .ok_or_else(|| AppError::no_such("order"))?;
    let recipient = detail
        .recipients
        .into_iter()
        .find(|recipient| recipient.id == recipient_id.as_uuid())
        .ok_or_else(|| AppError::no_such("recipient"))?;
    if recipient.delivery_method == DeliveryMethod::DeliverDirect {
        return Err(AppError::conflict(
            "conflict",
            "Only link gifts have codes to reissue.",
        ));
    }
    let status = recipient.status;
    let ran_out = recipient
        .code_expires_at
        .is_some_and(|expires| expires < jobs::now());
    let mut recipient = match status {
        RecipientStatus::Expired => recipient,
        RecipientStatus::Scheduled | RecipientStatus::LinkSent if ran_out => {
            orders::set_recipient_status(&*uow, recipient, RecipientStatus::Expired, "system", None)
                .await?
        }
        _ => {
            return Err(AppError::conflict(
                "conflict",
                format!(
                    "The gift is {status} and its code still works; only expired gifts are reissued."
                ),
            ));
        }
    };
    let today = jobs::now().date();
    if recipient.send_on.is_some_and(|date| date < today) {
        recipient.send_on = Some(today);
    }
    let note = Some("reissued; the previous code no longer works".into());
    let (recipient, code) = gifts::codes::issue(&*uow, &app.orders, recipient, actor, note).await?;
    uow.emit(DomainEvent::GiftCodesIssued(GiftCodesIssued {
        order_id,
        vendor_id: vendor,
        customer_name: detail.order.customer_name,
        customer_email: detail.order.customer_email,
        codes: vec![code],
    }));
    uow.commit(app).await?;
    Ok(recipient)
}

/// Records a recipient's tracking; a pushed recipient becomes `shipped`.
pub async fn set_tracking(
    app: &App,
    vendor: VendorId,
    order_id: OrderId,
    recipient_id: RecipientId,
    tracking: String,
    actor: &str,
) -> Result<order_recipient::Model, AppError> {
    let uow = UnitOfWork::begin(app).await?;
    let recipient = orders::find(&*uow, vendor, order_id.as_uuid())
        .await?
        .ok_or_else(|| AppError::no_such("order"))?
        .recipients
        .into_iter()
        .find(|recipient| recipient.id == recipient_id.as_uuid())
        .ok_or_else(|| AppError::no_such("recipient"))?;
    let status = recipient.status;
    if !matches!(status, RecipientStatus::Pushed | RecipientStatus::Shipped) {
        return Err(AppError::conflict(
            "conflict",
            format!("The shipment is {status}; tracking is added once it has been pushed."),
        ));
    }
    let recipient = orders::set_tracking(&*uow, recipient, tracking).await?;
    let recipient = if status == RecipientStatus::Pushed {
        orders::set_recipient_status(&*uow, recipient, RecipientStatus::Shipped, actor, None)
            .await?
    } else {
        recipient
    };
    uow.commit(app).await?;
    Ok(recipient)
}
