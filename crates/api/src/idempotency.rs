//! `Idempotency-Key` for requests that create things: the first request with a key runs
//! and its successful response is stored; the same key with the same body gets that
//! response again (marked `Idempotent-Replayed: true`), with another body 422, and while
//! the first is still running 409. Failures are not stored, so the client may retry.
//! Keys are scoped by route and resource and remembered for `orders.idempotency_hours`.
//!
//! The work runs in a transaction this module opens, and the response is stored in that
//! same transaction: what was created and the answer that reports it commit together.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use trove_data_access::idempotency::{self, Claim};

pub const HEADER: &str = "idempotency-key";

fn key_of(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().ok().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        ));
    }
    Ok(Some(key.to_owned()))
}

fn hash_of(body: &serde_json::Value) -> Result<String, ApiError> {
    // serde_json's maps are sorted, so equal bodies serialise equally.
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs `create` and stores its response under claim `id`, in one transaction.
async fn run_and_store<T, F>(
    state: &AppState,
    id: uuid::Uuid,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<(StatusCode, T), ApiError>,
{
    let txn = trove_data_access::begin_write(&state.db).await?;
    let (status, value) = create(&txn).await?;
    let json = serde_json::to_string(&value).map_err(ApiError::internal)?;
    idempotency::complete(&txn, id, status.as_u16(), json.clone()).await?;
    txn.commit().await?;
    Ok(json_response(status, json))
}

fn json_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body)
}

/// Runs `create` at most once per key: `body` is the request body as received.
pub async fn once<T, F>(
    request: &HttpRequest,
    state: &AppState,
    scope: &str,
    body: &serde_json::Value,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<(StatusCode, T), ApiError>,
{
    let Some(key) = key_of(request)? else {
        let txn = trove_data_access::begin_write(&state.db).await?;
        let (status, value) = create(&txn).await?;
        let json = serde_json::to_string(&value).map_err(ApiError::internal)?;
        txn.commit().await?;
        return Ok(json_response(status, json));
    };
    let ttl = chrono::Duration::hours(i64::from(state.orders.idempotency_hours));
    match idempotency::claim(&state.db, scope, &key, &hash_of(body)?, ttl).await? {
        Claim::Fresh(id) => match run_and_store(state, id, create).await {
            Ok(response) => Ok(response),
            Err(error) => {
                if let Err(release) = idempotency::release(&state.db, id).await {
                    tracing::warn!(error = %release, "cannot release an idempotency key");
                }
                Err(error)
            }
        },
        Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = json_response(status, body);
            response.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            Ok(response)
        }
        Claim::Mismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was used with another request body.",
        )),
        Claim::InProgress => Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
        )),
    }
}
