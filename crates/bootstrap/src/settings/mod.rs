//! Typed, layered settings.
//!
//! Layers, later ones winning: built-in defaults (the `Default` impls below) →
//! `config/default.toml` → `config/{env}.toml` (optional) → environment variables
//! `TROVE__SECTION__KEY`. The config folder is `./config` unless `TROVE_CONFIG_DIR` says
//! otherwise. `validate()` runs at start; every problem names its key and what is expected.
//! Secrets are `SecretString`: their `Debug` output is redacted and nothing here prints them.

mod integrations;
mod load;
mod services;
mod validate;

pub use integrations::{SecretsBackend, SecretsSettings, ShopifySettings};
pub use load::{ENV_PREFIX, SettingsError};
pub use services::{
    AwsSettings, MailSettings, MailTransport, OrderSettings, QueueBackend, QueueSettings,
    SmtpSecurity, StorageBackend, StorageSettings, StripeSettings,
};
pub use validate::InvalidSetting;

use ipnet::IpNet;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The rendered public storefront kept in each API process (checked against the
/// storefront's version in the database on every read, so instances stay coherent).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorefrontCacheSettings {
    pub enabled: bool,
    /// Storefronts kept at once; the least recently read is dropped first.
    pub max_entries: usize,
}

impl Default for StorefrontCacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_entries: 1_000,
        }
    }
}

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
    pub storefront_cache: StorefrontCacheSettings,
    pub log: LogSettings,
    pub sentry: SentrySettings,
    pub worker: WorkerSettings,
    pub auth: AuthSettings,
    pub mail: MailSettings,
    pub queue: QueueSettings,
    pub aws: AwsSettings,
    pub storage: StorageSettings,
    pub orders: OrderSettings,
    pub stripe: StripeSettings,
    pub secrets: SecretsSettings,
    pub shopify: ShopifySettings,
    /// Feature flags and their default state, e.g. `bulk_upload = true`. Vendors can be
    /// given overrides in the database; handlers ask the flag service, never this map.
    pub features: BTreeMap<String, bool>,
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
    /// The longest one statement may run (MariaDB `max_statement_time`, MySQL
    /// `max_execution_time`, PostgreSQL `statement_timeout`, and lock waits likewise), and
    /// the longest the server may stay silent before requests waiting on it get a 503.
    pub statement_timeout_seconds: u64,
    /// Log every SQL statement (target `sqlx::query`, at debug level) for diagnosis.
    pub log_statements: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://data/trove.db?mode=rwc"),
            max_connections: 10,
            min_connections: 0,
            connect_timeout_seconds: 5,
            acquire_timeout_seconds: 3,
            statement_timeout_seconds: 5,
            log_statements: false,
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
    /// Storefront password attempts per minute per client and storefront (also the burst).
    pub password_attempts_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: 30,
            burst: 10,
            redis_url: None,
            password_attempts_per_minute: 5,
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
    /// Log one in this many successful answers of the hot public routes (`/health*`,
    /// `/api/v1/public/`); 1 logs every one. Errors and other routes are always logged.
    pub successful_public_sample_every: u32,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info,sqlx=warn,sea_orm=warn".into(),
            format: LogFormat::Auto,
            successful_public_sample_every: 1,
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
    /// Port of the standalone worker's `/metrics` and `/health` listener; 0 turns it off.
    pub metrics_port: u16,
    /// Jobs of the fast lane (every kind but the slow ones) one worker process runs at once.
    pub concurrency: usize,
    /// Jobs of the slow lane (CSV imports, catalogue syncs) it runs at once, besides those.
    pub slow_concurrency: usize,
    /// After SIGTERM, how long running jobs may take before they are released.
    pub shutdown_grace_seconds: u64,
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
            metrics_port: 0,
            concurrency: 4,
            slow_concurrency: 1,
            shutdown_grace_seconds: 30,
            poll_interval_ms: 500,
            lease_seconds: 300,
            max_attempts: 5,
            retry_base_seconds: 5,
            retry_max_seconds: 3600,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Auth0 issuer, e.g. `https://trove.eu.auth0.com/`. Vendor and admin tokens from Auth0
    /// are accepted only when it is set.
    pub issuer: Option<String>,
    /// The API's Auth0 audience (`aud`).
    pub audience: Option<String>,
    /// Where Auth0 publishes its keys; `{issuer}.well-known/jwks.json` when unset.
    pub jwks_url: Option<String>,
    /// An unknown `kid` refetches the JWKS at most once per this many seconds.
    pub jwks_refetch_cooldown_seconds: u64,
    /// Clock skew allowed on `exp`/`nbf` (60 at most).
    pub leeway_seconds: u64,
    /// The claim that lists a user's permissions or roles (Auth0 RBAC: `permissions`; or a
    /// namespaced custom claim).
    pub admin_claim: String,
    /// The entry in `admin_claim` that makes a user a platform admin.
    pub admin_value: String,
    /// The API's own Ed25519 signing key (PKCS#8, base64) for the tokens it issues.
    /// When unset outside production, a key is kept in `signing_key_file`.
    pub signing_key: Option<SecretString>,
    /// Where the embedded mode keeps its generated signing key.
    pub signing_key_file: String,
    /// Public keys (base64url Ed25519) of earlier signing keys, still accepted after a
    /// rotation until the tokens they signed have expired.
    pub retired_public_keys: Vec<String>,
    /// Trust tokens minted by the local dev issuer (`trove token …`). Refused in production.
    pub dev_issuer: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: None,
            jwks_url: None,
            jwks_refetch_cooldown_seconds: 30,
            leeway_seconds: 60,
            admin_claim: "permissions".into(),
            admin_value: "admin:platform".into(),
            signing_key: None,
            signing_key_file: "data/signing-key.b64".into(),
            retired_public_keys: Vec::new(),
            dev_issuer: false,
        }
    }
}

impl AuthSettings {
    /// The JWKS URL: configured, or derived from the issuer as Auth0 publishes it.
    pub fn jwks_url(&self) -> Option<String> {
        self.jwks_url.clone().or_else(|| {
            self.issuer
                .as_ref()
                .map(|issuer| format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/')))
        })
    }
}
