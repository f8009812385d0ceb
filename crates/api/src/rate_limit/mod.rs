//! Per-client rate limiting with GCRA: a sustained rate plus a small burst.
//!
//! The in-process store is `governor`; with `rate_limit.redis_url` the same algorithm runs
//! inside Redis so several API instances share one limit. If Redis fails, the instance
//! falls back to its own in-process limit rather than refusing or waving traffic through.

mod local;
mod redis;

pub use self::local::LocalLimiter;
pub use self::redis::RedisLimiter;

use async_trait::async_trait;
use std::time::Duration;

/// The outcome of one check, with what the `RateLimit-*` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The burst size: how many requests may be made at once.
    pub limit: u32,
    pub remaining: u32,
    /// Until the client's allowance is whole again.
    pub reset_after: Duration,
    /// Until the next request will be allowed (zero when allowed).
    pub retry_after: Duration,
}

#[async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one request for `key` and says whether it may go on.
    async fn check(&self, key: &str) -> Decision;
    /// Whether the shared store can be reached, for `/health/detailed`; `None` when the
    /// limiter has no outside store.
    async fn store_health(&self) -> Option<Result<(), String>>;
}

/// Whole seconds, rounded up, as the headers want them.
pub fn ceil_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        seconds + 1
    } else {
        seconds
    }
}
