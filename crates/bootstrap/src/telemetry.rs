//! Logging and error reporting, set up once per process from `LogSettings` and
//! `SentrySettings`.
//!
//! Logs go to stdout: JSON in production (or when asked), human-readable otherwise.
//! Sentry is on only when a DSN is set; it receives panics and whatever the binaries
//! capture explicitly (5xx responses, failed jobs), never request bodies or secrets.

use crate::settings::{LogFormat, Settings};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Logging, then error reporting: what every binary calls first. Keep the returned guard
/// alive until the process exits; dropping it flushes pending Sentry events.
pub fn init(settings: &Settings) -> Option<sentry::ClientInitGuard> {
    init_logging(settings);
    init_error_reporting(settings)
}

/// Installs the global tracing subscriber. Call once, before anything logs.
fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match settings.log.format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => settings.env == crate::Environment::Production,
    };
    let registry = tracing_subscriber::registry().with(filter);
    let installed = if json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry.with(tracing_subscriber::fmt::layer()).try_init()
    };
    if let Err(error) = installed {
        eprintln!("trove: logging was already initialised: {error}");
    }
}

/// Starts the Sentry client when a DSN is configured. Keep the guard alive for the whole
/// process: dropping it flushes pending events.
pub fn init_error_reporting(settings: &Settings) -> Option<sentry::ClientInitGuard> {
    let dsn = settings.sentry.dsn.as_ref()?;
    let dsn = match dsn.expose_secret().parse::<sentry::types::Dsn>() {
        Ok(dsn) => dsn,
        Err(error) => {
            tracing::error!(%error, "sentry.dsn is not a valid DSN; error reporting is off");
            return None;
        }
    };
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(dsn);
    options.environment = Some(settings.env.as_str().into());
    options.release = sentry::release_name!();
    options.attach_stacktrace = true;
    options.send_default_pii = false;
    let guard = sentry::init(options);
    tracing::info!("error reporting to Sentry is on");
    Some(guard)
}
