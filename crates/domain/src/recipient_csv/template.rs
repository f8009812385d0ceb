//! Recipient CSV templates: the columns of each address format and an example file.

use std::fmt;
use std::str::FromStr;

/// An address format and the columns that carry it. Stored as its country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
pub enum Template {
    Au,
    Nz,
    Us,
    Sg,
    Gb,
}

const RECIPIENT_COLUMNS: [&str; 5] = [
    "name",
    "email",
    "delivery_method",
    "delivery_note",
    "send_on",
];

/// Where each address part comes from in one template.
pub(super) struct AddressColumns {
    pub(super) line1: &'static str,
    pub(super) line2: &'static str,
    pub(super) locality: Option<&'static str>,
    /// A column folded into line 2 (NZ suburbs).
    pub(super) suburb: Option<&'static str>,
    pub(super) region: Option<&'static str>,
    pub(super) postcode: &'static str,
    /// The locality when the template has no column for it (Singapore).
    pub(super) fixed_locality: Option<&'static str>,
}

impl Template {
    pub const ALL: [Self; 5] = [Self::Au, Self::Nz, Self::Us, Self::Sg, Self::Gb];

    /// Reads a country code as a person writes it (any case; `UK` for GB). Stored codes
    /// are read strictly, through `FromStr`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.to_ascii_uppercase().as_str() {
            "AU" => Some(Self::Au),
            "NZ" => Some(Self::Nz),
            "US" => Some(Self::Us),
            "SG" => Some(Self::Sg),
            "GB" | "UK" => Some(Self::Gb),
            _ => None,
        }
    }

    /// The ISO country every row of this template is in.
    pub const fn country(self) -> &'static str {
        match self {
            Self::Au => "AU",
            Self::Nz => "NZ",
            Self::Us => "US",
            Self::Sg => "SG",
            Self::Gb => "GB",
        }
    }

    pub(super) const fn address(self) -> AddressColumns {
        let (locality, suburb, region, postcode, fixed_locality) = match self {
            Self::Au => (Some("suburb"), None, Some("state"), "postcode", None),
            Self::Nz => (Some("city"), Some("suburb"), None, "postcode", None),
            Self::Us => (Some("city"), None, Some("state"), "zip", None),
            Self::Sg => (None, None, None, "postal_code", Some("Singapore")),
            Self::Gb => (Some("town"), None, Some("county"), "postcode", None),
        };
        AddressColumns {
            line1: "address_line1",
            line2: "address_line2",
            locality,
            suburb,
            region,
            postcode,
            fixed_locality,
        }
    }

    /// Every column of the template, in order.
    pub fn columns(self) -> Vec<&'static str> {
        let address = self.address();
        let mut columns = RECIPIENT_COLUMNS.to_vec();
        columns.push(address.line1);
        columns.push(address.line2);
        columns.extend(address.suburb);
        columns.extend(address.locality);
        columns.extend(address.region);
        columns.push(address.postcode);
        columns
    }

    /// The columns a file must have (the rest may be left out).
    pub fn required_columns(self) -> Vec<&'static str> {
        vec!["name", "email", "delivery_method"]
    }

    /// The template as a CSV: header and one example row.
    pub fn example(self) -> String {
        let example = |column: &str| match column {
            "name" => "Alex Example",
            "email" => "alex@example.com",
            "delivery_method" => "email_link",
            "delivery_note" => "Leave at reception",
            "send_on" => "2026-12-01",
            "address_line1" => "1 Example Street",
            "state" => match self {
                Self::Us => "NY",
                _ => "NSW",
            },
            "suburb" => match self {
                Self::Nz => "Ponsonby",
                _ => "Sydney",
            },
            "city" => match self {
                Self::Us => "New York",
                _ => "Auckland",
            },
            "town" => "London",
            "county" => "Greater London",
            "postcode" => match self {
                Self::Gb => "SW1A 1AA",
                Self::Nz => "1011",
                _ => "2000",
            },
            "zip" => "10001",
            "postal_code" => "018956",
            _ => "",
        };
        let columns = self.columns();
        let row: Vec<&str> = columns.iter().map(|column| example(column)).collect();
        format!("{}\r\n{}\r\n", columns.join(","), row.join(","))
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.country())
    }
}

impl FromStr for Template {
    type Err = crate::UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|template| template.country() == value)
            .ok_or_else(|| crate::UnknownValue::new("recipient template", value))
    }
}
