//! `ApiError`: the one error type of the HTTP layer and its JSON shape.
//!
//! Every error response, whoever produced it, has the body
//! `{"error", "code", "message", "request_id", "details"?}`. Lower layers' errors are
//! classified once here (`From<DbErr>`), never at call sites. 5xx bodies say nothing about
//! the cause; the cause travels with the error to the logs and to Sentry.

use crate::request_id::RequestId;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::DbErr;
use serde::Serialize;
use std::fmt;
use std::time::Duration;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The HTTP status text, e.g. `Not Found`.
    pub error: String,
    /// A stable snake_case code to branch on, e.g. `not_found`, `validation_failed`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The request id, also sent as the `X-Request-Id` header; quote it to support.
    pub request_id: String,
    /// Per-field problems for `validation_failed`; other structured context otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// One field's validation problem (the application layer's, as it is).
pub use trove_app::FieldError;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<serde_json::Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
    cause: Option<Cause>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            headers: Vec::new(),
            cause: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 404 `No such {what}.`: the one answer for an id the caller cannot see.
    pub fn no_such(what: &str) -> Self {
        Self::not_found(format!("No such {what}."))
    }

    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let allow = allowed.join(", ");
        let mut error = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("This route accepts {allow}."),
        );
        if let Ok(value) = HeaderValue::from_str(&allow) {
            error.headers.push((header::ALLOW, value));
        }
        error
    }

    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body exceeds the limit of {limit_bytes} bytes."),
        )
    }

    /// 422 with one entry per offending field.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Some fields are invalid; see details.",
        );
        error.details = serde_json::to_value(fields).ok();
        error
    }

    pub fn too_many_requests(retry_after: Duration) -> Self {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests; retry after {seconds} s."),
        );
        error
            .headers
            .push((header::RETRY_AFTER, HeaderValue::from(seconds)));
        error
    }

    /// A dependency could not be reached; the client may retry.
    pub fn unavailable(cause: impl Into<Cause>) -> Self {
        let mut error = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "A service this request needs is temporarily unavailable; try again shortly.",
        );
        error.cause = Some(cause.into());
        error
    }

    /// The database could not serve the request (out of reach, silent, or busy with other
    /// work): 503 `database_unavailable` with `Retry-After`, whichever layer noticed.
    pub fn database_unavailable(cause: impl Into<Cause>) -> Self {
        let mut error = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The database is not answering; try again shortly.",
        );
        error
            .headers
            .push((header::RETRY_AFTER, HeaderValue::from_static("5")));
        error.cause = Some(cause.into());
        error
    }

    pub fn internal(cause: impl Into<Cause>) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side; it has been reported.",
        );
        error.cause = Some(cause.into());
        error
    }

    /// An error of the given status with the standard code and message, for responses
    /// produced outside our handlers (framework defaults, CORS rejections).
    pub fn from_status(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            400 => "bad_request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            408 => "request_timeout",
            409 => "conflict",
            413 => "payload_too_large",
            415 => "unsupported_media_type",
            422 => "validation_failed",
            429 => "rate_limited",
            503 => "service_unavailable",
            500..=599 => "internal_error",
            _ => "request_failed",
        };
        let message = if status.is_server_error() {
            "Something went wrong on our side; it has been reported."
        } else {
            status.canonical_reason().unwrap_or("The request failed.")
        };
        Self::new(status, code, message)
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What the client is told.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The full cause chain, for logs and Sentry; never sent to the client.
    pub fn cause_chain(&self) -> Option<String> {
        let cause = self.cause.as_deref()?;
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(next) = source {
            chain.push_str(": ");
            chain.push_str(&next.to_string());
            source = next.source();
        }
        Some(chain)
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            code: self.code.to_owned(),
            message: self.message.clone(),
            request_id: RequestId::current()
                .map(|id| id.to_string())
                .unwrap_or_default(),
            details: self.details.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.json(self.body())
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(error: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError;
        let unauthorized = |code: &'static str, message: String, challenge: &'static str| {
            let mut error = Self::new(StatusCode::UNAUTHORIZED, code, message);
            error.headers.push((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            ));
            error
        };
        match error {
            AuthError::Missing => unauthorized(
                "unauthorized",
                "A bearer token is required.".into(),
                "Bearer",
            ),
            AuthError::Invalid(reason) => unauthorized(
                "invalid_token",
                format!("The bearer token is not valid: {reason}."),
                "Bearer error=\"invalid_token\"",
            ),
            wrong @ AuthError::WrongType { .. } => Self::new(
                StatusCode::FORBIDDEN,
                "wrong_token_type",
                format!("{}.", capitalise(&wrong.to_string())),
            ),
            AuthError::KeysUnavailable(reason) => Self::unavailable(reason),
        }
    }
}

pub(crate) use trove_app::error::capitalise;

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        if trove_data_access::is_unavailable(&error) {
            return Self::database_unavailable(error);
        }
        match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                return Self::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "This would duplicate something that already exists.",
                );
            }
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "This refers to, or is referred to by, another record.",
                );
            }
            _ => {}
        }
        match error {
            DbErr::RecordNotFound(_) => Self::not_found("Not found."),
            other => Self::internal(other),
        }
    }
}

impl From<trove_integrations::stripe::StripeError> for ApiError {
    fn from(error: trove_integrations::stripe::StripeError) -> Self {
        use trove_integrations::stripe::StripeError;
        match error {
            StripeError::Unavailable(_) => Self::unavailable(error),
            StripeError::Rejected {
                status,
                code,
                message,
            } => Self::new(
                StatusCode::BAD_GATEWAY,
                "payment_provider_refused",
                format!("Stripe refused the request: {message}"),
            )
            .with_details(serde_json::json!({ "stripe_status": status, "stripe_code": code })),
            StripeError::Unexpected(_) => {
                let mut refused = Self::new(
                    StatusCode::BAD_GATEWAY,
                    "payment_provider_error",
                    "Stripe answered something unexpected; it has been reported.",
                );
                refused.cause = Some(error.into());
                refused
            }
        }
    }
}

impl From<trove_integrations::shopify::ShopifyError> for ApiError {
    fn from(error: trove_integrations::shopify::ShopifyError) -> Self {
        use trove_integrations::shopify::ShopifyError;
        match error {
            ShopifyError::Unavailable { .. } => Self::unavailable(error),
            ShopifyError::Unauthorized(_) => Self::new(
                StatusCode::CONFLICT,
                "shopify_reconnect_needed",
                "Shopify no longer accepts this shop's token; install the app again.",
            ),
            ShopifyError::Refused { status, message } => Self::new(
                StatusCode::BAD_GATEWAY,
                "shopify_refused",
                format!("Shopify refused the request: {message}"),
            )
            .with_details(serde_json::json!({ "shopify_status": status })),
            ShopifyError::Protocol(_) => {
                let mut refused = Self::new(
                    StatusCode::BAD_GATEWAY,
                    "shopify_error",
                    "Shopify answered something unexpected; it has been reported.",
                );
                refused.cause = Some(error.into());
                refused
            }
        }
    }
}

impl From<trove_integrations::secrets::SecretsError> for ApiError {
    fn from(error: trove_integrations::secrets::SecretsError) -> Self {
        use trove_integrations::secrets::SecretsError;
        match error {
            SecretsError::Unavailable(_) => Self::unavailable(error),
            SecretsError::Unreadable(_) | SecretsError::Key(_) => Self::internal(error),
        }
    }
}

impl From<trove_app::AppError> for ApiError {
    fn from(error: trove_app::AppError) -> Self {
        use trove_app::AppError;
        match error {
            AppError::NotFound(message) => Self::not_found(message),
            AppError::Conflict {
                code,
                message,
                details,
            } => {
                let conflict = Self::new(StatusCode::CONFLICT, code, message);
                match details {
                    Some(details) => conflict.with_details(details),
                    None => conflict,
                }
            }
            AppError::Invalid(fields) => Self::validation(fields),
            AppError::Forbidden(message) => Self::forbidden(message),
            AppError::Malformed { code, message } => Self::bad_request(code, message),
            AppError::NotConfigured { code, message } => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
            }
            AppError::Unauthenticated { code, message } => {
                Self::new(StatusCode::UNAUTHORIZED, code, message)
            }
            AppError::Shopify(error) => error.into(),
            AppError::Secrets(error) => error.into(),
            AppError::Gone { code, message } => Self::new(StatusCode::GONE, code, message),
            AppError::Rejected { code, message } => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            AppError::Stripe(error) => error.into(),
            AppError::Database(error) => error.into(),
            AppError::Internal(cause) => Self::internal(cause),
        }
    }
}
