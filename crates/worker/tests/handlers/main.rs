//! The email and Slack handlers end to end: outbox files, a real SMTP sink (when
//! `TEST_SMTP_ADDR`/`TEST_SMTP_DIR` name one, as `.ci/run` does) and a local Slack stand-in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod slack;

use std::path::{Path, PathBuf};
use std::time::Duration;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::{MailTransport, SmtpSecurity};
use trove_data_access::testing::TestDatabase;
use trove_data_access::{jobs, users, vendors};
use trove_domain::email_template::{EmailTemplate, VendorInvitation};
use trove_domain::ids::{JobId, VendorId};
use trove_domain::job::{JobPayload, SendEmail};
use trove_worker::{Outcome, Worker, handlers};

struct Fixture {
    database: TestDatabase,
    vendor: VendorId,
    settings: Settings,
    outbox: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.outbox);
    }
}

async fn fixture() -> Fixture {
    let database = TestDatabase::create().await;
    let owner = users::upsert_from_token(&database.db, "dev|owner", "owner@example.com")
        .await
        .unwrap();
    let vendor = vendors::create_with_owner(
        &database.db,
        "Acme Gifts",
        Some("hello@acme.example".into()),
        owner.id.into(),
    )
    .await
    .unwrap();
    let outbox = std::env::temp_dir().join(format!("trove-outbox-{}", uuid::Uuid::new_v4()));
    let mut settings = Settings::default();
    settings.mail.outbox_dir = outbox.display().to_string();
    settings.mail.admin_portal_url = "https://admin.trove.example".into();
    settings.worker.retry_base_seconds = 1;
    settings.worker.retry_max_seconds = 60;
    settings.storage.local_dir = outbox.join("files").display().to_string();
    settings.secrets.local_key_file = outbox.join("secrets-key.b64").display().to_string();
    settings.storage.local_url_key = Some(
        "dGVzdC1vbmx5IFVSTCBrZXkgb2YgdGhlIGxvY2FsIGZpbGUgc3RvcmU="
            .to_owned()
            .into(),
    );
    Fixture {
        database,
        vendor: VendorId::from(vendor.id),
        settings,
        outbox,
    }
}

impl Fixture {
    async fn worker(&self) -> Worker {
        let handlers = handlers::registry(&self.database.db, &self.settings)
            .await
            .unwrap();
        Worker::new(self.database.db.clone(), &self.settings.worker, handlers)
    }

    async fn enqueue(&self, payload: &JobPayload) -> JobId {
        let id = JobId::new();
        jobs::enqueue(&self.database.db, id, payload, jobs::now())
            .await
            .unwrap();
        id
    }

    fn invitation(&self, to: &str) -> JobPayload {
        JobPayload::SendEmail(SendEmail {
            v: 1,
            to: to.into(),
            vendor_id: Some(self.vendor.as_uuid()),
            email: EmailTemplate::VendorInvitation(VendorInvitation {
                vendor_name: "Acme Gifts".into(),
                role: "staff".into(),
                invitation_token: "tok-123".into(),
            }),
        })
    }

    async fn make_due(&self, id: JobId) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use trove_data_access::entities::job;
        job::Entity::update_many()
            .col_expr(
                job::Column::RunAt,
                Expr::value(jobs::now() - chrono::Duration::seconds(1)),
            )
            .filter(job::Column::Id.eq(id.as_uuid()))
            .exec(&self.database.db)
            .await
            .unwrap();
    }
}

/// A MIME body with quoted-printable soft breaks and `=3D` undone, good enough to search.
fn readable(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=3D", "=")
}

fn files_in(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
                .filter(|entry| entry.file_name().to_string_lossy().ends_with(".eml"))
                .map(|entry| std::fs::read_to_string(entry.path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_is_written_to_the_outbox_with_the_vendors_branding() {
    let fixture = fixture().await;
    let id = fixture
        .enqueue(&fixture.invitation("staff@example.com"))
        .await;
    let worker = fixture.worker().await;
    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Completed));

    let written = files_in(&fixture.outbox, "");
    assert_eq!(written.len(), 1);
    let email = readable(&written[0]);
    assert!(email.contains("Acme Gifts"), "{email}");
    assert!(email.contains("Reply-To: hello@acme.example"), "{email}");
    assert!(
        email.contains(&format!("Message-ID: <{id}@trove>")),
        "{email}"
    );
    assert!(
        email.contains("Subject: You're invited to join Acme Gifts on Trove"),
        "{email}"
    );
    assert!(
        email.contains("text/plain") && email.contains("text/html"),
        "both parts"
    );
    assert!(
        email.contains("https://admin.trove.example/invitations/accept?token=tok-123"),
        "{email}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_email_job_writes_the_same_single_message() {
    let fixture = fixture().await;
    let id = fixture
        .enqueue(&fixture.invitation("staff@example.com"))
        .await;
    let worker = fixture.worker().await;
    worker.run_once().await.unwrap();
    jobs::enqueue(
        &fixture.database.db,
        JobId::new(),
        &fixture.invitation("other@example.com"),
        jobs::now(),
    )
    .await
    .unwrap();
    // The same job delivered again after it was handled: nothing is sent twice.
    trove_data_access::jobs::enqueue_raw(
        &fixture.database.db,
        id,
        "send_email",
        &serde_json::to_string(&fixture.invitation("staff@example.com")).unwrap(),
        8,
        jobs::now(),
    )
    .await
    .unwrap();
    while worker.run_once().await.unwrap().is_some() {}
    assert_eq!(
        files_in(&fixture.outbox, "").len(),
        2,
        "one file per job, not per delivery"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_payload_is_dead_on_its_first_attempt() {
    let fixture = fixture().await;
    let id = JobId::new();
    jobs::enqueue_raw(
        &fixture.database.db,
        id,
        "send_email",
        "{not json",
        8,
        jobs::now(),
    )
    .await
    .unwrap();
    let outcome = fixture.worker().await.run_once().await.unwrap();
    assert!(matches!(outcome, Some(Outcome::Dead { .. })), "{outcome:?}");
    let row = jobs::find(&fixture.database.db, id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 1));
    assert!(row.last_error.unwrap().contains("unreadable payload"));

    let mut unknown = serde_json::to_value(fixture.invitation("staff@example.com")).unwrap();
    unknown["template"] = "no_such_template".into();
    let id = JobId::new();
    jobs::enqueue_raw(
        &fixture.database.db,
        id,
        "send_email",
        &unknown.to_string(),
        8,
        jobs::now(),
    )
    .await
    .unwrap();
    fixture.worker().await.run_once().await.unwrap();
    let row = jobs::find(&fixture.database.db, id).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "dead");
    assert!(row.last_error.unwrap().contains("no_such_template"));
}

/// The SMTP sink `.ci/run` starts (`.ci/smtp_sink.py`), if this run has one.
fn smtp_sink() -> Option<(String, u16, PathBuf)> {
    let address = std::env::var("TEST_SMTP_ADDR")
        .ok()
        .filter(|a| !a.is_empty())?;
    let dir = std::env::var("TEST_SMTP_DIR")
        .ok()
        .filter(|d| !d.is_empty())?;
    let (host, port) = address.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?, PathBuf::from(dir)))
}

fn use_smtp(fixture: &mut Fixture, host: &str, port: u16) {
    fixture.settings.mail.transport = MailTransport::Smtp;
    fixture.settings.mail.smtp_host = host.into();
    fixture.settings.mail.smtp_port = port;
    fixture.settings.mail.smtp_security = SmtpSecurity::None;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_delivers_to_a_real_server() {
    let Some((host, port, dir)) = smtp_sink() else {
        eprintln!("TEST_SMTP_ADDR/TEST_SMTP_DIR not set; skipping the SMTP test");
        return;
    };
    let mut fixture = fixture().await;
    use_smtp(&mut fixture, &host, port);
    let to = format!("staff-{}@example.com", uuid::Uuid::new_v4().simple());
    fixture.enqueue(&fixture.invitation(&to)).await;
    assert_eq!(
        fixture.worker().await.run_once().await.unwrap(),
        Some(Outcome::Completed)
    );
    let received = files_in(&dir, &to);
    assert_eq!(received.len(), 1);
    assert!(readable(&received[0]).contains("invitations/accept?token=tok-123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_server_means_growing_retries_then_dead_and_a_redrive_delivers_once() {
    let Some((host, port, dir)) = smtp_sink() else {
        eprintln!("TEST_SMTP_ADDR/TEST_SMTP_DIR not set; skipping the SMTP test");
        return;
    };
    let mut fixture = fixture().await;
    use_smtp(&mut fixture, &host, port);
    fixture.settings.worker.max_attempts = 3;
    let to = format!("blocked-{}@example.com", uuid::Uuid::new_v4().simple());
    let block = dir.join(format!("block-{to}"));
    std::fs::write(&block, "").unwrap();
    let id = fixture.enqueue(&fixture.invitation(&to)).await;
    let worker = fixture.worker().await;

    let mut delays = Vec::new();
    for _ in 0..2 {
        match worker.run_once().await.unwrap() {
            Some(Outcome::Retrying { delay, reason }) => {
                assert!(reason.contains("451"), "{reason}");
                delays.push(delay);
            }
            other => panic!("expected a retry, got {other:?}"),
        }
        fixture.make_due(id).await;
    }
    assert!(
        delays[0] <= Duration::from_secs(1) && delays[1] >= Duration::from_secs(1),
        "{delays:?}"
    );
    let last = worker.run_once().await.unwrap();
    assert!(
        matches!(&last, Some(Outcome::Dead { reason }) if reason.contains("451")),
        "{last:?}"
    );
    assert!(files_in(&dir, &to).is_empty());

    std::fs::remove_file(&block).unwrap();
    assert_eq!(
        jobs::redrive_dead(&fixture.database.db, "send_email")
            .await
            .unwrap(),
        1
    );
    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Completed));
    assert_eq!(worker.run_once().await.unwrap(), None);
    assert_eq!(
        files_in(&dir, &to).len(),
        1,
        "exactly one mail after the redrive"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_smtp_refusal_is_dead_at_once_with_the_servers_reason() {
    let Some((host, port, _)) = smtp_sink() else {
        eprintln!("TEST_SMTP_ADDR/TEST_SMTP_DIR not set; skipping the SMTP test");
        return;
    };
    let mut fixture = fixture().await;
    use_smtp(&mut fixture, &host, port);
    let id = fixture
        .enqueue(&fixture.invitation("refuse-perm@example.com"))
        .await;
    let outcome = fixture.worker().await.run_once().await.unwrap();
    assert!(
        matches!(&outcome, Some(Outcome::Dead { reason }) if reason.contains("550")),
        "{outcome:?}"
    );
    assert_eq!(
        jobs::find(&fixture.database.db, id)
            .await
            .unwrap()
            .unwrap()
            .attempts,
        1
    );
}
