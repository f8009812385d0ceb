//! The OpenAPI 3.1 document: the base (title, tags) plus every route `routes::configure`
//! registers, collected by `utoipa_actix_web`, completed by [`contract`] with what every
//! operation answers before its handler runs. A process builds it at most once, on first
//! need ([`Published`]): the spec route, or a request no route matched (the 405/404 choice
//! reads its paths). Building touches the generated code of every operation and schema, so a
//! process that answers neither keeps none of that resident.

mod contract;
pub(crate) mod rules;

use crate::route_table::RouteTable;
use crate::routes;
use actix_web::App;
use actix_web::web::Bytes;
use std::sync::OnceLock;
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
        (name = "auth", description = "Keys of the tokens the API issues."),
        (name = "users", description = "The signed-in user."),
        (name = "vendors", description = "Vendor accounts, for their members."),
        (name = "members", description = "Vendor members and invitations."),
        (name = "shipping", description = "A vendor's shipping zones and rates."),
        (name = "storefronts", description = "A vendor's storefronts and their review status."),
        (name = "products", description = "A vendor's catalogue: products and variants."),
        (name = "public", description = "What the Customer Frontend reads without a token."),
        (name = "checkout", description = "Guest quotes and orders on a storefront, and card payment confirmation."),
        (name = "orders", description = "A vendor's orders: status, recipients, tracking, refunds."),
        (name = "gifts", description = "A recipient's gift: redeem a code, choose, confirm the address."),
        (name = "recipient lists", description = "Bulk recipients from CSV uploads."),
        (name = "uploads", description = "Signed file uploads and downloads."),
        (name = "payments", description = "A vendor's Stripe Connect account, onboarding and payouts."),
        (name = "shopify", description = "A vendor's Shopify shop: install, connection, disconnect."),
        (name = "webhooks", description = "Events from outside systems (Stripe, Shopify), verified by signature."),
        (name = "admin", description = "Platform administration (admin tokens only): vendors, feature flags, dead jobs."),
    ),
    components(schemas(crate::error::ErrorBody, crate::error::FieldError)),
    modifiers(&BearerScheme)
)]
struct ApiBase;

/// Declares the `bearer` scheme the operations refer to: a JWT from Auth0 (Vendor, Admin),
/// the dev issuer, or the API itself (Recipient).
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The complete document, as served at `SPEC_PATH`: the base plus the operations of every
/// route `routes::configure` registers, completed with the statuses and bounds every
/// operation shares (`contract`).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiBase::openapi())
        .configure(routes::configure)
        .split_for_parts();
    utoipa::Modify::modify(&contract::Contract, &mut document);
    document
}

/// The document as this process publishes it, built on first use and then kept.
#[derive(Debug, Default)]
pub struct Published(OnceLock<PublishedParts>);

#[derive(Debug)]
struct PublishedParts {
    json: Result<Bytes, String>,
    routes: RouteTable,
}

impl Published {
    /// The document serialised for `SPEC_PATH`.
    pub fn json(&self) -> Result<Bytes, String> {
        self.parts().json.clone()
    }

    /// The documented paths and the methods each accepts.
    pub fn routes(&self) -> &RouteTable {
        &self.parts().routes
    }

    fn parts(&self) -> &PublishedParts {
        self.0.get_or_init(|| {
            let document = document();
            PublishedParts {
                json: document
                    .to_json()
                    .map(Bytes::from)
                    .map_err(|error| error.to_string()),
                routes: RouteTable::from_openapi(&document),
            }
        })
    }
}
