//! Uploads: a vendor's staff declare a file (purpose, content type, size), get a signed
//! PUT for a key under the vendor's prefix, upload, then confirm. Confirming checks the
//! stored object against the declaration (size, type, and SSE-KMS on S3); a mismatch is
//! deleted and refused, so only checked files can be attached or downloaded.
//!
//! Limits depend on the purpose and the token type (admins get more room); an oversized
//! declaration is 413. Another vendor's upload ids answer 404 everywhere.

use crate::attachments::{SignedRequestView, signed_view};
use crate::auth::guards::{StaffUser, VendorAccess};
use crate::error::{ApiError, ErrorBody, FieldError};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trove_app::idempotency;
use trove_data_access::entities::upload;
use trove_data_access::uploads::{self, NewUpload};
use trove_domain::ids::VendorId;
use trove_domain::upload::{UploadPurpose, UploadRefusal, UploadStatus, Uploader};
use trove_integrations::storage::StorageError;
use utoipa::ToSchema;
use uuid::Uuid;

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Unavailable(_) => ApiError::unavailable(error),
            StorageError::Refused(_) => ApiError::internal(error),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadBody {
    /// The vendor the file belongs to; the caller must be one of its members (or an admin).
    pub vendor_id: Uuid,
    /// `product_image`, `storefront_logo`, `storefront_banner`, `storefront_favicon` or
    /// `recipient_csv`.
    #[schema(schema_with = crate::openapi::rules::upload_purpose)]
    pub purpose: String,
    /// e.g. `image/png`; each purpose has its own allow-list.
    pub content_type: String,
    /// Exact size of the file; each purpose (and token type) has its own limit.
    pub size_bytes: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadView {
    pub id: Uuid,
    pub vendor_id: Uuid,
    #[schema(value_type = String)]
    pub purpose: UploadPurpose,
    pub content_type: String,
    pub size_bytes: i64,
    /// `pending` until confirmed, then `ready`.
    #[schema(value_type = String)]
    pub status: UploadStatus,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<upload::Model> for UploadView {
    fn from(row: upload::Model) -> Self {
        Self {
            id: row.id,
            vendor_id: row.vendor_id,
            purpose: row.purpose,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            status: row.status,
            created_at: row.created_at.and_utc(),
            confirmed_at: row.confirmed_at.map(|at| at.and_utc()),
        }
    }
}

/// A request the client sends itself, with exactly these headers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUpload {
    pub upload: UploadView,
    /// Send the file here before confirming.
    pub upload_request: SignedRequestView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadDetail {
    pub upload: UploadView,
    /// A short-lived download, once the upload is `ready`.
    pub download: Option<SignedRequestView>,
}

/// The upload `id` with the caller's access to its vendor; 404 for anyone else's.
async fn upload_for(
    state: &AppState,
    staff: StaffUser,
    id: Uuid,
) -> Result<(VendorAccess, upload::Model), ApiError> {
    let vendor = uploads::vendor_of(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::no_such("upload"))?;
    let access = VendorAccess::resolve(state, staff, vendor)
        .await
        .map_err(|_| ApiError::no_such("upload"))?;
    let row = uploads::find(&state.db, access.vendor_id(), id)
        .await?
        .ok_or_else(|| ApiError::no_such("upload"))?;
    Ok((access, row))
}

fn refusal(error: UploadRefusal) -> ApiError {
    match error {
        UploadRefusal::TooLarge { purpose, max_bytes } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("{purpose} files may be at most {max_bytes} bytes."),
        )
        .with_details(serde_json::json!({ "max_bytes": max_bytes })),
        UploadRefusal::ContentType { allowed, .. } => ApiError::validation(vec![FieldError {
            field: "content_type".into(),
            message: format!("must be one of {}", allowed.join(", ")),
        }]),
        UploadRefusal::Empty => ApiError::validation(vec![FieldError {
            field: "size_bytes".into(),
            message: "must be at least 1".into(),
        }]),
    }
}

/// Declares an upload and returns where to PUT it.
#[utoipa::path(
    tag = "uploads",
    security(("bearer" = [])),
    params(Idempotency),
    request_body = UploadBody,
    responses(
        (status = 201, description = "Declared; PUT the file with `upload_request`, then confirm.", body = CreatedUpload),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "A request with this Idempotency-Key is still running.", body = ErrorBody),
        (status = 413, description = "Larger than this purpose allows for this token type; `details.max_bytes`.", body = ErrorBody),
        (status = 422, description = "Unknown purpose, a content type the purpose does not accept, or the key was used with another body.", body = ErrorBody),
        (status = 503, description = "File storage is unavailable.", body = ErrorBody),
    )
)]
#[post("/api/v1/uploads")]
pub async fn create_upload(
    request: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    idempotency: Idempotency,
    body: web::Json<UploadBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let idempotency_key = idempotency.key(format!("uploads:{}", body.vendor_id), &body)?;
    let purpose = body.purpose.parse::<UploadPurpose>();
    Fields::default()
        .check(
            purpose.is_ok(),
            "purpose",
            "must be product_image, storefront_logo, storefront_banner, storefront_favicon or recipient_csv",
        )
        .finish()?;
    let purpose = purpose.map_err(ApiError::internal)?;
    let access = VendorAccess::resolve(&state, staff, VendorId::from(body.vendor_id)).await?;
    let uploader = if access.staff.admin {
        Uploader::Admin
    } else {
        Uploader::VendorStaff
    };
    let content_type = body.content_type.trim().to_ascii_lowercase();
    trove_domain::upload::check(purpose, uploader, &content_type, body.size_bytes)
        .map_err(refusal)?;

    let id = Uuid::now_v7();
    let key = uploads::storage_key(access.vendor_id(), id);
    let ttl = state.storage.upload_url_ttl();
    let signed = state
        .files
        .presign_put(&key, &content_type, body.size_bytes, ttl)
        .await?;
    let upload_request = signed_view(&request, &state, signed, ttl);
    let declared = NewUpload {
        id,
        vendor: access.vendor_id(),
        purpose,
        content_type,
        size_bytes: body.size_bytes,
        created_by: access.staff.id(),
    };
    let answer = idempotency::create_once(&state.app, idempotency_key, async |uow| {
        let row = uploads::create(&**uow, declared).await?;
        Ok(CreatedUpload {
            upload: row.into(),
            upload_request,
        })
    })
    .await?;
    Ok(crate::idempotency::respond(answer))
}

/// Checks the stored file against its declaration; a match makes the upload `ready`.
#[utoipa::path(
    tag = "uploads",
    security(("bearer" = [])),
    params(("upload_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Ready (confirming a ready upload again changes nothing).", body = UploadView),
        (status = 404, description = "No such upload, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Nothing has been uploaded yet.", body = ErrorBody),
        (status = 422, description = "The stored file differs from the declaration (size, type or encryption); it was deleted.", body = ErrorBody),
        (status = 503, description = "File storage is unavailable.", body = ErrorBody),
    )
)]
#[post("/api/v1/uploads/{upload_id}/confirm")]
pub async fn confirm_upload(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<UploadView>, ApiError> {
    let (_, row) = upload_for(&state, staff, path.into_inner()).await?;
    if row.status == UploadStatus::Ready {
        return Ok(web::Json(row.into()));
    }
    let stored = state.files.head(&row.storage_key).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "not_uploaded",
            "Nothing has been uploaded for this upload yet.",
        )
    })?;
    let declared_size = u64::try_from(row.size_bytes).unwrap_or_default();
    let mut problems = Vec::new();
    if stored.size_bytes != declared_size {
        problems.push(format!(
            "size is {} bytes, {declared_size} were declared",
            stored.size_bytes
        ));
    }
    if stored.content_type.as_deref() != Some(row.content_type.as_str()) {
        problems.push(format!(
            "content type is {}, {} was declared",
            stored.content_type.as_deref().unwrap_or("unset"),
            row.content_type
        ));
    }
    if !stored.encrypted_as_required {
        problems.push("the object is not encrypted with the required KMS key".to_owned());
    }
    if !problems.is_empty() {
        state.files.delete(&row.storage_key).await?;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "upload_mismatch",
            "The stored file does not match its declaration and was deleted; upload it again.",
        )
        .with_details(serde_json::json!({ "problems": problems })));
    }
    Ok(web::Json(uploads::mark_ready(&state.db, row).await?.into()))
}

/// One upload, with a short-lived download once it is ready.
#[utoipa::path(
    tag = "uploads",
    security(("bearer" = [])),
    params(("upload_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = UploadDetail),
        (status = 404, description = "No such upload, or not visible to this caller.", body = ErrorBody),
        (status = 503, description = "File storage is unavailable.", body = ErrorBody),
    )
)]
#[get("/api/v1/uploads/{upload_id}")]
pub async fn get_upload(
    request: HttpRequest,
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<Uuid>,
) -> Result<web::Json<UploadDetail>, ApiError> {
    let (_, row) = upload_for(&state, staff, path.into_inner()).await?;
    let download = if row.status == UploadStatus::Ready {
        let ttl = state.storage.download_url_ttl();
        let signed = state.files.presign_get(&row.storage_key, ttl).await?;
        Some(signed_view(&request, &state, signed, ttl))
    } else {
        None
    };
    Ok(web::Json(UploadDetail {
        upload: row.into(),
        download,
    }))
}
