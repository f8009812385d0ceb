//! Feature flags as admins set them and vendors see them: default, rollout, override.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feature_flags_follow_default_rollout_and_override() {
    let app = TestApp::spawn_with(|settings| {
        settings
            .features
            .insert("bulk_recipient_upload".into(), false);
    })
    .await;
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let flags_path = format!("/api/v1/vendors/{vendor}/feature-flags");
    let flag = |flags: &Value| {
        flags
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "bulk_recipient_upload")
            .cloned()
            .unwrap()
    };

    let initial = flag(&json_of(app.get_as(&flags_path, &ann).await).await);
    assert_eq!(
        (initial["enabled"].as_bool(), initial["source"].as_str()),
        (Some(false), Some("default"))
    );

    let rollout = app
        .call(
            Method::PUT,
            "/api/v1/admin/feature-flags/bulk_recipient_upload",
            &admin,
            Some(json!({"percentage": 100})),
        )
        .await;
    assert_eq!(rollout.status(), 204);
    let rolled = flag(&json_of(app.get_as(&flags_path, &ann).await).await);
    assert_eq!(
        (rolled["enabled"].as_bool(), rolled["source"].as_str()),
        (Some(true), Some("rollout"))
    );

    let forced_off = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/feature-flags/bulk_recipient_upload/vendors/{vendor}"),
            &admin,
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(forced_off.status(), 204);
    let overridden = flag(&json_of(app.get_as(&flags_path, &ann).await).await);
    assert_eq!(
        (
            overridden["enabled"].as_bool(),
            overridden["source"].as_str()
        ),
        (Some(false), Some("override"))
    );

    let unknown = app
        .call(
            Method::PUT,
            "/api/v1/admin/feature-flags/teleport",
            &admin,
            Some(json!({"percentage": 5})),
        )
        .await;
    error_body(unknown, 404, "not_found").await;
    let too_much = app
        .call(
            Method::PUT,
            "/api/v1/admin/feature-flags/bulk_recipient_upload",
            &admin,
            Some(json!({"percentage": 101})),
        )
        .await;
    error_body(too_much, 422, "validation_failed").await;
}
