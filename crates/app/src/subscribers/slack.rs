//! The vendor's Slack hears of every paid order, when the vendor set a webhook.

use crate::events::DomainEvent;
use sea_orm::{ConnectionTrait, DbErr};
use trove_data_access::{jobs, vendors};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, NotifySlack};
use trove_domain::order::payment_reference;

pub(super) async fn on(db: &impl ConnectionTrait, event: &DomainEvent) -> Result<(), DbErr> {
    let DomainEvent::OrderPaid(paid) = event else {
        return Ok(());
    };
    let vendor = vendors::find(db, paid.vendor_id).await?;
    if vendor.is_none_or(|vendor| vendor.slack_webhook_url.is_none()) {
        return Ok(());
    }
    let slack = JobPayload::NotifySlack(NotifySlack {
        v: 1,
        vendor_id: paid.vendor_id.as_uuid(),
        text: format!(
            "New paid order {} for {} recipient(s).",
            payment_reference(paid.order_id.as_uuid()),
            paid.recipients
        ),
    });
    jobs::enqueue(db, JobId::new(), &slack, jobs::now()).await?;
    Ok(())
}
