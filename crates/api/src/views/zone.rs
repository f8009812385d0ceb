//! How a shipping zone reads in answers (the vendor's zones and a storefront's links).

use serde::{Deserialize, Serialize};
use trove_data_access::shipping_zones::Zone;
use trove_domain::shipping::PostcodeRule;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Rate {
    /// Minor units (cents), 0 to `Money::MAX_MINOR`.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub minor: i64,
    /// ISO 4217, e.g. `AUD`.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneView {
    pub id: Uuid,
    pub name: String,
    pub countries: Vec<String>,
    pub states: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub postcodes: Vec<PostcodeRule>,
    pub rate: Rate,
}

impl From<Zone> for ZoneView {
    fn from(zone: Zone) -> Self {
        Self {
            id: zone.id,
            name: zone.name,
            countries: zone.rules.countries,
            states: zone.rules.states,
            postcodes: zone.rules.postcodes,
            rate: Rate {
                minor: zone.rate.minor,
                currency: zone.rate.currency.to_string(),
            },
        }
    }
}
