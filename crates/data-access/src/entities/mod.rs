//! SeaORM entities, one module per table. Only tables that code reads or writes have an
//! entity; the schema itself lives in the `migration` crate.

pub mod consumed_token;
pub mod feature_flag_override;
pub mod feature_flag_rollout;
pub mod job;
pub mod processed_job;
pub mod product;
pub mod product_variant;
pub mod shipping_zone;
pub mod storefront;
pub mod storefront_product;
pub mod storefront_shipping_zone;
pub mod upload;
pub mod user;
pub mod vendor;
pub mod vendor_invitation;
pub mod vendor_membership;
