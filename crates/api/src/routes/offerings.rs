//! What a storefront offers: the vendor's own products, in order, each with an optional
//! price override.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{get, put, web};
use serde::{Deserialize, Serialize};
use trove_data_access::storefronts;
use trove_domain::money::Money;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingItem {
    pub product_id: Uuid,
    /// Minor units; the variants' own prices when absent.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_override_minor: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingBody {
    /// The products this storefront offers, in display order.
    pub items: Vec<OfferingItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferedView {
    pub product: crate::views::product::ProductView,
    pub price_override_minor: Option<i64>,
}

async fn offered_views(
    state: &AppState,
    storefront_id: Uuid,
) -> Result<Vec<OfferedView>, ApiError> {
    Ok(storefronts::offering(&state.db, storefront_id, false)
        .await?
        .into_iter()
        .map(|offered| OfferedView {
            product: offered.product.into(),
            price_override_minor: offered.price_override_minor,
        })
        .collect())
}

/// The products a storefront offers, in order.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = Vec<OfferedView>),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/products")]
pub async fn get_offering(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Vec<OfferedView>>, ApiError> {
    let storefront = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    Ok(web::Json(offered_views(&state, storefront.id).await?))
}

/// Replaces what a storefront offers. Every product must be this vendor's.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = OfferingBody,
    responses(
        (status = 200, description = "What the storefront now offers.", body = Vec<OfferedView>),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the storefront, or a listed product).", body = ErrorBody),
        (status = 422, description = "Duplicates or bad prices; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/products")]
pub async fn set_offering(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<OfferingBody>,
) -> Result<web::Json<Vec<OfferedView>>, ApiError> {
    let storefront = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let items: Vec<(Uuid, Option<i64>)> = body
        .items
        .iter()
        .map(|item| (item.product_id, item.price_override_minor))
        .collect();
    let mut distinct = std::collections::HashSet::new();
    Fields::default()
        .check(
            items.len() <= 1000,
            "items",
            "must list at most 1000 products",
        )
        .check(
            items.iter().all(|(id, _)| distinct.insert(*id)),
            "items",
            "must not list a product twice",
        )
        .check(
            items
                .iter()
                .all(|(_, price)| price.is_none_or(Money::is_stated_amount)),
            "items.price_override_minor",
            "must be 0 to 10000000000",
        )
        .finish()?;
    match storefronts::set_offering(&state.db, access.vendor_id(), storefront.id, &items).await {
        Ok(()) => Ok(web::Json(offered_views(&state, storefront.id).await?)),
        Err(storefronts::OfferingError::UnknownProducts(ids)) => Err(ApiError::not_found(format!(
            "No such products: {}.",
            crate::validation::id_list(&ids)
        ))),
        Err(storefronts::OfferingError::Database(error)) => Err(error.into()),
    }
}
