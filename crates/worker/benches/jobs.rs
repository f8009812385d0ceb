//! `just bench-jobs`: how many no-op jobs per second the SQL queue runs (claim, run,
//! record as processed, delete) with a backlog of 1k, 100k and 1M pending jobs, on the
//! database `TEST_DATABASE_URL` names (SQLite when unset). With `TEST_SQS_ENDPOINT` set it
//! also measures the outbox relay publishing a backlog to SQS against the endpoint's own
//! ceiling (the same batches sent straight to it); on a moto server that ceiling is
//! moto's, not AWS's. Prints the figures; asserts nothing.
//!
//! `BENCH_BACKLOGS` (comma-separated), `BENCH_JOBS` (jobs timed per backlog, default
//! 20,000), `BENCH_CONCURRENCY` (worker slots, default 64) and `BENCH_SQS_MESSAGES`
//! (messages timed through SQS, default 1,000) change the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use async_trait::async_trait;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use sea_orm::TransactionTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::WorkerSettings;
use trove_bootstrap::settings::{AwsSettings, QueueBackend, QueueSettings};
use trove_data_access::jobs::{self, NewJob};
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

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Fills the queue with `count` due no-op jobs, oldest first, a second apart at most.
async fn fill(database: &TestDatabase, count: u64) {
    const PER_TRANSACTION: u64 = 10_000;
    let start = jobs::now() - chrono::Duration::seconds(3600);
    let mut written = 0;
    while written < count {
        let batch = PER_TRANSACTION.min(count - written);
        let new: Vec<NewJob> = (written..written + batch)
            .map(|n| NewJob {
                id: JobId::new(),
                kind: NoopJob::KIND,
                payload: "{}",
                max_attempts: 1,
                run_at: start + chrono::Duration::milliseconds((n % 3_600_000) as i64),
            })
            .collect();
        let txn = database.db.begin().await.unwrap();
        jobs::enqueue_raw_many(&txn, &new).await.unwrap();
        txn.commit().await.unwrap();
        written += batch;
    }
}

/// Runs `jobs` of the backlog through a worker with `concurrency` slots; jobs per second.
async fn drain(database: &TestDatabase, settings: &Settings, jobs: u64, concurrency: usize) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let worker_settings = WorkerSettings {
        concurrency,
        poll_interval_ms: 10,
        ..WorkerSettings::default()
    };
    let (queue, relay) = queue::from_settings(&database.db, &settings.queue, &settings.aws)
        .await
        .unwrap();
    let worker = Worker::new(
        database.db.clone(),
        &worker_settings,
        HandlerRegistry::default().with(Noop(done.clone())),
    )
    .with_queue(queue);
    let shutdown = CancellationToken::new();
    let started = Instant::now();
    let relay = relay.map(|relay| tokio::spawn(relay.run_until_stopped(shutdown.clone())));
    let running = tokio::spawn(worker.run_until_stopped(shutdown.clone()));
    while done.load(Ordering::Relaxed) < jobs {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    shutdown.cancel();
    running.await.unwrap();
    if let Some(relay) = relay {
        relay.await.unwrap();
    }
    rate
}

async fn sqs_client(endpoint: &str) -> aws_sdk_sqs::Client {
    use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
        .load()
        .await;
    aws_sdk_sqs::Client::new(&config)
}

async fn sqs_settings(client: &aws_sdk_sqs::Client, endpoint: &str) -> Settings {
    let name = format!("trove-bench-{}", uuid::Uuid::new_v4().simple());
    let created = client.create_queue().queue_name(name).send().await.unwrap();
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

/// Messages per second the endpoint takes when sent `messages` in batches of 10, ten
/// batches at a time (what one relay round sends), with no database involved.
async fn sqs_ceiling(client: &aws_sdk_sqs::Client, queue_url: &str, messages: u64) -> f64 {
    let started = Instant::now();
    let mut sent = 0;
    while sent < messages {
        let batches = (0..10).map(|batch| {
            let entries = (0..10)
                .map(|n| {
                    SendMessageBatchRequestEntry::builder()
                        .id(n.to_string())
                        .message_body(format!(r#"{{"ceiling":{batch}}}"#))
                        .build()
                        .unwrap()
                })
                .collect();
            client
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
        });
        for result in futures_util::future::join_all(batches).await {
            result.unwrap();
        }
        sent += 100;
    }
    sent as f64 / started.elapsed().as_secs_f64()
}

/// Messages per second the relay publishes from a backlog of `backlog` jobs (timing the
/// first `messages`), and the endpoint's ceiling for as many messages into another new
/// queue (an emulator may slow down as a queue fills, so both start empty).
async fn relay_rate(endpoint: &str, backlog: u64, messages: u64) -> (f64, f64) {
    let client = sqs_client(endpoint).await;
    let ceiling_queue = sqs_settings(&client, endpoint).await.queue.sqs_queue_url;
    let ceiling = sqs_ceiling(&client, &ceiling_queue.unwrap(), messages).await;
    let settings = sqs_settings(&client, endpoint).await;
    let database = TestDatabase::create().await;
    fill(&database, backlog).await;
    let (_, relay) = queue::from_settings(&database.db, &settings.queue, &settings.aws)
        .await
        .unwrap();
    let relay = relay.unwrap();
    let started = Instant::now();
    let mut published = 0;
    while published < messages as usize {
        published += relay.publish_round().await.unwrap();
    }
    (published as f64 / started.elapsed().as_secs_f64(), ceiling)
}

#[tokio::main]
async fn main() {
    let backlogs: Vec<u64> = std::env::var("BENCH_BACKLOGS")
        .unwrap_or_else(|_| "1000,100000,1000000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let timed: u64 = env_or("BENCH_JOBS", 20_000);
    let concurrency: usize = env_or("BENCH_CONCURRENCY", 64);
    let mut rows = Vec::new();
    for &backlog in &backlogs {
        let database = TestDatabase::create().await;
        let filling = Instant::now();
        fill(&database, backlog).await;
        let filled = filling.elapsed();
        let jobs = timed.min(backlog);
        let rate = drain(&database, &Settings::default(), jobs, concurrency).await;
        println!(
            "sql queue, {:?}: backlog {backlog:>9}: {rate:>8.0} jobs/s ({jobs} jobs timed, concurrency {concurrency}; filled in {:.1} s)",
            database.backend(),
            filled.as_secs_f64()
        );
        rows.push((database.backend(), backlog, rate));
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        println!(
            "sql queue, {:?}: rate at {} pending is {:.0} % of the rate at {}",
            first.0,
            last.1,
            100.0 * last.2 / first.2,
            first.1
        );
    }
    if let Some(endpoint) = std::env::var("TEST_SQS_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    {
        let backlog = backlogs.last().copied().unwrap_or(1000);
        let messages = env_or("BENCH_SQS_MESSAGES", 1_000).min(backlog);
        let (relay, ceiling) = relay_rate(&endpoint, backlog, messages).await;
        println!(
            "outbox relay to SQS at {endpoint}: backlog {backlog}: {relay:.0} messages/s published; the endpoint takes {ceiling:.0} messages/s sent straight ({:.0} %)",
            100.0 * relay / ceiling
        );
    }
}
