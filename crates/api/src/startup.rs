//! `Application::build(settings)`: wires settings into the HTTP server, binds the listener
//! (port 0 picks a free port, for tests) and exposes `port()` and `run_until_stopped()`.
//!
//! This is the only place that picks implementations (which rate-limit store, which health
//! checks); handlers and middleware see traits.

use crate::auth::{self, Authenticator, SigningKeys};
use crate::client::TrustedProxies;
use crate::error::ApiError;
use crate::features::FeatureFlags;
use crate::health::{
    DatabaseCheck, HealthCheck, MailCheck, RateLimitStoreCheck, SqlQueueCheck, StorageCheck,
};
use crate::metrics::HttpMetrics;
use crate::middleware;
use crate::openapi::{self, DOCS_PATH, SPEC_PATH};
use crate::rate_limit::{LocalLimiter, RateLimiter, RedisLimiter};
use crate::state::AppState;
use crate::{extractors, routes};
use actix_cors::Cors;
use actix_web::dev::{RequestHead, Server};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use trove_bootstrap::Settings;
use utoipa_swagger_ui::{Config, SwaggerUi};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database pool: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot bind {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("rate_limit.redis_url is not a usable Redis URL: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("cannot register metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("{0}")]
    SigningKey(#[from] crate::auth::signing::KeyError),
    #[error("cannot build the JWKS client: {0}")]
    HttpClient(#[from] reqwest::Error),
    #[error("mail settings are unusable: {0}")]
    Mail(#[from] trove_integrations::mail::MailError),
    #[error("storage settings are unusable: {0}")]
    Storage(#[from] trove_integrations::storage::StorageError),
    #[error(transparent)]
    App(#[from] trove_app::SetupError),
}

pub struct Application {
    port: u16,
    server: Server,
    metrics: prometheus::Registry,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens the database pool from settings and builds the server.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let db = trove_data_access::connect(&settings.database).await?;
        if let Err(error) = db.ping().await {
            tracing::warn!(%error, "database not reachable yet; requests needing it answer 503 until it is");
        }
        Self::build_with_db(settings, db).await
    }

    /// Builds the server around an existing pool (the all-in-one binary shares its pool
    /// with the worker).
    pub async fn build_with_db(
        settings: &Settings,
        db: DatabaseConnection,
    ) -> Result<Self, StartupError> {
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { address, source })?
            .port();

        let state = web::Data::new(build_state(settings, db).await?);
        let metrics = state.metrics.registry().clone();
        let body_limit = settings.http.body_limit_bytes;
        let allowed_origins = Arc::new(settings.http.cors_allowed_origins.clone());

        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(extractors::json_config(body_limit))
                .app_data(extractors::query_config())
                .app_data(extractors::path_config())
                .app_data(web::PayloadConfig::new(body_limit))
                .wrap(from_fn(middleware::database_watch::answer_when_lost))
                .wrap(from_fn(middleware::rate_limit::limit))
                .wrap(from_fn(auth::middleware::authenticate))
                .wrap(from_fn(middleware::body_limit::guard))
                .wrap(cors(allowed_origins.clone()))
                .wrap(from_fn(middleware::security_headers::apply))
                .wrap(from_fn(middleware::request_context::wrap))
                .configure(routes::serve)
                .route(SPEC_PATH, web::get().to(serve_openapi))
                .service(
                    SwaggerUi::new(format!("{DOCS_PATH}{{_:.*}}"))
                        .config(Config::new([SPEC_PATH]).validator_url("none")),
                )
                .route("/api/docs", web::get().to(redirect_to_docs))
                .default_service(web::to(routes::fallback::not_matched))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: format!("port {port}"),
            source,
        })?
        .disable_signals()
        .shutdown_timeout(settings.server.shutdown_grace_seconds);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            metrics,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The registry `/metrics` serves, for components running in the same process.
    pub fn metrics_registry(&self) -> &prometheus::Registry {
        &self.metrics
    }

    /// Serves until `shutdown` is cancelled, then stops accepting, lets in-flight requests
    /// finish within the grace period, and returns.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let handle = self.server.handle();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            handle.stop(true).await;
        });
        self.server.await
    }
}

pub(crate) async fn build_state(
    settings: &Settings,
    db: DatabaseConnection,
) -> Result<AppState, StartupError> {
    let limits = &settings.rate_limit;
    let rate_limiter: Option<Arc<dyn RateLimiter>> = match (&limits.redis_url, limits.enabled) {
        (_, false) => None,
        (Some(url), true) => Some(Arc::new(RedisLimiter::new(
            url.expose_secret(),
            limits.per_second,
            limits.burst,
        )?)),
        (None, true) => Some(Arc::new(LocalLimiter::new(limits.per_second, limits.burst))),
    };

    let attempts = limits.password_attempts_per_minute.max(1);
    let attempt_period = std::time::Duration::from_secs(60) / attempts;
    let password_limiter: Arc<dyn RateLimiter> = match &limits.redis_url {
        Some(url) => Arc::new(RedisLimiter::with_period(
            url.expose_secret(),
            attempt_period,
            attempts,
        )?),
        None => Arc::new(LocalLimiter::with_period(attempt_period, attempts)),
    };

    let mut health_checks: Vec<Arc<dyn HealthCheck>> = vec![
        Arc::new(DatabaseCheck(db.clone())),
        Arc::new(SqlQueueCheck(db.clone())),
    ];
    if let (Some(limiter), Some(_)) = (&rate_limiter, &limits.redis_url) {
        health_checks.push(Arc::new(RateLimitStoreCheck(limiter.clone())));
    }
    health_checks.push(Arc::new(MailCheck(
        trove_integrations::mail::from_settings(&settings.mail)?,
    )));
    let (files, local_files) =
        trove_integrations::storage::from_settings(&settings.storage, &settings.aws).await?;
    health_checks.push(Arc::new(StorageCheck(files.clone())));

    let app = trove_app::App::from_settings(db.clone(), settings).await?;
    Ok(AppState {
        db,
        metrics: HttpMetrics::new()?,
        rate_limiter,
        password_limiter,
        health_checks,
        trusted_proxies: TrustedProxies::new(settings.http.trusted_proxies.clone()),
        body_limit_bytes: settings.http.body_limit_bytes,
        openapi: openapi::Published::default(),
        authenticator: Arc::new(Authenticator::new(
            settings,
            Arc::new(SigningKeys::from_settings(settings)?),
        )?),
        features: FeatureFlags::new(settings.features.clone()),
        files,
        local_files,
        storage: settings.storage.clone(),
        app,
        database_reachability: trove_data_access::reachability::Reachability::watch(
            &settings.database,
        ),
        request_log: crate::request_log::RequestLogSampling::new(
            settings.log.successful_public_sample_every,
        ),
        storefront_cache: Arc::new(crate::storefront_cache::StorefrontCache::new(
            &settings.storefront_cache,
        )),
    })
}

/// CORS for the configured origins, plus same-origin requests (the docs page). Never a
/// wildcard: credentials are allowed, so every allowed origin is named.
fn cors(allowed_origins: Arc<Vec<String>>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, head| is_allowed_origin(&allowed_origins, origin, head))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            "x-request-id",
            "retry-after",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
        ])
        .supports_credentials()
        .max_age(3600)
}

fn is_allowed_origin(allowed: &[String], origin: &HeaderValue, head: &RequestHead) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if allowed.iter().any(|allowed| allowed == origin) {
        return true;
    }
    let host = head
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    host.is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host == host)
    })
}

/// The OpenAPI document, serialised on the first request and shared by every worker.
async fn serve_openapi(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let json = state.openapi.json().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .body(json))
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, DOCS_PATH))
        .finish()
}
