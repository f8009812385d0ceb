//! Per-client rate limiting: 429 with `Retry-After` and `RateLimit-*`, keyed by client IP,
//! forwarded addresses believed only from trusted proxies; the Redis store shares a limit
//! between instances.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{TestApp, error_body};
use trove_bootstrap::Settings;

fn default_limits(settings: &mut Settings) {
    let defaults = Settings::default().rate_limit;
    settings.rate_limit.per_second = defaults.per_second;
    settings.rate_limit.burst = defaults.burst;
}

async fn statuses(app: &TestApp, count: usize, forwarded_for: Option<&str>) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(count);
    for _ in 0..count {
        let mut request = app.client.get(app.url("/api/docs/openapi.json"));
        if let Some(ip) = forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        statuses.push(request.send().await.unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_quick_requests_from_one_client_are_limited() {
    // The default burst with one token a second, so however slowly this machine serves
    // the forty requests, the one after them is still limited.
    let app = TestApp::spawn_with(|settings| {
        default_limits(settings);
        settings.rate_limit.per_second = 1;
    })
    .await;
    let statuses = statuses(&app, 40, None).await;
    assert!(
        statuses[..10].iter().all(|status| *status == 200),
        "{statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");

    let limited = app.get("/api/docs/openapi.json").await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_eq!(limited.headers()["ratelimit-limit"], "10");
    assert_eq!(limited.headers()["ratelimit-remaining"], "0");
    assert!(limited.headers().contains_key("ratelimit-reset"));
    error_body(limited, 429, "rate_limited").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_is_never_limited() {
    let app = TestApp::spawn_with(default_limits).await;
    for _ in 0..40 {
        assert_eq!(app.get("/health").await.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let app = TestApp::spawn_with(default_limits).await;
    let mut statuses = Vec::new();
    for index in 0..40 {
        let response = app
            .client
            .get(app.url("/api/docs/openapi.json"))
            .header("x-forwarded-for", format!("198.51.100.{index}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(
        statuses.contains(&429),
        "rotating X-Forwarded-For must not evade the limit: {statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app = TestApp::spawn_with(|settings| {
        default_limits(settings);
        settings.http.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let first = statuses(&app, 40, Some("203.0.113.1")).await;
    assert!(first.contains(&429), "{first:?}");
    let second = statuses(&app, 10, Some("203.0.113.2")).await;
    assert!(
        second.iter().all(|status| *status == 200),
        "a second client is not limited: {second:?}"
    );
}

/// Runs against the Redis that `TEST_REDIS_URL` names; skipped without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_redis_share_one_limit() {
    let Some(redis_url) = std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        eprintln!("TEST_REDIS_URL is not set; skipping the Redis rate-limit test");
        return;
    };
    let client_ip = format!("192.0.2.{}", rand_octet());
    let configure = |settings: &mut Settings| {
        default_limits(settings);
        // One token a second: a slow, loaded machine cannot refill the burst between the
        // two instances' requests, so the test sees sharing, not timing.
        settings.rate_limit.per_second = 1;
        settings.rate_limit.redis_url = Some(redis_url.clone().into());
        settings.http.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    };
    let first = TestApp::spawn_with(configure).await;
    let second = TestApp::spawn_with(configure).await;

    let spent = statuses(&first, 10, Some(&client_ip)).await;
    assert!(spent.iter().all(|status| *status == 200), "{spent:?}");
    let elsewhere = statuses(&second, 5, Some(&client_ip)).await;
    assert!(
        elsewhere.contains(&429),
        "the other instance must see the spent burst: {elsewhere:?}"
    );

    let health: serde_json::Value = first.get("/health/detailed").await.json().await.unwrap();
    let store = health["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["name"] == "rate_limit_store")
        .cloned()
        .unwrap();
    assert_eq!(store["status"], "up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_falls_back_to_the_local_limit() {
    let app = TestApp::spawn_with(|settings| {
        default_limits(settings);
        settings.rate_limit.redis_url = Some("redis://127.0.0.1:1".to_owned().into());
    })
    .await;
    let response = app.get("/health/detailed").await;
    assert_eq!(
        response.status(),
        200,
        "an optional dependency does not fail the service"
    );
    let health: serde_json::Value = response.json().await.unwrap();
    assert_eq!(health["status"], "degraded");

    let statuses = statuses(&app, 40, None).await;
    assert!(
        statuses[..9].iter().all(|status| *status == 200),
        "{statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");
}

fn rand_octet() -> u8 {
    (uuid::Uuid::new_v4().as_u128() % 250) as u8 + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_users_are_limited_by_subject_not_by_shared_address() {
    let app = TestApp::spawn_with(default_limits).await;
    let ann = app.token(trove_api::auth::TokenType::Vendor, "ann@example.com");
    let bob = app.token(trove_api::auth::TokenType::Vendor, "bob@example.com");
    let mut ann_statuses = Vec::new();
    for _ in 0..40 {
        ann_statuses.push(app.get_as("/api/v1/me", &ann).await.status().as_u16());
    }
    assert!(ann_statuses.contains(&429), "{ann_statuses:?}");
    for _ in 0..5 {
        assert_eq!(
            app.get_as("/api/v1/me", &bob).await.status(),
            200,
            "bob has his own allowance"
        );
    }
}
