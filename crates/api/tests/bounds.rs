//! Numbers are bounded at the edge: a page, page size or amount past its bound is a 422
//! naming the field, never an arithmetic overflow further in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{TestApp, error_body};
use trove_api::auth::TokenType;

/// The field names a 422 lists.
async fn refused_fields(response: reqwest::Response) -> Vec<String> {
    let body = error_body(response, 422, "validation_failed").await;
    body["details"]
        .as_array()
        .expect("a 422 lists its fields")
        .iter()
        .map(|problem| problem["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_paged_list_refuses_pages_past_its_bounds_by_name() {
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@paging.example");
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let vendor = app.create_vendor(&owner, "Paging Co").await;
    let lists = [
        (format!("/api/v1/vendors/{vendor}/products"), &owner),
        (format!("/api/v1/vendors/{vendor}/storefronts"), &owner),
        (format!("/api/v1/vendors/{vendor}/orders"), &owner),
        ("/api/v1/admin/vendors".to_owned(), &admin),
        ("/api/v1/admin/jobs/dead".to_owned(), &admin),
    ];
    let huge = i64::MAX;
    for (path, token) in &lists {
        let at_the_end = app
            .get_as(&format!("{path}?page=1000000&per_page=100"), token)
            .await;
        assert_eq!(at_the_end.status(), 200, "{path}");
        let page: serde_json::Value = at_the_end.json().await.unwrap();
        assert_eq!(page["items"], serde_json::json!([]), "{path}");

        let past_the_end = app.get_as(&format!("{path}?page={huge}"), token).await;
        assert_eq!(refused_fields(past_the_end).await, ["page"], "{path}");

        let huge_pages = app.get_as(&format!("{path}?per_page={huge}"), token).await;
        assert_eq!(refused_fields(huge_pages).await, ["per_page"], "{path}");

        let both = app
            .get_as(&format!("{path}?page=0&per_page=0"), token)
            .await;
        assert_eq!(refused_fields(both).await, ["page", "per_page"], "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_past_the_bound_are_refused_by_name_and_change_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@amounts.example");
    let vendor = app.create_vendor(&owner, "Amounts Co").await;
    let products = format!("/api/v1/vendors/{vendor}/products");
    let priced = |minor: i64| {
        serde_json::json!({
            "title": "Mug",
            "status": "active",
            "variants": [{"sku": "MUG", "price": {"minor": minor, "currency": "AUD"}}]
        })
    };
    let too_dear = app
        .call(
            reqwest::Method::POST,
            &products,
            &owner,
            Some(priced(i64::MAX)),
        )
        .await;
    assert_eq!(refused_fields(too_dear).await, ["variants[0].price.minor"]);
    let listed: serde_json::Value = app.get_as(&products, &owner).await.json().await.unwrap();
    assert_eq!(listed["total"], 0);
    let at_the_bound = app
        .call(
            reqwest::Method::POST,
            &products,
            &owner,
            Some(priced(10_000_000_000)),
        )
        .await;
    assert_eq!(at_the_bound.status(), 201);

    let zone = serde_json::json!({
        "name": "Everywhere",
        "countries": ["AU"],
        "rate": {"minor": i64::MAX, "currency": "AUD"}
    });
    let dear_zone = app
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/vendors/{vendor}/shipping-zones"),
            &owner,
            Some(zone),
        )
        .await;
    assert_eq!(refused_fields(dear_zone).await, ["rate.minor"]);
}
