//! The in-process limiter: `governor`'s keyed GCRA.

use super::{Decision, RateLimiter};
use async_trait::async_trait;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Forget idle clients every this many checks so the key table does not grow forever.
const PRUNE_EVERY: u64 = 10_000;

type Keyed =
    Governor<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

#[derive(Debug)]
pub struct LocalLimiter {
    limiter: Keyed,
    clock: DefaultClock,
    burst: u32,
    interval: Duration,
    checks: AtomicU64,
}

impl LocalLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        Self::with_quota(Quota::per_second(per_second), burst)
    }

    /// One request per `period` sustained, `burst` at once.
    pub fn with_period(period: Duration, burst: u32) -> Self {
        let quota =
            Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
        Self::with_quota(quota, burst)
    }

    fn with_quota(quota: Quota, burst: u32) -> Self {
        let burst_size = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let clock = DefaultClock::default();
        let quota = quota.allow_burst(burst_size);
        Self {
            limiter: Governor::dashmap_with_clock(quota, clock.clone())
                .with_middleware::<StateInformationMiddleware>(),
            clock,
            burst: burst_size.get(),
            interval: quota.replenish_interval(),
            checks: AtomicU64::new(0),
        }
    }

    pub fn check_now(&self, key: &str) -> Decision {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        match self.limiter.check_key(&key.to_owned()) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                Decision {
                    allowed: true,
                    limit: self.burst,
                    remaining,
                    reset_after: self.interval * (self.burst - remaining),
                    retry_after: Duration::ZERO,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Decision {
                    allowed: false,
                    limit: self.burst,
                    remaining: 0,
                    reset_after: wait + self.interval * self.burst.saturating_sub(1),
                    retry_after: wait,
                }
            }
        }
    }
}

#[async_trait]
impl RateLimiter for LocalLimiter {
    async fn check(&self, key: &str) -> Decision {
        self.check_now(key)
    }

    async fn store_health(&self) -> Option<Result<(), String>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_client_is_limited() {
        let limiter = LocalLimiter::new(30, 10);
        let decisions: Vec<_> = (0..11).map(|_| limiter.check_now("client-a")).collect();
        assert!(decisions[..10].iter().all(|decision| decision.allowed));
        assert_eq!(decisions[0].remaining, 9);
        assert_eq!(decisions[9].remaining, 0);
        let limited = decisions[10];
        assert!(!limited.allowed);
        assert!(limited.retry_after > Duration::ZERO);
        assert!(limited.retry_after <= Duration::from_millis(34));
    }

    #[test]
    fn clients_are_limited_separately() {
        let limiter = LocalLimiter::new(1, 1);
        assert!(limiter.check_now("a").allowed);
        assert!(!limiter.check_now("a").allowed);
        assert!(limiter.check_now("b").allowed);
    }
}
