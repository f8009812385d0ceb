//! `process_stripe_event`: applies one stored Stripe webhook event through
//! `trove_app::payments::apply_stored_event`, which marks it processed in the same unit of
//! work, so a retried job or a redelivered event does nothing twice.

use super::from_app;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use trove_app::App;
use trove_app::payments::stripe_events::EventOutcome;
use trove_domain::job::ProcessStripeEvent;

#[derive(Debug)]
pub struct ProcessStripeEventHandler {
    app: App,
}

impl ProcessStripeEventHandler {
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

#[async_trait]
impl JobHandler for ProcessStripeEventHandler {
    type Payload = ProcessStripeEvent;

    async fn run(&self, _job: JobContext, job: ProcessStripeEvent) -> Result<(), JobError> {
        let outcome = trove_app::payments::apply_stored_event(&self.app, &job.event_id)
            .await
            .map_err(from_app)?;
        if outcome == EventOutcome::AlreadyProcessed {
            tracing::info!(event_id = %job.event_id, "already processed; nothing to do");
        }
        Ok(())
    }
}
