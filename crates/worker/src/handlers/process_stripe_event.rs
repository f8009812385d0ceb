//! `process_stripe_event`: applies one stored Stripe webhook event through
//! `trove_app::payments::apply_stored_event`, which marks it processed in the same unit of
//! work, so a retried job or a redelivered event does nothing twice.

use super::{from_app, parse};
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use trove_app::App;
use trove_app::payments::stripe_events::EventOutcome;
use trove_domain::job::JobPayload;

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
    fn kind(&self) -> &'static str {
        trove_domain::job::ProcessStripeEvent::KIND
    }

    async fn run(&self, _job: JobContext, payload: &str) -> Result<(), JobError> {
        let JobPayload::ProcessStripeEvent(job) = parse(payload)? else {
            return Err(JobError::Permanent(
                "payload is not a process_stripe_event job".into(),
            ));
        };
        match trove_app::payments::apply_stored_event(&self.app, &job.event_id)
            .await
            .map_err(from_app)?
        {
            EventOutcome::Applied(_) => {}
            EventOutcome::AlreadyProcessed => {
                tracing::info!(event_id = %job.event_id, "already processed; nothing to do");
            }
        }
        Ok(())
    }
}
