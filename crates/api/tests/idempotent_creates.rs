//! Every POST that creates something takes an `Idempotency-Key`: a retry with the same key
//! and body gets the first answer back (`Idempotent-Replayed: true`) and creates nothing
//! more, another body under the key is refused, and a key whose first request never
//! recorded an answer blocks retries only while its short lease lasts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;

impl TestApp {
    async fn post_keyed(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Sends the same create twice under one key: both answer 201 with the same body, the
    /// second marked replayed. Returns that body.
    async fn created_once(&self, path: &str, token: &str, body: &Value) -> Value {
        let key = uuid::Uuid::new_v4().to_string();
        let first = self.post_keyed(path, token, &key, body).await;
        assert_eq!(first.status(), 201, "{path}");
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first = json_of(first).await;
        let again = self.post_keyed(path, token, &key, body).await;
        assert_eq!(again.status(), 201, "{path}");
        assert_eq!(again.headers()["idempotent-replayed"], "true", "{path}");
        assert_eq!(json_of(again).await, first, "{path}");
        first
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_create_answers_the_first_result_and_creates_nothing_more() {
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@keys.example");

    let vendor = app
        .created_once("/api/v1/vendors", &owner, &json!({"name": "Keyed Co"}))
        .await;
    assert_eq!(memberships(&app, &owner).await, 1);
    let vendor = vendor["id"].as_str().unwrap().to_owned();

    let storefronts = format!("/api/v1/vendors/{vendor}/storefronts");
    app.created_once(
        &storefronts,
        &owner,
        &json!({
            "slug": "keyed",
            "name": "Keyed gifts",
            "delivery_methods": ["email_link"],
            "fee_transfer_mode": "half",
        }),
    )
    .await;
    assert_eq!(
        json_of(app.get_as(&storefronts, &owner).await).await["total"],
        1
    );

    let products = format!("/api/v1/vendors/{vendor}/products");
    app.created_once(
        &products,
        &owner,
        &json!({
            "title": "Mug",
            "status": "active",
            "variants": [{"sku": "MUG", "price": {"minor": 1500, "currency": "AUD"}}]
        }),
    )
    .await;
    assert_eq!(
        json_of(app.get_as(&products, &owner).await).await["total"],
        1
    );

    let invitations = format!("/api/v1/vendors/{vendor}/invitations");
    app.created_once(
        &invitations,
        &owner,
        &json!({"email": "staff@keys.example", "role": "staff"}),
    )
    .await;
    let delivered = app.run_jobs().await;
    assert_eq!(delivered.len(), 1, "one invitation email: {delivered:?}");

    let upload = app
        .created_once(
            "/api/v1/uploads",
            &owner,
            &json!({
                "vendor_id": vendor,
                "purpose": "product_image",
                "content_type": "image/png",
                "size_bytes": 10,
            }),
        )
        .await;
    assert_eq!(upload["upload"]["status"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_bound_to_its_body_and_must_be_well_formed() {
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@keys.example");
    let first = app
        .post_keyed("/api/v1/vendors", &owner, "k-1", &json!({"name": "One"}))
        .await;
    assert_eq!(first.status(), 201);
    let other = app
        .post_keyed("/api/v1/vendors", &owner, "k-1", &json!({"name": "Two"}))
        .await;
    error_body(other, 422, "idempotency_key_reused").await;
    let malformed = app
        .post_keyed(
            "/api/v1/vendors",
            &owner,
            "with space",
            &json!({"name": "Three"}),
        )
        .await;
    error_body(malformed, 400, "invalid_idempotency_key").await;

    // Keys are per caller: another user's same key is a new request.
    let someone_else = app.token(TokenType::Vendor, "other@keys.example");
    let theirs = app
        .post_keyed(
            "/api/v1/vendors",
            &someone_else,
            "k-1",
            &json!({"name": "One"}),
        )
        .await;
    assert_eq!(theirs.status(), 201);
    assert!(theirs.headers().get("idempotent-replayed").is_none());

    assert_eq!(memberships(&app, &owner).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_whose_answer_was_lost_blocks_only_until_its_lease_ends() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn().await;
    let owner = app.token(TokenType::Vendor, "owner@keys.example");
    let body = json!({"name": "Lost"});
    // A first request that claimed the key and then lost its database at commit: the
    // claim stays without an answer.
    let db = &app.database.db;
    let claimed = trove_data_access::idempotency::claim(
        db,
        &format!("vendors:{}", user_id(&app, &owner).await),
        "lost-1",
        // The body as the API reads it: every field of a new vendor, absent ones null.
        &body_hash(&json!({"name": "Lost", "contact_email": null})),
        chrono::Duration::minutes(2),
    )
    .await
    .unwrap();
    assert!(matches!(
        claimed,
        trove_data_access::idempotency::Claim::Fresh(_)
    ));
    let blocked = app
        .post_keyed("/api/v1/vendors", &owner, "lost-1", &body)
        .await;
    error_body(blocked, 409, "idempotency_in_progress").await;

    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE idempotency_keys SET expires_at = $1",
            _ => "UPDATE idempotency_keys SET expires_at = ?",
        },
        [(trove_data_access::jobs::now() - chrono::Duration::seconds(1)).into()],
    ))
    .await
    .unwrap();
    let retried = app
        .post_keyed("/api/v1/vendors", &owner, "lost-1", &body)
        .await;
    assert_eq!(retried.status(), 201, "the lease ran out: the retry runs");
}

/// How many vendors the holder of `token` belongs to.
async fn memberships(app: &TestApp, token: &str) -> usize {
    let me = json_of(app.get_as("/api/v1/me", token).await).await;
    me["memberships"].as_array().map_or(0, Vec::len)
}

/// The id the API gave the holder of `token` (its first call creates the user).
async fn user_id(app: &TestApp, token: &str) -> String {
    let me = json_of(app.get_as("/api/v1/me", token).await).await;
    me["id"].as_str().expect("a user id").to_owned()
}

/// The body hash the API stores with a key (SHA-256 of its compact JSON, hex).
fn body_hash(body: &Value) -> String {
    let bytes = serde_json::to_vec(body).unwrap();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
