//! The settings of what lies outside the process (mail, the queue, AWS, file storage,
//! Stripe) and of the order rules; `Settings` holds one of each.

use secrecy::SecretString;
use serde::Deserialize;
use std::time::Duration;

/// How email leaves the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Write `.eml` files to `mail.outbox_dir` (embedded mode; refused in production).
    #[default]
    Outbox,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a local relay or a test sink.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub outbox_dir: String,
    /// Sender address; the display name is the vendor's (or `from_name`).
    pub from_address: String,
    pub from_name: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<SecretString>,
    pub timeout_seconds: u64,
    /// Where the Admin Portal lives, for links in emails (e.g. accepting an invitation).
    pub admin_portal_url: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: MailTransport::Outbox,
            outbox_dir: "data/outbox".into(),
            from_address: "no-reply@trove.localhost".into(),
            from_name: "Trove".into(),
            smtp_host: "localhost".into(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            timeout_seconds: 10,
            admin_portal_url: "http://localhost:5173".into(),
        }
    }
}

/// Where the worker takes jobs from. Either way, requests write jobs to the jobs table in
/// their own transaction (the outbox); with SQS a relay publishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueBackend {
    /// The jobs table itself is the queue.
    #[default]
    Sql,
    Sqs,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSettings {
    pub backend: QueueBackend,
    /// The main queue, e.g. `https://sqs.eu-west-1.amazonaws.com/123456789012/trove-jobs`.
    pub sqs_queue_url: Option<String>,
    /// Long-poll wait of each receive, 0–20 seconds.
    pub receive_wait_seconds: u64,
    /// How often the relay looks for jobs to publish.
    pub relay_interval_ms: u64,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            backend: QueueBackend::Sql,
            sqs_queue_url: None,
            receive_wait_seconds: 20,
            relay_interval_ms: 200,
        }
    }
}

/// How every AWS client (SQS, S3, KMS) reaches AWS.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsSettings {
    pub region: String,
    /// Another endpoint for every AWS service (a local stand-in); AWS's own when unset.
    pub endpoint_url: Option<String>,
    /// Static credentials; the default AWS chain (env, profile, IAM role) when unset.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            region: "us-east-1".into(),
            endpoint_url: None,
            access_key_id: None,
            secret_access_key: None,
        }
    }
}

/// Where uploaded files live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// A local folder; the API serves HMAC-signed, expiring URLs itself.
    #[default]
    Local,
    /// An S3 bucket with SSE-KMS; clients use pre-signed URLs.
    S3,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    pub backend: StorageBackend,
    /// Folder of the local backend.
    pub local_dir: String,
    /// HMAC key of the local backend's URLs (base64, at least 32 bytes); outside
    /// production a missing key is generated once into `local_url_key_file`.
    pub local_url_key: Option<SecretString>,
    pub local_url_key_file: String,
    /// Absolute base the local backend's URLs start with, e.g. `https://api.example.com`;
    /// the request's own scheme and host when unset.
    pub public_base_url: Option<String>,
    pub s3_bucket: Option<String>,
    /// The KMS key every object is encrypted with (id, ARN or alias).
    pub kms_key_id: Option<String>,
    /// Address buckets as `endpoint/bucket/key` (S3 stand-ins) instead of virtual hosts.
    pub s3_force_path_style: bool,
    /// Lifetime of an upload URL.
    pub upload_url_seconds: u64,
    /// Lifetime of a download URL.
    pub download_url_seconds: u64,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            backend: StorageBackend::Local,
            local_dir: "data/files".into(),
            local_url_key: None,
            local_url_key_file: "data/files-url-key.b64".into(),
            public_base_url: None,
            s3_bucket: None,
            kms_key_id: None,
            s3_force_path_style: false,
            upload_url_seconds: 900,
            download_url_seconds: 300,
        }
    }
}

impl StorageSettings {
    pub fn upload_url_ttl(&self) -> Duration {
        Duration::from_secs(self.upload_url_seconds)
    }

    pub fn download_url_ttl(&self) -> Duration {
        Duration::from_secs(self.download_url_seconds)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderSettings {
    /// The platform fee in basis points of items + shipping (500 = 5 %).
    pub platform_fee_basis_points: u32,
    /// How long a gift's redemption code works after it is sent.
    pub redemption_days: u32,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_hours: u32,
    /// How long a key whose request has not answered stays claimed: a retry in that time
    /// is 409; after it, the retry finds the stored answer or runs afresh (the first
    /// request's outcome was lost, e.g. the process killed or the database gone at commit).
    pub idempotency_in_progress_seconds: u32,
    /// The Customer Frontend's gift page; a gift link is `{redeem_url}/{code}`.
    pub redeem_url: String,
}

impl Default for OrderSettings {
    fn default() -> Self {
        Self {
            platform_fee_basis_points: 500,
            redemption_days: 30,
            idempotency_hours: 24,
            idempotency_in_progress_seconds: 120,
            redeem_url: "http://localhost:5174/gift".into(),
        }
    }
}

/// Card payments and vendor payouts through Stripe Connect. Without `secret_key`, card
/// checkout and the vendor payment routes answer that payments are not configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StripeSettings {
    /// The platform's secret API key (`sk_live_…` / `sk_test_…`).
    pub secret_key: Option<SecretString>,
    /// The platform's Connect client id (`ca_…`), for connecting an existing account.
    pub client_id: Option<String>,
    /// Stripe's API; tests point it at a local stand-in.
    pub api_base: String,
    /// Where Connect OAuth lives (authorize page and token exchange).
    pub connect_base: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: Option<SecretString>,
    /// The previous signing secret while a rotation is under way: either may sign.
    pub webhook_secret_previous: Option<SecretString>,
    /// How old a signed webhook may be.
    pub webhook_tolerance_seconds: u64,
    /// The longest one Stripe request may take.
    pub timeout_seconds: u64,
    /// Admin Portal page Stripe returns the vendor to after onboarding.
    pub onboarding_return_url: String,
    /// Admin Portal page Stripe sends the vendor to when a link expired (it asks for a new one).
    pub onboarding_refresh_url: String,
    /// Admin Portal page the Connect OAuth flow returns to (with `code` and `state`).
    pub oauth_redirect_url: String,
}

impl Default for StripeSettings {
    fn default() -> Self {
        Self {
            secret_key: None,
            client_id: None,
            api_base: "https://api.stripe.com/".into(),
            connect_base: "https://connect.stripe.com/".into(),
            webhook_secret: None,
            webhook_secret_previous: None,
            webhook_tolerance_seconds: 300,
            timeout_seconds: 20,
            onboarding_return_url: "http://localhost:5173/settings/payments?onboarding=done".into(),
            onboarding_refresh_url: "http://localhost:5173/settings/payments?onboarding=expired"
                .into(),
            oauth_redirect_url: "http://localhost:5173/settings/payments/connected".into(),
        }
    }
}
