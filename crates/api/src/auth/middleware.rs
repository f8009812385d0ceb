//! Validates the bearer token once per request and leaves the outcome in the request
//! extensions for the rate limiter (which keys by subject) and the guards. A request
//! without a token passes through untouched: whether it needs one is the route's business.

use super::authenticator::AuthError;
use super::claims::Principal;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

/// The result of validating this request's bearer token.
#[derive(Debug, Clone)]
pub struct AuthOutcome(pub Result<Principal, AuthError>);

pub async fn authenticate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let (Some(token), Some(state)) = (
        bearer_token(request.headers()),
        request.app_data::<web::Data<AppState>>().cloned(),
    ) {
        let outcome = match token {
            Ok(token) => state.authenticator.authenticate(&token).await,
            Err(error) => Err(error),
        };
        match &outcome {
            Ok(Principal::Staff { subject, .. }) => {
                tracing::Span::current().record("user_id", subject.as_str());
            }
            Ok(_) => {}
            Err(error) => tracing::info!(%error, "bearer token refused"),
        }
        request.extensions_mut().insert(AuthOutcome(outcome));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

/// `None` without an Authorization header; an error when it is not `Bearer <token>`.
/// Public for the fuzz targets in `fuzz/`.
pub fn bearer_token(headers: &HeaderMap) -> Option<Result<String, AuthError>> {
    let value = headers.get(AUTHORIZATION)?;
    let parsed = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim().to_owned())
        .ok_or_else(|| AuthError::Invalid("expected `Authorization: Bearer <token>`".into()));
    Some(parsed)
}
