//! Where jobs come from: the jobs table itself (SQL) or Amazon SQS fed by the outbox
//! relay. The worker loop sees only `JobQueue`; `from_settings` picks the backend.
//!
//! Both backends keep the job's row in the jobs table while it lives, so dead jobs are
//! inspected and redriven the same way whichever queue carried them.

pub mod sql;
pub mod sqs;

use async_trait::async_trait;
use sea_orm::DbErr;
use std::sync::Arc;
use std::time::Duration;
use trove_data_access::jobs::ClaimedJob;

/// One delivery of a job: the job, and the queue's handle for this delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub job: ClaimedJob,
    /// SQS receipt handle; `None` on the SQL backend.
    pub receipt: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("SQS: {0}")]
    Sqs(String),
}

#[async_trait]
pub trait JobQueue: Send + Sync + std::fmt::Debug {
    /// Whether `claim` can take only the kinds asked for, leaving the others untouched for
    /// later. SQS cannot: it hands over whatever message comes next, and one handed back
    /// has been received (and counted as an attempt) all the same. The loop asks such a
    /// queue for every kind it runs and keeps a job whose lane is full until a slot frees.
    fn selects_kinds(&self) -> bool {
        true
    }
    /// Up to `max` due jobs of `kinds`, each reserved for `lease`.
    async fn claim(
        &self,
        kinds: &[&'static str],
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Delivery>, QueueError>;
    /// Done: recorded as processed and removed for good.
    async fn complete(&self, delivery: &Delivery) -> Result<(), QueueError>;
    /// Failed for now: delivered again after `delay`.
    async fn retry_later(
        &self,
        delivery: &Delivery,
        delay: Duration,
        error: &str,
    ) -> Result<(), QueueError>;
    /// Failed for good: kept as dead with the reason.
    async fn bury(&self, delivery: &Delivery, error: &str) -> Result<(), QueueError>;
    /// Still running: keep it reserved for another `lease`.
    async fn extend(&self, delivery: &Delivery, lease: Duration) -> Result<(), QueueError>;
    /// Not run (shutdown): deliver again at once.
    async fn release(&self, delivery: &Delivery) -> Result<(), QueueError>;
}

/// The queue the settings ask for, and for SQS the relay that feeds it.
pub async fn from_settings(
    db: &sea_orm::DatabaseConnection,
    settings: &trove_bootstrap::settings::QueueSettings,
    aws: &trove_bootstrap::settings::AwsSettings,
) -> Result<(Arc<dyn JobQueue>, Option<sqs::Relay>), QueueError> {
    match settings.backend {
        trove_bootstrap::settings::QueueBackend::Sql => {
            Ok((Arc::new(sql::SqlQueue::new(db.clone())), None))
        }
        trove_bootstrap::settings::QueueBackend::Sqs => {
            let queue = sqs::SqsQueue::from_settings(db.clone(), settings, aws).await?;
            let relay = queue.relay(std::time::Duration::from_millis(settings.relay_interval_ms));
            Ok((Arc::new(queue), Some(relay)))
        }
    }
}
