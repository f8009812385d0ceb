//! Token validation as a client meets it: Auth0 RS256 tokens against a local JWKS, the
//! attacks on JWT validation, and tokens of the wrong type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::time::Duration;
use support::auth0::{AUDIENCE, FakeAuth0, Key, PUBLIC_KEY_A};
use support::{TestApp, error_body};
use trove_api::auth::TokenType;

async fn app_trusting(auth0: &FakeAuth0, cooldown_seconds: u64) -> TestApp {
    let issuer = auth0.issuer.clone();
    TestApp::spawn_with(move |settings| {
        settings.auth.issuer = Some(issuer);
        settings.auth.audience = Some(AUDIENCE.into());
        settings.auth.jwks_refetch_cooldown_seconds = cooldown_seconds;
    })
    .await
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get_as("/api/v1/me", token).await.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_auth0_token_signs_the_user_in_and_creates_them_once() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 30).await;
    let token = auth0.token(Key::A, &auth0.claims("auth0|ann"));

    let response = app.get_as("/api/v1/me", &token).await;
    assert_eq!(response.status(), 200);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["email"], "auth0-ann@example.com");
    assert_eq!(me["is_admin"], false);

    let again: serde_json::Value = app.get_as("/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(again["id"], me["id"], "the same user, not a second one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_and_not_before_are_checked_with_at_most_60_seconds_leeway() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 30).await;
    let now = chrono::Utc::now().timestamp();

    let mut expired = auth0.claims("auth0|ann");
    expired["exp"] = json!(now - 61);
    let response = app
        .get_as("/api/v1/me", &auth0.token(Key::A, &expired))
        .await;
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    error_body(response, 401, "invalid_token").await;

    let mut early = auth0.claims("auth0|ann");
    early["nbf"] = json!(now + 30);
    assert_eq!(me_status(&app, &auth0.token(Key::A, &early)).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_audience_or_issuer_is_refused() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 30).await;

    let mut wrong_audience = auth0.claims("auth0|ann");
    wrong_audience["aud"] = json!("https://another-api.example");
    assert_eq!(
        me_status(&app, &auth0.token(Key::A, &wrong_audience)).await,
        401
    );

    let mut wrong_issuer = auth0.claims("auth0|ann");
    wrong_issuer["iss"] = json!("https://evil.example/");
    assert_eq!(
        me_status(&app, &auth0.token(Key::A, &wrong_issuer)).await,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alg_none_and_the_hs256_confusion_trick_are_refused() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 30).await;
    let claims = auth0.claims("auth0|mallory");

    let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let unsigned = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "typ": "JWT", "kid": "test-key-a"})),
        encode(&claims)
    );
    assert_eq!(me_status(&app, &unsigned).await, 401);

    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("test-key-a".into());
    let confused = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(PUBLIC_KEY_A.as_bytes()),
    )
    .unwrap();
    assert_eq!(me_status(&app, &confused).await, 401);

    assert_eq!(me_status(&app, "not-a-jwt").await, 401);
    let no_scheme = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Token abc")
        .send()
        .await
        .unwrap();
    error_body(no_scheme, 401, "invalid_token").await;
    error_body(app.get("/api/v1/me").await, 401, "unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_kids_fetches_the_jwks_at_most_once_per_cooldown() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 30).await;
    assert_eq!(
        me_status(&app, &auth0.token(Key::A, &auth0.claims("auth0|ann"))).await,
        200
    );
    assert_eq!(auth0.fetches(), 1);

    let claims = auth0.claims("auth0|mallory");
    for attempt in 0..50 {
        let forged = auth0.sign(Key::B, &format!("forged-{attempt}"), &claims);
        assert_eq!(me_status(&app, &forged).await, 401);
    }
    assert!(
        auth0.fetches() <= 2,
        "JWKS fetched {} times",
        auth0.fetches()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_works_once_the_cooldown_allows_a_refetch() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 1).await;
    assert_eq!(
        me_status(&app, &auth0.token(Key::A, &auth0.claims("auth0|ann"))).await,
        200
    );

    auth0.publish(&[Key::A, Key::B]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        me_status(&app, &auth0.token(Key::B, &auth0.claims("auth0|ann"))).await,
        200
    );
    assert_eq!(auth0.fetches(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_comes_from_the_permissions_claim_only() {
    let auth0 = FakeAuth0::start(&[Key::A]);
    let app = app_trusting(&auth0, 30).await;
    let mut admin = auth0.claims("auth0|root");
    admin["permissions"] = json!(["read:orders", "admin:platform"]);
    let admin_token = auth0.token(Key::A, &admin);
    assert_eq!(
        app.get_as("/api/v1/admin/vendors", &admin_token)
            .await
            .status(),
        200
    );

    let staff = auth0.token(Key::A, &auth0.claims("auth0|ann"));
    error_body(
        app.get_as("/api/v1/admin/vendors", &staff).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_of_another_type_is_403_wrong_token_type() {
    let app = TestApp::spawn().await;
    let recipient = app.token(TokenType::Recipient, "gift-recipient@example.com");
    error_body(
        app.get_as("/api/v1/me", &recipient).await,
        403,
        "wrong_token_type",
    )
    .await;
    error_body(
        app.get_as("/api/v1/admin/vendors", &recipient).await,
        403,
        "wrong_token_type",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_tokens_are_refused_when_the_dev_issuer_is_off() {
    let app = TestApp::spawn_with(|settings| settings.auth.dev_issuer = false).await;
    let dev = app.token(TokenType::Vendor, "ann@example.com");
    error_body(app.get_as("/api/v1/me", &dev).await, 401, "invalid_token").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwks_of_the_apis_own_tokens_is_published() {
    let app = TestApp::spawn().await;
    let jwks: serde_json::Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    let token = app.token(TokenType::Vendor, "ann@example.com");
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
}
