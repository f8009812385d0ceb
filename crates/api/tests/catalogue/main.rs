//! Products, what storefronts offer, and the public storefront read as the Customer
//! Frontend sees it — including its constant number of queries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod queries;
#[path = "../support/mod.rs"]
mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;

fn product(title: &str, sku: &str, price: i64) -> Value {
    json!({
        "title": title,
        "status": "active",
        "attributes": {"colour": "red"},
        "customisation_options": [{"label": "Engraving", "max_length": 20}],
        "variants": [{"sku": sku, "price": {"minor": price, "currency": "AUD"}, "stock": 5}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_are_listed_filtered_sorted_and_changed_in_bulk() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let base = format!("/api/v1/vendors/{vendor}/products");
    let mut ids = Vec::new();
    for (title, sku) in [
        ("Wine box", "WINE-1"),
        ("Candle", "CNDL-1"),
        ("Hamper", "HAMP-1"),
    ] {
        let created = app
            .call(Method::POST, &base, &ann, Some(product(title, sku, 5000)))
            .await;
        assert_eq!(created.status(), 201);
        ids.push(json_of(created).await["id"].as_str().unwrap().to_owned());
    }
    error_body(
        app.call(
            Method::POST,
            &base,
            &ann,
            Some(product("Copy", "WINE-1", 1)),
        )
        .await,
        409,
        "conflict",
    )
    .await;

    let by_sku = json_of(app.get_as(&format!("{base}?q=cndl"), &ann).await).await;
    assert_eq!(
        (
            by_sku["total"].as_u64(),
            by_sku["items"][0]["title"].as_str()
        ),
        (Some(1), Some("Candle"))
    );
    let sorted = json_of(
        app.get_as(&format!("{base}?sort=title&per_page=2"), &ann)
            .await,
    )
    .await;
    let titles: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        (titles, sorted["total"].as_u64()),
        (vec!["Candle", "Hamper"], Some(3))
    );
    error_body(
        app.get_as(&format!("{base}?sort=price"), &ann).await,
        422,
        "validation_failed",
    )
    .await;

    let archived = app
        .call(
            Method::POST,
            &format!("{base}/status"),
            &ann,
            Some(json!({"product_ids": [ids[0], ids[1]], "status": "archived"})),
        )
        .await;
    assert_eq!(json_of(archived).await["updated"], 2);
    let active = json_of(app.get_as(&format!("{base}?status=active"), &ann).await).await;
    assert_eq!(active["total"], 1);

    let mut changed = product("Hamper deluxe", "HAMP-1", 9900);
    changed["variants"]
        .as_array_mut()
        .unwrap()
        .push(json!({"sku": "HAMP-2", "price": {"minor": 12900, "currency": "AUD"}}));
    let replaced = json_of(
        app.call(
            Method::PUT,
            &format!("{base}/{}", ids[2]),
            &ann,
            Some(changed),
        )
        .await,
    )
    .await;
    assert_eq!(replaced["variants"].as_array().unwrap().len(), 2);
    assert_eq!(replaced["variants"][0]["price"]["minor"], 9900);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_products_name_every_field_and_another_vendors_products_stay_out_of_reach() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let ann_vendor = app.create_vendor(&ann, "Ann's").await;
    let bob_vendor = app.create_vendor(&bob, "Bob's").await;
    let bad = json!({
        "title": "",
        "status": "sold",
        "variants": [
            {"sku": "A", "price": {"minor": -5, "currency": "AUD"}},
            {"sku": "A", "price": {"minor": 5, "currency": "dollars"}}
        ]
    });
    let refused = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{ann_vendor}/products"),
            &ann,
            Some(bad),
        )
        .await;
    let body = error_body(refused, 422, "validation_failed").await;
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "title",
            "status",
            "variants[0].price.minor",
            "variants[1].sku",
            "variants[1].price.currency"
        ]
    );

    let bob_base = format!("/api/v1/vendors/{bob_vendor}/products");
    let bobs = json_of(
        app.call(
            Method::POST,
            &bob_base,
            &bob,
            Some(product("Bob's box", "WINE-1", 100)),
        )
        .await,
    )
    .await;
    let id = bobs["id"].as_str().unwrap();
    assert_eq!(
        app.call(
            Method::POST,
            &format!("/api/v1/vendors/{ann_vendor}/products"),
            &ann,
            Some(product("Ann's box", "WINE-1", 100))
        )
        .await
        .status(),
        201,
        "SKUs are unique per vendor, not globally"
    );
    for (method, path, body) in [
        (Method::GET, format!("{bob_base}/{id}"), None),
        (
            Method::GET,
            format!("/api/v1/vendors/{ann_vendor}/products/{id}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/vendors/{ann_vendor}/products/{id}"),
            Some(product("Stolen", "X-1", 1)),
        ),
    ] {
        error_body(app.call(method, &path, &ann, body).await, 404, "not_found").await;
    }
    let bulk = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{ann_vendor}/products/status"),
            &ann,
            Some(json!({"product_ids": [id], "status": "archived"})),
        )
        .await;
    assert_eq!(json_of(bulk).await["updated"], 0);
    let unchanged = json_of(app.get_as(&format!("{bob_base}/{id}"), &bob).await).await;
    assert_eq!(
        (unchanged["title"].as_str(), unchanged["status"].as_str()),
        (Some("Bob's box"), Some("active"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_storefront_shows_active_offerings_with_etags() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let bob_vendor = app.create_vendor(&bob, "Bob's").await;
    let products = format!("/api/v1/vendors/{vendor}/products");
    let wine = json_of(
        app.call(
            Method::POST,
            &products,
            &ann,
            Some(product("Wine box", "WINE-1", 5000)),
        )
        .await,
    )
    .await;
    let mut draft = product("Secret", "SEC-1", 100);
    draft["status"] = json!("draft");
    let secret = json_of(app.call(Method::POST, &products, &ann, Some(draft)).await).await;
    let bobs = json_of(
        app.call(
            Method::POST,
            &format!("/api/v1/vendors/{bob_vendor}/products"),
            &bob,
            Some(product("Bob's", "B-1", 1)),
        )
        .await,
    )
    .await;

    let shop = json_of(
        app.call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/storefronts"),
            &ann,
            Some(json!({"slug": "acme-xmas", "name": "Xmas", "delivery_methods": ["email_link"], "fee_transfer_mode": "full"})),
        )
        .await,
    )
    .await;
    let shop_base = format!(
        "/api/v1/vendors/{vendor}/storefronts/{}",
        shop["id"].as_str().unwrap()
    );
    let foreign = app
        .call(
            Method::PUT,
            &format!("{shop_base}/products"),
            &ann,
            Some(json!({"items": [{"product_id": bobs["id"]}]})),
        )
        .await;
    error_body(foreign, 404, "not_found").await;
    let offered = app
        .call(
            Method::PUT,
            &format!("{shop_base}/products"),
            &ann,
            Some(json!({"items": [{"product_id": wine["id"], "price_override_minor": 4500}, {"product_id": secret["id"]}]})),
        )
        .await;
    assert_eq!(json_of(offered).await.as_array().unwrap().len(), 2);

    error_body(
        app.get("/api/v1/public/storefronts/acme-xmas").await,
        404,
        "not_found",
    )
    .await;
    app.call(
        Method::POST,
        &format!("{shop_base}/status"),
        &admin,
        Some(json!({"status": "active"})),
    )
    .await;

    let public = app.get("/api/v1/public/storefronts/acme-xmas").await;
    assert_eq!(public.status(), 200);
    let etag = public.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        public.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let body = json_of(public).await;
    let titles: Vec<&str> = body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Wine box"], "draft products are not shown");
    assert_eq!(
        body["products"][0]["variants"][0]["price_minor"], 4500,
        "the storefront's price"
    );
    assert!(
        body["products"][0]["variants"][0]["stock"].is_null(),
        "stock hidden unless shown"
    );

    let revalidated = app
        .client
        .get(app.url("/api/v1/public/storefronts/acme-xmas"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    app.call(
        Method::PUT,
        &format!("{shop_base}/products"),
        &ann,
        Some(json!({"items": [{"product_id": wine["id"], "price_override_minor": 4000}]})),
    )
    .await;
    let changed = app
        .client
        .get(app.url("/api/v1/public/storefronts/acme-xmas"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "a changed storefront has a new ETag");
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}
