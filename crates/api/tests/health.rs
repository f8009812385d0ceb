//! `/health` and `/health/detailed`, including a database outage and recovery (and what a
//! Stripe webhook gets meanwhile).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use secrecy::SecretString;
use std::time::Duration;
use support::fake_stripe::WEBHOOK_SECRET;
use support::payments;
use support::{TestApp, assert_jobs_ran, json_of};
use trove_bootstrap::Settings;
use trove_data_access::testing::TestDatabase;
use trove_data_access::testing::tcp_proxy::TcpProxy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_answers_ok() {
    let app = TestApp::spawn().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detailed_health_reports_each_dependency() {
    let outbox = std::env::temp_dir().join(format!("trove-health-outbox-{}", uuid::Uuid::new_v4()));
    let outbox_setting = outbox.display().to_string();
    let app = TestApp::spawn_with(move |settings| settings.mail.outbox_dir = outbox_setting).await;
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let names: Vec<&str> = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["database", "queue", "mail", "storage"]);
    for check in body["checks"].as_array().unwrap() {
        assert_eq!(check["status"], "up", "{check}");
        assert!(check["latency_ms"].as_f64().is_some());
    }
    assert!(
        !body.to_string().contains(&app.database.url),
        "no connection strings in the report"
    );
    std::fs::remove_dir_all(outbox).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mail_server_degrades_but_does_not_fail_the_service() {
    let app = TestApp::spawn_with(|settings| {
        settings.mail.transport = trove_bootstrap::settings::MailTransport::Smtp;
        settings.mail.smtp_host = "127.0.0.1".into();
        settings.mail.smtp_port = 1;
        settings.mail.smtp_security = trove_bootstrap::settings::SmtpSecurity::None;
    })
    .await;
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    let mail = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["name"] == "mail")
        .cloned()
        .unwrap();
    assert_eq!(
        (mail["status"].as_str(), mail["required"].as_bool()),
        (Some("down"), Some(false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_queue_table_is_503_naming_it() {
    let app = TestApp::spawn().await;
    use sea_orm::ConnectionTrait;
    app.database
        .db
        .execute_unprepared("DROP TABLE jobs")
        .await
        .unwrap();
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "down");
    assert_eq!(body["message"], "required dependency down: queue");
}

/// Cuts the network between the API and its MySQL/PostgreSQL server, then restores it.
/// SQLite has no network to cut, so this runs in the server-backed suites only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_503_and_the_api_recovers_without_restarting() {
    let Some((app, proxy)) = behind_a_proxy(|_| {}).await else {
        return;
    };

    assert_eq!(app.get("/health/detailed").await.status(), 200);

    proxy.cut().await;
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("database"),
        "{body}"
    );

    proxy.restore();
    let mut recovered = false;
    for _ in 0..20 {
        if app.get("/health/detailed").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "the API must recover once the database is back");
}

/// A partition (the server silent, not refusing): a request whose statement is already on
/// the wire gets a 503 within a few seconds instead of waiting as long as the partition,
/// and requests work again once it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_waiting_on_a_silent_database_gets_503_within_seconds() {
    let Some((app, proxy)) = behind_a_proxy(|settings| {
        settings.database.statement_timeout_seconds = 1;
    })
    .await
    else {
        return;
    };
    let ann = app.token(trove_api::auth::TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let products = format!("/api/v1/vendors/{vendor}/products");
    assert_eq!(app.get_as(&products, &ann).await.status(), 200);

    proxy.freeze();
    let started = std::time::Instant::now();
    let waiting = app.get_as(&products, &ann).await;
    let waited = started.elapsed();
    let body = support::error_body(waiting, 503, "database_unavailable").await;
    assert!(
        waited < Duration::from_secs(5),
        "answered after {waited:?}: {body}"
    );

    tokio::time::sleep(Duration::from_secs(4)).await;
    proxy.restore();
    let mut recovered = false;
    for _ in 0..40 {
        if app.get_as(&products, &ann).await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "requests work again once the partition ends");
}

/// Stripe must retry an event the database could not take: 5xx while it is cut off, then
/// the redelivered event is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stripe_event_during_a_database_outage_is_refused_for_a_retry() {
    let Some((app, proxy)) = behind_a_proxy(|settings| {
        settings.stripe.webhook_secret = Some(SecretString::from(WEBHOOK_SECRET));
    })
    .await
    else {
        return;
    };
    let payload = payments::event(
        "evt_outage",
        "customer.created",
        serde_json::json!({"id": "cus_1"}),
        None,
    );
    let deliver = || {
        let signature =
            payments::signature(&[WEBHOOK_SECRET], chrono::Utc::now().timestamp(), &payload);
        app.client
            .post(app.url("/api/v1/webhooks/stripe"))
            .header("stripe-signature", signature)
            .body(payload.clone())
            .send()
    };

    proxy.cut().await;
    let refused = deliver().await.unwrap();
    assert!(refused.status().is_server_error(), "{}", refused.status());

    proxy.restore();
    let mut stored = false;
    for _ in 0..20 {
        let response = deliver().await.unwrap();
        if response.status() == 200 {
            assert_eq!(json_of(response).await["duplicate"], false);
            stored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        stored,
        "the redelivered event is stored once the database is back"
    );
    let again = json_of(deliver().await.unwrap()).await;
    assert_eq!(again["duplicate"], true);
    assert_jobs_ran(&app).await;
}

/// The app over a fresh MySQL/PostgreSQL database reached through a proxy the test can
/// cut, with short pool timeouts. `None` on SQLite, which has no network to cut.
async fn behind_a_proxy(customise: impl FnOnce(&mut Settings)) -> Option<(TestApp, TcpProxy)> {
    let database = TestDatabase::create().await;
    let Some((proxy, proxied_url)) = TcpProxy::in_front_of(&database.url).await else {
        eprintln!("embedded SQLite has no network to cut; skipping the outage test");
        return None;
    };
    let app = TestApp::spawn_on(database, |settings| {
        settings.database.url = SecretString::from(proxied_url);
        settings.database.acquire_timeout_seconds = 1;
        settings.database.connect_timeout_seconds = 1;
        customise(settings);
    })
    .await;
    Some((app, proxy))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_file_storage_degrades_and_uploads_answer_503() {
    let app = TestApp::spawn_with(|settings| {
        settings.storage.backend = trove_bootstrap::settings::StorageBackend::S3;
        settings.storage.s3_bucket = Some("trove-files".into());
        settings.storage.kms_key_id = Some("alias/trove-files".into());
        settings.aws.endpoint_url = Some("http://127.0.0.1:1".into());
        settings.aws.access_key_id = Some("testing".into());
        settings.aws.secret_access_key = Some("testing".to_owned().into());
    })
    .await;
    let response = app.get("/health/detailed").await;
    assert_eq!(response.status(), 200, "storage is optional");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    let storage = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["name"] == "storage")
        .unwrap();
    assert_eq!(storage["status"], "down", "{storage}");

    // Signing needs no network; checking what was stored does, and says so with a 503.
    let ann = app.token(trove_api::auth::TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let declared = app
        .call(
            reqwest::Method::POST,
            "/api/v1/uploads",
            &ann,
            Some(serde_json::json!({
                "vendor_id": vendor,
                "purpose": "product_image",
                "content_type": "image/png",
                "size_bytes": 10,
            })),
        )
        .await;
    assert_eq!(declared.status(), 201);
    let id = support::json_of(declared).await["upload"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirm = app
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/uploads/{id}/confirm"),
            &ann,
            None,
        )
        .await;
    support::error_body(confirm, 503, "service_unavailable").await;
    let detail = support::json_of(app.get_as(&format!("/api/v1/uploads/{id}"), &ann).await).await;
    assert_eq!(detail["upload"]["status"], "pending");
}
