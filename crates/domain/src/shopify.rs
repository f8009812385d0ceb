//! A vendor's Shopify shop: its domain (the only form Trove accepts is the shop's own
//! `*.myshopify.com` name, lowercase, so every check and lookup compares like with like)
//! and the state of the connection.

use serde::{Deserialize, Serialize};

/// A shop's permanent domain, e.g. `acme-gifts.myshopify.com`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShopDomain(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a shop domain: expected <name>.myshopify.com, lowercase letters, digits and hyphens"
)]
pub struct NotAShopDomain(pub String);

const SUFFIX: &str = ".myshopify.com";

impl ShopDomain {
    /// `value` when it matches `^[a-z0-9][a-z0-9-]*\.myshopify\.com$`; nothing is
    /// lowercased or trimmed for the caller, so a domain either is one or is refused.
    pub fn parse(value: &str) -> Result<Self, NotAShopDomain> {
        let name = value
            .strip_suffix(SUFFIX)
            .ok_or_else(|| NotAShopDomain(value.to_owned()))?;
        let mut bytes = name.bytes();
        let first_ok = bytes
            .next()
            .is_some_and(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit());
        let rest_ok =
            bytes.all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if first_ok && rest_ok && value.len() <= 255 {
            Ok(Self(value.to_owned()))
        } else {
            Err(NotAShopDomain(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ShopDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ShopDomain {
    type Error = NotAShopDomain;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ShopDomain> for String {
    fn from(shop: ShopDomain) -> Self {
        shop.0
    }
}

/// Where a vendor's Shopify connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Installed, with a working token.
    Connected,
    /// The shop uninstalled the app (`app/uninstalled`): no token, nothing synced or pushed.
    Uninstalled,
    /// Shopify refused the token (revoked or expired beyond refresh): install again.
    NeedsReconnect,
}

impl ConnectionStatus {
    pub const ALL: [Self; 3] = [Self::Connected, Self::Uninstalled, Self::NeedsReconnect];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Uninstalled => "uninstalled",
            Self::NeedsReconnect => "needs_reconnect",
        }
    }
}

stored_as_text!(ConnectionStatus, "Shopify connection status");

/// Where a catalogue sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Asked for; its job has not started.
    Queued,
    Running,
    Succeeded,
    /// Stopped for good (the token refused, or Shopify refused the query); `error` says why.
    Failed,
}

impl SyncStatus {
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Succeeded, Self::Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

stored_as_text!(SyncStatus, "Shopify sync status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_myshopify_domains_are_shops() {
        for good in [
            "acme.myshopify.com",
            "a-1.myshopify.com",
            "9lives.myshopify.com",
        ] {
            assert_eq!(ShopDomain::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "Acme.myshopify.com",
            "-acme.myshopify.com",
            ".myshopify.com",
            "acme.myshopify.com.evil.com",
            "evil.com/acme.myshopify.com",
            "acme.example.com",
            "ac_me.myshopify.com",
            "acme.myshopify.com ",
            "sub.acme.myshopify.com",
        ] {
            assert!(ShopDomain::parse(bad).is_err(), "{bad}");
        }
    }
}
