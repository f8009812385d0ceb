//! Helpers shared by the worker's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sqs::config::Credentials;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::{AwsSettings, QueueBackend, QueueSettings, WorkerSettings};
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::ids::JobId;
use trove_worker::queue::sql::SqlQueue;
use trove_worker::queue::{Delivery, JobQueue, QueueError};

/// Quick polls and retries, two fast slots and one slow, three attempts.
pub fn worker_settings() -> WorkerSettings {
    WorkerSettings {
        metrics_port: 0,
        concurrency: 2,
        slow_concurrency: 1,
        shutdown_grace_seconds: 5,
        poll_interval_ms: 20,
        lease_seconds: 60,
        max_attempts: 3,
        retry_base_seconds: 1,
        retry_max_seconds: 1,
    }
}

/// A due job of `kind` whose payload is `{"n":1}`, with three attempts.
pub async fn enqueue(database: &TestDatabase, kind: &str) -> JobId {
    let id = JobId::new();
    jobs::enqueue_raw(&database.db, id, kind, r#"{"n":1}"#, 3, jobs::now())
        .await
        .unwrap();
    id
}

/// Makes a rescheduled job due now, instead of waiting for its backoff.
pub async fn make_due(database: &TestDatabase, id: JobId) {
    set_in_the_past(database, "run_at", id).await;
}

/// Lets a job's lease run out, as when its worker died.
pub async fn expire_lease(database: &TestDatabase, id: JobId) {
    set_in_the_past(database, "locked_until", id).await;
}

async fn set_in_the_past(database: &TestDatabase, column: &str, id: JobId) {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = database.backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => format!("UPDATE jobs SET {column} = $1 WHERE id = $2"),
        _ => format!("UPDATE jobs SET {column} = ? WHERE id = ?"),
    };
    let earlier = jobs::now() - chrono::Duration::seconds(1);
    database
        .db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [earlier.into(), id.as_uuid().into()],
        ))
        .await
        .unwrap();
}

/// Polls `done` every 20 ms for up to `within`; whether it came true.
pub async fn eventually(within: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while !done().await {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// The SQS stand-in named by `TEST_SQS_ENDPOINT`, if any.
pub fn sqs_endpoint() -> Option<String> {
    std::env::var("TEST_SQS_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
}

/// A fresh queue on the stand-in at `sqs_endpoint`, and settings whose clients reach it
/// through `client_endpoint` (the same, or a proxy in front of it).
pub async fn sqs_settings(sqs_endpoint: &str, client_endpoint: &str) -> Settings {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(sqs_endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await;
    let name = format!("trove-test-{}", uuid::Uuid::new_v4().simple());
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
            receive_wait_seconds: 0,
            ..QueueSettings::default()
        },
        aws: AwsSettings {
            endpoint_url: Some(client_endpoint.to_owned()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".to_owned().into()),
            ..AwsSettings::default()
        },
        ..Settings::default()
    }
}

/// The SQL queue, counting lease extensions.
#[derive(Debug)]
pub struct SpyQueue {
    pub inner: SqlQueue,
    pub selects_kinds: bool,
    pub extends: Arc<AtomicU32>,
}

impl SpyQueue {
    pub fn new(database: &TestDatabase) -> Self {
        Self {
            inner: SqlQueue::new(database.db.clone()),
            selects_kinds: true,
            extends: Arc::default(),
        }
    }

    /// One that says it cannot choose kinds (as SQS), so the worker asks it for every kind
    /// it runs, whatever lane has room.
    pub fn unselective(database: &TestDatabase) -> Self {
        Self {
            selects_kinds: false,
            ..Self::new(database)
        }
    }
}

#[async_trait]
impl JobQueue for SpyQueue {
    fn selects_kinds(&self) -> bool {
        self.selects_kinds
    }

    async fn claim(
        &self,
        kinds: &[&'static str],
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        self.inner.claim(kinds, max, lease).await
    }

    async fn complete(&self, delivery: &Delivery) -> Result<(), QueueError> {
        self.inner.complete(delivery).await
    }

    async fn retry_later(
        &self,
        delivery: &Delivery,
        delay: Duration,
        error: &str,
    ) -> Result<(), QueueError> {
        self.inner.retry_later(delivery, delay, error).await
    }

    async fn bury(&self, delivery: &Delivery, error: &str) -> Result<(), QueueError> {
        self.inner.bury(delivery, error).await
    }

    async fn extend(&self, delivery: &Delivery, lease: Duration) -> Result<(), QueueError> {
        self.extends.fetch_add(1, Ordering::SeqCst);
        self.inner.extend(delivery, lease).await
    }

    async fn release(&self, delivery: &Delivery) -> Result<(), QueueError> {
        self.inner.release(delivery).await
    }
}
