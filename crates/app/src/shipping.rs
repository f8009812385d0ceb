//! Where an order may ship: the storefront's own shipping zones, else the vendor's, and
//! which of them an address falls in.

use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use trove_data_access::shipping_zones::Zone;
use trove_data_access::storefront_shipping;
use trove_domain::ids::{StorefrontId, VendorId};
use trove_domain::shipping::{self, Address};
use utoipa::ToSchema;

/// A postal address as a shopper or recipient types it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[schema(min_length = 1, pattern = r"\S")]
    pub line1: String,
    pub line2: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub city: String,
    pub state: Option<String>,
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: String,
}

/// The zones a storefront ships with: the ones it links, else all of its vendor's.
pub async fn zones_for(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    storefront: StorefrontId,
) -> Result<Vec<Zone>, DbErr> {
    storefront_shipping::zones_for(db, vendor, storefront.as_uuid()).await
}

/// The zone `address` falls in, or why none does (a sentence for the caller).
pub fn resolve_address<'a>(zones: &'a [Zone], address: &AddressInput) -> Result<&'a Zone, String> {
    let country = address.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("country must be an ISO 3166-1 alpha-2 code".into());
    }
    if address.line1.trim().is_empty() || address.city.trim().is_empty() {
        return Err("needs line1 and city".into());
    }
    let lookup = Address {
        country,
        state: address.state.clone(),
        postcode: address.postcode.clone(),
    };
    shipping::resolve(zones, &lookup, |zone| (zone.name.as_str(), &zone.rules))
        .map_err(|reason| crate::error::capitalise(&reason.to_string()))
}
