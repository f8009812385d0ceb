//! The shared limiter: GCRA evaluated atomically inside Redis by one Lua script.
//!
//! The script keeps one key per client holding its theoretical arrival time (microseconds,
//! Redis clock) and expires it once the allowance is whole again, so idle clients cost
//! nothing. Any Redis error or slow answer falls back to the in-process limiter, and keeps
//! requests on it for a short cooldown so an outage does not add a connection attempt to
//! every request.

use super::{Decision, LocalLimiter, RateLimiter};
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const GCRA: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - interval * burst
if allow_at > now then
  return {0, 0, allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / interval), 0, new_tat - now}
";

/// Answers slower than this count as a Redis failure.
const TIMEOUT: Duration = Duration::from_millis(250);
const KEY_PREFIX: &str = "trove:rl:";
/// After a Redis failure, how long checks stay on the in-process limiter.
const COOLDOWN: Duration = Duration::from_secs(5);

pub struct RedisLimiter {
    client: redis::Client,
    connection: Mutex<Option<ConnectionManager>>,
    bypass_until: std::sync::Mutex<Option<Instant>>,
    script: redis::Script,
    interval_us: u64,
    burst: u32,
    fallback: LocalLimiter,
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("interval_us", &self.interval_us)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// Parses the URL; connecting happens on first use, so Redis may start after the API.
    pub fn new(url: &str, per_second: u32, burst: u32) -> Result<Self, redis::RedisError> {
        let period = Duration::from_micros(1_000_000 / u64::from(per_second.max(1)));
        Self::with_period(url, period, burst)
    }

    /// One request per `period` sustained, `burst` at once.
    pub fn with_period(url: &str, period: Duration, burst: u32) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            connection: Mutex::new(None),
            bypass_until: std::sync::Mutex::new(None),
            script: redis::Script::new(GCRA),
            interval_us: u64::try_from(period.as_micros()).unwrap_or(u64::MAX).max(1),
            burst: burst.max(1),
            fallback: LocalLimiter::with_period(period, burst),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(self.client.clone(), config).await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    fn in_cooldown(&self) -> bool {
        self.bypass_until
            .lock()
            .ok()
            .and_then(|until| *until)
            .is_some_and(|until| Instant::now() < until)
    }

    async fn check_shared(&self, key: &str) -> Result<Decision, String> {
        let mut connection = self.connection().await.map_err(|error| error.to_string())?;
        let mut invocation = self.script.key(format!("{KEY_PREFIX}{key}"));
        invocation.arg(self.interval_us).arg(self.burst);
        let call = invocation.invoke_async::<(u8, u32, u64, u64)>(&mut connection);
        let (allowed, remaining, retry_us, reset_us) = tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| "redis did not answer in time".to_owned())?
            .map_err(|error| error.to_string())?;
        Ok(Decision {
            allowed: allowed == 1,
            limit: self.burst,
            remaining,
            reset_after: Duration::from_micros(reset_us),
            retry_after: Duration::from_micros(retry_us),
        })
    }
}

#[async_trait]
impl RateLimiter for RedisLimiter {
    async fn check(&self, key: &str) -> Decision {
        if self.in_cooldown() {
            return self.fallback.check_now(key);
        }
        match self.check_shared(key).await {
            Ok(decision) => decision,
            Err(error) => {
                tracing::warn!(%error, cooldown_s = COOLDOWN.as_secs(), "shared rate limit unavailable; using this instance's limit");
                if let Ok(mut until) = self.bypass_until.lock() {
                    *until = Some(Instant::now() + COOLDOWN);
                }
                self.fallback.check_now(key)
            }
        }
    }

    async fn store_health(&self) -> Option<Result<(), String>> {
        let result = async {
            let mut connection = self.connection().await.map_err(|error| error.to_string())?;
            tokio::time::timeout(
                TIMEOUT,
                redis::cmd("PING").query_async::<String>(&mut connection),
            )
            .await
            .map_err(|_| "redis did not answer in time".to_owned())?
            .map(drop)
            .map_err(|error| error.to_string())
        }
        .await;
        Some(result)
    }
}
