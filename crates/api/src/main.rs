//! `trove-api`: the HTTP API as its own process (production layout).
//!
//! `trove-api` serves; `trove-api openapi` prints the OpenAPI document; `trove-api token
//! --type vendor --email you@example.com` mints a dev-issuer token.
//! It never migrates the database: run `just migrate` first.

use std::io::Write;
use std::process::ExitCode;
use trove_api::{Application, openapi};
use trove_bootstrap::{Settings, shutdown, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => serve().await,
        Some("openapi") => print_openapi(),
        Some("token") => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            trove_api::dev_token::print("trove-api", &Settings::load_or_exit(), &args)
        }
        Some(other) => {
            eprintln!(
                "trove-api: unknown command `{other}`; use `serve` (default), `openapi` or `token`"
            );
            ExitCode::from(2)
        }
    }
}

async fn serve() -> ExitCode {
    let settings = Settings::load_or_exit();
    let _telemetry = telemetry::init(&settings);

    let application = match Application::build(&settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(%error, "cannot start the API");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(port = application.port(), "API listening");
    match application.run_until_stopped(shutdown::on_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "API server failed");
            ExitCode::FAILURE
        }
    }
}

fn print_openapi() -> ExitCode {
    let document = match openapi::document().to_pretty_json() {
        Ok(document) => document,
        Err(error) => {
            eprintln!("trove-api: cannot render the OpenAPI document: {error}");
            return ExitCode::FAILURE;
        }
    };
    match writeln!(std::io::stdout(), "{document}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
