//! `sync_products`: imports the vendor's Shopify catalogue through
//! `trove_app::shopify::sync::run` (the slow lane: a large shop takes minutes). A rerun of a
//! finished sync does nothing; a rerun after Shopify was unreachable starts afresh and
//! reaches the same catalogue.

use super::from_app;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use trove_app::App;
use trove_domain::job::SyncProducts;

#[derive(Debug)]
pub struct SyncProductsHandler {
    app: App,
}

impl SyncProductsHandler {
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

#[async_trait]
impl JobHandler for SyncProductsHandler {
    type Payload = SyncProducts;

    async fn run(&self, _job: JobContext, job: SyncProducts) -> Result<(), JobError> {
        let sync = trove_app::shopify::sync::run(&self.app, &job)
            .await
            .map_err(from_app)?;
        tracing::info!(sync_id = %sync.id, status = %sync.status, "Shopify sync ran");
        Ok(())
    }
}
