//! The Slack handler against a local stand-in that accepts, rate limits or has lost
//! the webhook.

use crate::fixture;
use actix_web::{App, HttpResponse, HttpServer, web};
use std::time::Duration;
use trove_data_access::vendors;
use trove_domain::job::{JobPayload, NotifySlack};
use trove_worker::Outcome;

/// A Slack stand-in: `/ok` accepts, `/limited` is rate limited for 120 s, `/gone` is a
/// deleted webhook.
fn fake_slack() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| {
        App::new()
            .route(
                "/ok",
                web::post().to(|body: web::Json<serde_json::Value>| async move {
                    assert!(body["text"].is_string());
                    HttpResponse::Ok().body("ok")
                }),
            )
            .route(
                "/limited",
                web::post().to(|| async {
                    HttpResponse::TooManyRequests()
                        .insert_header(("retry-after", "120"))
                        .body("rate_limited")
                }),
            )
            .route(
                "/gone",
                web::post().to(|| async { HttpResponse::NotFound().body("no_service") }),
            )
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_notifications_follow_slacks_answers() {
    let fixture = fixture().await;
    let slack = fake_slack();
    let notify = JobPayload::NotifySlack(NotifySlack {
        v: 1,
        vendor_id: fixture.vendor.as_uuid(),
        text: "New order #1001".into(),
    });
    let worker = fixture.worker().await;
    let mut outcomes = Vec::new();
    for path in ["/ok", "/limited", "/gone"] {
        let vendor = vendors::find(&fixture.database.db, fixture.vendor)
            .await
            .unwrap()
            .unwrap();
        let changes = vendors::VendorChanges {
            slack_webhook_url: Some(Some(format!("{slack}{path}"))),
            ..Default::default()
        };
        vendors::update(&fixture.database.db, vendor, changes)
            .await
            .unwrap();
        fixture.enqueue(&notify).await;
        outcomes.push(worker.run_once().await.unwrap().unwrap());
    }
    assert_eq!(outcomes[0], Outcome::Completed);
    assert!(
        matches!(&outcomes[1], Outcome::Retrying { delay, .. } if *delay >= Duration::from_secs(120)),
        "Retry-After is respected: {:?}",
        outcomes[1]
    );
    assert!(
        matches!(&outcomes[2], Outcome::Dead { reason } if reason.contains("404")),
        "{:?}",
        outcomes[2]
    );
}
