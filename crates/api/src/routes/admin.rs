//! Platform admin routes: every vendor, and feature-flag rollouts and overrides.

use crate::auth::guards::AdminUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use crate::views::vendor::VendorView;
use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use trove_data_access::flags;
use trove_data_access::vendors::{self, VendorFilter};
use trove_domain::ids::VendorId;
use trove_domain::vendor::OnboardingStatus;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VendorQuery {
    /// Part of the vendor name, case-insensitive.
    pub q: Option<String>,
    /// `profile`, `stripe` or `live`.
    #[param(schema_with = crate::openapi::rules::onboarding_status)]
    pub onboarding_status: Option<String>,
    /// 1-based page number.
    pub page: Option<u64>,
    /// Items per page, 1–100 (default 20).
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VendorPage {
    pub items: Vec<VendorView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

/// Every vendor, newest first, filtered and paginated.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(VendorQuery),
    responses(
        (status = 200, description = "OK.", body = VendorPage),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[get("/api/v1/admin/vendors")]
pub async fn list_vendors(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<VendorQuery>,
) -> Result<web::Json<VendorPage>, ApiError> {
    let query = query.into_inner();
    let status = query
        .onboarding_status
        .as_deref()
        .map(str::parse::<OnboardingStatus>);
    let mut fields = Fields::default();
    fields.check(
        status.as_ref().is_none_or(Result::is_ok),
        "onboarding_status",
        "must be profile, stripe or live",
    );
    let (page, per_page) = crate::validation::paging(&mut fields, query.page, query.per_page)?;
    let filter = VendorFilter {
        name_contains: query.q.filter(|q| !q.trim().is_empty()),
        onboarding_status: status.and_then(Result::ok),
    };
    let (items, total) = vendors::list(&state.db, &filter, page, per_page).await?;
    Ok(web::Json(VendorPage {
        items: items.into_iter().map(VendorView::from).collect(),
        page,
        per_page,
        total,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOverview {
    pub name: String,
    /// The default from settings.
    pub default: bool,
    /// The share of vendors the flag is on for, when a rollout is set.
    pub rollout_percentage: Option<u8>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutChange {
    /// 0–100, or `null` to remove the rollout and fall back to the default.
    #[schema(minimum = 0, maximum = 100)]
    pub percentage: Option<u8>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideChange {
    /// Force on or off for this vendor, or `null` to remove the override.
    pub enabled: Option<bool>,
}

fn known_flag(state: &AppState, flag: &str) -> Result<(), ApiError> {
    if state.features.knows(flag) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("No feature flag `{flag}`.")))
    }
}

/// Every flag with its default and rollout.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, description = "OK.", body = Vec<FlagOverview>), (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody))
)]
#[get("/api/v1/admin/feature-flags")]
pub async fn list_flags(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<web::Json<Vec<FlagOverview>>, ApiError> {
    let flags = state.features.overview(&state.db).await?;
    Ok(web::Json(
        flags
            .into_iter()
            .map(|(name, default, rollout_percentage)| FlagOverview {
                name,
                default,
                rollout_percentage,
            })
            .collect(),
    ))
}

/// Sets the share of vendors a flag is on for (stable per vendor).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("flag" = String, Path)),
    request_body = RolloutChange,
    responses(
        (status = 204, description = "Done; no content."),
        (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/admin/feature-flags/{flag}")]
pub async fn set_rollout(
    state: web::Data<AppState>,
    _admin: AdminUser,
    flag: web::Path<String>,
    body: web::Json<RolloutChange>,
) -> Result<HttpResponse, ApiError> {
    known_flag(&state, &flag)?;
    Fields::default()
        .check(
            body.percentage.is_none_or(|p| p <= 100),
            "percentage",
            "must be 0 to 100",
        )
        .finish()?;
    flags::set_rollout(&state.db, &flag, body.percentage).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Forces a flag on or off for one vendor.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("flag" = String, Path), ("vendor_id" = Uuid, Path)),
    request_body = OverrideChange,
    responses((status = 204, description = "Done; no content."), (status = 403, description = "Not allowed for this caller or token type.", body = ErrorBody), (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody))
)]
#[put("/api/v1/admin/feature-flags/{flag}/vendors/{vendor_id}")]
pub async fn set_override(
    state: web::Data<AppState>,
    _admin: AdminUser,
    path: web::Path<(String, Uuid)>,
    body: web::Json<OverrideChange>,
) -> Result<HttpResponse, ApiError> {
    let (flag, vendor_id) = path.into_inner();
    known_flag(&state, &flag)?;
    let vendor = VendorId::from(vendor_id);
    vendors::find(&state.db, vendor)
        .await?
        .ok_or_else(|| ApiError::no_such("vendor"))?;
    flags::set_override(&state.db, &flag, vendor, body.enabled).await?;
    Ok(HttpResponse::NoContent().finish())
}
