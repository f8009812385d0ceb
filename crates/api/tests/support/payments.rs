//! Driving payments in tests: an app with the stand-in Stripe, Stripe events signed with
//! the documented scheme (independently of Trove's own code), delivery to the webhook,
//! running the jobs it queued, and a vendor connected with an enabled account.

use super::fake_stripe::{FakeStripe, WEBHOOK_SECRET};
use super::{TestApp, json_of};
use aws_lc_rs::hmac;
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use trove_data_access::entities::stripe_event;

pub async fn spawn(fake: &FakeStripe) -> TestApp {
    TestApp::spawn_with(|settings| fake.configure(settings)).await
}

pub async fn deliver(app: &TestApp, payload: &str, signature: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(payload.to_owned())
        .send()
        .await
        .unwrap()
}

pub async fn deliver_signed(app: &TestApp, payload: &str) -> reqwest::Response {
    let signature = signature(&[WEBHOOK_SECRET], chrono::Utc::now().timestamp(), payload);
    deliver(app, payload, &signature).await
}

/// Runs the queued jobs, so the stored event `id` is applied; returns its outcome.
pub async fn processed(app: &TestApp, id: &str) -> String {
    app.run_jobs().await;
    let row = stripe_event::Entity::find_by_id(id)
        .one(&app.database.db)
        .await
        .unwrap();
    row.and_then(|row| row.processed_at.and(row.outcome))
        .unwrap_or_else(|| panic!("event {id} was not processed"))
}

/// Connects the shop's vendor through an Express account that Stripe then enables
/// (`account.updated`). Returns the account id.
pub async fn connect(app: &TestApp, fake: &FakeStripe, vendor: &str, owner: &str) -> String {
    let created = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/payments/account"),
            owner,
            Some(json!({"country": "AU"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let account = json_of(created).await["account"]["stripe_account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event_id = format!("evt_enable_{account}");
    let payload = event(
        &event_id,
        "account.updated",
        fake.enable_account(&account),
        Some(&account),
    );
    assert_eq!(deliver_signed(app, &payload).await.status(), 200);
    processed(app, &event_id).await;
    account
}

/// A Stripe event envelope around `object`.
pub fn event(id: &str, kind: &str, object: Value, account: Option<&str>) -> String {
    let mut envelope = json!({
        "id": id, "object": "event", "api_version": "2024-06-20", "created": chrono::Utc::now().timestamp(),
        "data": {"object": object}, "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": kind,
    });
    if let Some(account) = account {
        envelope["account"] = json!(account);
    }
    envelope.to_string()
}

/// `Stripe-Signature` for `payload` at `timestamp` with one `v1` per secret, as Stripe
/// documents it: HMAC-SHA256 over `"{timestamp}.{payload}"`, hex.
pub fn signature(secrets: &[&str], timestamp: i64, payload: &str) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&key, format!("{timestamp}.{payload}").as_bytes());
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        header.push_str(&format!(",v1={hex}"));
    }
    header
}
