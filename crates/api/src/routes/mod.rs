//! Every route of the API, one module per resource. `configure` is the only place routes
//! are registered, always through `utoipa_actix_web`, so each one is in the OpenAPI
//! document by construction.

pub mod admin;
pub mod fallback;
pub mod feature_flags;
pub mod health;
pub mod me;
pub mod members;
pub mod metrics;
pub mod vendors;
pub mod well_known;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::live)
        .service(health::detailed)
        .service(metrics::render)
        .service(well_known::jwks)
        .service(me::show)
        .service(me::update)
        .service(vendors::create)
        .service(vendors::show)
        .service(vendors::update)
        .service(vendors::onboarding)
        .service(feature_flags::list)
        .service(members::list)
        .service(members::invite)
        .service(members::accept)
        .service(members::change_role)
        .service(members::remove)
        .service(admin::list_vendors)
        .service(admin::list_flags)
        .service(admin::set_rollout)
        .service(admin::set_override);
}
