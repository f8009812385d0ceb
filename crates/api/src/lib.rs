//! Trove's REST API: actix-web routes, extractors, middleware and OpenAPI document.
//!
//! Policy: handlers are thin (extract, call one function, map to a DTO); every response
//! leaves through the request-context middleware, which stamps the request id, logs one
//! completion line, records metrics and reports 5xx to Sentry. All errors are `ApiError`.

pub mod attachments;
pub mod auth;
pub mod client;
pub mod dev_token;
pub mod error;
pub mod extractors;
pub mod features;
pub mod health;
pub mod idempotency;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod rate_limit;
pub mod request_id;
pub mod request_log;
pub mod route_table;
pub mod routes;
pub mod startup;
pub mod state;
pub mod storefront_cache;
pub mod validation;
pub mod views;

pub use startup::{Application, StartupError};
