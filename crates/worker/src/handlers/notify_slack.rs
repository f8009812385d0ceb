//! `notify_slack`: posts a message to the vendor's Slack incoming webhook, waiting as long
//! as Slack's `Retry-After` asks when it is rate limited.

use super::transient;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use trove_data_access::vendors;
use trove_domain::ids::VendorId;
use trove_domain::job::NotifySlack;
use trove_integrations::slack::{SlackClient, SlackError};

#[derive(Debug)]
pub struct NotifySlackHandler {
    db: DatabaseConnection,
    slack: SlackClient,
}

impl NotifySlackHandler {
    pub fn new(db: DatabaseConnection, slack: SlackClient) -> Self {
        Self { db, slack }
    }
}

#[async_trait]
impl JobHandler for NotifySlackHandler {
    type Payload = NotifySlack;

    async fn run(&self, _job: JobContext, message: NotifySlack) -> Result<(), JobError> {
        let vendor = vendors::find(&self.db, VendorId::from(message.vendor_id))
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the vendor no longer exists".into()))?;
        let Some(webhook) = vendor.slack_webhook_url else {
            return Err(JobError::Permanent(
                "the vendor has no Slack webhook".into(),
            ));
        };
        self.slack
            .post(&webhook, &message.text)
            .await
            .map_err(|error| match error {
                SlackError::Transient {
                    reason,
                    retry_after: Some(after),
                } => JobError::RetryAfter { after, reason },
                SlackError::Transient {
                    reason,
                    retry_after: None,
                } => JobError::Transient(reason),
                SlackError::Permanent(reason) => JobError::Permanent(reason),
            })
    }
}
