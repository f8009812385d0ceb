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
        (unchanged["slug"].as_str(), unchanged["status"].as_str()),
        (Some("bobs-shop"), Some("for_review"))
    );
}
