//! The standalone worker's small HTTP listener: `GET /metrics` (Prometheus text) and
//! `GET /health` (liveness), on `worker.metrics_port`. The all-in-one binary does not
//! start it: there the API's `/metrics` carries the worker's metrics.

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use prometheus::{Encoder, Registry, TextEncoder};

async fn metrics(registry: web::Data<Registry>) -> HttpResponse {
    let mut buffer = Vec::new();
    match TextEncoder::new().encode(&registry.gather(), &mut buffer) {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(buffer),
        Err(error) => {
            tracing::error!(%error, "cannot render metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Starts the listener on `host:port` in the background; stop it through the handle.
pub fn start(host: &str, port: u16, registry: Registry) -> std::io::Result<(u16, ServerHandle)> {
    let listener = std::net::TcpListener::bind((host, port))?;
    let bound = listener.local_addr()?.port();
    let registry = web::Data::new(registry);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(registry.clone())
            .route("/metrics", web::get().to(metrics))
            .route("/health", web::get().to(health))
    })
    .listen(listener)?
    .workers(1)
    .disable_signals()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((bound, handle))
}
