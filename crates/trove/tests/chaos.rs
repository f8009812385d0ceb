//! Chaos under load: the all-in-one process (API and worker) serves a stream of vendor
//! invitations, each sent with its own `Idempotency-Key` and retried by its client until
//! acknowledged, while the test SIGKILLs the process and starts it again, cuts the database
//! and then the SMTP server, and freezes the database as a partition does. Afterwards:
//! - no acknowledged write is lost and none is doubled: every acknowledged invitation is
//!   stored exactly once;
//! - every invitation's email is delivered as one message (one Message-ID; a process
//!   killed between handing a mail to the server and recording it can only repeat that
//!   same message, which receivers drop as a duplicate) and no job is left or dead;
//! - after each outage the process serves again without a restart.
//!
//! Runs on MariaDB/PostgreSQL with the SMTP sink (`.ci/run` provides both); skipped on
//! SQLite or without `TEST_SMTP_ADDR`/`TEST_SMTP_DIR`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use trove_api::auth::TokenType;
use trove_api::auth::signing::{DEV_ISSUER, SigningKeys, TokenDraft, generate_key};
use trove_data_access::entities::vendor_invitation;
use trove_data_access::testing::tcp_proxy::TcpProxy;
use trove_data_access::testing::{TestDatabase, smtp_sink};
use trove_data_access::{jobs, users, vendors};

const INVITATIONS: usize = 120;
const CLIENTS: usize = 4;

/// The all-in-one process, restartable on the same port and folder.
struct Trove {
    child: Child,
    port: u16,
    env: Vec<(String, String)>,
    dir: PathBuf,
}

impl Trove {
    fn start(port: u16, env: Vec<(String, String)>, dir: PathBuf) -> Self {
        let child = Self::spawn(port, &env, &dir);
        Self {
            child,
            port,
            env,
            dir,
        }
    }

    fn spawn(port: u16, env: &[(String, String)], dir: &Path) -> Child {
        Command::new(env!("CARGO_BIN_EXE_trove"))
            .current_dir(dir)
            .env_remove("TROVE_CONFIG_DIR")
            .env("TROVE__SERVER__PORT", port.to_string())
            .envs(
                env.iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn sigkill_and_restart(&mut self) {
        Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap();
        self.child = Self::spawn(self.port, &self.env, &self.dir);
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The Message-IDs of the mails the sink holds for `address`.
fn message_ids(dir: &Path, address: &str) -> Vec<String> {
    smtp_sink::mails_to(dir, address)
        .iter()
        .map(|mail| {
            mail.lines()
                .find(|line| line.to_ascii_lowercase().starts_with("message-id:"))
                .map(|line| line[11..].trim().to_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Creates invitation `n` under its own key, retrying the same key until the API
/// acknowledges it (201) or a minute passes.
async fn invite_until_acknowledged(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    email: &str,
) -> Option<String> {
    let key = format!("invite-{email}");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let sent = client
            .post(format!("{base}/invitations"))
            .bearer_auth(token)
            .header("idempotency-key", &key)
            .json(&serde_json::json!({"email": email, "role": "staff"}))
            .timeout(Duration::from_secs(15))
            .send()
            .await;
        if let Ok(response) = sent {
            let status = response.status().as_u16();
            if status == 201 {
                let body: serde_json::Value = response.json().await.unwrap();
                return Some(body["id"].as_str().unwrap().to_owned());
            }
            assert!(
                matches!(status, 409 | 503 | 500),
                "only outage answers are retried, got {status} for {email}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// Whether the API answers a vendor read within `limit` (no restart in between).
async fn serves_again(client: &reqwest::Client, base: &str, token: &str, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        let answered = client
            .get(format!("{base}/members"))
            .bearer_auth(token)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if answered.is_ok_and(|response| response.status() == 200) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_acknowledged_is_lost_and_every_effect_happens_once_through_outages() {
    let Some((smtp, sink_dir)) = smtp_sink::from_env() else {
        eprintln!("TEST_SMTP_ADDR/TEST_SMTP_DIR not set; skipping the chaos test");
        return;
    };
    let database = TestDatabase::create().await;
    let Some((db_proxy, proxied_url)) = TcpProxy::in_front_of(&database.url).await else {
        eprintln!("embedded SQLite has no network to cut; skipping the chaos test");
        return;
    };
    let smtp_proxy = TcpProxy::start(smtp.parse().unwrap()).await;

    let owner_email = "owner@chaos.example";
    let owner = users::upsert_from_token(&database.db, &format!("dev|{owner_email}"), owner_email)
        .await
        .unwrap();
    let vendor = vendors::create_with_owner(&database.db, "Chaos Co", None, owner.id.into())
        .await
        .unwrap();
    let signing_key = generate_key().unwrap();
    let token = SigningKeys::new(&signing_key, &[])
        .unwrap()
        .issue(TokenDraft {
            issuer: DEV_ISSUER,
            typ: TokenType::Vendor,
            subject: format!("dev|{owner_email}"),
            lifetime: Duration::from_secs(3600),
            email: Some(owner_email.to_owned()),
            vendor_id: None,
            nonce: None,
        })
        .unwrap();

    let run = uuid::Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("trove-chaos-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    let env: Vec<(String, String)> = [
        ("TROVE__DATABASE__URL", proxied_url.as_str()),
        ("TROVE__DATABASE__CONNECT_TIMEOUT_SECONDS", "1"),
        ("TROVE__DATABASE__ACQUIRE_TIMEOUT_SECONDS", "2"),
        ("TROVE__DATABASE__STATEMENT_TIMEOUT_SECONDS", "2"),
        ("TROVE__AUTH__DEV_ISSUER", "true"),
        ("TROVE__AUTH__SIGNING_KEY", signing_key.as_str()),
        ("TROVE__RATE_LIMIT__ENABLED", "false"),
        // A request killed with the process holds its key this long; clients retry 60 s.
        ("TROVE__ORDERS__IDEMPOTENCY_IN_PROGRESS_SECONDS", "10"),
        ("TROVE__MAIL__TRANSPORT", "smtp"),
        ("TROVE__MAIL__SMTP_HOST", "127.0.0.1"),
        ("TROVE__MAIL__SMTP_PORT", &smtp_proxy.port.to_string()),
        ("TROVE__MAIL__SMTP_SECURITY", "none"),
        ("TROVE__WORKER__LEASE_SECONDS", "5"),
        ("TROVE__WORKER__POLL_INTERVAL_MS", "50"),
        ("TROVE__WORKER__RETRY_BASE_SECONDS", "1"),
        ("TROVE__WORKER__RETRY_MAX_SECONDS", "1"),
        ("TROVE__WORKER__MAX_ATTEMPTS", "50"),
        ("TROVE__LOG__LEVEL", "warn"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    let port = free_port();
    let mut trove = Trove::start(port, env, dir.clone());
    let base = format!("http://127.0.0.1:{port}/api/v1/vendors/{}", vendor.id);
    let client = reqwest::Client::new();
    assert!(
        serves_again(&client, &base, &token, Duration::from_secs(30)).await,
        "the process starts"
    );

    let address = |n: usize| format!("chaos-{run}-{n:03}@example.com");
    let acknowledged = Arc::new(Mutex::new(HashMap::<String, String>::new()));
    let mut load = tokio::task::JoinSet::new();
    for client_number in 0..CLIENTS {
        let (client, base, token, acknowledged) = (
            client.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        let emails: Vec<String> = (client_number..INVITATIONS)
            .step_by(CLIENTS)
            .map(address)
            .collect();
        load.spawn(async move {
            for email in emails {
                if let Some(id) = invite_until_acknowledged(&client, &base, &token, &email).await {
                    acknowledged.lock().unwrap().insert(email, id);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }

    let mut recovered = Vec::new();
    tokio::time::sleep(Duration::from_secs(2)).await;
    trove.sigkill_and_restart();
    recovered.push((
        "SIGKILL and restart",
        serves_again(&client, &base, &token, Duration::from_secs(30)).await,
    ));
    db_proxy.cut().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    db_proxy.restore();
    recovered.push((
        "database cut",
        serves_again(&client, &base, &token, Duration::from_secs(15)).await,
    ));
    smtp_proxy.cut().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    smtp_proxy.restore();
    recovered.push((
        "SMTP cut",
        serves_again(&client, &base, &token, Duration::from_secs(15)).await,
    ));
    db_proxy.freeze();
    tokio::time::sleep(Duration::from_secs(3)).await;
    db_proxy.restore();
    recovered.push((
        "database partition",
        serves_again(&client, &base, &token, Duration::from_secs(15)).await,
    ));
    while load.join_next().await.is_some() {}

    let settled = {
        let started = Instant::now();
        loop {
            let stats = jobs::stats(&database.db).await.unwrap();
            if stats.pending == 0 && stats.running == 0 {
                break Some(stats);
            }
            if started.elapsed() > Duration::from_secs(60) {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    trove.stop();

    let acknowledged = acknowledged.lock().unwrap().clone();
    let stored = vendor_invitation::Entity::find()
        .filter(vendor_invitation::Column::VendorId.eq(vendor.id))
        .all(&database.db)
        .await
        .unwrap();
    let mut stored_per_email: HashMap<String, usize> = HashMap::new();
    for invitation in &stored {
        *stored_per_email
            .entry(invitation.email.clone())
            .or_default() += 1;
    }
    let mut physical_repeats = 0;
    let mut problems = Vec::new();
    for (email, id) in &acknowledged {
        if !stored
            .iter()
            .any(|invitation| &invitation.id.to_string() == id)
        {
            problems.push(format!("acknowledged {email} ({id}) is not stored"));
        }
        if stored_per_email.get(email).copied().unwrap_or(0) != 1 {
            problems.push(format!(
                "{email} is stored {:?} times",
                stored_per_email.get(email)
            ));
        }
        let ids = message_ids(&sink_dir, email);
        let distinct: HashSet<&String> = ids.iter().collect();
        if distinct.len() != 1 {
            problems.push(format!("{email} got {} distinct messages", distinct.len()));
        }
        physical_repeats += ids.len().saturating_sub(1);
    }
    eprintln!(
        "chaos: {} of {INVITATIONS} invitations acknowledged, {} stored, {physical_repeats} \
         mails handed over again after the SIGKILL (same Message-ID), recovery: {recovered:?}, \
         queue at the end: {settled:?}",
        acknowledged.len(),
        stored.len()
    );
    std::fs::remove_dir_all(dir).ok();
    assert_eq!(
        acknowledged.len(),
        INVITATIONS,
        "every client request is acknowledged in the end"
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        stored.len(),
        INVITATIONS,
        "nothing stored beyond what was acknowledged"
    );
    for (outage, served) in &recovered {
        assert!(served, "serves again after the {outage} without a restart");
    }
    let settled = settled.expect("every job settles once the outages end");
    assert_eq!(settled.dead, 0, "no job died");
}
