//! `GET /api/v1/public/storefronts/{slug}`: what the Customer Frontend renders. No token;
//! only `active` storefronts (and `demo` ones with `include_demo=true`), only `active`
//! products. A bounded number of queries whatever the catalogue size; `ETag` and
//! `Cache-Control` let browsers and CDNs revalidate cheaply (304 on `If-None-Match`).

use super::storefronts::{Branding, Content, StorefrontView};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use trove_data_access::storefronts;
use trove_domain::storefront::{DeliveryMethod, FeeTransferMode};
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
    pub variants: Vec<PublicVariant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStorefront {
    pub slug: String,
    pub name: String,
    pub branding: Branding,
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

/// A storefront as customers see it.
#[utoipa::path(
    tag = "public",
    params(("slug" = String, Path), PublicQuery),
    responses(
        (status = 200, description = "The storefront, with `ETag` and `Cache-Control`.", body = PublicStorefront),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
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
    let storefront = storefronts::find_public(&state.db, &slug, query.include_demo)
        .await?
        .ok_or_else(|| ApiError::not_found("No such storefront."))?;
    let offered = storefronts::offering(&state.db, storefront.id, true).await?;
    let storefront = StorefrontView::try_from(storefront)?;
    let show_stock = storefront.show_stock;
    let body = PublicStorefront {
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
                let product = offer.product.product;
                PublicProduct {
                    id: product.id,
                    title: product.title,
                    description: product.description,
                    attributes: serde_json::from_str(&product.attributes).unwrap_or_default(),
                    customisation_options: serde_json::from_str(&product.customisation_options)
                        .unwrap_or_default(),
                    variants: offer
                        .product
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
    let json = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    let etag = etag_of(&json);
    let cache = (
        "cache-control",
        "public, max-age=60, stale-while-revalidate=300",
    );
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let etag_header = (
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(ApiError::internal)?,
    );
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header(etag_header)
            .insert_header(cache)
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header(etag_header)
        .insert_header(cache)
        .content_type("application/json")
        .body(json))
}
