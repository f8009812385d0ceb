//! A vendor's Shopify shop: install (OAuth), the callback Shopify sends the vendor back
//! to, the connection's state, disconnecting, and Shopify's webhooks.
//!
//! The callback is checked in the order Shopify's guide gives, and every failed check is
//! 400 with its own code and nothing stored: the parameters and the shop domain
//! (`invalid_callback`, `invalid_shop`), the query `hmac` (`invalid_hmac`), then the state
//! (`invalid_state`: unknown, expired, already used, of another provider, or issued for
//! another shop), and only then is the code exchanged.

use crate::auth::claims::TokenType;
use crate::auth::guards::{VendorAccess, spend_oauth_state};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, ResponseError, delete, get, post, web};
use serde::{Deserialize, Serialize};
use trove_app::AppError;
use trove_app::shopify::webhooks::{self, Delivery, Received};
use trove_app::shopify::{self, ShopifyConnectionView, install};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct ShopifyInstall {
    /// The shop's permanent domain, e.g. `acme-gifts.myshopify.com` (lowercase).
    #[schema(example = "acme-gifts.myshopify.com")]
    pub shop: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShopifyInstallStart {
    /// Shopify's install screen for the shop: send the vendor there.
    pub authorize_url: String,
}

/// Starts installing the Trove app on the vendor's shop (owners only).
#[utoipa::path(
    tag = "shopify",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body = ShopifyInstall,
    responses(
        (status = 200, description = "Where to send the vendor.", body = ShopifyInstallStart),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "The shop is connected to another vendor (`shop_already_connected`).", body = ErrorBody),
        (status = 422, description = "Not a `*.myshopify.com` domain.", body = ErrorBody),
        (status = 503, description = "Shopify is not configured here (`shopify_not_configured`).", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/integrations/shopify/install")]
pub async fn start_shopify_install(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: web::Json<ShopifyInstall>,
) -> Result<web::Json<ShopifyInstallStart>, ApiError> {
    access.require_owner()?;
    let vendor = access.vendor_id();
    let authorize_url = install::start(&state.app, vendor, &body.shop, |shop| {
        state
            .authenticator
            .issue_oauth_state(TokenType::ShopifyOauth, vendor.as_uuid(), shop.as_str())
            .map_err(|error| AppError::internal(error.to_string()))
    })
    .await?;
    Ok(web::Json(ShopifyInstallStart { authorize_url }))
}

fn invalid_state(reason: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "invalid_state",
        format!("The install state is not valid: {reason}."),
    )
}

/// Where Shopify sends the vendor after the install screen: verifies the callback,
/// exchanges the code, stores the token encrypted and subscribes the app's webhooks.
#[utoipa::path(
    tag = "shopify",
    params(
        ("code" = String, Query, description = "The authorization code."),
        ("shop" = String, Query, description = "The shop's `*.myshopify.com` domain."),
        ("state" = String, Query, description = "The state the install start issued."),
        ("timestamp" = String, Query, description = "When Shopify signed the query."),
        ("hmac" = String, Query, description = "Hex HMAC-SHA256 of the other parameters under the app's secret."),
        ("host" = Option<String>, Query, description = "Shopify's base64 admin host (ignored)."),
    ),
    responses(
        (status = 200, description = "Connected.", body = ShopifyConnectionView),
        (status = 400, description = "A check failed (`invalid_callback`, `invalid_shop`, `invalid_hmac`, `invalid_state`); nothing stored.", body = ErrorBody),
        (status = 409, description = "The shop is connected to another vendor (`shop_already_connected`).", body = ErrorBody),
        (status = 502, description = "Shopify refused the code or answered oddly.", body = ErrorBody),
        (status = 503, description = "Shopify or the key service is unreachable, or Shopify is not configured.", body = ErrorBody),
    )
)]
#[get("/api/v1/integrations/shopify/callback")]
pub async fn complete_shopify_install(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<web::Json<ShopifyConnectionView>, ApiError> {
    let callback = install::verify_callback(&state.app, request.query_string())?;
    let (vendor, shop) = spend_oauth_state(&state, &callback.state, TokenType::ShopifyOauth)
        .await
        .map_err(|error| {
            if error.status_code().is_server_error() {
                error
            } else {
                invalid_state(error.message())
            }
        })?;
    if shop != callback.shop.as_str() {
        return Err(invalid_state("it was issued for another shop"));
    }
    let connected = install::complete(&state.app, vendor, &callback).await?;
    Ok(web::Json(connected))
}

/// The vendor's Shopify connection: shop, scopes, token health, last sync, last error.
#[utoipa::path(
    tag = "shopify",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK (`status` is `not_connected` when there is none).", body = ShopifyConnectionView),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/integrations/shopify")]
pub async fn get_shopify_connection(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<web::Json<ShopifyConnectionView>, ApiError> {
    Ok(web::Json(
        shopify::connection(&state.app, access.vendor_id()).await?,
    ))
}

/// Disconnects the shop: revokes the app's access at Shopify when it can and forgets the
/// token. Imported products stay.
#[utoipa::path(
    tag = "shopify",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Disconnected."),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or no Shopify connection.", body = ErrorBody),
        (status = 503, description = "The key service is unreachable; try again.", body = ErrorBody),
    )
)]
#[delete("/api/v1/vendors/{vendor_id}/integrations/shopify")]
pub async fn disconnect_shopify(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    shopify::disconnect(&state.app, access.vendor_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShopifyWebhookReceipt {
    /// `queued`, `unclaimed` (no vendor holds the shop) or `duplicate`.
    pub outcome: &'static str,
}

/// Receives a Shopify webhook (every topic the app subscribes to, and the privacy topics).
#[utoipa::path(
    tag = "webhooks",
    params(
        ("X-Shopify-Hmac-Sha256" = String, Header, description = "Base64 HMAC-SHA256 of the raw body under the app's secret."),
        ("X-Shopify-Topic" = String, Header, description = "e.g. `products/update`."),
        ("X-Shopify-Shop-Domain" = String, Header, description = "The shop's `*.myshopify.com` domain."),
        ("X-Shopify-Webhook-Id" = String, Header, description = "Unique per delivery; repeats are acknowledged once."),
    ),
    request_body(content = String, content_type = "application/json", description = "The payload exactly as Shopify sent it."),
    responses(
        (status = 200, description = "Stored (and queued), or a duplicate.", body = ShopifyWebhookReceipt),
        (status = 400, description = "A header is missing or the body is not JSON (`invalid_webhook`).", body = ErrorBody),
        (status = 401, description = "The HMAC does not sign the body (`invalid_signature`); nothing stored.", body = ErrorBody),
        (status = 503, description = "Not configured, or the database is unavailable: Shopify retries.", body = ErrorBody),
    )
)]
#[post("/api/v1/webhooks/shopify")]
pub async fn receive_shopify_webhook(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let received = webhooks::receive(
        &state.app,
        Delivery {
            hmac: header("x-shopify-hmac-sha256"),
            topic: header("x-shopify-topic"),
            shop: header("x-shopify-shop-domain"),
            webhook_id: header("x-shopify-webhook-id"),
            body: &body,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(ShopifyWebhookReceipt {
        outcome: match received {
            Received::Queued => "queued",
            Received::Unclaimed => "unclaimed",
            Received::Duplicate => "duplicate",
        },
    }))
}

/// A catalogue sync: its status and counts, the progress a vendor watches.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopifySyncView {
    pub id: uuid::Uuid,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    /// Products read from Shopify so far.
    pub seen: i32,
    pub created: i32,
    pub updated: i32,
    /// Read and found identical to what Trove holds: nothing written.
    pub unchanged: i32,
    /// Imported products no longer in the shop: archived, never deleted.
    pub archived: i32,
    pub failed: i32,
    /// The first 100 failures: `{product, title, reason}`.
    #[schema(value_type = Vec<Object>)]
    pub failures: serde_json::Value,
    /// Why the sync failed as a whole.
    pub error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub started_at: Option<chrono::NaiveDateTime>,
    pub finished_at: Option<chrono::NaiveDateTime>,
}

impl From<trove_data_access::entities::shopify_sync::Model> for ShopifySyncView {
    fn from(sync: trove_data_access::entities::shopify_sync::Model) -> Self {
        Self {
            id: sync.id,
            status: sync.status.as_str().into(),
            seen: sync.seen,
            created: sync.created,
            updated: sync.updated,
            unchanged: sync.unchanged,
            archived: sync.archived,
            failed: sync.failed,
            failures: serde_json::from_str(&sync.failures).unwrap_or_default(),
            error: sync.error,
            created_at: sync.created_at,
            started_at: sync.started_at,
            finished_at: sync.finished_at,
        }
    }
}

/// Starts importing the shop's catalogue (owners only): 202 with the sync to watch.
#[utoipa::path(
    tag = "shopify",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued; follow it at `…/syncs/{id}`.", body = ShopifySyncView),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "No connected shop (`shopify_not_connected`).", body = ErrorBody),
        (status = 503, description = "Shopify is not configured here, or the database is unavailable.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/integrations/shopify/sync")]
pub async fn start_shopify_sync(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    let sync = shopify::sync::request(&state.app, access.vendor_id()).await?;
    Ok(HttpResponse::Accepted().json(ShopifySyncView::from(sync)))
}

/// One catalogue sync of the vendor.
#[utoipa::path(
    tag = "shopify",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("sync_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = ShopifySyncView),
        (status = 404, description = "No such vendor or sync.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/integrations/shopify/syncs/{sync_id}")]
pub async fn get_shopify_sync(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<web::Json<ShopifySyncView>, ApiError> {
    let (_, sync_id) = path.into_inner();
    let sync = shopify::sync::find(&state.app, access.vendor_id(), sync_id).await?;
    Ok(web::Json(sync.into()))
}
