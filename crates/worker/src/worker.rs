//! The consumer loop over the SQL jobs table.

use crate::handler::{HandlerRegistry, JobError};
use rand::Rng;
use sea_orm::{DatabaseConnection, DbErr};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use trove_bootstrap::settings::WorkerSettings;
use trove_data_access::jobs::{self, ClaimedJob};
use trove_domain::job::RetryPolicy;

/// The longest the loop waits between tries while the database is unreachable.
const MAX_OUTAGE_BACKOFF: Duration = Duration::from_secs(30);

/// What became of one claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Retrying { delay: Duration, reason: String },
    Dead { reason: String },
}

#[derive(Debug)]
pub struct Worker {
    db: DatabaseConnection,
    handlers: HandlerRegistry,
    poll_interval: Duration,
    lease: Duration,
    retry: RetryPolicy,
}

impl Worker {
    pub fn new(
        db: DatabaseConnection,
        settings: &WorkerSettings,
        handlers: HandlerRegistry,
    ) -> Self {
        Self {
            db,
            handlers,
            poll_interval: Duration::from_millis(settings.poll_interval_ms),
            lease: Duration::from_secs(settings.lease_seconds),
            retry: RetryPolicy {
                base_delay: Duration::from_secs(settings.retry_base_seconds),
                max_delay: Duration::from_secs(settings.retry_max_seconds),
                max_attempts: settings.max_attempts,
            },
        }
    }

    /// Claims and runs due jobs until `shutdown` is cancelled. A job already running when
    /// the signal arrives is finished before this returns.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        tracing::info!("worker started");
        let mut outage_backoff = self.poll_interval;
        while !shutdown.is_cancelled() {
            let pause = match self.run_once().await {
                Ok(Some(_)) => {
                    outage_backoff = self.poll_interval;
                    continue;
                }
                Ok(None) => {
                    outage_backoff = self.poll_interval;
                    self.poll_interval
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in_ms = outage_backoff.as_millis() as u64, "job queue unreachable");
                    let pause = outage_backoff;
                    outage_backoff = (outage_backoff * 2).min(MAX_OUTAGE_BACKOFF);
                    pause
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!("worker stopped");
    }

    /// Claims one due job and runs it. `Ok(None)` when nothing is due.
    pub async fn run_once(&self) -> Result<Option<Outcome>, DbErr> {
        let Some(job) = jobs::claim_next(&self.db, &self.handlers.kinds(), self.lease).await?
        else {
            return Ok(None);
        };
        let span =
            tracing::info_span!("job", job_id = %job.id, kind = %job.kind, attempt = job.attempt);
        let outcome = self.execute(&job).instrument(span.clone()).await;
        match &outcome {
            Outcome::Completed => jobs::complete(&self.db, job.id).await?,
            Outcome::Retrying { delay, reason } => {
                jobs::retry_later(&self.db, job.id, *delay, reason).await?;
            }
            Outcome::Dead { reason } => {
                jobs::bury(&self.db, job.id, reason).await?;
                span.in_scope(|| tracing::error!(reason = %reason, "job is dead"));
                sentry::capture_message(
                    &format!("job {} ({}) is dead: {reason}", job.id, job.kind),
                    sentry::Level::Error,
                );
            }
        }
        Ok(Some(outcome))
    }

    async fn execute(&self, job: &ClaimedJob) -> Outcome {
        let Some(handler) = self.handlers.get(&job.kind) else {
            // Claims only ask for registered kinds, so this is a registry changed underfoot.
            return Outcome::Dead {
                reason: format!("no handler is registered for job kind `{}`", job.kind),
            };
        };
        match handler.run(&job.payload).await {
            Ok(()) => {
                tracing::info!("job completed");
                Outcome::Completed
            }
            Err(JobError::Permanent(reason)) => Outcome::Dead { reason },
            Err(JobError::Transient(reason)) if self.may_retry(job) => {
                let jitter = rand::rng().random_range(0.0..=1.0);
                let delay = self.retry.delay_after(job.attempt, jitter);
                tracing::warn!(%reason, retry_in_s = delay.as_secs(), "job failed; will retry");
                Outcome::Retrying { delay, reason }
            }
            Err(JobError::Transient(reason)) => Outcome::Dead {
                reason: format!("gave up after {} attempts: {reason}", job.attempt),
            },
        }
    }

    fn may_retry(&self, job: &ClaimedJob) -> bool {
        self.retry.may_retry(job.attempt) && job.attempt < job.max_attempts
    }
}
