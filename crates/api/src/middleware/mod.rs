//! Middleware, outermost first: request context (id, span, log, metrics, Sentry, error
//! shape) → security headers → CORS → body size guard → authentication → rate limit →
//! database watch → routes.

pub mod body_limit;
pub mod database_watch;
pub mod rate_limit;
pub mod request_context;
pub mod security_headers;
