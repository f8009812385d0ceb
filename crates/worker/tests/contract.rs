//! One contract, both queues: every scenario runs against the SQL queue (on the database
//! `TEST_DATABASE_URL` names) and, when `TEST_SQS_ENDPOINT` names an SQS stand-in, against
//! SQS fed by the relay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;
use trove_bootstrap::Settings;
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::ids::JobId;
use trove_worker::queue::{self, Delivery, JobQueue, sqs::Relay};

const KINDS: &[&str] = &["contract"];

struct Harness {
    name: &'static str,
    database: TestDatabase,
    queue: Arc<dyn JobQueue>,
    relay: Option<Relay>,
}

impl Harness {
    async fn enqueue(&self, kind: &str) -> JobId {
        let id = JobId::new();
        jobs::enqueue_raw(&self.database.db, id, kind, "{}", 5, jobs::now())
            .await
            .unwrap();
        if let Some(relay) = &self.relay {
            relay.publish_due().await.unwrap();
        }
        id
    }

    async fn claim(&self, kinds: &[&'static str], lease: Duration) -> Vec<Delivery> {
        self.queue.claim(kinds, 10, lease).await.unwrap()
    }
}

/// A fresh harness per available backend.
async fn harnesses() -> Vec<Harness> {
    let mut all = Vec::new();
    let mut backends = vec![("sql", Settings::default())];
    if let Some(endpoint) = support::sqs_endpoint() {
        backends.push(("sqs", support::sqs_settings(&endpoint, &endpoint).await));
    } else {
        eprintln!("TEST_SQS_ENDPOINT not set; the contract runs on the SQL queue only");
    }
    for (name, settings) in backends {
        let database = TestDatabase::create().await;
        let (queue, relay) = queue::from_settings(&database.db, &settings.queue, &settings.aws)
            .await
            .unwrap();
        all.push(Harness {
            name,
            database,
            queue,
            relay,
        });
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_job_is_delivered_to_one_claimant_and_completing_it_removes_it() {
    for h in harnesses().await {
        let id = h.enqueue("contract").await;
        let first = h.claim(KINDS, Duration::from_secs(30)).await;
        assert_eq!(first.len(), 1, "{}", h.name);
        assert_eq!(
            (first[0].job.id, first[0].job.attempt),
            (id, 1),
            "{}",
            h.name
        );
        assert!(
            h.claim(KINDS, Duration::from_secs(30)).await.is_empty(),
            "{}: reserved",
            h.name
        );

        h.queue.complete(&first[0]).await.unwrap();
        assert!(
            jobs::find(&h.database.db, id).await.unwrap().is_none(),
            "{}",
            h.name
        );
        assert!(
            jobs::was_processed(&h.database.db, id).await.unwrap(),
            "{}",
            h.name
        );
        assert!(
            h.claim(KINDS, Duration::from_secs(30)).await.is_empty(),
            "{}: gone",
            h.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_job_comes_back_after_its_delay_as_the_next_attempt() {
    for h in harnesses().await {
        let id = h.enqueue("contract").await;
        let first = h.claim(KINDS, Duration::from_secs(30)).await;
        h.queue
            .retry_later(&first[0], Duration::from_secs(1), "timeout")
            .await
            .unwrap();
        assert!(
            h.claim(KINDS, Duration::from_secs(30)).await.is_empty(),
            "{}: waits",
            h.name
        );
        assert_eq!(
            jobs::find(&h.database.db, id)
                .await
                .unwrap()
                .unwrap()
                .last_error
                .as_deref(),
            Some("timeout"),
            "{}",
            h.name
        );

        tokio::time::sleep(Duration::from_millis(1300)).await;
        let again = h.claim(KINDS, Duration::from_secs(30)).await;
        assert_eq!(again.len(), 1, "{}", h.name);
        assert_eq!(
            (again[0].job.id, again[0].job.attempt),
            (id, 2),
            "{}",
            h.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buried_job_is_dead_with_its_reason_and_never_delivered_again() {
    for h in harnesses().await {
        let id = h.enqueue("contract").await;
        let first = h.claim(KINDS, Duration::from_secs(1)).await;
        h.queue.bury(&first[0], "bad address").await.unwrap();
        let row = jobs::find(&h.database.db, id).await.unwrap().unwrap();
        assert_eq!(
            (row.status.as_str(), row.last_error.as_deref()),
            ("dead", Some("bad address")),
            "{}",
            h.name
        );

        tokio::time::sleep(Duration::from_millis(1300)).await;
        assert!(
            h.claim(KINDS, Duration::from_secs(30)).await.is_empty(),
            "{}",
            h.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_job_is_available_at_once_and_an_extended_one_stays_reserved() {
    for h in harnesses().await {
        let released = h.enqueue("contract").await;
        let first = h.claim(KINDS, Duration::from_secs(30)).await;
        h.queue.release(&first[0]).await.unwrap();
        let again = h.claim(KINDS, Duration::from_secs(1)).await;
        assert_eq!(
            again.iter().map(|d| d.job.id).collect::<Vec<_>>(),
            [released],
            "{}",
            h.name
        );

        h.queue
            .extend(&again[0], Duration::from_secs(4))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(
            h.claim(KINDS, Duration::from_secs(30)).await.is_empty(),
            "{}: the extension outlasts the first lease",
            h.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_a_kind_this_worker_cannot_run_waits_for_one_that_can() {
    for h in harnesses().await {
        let other = h.enqueue("someone_else").await;
        assert!(
            h.claim(KINDS, Duration::from_secs(30)).await.is_empty(),
            "{}",
            h.name
        );
        let taken = h.claim(&["someone_else"], Duration::from_secs(30)).await;
        assert_eq!(
            taken.iter().map(|d| d.job.id).collect::<Vec<_>>(),
            [other],
            "{}",
            h.name
        );
    }
}
