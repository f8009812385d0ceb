//! A storefront's shopper password: set (stored as a hash) or removed.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use crate::views::storefront::StorefrontView;
use actix_web::{put, web};
use serde::Deserialize;
use trove_data_access::storefronts;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// 8–128 characters; `null` opens the storefront to everyone.
    #[schema(min_length = 8, max_length = 128)]
    pub password: Option<String>,
}

/// Sets or removes the password shoppers must give before they see the storefront.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = PasswordBody,
    responses(
        (status = 200, description = "OK; `password_protected` says which.", body = StorefrontView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Too short or too long.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/password")]
pub async fn set_storefront_password(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<PasswordBody>,
) -> Result<web::Json<StorefrontView>, ApiError> {
    let password = body.into_inner().password;
    Fields::default()
        .check(
            password
                .as_ref()
                .is_none_or(|p| (8..=128).contains(&p.chars().count())),
            "password",
            "must be 8 to 128 characters",
        )
        .finish()?;
    let current = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let hash = match password {
        Some(password) => Some(
            crate::auth::passwords::hash(password)
                .await
                .map_err(ApiError::internal)?,
        ),
        None => None,
    };
    let row = storefronts::set_password_hash(&state.db, current, hash).await?;
    Ok(web::Json(StorefrontView::try_from(row)?))
}
