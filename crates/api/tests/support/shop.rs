//! A shop to check out from: one vendor with an active storefront, a product and zones,
//! and the three-recipient checkout body the order and payment tests place.

use super::{TestApp, json_of};
use reqwest::Method;
use serde_json::{Value, json};
use trove_api::auth::TokenType;

pub struct Shop {
    pub vendor: String,
    pub storefront: String,
    pub product: String,
    pub variant: String,
    /// The vendor's owner's token.
    pub ann: String,
}

/// A vendor with an active storefront (`acme-gifts`, fee mode half, all delivery methods),
/// one engravable product at AUD 50.00 (offered at 45.00) and two zones: Sydney metro
/// (9.90) and the rest of Australia (15.00).
pub async fn shop(app: &TestApp) -> Shop {
    shop_named(app, "acme-gifts", "ann@example.com").await
}

/// Like `shop`, at storefront `slug` of a vendor owned by `owner_email`.
pub async fn shop_named(app: &TestApp, slug: &str, owner_email: &str) -> Shop {
    let ann = app.token(TokenType::Vendor, owner_email);
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let base = format!("/api/v1/vendors/{vendor}");
    for zone in [
        json!({"name": "Sydney metro", "countries": ["AU"], "postcodes": [{"type": "range", "from": 2000, "to": 2234}], "rate": {"minor": 990, "currency": "AUD"}}),
        json!({"name": "Australia", "countries": ["AU"], "rate": {"minor": 1500, "currency": "AUD"}}),
    ] {
        let created = app
            .call(
                Method::POST,
                &format!("{base}/shipping-zones"),
                &ann,
                Some(zone),
            )
            .await;
        assert_eq!(created.status(), 201);
    }
    let product = json_of(
        app.call(
            Method::POST,
            &format!("{base}/products"),
            &ann,
            Some(json!({
                "title": "Hamper", "status": "active",
                "customisation_options": [{"label": "Engraving", "max_length": 20, "required": true}],
                "variants": [{"sku": "H-1", "price": {"minor": 5000, "currency": "AUD"}, "stock": 100}]
            })),
        )
        .await,
    )
    .await;
    let storefront = json_of(
        app.call(
            Method::POST,
            &format!("{base}/storefronts"),
            &ann,
            Some(json!({
                "slug": slug, "name": "Acme Gifts",
                "delivery_methods": ["deliver_direct", "email_link", "create_link"],
                "fee_transfer_mode": "half"
            })),
        )
        .await,
    )
    .await;
    let storefront_id = storefront["id"].as_str().unwrap();
    let offered = app
        .call(
            Method::PUT,
            &format!("{base}/storefronts/{storefront_id}/products"),
            &ann,
            Some(json!({"items": [{"product_id": product["id"], "price_override_minor": 4500}]})),
        )
        .await;
    assert_eq!(offered.status(), 200);
    let activated = app
        .call(
            Method::POST,
            &format!("{base}/storefronts/{storefront_id}/status"),
            &admin,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(activated.status(), 200);
    Shop {
        vendor,
        storefront: storefront_id.to_owned(),
        product: product["id"].as_str().unwrap().to_owned(),
        variant: product["variants"][0]["id"].as_str().unwrap().to_owned(),
        ann,
    }
}

pub fn sydney() -> Value {
    json!({"line1": "1 George St", "city": "Sydney", "state": "NSW", "postcode": "2000", "country": "AU"})
}

pub fn checkout(variant: &str) -> Value {
    json!({
        "customer": {"name": "Carol Buyer", "email": "carol@example.com"},
        "items": [{"variant_id": variant, "quantity": 1, "customisation": {"Engraving": "Cheers"}}],
        "recipients": [
            {"name": "Dan Direct", "email": "dan@example.com", "delivery_method": "deliver_direct", "address": sydney()},
            {"name": "Eve Email", "email": "eve@example.com", "delivery_method": "email_link"},
            {"name": "Finn Link", "email": "finn@example.com", "delivery_method": "create_link",
             "address": {"line1": "5 Main Rd", "city": "Perth", "postcode": "6000", "country": "AU"}}
        ]
    })
}

pub async fn post_order(app: &TestApp, key: Option<&str>, body: &Value) -> reqwest::Response {
    post_order_to(app, "acme-gifts", key, body).await
}

pub async fn post_order_to(
    app: &TestApp,
    slug: &str,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/public/storefronts/{slug}/orders")))
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.unwrap()
}
