//! The request id: taken from a sane incoming `X-Request-Id`, otherwise generated.
//!
//! It is set once per request by the request-context middleware, echoed in the response
//! header, recorded on the request's tracing span, and available to error rendering through
//! a task-local, so every error body carries it without handlers passing it around.

use actix_web::http::header::HeaderMap;
use std::fmt;
use std::sync::Arc;

pub const HEADER: &str = "x-request-id";
const MAX_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

tokio::task_local! {
    static CURRENT: RequestId;
}

impl RequestId {
    /// The caller's id when it is 1–128 characters of `[A-Za-z0-9._:-]`, else a new one.
    /// Anything else (spaces, newlines, overlong values) could forge log lines, so it is
    /// replaced rather than echoed.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        headers
            .get(HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|value| is_sane(value))
            .map(|value| Self(Arc::from(value)))
            .unwrap_or_else(Self::generate)
    }

    pub fn generate() -> Self {
        Self(Arc::from(uuid::Uuid::new_v4().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Runs `future` with this id as the current request id.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }

    /// Runs `f` with this id as the current request id.
    pub fn sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self, f)
    }

    /// The id of the request being served, if called while serving one.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_sane(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_LEN
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b':' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn id_for(value: &str) -> RequestId {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static(HEADER),
            HeaderValue::from_str(value).unwrap(),
        );
        RequestId::from_headers(&headers)
    }

    #[test]
    fn a_sane_incoming_id_is_kept() {
        assert_eq!(id_for("abc-123_x.y:z").as_str(), "abc-123_x.y:z");
    }

    #[test]
    fn unsafe_or_overlong_ids_are_replaced() {
        for bad in ["", "two words", "a\"quote", &"x".repeat(129)] {
            let id = id_for(bad);
            assert_ne!(id.as_str(), bad);
            assert!(uuid::Uuid::parse_str(id.as_str()).is_ok());
        }
    }

    #[test]
    fn a_missing_id_is_generated() {
        let id = RequestId::from_headers(&HeaderMap::new());
        assert!(uuid::Uuid::parse_str(id.as_str()).is_ok());
    }

    #[tokio::test]
    async fn current_is_set_only_inside_the_scope() {
        assert_eq!(RequestId::current(), None);
        let id = RequestId::generate();
        let seen = id.clone().scope(async { RequestId::current() }).await;
        assert_eq!(seen, Some(id));
    }
}
