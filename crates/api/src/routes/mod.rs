//! Every route of the API, one module per resource. `configure` is the only place routes
//! are registered, always through `utoipa_actix_web`, so each one is in the OpenAPI
//! document by construction.

pub mod fallback;
pub mod health;
pub mod metrics;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::live)
        .service(health::detailed)
        .service(metrics::render);
}
