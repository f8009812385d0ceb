//! `process_shopify_webhook`: applies one stored Shopify webhook delivery through
//! `trove_app::shopify::webhooks::apply`. Applying is idempotent (uninstalling an
//! uninstalled connection, or redacting a forgotten one, changes nothing), so a retried job
//! does nothing twice.

use super::from_app;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use trove_app::App;
use trove_app::shopify::webhooks::{self, Applied};
use trove_domain::job::ProcessShopifyWebhook;

#[derive(Debug)]
pub struct ProcessShopifyWebhookHandler {
    app: App,
}

impl ProcessShopifyWebhookHandler {
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

#[async_trait]
impl JobHandler for ProcessShopifyWebhookHandler {
    type Payload = ProcessShopifyWebhook;

    async fn run(&self, _job: JobContext, job: ProcessShopifyWebhook) -> Result<(), JobError> {
        let applied = webhooks::apply(&self.app, &job).await.map_err(from_app)?;
        let outcome = match applied {
            Applied::Uninstalled => "uninstalled",
            Applied::Redacted => "redacted",
            Applied::Stale => "stale",
            Applied::Ignored => "not acted on by this version",
        };
        tracing::info!(topic = %job.topic, webhook_id = %job.webhook_id, shop = %job.shop, outcome, "Shopify webhook applied");
        Ok(())
    }
}
