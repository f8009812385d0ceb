//! The HTTP side of `Idempotency-Key`: the [`Idempotency`] extractor reads the header
//! (1 to 255 visible ASCII characters, else 400) on every POST that creates something, and
//! [`respond`] answers with what the use case stored or replayed (`Idempotent-Replayed:
//! true` on a replay). Claiming, storing and releasing keys is `trove_app::idempotency`'s.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use std::future::{Ready, ready};
use trove_app::idempotency::{IdempotencyKey, StoredAnswer};

pub const HEADER: &str = "idempotency-key";

/// The request's `Idempotency-Key`, checked: every create takes it through this extractor
/// (1 to 255 visible ASCII characters, else 400 `invalid_idempotency_key`).
#[derive(Debug, Clone, Default)]
pub struct Idempotency(Option<String>);

impl Idempotency {
    fn parse(request: &HttpRequest) -> Result<Self, ApiError> {
        let Some(value) = request.headers().get(HEADER) else {
            return Ok(Self(None));
        };
        let key = value.to_str().ok().map(str::trim).unwrap_or_default();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            ));
        }
        Ok(Self(Some(key.to_owned())))
    }

    /// The key within `scope` (what keys are unique in, e.g. `storefronts:{vendor}`), with
    /// the body a repeat must match; `None` when the client sent no key.
    pub fn key(
        self,
        scope: String,
        body: &impl Serialize,
    ) -> Result<Option<IdempotencyKey>, ApiError> {
        let Some(key) = self.0 else {
            return Ok(None);
        };
        Ok(Some(IdempotencyKey {
            scope,
            key,
            body: serde_json::to_value(body).map_err(ApiError::internal)?,
        }))
    }
}

impl FromRequest for Idempotency {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(request))
    }
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

impl utoipa::IntoParams for Idempotency {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes a retried request answer with the first one's response instead of \
                     creating a second resource (remembered for a day).",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        .pattern(Some("^[!-~]+$")),
                ))
                .build(),
        ]
    }
}
