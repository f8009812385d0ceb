//! The jobs table as the queue (embedded default; fine for small installs).

use super::{Delivery, JobQueue, QueueError};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use std::time::Duration;
use trove_data_access::jobs;

#[derive(Debug, Clone)]
pub struct SqlQueue {
    db: DatabaseConnection,
}

impl SqlQueue {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl JobQueue for SqlQueue {
    async fn claim(
        &self,
        kinds: &[&'static str],
        _max: usize,
        lease: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let claimed = jobs::claim_next(&self.db, kinds, lease).await?;
        Ok(claimed
            .into_iter()
            .map(|job| Delivery { job, receipt: None })
            .collect())
    }

    async fn complete(&self, delivery: &Delivery) -> Result<(), QueueError> {
        Ok(jobs::complete(&self.db, delivery.job.id, &delivery.job.kind).await?)
    }

    async fn retry_later(
        &self,
        delivery: &Delivery,
        delay: Duration,
        error: &str,
    ) -> Result<(), QueueError> {
        Ok(jobs::retry_later(&self.db, delivery.job.id, delay, error).await?)
    }

    async fn bury(&self, delivery: &Delivery, error: &str) -> Result<(), QueueError> {
        Ok(jobs::bury(&self.db, delivery.job.id, error).await?)
    }

    async fn extend(&self, delivery: &Delivery, lease: Duration) -> Result<(), QueueError> {
        Ok(jobs::extend_lease(&self.db, delivery.job.id, lease).await?)
    }

    async fn release(&self, delivery: &Delivery) -> Result<(), QueueError> {
        Ok(jobs::release(&self.db, delivery.job.id).await?)
    }
}
