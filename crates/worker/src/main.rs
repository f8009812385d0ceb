//! `trove-worker`: the job consumer as its own process (production layout).

use std::process::ExitCode;
use trove_bootstrap::{Settings, shutdown, telemetry};
use trove_worker::{Worker, handlers, queue};

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
    let handlers = match handlers::registry(&db, &settings) {
        Ok(handlers) => handlers,
        Err(error) => {
            tracing::error!(%error, "cannot set up the job handlers");
            return ExitCode::FAILURE;
        }
    };
    let (queue, relay) = match queue::from_settings(&db, &settings.queue).await {
        Ok(backend) => backend,
        Err(error) => {
            tracing::error!(%error, "cannot set up the job queue");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = shutdown::on_signal();
    let relay = relay.map(|relay| tokio::spawn(relay.run_until_stopped(shutdown.clone())));
    Worker::new(db, &settings.worker, handlers)
        .with_queue(queue)
        .run_until_stopped(shutdown)
        .await;
    if let Some(relay) = relay {
        let _ = relay.await;
    }
    ExitCode::SUCCESS
}
