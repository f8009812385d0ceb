//! The consumer loop: up to `concurrency` jobs at once, each in its own task; it survives
//! queue outages by backing off.
//!
//! Shutdown: stop claiming, let running jobs finish within the grace period, then abort
//! the rest and release their jobs so another worker picks them up at once.

use super::Worker;
use crate::queue::Delivery;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The longest the loop waits between tries while the database is unreachable.
const MAX_OUTAGE_BACKOFF: Duration = Duration::from_secs(30);

impl Worker {
    /// Claims and runs due jobs until `shutdown` is cancelled, then drains.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        tracing::info!(concurrency = self.inner.concurrency, "worker started");
        let slots = Arc::new(Semaphore::new(self.inner.concurrency));
        let mut running = JoinSet::new();
        let mut outage_backoff = self.inner.poll_interval;
        loop {
            while running.try_join_next().is_some() {}
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot,
                _ = shutdown.cancelled() => break,
            };
            let Ok(slot) = slot else { break };
            let wanted = 1 + slots.available_permits();
            let claimed = tokio::select! {
                claimed = self.claim(wanted) => claimed,
                _ = shutdown.cancelled() => break,
            };
            let pause = match claimed {
                Ok(deliveries) if !deliveries.is_empty() => {
                    outage_backoff = self.inner.poll_interval;
                    let mut slot = Some(slot);
                    for delivery in deliveries {
                        let permit = match slot.take() {
                            Some(permit) => permit,
                            None => match slots.clone().try_acquire_owned() {
                                Ok(permit) => permit,
                                Err(_) => {
                                    self.give_back(delivery).await;
                                    continue;
                                }
                            },
                        };
                        let worker = self.clone();
                        running.spawn(async move {
                            let _permit = permit;
                            if let Err(error) = worker.process(delivery).await {
                                tracing::warn!(%error, "could not record a job's outcome; it will be delivered again");
                            }
                        });
                    }
                    continue;
                }
                Ok(_) => {
                    outage_backoff = self.inner.poll_interval;
                    self.inner.poll_interval
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in_ms = outage_backoff.as_millis() as u64, "job queue unreachable");
                    let pause = outage_backoff;
                    outage_backoff = (outage_backoff * 2).min(MAX_OUTAGE_BACKOFF);
                    pause
                }
            };
            drop(slot);
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(pause) => {}
            }
        }
        self.drain(running).await;
        tracing::info!("worker stopped");
    }

    async fn drain(&self, mut running: JoinSet<()>) {
        let finished = tokio::time::timeout(self.inner.shutdown_grace, async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if finished.is_ok() {
            return;
        }
        running.abort_all();
        while running.join_next().await.is_some() {}
        let unfinished: Vec<Delivery> = self
            .in_flight()
            .drain()
            .map(|(_, delivery)| delivery)
            .collect();
        for delivery in unfinished {
            tracing::info!(job_id = %delivery.job.id, "releasing an unfinished job at shutdown");
            self.give_back(delivery).await;
        }
    }
}
