//! Dependency checks behind `GET /health/detailed`.
//!
//! Each dependency is one `HealthCheck`; the report runs them concurrently, each under a
//! time limit, and is `down` (503) when any required one fails. Error texts come from the
//! client libraries and carry no credentials; URLs are never included.

use crate::rate_limit::RateLimiter;
use async_trait::async_trait;
use futures_util::future::join_all;
use sea_orm::DatabaseConnection;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// A check slower than this counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

#[async_trait]
pub trait HealthCheck: Send + Sync + std::fmt::Debug {
    fn name(&self) -> &'static str;
    /// A required dependency being down makes the whole service `down`.
    fn required(&self) -> bool;
    /// `Ok` with optional facts worth showing (e.g. queue depth), or why it failed.
    async fn check(&self) -> Result<Option<serde_json::Value>, String>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Up,
    Down,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckReport {
    pub name: &'static str,
    pub status: Status,
    pub required: bool,
    pub latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    /// `ok`, `degraded` (an optional dependency is down) or `down`.
    pub status: &'static str,
    /// Names the required dependencies that are down, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub checks: Vec<CheckReport>,
}

impl HealthReport {
    pub fn is_down(&self) -> bool {
        self.status == "down"
    }
}

pub async fn run(checks: &[Arc<dyn HealthCheck>]) -> HealthReport {
    let reports = join_all(checks.iter().map(|check| async move {
        let started = Instant::now();
        let outcome = tokio::time::timeout(CHECK_TIMEOUT, check.check())
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())));
        let latency_ms = (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
        let (status, error, details) = match outcome {
            Ok(details) => (Status::Up, None, details),
            Err(error) => (Status::Down, Some(error), None),
        };
        CheckReport {
            name: check.name(),
            status,
            required: check.required(),
            latency_ms,
            error,
            details,
        }
    }))
    .await;

    let down_required: Vec<&str> = reports
        .iter()
        .filter(|report| report.required && report.status == Status::Down)
        .map(|report| report.name)
        .collect();
    let any_down = reports.iter().any(|report| report.status == Status::Down);
    let (status, message) = if !down_required.is_empty() {
        (
            "down",
            Some(format!(
                "required dependency down: {}",
                down_required.join(", ")
            )),
        )
    } else if any_down {
        ("degraded", None)
    } else {
        ("ok", None)
    };
    HealthReport {
        status,
        message,
        checks: reports,
    }
}

/// The relational database: one round trip.
#[derive(Debug)]
pub struct DatabaseCheck(pub DatabaseConnection);

#[async_trait]
impl HealthCheck for DatabaseCheck {
    fn name(&self) -> &'static str {
        "database"
    }

    fn required(&self) -> bool {
        true
    }

    async fn check(&self) -> Result<Option<serde_json::Value>, String> {
        self.0.ping().await.map_err(|error| error.to_string())?;
        let backend = format!("{:?}", self.0.get_database_backend()).to_lowercase();
        Ok(Some(serde_json::json!({ "backend": backend })))
    }
}

/// The embedded job queue (the jobs table): readable, and how many jobs wait.
#[derive(Debug)]
pub struct SqlQueueCheck(pub DatabaseConnection);

#[async_trait]
impl HealthCheck for SqlQueueCheck {
    fn name(&self) -> &'static str {
        "queue"
    }

    fn required(&self) -> bool {
        true
    }

    async fn check(&self) -> Result<Option<serde_json::Value>, String> {
        let pending = trove_data_access::jobs::pending_count(&self.0)
            .await
            .map_err(|error| error.to_string())?;
        Ok(Some(
            serde_json::json!({ "backend": "sql", "pending": pending }),
        ))
    }
}

/// The shared rate-limit store; optional, because each instance falls back to its own.
#[derive(Debug)]
pub struct RateLimitStoreCheck(pub Arc<dyn RateLimiter>);

#[async_trait]
impl HealthCheck for RateLimitStoreCheck {
    fn name(&self) -> &'static str {
        "rate_limit_store"
    }

    fn required(&self) -> bool {
        false
    }

    async fn check(&self) -> Result<Option<serde_json::Value>, String> {
        match self.0.store_health().await {
            Some(result) => result.map(|()| Some(serde_json::json!({ "backend": "redis" }))),
            None => Ok(Some(serde_json::json!({ "backend": "in_process" }))),
        }
    }
}

/// Outgoing mail (SMTP server or outbox folder); optional, because jobs wait and retry.
#[derive(Debug)]
pub struct MailCheck(pub Box<dyn trove_integrations::mail::Mailer>);

#[async_trait]
impl HealthCheck for MailCheck {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn required(&self) -> bool {
        false
    }

    async fn check(&self) -> Result<Option<serde_json::Value>, String> {
        self.0.check().await.map(|()| None)
    }
}

/// File storage (the bucket and its KMS key, or the local folder). Optional: only uploads
/// and downloads need it, and they answer 503 on their own while it is down.
#[derive(Debug)]
pub struct StorageCheck(pub Arc<dyn trove_integrations::storage::FileStore>);

#[async_trait]
impl HealthCheck for StorageCheck {
    fn name(&self) -> &'static str {
        "storage"
    }

    fn required(&self) -> bool {
        false
    }

    async fn check(&self) -> Result<Option<serde_json::Value>, String> {
        self.0
            .check()
            .await
            .map(|()| None)
            .map_err(|e| e.to_string())
    }
}
