//! Effects once when the worker loses its database in the middle of its work: 200 emails,
//! the database cut for 5 s while some of them are being handed to the SMTP server, and
//! every address receives exactly one mail. Runs on MariaDB/PostgreSQL through a proxy the
//! test cuts, against the SMTP sink `.ci/run` starts (skipped on SQLite or without
//! `TEST_SMTP_ADDR`/`TEST_SMTP_DIR`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;
use trove_data_access::testing::tcp_proxy::TcpProxy;
use trove_data_access::testing::{TestDatabase, smtp_sink};
use trove_data_access::{jobs, users, vendors};
use trove_domain::email_template::{EmailTemplate, VendorInvitation};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, SendEmail};

const MAILS: usize = 200;
/// Mails the sink holds for 5 s at RCPT, so they are in flight when the cut comes.
const SLOW: usize = 4;

/// The worker process, killed if the test ends early; its log is `worker.log` in its folder.
struct WorkerProcess(Child);

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn start_worker(database_url: &str, smtp: &str, dir: &Path) -> WorkerProcess {
    let (host, port) = smtp.rsplit_once(':').unwrap();
    let log = std::fs::File::create(dir.join("worker.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_trove-worker"))
        .current_dir(dir)
        .env_remove("TROVE_CONFIG_DIR")
        .env("TROVE__DATABASE__URL", database_url)
        .env("TROVE__DATABASE__CONNECT_TIMEOUT_SECONDS", "1")
        .env("TROVE__DATABASE__ACQUIRE_TIMEOUT_SECONDS", "1")
        .env("TROVE__MAIL__TRANSPORT", "smtp")
        .env("TROVE__MAIL__SMTP_HOST", host)
        .env("TROVE__MAIL__SMTP_PORT", port)
        .env("TROVE__MAIL__SMTP_SECURITY", "none")
        .env("TROVE__WORKER__CONCURRENCY", "8")
        .env("TROVE__WORKER__LEASE_SECONDS", "20")
        .env("TROVE__WORKER__POLL_INTERVAL_MS", "50")
        .env("TROVE__WORKER__RETRY_BASE_SECONDS", "1")
        .env("TROVE__WORKER__RETRY_MAX_SECONDS", "1")
        .env("TROVE__WORKER__MAX_ATTEMPTS", "10")
        .env("TROVE__LOG__LEVEL", "warn")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    WorkerProcess(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_cut_mid_delivery_sends_every_mail_exactly_once() {
    let Some((smtp, sink_dir)) = smtp_sink::from_env() else {
        eprintln!("TEST_SMTP_ADDR/TEST_SMTP_DIR not set; skipping the database cut test");
        return;
    };
    let database = TestDatabase::create().await;
    let Some((proxy, proxied_url)) = TcpProxy::in_front_of(&database.url).await else {
        eprintln!("embedded SQLite has no network to cut; skipping the database cut test");
        return;
    };
    let owner = users::upsert_from_token(&database.db, "dev|o", "o@example.com")
        .await
        .unwrap();
    let vendor = vendors::create_with_owner(&database.db, "Acme", None, owner.id.into())
        .await
        .unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let address = |n: usize| format!("cut-{run}-{n:03}@example.com");
    let first_due = jobs::now() - chrono::Duration::seconds(60);
    for n in 0..MAILS {
        if n < SLOW {
            std::fs::write(sink_dir.join(format!("slow-{}", address(n))), "").unwrap();
        }
        let payload = JobPayload::SendEmail(SendEmail {
            v: 1,
            to: address(n),
            vendor_id: Some(vendor.id),
            email: EmailTemplate::VendorInvitation(VendorInvitation {
                vendor_name: "Acme".into(),
                role: "staff".into(),
                invitation_token: format!("t{n}"),
            }),
        });
        // The slow ones first, so they are claimed at once.
        let due = first_due + chrono::Duration::milliseconds(i64::try_from(n).unwrap());
        jobs::enqueue(&database.db, JobId::new(), &payload, due)
            .await
            .unwrap();
    }
    let work_dir = std::env::temp_dir().join(format!("trove-cut-{run}"));
    std::fs::create_dir_all(&work_dir).unwrap();

    let mut worker = start_worker(&proxied_url, &smtp, &work_dir);
    let slow_running = support::eventually(Duration::from_secs(20), async || {
        jobs::stats(&database.db)
            .await
            .is_ok_and(|stats| stats.running >= SLOW as u64)
    })
    .await;
    let log = || std::fs::read_to_string(work_dir.join("worker.log")).unwrap_or_default();
    assert!(
        slow_running,
        "the worker claims the slow mails; its log:\n{}",
        log()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    proxy.cut().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    proxy.restore();

    let drained = support::eventually(Duration::from_secs(90), async || {
        jobs::stats(&database.db)
            .await
            .is_ok_and(|stats| stats.pending == 0 && stats.running == 0 && stats.dead == 0)
    })
    .await;
    Command::new("kill")
        .args(["-TERM", &worker.0.id().to_string()])
        .status()
        .unwrap();
    worker.0.wait().unwrap();
    for n in 0..SLOW {
        std::fs::remove_file(sink_dir.join(format!("slow-{}", address(n)))).ok();
    }
    assert!(
        drained,
        "every job is settled once the database is back; worker log:\n{}",
        log()
    );
    let counts: Vec<usize> = (0..MAILS)
        .map(|n| smtp_sink::mails_to(&sink_dir, &address(n)).len())
        .collect();
    let twice: Vec<String> = (0..MAILS).filter(|&n| counts[n] > 1).map(address).collect();
    let missing: Vec<String> = (0..MAILS)
        .filter(|&n| counts[n] == 0)
        .map(address)
        .collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert!(missing.is_empty(), "never delivered: {missing:?}");
    std::fs::remove_dir_all(work_dir).ok();
}
