//! `GET /api/v1/vendors/{vendor_id}/feature-flags`: the flags as they stand for a vendor.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::features::FlagState;
use crate::state::AppState;
use actix_web::{get, web};

/// Every feature flag, on or off for this vendor, and why.
#[utoipa::path(
    tag = "vendors",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses((status = 200, description = "OK.", body = Vec<FlagState>), (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody))
)]
#[get("/api/v1/vendors/{vendor_id}/feature-flags")]
pub async fn list_vendor_flags(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<web::Json<Vec<FlagState>>, ApiError> {
    Ok(web::Json(
        state
            .features
            .for_vendor(&state.db, access.vendor_id())
            .await?,
    ))
}
