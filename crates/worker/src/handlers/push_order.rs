//! `push_order`: hands one recipient's shipment to the vendor's fulfilment. No fulfilment
//! system is connected yet (the Shopify push comes with that integration), so the shipment
//! is recorded as awaiting manual fulfilment: the recipient moves from
//! `address_confirmed` to `pushed` with that note. A recipient already pushed (or further)
//! is left alone, so a redelivered job changes nothing.

use super::transient;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use trove_data_access::orders;
use trove_domain::job::PushOrder;
use trove_domain::order::RecipientStatus;

#[derive(Debug)]
pub struct PushOrderHandler {
    db: DatabaseConnection,
}

impl PushOrderHandler {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl JobHandler for PushOrderHandler {
    type Payload = PushOrder;

    async fn run(&self, _job: JobContext, push: PushOrder) -> Result<(), JobError> {
        let txn = trove_data_access::begin_write(&self.db)
            .await
            .map_err(transient)?;
        let recipient = orders::find_recipient(&txn, push.order_id, push.recipient_id)
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the recipient no longer exists".into()))?;
        let status: RecipientStatus = recipient.status.parse().map_err(JobError::Permanent)?;
        if status != RecipientStatus::AddressConfirmed {
            tracing::info!(recipient = %recipient.id, %status, "already pushed; nothing to do");
            return Ok(());
        }
        orders::set_recipient_status(
            &txn,
            recipient,
            RecipientStatus::Pushed,
            "system",
            Some("awaiting manual fulfilment: no fulfilment system is connected".into()),
        )
        .await
        .map_err(transient)?;
        txn.commit().await.map_err(transient)
    }
}
