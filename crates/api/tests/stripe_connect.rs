//! Stripe Connect onboarding against the stand-in Stripe (Express accounts with their
//! links, Connect OAuth, reset, `account.updated`) and webhook signatures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use support::fake_stripe::{FakeStripe, OAUTH_ACCOUNT, OAUTH_CODE, WEBHOOK_SECRET};
use support::payments::{deliver, deliver_signed, event, processed, signature, spawn};
use support::{TestApp, assert_jobs_ran, error_body, json_of};
use trove_api::auth::TokenType;
use trove_data_access::entities::{job, stripe_event};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_onboards_with_an_express_account_or_connects_an_existing_one() {
    let fake = FakeStripe::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let base = format!("/api/v1/vendors/{vendor}/payments");

    let status = json_of(app.get_as(&format!("{base}/account"), &ann).await).await;
    assert_eq!(status["status"], "not_connected");
    assert_eq!(status["can_accept_payments"], false);

    // Stripe down: 503, and the retry reaches the same account through the same key.
    fake.fail_next(1, 500);
    let failed = app
        .call(
            Method::POST,
            &format!("{base}/account"),
            &ann,
            Some(json!({"country": "AU"})),
        )
        .await;
    error_body(failed, 503, "service_unavailable").await;
    let created = app
        .call(
            Method::POST,
            &format!("{base}/account"),
            &ann,
            Some(json!({"country": "AU"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created = json_of(created).await;
    let account = created["account"]["stripe_account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["account"]["status"], "pending");
    assert_eq!(created["account"]["kind"], "express");
    assert_eq!(
        created["account"]["requirements_due"],
        json!(["external_account", "tos_acceptance.date"])
    );
    assert!(
        created["onboarding"]["url"]
            .as_str()
            .unwrap()
            .contains(&account)
    );
    let creations = fake.requests_to("POST", "/v1/accounts");
    assert_eq!(creations.len(), 2);
    assert_eq!(creations[0].idempotency_key, creations[1].idempotency_key);
    assert!(
        creations[0]
            .idempotency_key
            .as_deref()
            .unwrap()
            .starts_with("trove:connect-account:")
    );
    let form = &creations[1].form;
    assert_eq!(form["type"], "express");
    assert_eq!(form["country"], "AU");
    assert_eq!(form["capabilities[transfers][requested]"], "true");
    assert_eq!(form["capabilities[card_payments][requested]"], "true");
    assert_eq!(form["metadata[vendor_id]"], vendor);
    let link = &fake.requests_to("POST", "/v1/account_links")[0].form;
    assert_eq!(link["account"], account);
    assert_eq!(link["type"], "account_onboarding");
    assert!(link["return_url"].starts_with("http"));

    let again = app
        .call(Method::POST, &format!("{base}/account"), &ann, None)
        .await;
    error_body(again, 409, "already_connected").await;
    let refreshed = app
        .call(Method::POST, &format!("{base}/account/links"), &ann, None)
        .await;
    assert_eq!(refreshed.status(), 201);
    let links = fake.requests_to("POST", "/v1/account_links");
    assert_eq!(links.len(), 2);
    assert_ne!(links[0].idempotency_key, links[1].idempotency_key);

    // Another vendor's owner sees nothing of it.
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    app.create_vendor(&bob, "Bobs").await;
    error_body(
        app.get_as(&format!("{base}/account"), &bob).await,
        404,
        "not_found",
    )
    .await;
    error_body(
        app.call(Method::DELETE, &format!("{base}/account"), &bob, None)
            .await,
        404,
        "not_found",
    )
    .await;

    // Stripe enables the account: the status and the vendor's onboarding follow.
    let payload = event(
        "evt_acct_1",
        "account.updated",
        fake.enable_account(&account),
        Some(&account),
    );
    assert_eq!(deliver_signed(&app, &payload).await.status(), 200);
    assert!(processed(&app, "evt_acct_1").await.contains("enabled"));
    let status = json_of(app.get_as(&format!("{base}/account"), &ann).await).await;
    assert_eq!(status["status"], "enabled");
    assert_eq!(status["can_accept_payments"], true);
    assert_eq!(status["capabilities"]["transfers"], "active");
    let onboarding = json_of(
        app.get_as(&format!("/api/v1/vendors/{vendor}/onboarding"), &ann)
            .await,
    )
    .await;
    assert_eq!(onboarding["status"], "live");

    // Reset, then connect an existing account through Connect OAuth.
    let reset = app
        .call(Method::DELETE, &format!("{base}/account"), &ann, None)
        .await;
    assert_eq!(reset.status(), 204);
    let status = json_of(app.get_as(&format!("{base}/account"), &ann).await).await;
    assert_eq!(status["status"], "not_connected");
    let start = json_of(
        app.call(Method::POST, &format!("{base}/account/oauth"), &ann, None)
            .await,
    )
    .await;
    let url = reqwest::Url::parse(start["authorize_url"].as_str().unwrap()).unwrap();
    assert!(url.path().ends_with("/oauth/authorize"));
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "ca_trove_fake");
    assert_eq!(query["scope"], "read_write");
    let state = &query["state"];

    let callback = |code: &str| {
        app.client
            .post(app.url(&format!(
                "/api/v1/payments/oauth/callback?state={state}&code={code}"
            )))
            .send()
    };
    let connected = callback(OAUTH_CODE).await.unwrap();
    assert_eq!(connected.status(), 200);
    let connected = json_of(connected).await;
    assert_eq!(connected["stripe_account_id"], OAUTH_ACCOUNT);
    assert_eq!(connected["kind"], "standard");
    assert_eq!(connected["status"], "enabled");
    let token = &fake.requests_to("POST", "/connect/oauth/token")[0].form;
    assert_eq!(token["grant_type"], "authorization_code");
    assert_eq!(token["code"], OAUTH_CODE);
    // The state is spent.
    error_body(callback(OAUTH_CODE).await.unwrap(), 401, "invalid_token").await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_need_a_fresh_signature_under_a_current_secret() {
    let fake = FakeStripe::start().await;
    let app = TestApp::spawn_with(|settings| {
        fake.configure(settings);
        settings.stripe.webhook_secret_previous =
            Some(secrecy::SecretString::from("whsec_trove_old"));
    })
    .await;
    let payload = event("evt_sig", "customer.created", json!({"id": "cus_1"}), None);
    let now = chrono::Utc::now().timestamp();

    let unsigned = app
        .client
        .post(app.url("/api/v1/webhooks/stripe"))
        .body(payload.clone())
        .send()
        .await
        .unwrap();
    error_body(unsigned, 400, "invalid_signature").await;
    let wrong = signature(&["whsec_someone_else"], now, &payload);
    error_body(
        deliver(&app, &payload, &wrong).await,
        400,
        "invalid_signature",
    )
    .await;
    let stale = signature(&[WEBHOOK_SECRET], now - 301, &payload);
    let body = error_body(
        deliver(&app, &payload, &stale).await,
        400,
        "invalid_signature",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("tolerance"),
        "{body}"
    );
    let tampered = signature(&[WEBHOOK_SECRET], now, &payload);
    let other = payload.replace("cus_1", "cus_2");
    error_body(
        deliver(&app, &other, &tampered).await,
        400,
        "invalid_signature",
    )
    .await;
    let stored = stripe_event::Entity::find()
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing stored for a bad signature");

    // During a rotation Stripe signs with both secrets; either configured secret verifies.
    let both = signature(&["whsec_trove_unknown", WEBHOOK_SECRET], now, &payload);
    assert_eq!(deliver(&app, &payload, &both).await.status(), 200);
    let old = event("evt_old", "customer.created", json!({"id": "cus_3"}), None);
    let by_old = signature(&["whsec_trove_old"], now, &old);
    assert_eq!(deliver(&app, &old, &by_old).await.status(), 200);
    let jobs = job::Entity::find()
        .filter(job::Column::Kind.eq("process_stripe_event"))
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(jobs, 2);

    let not_an_event = "{\"hello\": true}";
    let signed = signature(&[WEBHOOK_SECRET], now, not_an_event);
    error_body(
        deliver(&app, not_an_event, &signed).await,
        400,
        "invalid_event",
    )
    .await;
    assert_jobs_ran(&app).await;
}
