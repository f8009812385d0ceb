//! Opening the connection pool (with per-statement time limits) and applying the schema.

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
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        .connect_lazy(true)
        .sqlx_logging(settings.log_statements)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(|options| {
            // WAL lets readers (the API) work while the worker writes; NORMAL sync is
            // durable across application crashes, which is what the embedded mode needs.
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
        });
    limit_statements(&mut options, settings.statement_timeout_seconds);
    Database::connect(options).await
}

/// A pooled connection idle for longer than this is pinged before it is handed out (one
/// that was just used is not: a broken one fails its statement, which answers 503 or
/// retries, and the pool replaces it).
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// Every session on a server gets `seconds` as its time limit per statement and per lock
/// wait, so a runaway query or a lock held too long ends in an error (503, or a job
/// retry) instead of holding a request. SQLite has its busy timeout instead.
fn limit_statements(options: &mut ConnectOptions, seconds: u64) {
    options.map_sqlx_postgres_opts(move |postgres| {
        postgres.options([
            ("statement_timeout", format!("{seconds}s")),
            ("lock_timeout", format!("{seconds}s")),
        ])
    });
    options.map_sqlx_mysql_pool_opts(move |pool| {
        pool.after_connect(move |connection, _| Box::pin(limit_mysql_session(connection, seconds)))
    });
}

async fn limit_mysql_session(
    connection: &mut sea_orm::sqlx::MySqlConnection,
    seconds: u64,
) -> Result<(), sea_orm::sqlx::Error> {
    use sea_orm::sqlx::{AssertSqlSafe, Executor};
    // MariaDB limits any statement in seconds; MySQL has only a read limit in milliseconds.
    let mariadb = format!("SET SESSION max_statement_time = {seconds}");
    if connection.execute(AssertSqlSafe(mariadb)).await.is_err() {
        let mysql = format!("SET SESSION max_execution_time = {}", seconds * 1000);
        connection.execute(AssertSqlSafe(mysql)).await?;
    }
    let locks = format!("SET SESSION innodb_lock_wait_timeout = {seconds}");
    connection.execute(AssertSqlSafe(locks)).await?;
    Ok(())
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
