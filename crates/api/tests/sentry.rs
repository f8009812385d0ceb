//! 5xx responses reach Sentry with the request id, checked against a local server that
//! receives the envelopes the real Sentry SDK sends. Its own test binary: the Sentry
//! client is process-wide.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use actix_web::{App, HttpServer, web};
use sea_orm::ConnectionTrait;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::TestApp;

type Received = Arc<Mutex<Vec<String>>>;

async fn receive(body: web::Bytes, received: web::Data<Received>) -> &'static str {
    received
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    "{}"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_is_reported_with_its_request_id() {
    let received: Received = Arc::default();
    let sink = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(sink.clone()))
            // Envelopes carry the captured stack trace, whose generic frame names grow with
            // every middleware layer: well over actix's 256 KiB default in a debug build.
            .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
            .route("/api/{project}/envelope/", web::post().to(receive))
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .run();
    tokio::spawn(server);

    let mut settings = trove_bootstrap::Settings::default();
    settings.sentry.dsn = Some(format!("http://public@127.0.0.1:{port}/1").into());
    let _guard = trove_bootstrap::telemetry::init_error_reporting(&settings).unwrap();

    let app = TestApp::spawn().await;
    app.database
        .db
        .execute_unprepared("DROP TABLE jobs")
        .await
        .unwrap();
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 503);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    sentry::Hub::main()
        .client()
        .unwrap()
        .flush(Some(Duration::from_secs(5)));
    let mut envelopes = Vec::new();
    for _ in 0..50 {
        envelopes = received.lock().unwrap().clone();
        if !envelopes.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let event = envelopes
        .iter()
        .find(|envelope| envelope.contains("/health/detailed"))
        .unwrap_or_else(|| panic!("no envelope about the failed request: {envelopes:?}"));
    assert!(
        event.contains(&request_id),
        "the event carries the request id: {event}"
    );
    assert!(event.contains("503"), "{event}");
}
