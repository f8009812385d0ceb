//! Catalogue products: whether a product is on sale, and where it came from.

use serde::{Deserialize, Serialize};

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

stored_as_text!(ProductStatus, "product status");

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

stored_as_text!(ProductSource, "product source");

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
