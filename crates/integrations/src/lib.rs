//! Trove's clients for outside systems, one module each: a small trait, the real client,
//! and nothing else. Production wiring picks the implementation; tests point the real
//! clients at local stand-ins that speak the real protocol.

pub mod aws;
pub mod mail;
pub mod secrets;
pub mod shopify;
pub mod slack;
pub mod storage;
pub mod stripe;
