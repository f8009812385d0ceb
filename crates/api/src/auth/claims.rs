//! What a validated token says about its bearer.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// The explicit type every token carries; a token of one type is refused where another is
/// required (403 `wrong_token_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    Vendor,
    Admin,
    Recipient,
    ShopifyOauth,
    XeroOauth,
    StripeOauth,
    StorefrontSession,
}

impl TokenType {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Vendor => "vendor",
            Self::Admin => "admin",
            Self::Recipient => "recipient",
            Self::ShopifyOauth => "shopify_oauth",
            Self::XeroOauth => "xero_oauth",
            Self::StripeOauth => "stripe_oauth",
            Self::StorefrontSession => "storefront_session",
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Claims of the tokens this API signs itself (recipient, OAuth states, dev tokens).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub typ: TokenType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person of a vendor or of the platform (Vendor or Admin token).
    Staff {
        subject: String,
        email: String,
        admin: bool,
    },
    /// A gift recipient, bound to one recipient record.
    Recipient { recipient_id: String },
    /// One Shopify or Xero connection round trip for one vendor.
    OAuthState {
        provider: TokenType,
        vendor_id: Uuid,
        nonce: String,
        jti: String,
        expires_at: i64,
    },
    /// A shopper who gave a password-protected storefront its password.
    StorefrontSession { storefront_id: Uuid, jti: String },
}

impl Principal {
    pub fn token_type(&self) -> TokenType {
        match self {
            Self::Staff { admin: true, .. } => TokenType::Admin,
            Self::Staff { admin: false, .. } => TokenType::Vendor,
            Self::Recipient { .. } => TokenType::Recipient,
            Self::OAuthState { provider, .. } => *provider,
            Self::StorefrontSession { .. } => TokenType::StorefrontSession,
        }
    }

    /// The key the rate limiter counts this caller under.
    pub fn rate_limit_key(&self) -> String {
        match self {
            Self::Staff { subject, .. } => format!("sub:{subject}"),
            Self::Recipient { recipient_id } => format!("recipient:{recipient_id}"),
            Self::OAuthState { vendor_id, .. } => format!("oauth:{vendor_id}"),
            Self::StorefrontSession { jti, .. } => format!("storefront-session:{jti}"),
        }
    }
}
