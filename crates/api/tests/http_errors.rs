//! Every error response has the JSON shape with the request id; security headers and CORS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{TestApp, error_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_route_is_404_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let body = error_body(app.get("/api/v1/nothing-here").await, 404, "not_found").await;
    assert_eq!(body["error"], "Not Found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .delete(app.url("/health/detailed"))
        .send()
        .await
        .unwrap();
    let allow = response
        .headers()
        .get("allow")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(allow, "GET, HEAD");
    error_body(response, 405, "method_not_allowed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_before_any_handler_runs() {
    let app = TestApp::spawn().await;
    let two_mib = vec![b'x'; 2 * 1024 * 1024];
    let response = app
        .client
        .post(app.url("/api/v1/anything"))
        .header("content-type", "application/json")
        .body(two_mib)
        .send()
        .await
        .unwrap();
    error_body(response, 413, "payload_too_large").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sane_request_id_is_echoed_and_an_unsafe_one_replaced() {
    let app = TestApp::spawn().await;
    let kept = app
        .client
        .get(app.url("/nope"))
        .header("x-request-id", "support-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "support-ticket-42");
    let body = error_body(kept, 404, "not_found").await;
    assert_eq!(body["request_id"], "support-ticket-42");

    let replaced = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "evil\"} {\"admin\":true")
        .send()
        .await
        .unwrap();
    let id = replaced.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/health", "/nope"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_only_when_a_trusted_proxy_says_https() {
    let app = TestApp::spawn_with(|settings| {
        settings.http.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let via_tls = app
        .client
        .get(app.url("/health"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        via_tls.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );

    let untrusting = TestApp::spawn().await;
    let spoofed = untrusting
        .client
        .get(untrusting.url("/health"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(spoofed.headers().get("strict-transport-security").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_listed_origins_with_credentials_and_never_a_wildcard() {
    let app = TestApp::spawn_with(|settings| {
        settings.http.cors_allowed_origins = vec!["https://admin.trove.example".into()];
    })
    .await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/health/detailed"))
        .header("origin", "https://admin.trove.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://admin.trove.example"
    );
    assert_eq!(
        preflight.headers()["access-control-allow-credentials"],
        "true"
    );

    let stranger = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/health/detailed"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(
        stranger
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let body = error_body(stranger, 400, "bad_request").await;
    assert!(body["message"].is_string());
}
