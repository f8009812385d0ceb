//! Settings of the vendor-facing integrations (Shopify) and of the key that protects
//! their credentials at rest.

use secrecy::SecretString;
use serde::Deserialize;

/// What wraps the data keys that encrypt stored third-party credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretsBackend {
    /// A key file kept next to the database (created 0600 on first start). Embedded only.
    #[default]
    Local,
    /// AWS KMS: `GenerateDataKey` per secret, `Decrypt` to read it back.
    Kms,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSettings {
    pub backend: SecretsBackend,
    /// The KMS key data keys come from (id, ARN or alias); required with `backend = kms`.
    pub kms_key_id: Option<String>,
    /// The local backend's key file (32 random bytes, base64).
    pub local_key_file: String,
}

impl Default for SecretsSettings {
    fn default() -> Self {
        Self {
            backend: SecretsBackend::Local,
            kms_key_id: None,
            local_key_file: "data/secrets-key.b64".into(),
        }
    }
}

/// The Shopify app vendors install. Without `api_key` and `api_secret` the Shopify routes
/// answer that Shopify is not configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopifySettings {
    /// The app's client id.
    pub api_key: Option<String>,
    /// The app's client secret: signs the OAuth callback query and every webhook.
    pub api_secret: Option<SecretString>,
    /// The access scopes the app asks for, comma-separated.
    pub scopes: String,
    /// The Admin API version every call names, e.g. `2025-10`.
    pub api_version: String,
    /// This API's public base URL: Shopify sends the OAuth callback to
    /// `{app_url}/api/v1/integrations/shopify/callback` and webhooks to
    /// `{app_url}/api/v1/webhooks/shopify`.
    pub app_url: String,
    /// The base of every call to a shop, `{shop}` replaced by its domain.
    pub shop_base_url: String,
    /// The longest one Shopify request may take.
    pub timeout_seconds: u64,
}

impl Default for ShopifySettings {
    fn default() -> Self {
        Self {
            api_key: None,
            api_secret: None,
            scopes: "read_products,read_inventory,write_orders,read_orders,read_fulfillments"
                .into(),
            api_version: "2025-10".into(),
            app_url: "http://localhost:3000".into(),
            shop_base_url: "https://{shop}".into(),
            timeout_seconds: 20,
        }
    }
}

impl ShopifySettings {
    /// Where calls to `shop` go: `shop_base_url` with `{shop}` replaced, no trailing slash.
    pub fn shop_base(&self, shop: &str) -> String {
        self.shop_base_url
            .replace("{shop}", shop)
            .trim_end_matches('/')
            .to_owned()
    }
}
