//! `trove-worker`: the job consumer as its own process (production layout).

use std::process::ExitCode;
use trove_bootstrap::{Settings, shutdown, telemetry};
use trove_worker::WorkerService;

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
    let service = match WorkerService::from_settings(db, &settings, None).await {
        Ok(service) => service,
        Err(error) => {
            tracing::error!(%error, "cannot start the worker");
            return ExitCode::FAILURE;
        }
    };
    service.run_until_stopped(shutdown::on_signal()).await;
    ExitCode::SUCCESS
}
