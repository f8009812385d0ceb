//! `push_order`: pushes a ready recipient's shipment through `trove_app::shipments::push`
//! (no fulfilment system is connected yet: the recipient becomes `pushed`, awaiting
//! manual fulfilment). A recipient pushed already is left alone.

use super::from_app;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use trove_app::App;
use trove_domain::ids::{OrderId, RecipientId};
use trove_domain::job::PushOrder;

#[derive(Debug)]
pub struct PushOrderHandler {
    app: App,
}

impl PushOrderHandler {
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

#[async_trait]
impl JobHandler for PushOrderHandler {
    type Payload = PushOrder;

    async fn run(&self, _job: JobContext, push: PushOrder) -> Result<(), JobError> {
        trove_app::shipments::push(
            &self.app,
            OrderId::from(push.order_id),
            RecipientId::from(push.recipient_id),
        )
        .await
        .map_err(from_app)?;
        Ok(())
    }
}
