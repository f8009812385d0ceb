//! Shipping zones as a vendor manages them and checkout will use them, and tenant
//! isolation: another vendor's zones are 404 and stay unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;

fn metro() -> Value {
    json!({
        "name": "Sydney metro",
        "countries": ["au"],
        "postcodes": [{"type": "range", "from": 2000, "to": 2234}],
        "rate": {"minor": 990, "currency": "aud"}
    })
}

fn australia() -> Value {
    json!({"name": "Australia", "countries": ["AU"], "rate": {"minor": 1500, "currency": "AUD"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_are_managed_and_resolve_addresses_to_the_most_specific_one() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let zones = format!("/api/v1/vendors/{vendor}/shipping-zones");

    let created = app.call(Method::POST, &zones, &ann, Some(metro())).await;
    assert_eq!(created.status(), 201);
    let metro_zone = json_of(created).await;
    assert_eq!(metro_zone["countries"], json!(["AU"]));
    assert_eq!(metro_zone["rate"], json!({"minor": 990, "currency": "AUD"}));
    assert_eq!(
        app.call(Method::POST, &zones, &ann, Some(australia()))
            .await
            .status(),
        201
    );
    error_body(
        app.call(Method::POST, &zones, &ann, Some(australia()))
            .await,
        409,
        "conflict",
    )
    .await;

    let resolve_path = format!("{zones}/resolve");
    let resolve = |postcode: &str| {
        app.call(
            Method::POST,
            &resolve_path,
            &ann,
            Some(json!({"country": "AU", "state": "NSW", "postcode": postcode})),
        )
    };
    assert_eq!(json_of(resolve("2000").await).await["name"], "Sydney metro");
    assert_eq!(json_of(resolve("3000").await).await["name"], "Australia");
    let nowhere = app
        .call(
            Method::POST,
            &format!("{zones}/resolve"),
            &ann,
            Some(json!({"country": "NZ", "postcode": "6011"})),
        )
        .await;
    let body = error_body(nowhere, 422, "no_shipping_zone").await;
    assert!(body["message"].as_str().unwrap().contains("NZ"));

    let id = metro_zone["id"].as_str().unwrap();
    let mut renamed = metro();
    renamed["name"] = json!("Sydney");
    renamed["rate"]["minor"] = json!(1090);
    let replaced = json_of(
        app.call(Method::PUT, &format!("{zones}/{id}"), &ann, Some(renamed))
            .await,
    )
    .await;
    assert_eq!(
        (
            replaced["name"].as_str(),
            replaced["rate"]["minor"].as_i64()
        ),
        (Some("Sydney"), Some(1090))
    );
    assert_eq!(
        json_of(app.get_as(&zones, &ann).await)
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.call(Method::DELETE, &format!("{zones}/{id}"), &ann, None)
            .await
            .status(),
        204
    );
    error_body(
        app.get_as(&format!("{zones}/{id}"), &ann).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_zones_are_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let bad = json!({
        "name": "",
        "countries": ["Australia"],
        "postcodes": [{"type": "range", "from": 3000, "to": 2000}],
        "rate": {"minor": -1, "currency": "dollars"}
    });
    let response = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/shipping-zones"),
            &ann,
            Some(bad),
        )
        .await;
    let body = error_body(response, 422, "validation_failed").await;
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "countries",
            "postcodes",
            "rate.minor",
            "rate.currency"
        ]
    );
    assert!(
        json_of(
            app.get_as(&format!("/api/v1/vendors/{vendor}/shipping-zones"), &ann)
                .await
        )
        .await
        .as_array()
        .unwrap()
        .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_vendors_zones_are_404_and_stay_unchanged() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let ann_vendor = app.create_vendor(&ann, "Ann's").await;
    let bob_vendor = app.create_vendor(&bob, "Bob's").await;
    let bob_zones = format!("/api/v1/vendors/{bob_vendor}/shipping-zones");
    let bob_zone = json_of(
        app.call(Method::POST, &bob_zones, &bob, Some(australia()))
            .await,
    )
    .await;
    let zone_id = bob_zone["id"].as_str().unwrap();

    let attempts = [
        (Method::GET, bob_zones.clone(), None),
        (Method::POST, bob_zones.clone(), Some(metro())),
        (Method::GET, format!("{bob_zones}/{zone_id}"), None),
        (Method::PUT, format!("{bob_zones}/{zone_id}"), Some(metro())),
        (Method::DELETE, format!("{bob_zones}/{zone_id}"), None),
        (
            Method::POST,
            format!("{bob_zones}/resolve"),
            Some(json!({"country": "AU"})),
        ),
        // Bob's zone id under Ann's own vendor: found nowhere.
        (
            Method::GET,
            format!("/api/v1/vendors/{ann_vendor}/shipping-zones/{zone_id}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/vendors/{ann_vendor}/shipping-zones/{zone_id}"),
            Some(metro()),
        ),
        (
            Method::DELETE,
            format!("/api/v1/vendors/{ann_vendor}/shipping-zones/{zone_id}"),
            None,
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
    let unchanged = json_of(app.get_as(&bob_zones, &bob).await).await;
    assert_eq!(unchanged.as_array().unwrap().len(), 1);
    assert_eq!(unchanged[0]["name"], "Australia");
    assert_eq!(unchanged[0]["rate"]["minor"], 1500);
}
