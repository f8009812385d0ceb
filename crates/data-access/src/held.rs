//! One pooled connection held for a run of statements outside a transaction.
//!
//! Statements on a [`DatabaseConnection`] each take a connection from the pool and give it
//! back, and the pool pings every connection it gets back. A request that reads in several
//! statements (the public storefront: its row, then what it offers) holds one
//! [`HeldConnection`] instead: one acquire and one release whatever the number of
//! statements, as a transaction would have but without `BEGIN` and `COMMIT`. It is a
//! [`ConnectionTrait`], so every repository takes it. Errors are the ones the pool's own
//! statements give, so `is_unavailable` and constraint checks read them alike.

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Executor};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement, Values,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;

/// A connection taken from the pool, returned to it when dropped.
#[derive(Debug)]
pub struct HeldConnection {
    backend: DbBackend,
    connection: Mutex<Pooled>,
}

#[derive(Debug)]
enum Pooled {
    MySql(PoolConnection<sqlx::MySql>),
    Postgres(PoolConnection<sqlx::Postgres>),
    Sqlite(PoolConnection<sqlx::Sqlite>),
}

impl HeldConnection {
    /// Takes a connection from `db`'s pool, waiting at most the pool's acquire timeout.
    pub async fn acquire(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let backend = db.get_database_backend();
        let connection = match backend {
            DbBackend::MySql => db
                .get_mysql_connection_pool()
                .acquire()
                .await
                .map(Pooled::MySql),
            DbBackend::Postgres => db
                .get_postgres_connection_pool()
                .acquire()
                .await
                .map(Pooled::Postgres),
            DbBackend::Sqlite => db
                .get_sqlite_connection_pool()
                .acquire()
                .await
                .map(Pooled::Sqlite),
            other => {
                return Err(DbErr::Custom(format!(
                    "no held connections for the {other:?} backend"
                )));
            }
        }
        .map_err(acquire_error)?;
        Ok(Self {
            backend,
            connection: Mutex::new(connection),
        })
    }
}

/// Runs `$run` (a closure over the query) on whichever backend the connection is.
macro_rules! on_backend {
    ($self:ident, $stmt:ident, |$query:ident, $connection:ident| $run:expr) => {{
        let values = $stmt.values.clone().unwrap_or(Values(Vec::new()));
        let sql = sqlx::AssertSqlSafe($stmt.sql.as_str());
        let mut pooled = $self.connection.lock().await;
        match &mut *pooled {
            Pooled::MySql($connection) => {
                let $query = sqlx::query_with(sql, SqlxValues(values));
                $run
            }
            Pooled::Postgres($connection) => {
                let $query = sqlx::query_with(sql, SqlxValues(values));
                $run
            }
            Pooled::Sqlite($connection) => {
                let $query = sqlx::query_with(sql, SqlxValues(values));
                $run
            }
        }
    }};
}

#[async_trait::async_trait]
impl ConnectionTrait for HeldConnection {
    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        on_backend!(self, stmt, |query, connection| query
            .execute(&mut **connection)
            .await
            .map(ExecResult::from)
            .map_err(exec_error))
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        let mut pooled = self.connection.lock().await;
        match &mut *pooled {
            Pooled::MySql(connection) => connection.execute(sql).await.map(ExecResult::from),
            Pooled::Postgres(connection) => connection.execute(sql).await.map(ExecResult::from),
            Pooled::Sqlite(connection) => connection.execute(sql).await.map(ExecResult::from),
        }
        .map_err(exec_error)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        on_backend!(self, stmt, |query, connection| query
            .fetch_optional(&mut **connection)
            .await
            .map(|row| row.map(QueryResult::from))
            .map_err(query_error))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        on_backend!(self, stmt, |query, connection| query
            .fetch_all(&mut **connection)
            .await
            .map(|rows| rows.into_iter().map(QueryResult::from).collect())
            .map_err(query_error))
    }
}

fn acquire_error(error: sqlx::Error) -> DbErr {
    match error {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(other.into())),
    }
}

fn exec_error(error: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(error.into()))
}

fn query_error(error: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(error.into()))
}
