//! Every rule refuses what it should and names the key.

use super::*;
use secrecy::SecretString;

fn keys_of(settings: &Settings) -> Vec<&'static str> {
    settings
        .validate()
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|problem| problem.key)
        .collect()
}

#[test]
fn defaults_are_valid() {
    assert_eq!(Settings::default().validate(), Ok(()));
}

fn production() -> Settings {
    let mut settings = Settings {
        env: Environment::Production,
        ..Settings::default()
    };
    settings.auth.signing_key = Some(SecretString::from("c2lnbmluZw=="));
    settings.mail.transport = crate::settings::MailTransport::Smtp;
    settings.storage.backend = crate::settings::StorageBackend::S3;
    settings.storage.s3_bucket = Some("trove-files".into());
    settings.storage.kms_key_id = Some("alias/trove-files".into());
    settings.secrets.backend = crate::settings::SecretsBackend::Kms;
    settings.secrets.kms_key_id = Some("alias/trove-secrets".into());
    settings
}

#[test]
fn production_refuses_sqlite_and_names_the_key() {
    let settings = production();
    let problems = settings.validate().err().unwrap_or_default();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].key, "database.url");
    assert!(problems[0].to_string().contains("TROVE__DATABASE__URL"));
    assert!(problems[0].expected.contains("production"));
}

#[test]
fn production_refuses_the_dev_issuer_and_requires_a_signing_key() {
    let mut settings = production();
    settings.database.url = SecretString::from("mysql://trove:secret@db:3306/trove");
    settings.auth.dev_issuer = true;
    settings.auth.signing_key = None;
    assert_eq!(keys_of(&settings), ["auth.dev_issuer", "auth.signing_key"]);
}

#[test]
fn an_issuer_needs_an_audience() {
    let mut settings = Settings::default();
    settings.auth.issuer = Some("https://trove.eu.auth0.com/".into());
    assert_eq!(keys_of(&settings), ["auth.audience"]);
    settings.auth.audience = Some("https://api.trove.example".into());
    assert_eq!(settings.validate(), Ok(()));
    assert_eq!(
        settings.auth.jwks_url().as_deref(),
        Some("https://trove.eu.auth0.com/.well-known/jwks.json")
    );
}

#[test]
fn stripe_needs_a_webhook_secret_in_production_and_sane_limits() {
    let mut settings = production();
    settings.database.url = SecretString::from("mysql://trove:secret@db:3306/trove");
    settings.stripe.secret_key = Some(SecretString::from("sk_live_x"));
    assert_eq!(keys_of(&settings), vec!["stripe.webhook_secret"]);
    settings.stripe.webhook_secret = Some(SecretString::from("whsec_x"));
    assert!(keys_of(&settings).is_empty());
    settings.stripe.webhook_tolerance_seconds = 0;
    settings.stripe.api_base = "api.stripe.com".into();
    assert_eq!(
        keys_of(&settings),
        vec!["stripe.api_base", "stripe.webhook_tolerance_seconds"]
    );
}

#[test]
fn production_accepts_a_server_database() {
    let mut settings = production();
    settings.database.url = SecretString::from("mysql://trove:secret@db:3306/trove");
    assert_eq!(settings.validate(), Ok(()));
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let mut settings = Settings::default();
    settings.database.url = SecretString::from("oracle://x");
    settings.database.min_connections = 50;
    settings.rate_limit.per_second = 0;
    settings.http.cors_allowed_origins = vec!["*".into(), "https://ok.example".into()];
    assert_eq!(
        keys_of(&settings),
        [
            "database.url",
            "database.min_connections",
            "http.cors_allowed_origins",
            "rate_limit.per_second"
        ]
    );
}

#[test]
fn the_slow_lane_needs_a_slot() {
    let mut settings = Settings::default();
    settings.worker.slow_concurrency = 0;
    assert_eq!(keys_of(&settings), ["worker.slow_concurrency"]);
}

#[test]
fn origins_must_be_scheme_and_host_only() {
    assert!(is_origin("https://admin.example.com"));
    assert!(is_origin("http://localhost:5173"));
    assert!(!is_origin("*"));
    assert!(!is_origin("https://*.example.com"));
    assert!(!is_origin("https://example.com/path"));
    assert!(!is_origin("example.com"));
}

#[test]
fn a_bad_database_url_is_not_echoed() {
    let mut settings = Settings::default();
    settings.database.url = SecretString::from("oracle://user:hunter2@x");
    let problems = settings.validate().err().unwrap_or_default();
    assert!(problems.iter().all(|p| !p.to_string().contains("hunter2")));
}

#[test]
fn credentials_at_rest_need_kms_in_production() {
    let mut settings = production();
    settings.database.url = SecretString::from("mysql://trove:secret@db:3306/trove");
    settings.secrets.kms_key_id = None;
    assert_eq!(keys_of(&settings), ["secrets.kms_key_id"]);
    settings.secrets.backend = crate::settings::SecretsBackend::Local;
    assert_eq!(keys_of(&settings), ["secrets.backend"]);
}

#[test]
fn shopify_settings_name_what_is_wrong() {
    let mut settings = Settings::default();
    settings.shopify.api_key = Some("key".into());
    settings.shopify.api_version = "2025-1".into();
    settings.shopify.shop_base_url = "http://127.0.0.1:9/shops".into();
    assert_eq!(
        keys_of(&settings),
        [
            "shopify.shop_base_url",
            "shopify.api_version",
            "shopify.api_secret"
        ]
    );
    settings.shopify.api_secret = Some(SecretString::from("shpss_x"));
    settings.shopify.api_version = "2025-10".into();
    settings.shopify.shop_base_url = "http://127.0.0.1:9/{shop}/".into();
    assert_eq!(settings.validate(), Ok(()));
    assert_eq!(
        settings.shopify.shop_base("a-shop.myshopify.com"),
        "http://127.0.0.1:9/a-shop.myshopify.com"
    );
}
