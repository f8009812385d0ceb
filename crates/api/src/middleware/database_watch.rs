//! A request under `/api/` that is waiting when the database server stops answering gets
//! a 503 `database_unavailable` (with `Retry-After`) as soon as the probe notices, within
//! about `database.statement_timeout_seconds`, instead of hanging for as long as the
//! partition lasts; while it stays silent, new ones get the 503 at once. Health and docs
//! routes are left alone: health reports the outage itself. Whatever the abandoned
//! request had begun is rolled back by the server when the connection drops, or committed
//! if its commit had already arrived: a client retries with its `Idempotency-Key`.

use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;
use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

/// Paths watched; the OpenAPI document lists 503 on every operation under it.
pub(crate) const WATCHED_PREFIX: &str = "/api/v1/";

pub async fn answer_when_lost(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let reachability = request
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.database_reachability.clone());
    let Some(reachability) = reachability.filter(|_| request.path().starts_with(WATCHED_PREFIX))
    else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    tokio::select! {
        response = next.call(request) => Ok(response?.map_into_boxed_body()),
        () = reachability.lost() => Err(lost_response()),
    }
}

/// The 503 as a finished response: the request itself went down with the abandoned
/// handler (it cannot be held here, the router needs it alone), so the answer travels as
/// an error that carries its own response, shaped here inside the request's id scope.
fn lost_response() -> actix_web::Error {
    let mut response = lost().error_response();
    if let Some(id) = RequestId::current()
        && let Ok(value) = HeaderValue::from_str(id.as_str())
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static(crate::request_id::HEADER), value);
    }
    InternalError::from_response(lost(), response).into()
}

fn lost() -> ApiError {
    ApiError::database_unavailable("the reachability probe found the database server silent")
}
