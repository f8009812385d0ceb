//! A vendor's storefronts: list, create (under review), read, replace, and move through
//! the status machine (only an admin activates a storefront under review). Setting the
//! shoppers' password and copying a storefront live in their own modules.

mod duplicate;
mod password;

pub use duplicate::{DuplicateBody, duplicate_storefront};
pub use password::{PasswordBody, set_storefront_password};

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use crate::validation::{Fields, paging};
use crate::views::storefront::{Branding, Content, StorefrontView};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use trove_app::{AppError, idempotency};
use trove_data_access::storefronts::{self, StorefrontFields};
use trove_domain::storefront::{
    self as rules, DeliveryMethod, FeeTransferMode, StorefrontStatus, TransitionError,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StorefrontBody {
    /// Unique across Trove: 3–63 lowercase letters, digits and inner hyphens.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    pub slug: String,
    /// A domain name such as `gifts.example.com`.
    #[schema(
        max_length = 253,
        pattern = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
    )]
    pub custom_domain: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// At least one of `deliver_direct`, `email_link`, `create_link`.
    #[schema(schema_with = crate::openapi::rules::delivery_methods)]
    pub delivery_methods: Vec<DeliveryMethod>,
    /// `none`, `half` or `full`: how much of the platform fee the shopper pays.
    #[schema(schema_with = crate::openapi::rules::fee_transfer_mode)]
    pub fee_transfer_mode: FeeTransferMode,
    #[serde(default = "yes")]
    pub gift_notes: bool,
    #[serde(default)]
    pub show_stock: bool,
    #[serde(default)]
    pub branding: Branding,
    #[serde(default)]
    pub content: Content,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorefrontPage {
    pub items: Vec<StorefrontView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<u64>,
    /// 1–100 (default 20).
    pub per_page: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    #[schema(schema_with = crate::openapi::rules::storefront_status)]
    pub status: String,
}

fn is_colour(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_domain(value: &str) -> bool {
    value.len() <= 253
        && value.contains('.')
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn fits(value: &Option<String>, max: usize) -> bool {
    value
        .as_ref()
        .is_none_or(|text| text.chars().count() <= max)
}

/// The stored form of a valid body, or a 422 naming every problem.
fn validated(body: StorefrontBody) -> Result<StorefrontFields, ApiError> {
    let mut fields = Fields::default();
    let slug = body.slug.trim().to_owned();
    let custom_domain = body
        .custom_domain
        .map(|domain| domain.trim().to_ascii_lowercase());
    let name = body.name.trim().to_owned();
    fields
        .check(
            rules::is_slug(&slug),
            "slug",
            "must be 3–63 lowercase letters, digits and inner hyphens",
        )
        .check(
            custom_domain.as_deref().is_none_or(is_domain),
            "custom_domain",
            "must be a domain name such as gifts.example.com",
        )
        .check(
            crate::validation::is_name(&name),
            "name",
            "must be 1 to 200 characters",
        )
        .check(
            !body.delivery_methods.is_empty(),
            "delivery_methods",
            "must enable at least one delivery method",
        );
    for (field, colour) in [
        ("branding.primary_colour", &body.branding.primary_colour),
        ("branding.secondary_colour", &body.branding.secondary_colour),
        ("branding.accent_colour", &body.branding.accent_colour),
    ] {
        fields.check(
            colour.as_deref().is_none_or(is_colour),
            field,
            "must be a colour such as #1a2b3c",
        );
    }
    fields
        .check(
            fits(&body.content.banner_text, 200),
            "content.banner_text",
            "must be at most 200 characters",
        )
        .check(
            fits(&body.content.heading, 200),
            "content.heading",
            "must be at most 200 characters",
        )
        .check(
            fits(&body.content.short_description, 2000),
            "content.short_description",
            "must be at most 2000 characters",
        )
        .finish()?;
    let mut methods = body.delivery_methods;
    methods.dedup();
    let json = |value: serde_json::Result<String>| value.map_err(ApiError::internal);
    Ok(StorefrontFields {
        slug,
        custom_domain,
        name,
        delivery_methods_json: json(serde_json::to_string(&methods))?,
        fee_transfer_mode: body.fee_transfer_mode,
        gift_notes: body.gift_notes,
        show_stock: body.show_stock,
        branding_json: json(serde_json::to_string(&body.branding))?,
        content_json: json(serde_json::to_string(&body.content))?,
    })
}

/// The vendor's storefronts, newest first.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "OK.", body = StorefrontPage),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/storefronts")]
pub async fn list_storefronts(
    state: web::Data<AppState>,
    access: VendorAccess,
    query: web::Query<PageQuery>,
) -> Result<web::Json<StorefrontPage>, ApiError> {
    let (page, per_page) = paging(&mut Fields::default(), query.page, query.per_page)?;
    let (rows, total) = storefronts::list(&state.db, access.vendor_id(), page, per_page).await?;
    let items = rows
        .into_iter()
        .map(StorefrontView::try_from)
        .collect::<Result<_, _>>()?;
    Ok(web::Json(StorefrontPage {
        items,
        page,
        per_page,
        total,
    }))
}

/// Creates a storefront; it starts `for_review`.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), Idempotency),
    request_body = StorefrontBody,
    responses(
        (status = 201, description = "Created, under review.", body = StorefrontView),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the storefront, or a branding upload).", body = ErrorBody),
        (status = 409, description = "The slug or custom domain is taken, or a request with this Idempotency-Key is still running.", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the key was used with another body.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/storefronts")]
pub async fn create_storefront(
    state: web::Data<AppState>,
    access: VendorAccess,
    idempotency: Idempotency,
    body: web::Json<StorefrontBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let key = idempotency.key(format!("storefronts:{}", access.vendor_id()), &body)?;
    let files = body.branding.attachments();
    let fields = validated(body)?;
    crate::attachments::require_attachable(&state, access.vendor_id(), &files).await?;
    let answer = idempotency::create_once(&state.app, key, async |uow| {
        let row = storefronts::create(&**uow, access.vendor_id(), fields).await?;
        StorefrontView::try_from(row).map_err(AppError::internal)
    })
    .await?;
    Ok(crate::idempotency::respond(answer))
}

/// One storefront.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = StorefrontView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}")]
pub async fn get_storefront(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<StorefrontView>, ApiError> {
    let row = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    Ok(web::Json(StorefrontView::try_from(row)?))
}

/// Replaces a storefront's settings (its status is changed through `/status`).
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = StorefrontBody,
    responses(
        (status = 200, description = "OK.", body = StorefrontView),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the storefront, or a branding upload).", body = ErrorBody),
        (status = 409, description = "The slug or custom domain is taken.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}")]
pub async fn replace_storefront(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<StorefrontBody>,
) -> Result<web::Json<StorefrontView>, ApiError> {
    let current = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let body = body.into_inner();
    let files = body.branding.attachments();
    let fields = validated(body)?;
    crate::attachments::require_attachable(&state, access.vendor_id(), &files).await?;
    let row = storefronts::update(&state.db, current, fields).await?;
    Ok(web::Json(StorefrontView::try_from(row)?))
}

/// Moves a storefront to another status; illegal moves are 409 listing the allowed ones.
#[utoipa::path(
    tag = "storefronts",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = StatusChange,
    responses(
        (status = 200, description = "OK.", body = StorefrontView),
        (status = 403, description = "Activating a storefront under review needs an admin.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Not allowed from the current status; `details.allowed` lists what is.", body = ErrorBody),
        (status = 422, description = "Unknown status.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/status")]
pub async fn change_storefront_status(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<StatusChange>,
) -> Result<web::Json<StorefrontView>, ApiError> {
    let to = body.status.parse::<StorefrontStatus>();
    Fields::default()
        .check(
            to.is_ok(),
            "status",
            "must be for_review, active, inactive, demo or trashed",
        )
        .finish()?;
    let to = to.map_err(ApiError::internal)?;
    let current = storefronts::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    let from = current.status;
    match rules::transition(from, to, access.staff.admin) {
        Ok(status) => {
            let row = storefronts::set_status(&state.db, current, status).await?;
            Ok(web::Json(StorefrontView::try_from(row)?))
        }
        Err(TransitionError::NeedsAdmin) => Err(ApiError::forbidden(
            "Only a platform admin can make a storefront under review active.",
        )),
        Err(TransitionError::Illegal { from, to, allowed }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            format!("A storefront cannot go from {from} to {to}."),
        )
        .with_details(serde_json::json!({ "allowed": allowed }))),
    }
}
