//! Shopify: the app's OAuth (authorize URL, code exchange, refresh of expiring offline
//! tokens, revocation), its signatures ([`signatures`]), and the Admin GraphQL API at the
//! pinned `api_version` ([`admin`]).
//!
//! Every call goes to `shop_base_url` with `{shop}` replaced by the shop's domain, so a
//! stand-in can take the place of every shop. Errors say what to do next: `Unavailable`
//! (network, 5xx, 429, a throttled query) is worth a retry later; `Unauthorized` means the
//! token is gone and the vendor must install again; `Refused` carries Shopify's own words
//! about bad input and will fail the same way again.

pub mod admin;
pub mod catalogue;
pub mod signatures;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use trove_bootstrap::settings::ShopifySettings;
use trove_domain::shopify::ShopDomain;

/// Where Shopify sends the vendor back after the install screen.
pub const CALLBACK_PATH: &str = "/api/v1/integrations/shopify/callback";
/// Where Shopify delivers webhooks.
pub const WEBHOOK_PATH: &str = "/api/v1/webhooks/shopify";

#[derive(Debug, thiserror::Error)]
pub enum ShopifyError {
    #[error("Shopify is unavailable: {message}")]
    Unavailable {
        message: String,
        /// How long Shopify asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    #[error("Shopify refused the token: {0}")]
    Unauthorized(String),
    #[error("Shopify refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("Shopify answered something unexpected: {0}")]
    Protocol(String),
}

impl ShopifyError {
    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable {
            message: message.into(),
            retry_after: None,
        }
    }
}

/// What the token endpoint gives: an offline token, expiring (with a refresh token) when
/// the app asked for it and the shop supports it, or non-expiring.
#[derive(Debug)]
pub struct TokenSet {
    pub access_token: SecretString,
    pub scopes: String,
    pub expires_in: Option<Duration>,
    pub refresh_token: Option<SecretString>,
    pub refresh_token_expires_in: Option<Duration>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    scope: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    refresh_token_expires_in: Option<u64>,
}

impl From<TokenAnswer> for TokenSet {
    fn from(answer: TokenAnswer) -> Self {
        Self {
            access_token: SecretString::from(answer.access_token),
            scopes: answer.scope,
            expires_in: answer.expires_in.map(Duration::from_secs),
            refresh_token: answer.refresh_token.map(SecretString::from),
            refresh_token_expires_in: answer.refresh_token_expires_in.map(Duration::from_secs),
        }
    }
}

/// The app's credentials and an HTTP client; one per process.
#[derive(Clone)]
pub struct ShopifyClient {
    http: reqwest::Client,
    api_key: String,
    api_secret: SecretString,
    settings: ShopifySettings,
}

impl std::fmt::Debug for ShopifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyClient")
            .field("api_key", &self.api_key)
            .field("api_version", &self.settings.api_version)
            .finish_non_exhaustive()
    }
}

impl ShopifyClient {
    /// The client `settings` describe, or `None` when no app credentials are configured.
    pub fn from_settings(settings: &ShopifySettings) -> Result<Option<Self>, ShopifyError> {
        let (Some(api_key), Some(api_secret)) = (&settings.api_key, &settings.api_secret) else {
            return Ok(None);
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_seconds))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| ShopifyError::Protocol(error.to_string()))?;
        Ok(Some(Self {
            http,
            api_key: api_key.clone(),
            api_secret: api_secret.clone(),
            settings: settings.clone(),
        }))
    }

    pub fn settings(&self) -> &ShopifySettings {
        &self.settings
    }

    /// The secret both signatures are made with.
    pub fn api_secret(&self) -> &str {
        self.api_secret.expose_secret()
    }

    fn base(&self, shop: &ShopDomain) -> String {
        self.settings.shop_base(shop.as_str())
    }

    /// The install screen the vendor is sent to: the app's scopes, offline access (the
    /// default), our callback, and `state`.
    pub fn authorize_url(&self, shop: &ShopDomain, state: &str) -> String {
        let redirect = format!(
            "{}{CALLBACK_PATH}",
            self.settings.app_url.trim_end_matches('/')
        );
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.api_key)
            .append_pair("scope", &self.settings.scopes)
            .append_pair("redirect_uri", &redirect)
            .append_pair("state", state)
            .finish();
        format!("{}/admin/oauth/authorize?{query}", self.base(shop))
    }

    /// Trades the callback's `code` for an offline token, asking for an expiring one.
    pub async fn exchange_code(
        &self,
        shop: &ShopDomain,
        code: &str,
    ) -> Result<TokenSet, ShopifyError> {
        self.token_request(
            shop,
            json!({
                "client_id": self.api_key,
                "client_secret": self.api_secret.expose_secret(),
                "code": code,
                "expiring": 1,
            }),
        )
        .await
    }

    /// A new access token (and the next refresh token) for an expiring one.
    pub async fn refresh(
        &self,
        shop: &ShopDomain,
        refresh_token: &SecretString,
    ) -> Result<TokenSet, ShopifyError> {
        self.token_request(
            shop,
            json!({
                "client_id": self.api_key,
                "client_secret": self.api_secret.expose_secret(),
                "grant_type": "refresh_token",
                "refresh_token": refresh_token.expose_secret(),
            }),
        )
        .await
    }

    async fn token_request(
        &self,
        shop: &ShopDomain,
        body: serde_json::Value,
    ) -> Result<TokenSet, ShopifyError> {
        let response = self
            .http
            .post(format!("{}/admin/oauth/access_token", self.base(shop)))
            .json(&body)
            .send()
            .await
            .map_err(|error| ShopifyError::unavailable(error.without_url().to_string()))?;
        let status = response.status();
        if let Some(error) = status_error(&response) {
            let message = response.text().await.unwrap_or_default();
            return Err(match error {
                ShopifyError::Refused { status, .. } => ShopifyError::Refused {
                    status,
                    message: oauth_error_message(&message),
                },
                other => other,
            });
        }
        let answer: TokenAnswer = response.json().await.map_err(|error| {
            ShopifyError::Protocol(format!("token answer ({status}): {}", error.without_url()))
        })?;
        Ok(answer.into())
    }

    /// Revokes the app's access to the shop (the same as the merchant uninstalling it). A
    /// token Shopify no longer knows counts as revoked.
    pub async fn revoke(
        &self,
        shop: &ShopDomain,
        access_token: &SecretString,
    ) -> Result<(), ShopifyError> {
        let response = self
            .http
            .delete(format!(
                "{}/admin/api_permissions/current.json",
                self.base(shop)
            ))
            .header("X-Shopify-Access-Token", access_token.expose_secret())
            .send()
            .await
            .map_err(|error| ShopifyError::unavailable(error.without_url().to_string()))?;
        match status_error(&response) {
            None | Some(ShopifyError::Unauthorized(_)) => Ok(()),
            Some(error) => Err(error),
        }
    }
}

/// The error a non-2xx answer means, judged by its status and `Retry-After`.
pub(crate) fn status_error(response: &reqwest::Response) -> Option<ShopifyError> {
    let status = response.status();
    if status.is_success() {
        return None;
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(Duration::from_secs_f64);
    Some(match status.as_u16() {
        401 | 403 => ShopifyError::Unauthorized(format!("HTTP {status}")),
        429 | 500..=599 => ShopifyError::Unavailable {
            message: format!("HTTP {status}"),
            retry_after,
        },
        code => ShopifyError::Refused {
            status: code,
            message: format!("HTTP {status}"),
        },
    })
}

/// `error_description`, else `error`, of an OAuth error body, else the body itself (cut).
fn oauth_error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    parsed
        .as_ref()
        .and_then(|value| {
            value
                .get("error_description")
                .or_else(|| value.get("error"))
                .or_else(|| value.get("errors"))
        })
        .map(|value| {
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned)
        })
        .unwrap_or_else(|| body.chars().take(300).collect())
}
