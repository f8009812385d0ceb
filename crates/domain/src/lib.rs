//! Trove's domain: identifiers and value types with their rules.
//!
//! Policy: nothing here performs I/O, awaits, or knows about HTTP. A value that can be
//! built from this crate is valid; parsing is the only way in from untrusted input. With
//! the `sea-orm` feature (data-access turns it on) status enums and ids also implement
//! SeaORM's value traits, so stored columns carry these types and an unknown stored value
//! fails the read instead of becoming a default.

/// `Display` and `FromStr` for an enum stored as text: its `as_str` name, and back from
/// that name through its `ALL` variants (anything else is an `UnknownValue` of `kind`).
macro_rules! stored_as_text {
    ($name:ident, $kind:literal) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::UnknownValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|variant| variant.as_str() == value)
                    .ok_or_else(|| crate::UnknownValue::new($kind, value))
            }
        }
    };
}

pub mod email;
pub mod email_template;
pub mod feature;
pub mod ids;
pub mod job;
pub mod money;
pub mod order;
pub mod payment;
pub mod product;
pub mod recipient_csv;
pub mod shipping;
pub mod shopify;
pub mod storefront;
pub mod upload;
pub mod vendor;

/// A text that names none of an enum's values (a status, a method, a role).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl UnknownValue {
    pub fn new(kind: &'static str, value: &str) -> Self {
        Self {
            kind,
            value: value.to_owned(),
        }
    }
}
