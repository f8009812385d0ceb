//! Logging and error reporting, set up once per process from `LogSettings` and
//! `SentrySettings`.
//!
//! Logs go to stdout: JSON in production (or when asked), human-readable otherwise. A
//! request thread only formats its line and hands it to a writer thread, so a slow or
//! contended stdout never holds a request; when that thread falls 8k lines behind, the
//! request threads wait for it rather than drop lines.
//! Sentry is on only when a DSN is set; it receives panics and whatever the binaries
//! capture explicitly (5xx responses, failed jobs), never request bodies or secrets.

use crate::settings::{LogFormat, Settings};
use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps logging and error reporting running: hold it until the process exits. Dropping it
/// writes the log lines still queued and flushes pending Sentry events.
pub struct Telemetry {
    _log_writer: tracing_appender::non_blocking::WorkerGuard,
    _sentry: Option<sentry::ClientInitGuard>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

/// Logging, then error reporting: what every binary calls first.
pub fn init(settings: &Settings) -> Telemetry {
    let log_writer = init_logging(settings);
    Telemetry {
        _log_writer: log_writer,
        _sentry: init_error_reporting(settings),
    }
}

/// Installs the global tracing subscriber, writing through its own thread. Call once,
/// before anything logs.
fn init_logging(settings: &Settings) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_LINES_QUEUED)
        .thread_name("log-writer")
        .finish(std::io::stdout());
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
                    .with_writer(writer)
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_writer(writer))
            .try_init()
    };
    if let Err(error) = installed {
        eprintln!("trove: logging was already initialised: {error}");
    }
    guard
}

/// Log lines waiting for the writer thread before the threads logging wait for it. The
/// queue's slots are allocated up front (32 bytes each), so it is sized for bursts, not
/// for a stdout that has stopped.
const LOG_LINES_QUEUED: usize = 8_192;

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
