//! Catalogue products: whether a product is on sale, and where it came from.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Whether a product can be sold. Only `active` products show on storefronts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub const ALL: [Self; 3] = [Self::Draft, Self::Active, Self::Archived];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }
}

impl fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProductStatus {
    type Err = crate::UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| crate::UnknownValue::new("product status", value))
    }
}

/// Where a product was created: by hand in the Admin Portal, or imported from Shopify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum ProductSource {
    Manual,
    Shopify,
}

impl ProductSource {
    pub const ALL: [Self; 2] = [Self::Manual, Self::Shopify];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Shopify => "shopify",
        }
    }
}

impl fmt::Display for ProductSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProductSource {
    type Err = crate::UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|source| source.as_str() == value)
            .ok_or_else(|| crate::UnknownValue::new("product source", value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for status in ProductStatus::ALL {
            assert_eq!(status.as_str().parse::<ProductStatus>(), Ok(status));
        }
        for source in ProductSource::ALL {
            assert_eq!(source.as_str().parse::<ProductSource>(), Ok(source));
        }
        assert!("deleted".parse::<ProductStatus>().is_err());
    }
}
