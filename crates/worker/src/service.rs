//! The worker as a process runs it: handlers and queue from settings, plus the outbox
//! relay when the queue is SQS. Both `trove-worker` and the all-in-one binary start it.

use crate::handlers::{self, SetupError};
use crate::metrics::WorkerMetrics;
use crate::queue::{self, QueueError, sqs::Relay};
use crate::worker::Worker;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;
use trove_bootstrap::Settings;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("job handlers: {0}")]
    Handlers(#[from] SetupError),
    #[error("job queue: {0}")]
    Queue(#[from] QueueError),
}

#[derive(Debug)]
pub struct WorkerService {
    worker: Worker,
    relay: Option<Relay>,
}

impl WorkerService {
    pub async fn from_settings(
        db: DatabaseConnection,
        settings: &Settings,
        metrics: Option<WorkerMetrics>,
    ) -> Result<Self, ServiceError> {
        let handlers = handlers::registry(&db, settings).await?;
        let (queue, relay) = queue::from_settings(&db, &settings.queue, &settings.aws).await?;
        let mut worker = Worker::new(db, &settings.worker, handlers).with_queue(queue);
        if let Some(metrics) = metrics {
            worker = worker.with_metrics(metrics);
        }
        Ok(Self { worker, relay })
    }

    /// Runs the relay (if any) and the worker until `shutdown`, then waits for both.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        let relay = self
            .relay
            .map(|relay| tokio::spawn(relay.run_until_stopped(shutdown.clone())));
        self.worker.run_until_stopped(shutdown).await;
        if let Some(relay) = relay
            && let Err(error) = relay.await
        {
            tracing::error!(%error, "the outbox relay stopped abnormally");
        }
    }
}
