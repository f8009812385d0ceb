//! Payments and what follows them, shared by the API (a vendor marks a bank transfer paid, a
//! shopper's card confirmation) and the worker (Stripe's `payment_intent.succeeded`).
//!
//! `mark_paid` moves a `created` order to `paid` with a compare-and-set, so whichever
//! caller comes first does the work and every later one finds it done. In the caller's
//! transaction: the vendor's Slack hears of it; every `deliver_direct` recipient is ready
//! to ship (`address_confirmed`, `push_order` queued); every link gift gets its redemption
//! code and is `scheduled` (an `email_link` gift's `send_gift` job runs on its send date;
//! the customer is emailed the `create_link` links to hand out).
//!
//! Codes are 32 random bytes (base64url, 43 characters), so one cannot be guessed; only
//! their hash is stored.

use crate::entities::{order, order_recipient};
use crate::{gifts, jobs, orders, vendors};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveDateTime};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::BTreeMap;
use trove_bootstrap::settings::OrderSettings;
use trove_domain::ids::{JobId, VendorId};
use trove_domain::job::{JobPayload, NotifySlack, PushOrder, SendEmail, SendGift};
use trove_domain::order::{OrderStatus, RecipientStatus, payment_reference};

/// Moves `order` from `created` to `paid` and starts fulfilment. `None` when it was not
/// `created` any more (already paid by a concurrent caller, or cancelled): nothing done.
pub async fn mark_paid(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    order: order::Model,
    actor: &str,
    note: Option<String>,
) -> Result<Option<order::Model>, DbErr> {
    if order.status != OrderStatus::Created.as_str() {
        return Ok(None);
    }
    let Some(order) = orders::set_status(db, order, OrderStatus::Paid, actor, note).await? else {
        return Ok(None);
    };
    let recipients = orders::recipients_of(db, order.id).await?;
    on_paid(db, settings, &order, &recipients).await?;
    Ok(Some(order))
}

async fn on_paid(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    order: &order::Model,
    recipients: &[order_recipient::Model],
) -> Result<(), DbErr> {
    let vendor = vendors::find(db, VendorId::from(order.vendor_id)).await?;
    if vendor.is_some_and(|vendor| vendor.slack_webhook_url.is_some()) {
        let slack = JobPayload::NotifySlack(NotifySlack {
            v: 1,
            vendor_id: order.vendor_id,
            text: format!(
                "New paid order {} for {} recipient(s).",
                payment_reference(order.id),
                recipients.len()
            ),
        });
        jobs::enqueue(db, JobId::new(), &slack, jobs::now()).await?;
    }
    let mut handed_out = Vec::new();
    for recipient in recipients {
        match recipient.delivery_method.as_str() {
            "deliver_direct" => {
                let recipient = orders::set_recipient_status(
                    db,
                    recipient.clone(),
                    RecipientStatus::AddressConfirmed,
                    "system",
                    Some("paid; address given at checkout".into()),
                )
                .await?;
                push(db, &recipient).await?;
            }
            method => {
                let (recipient, code) =
                    issue_code(db, settings, recipient.clone(), "system", None).await?;
                if method == "create_link" {
                    handed_out.push((recipient.name, code));
                }
            }
        }
    }
    if !handed_out.is_empty() {
        email_links(db, settings, order, &handed_out).await?;
    }
    Ok(())
}

/// Queues the shipment of a recipient whose address is confirmed.
pub async fn push(
    db: &impl ConnectionTrait,
    recipient: &order_recipient::Model,
) -> Result<(), DbErr> {
    let push = JobPayload::PushOrder(PushOrder {
        v: 1,
        order_id: recipient.order_id,
        recipient_id: recipient.id,
    });
    jobs::enqueue(db, JobId::new(), &push, jobs::now()).await?;
    Ok(())
}

/// Emails the customer the `create_link` gift links (recipient name, code) to hand out.
pub async fn email_links(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    order: &order::Model,
    links: &[(String, String)],
) -> Result<(), DbErr> {
    let list = links
        .iter()
        .map(|(name, code)| format!("{name}: {}", gift_link(settings, code)))
        .collect::<Vec<_>>()
        .join("\n");
    let email = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: order.customer_email.clone(),
        template: "gift_links".into(),
        vendor_id: Some(order.vendor_id),
        vars: BTreeMap::from([
            ("customer_name".to_owned(), order.customer_name.clone()),
            ("payment_reference".to_owned(), payment_reference(order.id)),
            ("links".to_owned(), list),
        ]),
    });
    jobs::enqueue(db, JobId::new(), &email, jobs::now()).await?;
    Ok(())
}

/// A fresh redemption code.
fn new_code() -> Result<String, DbErr> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| DbErr::Custom("no randomness".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// When a gift sent on `send_on` stops working.
fn expiry(send_on: NaiveDate, settings: &OrderSettings) -> NaiveDateTime {
    let end_of_send_day = send_on.and_hms_opt(23, 59, 59).unwrap_or_default();
    end_of_send_day + chrono::Duration::days(i64::from(settings.redemption_days))
}

/// The link a recipient opens.
pub fn gift_link(settings: &OrderSettings, code: &str) -> String {
    format!("{}/{code}", settings.redeem_url.trim_end_matches('/'))
}

/// Gives `recipient` a new code (the old one dies), moves it to `scheduled` and, for an
/// `email_link` gift, queues its `send_gift` job for the send date. Returns the code.
pub async fn issue_code(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    recipient: order_recipient::Model,
    actor: &str,
    note: Option<String>,
) -> Result<(order_recipient::Model, String), DbErr> {
    let code = new_code()?;
    let now = jobs::now();
    let send_on = recipient.send_on.unwrap_or_else(|| now.date());
    let recipient = gifts::issue_code(
        db,
        recipient,
        gifts::code_hash(&code),
        expiry(send_on, settings),
        actor,
        note,
    )
    .await?;
    if recipient.delivery_method == "email_link" {
        let run_at = send_on.and_hms_opt(0, 0, 0).unwrap_or(now).max(now);
        let job = JobPayload::SendGift(SendGift {
            v: 1,
            order_id: recipient.order_id,
            recipient_id: recipient.id,
            code: code.clone(),
        });
        jobs::enqueue(db, JobId::new(), &job, run_at).await?;
    }
    Ok((recipient, code))
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
pub async fn apply_payment_intent(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    order: order::Model,
    report: &IntentReport<'_>,
    actor: &str,
) -> Result<(order::Model, PaymentOutcome), DbErr> {
    match report.status {
        "succeeded" => {
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
            let order = orders::set_payment_failure(db, order, None, actor).await?;
            let note = Some(format!("card payment {}", report.id));
            match mark_paid(db, settings, order, actor, note).await? {
                Some(paid) => Ok((paid, PaymentOutcome::Paid)),
                None => {
                    let order = orders::find_any(db, id)
                        .await?
                        .ok_or_else(|| DbErr::RecordNotFound(id.to_string()))?;
                    if order.status != OrderStatus::Cancelled.as_str() {
                        return Ok((order, PaymentOutcome::AlreadySettled));
                    }
                    tracing::error!(order_id = %id, payment_intent = report.id, "a cancelled order was paid");
                    let note = format!(
                        "card payment {} succeeded after the order was cancelled: refund it in Stripe",
                        report.id
                    );
                    let status = order.status.as_str();
                    orders::append_event(db, id, None, actor, Some(status), status, Some(note))
                        .await?;
                    Ok((order, PaymentOutcome::PaidWhileCancelled))
                }
            }
        }
        _ => match report.last_error {
            Some(reason) if order.status == OrderStatus::Created.as_str() => {
                let reason: String = reason.chars().take(500).collect();
                let order = orders::set_payment_failure(db, order, Some(reason), actor).await?;
                Ok((order, PaymentOutcome::Failed))
            }
            _ => Ok((order, PaymentOutcome::Pending)),
        },
    }
}
