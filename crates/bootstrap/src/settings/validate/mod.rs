//! The rules a loaded `Settings` must satisfy before anything starts.

use super::{Environment, Settings};
use secrecy::ExposeSecret;
use std::fmt;

/// One broken rule: the key, and what it should hold instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    pub key: &'static str,
    pub expected: String,
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variable = format!("TROVE__{}", self.key.replace('.', "__").to_uppercase());
        write!(
            f,
            "invalid setting `{}` ({variable}): {}",
            self.key, self.expected
        )
    }
}

const DATABASE_SCHEMES: [&str; 5] = ["sqlite:", "mysql:", "mariadb:", "postgres:", "postgresql:"];

impl Settings {
    /// Checks every rule and reports all broken ones at once.
    pub fn validate(&self) -> Result<(), Vec<InvalidSetting>> {
        let mut problems = Vec::new();
        let mut require = |ok: bool, key: &'static str, expected: &str| {
            if !ok {
                problems.push(InvalidSetting {
                    key,
                    expected: expected.to_owned(),
                });
            }
        };

        require(
            !self.server.host.trim().is_empty(),
            "server.host",
            "an address to bind, e.g. 127.0.0.1 or 0.0.0.0",
        );

        let database_url = self.database.url.expose_secret();
        require(
            DATABASE_SCHEMES
                .iter()
                .any(|scheme| database_url.starts_with(scheme)),
            "database.url",
            "a URL starting with sqlite://, mysql:// or postgres://",
        );
        require(
            self.database.max_connections >= 1,
            "database.max_connections",
            "at least 1",
        );
        require(
            self.database.min_connections <= self.database.max_connections,
            "database.min_connections",
            "no more than database.max_connections",
        );
        require(
            self.database.connect_timeout_seconds >= 1,
            "database.connect_timeout_seconds",
            "at least 1 second",
        );
        require(
            self.database.acquire_timeout_seconds >= 1,
            "database.acquire_timeout_seconds",
            "at least 1 second",
        );
        require(
            (1..=3600).contains(&self.database.statement_timeout_seconds),
            "database.statement_timeout_seconds",
            "1 to 3600 seconds",
        );

        require(
            (1..=1_000_000).contains(&self.log.successful_public_sample_every),
            "log.successful_public_sample_every",
            "1 to 1000000 (1 logs every request)",
        );

        require(
            self.http.body_limit_bytes >= 1024,
            "http.body_limit_bytes",
            "at least 1024 bytes",
        );
        require(
            self.http
                .cors_allowed_origins
                .iter()
                .all(|origin| is_origin(origin)),
            "http.cors_allowed_origins",
            "origins like https://admin.example.com (scheme and host, no path, no wildcard)",
        );

        require(
            self.rate_limit.per_second >= 1,
            "rate_limit.per_second",
            "at least 1 request per second",
        );
        require(self.rate_limit.burst >= 1, "rate_limit.burst", "at least 1");
        require(
            (1..=100_000).contains(&self.storefront_cache.max_entries),
            "storefront_cache.max_entries",
            "between 1 and 100000",
        );
        require(
            self.rate_limit.redis_url.as_ref().is_none_or(|url| {
                let url = url.expose_secret();
                url.starts_with("redis://") || url.starts_with("rediss://")
            }),
            "rate_limit.redis_url",
            "a URL starting with redis:// or rediss://",
        );

        require(
            self.log
                .level
                .parse::<tracing_subscriber::EnvFilter>()
                .is_ok(),
            "log.level",
            "a tracing filter such as `info` or `info,trove_api=debug`",
        );
        require(
            self.sentry
                .dsn
                .as_ref()
                .is_none_or(|dsn| dsn.expose_secret().parse::<sentry::types::Dsn>().is_ok()),
            "sentry.dsn",
            "a Sentry DSN such as https://key@o0.ingest.sentry.io/0",
        );

        require(
            self.worker.poll_interval_ms >= 10,
            "worker.poll_interval_ms",
            "at least 10 milliseconds",
        );
        require(
            (1..=256).contains(&self.worker.concurrency),
            "worker.concurrency",
            "1 to 256 jobs at a time",
        );
        require(
            (1..=256).contains(&self.worker.slow_concurrency),
            "worker.slow_concurrency",
            "1 to 256 slow jobs at a time (on top of worker.concurrency)",
        );
        require(
            (5..=43_200).contains(&self.worker.lease_seconds),
            "worker.lease_seconds",
            "5 seconds to 12 hours (also the SQS visibility timeout)",
        );
        require(
            self.worker.max_attempts >= 1,
            "worker.max_attempts",
            "at least 1",
        );
        require(
            self.worker.retry_base_seconds >= 1
                && self.worker.retry_base_seconds <= self.worker.retry_max_seconds,
            "worker.retry_base_seconds",
            "at least 1 second and no more than worker.retry_max_seconds",
        );

        require(
            self.auth.leeway_seconds <= 60,
            "auth.leeway_seconds",
            "at most 60 seconds",
        );
        require(
            self.auth.jwks_refetch_cooldown_seconds >= 1,
            "auth.jwks_refetch_cooldown_seconds",
            "at least 1 second",
        );
        require(
            self.auth.issuer.as_deref().is_none_or(is_http_url),
            "auth.issuer",
            "an https:// URL such as https://trove.eu.auth0.com/",
        );
        require(
            self.auth.issuer.is_none() || self.auth.audience.is_some(),
            "auth.audience",
            "the API audience configured in Auth0 (required with auth.issuer)",
        );
        require(
            self.auth.jwks_url.as_deref().is_none_or(is_http_url),
            "auth.jwks_url",
            "an http(s):// URL",
        );
        require(
            self.features.keys().all(|name| is_flag_name(name)),
            "features",
            "flag names of lowercase letters, digits and underscores",
        );

        require(
            self.mail.from_address.contains('@'),
            "mail.from_address",
            "an email address",
        );
        require(
            self.mail.timeout_seconds >= 1,
            "mail.timeout_seconds",
            "at least 1 second",
        );
        require(
            is_http_url(&self.mail.admin_portal_url),
            "mail.admin_portal_url",
            "an http(s):// URL",
        );

        require(
            self.queue.backend != super::QueueBackend::Sqs
                || self.queue.sqs_queue_url.as_deref().is_some_and(is_http_url),
            "queue.sqs_queue_url",
            "the SQS queue URL (required with queue.backend = sqs)",
        );
        require(
            self.queue.receive_wait_seconds <= 20,
            "queue.receive_wait_seconds",
            "0 to 20 seconds (SQS long polling)",
        );
        require(
            (1..=60).contains(&self.rate_limit.password_attempts_per_minute),
            "rate_limit.password_attempts_per_minute",
            "1 to 60",
        );
        require(
            self.orders.platform_fee_basis_points <= 10_000,
            "orders.platform_fee_basis_points",
            "0 to 10000 basis points",
        );
        require(
            (1..=365).contains(&self.orders.redemption_days),
            "orders.redemption_days",
            "1 to 365 days",
        );
        require(
            is_http_url(&self.orders.redeem_url),
            "orders.redeem_url",
            "an http(s) URL of the Customer Frontend's gift page",
        );
        require(
            (1..=24 * 30).contains(&self.orders.idempotency_hours),
            "orders.idempotency_hours",
            "1 hour to 30 days",
        );
        require(
            (5..=3600).contains(&self.orders.idempotency_in_progress_seconds),
            "orders.idempotency_in_progress_seconds",
            "5 seconds to 1 hour",
        );
        require(
            self.aws.access_key_id.is_some() == self.aws.secret_access_key.is_some(),
            "aws.secret_access_key",
            "set together with aws.access_key_id, or neither",
        );
        require(
            self.aws.endpoint_url.as_deref().is_none_or(is_http_url),
            "aws.endpoint_url",
            "an http(s) URL",
        );
        let s3 = self.storage.backend == super::StorageBackend::S3;
        require(
            !s3 || self
                .storage
                .s3_bucket
                .as_deref()
                .is_some_and(|b| !b.is_empty()),
            "storage.s3_bucket",
            "the bucket name (required with storage.backend = s3)",
        );
        require(
            !s3 || self
                .storage
                .kms_key_id
                .as_deref()
                .is_some_and(|k| !k.is_empty()),
            "storage.kms_key_id",
            "the KMS key objects are encrypted with (required with storage.backend = s3)",
        );
        require(
            (60..=7 * 24 * 3600).contains(&self.storage.upload_url_seconds),
            "storage.upload_url_seconds",
            "60 seconds to 7 days (the longest a pre-signed S3 URL lives)",
        );
        require(
            (10..=7 * 24 * 3600).contains(&self.storage.download_url_seconds),
            "storage.download_url_seconds",
            "10 seconds to 7 days",
        );
        require(
            self.storage
                .public_base_url
                .as_deref()
                .is_none_or(is_http_url),
            "storage.public_base_url",
            "an http(s) URL",
        );

        for (key, value) in [
            ("stripe.api_base", &self.stripe.api_base),
            ("stripe.connect_base", &self.stripe.connect_base),
            (
                "stripe.onboarding_return_url",
                &self.stripe.onboarding_return_url,
            ),
            (
                "stripe.onboarding_refresh_url",
                &self.stripe.onboarding_refresh_url,
            ),
            ("stripe.oauth_redirect_url", &self.stripe.oauth_redirect_url),
        ] {
            require(is_http_url(value), key, "an http(s) URL");
        }
        require(
            (1..=3600).contains(&self.stripe.webhook_tolerance_seconds),
            "stripe.webhook_tolerance_seconds",
            "1 to 3600 seconds (Stripe's own default is 300)",
        );
        require(
            (1..=120).contains(&self.stripe.timeout_seconds),
            "stripe.timeout_seconds",
            "1 to 120 seconds",
        );

        require(
            self.secrets.backend != super::SecretsBackend::Kms
                || self
                    .secrets
                    .kms_key_id
                    .as_deref()
                    .is_some_and(|k| !k.is_empty()),
            "secrets.kms_key_id",
            "the KMS key that wraps stored credentials (required with secrets.backend = kms)",
        );
        for (key, value) in [
            ("shopify.app_url", &self.shopify.app_url),
            (
                "shopify.shop_base_url",
                &self.shopify.shop_base_url.replace("{shop}", "shop"),
            ),
        ] {
            require(is_http_url(value), key, "an http(s) URL");
        }
        require(
            self.shopify.shop_base_url.contains("{shop}"),
            "shopify.shop_base_url",
            "a URL containing `{shop}`, e.g. https://{shop}",
        );
        require(
            is_api_version(&self.shopify.api_version),
            "shopify.api_version",
            "a Shopify API version, YYYY-MM (e.g. 2025-10)",
        );
        require(
            self.shopify.api_key.is_some() == self.shopify.api_secret.is_some(),
            "shopify.api_secret",
            "set together with shopify.api_key, or neither",
        );
        require(
            (1..=120).contains(&self.shopify.timeout_seconds),
            "shopify.timeout_seconds",
            "1 to 120 seconds",
        );

        if self.env == Environment::Production {
            require(
                self.secrets.backend != super::SecretsBackend::Local,
                "secrets.backend",
                "kms: the local key file is an embedded backend and the production profile refuses it",
            );
            require(
                self.mail.transport != super::MailTransport::Outbox,
                "mail.transport",
                "smtp: the outbox folder is an embedded backend and the production profile refuses it",
            );
            require(
                !self.auth.dev_issuer,
                "auth.dev_issuer",
                "false: the local dev issuer is refused in production",
            );
            require(
                self.auth.signing_key.is_some(),
                "auth.signing_key",
                "the API's Ed25519 signing key (PKCS#8, base64); production does not generate one",
            );
            require(
                self.storage.backend != super::StorageBackend::Local,
                "storage.backend",
                "s3: the local folder is an embedded backend and the production profile refuses it",
            );
            require(
                self.stripe.secret_key.is_none() || self.stripe.webhook_secret.is_some(),
                "stripe.webhook_secret",
                "the webhook signing secret (required with stripe.secret_key: payments confirm through webhooks)",
            );
            require(
                !database_url.starts_with("sqlite:"),
                "database.url",
                "MySQL/MariaDB or PostgreSQL: SQLite is an embedded backend and the production profile refuses it",
            );
        }

        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn is_http_url(value: &str) -> bool {
    value.starts_with("https://") || value.starts_with("http://")
}

/// `YYYY-MM`, the form of Shopify's quarterly API versions.
fn is_api_version(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 7
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, byte)| i == 4 || byte.is_ascii_digit())
}

fn is_flag_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// `scheme://host[:port]`, nothing more: what a browser sends in `Origin`.
fn is_origin(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '*', '?', '#', ' '])
}

#[cfg(test)]
mod tests;
