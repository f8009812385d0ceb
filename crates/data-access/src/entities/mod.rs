//! SeaORM entities, one module per table. Only tables that code reads or writes have an
//! entity; the schema itself lives in the `migration` crate.

pub mod consumed_token;
pub mod feature_flag_override;
pub mod feature_flag_rollout;
pub mod idempotency_key;
pub mod job;
pub mod order;
pub mod order_event;
pub mod order_line;
pub mod order_recipient;
pub mod order_refund;
pub mod payment_account;
pub mod processed_job;
pub mod product;
pub mod product_variant;
pub mod recipient_list;
pub mod recipient_list_entry;
pub mod recipient_list_error;
pub mod shipping_zone;
pub mod shopify_connection;
pub mod shopify_sync;
pub mod shopify_webhook;
pub mod storefront;
pub mod storefront_product;
pub mod storefront_shipping_zone;
pub mod stripe_event;
pub mod upload;
pub mod user;
pub mod vendor;
pub mod vendor_invitation;
pub mod vendor_membership;
