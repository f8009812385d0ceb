//! Storefronts as vendors and admins meet them: creation under review, the status machine,
//! unique slugs, validation, and tenant isolation (404, unchanged).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;

fn storefront(slug: &str) -> Value {
    json!({
        "slug": slug,
        "name": "Holiday gifts",
        "delivery_methods": ["email_link", "deliver_direct"],
        "fee_transfer_mode": "half",
        "branding": {"primary_colour": "#112233"},
        "content": {"heading": "Give well"}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storefront_starts_under_review_and_only_an_admin_activates_it() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let base = format!("/api/v1/vendors/{vendor}/storefronts");

    let created = app
        .call(Method::POST, &base, &ann, Some(storefront("acme-xmas")))
        .await;
    assert_eq!(created.status(), 201);
    let shop = json_of(created).await;
    assert_eq!(shop["status"], "for_review");
    assert_eq!(shop["gift_notes"], true, "gift notes default on");
    assert_eq!(shop["branding"]["primary_colour"], "#112233");
    let status = format!("{base}/{}/status", shop["id"].as_str().unwrap());

    let by_vendor = app
        .call(
            Method::POST,
            &status,
            &ann,
            Some(json!({"status": "active"})),
        )
        .await;
    error_body(by_vendor, 403, "forbidden").await;
    let by_admin = app
        .call(
            Method::POST,
            &status,
            &admin,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(json_of(by_admin).await["status"], "active");

    let illegal = app
        .call(
            Method::POST,
            &status,
            &ann,
            Some(json!({"status": "for_review"})),
        )
        .await;
    let body = error_body(illegal, 409, "illegal_transition").await;
    assert_eq!(body["details"]["allowed"], json!(["inactive", "trashed"]));
    let off = app
        .call(
            Method::POST,
            &status,
            &ann,
            Some(json!({"status": "inactive"})),
        )
        .await;
    assert_eq!(json_of(off).await["status"], "inactive");
    let again = app
        .call(
            Method::POST,
            &status,
            &ann,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(
        json_of(again).await["status"],
        "active",
        "a vendor reactivates a reviewed storefront"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slugs_are_unique_and_bad_storefronts_are_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let ann_vendor = app.create_vendor(&ann, "Acme").await;
    let bob_vendor = app.create_vendor(&bob, "Bobs").await;
    let created = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{ann_vendor}/storefronts"),
            &ann,
            Some(storefront("gifts")),
        )
        .await;
    assert_eq!(created.status(), 201);
    let taken = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{bob_vendor}/storefronts"),
            &bob,
            Some(storefront("gifts")),
        )
        .await;
    error_body(taken, 409, "conflict").await;

    let bad = json!({
        "slug": "Not A Slug",
        "custom_domain": "nope",
        "name": "",
        "delivery_methods": [],
        "fee_transfer_mode": "none",
        "branding": {"accent_colour": "red"}
    });
    let refused = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{bob_vendor}/storefronts"),
            &bob,
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
            "slug",
            "custom_domain",
            "name",
            "delivery_methods",
            "branding.accent_colour"
        ]
    );
    let unknown_method = json!({"slug": "ok-slug", "name": "A", "delivery_methods": ["pigeon"], "fee_transfer_mode": "none"});
    error_body(
        app.call(
            Method::POST,
            &format!("/api/v1/vendors/{bob_vendor}/storefronts"),
            &bob,
            Some(unknown_method),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let bobs: Value = json_of(
        app.get_as(&format!("/api/v1/vendors/{bob_vendor}/storefronts"), &bob)
            .await,
    )
    .await;
    assert_eq!(bobs["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_vendors_storefronts_are_404_and_stay_unchanged() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let ann_vendor = app.create_vendor(&ann, "Ann's").await;
    let bob_vendor = app.create_vendor(&bob, "Bob's").await;
    let bob_base = format!("/api/v1/vendors/{bob_vendor}/storefronts");
    let shop = json_of(
        app.call(Method::POST, &bob_base, &bob, Some(storefront("bobs-shop")))
            .await,
    )
    .await;
    let id = shop["id"].as_str().unwrap();

    let attempts = [
        (Method::GET, bob_base.clone(), None),
        (Method::POST, bob_base.clone(), Some(storefront("stolen"))),
        (Method::GET, format!("{bob_base}/{id}"), None),
        (
            Method::PUT,
            format!("{bob_base}/{id}"),
            Some(storefront("stolen")),
        ),
        (
            Method::POST,
            format!("{bob_base}/{id}/status"),
            Some(json!({"status": "trashed"})),
        ),
        (
            Method::GET,
            format!("/api/v1/vendors/{ann_vendor}/storefronts/{id}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/vendors/{ann_vendor}/storefronts/{id}"),
            Some(storefront("stolen")),
        ),
        (
            Method::POST,
            format!("/api/v1/vendors/{ann_vendor}/storefronts/{id}/status"),
            Some(json!({"status": "trashed"})),
        ),
        (
            Method::PUT,
            format!("{bob_base}/{id}/password"),
            Some(json!({"password": "let me in please"})),
        ),
        (
            Method::POST,
            format!("{bob_base}/{id}/duplicate"),
            Some(json!({"slug": "stolen-copy"})),
        ),
        (
            Method::POST,
            format!("/api/v1/vendors/{ann_vendor}/storefronts/{id}/duplicate"),
            Some(json!({"slug": "stolen-copy"})),
        ),
        (Method::GET, format!("{bob_base}/{id}/shipping-zones"), None),
        (
            Method::PUT,
            format!("{bob_base}/{id}/shipping-zones"),
            Some(json!({"zone_ids": []})),
        ),
        (
            Method::PUT,
            format!("/api/v1/vendors/{ann_vendor}/storefronts/{id}/shipping-zones"),
            Some(json!({"zone_ids": []})),
        ),
    ];
    for (method, path, body) in attempts {
        error_body(
            app.call(method.clone(), &path, &ann, body).await,
            404,
            "not_found",
        )
        .await;
    }
    let unchanged = json_of(app.get_as(&format!("{bob_base}/{id}"), &bob).await).await;
    assert_eq!(
        (
            unchanged["slug"].as_str(),
            unchanged["status"].as_str(),
            unchanged["password_protected"].as_bool()
        ),
        (Some("bobs-shop"), Some("for_review"), Some(false))
    );
    let bobs_shops = json_of(app.get_as(&bob_base, &bob).await).await;
    assert_eq!(bobs_shops["total"], 1, "no copy was made");
}

/// Creates and activates a storefront of `vendor`; returns its id.
async fn active_storefront(app: &TestApp, token: &str, vendor: &str, body: Value) -> String {
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let base = format!("/api/v1/vendors/{vendor}/storefronts");
    let created = app.call(Method::POST, &base, token, Some(body)).await;
    assert_eq!(created.status(), 201);
    let id = json_of(created).await["id"].as_str().unwrap().to_owned();
    let activated = app
        .call(
            Method::POST,
            &format!("{base}/{id}/status"),
            &admin,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(activated.status(), 200);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_protected_storefront_opens_only_with_a_session() {
    let app =
        TestApp::spawn_with(|settings| settings.rate_limit.password_attempts_per_minute = 4).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let id = active_storefront(&app, &ann, &vendor, storefront("acme-private")).await;
    let other = active_storefront(&app, &ann, &vendor, storefront("acme-other")).await;
    let password_path = format!("/api/v1/vendors/{vendor}/storefronts/{id}/password");
    let sessions = "/api/v1/public/storefronts/acme-private/sessions";

    let open = app.get("/api/v1/public/storefronts/acme-private").await;
    assert_eq!(open.status(), 200);
    error_body(
        app.client
            .post(app.url(sessions))
            .json(&json!({"password": "anything"}))
            .send()
            .await
            .unwrap(),
        409,
        "conflict",
    )
    .await;
    let short = app
        .call(
            Method::PUT,
            &password_path,
            &ann,
            Some(json!({"password": "short"})),
        )
        .await;
    error_body(short, 422, "validation_failed").await;
    let set = app
        .call(
            Method::PUT,
            &password_path,
            &ann,
            Some(json!({"password": "winter gifts 2026"})),
        )
        .await;
    assert_eq!(json_of(set).await["password_protected"], true);
    for other_set in [&other] {
        let view = json_of(
            app.get_as(
                &format!("/api/v1/vendors/{vendor}/storefronts/{other_set}"),
                &ann,
            )
            .await,
        )
        .await;
        assert_eq!(view["password_protected"], false);
    }

    let locked = app.get("/api/v1/public/storefronts/acme-private").await;
    let locked = error_body(locked, 401, "storefront_locked").await;
    assert_eq!(locked["details"]["session_path"], sessions);
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url(sessions))
                .json(&json!({"password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    error_body(attempt("summer gifts").await, 401, "wrong_password").await;
    let opened = attempt("winter gifts 2026").await;
    assert_eq!(opened.status(), 201);
    let token = json_of(opened).await["token"].as_str().unwrap().to_owned();

    let read = app
        .get_as("/api/v1/public/storefronts/acme-private", &token)
        .await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.headers()["cache-control"], "private, no-cache");
    assert_eq!(json_of(read).await["slug"], "acme-private");
    // The session opens this storefront only, and is no staff token.
    let set_other = app
        .call(
            Method::PUT,
            &format!("/api/v1/vendors/{vendor}/storefronts/{other}/password"),
            &ann,
            Some(json!({"password": "another secret"})),
        )
        .await;
    assert_eq!(set_other.status(), 200);
    error_body(
        app.get_as("/api/v1/public/storefronts/acme-other", &token)
            .await,
        401,
        "storefront_locked",
    )
    .await;
    error_body(
        app.get_as("/api/v1/me", &token).await,
        403,
        "wrong_token_type",
    )
    .await;

    // Four attempts a minute per client and storefront: the fifth is refused, right or not.
    error_body(attempt("autumn gifts").await, 401, "wrong_password").await;
    error_body(attempt("spring gifts").await, 401, "wrong_password").await;
    let limited = attempt("winter gifts 2026").await;
    assert!(limited.headers().contains_key("retry-after"));
    error_body(limited, 429, "rate_limited").await;
    // Other requests of the same client are not limited by it.
    assert_eq!(
        app.get("/api/v1/public/storefronts/acme-private")
            .await
            .status(),
        401
    );

    let cleared = app
        .call(
            Method::PUT,
            &password_path,
            &ann,
            Some(json!({"password": null})),
        )
        .await;
    assert_eq!(json_of(cleared).await["password_protected"], false);
    assert_eq!(
        app.get("/api/v1/public/storefronts/acme-private")
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_starts_under_review_with_the_products_settings_and_shipping_links() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let bobs = app.create_vendor(&bob, "Bob's").await;
    let base = format!("/api/v1/vendors/{vendor}/storefronts");
    let mut body = storefront("acme-xmas");
    body["custom_domain"] = json!("gifts.acme.example");
    let id = active_storefront(&app, &ann, &vendor, body).await;

    let product = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/products"),
            &ann,
            Some(json!({
                "title": "Hamper", "status": "active",
                "variants": [{"sku": "H-1", "price": {"minor": 5000, "currency": "AUD"}}]
            })),
        )
        .await;
    let product = json_of(product).await["id"].as_str().unwrap().to_owned();
    let offered = app
        .call(
            Method::PUT,
            &format!("{base}/{id}/products"),
            &ann,
            Some(json!({"items": [{"product_id": product, "price_override_minor": 4500}]})),
        )
        .await;
    assert_eq!(offered.status(), 200);
    let zone_body = json!({"name": "Australia", "countries": ["AU"], "rate": {"minor": 1500, "currency": "AUD"}});
    let zone = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/shipping-zones"),
            &ann,
            Some(zone_body.clone()),
        )
        .await;
    let zone = json_of(zone).await["id"].as_str().unwrap().to_owned();
    let bobs_zone = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{bobs}/shipping-zones"),
            &bob,
            Some(zone_body),
        )
        .await;
    let bobs_zone = json_of(bobs_zone).await["id"].as_str().unwrap().to_owned();
    let zones_path = format!("{base}/{id}/shipping-zones");
    let foreign = app
        .call(
            Method::PUT,
            &zones_path,
            &ann,
            Some(json!({"zone_ids": [zone, bobs_zone]})),
        )
        .await;
    error_body(foreign, 404, "not_found").await;
    assert_eq!(
        json_of(app.get_as(&zones_path, &ann).await).await,
        json!([])
    );
    let linked = app
        .call(
            Method::PUT,
            &zones_path,
            &ann,
            Some(json!({"zone_ids": [zone]})),
        )
        .await;
    assert_eq!(json_of(linked).await[0]["id"], zone.as_str());

    // The custom domain finds the active storefront, case-insensitively.
    let by_domain = app.get("/api/v1/public/domains/GIFTS.acme.example").await;
    assert_eq!(json_of(by_domain).await["slug"], "acme-xmas");
    error_body(
        app.get("/api/v1/public/domains/gifts.nobody.example").await,
        404,
        "not_found",
    )
    .await;

    let taken = app
        .call(
            Method::POST,
            &format!("{base}/{id}/duplicate"),
            &ann,
            Some(json!({"slug": "acme-xmas"})),
        )
        .await;
    error_body(taken, 409, "conflict").await;
    let copied = app
        .call(
            Method::POST,
            &format!("{base}/{id}/duplicate"),
            &ann,
            Some(json!({"slug": "acme-xmas-2027"})),
        )
        .await;
    assert_eq!(copied.status(), 201);
    let copy = json_of(copied).await;
    let copy_id = copy["id"].as_str().unwrap();
    assert_ne!(copy_id, id);
    assert_eq!(
        (
            copy["status"].as_str(),
            copy["slug"].as_str(),
            copy["name"].as_str(),
            copy["custom_domain"].as_str(),
        ),
        (
            Some("for_review"),
            Some("acme-xmas-2027"),
            Some("Holiday gifts (copy)"),
            None
        )
    );
    assert_eq!(copy["fee_transfer_mode"], "half");
    assert_eq!(copy["branding"]["primary_colour"], "#112233");
    assert_eq!(copy["content"]["heading"], "Give well");
    let copy_offering = json_of(
        app.get_as(&format!("{base}/{copy_id}/products"), &ann)
            .await,
    )
    .await;
    assert_eq!(
        copy_offering[0]["product"]["id"],
        product.as_str(),
        "{copy_offering}"
    );
    assert_eq!(copy_offering[0]["price_override_minor"], 4500);
    let copy_zones = json_of(
        app.get_as(&format!("{base}/{copy_id}/shipping-zones"), &ann)
            .await,
    )
    .await;
    assert_eq!(copy_zones[0]["id"], zone.as_str());
    // The original is as it was, and the copy is not public until an admin activates it.
    let original = json_of(app.get_as(&format!("{base}/{id}"), &ann).await).await;
    assert_eq!(
        (
            original["status"].as_str(),
            original["custom_domain"].as_str()
        ),
        (Some("active"), Some("gifts.acme.example"))
    );
    error_body(
        app.get("/api/v1/public/storefronts/acme-xmas-2027").await,
        404,
        "not_found",
    )
    .await;
}
