//! Posting to a vendor's Slack incoming webhook.
//!
//! Slack answers 200 on success, 429 with `Retry-After` when rate limited, 5xx when it is
//! in trouble (both transient), and 4xx such as `invalid_token` or `no_service` when the
//! webhook is gone (permanent).

use reqwest::StatusCode;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackError {
    #[error("{reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    #[error("{0}")]
    Permanent(String),
}

/// The HTTP client could not be built (TLS setup).
pub type ClientError = reqwest::Error;

#[derive(Debug, Clone)]
pub struct SlackClient {
    http: reqwest::Client,
}

impl SlackClient {
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder().timeout(timeout).build()?,
        })
    }

    pub async fn post(&self, webhook_url: &str, text: &str) -> Result<(), SlackError> {
        let response = self
            .http
            .post(webhook_url)
            .json(&serde_json::json!({ "text": text }))
            .send()
            .await
            .map_err(|error| SlackError::Transient {
                reason: format!("Slack unreachable: {error}"),
                retry_after: None,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.text().await.unwrap_or_default();
        let reason = format!("Slack answered {}: {}", status.as_u16(), body.trim());
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Err(SlackError::Transient {
                reason,
                retry_after,
            })
        } else {
            Err(SlackError::Permanent(reason))
        }
    }
}
