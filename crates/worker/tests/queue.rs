//! The worker loop against the jobs table on SQLite, MariaDB or PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use support::{enqueue, expire_lease, make_due, worker_settings as settings};
use tokio_util::sync::CancellationToken;
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::job::{JobKind, Lane};
use trove_worker::{HandlerRegistry, JobContext, JobError, JobHandler, Outcome, Worker};

/// The payloads of the jobs here: each `{"n":1}`, one kind per handler.
#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
struct SlowJob {
    n: u32,
}

impl JobKind for SlowJob {
    const KIND: &'static str = "slow";
    const LANE: Lane = Lane::Fast;
}

#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
struct FlakyJob {
    n: u32,
}

impl JobKind for FlakyJob {
    const KIND: &'static str = "flaky";
    const LANE: Lane = Lane::Fast;
}

#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
struct RejectingJob {
    n: u32,
}

impl JobKind for RejectingJob {
    const KIND: &'static str = "rejecting";
    const LANE: Lane = Lane::Fast;
}

/// Sleeps for `pause`, tracking how many run at once and how many finished.
#[derive(Default)]
struct Slow {
    pause: Duration,
    running: Arc<AtomicU32>,
    most_at_once: Arc<AtomicU32>,
    finished: Arc<AtomicU32>,
}

#[async_trait]
impl JobHandler for Slow {
    type Payload = SlowJob;

    async fn run(&self, _job: JobContext, _payload: SlowJob) -> Result<(), JobError> {
        let now_running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now_running, Ordering::SeqCst);
        tokio::time::sleep(self.pause).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Fails transiently `failures` times, then succeeds; counts its runs.
struct Flaky {
    failures: u32,
    runs: Arc<AtomicU32>,
}

#[async_trait]
impl JobHandler for Flaky {
    type Payload = FlakyJob;

    async fn run(&self, _job: JobContext, payload: FlakyJob) -> Result<(), JobError> {
        assert_eq!(payload, FlakyJob { n: 1 });
        let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        if run <= self.failures {
            Err(JobError::Transient(format!("attempt {run} timed out")))
        } else {
            Ok(())
        }
    }
}

struct Rejecting;

#[async_trait]
impl JobHandler for Rejecting {
    type Payload = RejectingJob;

    async fn run(&self, _job: JobContext, _payload: RejectingJob) -> Result<(), JobError> {
        Err(JobError::Permanent("recipient address is malformed".into()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_job_leaves_the_queue() {
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let handlers = HandlerRegistry::default().with(Flaky {
        failures: 0,
        runs: runs.clone(),
    });
    let worker = Worker::new(database.db.clone(), &settings(), handlers);
    let id = enqueue(&database, "flaky").await;

    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Completed));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(jobs::find(&database.db, id).await.unwrap().is_none());
    assert_eq!(
        worker.run_once().await.unwrap(),
        None,
        "nothing else is due"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_failure_is_retried_later_then_dies_after_max_attempts() {
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let handlers = HandlerRegistry::default().with(Flaky {
        failures: 10,
        runs: runs.clone(),
    });
    let worker = Worker::new(database.db.clone(), &settings(), handlers);
    let id = enqueue(&database, "flaky").await;

    let first = worker.run_once().await.unwrap();
    assert!(matches!(first, Some(Outcome::Retrying { .. })), "{first:?}");
    let row = jobs::find(&database.db, id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.run_at > jobs::now(), "the retry waits for its backoff");
    assert_eq!(row.last_error.as_deref(), Some("attempt 1 timed out"));
    assert_eq!(
        worker.run_once().await.unwrap(),
        None,
        "not due before the backoff"
    );

    make_due(&database, id).await;
    assert!(matches!(
        worker.run_once().await.unwrap(),
        Some(Outcome::Retrying { .. })
    ));
    make_due(&database, id).await;
    let last = worker.run_once().await.unwrap();
    assert!(matches!(last, Some(Outcome::Dead { .. })), "{last:?}");

    let row = jobs::find(&database.db, id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 3));
    assert!(row.last_error.unwrap().contains("gave up after 3 attempts"));
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_is_dead_at_once_with_its_reason() {
    let database = TestDatabase::create().await;
    let worker = Worker::new(
        database.db.clone(),
        &settings(),
        HandlerRegistry::default().with(Rejecting),
    );
    let rejected = enqueue(&database, "rejecting").await;
    worker.run_once().await.unwrap();
    let row = jobs::find(&database.db, rejected).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 1));
    assert_eq!(
        row.last_error.as_deref(),
        Some("recipient address is malformed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_nobody_can_run_waits_for_a_worker_that_can() {
    let database = TestDatabase::create().await;
    let worker = Worker::new(
        database.db.clone(),
        &settings(),
        HandlerRegistry::default().with(Rejecting),
    );
    let waiting = enqueue(&database, "send_email").await;
    assert_eq!(worker.run_once().await.unwrap(), None);
    let row = jobs::find(&database.db, waiting).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_job_is_not_claimed_again_until_its_lease_runs_out() {
    let database = TestDatabase::create().await;
    let id = enqueue(&database, "flaky").await;
    let claimed = jobs::claim(&database.db, &["flaky"], 1, Duration::from_secs(60))
        .await
        .unwrap()
        .pop();
    assert_eq!(claimed.map(|job| (job.id, job.attempt)), Some((id, 1)));
    assert!(
        jobs::claim(&database.db, &["flaky"], 1, Duration::from_secs(60))
            .await
            .unwrap()
            .pop()
            .is_none()
    );

    expire_lease(&database, id).await;
    let reclaimed = jobs::claim(&database.db, &["flaky"], 1, Duration::from_secs(60))
        .await
        .unwrap()
        .pop();
    assert_eq!(
        reclaimed.map(|job| (job.id, job.attempt)),
        Some((id, 2)),
        "an expired lease makes the job claimable again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_drains_due_jobs_and_stops_on_shutdown() {
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let handlers = HandlerRegistry::default().with(Flaky {
        failures: 0,
        runs: runs.clone(),
    });
    for _ in 0..3 {
        enqueue(&database, "flaky").await;
    }
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(
        Worker::new(database.db.clone(), &settings(), handlers).run_until_stopped(shutdown.clone()),
    );
    for _ in 0..100 {
        if runs.load(Ordering::SeqCst) == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(jobs::pending_count(&database.db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_than_the_concurrency_limit_run_at_once() {
    let database = TestDatabase::create().await;
    let slow = Slow {
        pause: Duration::from_millis(150),
        ..Slow::default()
    };
    let (most, finished) = (slow.most_at_once.clone(), slow.finished.clone());
    for _ in 0..6 {
        enqueue(&database, "slow").await;
    }
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(
        Worker::new(
            database.db.clone(),
            &settings(),
            HandlerRegistry::default().with(slow),
        )
        .run_until_stopped(shutdown.clone()),
    );
    for _ in 0..200 {
        if finished.load(Ordering::SeqCst) == 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    worker.await.unwrap();
    assert_eq!(finished.load(Ordering::SeqCst), 6);
    assert_eq!(
        most.load(Ordering::SeqCst),
        2,
        "settings allow two at a time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_longer_than_its_lease_is_kept_by_the_heartbeat() {
    let database = TestDatabase::create().await;
    let id = enqueue(&database, "slow").await;
    let mut short_lease = settings();
    short_lease.lease_seconds = 1;
    let slow = Slow {
        pause: Duration::from_millis(2500),
        ..Slow::default()
    };
    let worker = Worker::new(
        database.db.clone(),
        &short_lease,
        HandlerRegistry::default().with(slow),
    );
    let running = tokio::spawn(async move { worker.run_once().await });

    tokio::time::sleep(Duration::from_millis(1700)).await;
    let rival = jobs::claim(&database.db, &["slow"], 1, Duration::from_secs(1))
        .await
        .unwrap()
        .pop();
    assert_eq!(
        rival, None,
        "the running job must not be delivered to a second worker"
    );
    assert_eq!(running.await.unwrap().unwrap(), Some(Outcome::Completed));
    assert!(jobs::find(&database.db, id).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_job_that_was_processed_does_not_run_again() {
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let worker = Worker::new(
        database.db.clone(),
        &settings(),
        HandlerRegistry::default().with(Flaky {
            failures: 0,
            runs: runs.clone(),
        }),
    );
    let id = enqueue(&database, "flaky").await;
    jobs::complete(&database.db, id, "flaky").await.unwrap();
    jobs::enqueue_raw(&database.db, id, "flaky", r#"{"n":1}"#, 3, jobs::now())
        .await
        .unwrap();

    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Skipped));
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert!(jobs::find(&database.db, id).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_jobs_that_outlive_the_grace_period() {
    let database = TestDatabase::create().await;
    let id = enqueue(&database, "slow").await;
    let mut quick_exit = settings();
    quick_exit.shutdown_grace_seconds = 0;
    let slow = Slow {
        pause: Duration::from_secs(60),
        ..Slow::default()
    };
    let running = slow.running.clone();
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(
        Worker::new(
            database.db.clone(),
            &quick_exit,
            HandlerRegistry::default().with(slow),
        )
        .run_until_stopped(shutdown.clone()),
    );
    for _ in 0..100 {
        if running.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .unwrap()
        .unwrap();
    let row = jobs::find(&database.db, id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("pending", 0),
        "released for another worker, attempt not counted"
    );
    assert!(row.run_at <= jobs::now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_claim_takes_the_oldest_due_jobs_once_each() {
    let database = TestDatabase::create().await;
    let start = jobs::now() - chrono::Duration::seconds(60);
    let ids: Vec<_> = (0..5).map(|_| trove_domain::ids::JobId::new()).collect();
    for (age, id) in ids.iter().enumerate().rev() {
        let run_at = start + chrono::Duration::seconds(age as i64);
        jobs::enqueue_raw(&database.db, *id, "flaky", "{}", 3, run_at)
            .await
            .unwrap();
    }
    let later = jobs::now() + chrono::Duration::seconds(60);
    jobs::enqueue_raw(
        &database.db,
        trove_domain::ids::JobId::new(),
        "flaky",
        "{}",
        3,
        later,
    )
    .await
    .unwrap();

    let first = jobs::claim(&database.db, &["flaky"], 3, Duration::from_secs(60))
        .await
        .unwrap();
    let rest = jobs::claim(&database.db, &["flaky"], 3, Duration::from_secs(60))
        .await
        .unwrap();
    let taken: Vec<_> = first.iter().chain(&rest).map(|job| job.id).collect();
    assert_eq!(
        taken, ids,
        "oldest first, each once, the job not yet due left"
    );
    assert!(first.iter().chain(&rest).all(|job| job.attempt == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_lease_ran_out_is_claimed_before_a_backlog() {
    let database = TestDatabase::create().await;
    let abandoned = enqueue(&database, "flaky").await;
    jobs::claim(&database.db, &["flaky"], 1, Duration::from_secs(60))
        .await
        .unwrap();
    expire_lease(&database, abandoned).await;
    let old = jobs::now() - chrono::Duration::seconds(3600);
    for _ in 0..20 {
        jobs::enqueue_raw(
            &database.db,
            trove_domain::ids::JobId::new(),
            "flaky",
            "{}",
            3,
            old,
        )
        .await
        .unwrap();
    }

    let next = jobs::claim(&database.db, &["flaky"], 1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        next.iter()
            .map(|job| (job.id, job.attempt))
            .collect::<Vec<_>>(),
        vec![(abandoned, 2)],
        "a dead worker's job is not starved by older pending jobs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claimers_never_take_the_same_job() {
    let database = TestDatabase::create().await;
    let mut enqueued = std::collections::HashSet::new();
    for _ in 0..200 {
        enqueued.insert(enqueue(&database, "flaky").await);
    }
    let claimers = (0..4).map(|_| {
        let db = database.db.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = jobs::claim(&db, &["flaky"], 7, Duration::from_secs(60)).await;
                match batch {
                    Ok(batch) if batch.is_empty() => return mine,
                    Ok(batch) => mine.extend(batch.into_iter().map(|job| job.id)),
                    // SQLite's single writer may turn a claimer away for a moment.
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                }
            }
        })
    });
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.unwrap());
    }
    let distinct: std::collections::HashSet<_> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), 200, "every job claimed once");
    assert_eq!(distinct, enqueued);
}
