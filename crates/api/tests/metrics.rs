//! `/metrics` in Prometheus text format, labelled by route pattern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/health/detailed").await;
    app.get("/health/detailed").await;
    app.get("/no/such/page/123").await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"trove_http_requests_total{method="GET",route="/health/detailed",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"trove_http_requests_total{method="GET",route="unmatched",status="404"} 1"#
        ),
        "raw unknown paths must not become labels: {text}"
    );
    assert!(text.contains("trove_http_request_duration_seconds_bucket"));
}
