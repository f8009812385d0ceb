//! Auth0's signing keys, fetched from its JWKS URL and cached by `kid`.
//!
//! An unknown `kid` refetches the set, at most once per cooldown whatever the number of
//! requests (no stampede under a flood of forged tokens); a refetch replaces the set, so
//! rotated keys start working and removed ones stop. Only RSA keys are taken.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwksError {
    #[error("no key with this kid")]
    UnknownKey,
    #[error("the JWKS could not be fetched: {0}")]
    Unavailable(String),
}

pub struct JwksCache {
    url: String,
    client: reqwest::Client,
    cooldown: Duration,
    keys: RwLock<HashMap<String, DecodingKey>>,
    last_fetch: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    pub fn new(url: String, cooldown: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()?;
        Ok(Self {
            url,
            client,
            cooldown,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
        })
    }

    pub async fn key(&self, kid: &str) -> Result<DecodingKey, JwksError> {
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        // One fetch at a time; whoever waited re-checks before fetching again.
        let mut last_fetch = self.last_fetch.lock().await;
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        if last_fetch.is_some_and(|at| at.elapsed() < self.cooldown) {
            return Err(JwksError::UnknownKey);
        }
        *last_fetch = Some(Instant::now());
        let fetched = self.fetch().await?;
        let found = fetched.get(kid).cloned();
        *self.keys.write().await = fetched;
        found.ok_or(JwksError::UnknownKey)
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, JwksError> {
        let unavailable = |error: reqwest::Error| JwksError::Unavailable(error.to_string());
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        tracing::info!(keys = set.keys.len(), "fetched the Auth0 JWKS");
        Ok(set
            .keys
            .iter()
            .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some((kid, key))
            })
            .collect())
    }
}
