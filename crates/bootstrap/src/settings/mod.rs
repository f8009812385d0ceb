//! Typed, layered settings.
//!
//! Layers, later ones winning: built-in defaults (the `Default` impls below) →
//! `config/default.toml` → `config/{env}.toml` (optional) → environment variables
//! `TROVE__SECTION__KEY`. The config folder is `./config` unless `TROVE_CONFIG_DIR` says
//! otherwise. `validate()` runs at start; every problem names its key and what is expected.
//! Secrets are `SecretString`: their `Debug` output is redacted and nothing here prints them.

mod load;
mod validate;

pub use load::{ENV_PREFIX, SettingsError};
pub use validate::InvalidSetting;

use ipnet::IpNet;
use secrecy::SecretString;
use serde::Deserialize;
use std::time::Duration;

/// Which profile the process runs under. `production` refuses embedded backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    Test,
    Production,
}

impl Environment {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub env: Environment,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    pub rate_limit: RateLimitSettings,
    pub log: LogSettings,
    pub sentry: SentrySettings,
    pub worker: WorkerSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests).
    pub port: u16,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_grace_seconds: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 3000,
            workers: 0,
            shutdown_grace_seconds: 30,
        }
    }
}

impl ServerSettings {
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://…`, `mysql://…` or `postgres://…`; may carry a password, hence secret.
    pub url: SecretString,
    pub max_connections: u32,
    pub min_connections: u32,
    pub connect_timeout_seconds: u64,
    /// How long a request waits for a pooled connection before it gets a 503.
    pub acquire_timeout_seconds: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://data/trove.db?mode=rwc"),
            max_connections: 10,
            min_connections: 0,
            connect_timeout_seconds: 5,
            acquire_timeout_seconds: 3,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes (JSON and any other body).
    pub body_limit_bytes: usize,
    /// Origins allowed to call the API from a browser, e.g. `https://admin.example.com`.
    pub cors_allowed_origins: Vec<String>,
    /// Peers (IPs or CIDR ranges) whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Sustained requests per second per client.
    pub per_second: u32,
    /// Requests a client may make at once on top of the sustained rate.
    pub burst: u32,
    /// Share the limit between API instances through this Redis; in process when unset.
    pub redis_url: Option<SecretString>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: 30,
            burst: 10,
            redis_url: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON in production, human-readable otherwise.
    #[default]
    Auto,
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A `tracing` filter, e.g. `info` or `info,sqlx=warn,trove_api=debug`.
    pub level: String,
    pub format: LogFormat,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info,sqlx=warn,sea_orm=warn".into(),
            format: LogFormat::Auto,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SentrySettings {
    /// Error reporting is on when a DSN is set.
    pub dsn: Option<SecretString>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSettings {
    /// How often an idle worker looks for due jobs.
    pub poll_interval_ms: u64,
    /// How long a claimed job is reserved for its worker before another may take it.
    pub lease_seconds: u64,
    pub max_attempts: u32,
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            poll_interval_ms: 500,
            lease_seconds: 300,
            max_attempts: 5,
            retry_base_seconds: 5,
            retry_max_seconds: 3600,
        }
    }
}
