//! The outermost middleware: everything that must hold for every request and response.
//!
//! - a request id (incoming if sane, else new), echoed as `X-Request-Id` and in error bodies;
//! - the client (IP, TLS) resolved once through the trusted proxies;
//! - a tracing span for the request and one completion line with method, route, status,
//!   latency, request id and user id when known (successful hot public reads sampled as
//!   `request_log` says);
//! - Prometheus counters and latency;
//! - a Sentry hub per request tagged with the request id: 5xx responses are captured with
//!   their cause, and a panic inside the request carries the same tag;
//! - any error response not already in the `ApiError` shape (framework defaults, CORS
//!   rejections) is rewritten into it.

use crate::client::ClientInfo;
use crate::error::ApiError;
use crate::request_id::{self, RequestId};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use sentry::{Hub, SentryFutureExt};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

const UNMATCHED_ROUTE: &str = "unmatched";

pub async fn wrap(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = RequestId::from_headers(request.headers());
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let client = match &state {
        Some(state) => state.trusted_proxies.resolve(
            request.peer_addr().map(|address| address.ip()),
            request.headers(),
            false,
        ),
        None => ClientInfo {
            ip: None,
            https: false,
        },
    };
    request.extensions_mut().insert(request_id.clone());
    request.extensions_mut().insert(client.clone());

    let method = request.method().to_string();
    let span = tracing::info_span!(
        "http_request",
        request_id = %request_id,
        method = %method,
        path = %request.path(),
        client_ip = client.ip.map(tracing::field::display),
        user_id = Empty,
    );
    // A hub of its own only when Sentry is on: without a client there is nothing to tag.
    let hub = Hub::main().client().is_some().then(|| {
        let hub = Arc::new(Hub::new_from_top(Hub::main()));
        hub.configure_scope(|scope| {
            scope.set_tag("request_id", request_id.as_str());
            scope.set_tag("http.method", &method);
        });
        hub
    });

    let handled = request_id
        .clone()
        .scope(next.call(request))
        .instrument(span.clone());
    let outcome = match &hub {
        Some(hub) => handled.bind_hub(hub.clone()).await,
        None => handled.await,
    };
    // Inner services answer errors as responses; an `Err` here comes from the framework
    // itself or from the database watch (a 503 carrying its finished response), and is
    // rendered after this middleware returns.
    let response = match outcome {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            span.in_scope(|| tracing::error!(%error, "request failed before producing a response"));
            return Err(error);
        }
    };
    let mut response = request_id.clone().sync_scope(|| into_error_shape(response));

    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        state
            .metrics
            .observe(&method, &route, status.as_u16(), elapsed);
    }

    let cause = response
        .response()
        .error()
        .and_then(|error| error.as_error::<ApiError>())
        .and_then(ApiError::cause_chain);
    let latency_ms = (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0;
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(
                %method, %route, status = status.as_u16(), latency_ms, request_id = %request_id,
                cause = cause.as_deref().unwrap_or("unknown"),
                "request failed"
            );
            if let Some(hub) = &hub {
                let summary = format!(
                    "{method} {route} answered {}: {}",
                    status.as_u16(),
                    cause.as_deref().unwrap_or("no cause recorded")
                );
                hub.capture_message(&summary, sentry::Level::Error);
            }
        } else if state
            .as_ref()
            .is_none_or(|state| state.request_log.keep(response.request().path(), status))
        {
            tracing::info!(
                %method, %route, status = status.as_u16(), latency_ms, request_id = %request_id,
                "request completed"
            );
        }
    });

    if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(request_id::HEADER), value);
    }
    Ok(response)
}

/// Rewrites an error response that did not come from `ApiError` into its JSON shape,
/// keeping headers such as `Allow` or `Retry-After`.
fn into_error_shape(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let ours = response
        .response()
        .error()
        .is_some_and(|error| error.as_error::<ApiError>().is_some());
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if status.as_u16() < 400 || ours || is_json {
        return response;
    }
    let (request, original) = response.into_parts();
    let mut replacement = ApiError::from_status(status).error_response();
    for (name, value) in original.headers() {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            replacement
                .headers_mut()
                .insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, replacement)
}
