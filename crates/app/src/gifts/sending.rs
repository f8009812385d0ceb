//! Sending an `email_link` gift on its send date (the worker's `send_gift` job): the
//! recipient is emailed their link and the gift becomes `link_sent`, in one unit of work.
//! A job whose code was replaced by a reissue, or a gift already sent, does nothing.

use crate::{App, AppError, UnitOfWork};
use trove_data_access::{gifts, jobs, orders};
use trove_domain::email_template::{EmailTemplate, GiftLink};
use trove_domain::ids::{JobId, OrderId, RecipientId, VendorId};
use trove_domain::job::{JobPayload, SendEmail};
use trove_domain::order::RecipientStatus;

/// What a `send_gift` run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// The gift was reissued since: this code is dead.
    CodeReplaced,
    AlreadySent,
}

/// Sends the gift `recipient_id` of `order_id` with `code`. A recipient or order that no
/// longer exists is `AppError::NotFound`.
pub async fn send_gift(
    app: &App,
    order_id: OrderId,
    recipient_id: RecipientId,
    code: &str,
) -> Result<SendOutcome, AppError> {
    let uow = UnitOfWork::begin(app).await?;
    let recipient = orders::find_recipient(&*uow, order_id.as_uuid(), recipient_id.as_uuid())
        .await?
        .ok_or_else(|| AppError::not_found("the recipient no longer exists"))?;
    if recipient.code_hash.as_deref() != Some(gifts::code_hash(code).as_str()) {
        return Ok(SendOutcome::CodeReplaced);
    }
    if recipient.status != RecipientStatus::Scheduled {
        return Ok(SendOutcome::AlreadySent);
    }
    let vendor = VendorId::from(recipient.vendor_id);
    let order = orders::find(&*uow, vendor, recipient.order_id)
        .await?
        .ok_or_else(|| AppError::not_found("the order no longer exists"))?
        .order;
    let expires_on = recipient
        .code_expires_at
        .map(|at| at.date().to_string())
        .unwrap_or_default();
    let email = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: recipient.email.clone(),
        vendor_id: Some(recipient.vendor_id),
        email: EmailTemplate::GiftLink(GiftLink {
            recipient_name: recipient.name.clone(),
            customer_name: order.customer_name,
            link: super::gift_link(&app.orders, code),
            expires_on,
        }),
    });
    orders::set_recipient_status(&*uow, recipient, RecipientStatus::LinkSent, "system", None)
        .await?;
    jobs::enqueue(&*uow, JobId::new(), &email, jobs::now()).await?;
    uow.commit(app).await?;
    Ok(SendOutcome::Sent)
}
