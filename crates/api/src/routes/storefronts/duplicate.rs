//! Copying a storefront under a new slug and name, with its settings, products and
//! shipping links.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use crate::views::storefront::StorefrontView;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use trove_data_access::storefronts;
use trove_domain::storefront as rules;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateBody {
    /// The copy's slug (unique across Trove).
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    pub slug: String,
    /// The copy's name; the original's with " (copy)" when absent.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
}

/// Copies a storefront with its settings, products and shipping links; the copy starts
/// `for_review`, with the new slug and no custom domain.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = DuplicateBody,
    responses(
        (status = 201, description = "The copy, under review.", body = StorefrontView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "The slug is taken.", body = ErrorBody),
        (status = 422, description = "Invalid slug or name.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/duplicate")]
pub async fn duplicate_storefront(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<DuplicateBody>,
) -> Result<HttpResponse, ApiError> {
    let source = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let body = body.into_inner();
    let slug = body.slug.trim().to_owned();
    let name = body
        .name
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|| format!("{} (copy)", source.name));
    Fields::default()
        .check(
            rules::is_slug(&slug),
            "slug",
            "must be 3–63 lowercase letters, digits and inner hyphens",
        )
        .check(
            crate::validation::is_name(&name),
            "name",
            "must be 1 to 200 characters",
        )
        .finish()?;
    let copy = storefronts::duplicate(&state.db, source, slug, name).await?;
    Ok(HttpResponse::Created().json(StorefrontView::try_from(copy)?))
}
