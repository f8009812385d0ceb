//! Every route of the API, one module per resource, listed once in `every_route!`: that
//! list gives `configure`, which registers each route through `utoipa_actix_web` so it is
//! in the OpenAPI document by construction, and `serve`, which registers the same routes
//! on a plain actix `ServiceConfig` for the HTTP workers (the document is built once at
//! startup, not once per worker). The router tries routes in this order, one pattern
//! match each, so the anonymous hot routes (health, the public storefront, checkout) come
//! first; no other route matches their paths, so their place changes nothing else.

pub mod admin;
pub mod admin_jobs;
pub mod card_payments;
pub mod checkout;
pub mod fallback;
pub mod feature_flags;
pub mod files;
pub mod gifts;
pub mod health;
pub mod me;
pub mod members;
pub mod metrics;
pub mod offerings;
pub mod orders;
pub mod payments;
pub mod payouts;
pub mod products;
pub mod public_storefronts;
pub mod recipient_lists;
pub mod refunds;
pub mod shipping_zones;
pub mod shopify;
pub mod storefront_shipping;
pub mod storefronts;
pub mod stripe_webhook;
pub mod uploads;
pub mod vendors;
pub mod well_known;

use utoipa_actix_web::service_config::ServiceConfig;

macro_rules! every_route {
    ($($route:path),* $(,)?) => {
        /// Registers every route with its OpenAPI operation: what the document is built from.
        pub fn configure(config: &mut ServiceConfig) {
            $(config.service($route);)*
        }

        /// Registers every route without collecting operations: what each worker serves.
        pub fn serve(config: &mut actix_web::web::ServiceConfig) {
            $(config.service($route);)*
        }
    };
}

every_route![
    health::liveness,
    health::detailed_health,
    metrics::render_metrics,
    well_known::published_keys,
    public_storefronts::get_public_storefront,
    public_storefronts::get_public_file,
    public_storefronts::get_storefront_by_domain,
    public_storefronts::open_storefront_session,
    checkout::quote_order,
    checkout::place_order,
    me::get_me,
    me::update_me,
    vendors::create_vendor,
    vendors::get_vendor,
    vendors::update_vendor,
    vendors::get_onboarding,
    feature_flags::list_vendor_flags,
    members::list_members,
    members::invite_member,
    members::accept_invitation,
    members::change_member_role,
    members::remove_member,
    admin::list_vendors,
    admin::list_flags,
    admin::set_rollout,
    admin::set_override,
    admin_jobs::list_dead_jobs,
    admin_jobs::retry_dead_job,
    admin_jobs::redrive_dead_jobs,
    shipping_zones::list_zones,
    shipping_zones::create_zone,
    shipping_zones::resolve_zone,
    shipping_zones::get_zone,
    shipping_zones::replace_zone,
    shipping_zones::delete_zone,
    storefronts::list_storefronts,
    storefronts::create_storefront,
    storefronts::get_storefront,
    storefronts::replace_storefront,
    storefronts::change_storefront_status,
    storefronts::set_storefront_password,
    storefronts::duplicate_storefront,
    storefront_shipping::get_storefront_zones,
    storefront_shipping::set_storefront_zones,
    products::list_products,
    products::create_product,
    products::bulk_product_status,
    products::get_product,
    products::replace_product,
    offerings::get_offering,
    offerings::set_offering,
    card_payments::confirm_card_payment,
    orders::list_orders,
    orders::get_order,
    orders::list_order_events,
    orders::change_order_status,
    orders::set_tracking,
    orders::reissue_gift,
    refunds::create_refund,
    refunds::list_refunds,
    payments::get_payment_account,
    payments::create_payment_account,
    payments::refresh_onboarding_link,
    payments::start_payment_oauth,
    payments::complete_payment_oauth,
    payments::reset_payment_account,
    payouts::list_payouts,
    stripe_webhook::receive_stripe_event,
    shopify::start_shopify_install,
    shopify::complete_shopify_install,
    shopify::get_shopify_connection,
    shopify::disconnect_shopify,
    shopify::start_shopify_sync,
    shopify::get_shopify_sync,
    shopify::receive_shopify_webhook,
    gifts::redeem_gift,
    gifts::get_gift,
    gifts::set_gift_cart,
    gifts::confirm_gift_address,
    recipient_lists::get_recipient_template,
    recipient_lists::create_recipient_list,
    recipient_lists::get_recipient_list,
    uploads::create_upload,
    uploads::confirm_upload,
    uploads::get_upload,
    files::put_local_file,
    files::get_local_file,
];
