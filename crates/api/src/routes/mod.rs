//! Every route of the API, one module per resource. `configure` is the only place routes
//! are registered, always through `utoipa_actix_web`, so each one is in the OpenAPI
//! document by construction.

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
pub mod storefront_shipping;
pub mod storefronts;
pub mod stripe_webhook;
pub mod uploads;
pub mod vendors;
pub mod well_known;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::liveness)
        .service(health::detailed_health)
        .service(metrics::render_metrics)
        .service(well_known::published_keys)
        .service(me::get_me)
        .service(me::update_me)
        .service(vendors::create_vendor)
        .service(vendors::get_vendor)
        .service(vendors::update_vendor)
        .service(vendors::get_onboarding)
        .service(feature_flags::list_vendor_flags)
        .service(members::list_members)
        .service(members::invite_member)
        .service(members::accept_invitation)
        .service(members::change_member_role)
        .service(members::remove_member)
        .service(admin::list_vendors)
        .service(admin::list_flags)
        .service(admin::set_rollout)
        .service(admin::set_override)
        .service(admin_jobs::list_dead_jobs)
        .service(admin_jobs::retry_dead_job)
        .service(admin_jobs::redrive_dead_jobs)
        .service(shipping_zones::list_zones)
        .service(shipping_zones::create_zone)
        .service(shipping_zones::resolve_zone)
        .service(shipping_zones::get_zone)
        .service(shipping_zones::replace_zone)
        .service(shipping_zones::delete_zone)
        .service(storefronts::list_storefronts)
        .service(storefronts::create_storefront)
        .service(storefronts::get_storefront)
        .service(storefronts::replace_storefront)
        .service(storefronts::change_storefront_status)
        .service(storefronts::set_storefront_password)
        .service(storefronts::duplicate_storefront)
        .service(storefront_shipping::get_storefront_zones)
        .service(storefront_shipping::set_storefront_zones)
        .service(products::list_products)
        .service(products::create_product)
        .service(products::bulk_product_status)
        .service(products::get_product)
        .service(products::replace_product)
        .service(offerings::get_offering)
        .service(offerings::set_offering)
        .service(public_storefronts::get_public_storefront)
        .service(public_storefronts::get_public_file)
        .service(public_storefronts::get_storefront_by_domain)
        .service(public_storefronts::open_storefront_session)
        .service(checkout::quote_order)
        .service(checkout::place_order)
        .service(card_payments::confirm_card_payment)
        .service(orders::list_orders)
        .service(orders::get_order)
        .service(orders::list_order_events)
        .service(orders::change_order_status)
        .service(orders::set_tracking)
        .service(orders::reissue_gift)
        .service(refunds::create_refund)
        .service(refunds::list_refunds)
        .service(payments::get_payment_account)
        .service(payments::create_payment_account)
        .service(payments::refresh_onboarding_link)
        .service(payments::start_payment_oauth)
        .service(payments::complete_payment_oauth)
        .service(payments::reset_payment_account)
        .service(payouts::list_payouts)
        .service(stripe_webhook::receive_stripe_event)
        .service(gifts::redeem_gift)
        .service(gifts::get_gift)
        .service(gifts::set_gift_cart)
        .service(gifts::confirm_gift_address)
        .service(recipient_lists::get_recipient_template)
        .service(recipient_lists::create_recipient_list)
        .service(recipient_lists::get_recipient_list)
        .service(uploads::create_upload)
        .service(uploads::confirm_upload)
        .service(uploads::get_upload)
        .service(files::put_local_file)
        .service(files::get_local_file);
}
