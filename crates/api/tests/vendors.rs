//! Vendors as their users and admins meet them, including tenant isolation: another
//! vendor's objects are 404 and stay unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::json;
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;
use trove_data_access::entities::{job, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_makes_the_creator_owner() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let response = app
        .call(
            Method::POST,
            "/api/v1/vendors",
            &ann,
            Some(json!({"name": "  Acme Gifts ", "contact_email": "Hello@Acme.example"})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let vendor = json_of(response).await;
    assert_eq!(vendor["name"], "Acme Gifts");
    assert_eq!(vendor["contact_email"], "hello@acme.example");
    assert_eq!(vendor["onboarding_status"], "profile");

    let me = json_of(app.get_as("/api/v1/me", &ann).await).await;
    assert_eq!(me["memberships"][0]["vendor_id"], vendor["id"]);
    assert_eq!(me["memberships"][0]["role"], "owner");

    let id = vendor["id"].as_str().unwrap();
    let onboarding = json_of(
        app.get_as(&format!("/api/v1/vendors/{id}/onboarding"), &ann)
            .await,
    )
    .await;
    assert_eq!(onboarding["status"], "profile");
    assert_eq!(onboarding["steps"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_every_field_named_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let response = app
        .call(
            Method::POST,
            "/api/v1/vendors",
            &ann,
            Some(json!({"name": "  ", "contact_email": "nope"})),
        )
        .await;
    let body = error_body(response, 422, "validation_failed").await;
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "contact_email"]);

    let malformed = app
        .client
        .post(app.url("/api/v1/vendors"))
        .bearer_auth(&ann)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    error_body(malformed, 400, "invalid_json").await;

    let unknown_field = app
        .call(
            Method::POST,
            "/api/v1/vendors",
            &ann,
            Some(json!({"name": "A", "owner": "me"})),
        )
        .await;
    error_body(unknown_field, 422, "validation_failed").await;

    let me = json_of(app.get_as("/api/v1/me", &ann).await).await;
    assert!(
        me["memberships"].as_array().unwrap().is_empty(),
        "no vendor was created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_vendors_objects_are_404_and_stay_unchanged() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let _ann_vendor = app.create_vendor(&ann, "Ann's").await;
    let bob_vendor = app.create_vendor(&bob, "Bob's").await;
    let bob_id = json_of(app.get_as("/api/v1/me", &bob).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let attempts = [
        (Method::GET, format!("/api/v1/vendors/{bob_vendor}"), None),
        (
            Method::PATCH,
            format!("/api/v1/vendors/{bob_vendor}"),
            Some(json!({"name": "Pwned"})),
        ),
        (
            Method::GET,
            format!("/api/v1/vendors/{bob_vendor}/onboarding"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/vendors/{bob_vendor}/members"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/vendors/{bob_vendor}/feature-flags"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/vendors/{bob_vendor}/invitations"),
            Some(json!({"email": "ann@example.com", "role": "owner"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/vendors/{bob_vendor}/members/{bob_id}"),
            Some(json!({"role": "staff"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/vendors/{bob_vendor}/members/{bob_id}"),
            None,
        ),
    ];
    for (method, path, body) in attempts {
        let response = app.call(method.clone(), &path, &ann, body).await;
        error_body(response, 404, "not_found").await;
    }

    let unchanged = json_of(
        app.get_as(&format!("/api/v1/vendors/{bob_vendor}"), &bob)
            .await,
    )
    .await;
    assert_eq!(unchanged["name"], "Bob's");
    let members = json_of(
        app.get_as(&format!("/api/v1/vendors/{bob_vendor}/members"), &bob)
            .await,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["role"], "owner");
    let invitations = job::Entity::find().all(&app.database.db).await.unwrap();
    assert!(invitations.is_empty(), "no invitation email was queued");

    let unknown = app.get_as("/api/v1/vendors/not-a-uuid", &ann).await;
    error_body(unknown, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_changes_settings_with_validation() {
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@example.com");
    let vendor = app.create_vendor(&owner, "Acme").await;
    let path = format!("/api/v1/vendors/{vendor}");

    let bad = app
        .call(
            Method::PATCH,
            &path,
            &owner,
            Some(json!({"slack_webhook_url": "http://evil.example/hook"})),
        )
        .await;
    error_body(bad, 422, "validation_failed").await;

    let updated = app
        .call(
            Method::PATCH,
            &path,
            &owner,
            Some(json!({"name": "Acme Co", "slack_webhook_url": "https://hooks.slack.com/services/T/B/X"})),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let cleared = json_of(
        app.call(
            Method::PATCH,
            &path,
            &owner,
            Some(json!({"slack_webhook_url": null})),
        )
        .await,
    )
    .await;
    assert_eq!(cleared["name"], "Acme Co", "absent fields stay");
    assert!(cleared["slack_webhook_url"].is_null(), "null clears");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_written_only_when_something_changed() {
    let app = TestApp::spawn().await;
    let token = app.token(TokenType::Vendor, "ann@example.com");
    app.get_as("/api/v1/me", &token).await;
    let first = user::Entity::find()
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    app.get_as("/api/v1/me", &token).await;
    let second = user::Entity::find()
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.updated_at, second.updated_at);
    assert_eq!(
        user::Entity::find()
            .all(&app.database.db)
            .await
            .unwrap()
            .len(),
        1
    );

    let renamed = app
        .call(
            Method::PATCH,
            "/api/v1/me",
            &token,
            Some(json!({"display_name": "Ann"})),
        )
        .await;
    assert_eq!(json_of(renamed).await["display_name"], "Ann");
    let too_long = app
        .call(
            Method::PATCH,
            "/api/v1/me",
            &token,
            Some(json!({"display_name": "x".repeat(201)})),
        )
        .await;
    error_body(too_long, 422, "validation_failed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_list_every_vendor_with_filters_and_pages() {
    let app = TestApp::spawn().await;
    let admin = app.token(TokenType::Admin, "root@trove.example");
    for (owner, name) in [
        ("a@example.com", "Alpha Gifts"),
        ("b@example.com", "Beta Hampers"),
        ("c@example.com", "Gamma Gifts"),
    ] {
        let token = app.token(TokenType::Vendor, owner);
        app.create_vendor(&token, name).await;
    }
    let page = json_of(app.get_as("/api/v1/admin/vendors?per_page=2", &admin).await).await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(3), 2)
    );
    let second = json_of(
        app.get_as("/api/v1/admin/vendors?per_page=2&page=2", &admin)
            .await,
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    let gifts = json_of(app.get_as("/api/v1/admin/vendors?q=GIFTS", &admin).await).await;
    assert_eq!(gifts["total"], 2);
    let live = json_of(
        app.get_as("/api/v1/admin/vendors?onboarding_status=live", &admin)
            .await,
    )
    .await;
    assert_eq!(live["total"], 0);

    error_body(
        app.get_as("/api/v1/admin/vendors?per_page=1000", &admin)
            .await,
        422,
        "validation_failed",
    )
    .await;
    error_body(
        app.get_as("/api/v1/admin/vendors?page=zero", &admin).await,
        400,
        "invalid_query",
    )
    .await;

    let any_vendor = gifts["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_as(&format!("/api/v1/vendors/{any_vendor}"), &admin)
            .await
            .status(),
        200,
        "admins act across vendors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_admins_get_403_on_every_admin_route() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let routes = [
        (Method::GET, "/api/v1/admin/vendors".to_owned(), None),
        (Method::GET, "/api/v1/admin/feature-flags".to_owned(), None),
        (Method::GET, "/api/v1/admin/jobs/dead".to_owned(), None),
        (
            Method::POST,
            "/api/v1/admin/jobs/redrive".to_owned(),
            Some(json!({"kind": "send_email"})),
        ),
        (
            Method::PUT,
            "/api/v1/admin/feature-flags/bulk_recipient_upload".to_owned(),
            Some(json!({"percentage": 100})),
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/feature-flags/bulk_recipient_upload/vendors/{vendor}"),
            Some(json!({"enabled": true})),
        ),
    ];
    for (method, path, body) in routes {
        error_body(app.call(method, &path, &ann, body).await, 403, "forbidden").await;
    }
}
