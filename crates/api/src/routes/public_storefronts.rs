//! What the Customer Frontend renders, by slug or custom domain. No token; only `active`
//! storefronts (and `demo` ones with `include_demo=true`), only `active` products. A
//! bounded number of queries whatever the catalogue size, on one held connection: the
//! storefront's row, then the rendered body from `storefront_cache` while the row's
//! version has not moved (else three queries to render it again, reading only the columns
//! shown). `ETag` and `Cache-Control` let browsers and CDNs revalidate cheaply (304 on
//! `If-None-Match`, compared weakly so `W/` tags from proxies match).
//!
//! A password-protected storefront answers 401 `storefront_locked` until the shopper
//! exchanges the password for a storefront session (a short-lived token, sent as a
//! bearer); password attempts have their own, much stricter rate limit.

use crate::auth::passwords;
use crate::auth::storefront_lock::require_unlocked;
use crate::error::{ApiError, ErrorBody};
use crate::middleware::rate_limit::limit_attempts;
use crate::state::AppState;
use crate::storefront_cache::{Rendered, none_match};
use crate::views::storefront::{Branding, Content, StorefrontView};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use trove_data_access::entities::storefront;
use trove_data_access::storefronts::ShownProduct;
use trove_data_access::{HeldConnection, storefronts, uploads};
use trove_domain::ids::VendorId;
use trove_domain::storefront::{DeliveryMethod, FeeTransferMode};
use trove_domain::upload::UploadStatus;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// Also serve a storefront in `demo` status.
    #[serde(default)]
    pub include_demo: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicVariant {
    pub id: Uuid,
    pub sku: String,
    pub title: Option<String>,
    /// The price on this storefront (the override when the storefront sets one).
    pub price_minor: i64,
    pub currency: String,
    /// Shown only when the storefront displays stock.
    pub stock: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProduct {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub attributes: serde_json::Value,
    pub customisation_options: serde_json::Value,
    /// Paths on this API (see `GET …/files/{upload_id}`), in display order.
    pub image_urls: Vec<String>,
    pub variants: Vec<PublicVariant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStorefront {
    pub slug: String,
    pub name: String,
    pub branding: Branding,
    /// Paths on this API that redirect to the branding files.
    pub logo_url: Option<String>,
    pub banner_url: Option<String>,
    pub favicon_url: Option<String>,
    pub content: Content,
    #[schema(value_type = Vec<String>)]
    pub delivery_methods: Vec<DeliveryMethod>,
    #[schema(value_type = String)]
    pub fee_transfer_mode: FeeTransferMode,
    pub gift_notes: bool,
    pub products: Vec<PublicProduct>,
}

fn etag_of(body: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    let hex: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("\"{hex}\"")
}

/// A storefront as customers see it, by slug.
#[utoipa::path(
    tag = "public",
    params(("slug" = String, Path), PublicQuery),
    responses(
        (status = 200, description = "The storefront, with `ETag` and `Cache-Control`.", body = PublicStorefront),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 401, description = "Password-protected: open a session first (`storefront_locked`).", body = ErrorBody),
        (status = 404, description = "No visible storefront with this slug.", body = ErrorBody),
    )
)]
#[get("/api/v1/public/storefronts/{slug}")]
pub async fn get_public_storefront(
    request: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let db = HeldConnection::acquire(&state.db).await?;
    let storefront = storefronts::find_public(&db, &slug, query.include_demo)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    respond(&request, &state, db, storefront).await
}

/// A storefront as customers see it, by its custom domain (the Customer Frontend passes
/// the host it was reached on).
#[utoipa::path(
    tag = "public",
    params(("domain" = String, Path), PublicQuery),
    responses(
        (status = 200, description = "The storefront, with `ETag` and `Cache-Control`.", body = PublicStorefront),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 401, description = "Password-protected: open a session first (`storefront_locked`).", body = ErrorBody),
        (status = 404, description = "No visible storefront on this domain.", body = ErrorBody),
    )
)]
#[get("/api/v1/public/domains/{domain}")]
pub async fn get_storefront_by_domain(
    request: HttpRequest,
    state: web::Data<AppState>,
    domain: web::Path<String>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let db = HeldConnection::acquire(&state.db).await?;
    let storefront = storefronts::find_public_by_domain(&db, &domain, query.include_demo)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    respond(&request, &state, db, storefront).await
}

/// The public body of a visible storefront, unless it is locked for this caller: the
/// cached rendering when the storefront's version has not moved, else a fresh one read on
/// `db`, the connection that found the storefront (given back before the body is built).
async fn respond(
    request: &HttpRequest,
    state: &AppState,
    db: HeldConnection,
    storefront: storefront::Model,
) -> Result<HttpResponse, ApiError> {
    let protected = storefront.password_hash.is_some();
    require_unlocked(request, &storefront)?;
    let (id, version) = (storefront.id, storefront.version);
    let rendered = match state.storefront_cache.get(id, version) {
        Some(kept) => {
            drop(db);
            kept
        }
        None => {
            let offered = storefronts::shown_offering(&db, storefront.id).await?;
            drop(db);
            let body = render(storefront, offered)?;
            let rendered = Rendered::new(version, etag_of(&body), Bytes::from(body));
            state.storefront_cache.put(id, rendered)
        }
    };
    // A protected storefront's body is for session holders only: no shared caches.
    let cache = (
        "cache-control",
        if protected {
            "private, no-cache"
        } else {
            "public, max-age=60, stale-while-revalidate=300"
        },
    );
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| none_match(tags, &rendered.etag));
    let etag_header = (
        header::ETAG,
        HeaderValue::from_str(&rendered.etag).map_err(ApiError::internal)?,
    );
    let vary = (header::VARY, "authorization");
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header(etag_header)
            .insert_header(cache)
            .insert_header(vary)
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header(etag_header)
        .insert_header(cache)
        .insert_header(vary)
        .content_type("application/json")
        .body(rendered.body.clone()))
}

/// The storefront's public JSON, from its row and what it offers.
fn render(storefront: storefront::Model, offered: Vec<ShownProduct>) -> Result<Vec<u8>, ApiError> {
    let storefront = StorefrontView::try_from(storefront)?;
    let show_stock = storefront.show_stock;
    let files_path = format!("/api/v1/public/storefronts/{}/files", storefront.slug);
    let file_url = |id: Uuid| format!("{files_path}/{id}");
    let body = PublicStorefront {
        logo_url: storefront.branding.logo_upload_id.map(file_url),
        banner_url: storefront.branding.banner_upload_id.map(file_url),
        favicon_url: storefront.branding.favicon_upload_id.map(file_url),
        slug: storefront.slug,
        name: storefront.name,
        branding: storefront.branding,
        content: storefront.content,
        delivery_methods: storefront.delivery_methods,
        fee_transfer_mode: storefront.fee_transfer_mode,
        gift_notes: storefront.gift_notes,
        products: offered
            .into_iter()
            .map(|offer| {
                let product = offer.product;
                PublicProduct {
                    id: product.id,
                    title: product.title,
                    description: product.description,
                    attributes: serde_json::from_str(&product.attributes).unwrap_or_default(),
                    customisation_options: serde_json::from_str(&product.customisation_options)
                        .unwrap_or_default(),
                    image_urls: serde_json::from_str::<Vec<Uuid>>(&product.image_ids)
                        .unwrap_or_default()
                        .into_iter()
                        .map(file_url)
                        .collect(),
                    variants: offer
                        .variants
                        .into_iter()
                        .map(|variant| PublicVariant {
                            id: variant.id,
                            sku: variant.sku,
                            title: variant.title,
                            price_minor: offer.price_override_minor.unwrap_or(variant.price_minor),
                            currency: variant.currency,
                            stock: variant.stock.filter(|_| show_stock),
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    serde_json::to_vec(&body).map_err(ApiError::internal)
}

/// A file the storefront shows: one of its branding files or an image of an active product
/// it offers. Redirects to a short-lived signed download; anything else is 404. Files are
/// public once shown on a visible storefront (as on a CDN): a storefront password guards
/// the catalogue, not these bytes.
#[utoipa::path(
    tag = "public",
    params(("slug" = String, Path), ("upload_id" = Uuid, Path), PublicQuery),
    responses(
        (status = 302, description = "Redirect to a short-lived signed download."),
        (status = 404, description = "No visible storefront with this slug, or it does not show this file.", body = ErrorBody),
        (status = 503, description = "File storage is unavailable.", body = ErrorBody),
    )
)]
#[get("/api/v1/public/storefronts/{slug}/files/{upload_id}")]
pub async fn get_public_file(
    request: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, upload_id) = path.into_inner();
    let not_found = || ApiError::no_such("file");
    let row = storefronts::find_public(&state.db, &slug, query.include_demo)
        .await?
        .ok_or_else(not_found)?;
    let storefront_id = row.id;
    let vendor = VendorId::from(row.vendor_id);
    let branding = StorefrontView::try_from(row)?.branding;
    let in_branding = [
        branding.logo_upload_id,
        branding.banner_upload_id,
        branding.favicon_upload_id,
    ]
    .contains(&Some(upload_id));
    if !in_branding && !storefronts::offers_image(&state.db, storefront_id, upload_id).await? {
        return Err(not_found());
    }
    let upload = uploads::find(&state.db, vendor, upload_id)
        .await?
        .filter(|upload| upload.status == UploadStatus::Ready)
        .ok_or_else(not_found)?;
    let ttl = state.storage.download_url_ttl();
    let signed = state.files.presign_get(&upload.storage_key, ttl).await?;
    let location = crate::attachments::signed_view(&request, &state, signed, ttl).url;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header(("cache-control", "public, max-age=60"))
        .finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorefrontSession {
    /// Send as `Authorization: Bearer …` when reading the storefront.
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// How long a storefront session lasts.
const SESSION_LIFETIME: Duration = Duration::from_secs(2 * 3600);

/// Exchanges a storefront's password for a short-lived session. Attempts are limited per
/// client and storefront far more strictly than other requests.
#[utoipa::path(
    tag = "public",
    params(("slug" = String, Path), PublicQuery),
    request_body = SessionBody,
    responses(
        (status = 201, description = "A session token for this storefront.", body = StorefrontSession),
        (status = 401, description = "Wrong password (`wrong_password`).", body = ErrorBody),
        (status = 404, description = "No visible storefront with this slug.", body = ErrorBody),
        (status = 409, description = "The storefront has no password.", body = ErrorBody),
        (status = 429, description = "Too many attempts; `Retry-After` says when to try again.", body = ErrorBody),
    )
)]
#[post("/api/v1/public/storefronts/{slug}/sessions")]
pub async fn open_storefront_session(
    request: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<PublicQuery>,
    body: web::Json<SessionBody>,
) -> Result<HttpResponse, ApiError> {
    let storefront = storefronts::find_public(&state.db, &slug, query.include_demo)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let Some(stored) = storefront.password_hash else {
        return Err(ApiError::conflict("This storefront has no password."));
    };
    let scope = format!("storefront-password:{}", storefront.id);
    limit_attempts(&request, &state, &scope).await?;
    if !passwords::verify(body.into_inner().password, stored).await {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_password",
            "That is not this storefront's password.",
        ));
    }
    let token = state
        .authenticator
        .issue_storefront_session(storefront.id, SESSION_LIFETIME)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(StorefrontSession {
        token,
        expires_at: chrono::Utc::now()
            + chrono::Duration::from_std(SESSION_LIFETIME).unwrap_or_default(),
    }))
}
