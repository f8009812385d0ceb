//! The Admin GraphQL API of one shop, as one token sees it.
//!
//! Policy on Shopify's cost-based throttle: every answer's `extensions.cost.throttleStatus`
//! says how many points are left and how fast they come back. A query answered `THROTTLED`
//! waits exactly until its cost is available again and is asked once more (a few times at
//! most, then `Unavailable` so the job retries later); after any answer that leaves fewer
//! points than the query just cost, the next call waits first. Never hammer.

use super::{ShopifyClient, ShopifyError, status_error};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use trove_domain::shopify::ShopDomain;

/// How many times a throttled query is asked again before giving up for now.
const THROTTLED_ATTEMPTS: usize = 5;
/// The longest one wait for points may be.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// Calls to one shop with one token.
#[derive(Debug)]
pub struct Admin<'a> {
    client: &'a ShopifyClient,
    shop: &'a ShopDomain,
    token: &'a SecretString,
}

/// What a connection shows about its shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopInfo {
    pub name: String,
    /// ISO 4217, e.g. `AUD`.
    pub currency: String,
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
    extensions: Option<Extensions>,
}

#[derive(Debug, Deserialize)]
struct GraphqlError {
    message: String,
    extensions: Option<ErrorExtensions>,
}

#[derive(Debug, Deserialize)]
struct ErrorExtensions {
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Extensions {
    cost: Option<Cost>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: Option<f64>,
    actual_query_cost: Option<f64>,
    throttle_status: Option<ThrottleStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThrottleStatus {
    currently_available: f64,
    restore_rate: f64,
}

impl Cost {
    /// How long until `needed` points are available, if they are not now.
    fn wait_for(&self, needed: f64) -> Option<Duration> {
        let status = self.throttle_status.as_ref()?;
        if status.currently_available >= needed || status.restore_rate <= 0.0 {
            return None;
        }
        let seconds = (needed - status.currently_available) / status.restore_rate;
        Some(Duration::from_secs_f64(seconds.max(0.0)).min(LONGEST_WAIT))
    }
}

impl ShopifyClient {
    pub fn admin<'a>(&'a self, shop: &'a ShopDomain, token: &'a SecretString) -> Admin<'a> {
        Admin {
            client: self,
            shop,
            token,
        }
    }
}

impl Admin<'_> {
    /// Runs `query` with `variables` and returns its `data`, waiting out the throttle.
    pub async fn query(&self, query: &str, variables: Value) -> Result<Value, ShopifyError> {
        let url = format!(
            "{}/admin/api/{}/graphql.json",
            self.client.base(self.shop),
            self.client.settings.api_version
        );
        let body = json!({ "query": query, "variables": variables });
        for _ in 0..THROTTLED_ATTEMPTS {
            let response = self
                .client
                .http
                .post(&url)
                .header("X-Shopify-Access-Token", self.token.expose_secret())
                .json(&body)
                .send()
                .await
                .map_err(|error| ShopifyError::unavailable(error.without_url().to_string()))?;
            if let Some(error) = status_error(&response) {
                return Err(error);
            }
            let answer: Answer = response.json().await.map_err(|error| {
                ShopifyError::Protocol(format!("GraphQL answer: {}", error.without_url()))
            })?;
            let cost = answer.extensions.and_then(|extensions| extensions.cost);
            let throttled = answer.errors.iter().any(|error| {
                error
                    .extensions
                    .as_ref()
                    .and_then(|extensions| extensions.code.as_deref())
                    == Some("THROTTLED")
            });
            if throttled {
                let wait = cost
                    .as_ref()
                    .and_then(|cost| cost.wait_for(cost.requested_query_cost.unwrap_or(1.0)))
                    .unwrap_or(Duration::from_secs(1));
                tracing::info!(shop = %self.shop, wait_ms = wait.as_millis() as u64, "Shopify throttled a query; waiting for points");
                tokio::time::sleep(wait).await;
                continue;
            }
            if !answer.errors.is_empty() {
                let message = answer
                    .errors
                    .iter()
                    .map(|error| error.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(ShopifyError::Refused {
                    status: 200,
                    message,
                });
            }
            if let Some(wait) = cost.as_ref().and_then(|cost| {
                cost.wait_for(
                    cost.actual_query_cost
                        .or(cost.requested_query_cost)
                        .unwrap_or(0.0),
                )
            }) {
                tokio::time::sleep(wait).await;
            }
            return answer
                .data
                .ok_or_else(|| ShopifyError::Protocol("a GraphQL answer without data".into()));
        }
        Err(ShopifyError::unavailable(format!(
            "still throttled after {THROTTLED_ATTEMPTS} attempts"
        )))
    }

    /// The shop's name and currency.
    pub async fn shop(&self) -> Result<ShopInfo, ShopifyError> {
        let data = self
            .query("query { shop { name currencyCode } }", json!({}))
            .await?;
        let shop = &data["shop"];
        match (shop["name"].as_str(), shop["currencyCode"].as_str()) {
            (Some(name), Some(currency)) => Ok(ShopInfo {
                name: name.to_owned(),
                currency: currency.to_owned(),
            }),
            _ => Err(ShopifyError::Protocol(format!(
                "the shop query answered {shop}"
            ))),
        }
    }

    /// Subscribes `uri` to each of `topics` (GraphQL enum names, e.g. `PRODUCTS_UPDATE`);
    /// a topic already subscribed to that address counts as done.
    pub async fn subscribe(&self, topics: &[&str], uri: &str) -> Result<(), ShopifyError> {
        const CREATE: &str = "mutation Subscribe($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) { webhookSubscription { id } userErrors { field message } } }";
        for topic in topics {
            let data = self
                .query(
                    CREATE,
                    json!({
                        "topic": topic,
                        "subscription": { "uri": uri, "format": "JSON" },
                    }),
                )
                .await?;
            let errors = user_errors(&data["webhookSubscriptionCreate"]);
            if errors
                .iter()
                .any(|message| !message.contains("already been taken"))
            {
                return Err(ShopifyError::Refused {
                    status: 200,
                    message: format!("subscribing to {topic}: {}", errors.join("; ")),
                });
            }
        }
        Ok(())
    }
}

/// The `userErrors[].message` of a mutation payload.
pub fn user_errors(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| error["message"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
