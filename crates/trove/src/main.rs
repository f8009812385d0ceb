//! `trove`: the embedded all-in-one mode. One process runs the API and the worker over a
//! SQLite file under `./data/`, applies migrations at start (the only mode that does), and
//! needs no outside service. `cargo run --release` at the workspace root starts it.

use std::io::Write;
use std::process::ExitCode;
use trove_api::Application;
use trove_bootstrap::{Environment, Settings, shutdown, telemetry};
use trove_worker::{WorkerMetrics, WorkerService};

#[tokio::main]
async fn main() -> ExitCode {
    let settings = Settings::load_or_exit();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("token") {
        return trove_api::dev_token::print("trove", &settings, &args[1..]);
    }
    if settings.env == Environment::Production {
        eprintln!(
            "trove: cannot start: the all-in-one binary is the embedded mode and migrates on \
             start; in production run `just migrate`, then `trove-api` and `trove-worker`"
        );
        return ExitCode::from(2);
    }
    let _telemetry = telemetry::init(&settings);

    let db = match trove_data_access::connect(&settings.database).await {
        Ok(db) => db,
        Err(error) => {
            tracing::error!(%error, "cannot open the database");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = trove_data_access::migrate(&db).await {
        tracing::error!(%error, "cannot apply migrations");
        return ExitCode::FAILURE;
    }
    let application = match Application::build_with_db(&settings, db.clone()).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(%error, "cannot start the API");
            return ExitCode::FAILURE;
        }
    };
    announce(&settings.server.host, application.port());

    let shutdown = shutdown::on_signal();
    let metrics = match WorkerMetrics::register(application.metrics_registry()) {
        Ok(metrics) => metrics,
        Err(error) => {
            tracing::error!(%error, "cannot register worker metrics");
            return ExitCode::FAILURE;
        }
    };
    let worker = match WorkerService::from_settings(db, &settings, Some(metrics)).await {
        Ok(service) => tokio::spawn(service.run_until_stopped(shutdown.clone())),
        Err(error) => {
            tracing::error!(%error, "cannot start the worker");
            return ExitCode::FAILURE;
        }
    };
    let served = application.run_until_stopped(shutdown.clone()).await;
    shutdown.cancel();
    let worker_stopped = worker.await;

    match (served, worker_stopped) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(error), _) => {
            tracing::error!(%error, "API server failed");
            ExitCode::FAILURE
        }
        (_, Err(error)) => {
            tracing::error!(%error, "worker failed");
            ExitCode::FAILURE
        }
    }
}

fn announce(host: &str, port: u16) {
    let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
    let base = format!("http://{host}:{port}");
    let banner = format!(
        "\nTrove is running (embedded mode: SQLite, in-database queue).\n  \
         API:      {base}\n  \
         API docs: {base}/api/docs/\n  \
         Health:   {base}/health/detailed\n  \
         Dev token: cargo run --release -- token --type vendor --email you@example.com\n             \
         (send it as `Authorization: Bearer <token>`; --type admin for a platform admin)\n  \
         Stop with Ctrl-C.\n"
    );
    let _ = writeln!(std::io::stdout(), "{banner}");
}
