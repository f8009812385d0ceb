//! A ready recipient's shipment is pushed to fulfilment (`push_order`).

use crate::events::DomainEvent;
use sea_orm::{ConnectionTrait, DbErr};
use trove_data_access::jobs;
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, PushOrder};

pub(super) async fn on(db: &impl ConnectionTrait, event: &DomainEvent) -> Result<(), DbErr> {
    let DomainEvent::RecipientReady(ready) = event else {
        return Ok(());
    };
    let push = JobPayload::PushOrder(PushOrder {
        v: 1,
        order_id: ready.order_id.as_uuid(),
        recipient_id: ready.recipient_id.as_uuid(),
    });
    jobs::enqueue(db, JobId::new(), &push, jobs::now()).await?;
    Ok(())
}
