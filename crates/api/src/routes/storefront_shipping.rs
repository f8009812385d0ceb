//! Which of the vendor's shipping zones a storefront ships with. Another vendor's zone
//! ids are 404 and change nothing.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::{Fields, id_list};
use crate::views::zone::ZoneView;
use actix_web::{get, put, web};
use serde::Deserialize;
use trove_data_access::storefront_shipping::{self, LinkError};
use trove_data_access::storefronts;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingLinks {
    /// The vendor's zones this storefront ships with (at most 100).
    pub zone_ids: Vec<Uuid>,
}

/// The zones a storefront ships with.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = Vec<ZoneView>),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/shipping-zones")]
pub async fn get_storefront_zones(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Vec<ZoneView>>, ApiError> {
    let storefront = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let zones = storefront_shipping::zones_of(&state.db, access.vendor_id(), storefront.id).await?;
    Ok(web::Json(zones.into_iter().map(ZoneView::from).collect()))
}

/// Replaces the zones a storefront ships with.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = ShippingLinks,
    responses(
        (status = 200, description = "The zones it now ships with.", body = Vec<ZoneView>),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the storefront, or a listed zone).", body = ErrorBody),
        (status = 422, description = "Too many zones or a zone listed twice.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/shipping-zones")]
pub async fn set_storefront_zones(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ShippingLinks>,
) -> Result<web::Json<Vec<ZoneView>>, ApiError> {
    let storefront = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let mut distinct = std::collections::HashSet::new();
    Fields::default()
        .check(
            body.zone_ids.len() <= 100,
            "zone_ids",
            "must list at most 100 zones",
        )
        .check(
            body.zone_ids.iter().all(|id| distinct.insert(*id)),
            "zone_ids",
            "must not list a zone twice",
        )
        .finish()?;
    match storefront_shipping::set_zones(
        &state.db,
        access.vendor_id(),
        storefront.id,
        &body.zone_ids,
    )
    .await
    {
        Ok(()) => {}
        Err(LinkError::UnknownZones(ids)) => {
            return Err(ApiError::not_found(format!(
                "No such shipping zones: {}.",
                id_list(&ids)
            )));
        }
        Err(LinkError::Database(error)) => return Err(error.into()),
    }
    let zones = storefront_shipping::zones_of(&state.db, access.vendor_id(), storefront.id).await?;
    Ok(web::Json(zones.into_iter().map(ZoneView::from).collect()))
}
