//! Trove's domain: identifiers and value types with their rules.
//!
//! Policy: nothing here performs I/O, awaits, or knows about SeaORM or HTTP. A value that
//! can be built from this crate is valid; parsing is the only way in from untrusted input.

pub mod email;
pub mod feature;
pub mod ids;
pub mod job;
pub mod money;
pub mod order;
pub mod payment;
pub mod recipient_csv;
pub mod shipping;
pub mod storefront;
pub mod upload;
pub mod vendor;
