//! The cached public storefront stays correct: every change to what the page shows is
//! served at once, by every API instance on the same database, without any message
//! between them (the storefront's version is read on every request).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use support::shop::shop;
use support::{TestApp, json_of};
use trove_api::auth::TokenType;

const PATH: &str = "/api/v1/public/storefronts/acme-gifts";

/// The price the page shows for the shop's only variant, and the ETag.
async fn read(app: &TestApp) -> (i64, String) {
    let response = app.get(PATH).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    (
        body["products"][0]["variants"][0]["price_minor"]
            .as_i64()
            .unwrap(),
        etag,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instance_serves_a_change_at_once() {
    let first = TestApp::spawn().await;
    let shop = shop(&first).await;
    let url = first.database.url.clone();
    let second = TestApp::spawn_with(|settings| {
        settings.database.url = SecretString::from(url);
    })
    .await;
    let (price, etag) = read(&first).await;
    assert_eq!(price, 4500);
    assert_eq!(read(&second).await, (4500, etag.clone()), "both cache it");

    let base = format!("/api/v1/vendors/{}", shop.vendor);
    let offering = first
        .call(
            Method::PUT,
            &format!("{base}/storefronts/{}/products", shop.storefront),
            &shop.ann,
            Some(json!({"items": [{"product_id": shop.product, "price_override_minor": 3900}]})),
        )
        .await;
    assert_eq!(offering.status(), 200);
    let revalidated = second
        .client
        .get(second.url(PATH))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 200, "the old ETag no longer matches");
    assert_eq!(read(&second).await.0, 3900, "the other instance sees it");
    assert_eq!(read(&first).await.0, 3900);

    let cleared = first
        .call(
            Method::PUT,
            &format!("{base}/storefronts/{}/products", shop.storefront),
            &shop.ann,
            Some(json!({"items": [{"product_id": shop.product}]})),
        )
        .await;
    assert_eq!(cleared.status(), 200);
    assert_eq!(read(&second).await.0, 5000, "the product's own price");
    let product = json_of(
        first
            .call(
                Method::GET,
                &format!("{base}/products/{}", shop.product),
                &shop.ann,
                None,
            )
            .await,
    )
    .await;
    let mut changed = json!({
        "title": product["title"],
        "status": "active",
        "customisation_options": product["customisation_options"],
        "variants": [{"sku": "H-1", "price": {"minor": 5500, "currency": "AUD"}, "stock": 100}]
    });
    let replaced = first
        .call(
            Method::PUT,
            &format!("{base}/products/{}", shop.product),
            &shop.ann,
            Some(changed.clone()),
        )
        .await;
    assert_eq!(replaced.status(), 200);
    assert_eq!(
        read(&second).await.0,
        5500,
        "a product change reaches the page"
    );

    changed["status"] = json!("draft");
    first
        .call(
            Method::PUT,
            &format!("{base}/products/{}", shop.product),
            &shop.ann,
            Some(changed),
        )
        .await;
    let emptied: Value = second.get(PATH).await.json().await.unwrap();
    assert_eq!(
        emptied["products"],
        json!([]),
        "a draft product leaves the page"
    );

    let admin = first.token(TokenType::Admin, "root@trove.example");
    let closed = first
        .call(
            Method::POST,
            &format!("{base}/storefronts/{}/status", shop.storefront),
            &admin,
            Some(json!({"status": "inactive"})),
        )
        .await;
    assert_eq!(closed.status(), 200);
    assert_eq!(second.get(PATH).await.status(), 404);
}
