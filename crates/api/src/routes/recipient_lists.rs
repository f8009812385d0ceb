//! Bulk recipients: CSV templates per address format, and recipient lists read from a
//! confirmed `recipient_csv` upload by the worker (`process_recipient_upload`). The list
//! shows its progress (rows done of rows total) and, when done, how many rows were good
//! and every failed row with its line number and reason.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trove_data_access::entities::recipient_list;
use trove_data_access::{recipient_lists, storefronts};
use trove_domain::ids::{StorefrontId, UploadId};
use trove_domain::recipient_csv::{RecipientListStatus, Template};
use trove_domain::upload::UploadPurpose;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most failed rows a list view shows.
const SHOWN_ERRORS: u64 = 1_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientListBody {
    /// A confirmed `recipient_csv` upload of this vendor.
    pub upload_id: Uuid,
    /// The address format of the file: `AU`, `NZ`, `US`, `SG` or `GB`.
    #[schema(schema_with = crate::openapi::rules::template_country)]
    pub template: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FailedRow {
    pub line: i32,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientListView {
    pub id: Uuid,
    pub storefront_id: Uuid,
    pub template: String,
    /// `queued`, `processing`, `done` or `failed` (the file as a whole could not be read).
    #[schema(value_type = String)]
    pub status: RecipientListStatus,
    pub rows_total: i32,
    pub rows_done: i32,
    pub good_rows: i32,
    pub failed_rows: i32,
    pub failure: Option<String>,
    /// The failed rows by line (the first 1000).
    pub errors: Vec<FailedRow>,
    pub created_at: DateTime<Utc>,
}

fn view(row: recipient_list::Model, errors: Vec<FailedRow>) -> RecipientListView {
    RecipientListView {
        id: row.id,
        storefront_id: row.storefront_id,
        template: row.template.to_string(),
        status: row.status,
        rows_total: row.rows_total,
        rows_done: row.rows_done,
        good_rows: row.good_rows,
        failed_rows: row.failed_rows,
        failure: row.failure,
        errors,
        created_at: row.created_at.and_utc(),
    }
}

/// A CSV template with its header and one example row.
#[utoipa::path(
    tag = "recipient lists",
    params(("country" = String, Path, description = "`AU`, `NZ`, `US`, `SG` or `GB`.")),
    responses(
        (status = 200, description = "The template (text/csv).", content_type = "text/csv", body = String),
        (status = 404, description = "No template for this country.", body = ErrorBody),
    )
)]
#[get("/api/v1/recipient-lists/templates/{country}")]
pub async fn get_recipient_template(country: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let template = Template::parse(&country).ok_or_else(|| {
        ApiError::not_found("No template for this country; use AU, NZ, US, SG or GB.")
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!(
                "attachment; filename=\"recipients-{}.csv\"",
                template.country().to_ascii_lowercase()
            ),
        ))
        .body(template.example()))
}

/// Reads a confirmed CSV upload into a recipient list for a storefront (in the worker).
#[utoipa::path(
    tag = "recipient lists",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("storefront_id" = Uuid, Path)),
    request_body = RecipientListBody,
    responses(
        (status = 202, description = "Queued; follow its progress at the list.", body = RecipientListView),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the storefront, or the upload).", body = ErrorBody),
        (status = 422, description = "Unknown template, or the upload is not a confirmed recipient_csv.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/storefronts/{storefront_id}/recipient-lists")]
pub async fn create_recipient_list(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<RecipientListBody>,
) -> Result<HttpResponse, ApiError> {
    let template = Template::parse(&body.template);
    Fields::default()
        .check(
            template.is_some(),
            "template",
            "must be AU, NZ, US, SG or GB",
        )
        .finish()?;
    let template = template.ok_or_else(|| ApiError::internal("checked above"))?;
    let vendor = access.vendor_id();
    let storefront = storefronts::find(&state.db, vendor, path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))?;
    crate::attachments::require_attachable(
        &state,
        vendor,
        &[("upload_id", body.upload_id, UploadPurpose::RecipientCsv)],
    )
    .await?;
    let list = trove_app::recipient_lists::import(
        &state.app,
        vendor,
        StorefrontId::from(storefront.id),
        UploadId::from(body.upload_id),
        template,
    )
    .await?;
    Ok(HttpResponse::Accepted().json(view(list, Vec::new())))
}

/// A recipient list's progress and outcome.
#[utoipa::path(
    tag = "recipient lists",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("list_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = RecipientListView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/recipient-lists/{list_id}")]
pub async fn get_recipient_list(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<RecipientListView>, ApiError> {
    let list = recipient_lists::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("recipient list"))?;
    let errors = recipient_lists::errors(&state.db, list.id, SHOWN_ERRORS)
        .await?
        .into_iter()
        .map(|error| FailedRow {
            line: error.line,
            reason: error.reason,
        })
        .collect();
    Ok(web::Json(view(list, errors)))
}
