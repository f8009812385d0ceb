//! `just bench-jobs`: how many no-op jobs per second go through the queue (enqueue
//! excluded: publish when SQS, claim, run, record as processed, delete) on the database
//! `TEST_DATABASE_URL` names (SQLite when unset): the SQL queue, and SQS too when
//! `TEST_SQS_ENDPOINT` names one (a moto server measures our overhead plus moto's, not
//! AWS's throughput). Prints the figures; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use async_trait::async_trait;
use sea_orm::TransactionTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::WorkerSettings;
use trove_bootstrap::settings::{AwsSettings, QueueBackend, QueueSettings};
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::ids::JobId;
use trove_domain::job::{JobKind, Lane};
use trove_worker::{HandlerRegistry, JobContext, JobError, JobHandler, Worker, queue};

/// The payload of a job that does nothing (stored as `{}`).
#[derive(serde::Deserialize)]
struct NoopJob {}

impl JobKind for NoopJob {
    const KIND: &'static str = "noop";
    const LANE: Lane = Lane::Fast;
}

struct Noop(Arc<AtomicU64>);

#[async_trait]
impl JobHandler for Noop {
    type Payload = NoopJob;

    async fn run(&self, _job: JobContext, _payload: NoopJob) -> Result<(), JobError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

async fn sqs_settings(endpoint: &str) -> Settings {
    use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
        .load()
        .await;
    let name = format!("trove-bench-{}", uuid::Uuid::new_v4().simple());
    let created = aws_sdk_sqs::Client::new(&config)
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap();
    Settings {
        queue: QueueSettings {
            backend: QueueBackend::Sqs,
            sqs_queue_url: created.queue_url().map(str::to_owned),
            receive_wait_seconds: 1,
            relay_interval_ms: 10,
        },
        aws: AwsSettings {
            endpoint_url: Some(endpoint.to_owned()),
            access_key_id: Some("bench".into()),
            secret_access_key: Some("bench".to_owned().into()),
            ..AwsSettings::default()
        },
        ..Settings::default()
    }
}

async fn run(label: &str, count: u64, concurrency: usize, queue_settings: Settings) {
    let database = TestDatabase::create().await;
    let txn = database.db.begin().await.unwrap();
    for _ in 0..count {
        jobs::enqueue_raw(&txn, JobId::new(), "noop", "{}", 1, jobs::now())
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();

    let done = Arc::new(AtomicU64::new(0));
    let settings = WorkerSettings {
        concurrency,
        poll_interval_ms: 10,
        ..WorkerSettings::default()
    };
    let (queue, relay) =
        queue::from_settings(&database.db, &queue_settings.queue, &queue_settings.aws)
            .await
            .unwrap();
    let worker = Worker::new(
        database.db.clone(),
        &settings,
        HandlerRegistry::default().with(Noop(done.clone())),
    )
    .with_queue(queue);
    let shutdown = CancellationToken::new();
    let started = Instant::now();
    let relay = relay.map(|relay| tokio::spawn(relay.run_until_stopped(shutdown.clone())));
    let running = tokio::spawn(worker.run_until_stopped(shutdown.clone()));
    while done.load(Ordering::Relaxed) < count {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    shutdown.cancel();
    running.await.unwrap();
    if let Some(relay) = relay {
        relay.await.unwrap();
    }
    println!(
        "{label} queue, {:?} database: {count} no-op jobs in {:.2} s = {:.0} jobs/s (concurrency {concurrency})",
        database.backend(),
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let count: u64 = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(8);
    run("sql", count, concurrency, Settings::default()).await;
    if let Some(endpoint) = std::env::var("TEST_SQS_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    {
        run(
            "sqs",
            count.min(500),
            concurrency,
            sqs_settings(&endpoint).await,
        )
        .await;
    }
}
