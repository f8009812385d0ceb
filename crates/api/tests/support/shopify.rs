//! Driving the Shopify integration in tests and benchmarks: an app pointed at the
//! stand-in, the install callback signed as Shopify's guide describes (independently of
//! Trove's own verifier), a vendor connected, a catalogue sync run to its end.

use super::fake_shopify::{API_KEY, API_SECRET, FakeShopify};
use super::{TestApp, assert_jobs_ran, json_of};
use aws_lc_rs::hmac;
use reqwest::Method;
use serde_json::{Value, json};

pub const CALLBACK: &str = "/api/v1/integrations/shopify/callback";

pub async fn spawn(fake: &FakeShopify) -> TestApp {
    TestApp::spawn_with(|settings| fake.configure(settings)).await
}

/// The query Shopify sends back, signed as its guide describes (sorted `name=value`
/// pairs joined with `&`, hex HMAC-SHA256 under the app secret), written here
/// independently of Trove's own verifier.
pub fn signed_query(params: &[(&str, &str)], secret: &str) -> String {
    let mut sorted: Vec<_> = params.to_vec();
    sorted.sort();
    let message = sorted
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
        message.as_bytes(),
    );
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    query.append_pair("hmac", &hex);
    query.finish()
}

pub fn callback_query(shop: &str, code: &str, state: &str) -> String {
    signed_query(
        &[
            ("code", code),
            ("shop", shop),
            ("state", state),
            ("timestamp", "1765000000"),
        ],
        API_SECRET,
    )
}

/// Starts the install for `shop` as `token` and returns the state of the install URL.
pub async fn start_install(
    app: &TestApp,
    fake: &FakeShopify,
    token: &str,
    vendor: &str,
    shop: &str,
) -> String {
    let started = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/integrations/shopify/install"),
            token,
            Some(json!({ "shop": shop })),
        )
        .await;
    assert_eq!(started.status(), 200);
    let url = json_of(started).await["authorize_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected_base = fake.shop_base_url.replace("{shop}", shop);
    assert!(
        url.starts_with(&format!("{expected_base}/admin/oauth/authorize?")),
        "{url}"
    );
    let parsed = reqwest::Url::parse(&url).unwrap();
    let param = |name: &str| {
        parsed
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    assert_eq!(param("client_id").as_deref(), Some(API_KEY));
    assert_eq!(
        param("redirect_uri").as_deref(),
        Some("https://trove.example/api/v1/integrations/shopify/callback")
    );
    param("state").unwrap()
}

pub async fn connected(
    app: &TestApp,
    fake: &FakeShopify,
    token: &str,
    vendor: &str,
    shop: &str,
) -> Value {
    let state = start_install(app, fake, token, vendor, shop).await;
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    fake.issue_code(shop, &code);
    let answer = app
        .get(&format!(
            "{CALLBACK}?{}",
            callback_query(shop, &code, &state)
        ))
        .await;
    assert_eq!(answer.status(), 200);
    json_of(answer).await
}

/// Asks for a sync, runs the jobs, and returns the sync as the API shows it.
pub async fn sync_once(app: &TestApp, token: &str, vendor: &str) -> Value {
    let started = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/integrations/shopify/sync"),
            token,
            None,
        )
        .await;
    assert_eq!(started.status(), 202);
    let queued = json_of(started).await;
    assert_eq!(queued["status"], "queued");
    assert_jobs_ran(app).await;
    let id = queued["id"].as_str().unwrap();
    json_of(
        app.get_as(
            &format!("/api/v1/vendors/{vendor}/integrations/shopify/syncs/{id}"),
            token,
        )
        .await,
    )
    .await
}
