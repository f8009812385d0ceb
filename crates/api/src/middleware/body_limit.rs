//! Refuses a request whose declared `Content-Length` exceeds the body limit before any
//! handler reads it (413), on every route. Bodies without a length are bounded by the
//! extractors' own limits. Uploads to the local file store may be as large as the largest
//! upload any purpose allows; their signature pins the exact size.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::middleware::Next;
use actix_web::web;
use trove_domain::upload::UploadPurpose;
use trove_integrations::storage::ROUTE_PREFIX;

pub async fn guard(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = request
        .app_data::<web::Data<AppState>>()
        .map(|state| state.body_limit_bytes)
        .map(|limit| {
            if request.path().starts_with(ROUTE_PREFIX) {
                usize::try_from(UploadPurpose::largest()).unwrap_or(usize::MAX)
            } else {
                limit
            }
        });
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let (Some(limit), Some(declared)) = (limit, declared)
        && declared > limit as u64
    {
        return Ok(request.error_response(ApiError::payload_too_large(limit)));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}
