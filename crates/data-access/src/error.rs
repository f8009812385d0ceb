//! Telling a database that is out of reach apart from a query that is wrong.

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr};

/// True when the error means the database could not be reached, did not answer in time,
/// or refused for a moment because of other work (SQLite busy/locked, a deadlock, a
/// serialization failure or a statement over its time limit on MySQL/MariaDB/PostgreSQL):
/// the request may
/// succeed later, so callers answer 503 (HTTP) or retry (jobs).
pub fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            matches!(
                inner.as_ref(),
                sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Protocol(_)
            ) || is_contention(inner)
        }
        _ => false,
    }
}

/// Codes of the three backends for "another transaction is in the way, or the statement
/// ran out of time; try again".
fn is_contention(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(database) = error else {
        return false;
    };
    if let Some(mysql) = database.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // Lock wait timeout, MariaDB `max_statement_time`, MySQL `max_execution_time`.
        if matches!(mysql.number(), 1205 | 1969 | 3024) {
            return true;
        }
    }
    matches!(
        database.code().as_deref(),
        // SQLite: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT.
        Some("5" | "6" | "517")
        // SQLSTATE: serialization failure (a MySQL/MariaDB deadlock too), PostgreSQL deadlock,
        // PostgreSQL `statement_timeout` and `lock_timeout`.
        | Some("40001" | "40P01" | "57014" | "55P03")
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use sea_orm::{ConnectOptions, ConnectionTrait, Database};
    use std::time::Duration;

    /// A second writer on SQLite while the first holds the write lock: busy, so retryable.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_busy_sqlite_database_is_unavailable_not_a_wrong_query() {
        let path = std::env::temp_dir().join(format!("trove-busy-{}.db", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let impatient = |url: &str| {
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .max_connections(1)
                .sqlx_logging(false)
                .map_sqlx_sqlite_opts(|options| options.busy_timeout(Duration::ZERO));
            options
        };
        let first = Database::connect(impatient(&url)).await.unwrap();
        let second = Database::connect(impatient(&url)).await.unwrap();
        first
            .execute_unprepared("CREATE TABLE t (x INTEGER)")
            .await
            .unwrap();
        let holding = crate::db::begin_write(&first).await.unwrap();
        holding
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let busy = second
            .execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .unwrap_err();
        assert!(is_unavailable(&busy), "{busy:?}");
        let wrong = second
            .execute_unprepared("INSERT INTO missing VALUES (2)")
            .await
            .unwrap_err();
        assert!(!is_unavailable(&wrong), "{wrong:?}");
        drop(holding);
        std::fs::remove_file(path).ok();
    }
}
