//! A worker killed with SIGKILL in the middle of a job: the job runs again on the next
//! worker once the lease expires, and the email goes out exactly once. Runs against the
//! SMTP sink `.ci/run` starts (skipped without `TEST_SMTP_ADDR`/`TEST_SMTP_DIR`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use trove_data_access::testing::{TestDatabase, smtp_sink};
use trove_data_access::{jobs, users, vendors};
use trove_domain::email_template::{EmailTemplate, VendorInvitation};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, SendEmail};

fn start_worker(database_url: &str, smtp: &(String, String), dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_trove-worker"))
        .current_dir(dir)
        .env_remove("TROVE_CONFIG_DIR")
        .env("TROVE__DATABASE__URL", database_url)
        .env("TROVE__MAIL__TRANSPORT", "smtp")
        .env("TROVE__MAIL__SMTP_HOST", &smtp.0)
        .env("TROVE__MAIL__SMTP_PORT", &smtp.1)
        .env("TROVE__MAIL__SMTP_SECURITY", "none")
        .env("TROVE__WORKER__LEASE_SECONDS", "5")
        .env("TROVE__WORKER__POLL_INTERVAL_MS", "50")
        .env("TROVE__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_interrupted_by_sigkill_runs_again_and_mails_once() {
    let Some((address, sink_dir)) = smtp_sink::from_env() else {
        eprintln!("TEST_SMTP_ADDR/TEST_SMTP_DIR not set; skipping the SIGKILL test");
        return;
    };
    let (host, port) = address.rsplit_once(':').unwrap();
    let smtp = (host.to_owned(), port.to_owned());
    let database = TestDatabase::create().await;
    let owner = users::upsert_from_token(&database.db, "dev|o", "o@example.com")
        .await
        .unwrap();
    let vendor = vendors::create_with_owner(&database.db, "Acme", None, owner.id.into())
        .await
        .unwrap();
    let to = format!("slow-{}@example.com", uuid::Uuid::new_v4().simple());
    let slow = sink_dir.join(format!("slow-{to}"));
    std::fs::write(&slow, "").unwrap();
    let id = JobId::new();
    let payload = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: to.clone(),
        vendor_id: Some(vendor.id),
        email: EmailTemplate::VendorInvitation(VendorInvitation {
            vendor_name: "Acme".into(),
            role: "staff".into(),
            invitation_token: "t".into(),
        }),
    });
    jobs::enqueue(&database.db, id, &payload, jobs::now())
        .await
        .unwrap();
    let work_dir = std::env::temp_dir().join(format!("trove-sigkill-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&work_dir).unwrap();

    let mut first = start_worker(&database.url, &smtp, &work_dir);
    let claimed = support::eventually(Duration::from_secs(10), || async {
        jobs::find(&database.db, id)
            .await
            .unwrap()
            .is_some_and(|job| job.status.as_str() == "running")
    })
    .await;
    assert!(claimed, "the first worker claims the job");
    tokio::time::sleep(Duration::from_millis(500)).await;
    Command::new("kill")
        .args(["-KILL", &first.id().to_string()])
        .status()
        .unwrap();
    first.wait().unwrap();
    std::fs::remove_file(&slow).unwrap();
    assert_eq!(
        smtp_sink::mails_to(&sink_dir, &to).len(),
        0,
        "killed before the server accepted the mail"
    );

    let mut second = start_worker(&database.url, &smtp, &work_dir);
    let finished = support::eventually(Duration::from_secs(30), || async {
        jobs::find(&database.db, id).await.unwrap().is_none()
    })
    .await;
    Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    let status = second.wait().unwrap();
    assert!(
        finished,
        "the job runs again once the dead worker's lease expires"
    );
    assert!(jobs::was_processed(&database.db, id).await.unwrap());
    assert_eq!(
        smtp_sink::mails_to(&sink_dir, &to).len(),
        1,
        "the email goes out exactly once"
    );
    assert_eq!(status.code(), Some(0), "SIGTERM stops the worker cleanly");
    std::fs::remove_dir_all(work_dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standalone_worker_serves_health_and_job_metrics() {
    let database = TestDatabase::create().await;
    let work_dir =
        std::env::temp_dir().join(format!("trove-worker-metrics-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&work_dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let email = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: "someone@example.com".into(),
        vendor_id: None,
        email: EmailTemplate::VendorInvitation(VendorInvitation {
            vendor_name: "Trove".into(),
            role: "staff".into(),
            invitation_token: "t".into(),
        }),
    });
    jobs::enqueue(&database.db, JobId::new(), &email, jobs::now())
        .await
        .unwrap();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_trove-worker"))
        .current_dir(&work_dir)
        .env_remove("TROVE_CONFIG_DIR")
        .env("TROVE__DATABASE__URL", &database.url)
        .env("TROVE__WORKER__METRICS_PORT", port.to_string())
        .env("TROVE__WORKER__POLL_INTERVAL_MS", "50")
        .env("TROVE__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let counted = support::eventually(Duration::from_secs(15), || {
        let client = client.clone();
        let url = format!("{base}/metrics");
        async move {
            match client.get(url).send().await {
                Ok(response) => response.text().await.is_ok_and(|text| {
                    text.contains(r#"trove_jobs_total{kind="send_email",outcome="completed"} 1"#)
                }),
                Err(_) => false,
            }
        }
    })
    .await;
    let health = client
        .get(format!("{base}/health"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    let status = worker.wait().unwrap();
    assert!(counted, "the job shows in the worker's metrics");
    assert_eq!(health.ok(), Some(200));
    assert_eq!(status.code(), Some(0));
    assert!(
        work_dir.join("data/outbox").exists(),
        "the email went to the outbox"
    );
    std::fs::remove_dir_all(work_dir).ok();
}
