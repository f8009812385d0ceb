//! The local file store's signed URLs (embedded mode): PUT stores, GET serves. The
//! signature in the query pins the key, the expiry and, for a PUT, the content type and
//! size the request actually carries, so these routes need no token, like S3's pre-signed
//! URLs. With the S3 backend they do not exist (404).

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use trove_data_access::uploads::storage_key;
use trove_domain::ids::VendorId;
use trove_integrations::storage::{LinkError, LocalStore};
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// Unix time after which the link is refused.
    pub expires: u64,
    pub signature: String,
}

fn local_store(state: &AppState) -> Result<Arc<LocalStore>, ApiError> {
    state
        .local_files
        .clone()
        .ok_or_else(|| ApiError::no_such("file"))
}

impl From<LinkError> for ApiError {
    fn from(error: LinkError) -> Self {
        let code = match error {
            LinkError::Expired => "link_expired",
            LinkError::BadSignature => "invalid_signature",
        };
        ApiError::new(StatusCode::FORBIDDEN, code, format!("Refused: {error}."))
    }
}

fn header_text<'a>(
    request: &'a HttpRequest,
    name: &actix_web::http::header::HeaderName,
) -> Option<&'a str> {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

/// Stores the file a signed upload URL was issued for.
#[utoipa::path(
    tag = "uploads",
    params(("vendor_id" = Uuid, Path), ("file_id" = Uuid, Path), SignedQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file, with the declared Content-Type and Content-Length."),
    responses(
        (status = 200, description = "Stored; confirm the upload next."),
        (status = 400, description = "The body is not as long as its Content-Length.", body = ErrorBody),
        (status = 403, description = "The link expired, or the request differs from what was signed.", body = ErrorBody),
        (status = 404, description = "This installation stores files on S3.", body = ErrorBody),
        (status = 503, description = "The folder cannot be written.", body = ErrorBody),
    )
)]
#[put("/api/v1/files/vendors/{vendor_id}/{file_id}")]
pub async fn put_local_file(
    request: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<SignedQuery>,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let store = local_store(&state)?;
    let (vendor_id, file_id) = path.into_inner();
    let key = storage_key(VendorId::from(vendor_id), file_id);
    let content_type = header_text(&request, &CONTENT_TYPE).unwrap_or_default();
    let length = header_text(&request, &CONTENT_LENGTH)
        .and_then(|value| value.parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::LENGTH_REQUIRED,
                "length_required",
                "Send the file with its Content-Length.",
            )
        })?;
    store.verify(
        "PUT",
        &key,
        query.expires,
        &query.signature,
        Some((content_type, length)),
    )?;

    let (staging, mut file) = store.staging_file(&key).await?;
    let mut received: u64 = 0;
    let outcome: Result<(), ApiError> = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|error| {
                ApiError::bad_request("incomplete_body", format!("The upload broke off: {error}"))
            })?;
            received += chunk.len() as u64;
            if received > length {
                break;
            }
            file.write_all(&chunk)
                .await
                .map_err(ApiError::unavailable)?;
        }
        if received != length {
            return Err(ApiError::bad_request(
                "length_mismatch",
                format!("The body does not match its Content-Length of {length} bytes."),
            ));
        }
        file.flush().await.map_err(ApiError::unavailable)?;
        file.sync_all().await.map_err(ApiError::unavailable)?;
        Ok(())
    }
    .await;
    drop(file);
    match outcome {
        Ok(()) => store.commit(&staging, &key, content_type).await?,
        Err(error) => {
            let _ = tokio::fs::remove_file(&staging).await;
            return Err(error);
        }
    }
    Ok(HttpResponse::Ok().finish())
}

/// Serves the file a signed download URL was issued for.
#[utoipa::path(
    tag = "uploads",
    params(("vendor_id" = Uuid, Path), ("file_id" = Uuid, Path), SignedQuery),
    responses(
        (status = 200, description = "The file, with its stored content type."),
        (status = 403, description = "The link expired or its signature does not match.", body = ErrorBody),
        (status = 404, description = "Nothing stored here, or this installation stores files on S3.", body = ErrorBody),
    )
)]
#[get("/api/v1/files/vendors/{vendor_id}/{file_id}")]
pub async fn get_local_file(
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<SignedQuery>,
) -> Result<HttpResponse, ApiError> {
    let store = local_store(&state)?;
    let (vendor_id, file_id) = path.into_inner();
    let key = storage_key(VendorId::from(vendor_id), file_id);
    store.verify("GET", &key, query.expires, &query.signature, None)?;
    let (bytes, content_type) = store
        .read(&key)
        .await?
        .ok_or_else(|| ApiError::no_such("file"))?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("cache-control", "private, max-age=60"))
        .body(bytes))
}
