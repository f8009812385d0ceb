//! The one place AWS clients get their configuration: region, an optional endpoint (a
//! local stand-in such as moto), and static credentials when set, else the default chain
//! (environment, profile, IAM role). SQS, S3 and KMS clients are all built from it.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use secrecy::ExposeSecret;
use trove_bootstrap::settings::AwsSettings;

pub async fn sdk_config(settings: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()));
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let (Some(key), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
        loader = loader.credentials_provider(Credentials::new(
            key,
            secret.expose_secret(),
            None,
            None,
            "trove-settings",
        ));
    }
    loader.load().await
}
