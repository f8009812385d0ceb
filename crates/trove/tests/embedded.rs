//! The all-in-one binary as a user runs it: start in an empty folder, serve, stop cleanly;
//! refuse bad settings with exit code 2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn trove(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trove"));
    command
        .current_dir(dir)
        .env_remove("TROVE_CONFIG_DIR")
        .env("TROVE__AUTH__DEV_ISSUER", "true")
        .env("TROVE__LOG__LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn scratch_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trove-embedded-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn a_bad_setting_exits_2_naming_the_key() {
    let dir = scratch_dir();
    let output = trove(&dir)
        .env("TROVE__SERVER__PORT", "eighty")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("server.port") && stderr.contains("TROVE__SERVER__PORT"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_production_profile_refuses_the_embedded_database() {
    let dir = scratch_dir();
    let output = trove(&dir)
        .env("TROVE__ENV", "production")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("database.url") && stderr.contains("SQLite"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_in_an_empty_folder_serves_and_stops_cleanly_on_sigterm() {
    let dir = scratch_dir();
    let port = free_port();
    let mut child = trove(&dir)
        .env("TROVE__SERVER__PORT", port.to_string())
        .spawn()
        .unwrap();

    let stdout = child.stdout.take().unwrap();
    let banner: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|line| !line.contains("Stop with"))
        .collect();
    let banner = banner.join("\n");
    let base = format!("http://127.0.0.1:{port}");
    assert!(banner.contains(&format!("API:      {base}")), "{banner}");
    assert!(banner.contains(&format!("{base}/api/docs/")), "{banner}");

    let client = reqwest::Client::new();
    let health = client
        .get(format!("{base}/health/detailed"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "migrations were applied at start");
    let docs = client
        .get(format!("{base}/api/docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        dir.join("data/trove.db").exists(),
        "the database lives under ./data/"
    );

    let minted = trove(&dir)
        .args(["token", "--type", "vendor", "--email", "ann@example.com"])
        .output()
        .unwrap();
    assert!(
        minted.status.success(),
        "{}",
        String::from_utf8_lossy(&minted.stderr)
    );
    let token = String::from_utf8(minted.stdout).unwrap().trim().to_owned();
    let me = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the running server accepts the dev token");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_for_exit(&mut child, Duration::from_secs(20));
    assert_eq!(
        status.and_then(|status| status.code()),
        Some(0),
        "SIGTERM ends the process with 0"
    );
    std::fs::remove_dir_all(dir).ok();
}
