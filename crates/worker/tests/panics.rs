//! A handler that panics fails that attempt like a transient error: the job is retried at
//! once through the queue (not left leased until its lease runs out), dead with the panic
//! as its reason when out of attempts, its heartbeat stops, and the loop carries on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use support::{SpyQueue, enqueue, eventually, make_due, worker_settings};
use tokio_util::sync::CancellationToken;
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::ids::JobId;
use trove_domain::job::{JobKind, Lane};
use trove_worker::{HandlerRegistry, JobContext, JobError, JobHandler, Outcome, Worker};

#[derive(Debug, serde::Deserialize)]
struct PanickyJob {}

impl JobKind for PanickyJob {
    const KIND: &'static str = "panicky";
    const LANE: Lane = Lane::Fast;
}

/// Panics on every run, after `pause`; counts its runs.
#[derive(Default)]
struct Panicky {
    pause: Duration,
    runs: Arc<AtomicU32>,
}

#[async_trait]
impl JobHandler for Panicky {
    type Payload = PanickyJob;

    async fn run(&self, _job: JobContext, _payload: PanickyJob) -> Result<(), JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.pause).await;
        panic!("the printer is on fire");
    }
}

#[derive(Debug, serde::Deserialize)]
struct SteadyJob {}

impl JobKind for SteadyJob {
    const KIND: &'static str = "steady";
    const LANE: Lane = Lane::Fast;
}

/// Succeeds; counts its runs.
struct Steady(Arc<AtomicU32>);

#[async_trait]
impl JobHandler for Steady {
    type Payload = SteadyJob;

    async fn run(&self, _job: JobContext, _payload: SteadyJob) -> Result<(), JobError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_is_retried_then_dead_with_the_panic_as_its_reason() {
    let database = TestDatabase::create().await;
    let panicky = Panicky::default();
    let runs = panicky.runs.clone();
    let worker = Worker::new(
        database.db.clone(),
        &worker_settings(),
        HandlerRegistry::default().with(panicky),
    );
    let id = enqueue(&database, PanickyJob::KIND).await;

    let first = worker.run_once().await.unwrap();
    assert!(
        matches!(&first, Some(Outcome::Retrying { reason, .. })
            if reason == "the handler panicked: the printer is on fire"),
        "{first:?}"
    );
    let row = jobs::find(&database.db, id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert_eq!(row.locked_until, None, "released, not left leased");
    assert_eq!(
        row.last_error.as_deref(),
        Some("the handler panicked: the printer is on fire")
    );

    make_due(&database, id).await;
    let second = worker.run_once().await.unwrap();
    assert!(
        matches!(second, Some(Outcome::Retrying { .. })),
        "{second:?}"
    );
    make_due(&database, id).await;
    let last = worker.run_once().await.unwrap();
    assert!(matches!(last, Some(Outcome::Dead { .. })), "{last:?}");

    let row = jobs::find(&database.db, id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 3));
    assert_eq!(
        row.last_error.as_deref(),
        Some("gave up after 3 attempts: the handler panicked: the printer is on fire")
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_the_loop_stops_the_heartbeat_and_the_loop_carries_on() {
    let database = TestDatabase::create().await;
    let queue = SpyQueue::new(&database);
    let extends = queue.extends.clone();
    let steady_runs = Arc::new(AtomicU32::new(0));
    let handlers = HandlerRegistry::default()
        .with(Panicky {
            // Long enough for the heartbeat (every third of the 1 s lease) to beat.
            pause: Duration::from_millis(800),
            ..Panicky::default()
        })
        .with(Steady(steady_runs.clone()));
    let mut short_lease = worker_settings();
    short_lease.lease_seconds = 1;
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(
        Worker::new(database.db.clone(), &short_lease, handlers)
            .with_queue(Arc::new(queue))
            .run_until_stopped(shutdown.clone()),
    );
    // One attempt only, so the first panic makes it dead.
    let id = JobId::new();
    jobs::enqueue_raw(&database.db, id, PanickyJob::KIND, "{}", 1, jobs::now())
        .await
        .unwrap();

    let dead = eventually(Duration::from_secs(10), async || {
        let row = jobs::find(&database.db, id).await.unwrap().unwrap();
        row.status.as_str() == "dead"
    })
    .await;
    assert!(dead, "the job is settled, not stuck running");
    let row = jobs::find(&database.db, id).await.unwrap().unwrap();
    assert_eq!(
        row.last_error.as_deref(),
        Some("gave up after 1 attempts: the handler panicked: the printer is on fire")
    );
    let beats = extends.load(Ordering::SeqCst);
    assert!(beats >= 1, "the heartbeat beat while the handler ran");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        extends.load(Ordering::SeqCst),
        beats,
        "no heartbeat once the attempt is over"
    );

    enqueue(&database, SteadyJob::KIND).await;
    let ran = eventually(Duration::from_secs(5), async || {
        steady_runs.load(Ordering::SeqCst) == 1
    })
    .await;
    assert!(ran, "the loop goes on running jobs after a panic");
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .unwrap()
        .unwrap();
}
