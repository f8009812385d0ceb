//! Helpers shared by the worker's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use aws_config::{BehaviorVersion, Region};
use aws_sdk_sqs::config::Credentials;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::{AwsSettings, QueueBackend, QueueSettings};

/// The SQS stand-in named by `TEST_SQS_ENDPOINT`, if any.
pub fn sqs_endpoint() -> Option<String> {
    std::env::var("TEST_SQS_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
}

/// A fresh queue on the stand-in at `sqs_endpoint`, and settings whose clients reach it
/// through `client_endpoint` (the same, or a proxy in front of it).
pub async fn sqs_settings(sqs_endpoint: &str, client_endpoint: &str) -> Settings {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(sqs_endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await;
    let name = format!("trove-test-{}", uuid::Uuid::new_v4().simple());
    let created = aws_sdk_sqs::Client::new(&config)
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap();
    Settings {
        queue: QueueSettings {
            backend: QueueBackend::Sqs,
            sqs_queue_url: created.queue_url().map(str::to_owned),
            receive_wait_seconds: 0,
            ..QueueSettings::default()
        },
        aws: AwsSettings {
            endpoint_url: Some(client_endpoint.to_owned()),
            access_key_id: Some("testing".into()),
            secret_access_key: Some("testing".to_owned().into()),
            ..AwsSettings::default()
        },
        ..Settings::default()
    }
}
