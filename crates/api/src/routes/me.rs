//! `GET/PATCH /api/v1/me`: the caller's profile and vendor memberships.

use crate::auth::guards::StaffUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{get, patch, web};
use serde::{Deserialize, Serialize};
use trove_data_access::{members, users};
use trove_domain::vendor::VendorRole;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    pub vendor_id: Uuid,
    pub vendor_name: String,
    /// `owner` or `staff`.
    #[schema(value_type = String)]
    pub role: VendorRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub is_admin: bool,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeChanges {
    /// 1–200 characters; `null` clears it.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: Option<String>,
}

async fn view(state: &AppState, staff: StaffUser) -> Result<MeView, ApiError> {
    let memberships = members::vendors_of(&state.db, staff.id())
        .await?
        .into_iter()
        .map(|(membership, vendor)| MembershipView {
            vendor_id: vendor.id,
            vendor_name: vendor.name,
            role: membership.role,
        })
        .collect();
    Ok(MeView {
        id: staff.user.id,
        email: staff.user.email,
        display_name: staff.user.display_name,
        is_admin: staff.admin,
        memberships,
    })
}

/// The signed-in user and the vendors they belong to.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "OK.", body = MeView),
        (status = 401, description = "No or an invalid token.", body = ErrorBody),
        (status = 403, description = "A token of another type.", body = ErrorBody),
    )
)]
#[get("/api/v1/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<web::Json<MeView>, ApiError> {
    Ok(web::Json(view(&state, staff).await?))
}

/// Changes the signed-in user's profile.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = MeChanges,
    responses(
        (status = 200, description = "OK.", body = MeView),
        (status = 401, description = "No or an invalid token.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[patch("/api/v1/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    staff: StaffUser,
    changes: web::Json<MeChanges>,
) -> Result<web::Json<MeView>, ApiError> {
    let display_name = changes
        .into_inner()
        .display_name
        .map(|name| name.trim().to_owned());
    Fields::default()
        .check(
            display_name
                .as_deref()
                .is_none_or(crate::validation::is_name),
            "display_name",
            "must be 1 to 200 characters",
        )
        .finish()?;
    let user = users::set_display_name(&state.db, staff.user, display_name).await?;
    Ok(web::Json(
        view(
            &state,
            StaffUser {
                user,
                admin: staff.admin,
            },
        )
        .await?,
    ))
}
