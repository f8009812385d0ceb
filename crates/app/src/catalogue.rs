//! Catalogue value types shared by the vendor's product editing and the shopper's
//! checkout: a price, and a product's customisation options (stored as JSON on the
//! product and checked against what a shopper fills in).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Price {
    /// Minor units (cents), 0 to `Money::MAX_MINOR`.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub minor: i64,
    /// ISO 4217, e.g. `AUD`.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub currency: String,
}

/// A personalisation the buyer fills in, e.g. an engraving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomisationOption {
    #[schema(min_length = 1, pattern = r"\S")]
    pub label: String,
    /// The longest answer accepted, 1–500 characters.
    #[schema(minimum = 1, maximum = 500)]
    pub max_length: u32,
    #[serde(default)]
    pub required: bool,
}

/// A trimmed name of 1–200 characters (people, vendors, storefronts, products).
pub fn is_name(value: &str) -> bool {
    let length = value.trim().chars().count();
    (1..=200).contains(&length)
}
