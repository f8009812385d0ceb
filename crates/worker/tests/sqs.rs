//! The SQS backend against a local SQS (moto, started by `.ci/run`; skipped without
//! `TEST_SQS_ENDPOINT`): the relay publishes the outbox, the worker consumes, retries
//! through the visibility timeout, buries, and nothing is lost or doubled across an outage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::WorkerSettings;
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_data_access::testing::tcp_proxy::TcpProxy;
use trove_domain::ids::JobId;
use trove_domain::job::{JobKind, Lane};
use trove_worker::queue::{self, sqs::Relay};
use trove_worker::{HandlerRegistry, JobContext, JobError, JobHandler, Outcome, Worker};

/// What a scripted job does, stored as a JSON string such as `"fail-once"`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Script {
    Ok,
    FailOnce,
    Reject,
}

impl JobKind for Script {
    const KIND: &'static str = "scripted";
    const LANE: Lane = Lane::Fast;
}

/// Fails (transiently or for good) as its payload says; counts runs per job.
#[derive(Default)]
struct Scripted {
    runs: Arc<AtomicU32>,
}

#[async_trait]
impl JobHandler for Scripted {
    type Payload = Script;

    async fn run(&self, job: JobContext, script: Script) -> Result<(), JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        match script {
            Script::FailOnce if job.attempt == 1 => Err(JobError::Transient("timeout".into())),
            Script::Reject => Err(JobError::Permanent("bad address".into())),
            Script::Ok | Script::FailOnce => Ok(()),
        }
    }
}

async fn setup(
    settings: &Settings,
    database: &TestDatabase,
    runs: Arc<AtomicU32>,
) -> (Worker, Relay) {
    let (queue, relay) = queue::from_settings(&database.db, &settings.queue, &settings.aws)
        .await
        .unwrap();
    let worker_settings = WorkerSettings {
        retry_base_seconds: 1,
        retry_max_seconds: 1,
        lease_seconds: 30,
        ..WorkerSettings::default()
    };
    let worker = Worker::new(
        database.db.clone(),
        &worker_settings,
        HandlerRegistry::default().with(Scripted { runs }),
    )
    .with_queue(queue);
    (worker, relay.unwrap())
}

/// A scripted job doing `script` (`ok`, `fail-once` or `reject`).
async fn enqueue(database: &TestDatabase, script: &str) -> JobId {
    let id = JobId::new();
    let payload = serde_json::to_string(script).unwrap();
    jobs::enqueue_raw(&database.db, id, "scripted", &payload, 3, jobs::now())
        .await
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_publishes_in_batches_and_each_job_runs_once() {
    let Some(sqs) = support::sqs_endpoint() else {
        eprintln!("TEST_SQS_ENDPOINT not set; skipping the SQS test");
        return;
    };
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let (worker, relay) = setup(
        &support::sqs_settings(&sqs, &sqs).await,
        &database,
        runs.clone(),
    )
    .await;
    let ids: Vec<JobId> = futures_join(&database, 15).await;

    assert_eq!(relay.publish_due().await.unwrap(), 15);
    let row = jobs::find(&database.db, ids[0]).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "sent");
    assert_eq!(relay.publish_due().await.unwrap(), 0, "published once");

    let mut completed = 0;
    while let Some(outcome) = worker.run_once().await.unwrap() {
        assert_eq!(outcome, Outcome::Completed);
        completed += 1;
    }
    assert_eq!((completed, runs.load(Ordering::SeqCst)), (15, 15));
    for id in ids {
        assert!(jobs::find(&database.db, id).await.unwrap().is_none());
        assert!(jobs::was_processed(&database.db, id).await.unwrap());
    }
}

async fn futures_join(database: &TestDatabase, count: usize) -> Vec<JobId> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        ids.push(enqueue(database, "ok").await);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_sqs_down_jobs_wait_in_the_outbox_and_each_arrives_once_when_it_returns() {
    let Some(sqs) = support::sqs_endpoint() else {
        eprintln!("TEST_SQS_ENDPOINT not set; skipping the SQS test");
        return;
    };
    let target = sqs.trim_start_matches("http://").parse().unwrap();
    let proxy = TcpProxy::start(target).await;
    let via_proxy = format!("http://127.0.0.1:{}", proxy.port);
    let settings = support::sqs_settings(&sqs, &via_proxy).await;
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let (worker, relay) = setup(&settings, &database, runs.clone()).await;

    proxy.cut().await;
    let ids = futures_join(&database, 5).await;
    assert!(relay.publish_due().await.is_err(), "SQS is unreachable");
    let row = jobs::find(&database.db, ids[0]).await.unwrap().unwrap();
    assert_eq!(
        row.status.as_str(),
        "pending",
        "the job waits in the outbox"
    );
    assert!(row.last_error.unwrap().contains("SQS publish failed"));

    proxy.restore();
    assert_eq!(relay.publish_due().await.unwrap(), 5);
    while worker.run_once().await.unwrap().is_some() {}
    assert_eq!(
        runs.load(Ordering::SeqCst),
        5,
        "every job arrived exactly once"
    );
    assert_eq!(worker.run_once().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_ride_the_visibility_timeout_and_permanent_failures_are_dead() {
    let Some(sqs) = support::sqs_endpoint() else {
        eprintln!("TEST_SQS_ENDPOINT not set; skipping the SQS test");
        return;
    };
    let database = TestDatabase::create().await;
    let runs = Arc::new(AtomicU32::new(0));
    let (worker, relay) = setup(
        &support::sqs_settings(&sqs, &sqs).await,
        &database,
        runs.clone(),
    )
    .await;
    let flaky = enqueue(&database, "fail-once").await;
    relay.publish_due().await.unwrap();

    let first = worker.run_once().await.unwrap();
    assert!(
        matches!(&first, Some(Outcome::Retrying { delay, .. }) if *delay <= Duration::from_secs(1)),
        "{first:?}"
    );
    assert_eq!(
        jobs::find(&database.db, flaky)
            .await
            .unwrap()
            .unwrap()
            .last_error
            .as_deref(),
        Some("timeout")
    );
    assert_eq!(
        worker.run_once().await.unwrap(),
        None,
        "invisible until the delay passes"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        worker.run_once().await.unwrap(),
        Some(Outcome::Completed),
        "attempt 2 succeeds"
    );

    let rejected = enqueue(&database, "reject").await;
    relay.publish_due().await.unwrap();
    let dead = worker.run_once().await.unwrap();
    assert!(
        matches!(&dead, Some(Outcome::Dead { reason }) if reason == "bad address"),
        "{dead:?}"
    );
    let row = jobs::find(&database.db, rejected).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 1));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        worker.run_once().await.unwrap(),
        None,
        "its message is gone from the queue"
    );

    assert!(jobs::retry_dead(&database.db, rejected).await.unwrap());
    assert_eq!(
        relay.publish_due().await.unwrap(),
        1,
        "a redriven job is published again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_days_ahead_stays_in_the_outbox_past_the_15_minute_delay_limit() {
    let Some(sqs) = support::sqs_endpoint() else {
        eprintln!("TEST_SQS_ENDPOINT not set; skipping the SQS test");
        return;
    };
    let database = TestDatabase::create().await;
    let (worker, relay) = setup(
        &support::sqs_settings(&sqs, &sqs).await,
        &database,
        Arc::default(),
    )
    .await;
    let later = JobId::new();
    jobs::enqueue_raw(
        &database.db,
        later,
        "scripted",
        r#""ok""#,
        3,
        jobs::now() + chrono::Duration::days(3),
    )
    .await
    .unwrap();
    let soon = JobId::new();
    jobs::enqueue_raw(
        &database.db,
        soon,
        "scripted",
        r#""ok""#,
        3,
        jobs::now() + chrono::Duration::seconds(60),
    )
    .await
    .unwrap();

    assert_eq!(
        relay.publish_due().await.unwrap(),
        1,
        "only the job within the delay limit"
    );
    assert_eq!(
        jobs::find(&database.db, later)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "pending"
    );
    assert_eq!(
        jobs::find(&database.db, soon)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "sent"
    );
    assert_eq!(
        worker.run_once().await.unwrap(),
        None,
        "delayed in SQS until its time"
    );
}
