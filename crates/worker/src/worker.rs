//! The consumer: jobs from a `JobQueue` (SQL or SQS), each run under a lease that a
//! heartbeat extends while its handler runs, then settled (done, retry later, or dead).
//!
//! Effects once: a job's outcome is recorded while its lease holds, retried with backoff
//! when the queue is away for a moment, so a job whose effect happened is not delivered
//! again just because its record failed once.
//!
//! A handler that panics fails that attempt like a transient error: the panic is caught,
//! the heartbeat stops with the attempt whatever ends it (a guard aborts it on drop), and
//! the job is retried with backoff or dead once out of attempts, never left leased.
//!
//! The loop itself (lanes, claiming, shutdown) is in `consume`; lane slots in `lanes`.

mod consume;
mod lanes;

use crate::handler::{HandlerRegistry, JobContext, JobError};
use crate::metrics::WorkerMetrics;
use crate::queue::sql::SqlQueue;
use crate::queue::{Delivery, JobQueue, QueueError};
use futures_util::FutureExt;
use rand::Rng;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::Instrument;
use trove_bootstrap::settings::WorkerSettings;
use trove_data_access::jobs::ClaimedJob;
use trove_domain::ids::JobId;
use trove_domain::job::{Lane, RetryPolicy};

/// What became of one claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    /// Already processed by an earlier delivery; not run again.
    Skipped,
    Retrying {
        delay: Duration,
        reason: String,
    },
    Dead {
        reason: String,
    },
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Skipped => "skipped",
            Self::Retrying { .. } => "retried",
            Self::Dead { .. } => "dead",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    queue: Arc<dyn JobQueue>,
    handlers: HandlerRegistry,
    poll_interval: Duration,
    lease: Duration,
    retry: RetryPolicy,
    concurrency: usize,
    slow_concurrency: usize,
    shutdown_grace: Duration,
    metrics: Option<WorkerMetrics>,
    in_flight: Mutex<HashMap<JobId, Delivery>>,
}

impl Worker {
    /// A worker over the SQL queue (the jobs table); `with_queue` switches to another.
    pub fn new(
        db: DatabaseConnection,
        settings: &WorkerSettings,
        handlers: HandlerRegistry,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                queue: Arc::new(SqlQueue::new(db)),
                handlers,
                poll_interval: Duration::from_millis(settings.poll_interval_ms),
                lease: Duration::from_secs(settings.lease_seconds),
                retry: RetryPolicy {
                    base_delay: Duration::from_secs(settings.retry_base_seconds),
                    max_delay: Duration::from_secs(settings.retry_max_seconds),
                    max_attempts: settings.max_attempts,
                },
                concurrency: settings.concurrency.max(1),
                slow_concurrency: settings.slow_concurrency.max(1),
                shutdown_grace: Duration::from_secs(settings.shutdown_grace_seconds),
                metrics: None,
                in_flight: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Takes jobs from `queue` instead (call before the worker is cloned or started).
    pub fn with_queue(mut self, queue: Arc<dyn JobQueue>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.queue = queue;
        }
        self
    }

    /// Counts jobs into `metrics` (call before the worker is cloned or started).
    pub fn with_metrics(mut self, metrics: WorkerMetrics) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.metrics = Some(metrics);
        }
        self
    }

    /// How many jobs of `lane` may run at once.
    fn lane_size(&self, lane: Lane) -> usize {
        match lane {
            Lane::Fast => self.inner.concurrency,
            Lane::Slow => self.inner.slow_concurrency,
        }
    }

    /// Hands a claimed job back to the queue unrun.
    async fn give_back(&self, delivery: Delivery) {
        self.in_flight().remove(&delivery.job.id);
        if let Err(error) = self.inner.queue.release(&delivery).await {
            tracing::warn!(job_id = %delivery.job.id, %error, "could not release a job; it runs again when its lease expires");
        }
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Delivery>> {
        self.inner
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn claim(&self, kinds: &[&'static str], max: usize) -> Result<Vec<Delivery>, QueueError> {
        let deliveries = self.inner.queue.claim(kinds, max, self.inner.lease).await?;
        let mut in_flight = self.in_flight();
        for delivery in &deliveries {
            in_flight.insert(delivery.job.id, delivery.clone());
        }
        Ok(deliveries)
    }

    /// Runs every job that is due now, one after another, including those the runs queue,
    /// until none is left (tests use it instead of waiting for the loop). Jobs retried with
    /// a delay are not due, so this ends; it gives up after `limit` runs all the same.
    pub async fn run_due(&self, limit: usize) -> Result<Vec<Outcome>, QueueError> {
        let mut outcomes = Vec::new();
        while outcomes.len() < limit {
            match self.run_once().await? {
                Some(outcome) => outcomes.push(outcome),
                None => break,
            }
        }
        Ok(outcomes)
    }

    /// Claims one due job and runs it to its outcome. `Ok(None)` when nothing is due.
    pub async fn run_once(&self) -> Result<Option<Outcome>, QueueError> {
        let mut deliveries = self
            .claim(&self.inner.handlers.kinds(), 1)
            .await?
            .into_iter();
        let Some(first) = deliveries.next() else {
            return Ok(None);
        };
        for extra in deliveries {
            self.give_back(extra).await;
        }
        let lease = LeaseClock::starting_now(self.inner.lease);
        self.process(first, lease).await.map(Some)
    }

    /// Runs a claimed job under `lease` and records its outcome.
    async fn process(&self, delivery: Delivery, lease: LeaseClock) -> Result<Outcome, QueueError> {
        let job = &delivery.job;
        let span =
            tracing::info_span!("job", job_id = %job.id, kind = %job.kind, attempt = job.attempt);
        let started = Instant::now();
        let processed = async {
            let _heartbeat = self.heartbeat(delivery.clone(), lease.clone());
            let outcome = if job.already_processed {
                tracing::info!("already processed by an earlier delivery; not running it again");
                Outcome::Skipped
            } else {
                self.execute(job).await
            };
            let elapsed = started.elapsed();
            self.settle_while_leased(&delivery, &outcome, &lease)
                .await?;
            Ok::<_, QueueError>((outcome, elapsed))
        }
        .instrument(span)
        .await;
        self.in_flight().remove(&job.id);
        let (outcome, elapsed) = processed?;
        if let Some(metrics) = &self.inner.metrics {
            metrics.observe(&job.kind, outcome.label(), elapsed);
        }
        Ok(outcome)
    }

    /// Extends the lease every third of its length until the returned guard is dropped,
    /// moving `clock` on with every extension that is recorded.
    fn heartbeat(&self, delivery: Delivery, clock: LeaseClock) -> Heartbeat {
        let queue = self.inner.queue.clone();
        let lease = self.inner.lease;
        Heartbeat(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(lease / 3);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let asked = Instant::now();
                match queue.extend(&delivery, lease).await {
                    Ok(()) => clock.extended_at(asked),
                    Err(error) => tracing::warn!(%error, "could not extend a job's lease"),
                }
            }
        }))
    }

    /// Records `outcome`, and when the queue cannot take it (the database or SQS away for
    /// a moment) tries again with backoff for as long as the lease still holds, while the
    /// heartbeat goes on extending it. The effect of the job has happened; letting the
    /// lease run out instead would deliver the job again and repeat the effect. Only a
    /// lease that is about to end gives up, leaving the job to run again.
    async fn settle_while_leased(
        &self,
        delivery: &Delivery,
        outcome: &Outcome,
        lease: &LeaseClock,
    ) -> Result<(), QueueError> {
        let mut pause = SETTLE_FIRST_PAUSE;
        loop {
            let error = match self.settle(delivery, outcome).await {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            if lease.remaining() <= pause * 2 {
                return Err(error);
            }
            tracing::warn!(%error, retry_in_ms = pause.as_millis() as u64, "could not record a job's outcome; trying again while its lease holds");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(SETTLE_MAX_PAUSE);
        }
    }

    async fn settle(&self, delivery: &Delivery, outcome: &Outcome) -> Result<(), QueueError> {
        let queue = &self.inner.queue;
        let job = &delivery.job;
        match outcome {
            Outcome::Completed | Outcome::Skipped => queue.complete(delivery).await,
            Outcome::Retrying { delay, reason } => {
                queue.retry_later(delivery, *delay, reason).await
            }
            Outcome::Dead { reason } => {
                queue.bury(delivery, reason).await?;
                tracing::error!(reason = %reason, "job is dead");
                sentry::capture_message(
                    &format!("job {} ({}) is dead: {reason}", job.id, job.kind),
                    sentry::Level::Error,
                );
                Ok(())
            }
        }
    }

    /// Runs the job's handler on its decoded payload; a panic fails the attempt.
    async fn execute(&self, job: &ClaimedJob) -> Outcome {
        let Some(handler) = self.inner.handlers.get(&job.kind) else {
            // Claims only ask for registered kinds, so this is a registry changed underfoot.
            return Outcome::Dead {
                reason: format!("no handler is registered for job kind `{}`", job.kind),
            };
        };
        let context = JobContext {
            id: job.id,
            attempt: job.attempt,
        };
        let attempt = AssertUnwindSafe(handler.dispatch(context, &job.payload))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                Err(JobError::Transient(format!(
                    "the handler panicked: {}",
                    panic_message(panic.as_ref())
                )))
            });
        match attempt {
            Ok(()) => {
                tracing::info!("job completed");
                Outcome::Completed
            }
            Err(JobError::Permanent(reason)) => Outcome::Dead { reason },
            Err(JobError::Transient(reason)) => self.retry_or_give_up(job, reason, Duration::ZERO),
            Err(JobError::RetryAfter { after, reason }) => {
                self.retry_or_give_up(job, reason, after)
            }
        }
    }

    /// Backs off (at least `at_least`, as the other side asked) or gives up after the
    /// last attempt.
    fn retry_or_give_up(&self, job: &ClaimedJob, reason: String, at_least: Duration) -> Outcome {
        if !self.may_retry(job) {
            return Outcome::Dead {
                reason: format!("gave up after {} attempts: {reason}", job.attempt),
            };
        }
        let jitter = rand::rng().random_range(0.0..=1.0);
        let delay = self
            .inner
            .retry
            .delay_after(job.attempt, jitter)
            .max(at_least);
        tracing::warn!(%reason, retry_in_s = delay.as_secs(), "job failed; will retry");
        Outcome::Retrying { delay, reason }
    }

    fn may_retry(&self, job: &ClaimedJob) -> bool {
        self.inner.retry.may_retry(job.attempt) && job.attempt < job.max_attempts
    }
}

/// The first wait before recording an outcome again; it doubles up to `SETTLE_MAX_PAUSE`.
const SETTLE_FIRST_PAUSE: Duration = Duration::from_millis(100);
const SETTLE_MAX_PAUSE: Duration = Duration::from_secs(2);

/// Until when this worker holds a job's lease, as far as it knows: from the claim, moved
/// on by every extension the queue recorded.
#[derive(Debug, Clone)]
pub(crate) struct LeaseClock {
    held_until: Arc<Mutex<Instant>>,
    lease: Duration,
}

impl LeaseClock {
    /// A lease of `lease` taken just now (the claim happened a moment ago, so this errs
    /// on the late side by that moment, well inside the margin `settle_while_leased` keeps).
    pub(crate) fn starting_now(lease: Duration) -> Self {
        Self {
            held_until: Arc::new(Mutex::new(Instant::now() + lease)),
            lease,
        }
    }

    /// An extension asked for at `asked` was recorded.
    fn extended_at(&self, asked: Instant) {
        let mut held_until = self
            .held_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *held_until = (*held_until).max(asked + self.lease);
    }

    fn remaining(&self) -> Duration {
        self.held_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .saturating_duration_since(Instant::now())
    }
}

/// Stops a job's heartbeat when dropped, however the attempt ended (returned, panicked,
/// or was aborted at shutdown).
#[derive(Debug)]
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The message a panic was raised with, when it has one.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}
