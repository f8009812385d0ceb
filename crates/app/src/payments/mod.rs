//! Getting paid: marking an order paid (a vendor for a bank transfer, Stripe for a card)
//! and everything that follows, once.
//!
//! `mark_paid` moves a `created` order to `paid` with a compare-and-set, so whichever
//! caller comes first does the work and every later one finds it done. It raises
//! `OrderPaid`, then per recipient either `RecipientReady` (a `deliver_direct` recipient
//! whose address came with the order) or a fresh code in one `GiftCodesIssued` (link
//! gifts, now `scheduled`); the subscribers decide what that means for Slack, shipping
//! and email.

mod card_confirmation;

pub use card_confirmation::{CardPaymentStatus, confirm_card_payment};
pub mod connect;
pub mod payouts;
pub mod stripe_events;
pub mod webhook;
pub use stripe_events::apply_stored_event;

use crate::events::{DomainEvent, GiftCodesIssued, OrderPaid, RecipientReady};
use crate::{App, AppError, UnitOfWork, gifts};
use sea_orm::DbErr;
use trove_data_access::entities::order;
use trove_data_access::orders;
use trove_domain::ids::{OrderId, RecipientId, VendorId};
use trove_domain::order::{OrderStatus, RecipientStatus};
use trove_domain::storefront::DeliveryMethod;

/// The answer when a vendor has no Stripe account to act on.
pub fn not_connected() -> AppError {
    AppError::conflict(
        "not_connected",
        "This vendor has no Stripe account connected.",
    )
}

/// Moves `order` from `created` to `paid` and starts fulfilment. `None` when it was not
/// `created` any more (already paid by a concurrent caller, or cancelled): nothing done.
pub(crate) async fn mark_paid(
    uow: &mut UnitOfWork,
    app: &App,
    order: order::Model,
    actor: &str,
    note: Option<String>,
) -> Result<Option<order::Model>, DbErr> {
    if order.status != OrderStatus::Created {
        return Ok(None);
    }
    let Some(order) = orders::set_status(&**uow, order, OrderStatus::Paid, actor, note).await?
    else {
        return Ok(None);
    };
    let order_id = OrderId::from(order.id);
    let vendor_id = VendorId::from(order.vendor_id);
    let recipients = orders::recipients_of(&**uow, order.id).await?;
    uow.emit(DomainEvent::OrderPaid(OrderPaid {
        order_id,
        vendor_id,
        total_minor: order.total_minor,
        currency: order.currency.clone(),
        recipients: recipients.len(),
    }));
    let mut codes = Vec::new();
    for recipient in recipients {
        if recipient.delivery_method == DeliveryMethod::DeliverDirect {
            let recipient = orders::set_recipient_status(
                &**uow,
                recipient,
                RecipientStatus::AddressConfirmed,
                "system",
                Some("paid; address given at checkout".into()),
            )
            .await?;
            uow.emit(DomainEvent::RecipientReady(RecipientReady {
                order_id,
                recipient_id: RecipientId::from(recipient.id),
            }));
        } else {
            let (_, code) =
                gifts::codes::issue(&**uow, &app.orders, recipient, "system", None).await?;
            codes.push(code);
        }
    }
    if !codes.is_empty() {
        uow.emit(DomainEvent::GiftCodesIssued(GiftCodesIssued {
            order_id,
            vendor_id,
            customer_name: order.customer_name.clone(),
            customer_email: order.customer_email.clone(),
            codes,
        }));
    }
    Ok(Some(order))
}

/// What Stripe says about an order's PaymentIntent (from the API or a webhook event).
#[derive(Debug, Clone)]
pub struct IntentReport<'a> {
    pub id: &'a str,
    /// Stripe's status: `succeeded`, `processing`, `requires_payment_method` (a failed
    /// attempt also carries `last_error`)…
    pub status: &'a str,
    pub amount_minor: i64,
    /// ISO 4217, upper case.
    pub currency: &'a str,
    pub last_error: Option<&'a str>,
}

/// What applying a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The order became paid now.
    Paid,
    /// It was paid (or moved on) already: nothing more to do.
    AlreadySettled,
    /// The order was cancelled before the money came in: logged on the order for the
    /// vendor to refund at Stripe.
    PaidWhileCancelled,
    /// The attempt failed; the reason is on the order.
    Failed,
    /// Stripe's amount or currency is not the order's: nothing changed.
    Mismatch,
    /// Still in progress at Stripe.
    Pending,
}

/// Applies a PaymentIntent's state to its order: success marks it paid (once; the
/// compare-and-set makes a second caller find it settled), a failed attempt is recorded.
pub(crate) async fn apply_payment_intent(
    uow: &mut UnitOfWork,
    app: &App,
    order: order::Model,
    report: &IntentReport<'_>,
    actor: &str,
) -> Result<(order::Model, PaymentOutcome), DbErr> {
    if report.status != "succeeded" {
        return match report.last_error {
            Some(reason) if order.status == OrderStatus::Created => {
                let reason: String = reason.chars().take(500).collect();
                let order = orders::set_payment_failure(&**uow, order, Some(reason), actor).await?;
                Ok((order, PaymentOutcome::Failed))
            }
            _ => Ok((order, PaymentOutcome::Pending)),
        };
    }
    if report.amount_minor != order.total_minor || report.currency != order.currency {
        tracing::error!(
            order_id = %order.id,
            payment_intent = report.id,
            amount = report.amount_minor,
            currency = report.currency,
            "the payment does not match its order"
        );
        return Ok((order, PaymentOutcome::Mismatch));
    }
    let id = order.id;
    let order = orders::set_payment_failure(&**uow, order, None, actor).await?;
    let note = Some(format!("card payment {}", report.id));
    if let Some(paid) = mark_paid(uow, app, order, actor, note).await? {
        return Ok((paid, PaymentOutcome::Paid));
    }
    let order = orders::find_any(&**uow, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(id.to_string()))?;
    if order.status != OrderStatus::Cancelled {
        return Ok((order, PaymentOutcome::AlreadySettled));
    }
    tracing::error!(order_id = %id, payment_intent = report.id, "a cancelled order was paid");
    let note = format!(
        "card payment {} succeeded after the order was cancelled: refund it in Stripe",
        report.id
    );
    let status = order.status.as_str();
    orders::append_event(&**uow, id, None, actor, Some(status), status, Some(note)).await?;
    Ok((order, PaymentOutcome::PaidWhileCancelled))
}
