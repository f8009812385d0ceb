//! Telling a database that is out of reach apart from a query that is wrong.

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr};

/// True when the error means the database could not be reached or did not answer in time:
/// the request may succeed later, so callers answer 503 (HTTP) or retry (jobs).
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
            )
        }
        _ => false,
    }
}
