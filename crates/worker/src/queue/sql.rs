//! The jobs table as the queue (embedded default, and the SQL queue of MariaDB and
//! PostgreSQL installs).
//!
//! Claims take as many due jobs as the worker has room for in one transaction. Completions
//! are written in groups: each finished job hands its completion to one writer task, which
//! records everything that arrived while its previous transaction ran in the next one, so
//! a busy worker pays one commit for many jobs and an idle one still commits at once.
//! Retries, burials, extensions and releases are rare and written one by one.

use super::{Delivery, JobQueue, QueueError};
use async_trait::async_trait;
use sea_orm::{DatabaseConnection, DbErr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use trove_data_access::jobs;
use trove_domain::ids::JobId;

/// Most completions one group transaction writes.
const MOST_PER_GROUP: usize = 512;

#[derive(Debug, Clone)]
pub struct SqlQueue {
    db: DatabaseConnection,
    /// The group writer's inbox, started with the first completion (inside the runtime).
    completions: Arc<OnceLock<mpsc::UnboundedSender<Completion>>>,
}

/// One finished job waiting for its group's transaction, and who to tell how it went.
#[derive(Debug)]
struct Completion {
    id: JobId,
    kind: String,
    recorded: oneshot::Sender<Result<(), String>>,
}

impl SqlQueue {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            completions: Arc::default(),
        }
    }

    fn group_writer(&self) -> &mpsc::UnboundedSender<Completion> {
        self.completions.get_or_init(|| {
            let (sender, inbox) = mpsc::unbounded_channel();
            tokio::spawn(write_groups(self.db.clone(), inbox));
            sender
        })
    }
}

/// Writes the completions that arrive, each transaction taking all that are waiting (up to
/// `MOST_PER_GROUP`). Ends when every queue handle is gone.
async fn write_groups(db: DatabaseConnection, mut inbox: mpsc::UnboundedReceiver<Completion>) {
    let mut group = Vec::with_capacity(MOST_PER_GROUP);
    while inbox.recv_many(&mut group, MOST_PER_GROUP).await > 0 {
        let done: Vec<(JobId, String)> = group
            .iter()
            .map(|completion| (completion.id, completion.kind.clone()))
            .collect();
        let written = jobs::complete_many(&db, &done)
            .await
            .map_err(|error| error.to_string());
        for completion in group.drain(..) {
            // A job whose task ended meanwhile (shutdown) no longer listens; nothing to tell.
            let _ = completion.recorded.send(written.clone());
        }
    }
}

#[async_trait]
impl JobQueue for SqlQueue {
    async fn claim(
        &self,
        kinds: &[&'static str],
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let claimed = jobs::claim(&self.db, kinds, max as u64, lease).await?;
        Ok(claimed
            .into_iter()
            .map(|job| Delivery { job, receipt: None })
            .collect())
    }

    async fn complete(&self, delivery: &Delivery) -> Result<(), QueueError> {
        let (recorded, outcome) = oneshot::channel();
        let completion = Completion {
            id: delivery.job.id,
            kind: delivery.job.kind.clone(),
            recorded,
        };
        if self.group_writer().send(completion).is_err() {
            return Ok(jobs::complete(&self.db, delivery.job.id, &delivery.job.kind).await?);
        }
        match outcome.await {
            Ok(written) => written.map_err(|error| QueueError::Database(DbErr::Custom(error))),
            Err(_) => Ok(jobs::complete(&self.db, delivery.job.id, &delivery.job.kind).await?),
        }
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
