//! Trove's persistence: connecting, the schema, SeaORM entities and the repositories that
//! read and write them.
//!
//! Policy: repositories are free functions taking `&impl ConnectionTrait`, so a caller can
//! run several inside one transaction. Timestamps are stored as UTC without a zone
//! (`DATETIME`/`TIMESTAMP`/text), the one form all three backends compare alike. Nothing
//! here knows about HTTP.

pub mod consumed_tokens;
pub mod db;
pub mod entities;
pub mod error;
pub mod flags;
pub mod gifts;
pub mod held;
pub mod idempotency;
pub mod invitations;
pub mod jobs;
pub mod members;
pub mod orders;
pub mod payment_accounts;
pub mod products;
pub mod reachability;
pub mod recipient_lists;
pub mod refunds;
pub mod shipping_zones;
pub mod shopify;
pub mod shopify_syncs;
pub mod storefront_shipping;
pub mod storefronts;
pub mod stripe_events;
#[cfg(feature = "testing")]
pub mod testing;
pub mod uploads;
pub mod users;
pub mod vendors;

pub use db::{begin_write, connect, migrate};
pub use error::is_unavailable;
pub use held::HeldConnection;
