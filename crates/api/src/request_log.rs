//! Which successful requests get their completion line.
//!
//! Every request is counted in the metrics, and every error (4xx, 5xx) and every request
//! off the hot public routes is logged. The successful (2xx/3xx) answers of the routes
//! hit hardest by anonymous traffic (`/health`, `/health/detailed` and everything under
//! `/api/v1/public/`) are logged one in `log.successful_public_sample_every`, so a busy
//! storefront does not pay a log line per read. 1 (the default) logs them all.

use actix_web::http::StatusCode;
use std::sync::atomic::{AtomicU64, Ordering};

const HOT_PREFIXES: [&str; 2] = ["/health", "/api/v1/public/"];

#[derive(Debug)]
pub struct RequestLogSampling {
    every: u64,
    seen: AtomicU64,
}

impl RequestLogSampling {
    pub fn new(every: u32) -> Self {
        Self {
            every: u64::from(every.max(1)),
            seen: AtomicU64::new(0),
        }
    }

    /// Whether the completion line of this answer is written.
    pub fn keep(&self, path: &str, status: StatusCode) -> bool {
        if self.every == 1
            || !(status.is_success() || status.is_redirection())
            || !HOT_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
        {
            return true;
        }
        self.seen
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(self.every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_in_n_successful_public_reads_and_every_other_line() {
        let sampling = RequestLogSampling::new(4);
        let kept = (0..8)
            .filter(|_| sampling.keep("/api/v1/public/storefronts/acme", StatusCode::OK))
            .count();
        assert_eq!(kept, 2);
        assert!(sampling.keep("/api/v1/public/storefronts/acme", StatusCode::NOT_FOUND));
        assert!(sampling.keep("/api/v1/vendors", StatusCode::OK));
        let all = RequestLogSampling::new(1);
        assert!((0..5).all(|_| all.keep("/health", StatusCode::OK)));
    }
}
