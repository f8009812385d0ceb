//! `send_gift`: on a gift's send date, emails the recipient their link. In one
//! transaction the recipient moves from `scheduled` to `link_sent` and a `send_email` job
//! is queued (which retries delivery on its own). A job whose code is no longer the
//! recipient's (reissued) or whose recipient already moved on does nothing.

use super::transient;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use trove_data_access::{gifts, jobs, orders};
use trove_domain::ids::{JobId, VendorId};
use trove_domain::job::{JobPayload, SendEmail, SendGift};
use trove_domain::order::RecipientStatus;

#[derive(Debug)]
pub struct SendGiftHandler {
    db: DatabaseConnection,
    redeem_url: String,
}

impl SendGiftHandler {
    pub fn new(db: DatabaseConnection, redeem_url: &str) -> Self {
        Self {
            db,
            redeem_url: redeem_url.trim_end_matches('/').to_owned(),
        }
    }
}

#[async_trait]
impl JobHandler for SendGiftHandler {
    type Payload = SendGift;

    async fn run(&self, _job: JobContext, gift: SendGift) -> Result<(), JobError> {
        let txn = trove_data_access::begin_write(&self.db)
            .await
            .map_err(transient)?;
        let recipient = orders::find_recipient(&txn, gift.order_id, gift.recipient_id)
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the recipient no longer exists".into()))?;
        if recipient.code_hash.as_deref() != Some(gifts::code_hash(&gift.code).as_str()) {
            tracing::info!(recipient = %recipient.id, "the gift was reissued; this code is dead");
            return Ok(());
        }
        if recipient.status != RecipientStatus::Scheduled.as_str() {
            tracing::info!(recipient = %recipient.id, status = %recipient.status, "already sent");
            return Ok(());
        }
        let order = orders::find(
            &txn,
            VendorId::from(recipient.vendor_id),
            recipient.order_id,
        )
        .await
        .map_err(transient)?
        .ok_or_else(|| JobError::Permanent("the order no longer exists".into()))?
        .order;
        let expires_on = recipient
            .code_expires_at
            .map(|at| at.date().to_string())
            .unwrap_or_default();
        let email = JobPayload::SendEmail(SendEmail {
            v: 1,
            to: recipient.email.clone(),
            template: "gift_link".into(),
            vendor_id: Some(recipient.vendor_id),
            vars: BTreeMap::from([
                ("recipient_name".to_owned(), recipient.name.clone()),
                ("customer_name".to_owned(), order.customer_name),
                (
                    "link".to_owned(),
                    format!("{}/{}", self.redeem_url, gift.code),
                ),
                ("expires_on".to_owned(), expires_on),
            ]),
        });
        orders::set_recipient_status(&txn, recipient, RecipientStatus::LinkSent, "system", None)
            .await
            .map_err(transient)?;
        jobs::enqueue(&txn, JobId::new(), &email, jobs::now())
            .await
            .map_err(transient)?;
        txn.commit().await.map_err(transient)
    }
}
