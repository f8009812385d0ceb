//! Opening the connection pool and applying the schema.

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use secrecy::ExposeSecret;
use std::path::Path;
use std::time::Duration;
use trove_bootstrap::settings::DatabaseSettings;

/// Opens a pool as the settings describe. The pool connects lazily, so a process started
/// while the database is down comes up, answers 503 where it needs the database, and
/// recovers on its own once the database is back.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let url = settings.url.expose_secret();
    if let Some(path) = sqlite_file(url) {
        ensure_parent_dir(path)?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(settings.max_connections)
        .min_connections(settings.min_connections)
        .connect_timeout(Duration::from_secs(settings.connect_timeout_seconds))
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_seconds))
        .test_before_acquire(true)
        .connect_lazy(true)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|options| {
            // WAL lets readers (the API) work while the worker writes; NORMAL sync is
            // durable across application crashes, which is what the embedded mode needs.
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
        });
    Database::connect(options).await
}

/// Starts a transaction that writes. On SQLite it takes the write lock at `BEGIN`
/// (`IMMEDIATE`), so concurrent writers (the API and the worker in one process) wait their
/// turn under the busy timeout instead of failing with "database is locked" when a
/// transaction that has read tries to write. Other backends begin as usual.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Brings the schema up to date. Only the embedded mode and tests call this at start;
/// production runs `just migrate` (the `migration` binary) instead.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

/// The file behind a `sqlite://` URL, unless it is in memory.
fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
}

fn ensure_parent_dir(path: &Path) -> Result<(), DbErr> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|error| {
                DbErr::Custom(format!(
                    "cannot create the folder {} for the SQLite database: {error}",
                    parent.display()
                ))
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite://data/trove.db?mode=rwc"),
            Some(Path::new("data/trove.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///tmp/x.db"),
            Some(Path::new("/tmp/x.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("mysql://root@localhost/trove"), None);
    }
}
