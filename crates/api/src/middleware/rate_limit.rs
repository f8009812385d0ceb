//! Applies the rate limiter per client and sets the `RateLimit-*` headers.
//!
//! The key is the authenticated subject when the request carries a valid token, else the
//! client IP that the request context resolved (trusted proxies only). Liveness (`/health`)
//! and `/metrics` are exempt: probes and scrapers must never be refused.

use crate::auth::middleware::AuthOutcome;
use crate::client::ClientInfo;
use crate::error::ApiError;
use crate::rate_limit::{Decision, ceil_seconds};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

/// Paths never limited; the OpenAPI document leaves 429 off them.
pub(crate) const EXEMPT: [&str; 2] = ["/health", "/metrics"];

pub async fn limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let Some(limiter) = state.rate_limiter.clone() else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    if EXEMPT.contains(&request.path()) {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }

    let subject_key = match request.extensions().get::<AuthOutcome>() {
        Some(AuthOutcome(Ok(principal))) => Some(principal.rate_limit_key()),
        _ => None,
    };
    let key = subject_key.unwrap_or_else(|| {
        let client_ip = request
            .extensions()
            .get::<ClientInfo>()
            .and_then(|client| client.ip);
        client_ip
            .map(|ip| format!("ip:{ip}"))
            .unwrap_or_else(|| "ip:unknown".into())
    });

    let decision = limiter.check(&key).await;
    let mut response = if decision.allowed {
        next.call(request).await?.map_into_boxed_body()
    } else {
        tracing::warn!(client = %key, "rate limit exceeded");
        request.error_response(ApiError::too_many_requests(decision.retry_after))
    };
    set_headers(response.headers_mut(), &decision);
    Ok(response)
}

/// Counts one guarded attempt (a storefront password, a gift code) of this request's
/// client IP under `scope` against the strict attempt limiter; 429 when over it.
pub(crate) async fn limit_attempts(
    request: &actix_web::HttpRequest,
    state: &AppState,
    scope: &str,
) -> Result<(), ApiError> {
    let client = request
        .extensions()
        .get::<ClientInfo>()
        .and_then(|client| client.ip)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let decision = state
        .password_limiter
        .check(&format!("{scope}:{client}"))
        .await;
    if decision.allowed {
        Ok(())
    } else {
        tracing::warn!(%scope, %client, "guarded attempts limited");
        Err(ApiError::too_many_requests(decision.retry_after))
    }
}

fn set_headers(headers: &mut HeaderMap, decision: &Decision) {
    let values = [
        ("ratelimit-limit", u64::from(decision.limit)),
        ("ratelimit-remaining", u64::from(decision.remaining)),
        ("ratelimit-reset", ceil_seconds(decision.reset_after)),
    ];
    for (name, value) in values {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}
