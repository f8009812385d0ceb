//! `just bench-jobs`: how many no-op jobs per second go through the SQL queue (enqueue
//! excluded: claim, run, record as processed, delete) on the database `TEST_DATABASE_URL`
//! names (SQLite when unset). Prints the figure; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use async_trait::async_trait;
use sea_orm::TransactionTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use trove_bootstrap::settings::WorkerSettings;
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::ids::JobId;
use trove_worker::{HandlerRegistry, JobContext, JobError, JobHandler, Worker};

struct Noop(Arc<AtomicU64>);

#[async_trait]
impl JobHandler for Noop {
    fn kind(&self) -> &'static str {
        "noop"
    }

    async fn run(&self, _job: JobContext, _payload: &str) -> Result<(), JobError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
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
    let worker = Worker::new(
        database.db.clone(),
        &settings,
        HandlerRegistry::default().with(Noop(done.clone())),
    );
    let shutdown = CancellationToken::new();
    let started = Instant::now();
    let running = tokio::spawn(worker.run_until_stopped(shutdown.clone()));
    while jobs::pending_count(&database.db).await.unwrap() > 0
        || done.load(Ordering::Relaxed) < count
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    shutdown.cancel();
    running.await.unwrap();
    println!(
        "sql queue on {:?}: {count} no-op jobs in {:.2} s = {:.0} jobs/s (concurrency {concurrency})",
        database.backend(),
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
