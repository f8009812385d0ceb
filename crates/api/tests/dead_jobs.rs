//! Dead jobs as an admin sees them: listed with their last error, retried one by one or
//! redriven by kind; and the queue as /metrics reports it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{TestApp, error_body};
use trove_api::auth::TokenType;
use trove_data_access::jobs;
use trove_domain::ids::JobId;

async fn dead_job(app: &TestApp, kind: &str, error: &str) -> JobId {
    let id = JobId::new();
    jobs::enqueue_raw(
        &app.database.db,
        id,
        kind,
        r#"{"secret":"s3cr3t"}"#,
        3,
        jobs::now(),
    )
    .await
    .unwrap();
    jobs::bury(&app.database.db, id, error).await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_list_retry_and_redrive_dead_jobs() {
    let app = TestApp::spawn().await;
    app.expect_dead_jobs();
    let admin = app.token(TokenType::Admin, "root@trove.example");
    let first = dead_job(&app, "send_email", "550 mailbox unavailable").await;
    dead_job(&app, "send_email", "550 mailbox unavailable").await;
    dead_job(&app, "notify_slack", "404 no_service").await;

    let all: Value = app
        .get_as("/api/v1/admin/jobs/dead?per_page=2", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            all["total"].as_u64(),
            all["items"].as_array().unwrap().len()
        ),
        (Some(3), 2)
    );
    let emails: Value = app
        .get_as("/api/v1/admin/jobs/dead?kind=send_email", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emails["total"], 2);
    assert_eq!(emails["items"][0]["last_error"], "550 mailbox unavailable");
    assert!(
        !emails.to_string().contains("s3cr3t"),
        "payloads are not shown"
    );

    let retried = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/jobs/{first}/retry"),
            &admin,
            None,
        )
        .await;
    assert_eq!(retried.status(), 204);
    let row = jobs::find(&app.database.db, first).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
    let again = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/jobs/{first}/retry"),
            &admin,
            None,
        )
        .await;
    error_body(again, 404, "not_found").await;

    let redriven: Value = app
        .call(
            Method::POST,
            "/api/v1/admin/jobs/redrive",
            &admin,
            Some(json!({"kind": "send_email"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(redriven["redriven"], 1, "only the one still dead");
    let left: Value = app
        .get_as("/api/v1/admin/jobs/dead", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left["total"], 1);
    assert_eq!(left["items"][0]["kind"], "notify_slack");

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"trove_queue_jobs{status="dead"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"trove_queue_jobs{status="pending"} 2"#),
        "{metrics}"
    );
    assert!(metrics.contains("trove_queue_oldest_due_age_seconds"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_jobs_are_for_admins_only() {
    let app = TestApp::spawn().await;
    app.expect_dead_jobs();
    let staff = app.token(TokenType::Vendor, "ann@example.com");
    let id = dead_job(&app, "send_email", "550").await;
    error_body(
        app.get_as("/api/v1/admin/jobs/dead", &staff).await,
        403,
        "forbidden",
    )
    .await;
    error_body(
        app.call(
            Method::POST,
            &format!("/api/v1/admin/jobs/{id}/retry"),
            &staff,
            None,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let row = jobs::find(&app.database.db, id).await.unwrap().unwrap();
    assert_eq!(row.status.as_str(), "dead", "unchanged");
}
