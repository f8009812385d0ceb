//! The HTTP side of `Idempotency-Key`: reading the header (1 to 255 visible ASCII
//! characters, else 400) and answering with what the use case stored or replayed
//! (`Idempotent-Replayed: true` on a replay). Claiming, storing and releasing keys is
//! `trove_app::idempotency`'s.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use trove_app::idempotency::{IdempotencyKey, StoredAnswer};

pub const HEADER: &str = "idempotency-key";

/// The request's key within `scope`, with its body to compare repeats against; `None`
/// when the client sent no key.
pub fn key_of(
    request: &HttpRequest,
    scope: String,
    body: &impl Serialize,
) -> Result<Option<IdempotencyKey>, ApiError> {
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
    Ok(Some(IdempotencyKey {
        scope,
        key: key.to_owned(),
        body: serde_json::to_value(body).map_err(ApiError::internal)?,
    }))
}

/// The answer as a JSON response.
pub fn respond(answer: StoredAnswer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status)
        .content_type("application/json")
        .body(answer.body);
    if answer.replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    response
}
