//! `trove-worker`: the job consumer as its own process (production layout), with
//! `/metrics` and `/health` on `worker.metrics_port` when it is set.

use std::process::ExitCode;
use trove_bootstrap::{Settings, shutdown, telemetry};
use trove_worker::{WorkerMetrics, WorkerService, metrics_server};

#[tokio::main]
async fn main() -> ExitCode {
    let settings = Settings::load_or_exit();
    let _telemetry = telemetry::init(&settings);

    let db = match trove_data_access::connect(&settings.database).await {
        Ok(db) => db,
        Err(error) => {
            tracing::error!(%error, "cannot open the database pool");
            return ExitCode::FAILURE;
        }
    };
    let registry = prometheus::Registry::new_custom(Some("trove".into()), None).ok();
    let metrics = registry
        .as_ref()
        .and_then(|registry| WorkerMetrics::register(registry).ok());
    let listener = match (settings.worker.metrics_port, registry) {
        (0, _) | (_, None) => None,
        (port, Some(registry)) => {
            match metrics_server::start(&settings.server.host, port, registry) {
                Ok((port, handle)) => {
                    tracing::info!(port, "worker metrics and health listening");
                    Some(handle)
                }
                Err(error) => {
                    tracing::error!(%error, port, "cannot bind the worker's metrics port");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let service = match WorkerService::from_settings(db, &settings, metrics).await {
        Ok(service) => service,
        Err(error) => {
            tracing::error!(%error, "cannot start the worker");
            return ExitCode::FAILURE;
        }
    };
    service.run_until_stopped(shutdown::on_signal()).await;
    if let Some(listener) = listener {
        listener.stop(true).await;
    }
    ExitCode::SUCCESS
}
