//! The consumer loop: claims due jobs while their lanes have free slots (`lanes`), runs
//! each in its own task, and survives queue outages by backing off.
//!
//! Shutdown: stop claiming, hand back at once the jobs still waiting for a slot, let
//! running jobs finish within the grace period, then abort the rest and release their jobs
//! so another worker picks them up at once.

use super::lanes::{Admission, Lanes};
use super::{LeaseClock, Worker};
use crate::queue::{Delivery, QueueError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The longest the loop waits between tries while the database is unreachable.
const MAX_OUTAGE_BACKOFF: Duration = Duration::from_secs(30);

impl Worker {
    /// Claims and runs due jobs until `shutdown` is cancelled, then drains.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        tracing::info!(
            concurrency = self.inner.concurrency,
            slow_concurrency = self.inner.slow_concurrency,
            "worker started"
        );
        let lanes = Lanes::new(&self.inner.handlers, |lane| self.lane_size(lane));
        let every_kind = !self.inner.queue.selects_kinds();
        let mut running = JoinSet::new();
        let mut outage_backoff = self.inner.poll_interval;
        loop {
            while running.try_join_next().is_some() {}
            tokio::select! {
                () = lanes.room() => {}
                () = shutdown.cancelled() => break,
            }
            let wanted = lanes.wanted(every_kind);
            let (claimed, failed) = tokio::select! {
                claimed = self.claim_each(&wanted) => claimed,
                () = shutdown.cancelled() => break,
            };
            let any = !claimed.is_empty();
            for delivery in claimed {
                self.start(delivery, &lanes, &mut running, &shutdown).await;
            }
            let outage = failed.is_some();
            let pause = match failed {
                None if any => {
                    outage_backoff = self.inner.poll_interval;
                    continue;
                }
                None => {
                    outage_backoff = self.inner.poll_interval;
                    self.inner.poll_interval
                }
                Some(error) => {
                    tracing::warn!(%error, retry_in_ms = outage_backoff.as_millis() as u64, "job queue unreachable");
                    let pause = outage_backoff;
                    outage_backoff = (outage_backoff * 2).min(MAX_OUTAGE_BACKOFF);
                    pause
                }
            };
            // Nothing to claim for the lanes with room: wait out the poll interval, unless a
            // full lane frees a slot first (its jobs may be waiting), but back off whole
            // while the queue is unreachable.
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(pause) => {}
                () = lanes.slot_freed(), if !outage => {}
            }
        }
        self.drain(running).await;
        tracing::info!("worker stopped");
    }

    /// Makes each of the claims `wanted` names; what they took, and the first error (the
    /// claims after it are not made; what was taken before it still runs).
    async fn claim_each(
        &self,
        wanted: &[(Vec<&'static str>, usize)],
    ) -> (Vec<Delivery>, Option<QueueError>) {
        let mut claimed = Vec::new();
        for (kinds, max) in wanted {
            match self.claim(kinds, *max).await {
                Ok(deliveries) => claimed.extend(deliveries),
                Err(error) => return (claimed, Some(error)),
            }
        }
        (claimed, None)
    }

    /// Runs a claimed job in its lane's slot, or lets it wait for one.
    async fn start(
        &self,
        delivery: Delivery,
        lanes: &Lanes,
        running: &mut JoinSet<()>,
        shutdown: &CancellationToken,
    ) {
        let worker = self.clone();
        let freed = lanes.freed_signal();
        match lanes.admit(&delivery.job.kind) {
            Admission::Run(slot) => {
                let lease = LeaseClock::starting_now(self.inner.lease);
                running.spawn(async move {
                    worker.run_in(slot, delivery, lease).await;
                    freed.notify_one();
                });
            }
            Admission::Wait { lane, place } => {
                let shutdown = shutdown.clone();
                running.spawn(async move {
                    worker.wait_then_run(lane, place, delivery, shutdown).await;
                    freed.notify_one();
                });
            }
            Admission::Full => self.give_back(delivery).await,
        }
    }

    /// Holds a job whose lane is full (its lease kept by the heartbeat) until the lane has
    /// a slot; at shutdown it goes back to the queue unrun.
    async fn wait_then_run(
        self,
        lane: Arc<Semaphore>,
        place: OwnedSemaphorePermit,
        delivery: Delivery,
        shutdown: CancellationToken,
    ) {
        tracing::debug!(job_id = %delivery.job.id, kind = %delivery.job.kind, "its lane is full; waiting for a slot");
        let lease = LeaseClock::starting_now(self.inner.lease);
        let slot = {
            let _heartbeat = self.heartbeat(delivery.clone(), lease.clone());
            tokio::select! {
                slot = lane.acquire_owned() => slot.ok(),
                () = shutdown.cancelled() => None,
            }
        };
        drop(place);
        match slot {
            Some(slot) => self.run_in(slot, delivery, lease).await,
            None => self.give_back(delivery).await,
        }
    }

    async fn run_in(self, slot: OwnedSemaphorePermit, delivery: Delivery, lease: LeaseClock) {
        let _slot = slot;
        if let Err(error) = self.process(delivery, lease).await {
            tracing::warn!(%error, "could not record a job's outcome before its lease ran out; it will be delivered again");
        }
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
