//! Slow kinds run in their own lane: with every slow slot taken (an upload blocked until
//! the test lets it go), emails are still claimed and run, on the SQL queue and on a queue
//! that cannot choose kinds (SQS, or the SQL queue asked as SQS is), where a slow job
//! claimed meanwhile waits for a slot. The SQS case needs `TEST_SQS_ENDPOINT`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use support::{SpyQueue, eventually, worker_settings};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use trove_data_access::jobs;
use trove_data_access::testing::TestDatabase;
use trove_domain::ids::JobId;
use trove_domain::job::{JobKind, Lane, ProcessRecipientUpload, SendEmail};
use trove_worker::queue::{self, JobQueue};
use trove_worker::{HandlerRegistry, JobContext, JobError, JobHandler, Worker};

/// A job of the `send_email` kind (and so of its lane), with a payload of the test's own.
#[derive(Debug, serde::Deserialize)]
struct EmailJob {}

impl JobKind for EmailJob {
    const KIND: &'static str = <SendEmail as JobKind>::KIND;
    const LANE: Lane = <SendEmail as JobKind>::LANE;
}

/// A job of the `process_recipient_upload` kind (and so of its lane).
#[derive(Debug, serde::Deserialize)]
struct UploadJob {}

impl JobKind for UploadJob {
    const KIND: &'static str = <ProcessRecipientUpload as JobKind>::KIND;
    const LANE: Lane = <ProcessRecipientUpload as JobKind>::LANE;
}

struct Emails(Arc<AtomicU32>);

#[async_trait]
impl JobHandler for Emails {
    type Payload = EmailJob;

    async fn run(&self, _job: JobContext, _payload: EmailJob) -> Result<(), JobError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Uploads that each wait for a permit of `gate` before they finish.
#[derive(Clone)]
struct Uploads {
    gate: Arc<Semaphore>,
    started: Arc<AtomicU32>,
    /// The highest attempt number an upload ran as.
    last_attempt: Arc<AtomicU32>,
    running: Arc<AtomicU32>,
    most_at_once: Arc<AtomicU32>,
    finished: Arc<AtomicU32>,
}

impl Uploads {
    /// Uploads that block until the test adds permits to `gate`.
    fn blocked() -> Self {
        Uploads {
            gate: Arc::new(Semaphore::new(0)),
            started: Arc::default(),
            last_attempt: Arc::default(),
            running: Arc::default(),
            most_at_once: Arc::default(),
            finished: Arc::default(),
        }
    }
}

#[async_trait]
impl JobHandler for Uploads {
    type Payload = UploadJob;

    async fn run(&self, job: JobContext, _payload: UploadJob) -> Result<(), JobError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.last_attempt.fetch_max(job.attempt, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        drop(self.gate.acquire().await.unwrap());
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

struct Setup {
    database: TestDatabase,
    uploads: Uploads,
    sent: Arc<AtomicU32>,
    first_upload: JobId,
    second_upload: JobId,
    email: JobId,
    shutdown: CancellationToken,
    worker: JoinHandle<()>,
}

/// Where the jobs are taken from.
enum Backend {
    Sql,
    /// The SQL queue, asked as a queue that cannot choose kinds is.
    SqlAsSqs,
    /// SQS at this endpoint, fed by the relay.
    Sqs(String),
}

/// One fast slot and one slow; two uploads due before an email; the loop running.
async fn start(backend: Backend, shutdown_grace_seconds: u64) -> Setup {
    let database = TestDatabase::create().await;
    let at = |seconds| jobs::now() + chrono::Duration::seconds(seconds);
    // On SQS the second upload and the email are delayed 2 s, so the first upload holds
    // the slow slot before they can be received; the SQL queue takes them by due time.
    let (second_due, email_due) = match backend {
        Backend::Sqs(_) => (at(2), at(2)),
        Backend::Sql | Backend::SqlAsSqs => (at(-5), at(0)),
    };
    let mut ids = Vec::new();
    for due in [at(-10), second_due] {
        let id = JobId::new();
        jobs::enqueue_raw(&database.db, id, UploadJob::KIND, "{}", 5, due)
            .await
            .unwrap();
        ids.push(id);
    }
    let email = JobId::new();
    jobs::enqueue_raw(&database.db, email, EmailJob::KIND, "{}", 8, email_due)
        .await
        .unwrap();

    let queue: Arc<dyn JobQueue> = match backend {
        Backend::Sql => Arc::new(SpyQueue::new(&database)),
        Backend::SqlAsSqs => Arc::new(SpyQueue::unselective(&database)),
        Backend::Sqs(endpoint) => {
            let settings = support::sqs_settings(&endpoint, &endpoint).await;
            let (queue, relay) = queue::from_settings(&database.db, &settings.queue, &settings.aws)
                .await
                .unwrap();
            assert_eq!(relay.unwrap().publish_due().await.unwrap(), 3);
            queue
        }
    };
    let uploads = Uploads::blocked();
    let sent = Arc::new(AtomicU32::new(0));
    let handlers = HandlerRegistry::default()
        .with(uploads.clone())
        .with(Emails(sent.clone()));
    let mut settings = worker_settings();
    settings.concurrency = 1;
    settings.slow_concurrency = 1;
    settings.shutdown_grace_seconds = shutdown_grace_seconds;
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(
        Worker::new(database.db.clone(), &settings, handlers)
            .with_queue(queue)
            .run_until_stopped(shutdown.clone()),
    );
    Setup {
        database,
        uploads,
        sent,
        first_upload: ids[0],
        second_upload: ids[1],
        email,
        shutdown,
        worker,
    }
}

impl Setup {
    /// The first upload is running and blocked, and the email was sent meanwhile.
    async fn email_sent_while_the_slow_lane_is_full(&self) {
        let started = eventually(Duration::from_secs(5), async || {
            self.uploads.started.load(Ordering::SeqCst) == 1
        })
        .await;
        assert!(started, "the first upload takes the slow slot");
        // Sent, and its row gone: the worker deletes it just after the handler returns.
        let sent = eventually(Duration::from_secs(5), async || {
            self.sent.load(Ordering::SeqCst) == 1
                && jobs::find(&self.database.db, self.email)
                    .await
                    .unwrap()
                    .is_none()
        })
        .await;
        assert!(
            sent,
            "the email runs and completes while the slow lane is full"
        );
        assert_eq!(self.uploads.finished.load(Ordering::SeqCst), 0);
        assert_eq!(self.uploads.started.load(Ordering::SeqCst), 1);
    }

    async fn status_and_attempts(&self, id: JobId) -> (String, i32) {
        let row = jobs::find(&self.database.db, id).await.unwrap().unwrap();
        (row.status.as_str().to_owned(), row.attempts)
    }

    /// Lets the uploads finish; both have run, one at a time.
    async fn finish_uploads(&self) {
        self.uploads.gate.add_permits(1);
        let finished = eventually(Duration::from_secs(5), async || {
            self.uploads.finished.load(Ordering::SeqCst) == 2
        })
        .await;
        assert!(finished, "both uploads ran");
        assert_eq!(self.uploads.most_at_once.load(Ordering::SeqCst), 1);
        assert_eq!(
            self.uploads.last_attempt.load(Ordering::SeqCst),
            1,
            "the waiting upload was kept, not handed back and delivered again"
        );
    }

    async fn stop(self) -> TestDatabase {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.worker)
            .await
            .unwrap()
            .unwrap();
        self.database
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_slow_lane_does_not_hold_back_emails() {
    let setup = start(Backend::Sql, 5).await;
    setup.email_sent_while_the_slow_lane_is_full().await;
    assert_eq!(
        setup.status_and_attempts(setup.second_upload).await,
        ("pending".to_owned(), 0),
        "the SQL queue is not asked for slow kinds while their lane is full"
    );
    setup.finish_uploads().await;
    let database = setup.stop().await;
    assert_eq!(jobs::pending_count(&database.db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_job_claimed_by_a_queue_that_cannot_choose_waits_for_its_lane() {
    let setup = start(Backend::SqlAsSqs, 5).await;
    setup.email_sent_while_the_slow_lane_is_full().await;
    assert_eq!(
        setup.status_and_attempts(setup.second_upload).await,
        ("running".to_owned(), 1),
        "claimed with the email, held until the slow lane has a slot"
    );
    setup.finish_uploads().await;
    let database = setup.stop().await;
    assert_eq!(jobs::pending_count(&database.db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_shutdown_a_job_waiting_for_its_lane_goes_back_at_once() {
    let setup = start(Backend::SqlAsSqs, 10).await;
    setup.email_sent_while_the_slow_lane_is_full().await;
    setup.shutdown.cancel();
    let released = eventually(Duration::from_secs(3), async || {
        setup.status_and_attempts(setup.second_upload).await == ("pending".to_owned(), 0)
    })
    .await;
    assert!(
        released,
        "handed back unrun, without waiting for the grace period"
    );
    assert_eq!(
        setup.status_and_attempts(setup.first_upload).await,
        ("running".to_owned(), 1),
        "the running upload may finish within the grace period"
    );
    setup.uploads.gate.add_permits(1);
    let (first, second, started) = (
        setup.first_upload,
        setup.second_upload,
        setup.uploads.started.clone(),
    );
    let database = setup.stop().await;
    assert!(
        jobs::find(&database.db, first).await.unwrap().is_none(),
        "the running upload finished"
    );
    let row = jobs::find(&database.db, second).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "the waiting one never ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqs_a_full_slow_lane_does_not_hold_back_emails() {
    let Some(sqs) = support::sqs_endpoint() else {
        eprintln!("TEST_SQS_ENDPOINT not set; skipping the SQS test");
        return;
    };
    let setup = start(Backend::Sqs(sqs), 5).await;
    setup.email_sent_while_the_slow_lane_is_full().await;
    setup.finish_uploads().await;
    let (first, second) = (setup.first_upload, setup.second_upload);
    let database = setup.stop().await;
    for id in [first, second] {
        assert!(jobs::was_processed(&database.db, id).await.unwrap());
    }
}

/// A free slot in an idle lane must not make the loop sleep out its poll interval while
/// the busy lane's jobs wait: with one fast slot and the slow lane empty, three emails run
/// back to back even when the poll interval is a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_lane_does_not_hold_back_a_busy_one() {
    let database = TestDatabase::create().await;
    for _ in 0..3 {
        jobs::enqueue_raw(
            &database.db,
            JobId::new(),
            EmailJob::KIND,
            "{}",
            8,
            jobs::now(),
        )
        .await
        .unwrap();
    }
    let sent = Arc::new(AtomicU32::new(0));
    let uploads = Uploads::blocked();
    let handlers = HandlerRegistry::default()
        .with(uploads)
        .with(Emails(sent.clone()));
    let mut settings = worker_settings();
    settings.concurrency = 1;
    settings.slow_concurrency = 1;
    settings.poll_interval_ms = 60_000;
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(
        Worker::new(database.db.clone(), &settings, handlers).run_until_stopped(shutdown.clone()),
    );
    let all_sent = eventually(Duration::from_secs(10), async || {
        sent.load(Ordering::SeqCst) == 3
    })
    .await;
    shutdown.cancel();
    worker.await.unwrap();
    assert!(
        all_sent,
        "{} of 3 sent: the loop slept its poll interval between them",
        sent.load(Ordering::SeqCst)
    );
}
