//! Whether the database server answers at all, watched from the side.
//!
//! A statement already sent when the network to the database goes silent (a partition,
//! not a refusal) waits for an answer that does not come; server-side time limits cannot
//! end it because the server never hears back. A probe on its own connection asks
//! `SELECT 1` every second within the statement time limit, and whoever holds a
//! [`Reachability`] learns at once when the server stops answering (the API answers its
//! in-flight requests 503) and when it answers again. SQLite is a file: nothing to watch.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use secrecy::ExposeSecret;
use std::time::Duration;
use tokio::sync::watch;
use trove_bootstrap::settings::DatabaseSettings;

const PROBE_EVERY: Duration = Duration::from_secs(1);

/// The latest verdict of the probe: `true` while the server answers.
#[derive(Debug, Clone)]
pub struct Reachability(watch::Receiver<bool>);

impl Reachability {
    /// Starts probing the server of `settings`; `None` for SQLite. The probe stops when
    /// the last `Reachability` is dropped.
    pub fn watch(settings: &DatabaseSettings) -> Option<Self> {
        let url = settings.url.expose_secret().to_owned();
        if url.starts_with("sqlite") {
            return None;
        }
        let limit = Duration::from_secs(settings.statement_timeout_seconds.max(1));
        let (verdict, reachability) = watch::channel(true);
        tokio::spawn(probe(url, limit, verdict));
        Some(Self(reachability))
    }

    /// Resolves once the server is found not answering (at once if it already is not).
    pub async fn lost(&self) {
        let mut verdict = self.0.clone();
        if verdict.wait_for(|reachable| !reachable).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    pub fn is_reachable(&self) -> bool {
        *self.0.borrow()
    }
}

async fn probe(url: String, limit: Duration, verdict: watch::Sender<bool>) {
    let mut connection = None;
    let mut ticks = tokio::time::interval(PROBE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = verdict.closed() => return,
            _ = ticks.tick() => {}
        }
        let answered = tokio::time::timeout(limit, async {
            if connection.is_none() {
                connection = Some(open(&url, limit).await?);
            }
            match &connection {
                Some(db) => db.execute_unprepared("SELECT 1").await.map(|_| ()),
                None => Ok(()),
            }
        })
        .await;
        let reachable = matches!(answered, Ok(Ok(())));
        if !reachable {
            // A connection whose statement timed out may still be waiting: start afresh.
            connection = None;
        }
        verdict.send_if_modified(|known| {
            let changed = *known != reachable;
            if changed {
                if reachable {
                    tracing::info!("the database answers again");
                } else {
                    tracing::warn!(
                        limit_s = limit.as_secs(),
                        "the database does not answer; requests waiting for it get 503"
                    );
                }
            }
            *known = reachable;
            changed
        });
    }
}

async fn open(url: &str, limit: Duration) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(0)
        .connect_timeout(limit)
        .acquire_timeout(limit)
        .test_before_acquire(false)
        .sqlx_logging(false);
    Database::connect(options).await
}
