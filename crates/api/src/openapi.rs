//! The OpenAPI 3.1 document: the base (title, tags) plus every route `routes::configure`
//! registers, collected by `utoipa_actix_web`.

use crate::routes;
use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

pub const SPEC_PATH: &str = "/api/docs/openapi.json";
pub const DOCS_PATH: &str = "/api/docs/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trove API",
        description = "White-label gifting platform: storefronts, bulk gift orders, redemption, vendor payouts.\n\nEvery error has the body `{error, code, message, request_id, details?}`.",
    ),
    tags(
        (name = "health", description = "Liveness and dependency health."),
        (name = "observability", description = "Metrics."),
    ),
    components(schemas(crate::error::ErrorBody, crate::error::FieldError))
)]
struct ApiBase;

/// The base document, before routes are added.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiBase::openapi()
}

/// The complete document, as served at `SPEC_PATH`.
pub fn document() -> utoipa::openapi::OpenApi {
    App::new()
        .into_utoipa_app()
        .openapi(base())
        .configure(routes::configure)
        .split_for_parts()
        .1
}
