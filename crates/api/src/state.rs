//! What every handler and middleware can reach, built once by `Application::build`.

use crate::auth::Authenticator;
use crate::client::TrustedProxies;
use crate::features::FeatureFlags;
use crate::health::HealthCheck;
use crate::metrics::HttpMetrics;
use crate::rate_limit::RateLimiter;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use trove_bootstrap::settings::StorageSettings;
use trove_integrations::storage::{FileStore, LocalStore};

#[derive(Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub metrics: HttpMetrics,
    /// `None` when rate limiting is switched off.
    pub rate_limiter: Option<Arc<dyn RateLimiter>>,
    /// The much stricter limit on storefront password attempts (always on).
    pub password_limiter: Arc<dyn RateLimiter>,
    pub health_checks: Vec<Arc<dyn HealthCheck>>,
    pub trusted_proxies: TrustedProxies,
    pub body_limit_bytes: usize,
    /// The OpenAPI document and the route table read from it, built on first need.
    pub openapi: crate::openapi::Published,
    pub authenticator: Arc<Authenticator>,
    pub features: FeatureFlags,
    pub files: Arc<dyn FileStore>,
    /// The same store when it is a local folder: the API serves its signed URLs.
    pub local_files: Option<Arc<LocalStore>>,
    pub storage: StorageSettings,
    /// The use cases, with the database, order settings and Stripe they need.
    pub app: trove_app::App,
    /// Whether the database server answers (`None` on SQLite).
    pub database_reachability: Option<trove_data_access::reachability::Reachability>,
    /// Which successful requests get a completion line.
    pub request_log: crate::request_log::RequestLogSampling,
    /// Rendered public storefronts by version.
    pub storefront_cache: Arc<crate::storefront_cache::StorefrontCache>,
}
