//! Money as integer minor units (cents) of one ISO 4217 currency. No floats anywhere.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A three-letter ISO 4217 code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a three-letter currency code")]
pub struct InvalidCurrency(pub String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, InvalidCurrency> {
        let upper = raw.trim().to_ascii_uppercase();
        match upper.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|byte| byte.is_ascii_uppercase()) => {
                Ok(Self([*a, *b, *c]))
            }
            _ => Err(InvalidCurrency(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        // `parse` admits only ASCII letters, so this is always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidCurrency;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// The largest amount a client may state for one price, rate or budget (100 million
    /// in major units): far above any gift, and far enough below `i64::MAX` that totals of
    /// many lines and recipients stay exact.
    pub const MAX_MINOR: i64 = 10_000_000_000;

    /// Whether `minor` is an amount a client may state (0 to `MAX_MINOR`).
    pub fn is_stated_amount(minor: i64) -> bool {
        (0..=Self::MAX_MINOR).contains(&minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_three_letters_upper_cased() {
        assert_eq!(
            Currency::parse(" aud ").map(|c| c.to_string()),
            Ok("AUD".into())
        );
        for bad in ["", "AU", "AUDD", "A1D", "€"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }
}
