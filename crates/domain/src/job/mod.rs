//! The life of a queued job: its payloads (kind, lane), states, and the wait between attempts.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Work for the worker, as stored in the queue: one variant per job kind, tagged by
/// `kind`, each carrying its own payload version `v` so old rows stay readable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobPayload {
    SendEmail(SendEmail),
    NotifySlack(NotifySlack),
    ProcessShopifyWebhook(ProcessShopifyWebhook),
    SyncProducts(SyncProducts),
    GenerateInvoice(GenerateInvoice),
    PushOrder(PushOrder),
    SendGift(SendGift),
    ProcessRecipientUpload(ProcessRecipientUpload),
    ProcessStripeEvent(ProcessStripeEvent),
}

impl JobPayload {
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::SendEmail(_) => SendEmail::KIND,
            Self::NotifySlack(_) => NotifySlack::KIND,
            Self::ProcessShopifyWebhook(_) => ProcessShopifyWebhook::KIND,
            Self::SyncProducts(_) => SyncProducts::KIND,
            Self::GenerateInvoice(_) => GenerateInvoice::KIND,
            Self::PushOrder(_) => PushOrder::KIND,
            Self::SendGift(_) => SendGift::KIND,
            Self::ProcessRecipientUpload(_) => ProcessRecipientUpload::KIND,
            Self::ProcessStripeEvent(_) => ProcessStripeEvent::KIND,
        }
    }

    /// Attempts before the job is dead. Email is worth retrying for longer than a chat
    /// notification that loses its point after a while.
    pub const fn max_attempts(&self) -> u32 {
        match self {
            Self::SendEmail(_) | Self::SendGift(_) => 8,
            Self::NotifySlack(_) => 5,
            Self::ProcessShopifyWebhook(_) | Self::SyncProducts(_) => 10,
            Self::ProcessStripeEvent(_) => 12,
            Self::ProcessRecipientUpload(_) => 5,
            Self::GenerateInvoice(_) | Self::PushOrder(_) => 12,
        }
    }
}

/// An email rendered from its typed template with the vendor's branding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SendEmail {
    /// Payload version, bumped when fields change meaning.
    pub v: u32,
    pub to: String,
    /// The vendor whose branding (name, sender) the email carries, if any.
    #[serde(default)]
    pub vendor_id: Option<uuid::Uuid>,
    /// Stored as `template` and `vars` beside the other fields.
    #[serde(flatten)]
    pub email: crate::email_template::EmailTemplate,
}

impl SendEmail {
    pub const KIND: &'static str = "send_email";
}

/// A message to a vendor's Slack incoming webhook.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotifySlack {
    pub v: u32,
    pub vendor_id: uuid::Uuid,
    pub text: String,
}

impl NotifySlack {
    pub const KIND: &'static str = "notify_slack";
}

/// A Shopify webhook delivery, verified and stored by the API, to be applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcessShopifyWebhook {
    pub v: u32,
    pub vendor_id: uuid::Uuid,
    /// `X-Shopify-Shop-Domain`: the delivery is stale when the vendor's shop is another now.
    #[serde(default)]
    pub shop: String,
    /// `X-Shopify-Topic`, e.g. `products/update` or `app/uninstalled`.
    pub topic: String,
    /// `X-Shopify-Webhook-Id`: Shopify may deliver the same webhook more than once.
    pub webhook_id: String,
    /// The raw JSON body as Shopify sent it.
    pub body: String,
}

impl ProcessShopifyWebhook {
    pub const KIND: &'static str = "process_shopify_webhook";
}

/// Import or refresh a vendor's catalogue from its connected store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncProducts {
    pub v: u32,
    pub vendor_id: uuid::Uuid,
    /// The `shopify_syncs` row this run reports its progress in.
    #[serde(default)]
    pub sync_id: Option<uuid::Uuid>,
}

impl SyncProducts {
    pub const KIND: &'static str = "sync_products";
}

/// Create a vendor's fee invoice in Xero for one payout cycle.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GenerateInvoice {
    pub v: u32,
    pub vendor_id: uuid::Uuid,
    /// The payout cycle, `YYYY-MM-DD` dates, end exclusive.
    pub period_start: String,
    pub period_end: String,
}

impl GenerateInvoice {
    pub const KIND: &'static str = "generate_invoice";
}

/// Push one recipient's shipment to the vendor's fulfilment system.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushOrder {
    pub v: u32,
    pub order_id: uuid::Uuid,
    pub recipient_id: uuid::Uuid,
}

impl PushOrder {
    pub const KIND: &'static str = "push_order";
}

/// Send one recipient their gift link on the scheduled date. The code travels only in
/// this payload (the database keeps its hash); a job whose code is no longer the
/// recipient's (the gift was reissued) does nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SendGift {
    pub v: u32,
    pub order_id: uuid::Uuid,
    pub recipient_id: uuid::Uuid,
    pub code: String,
}

impl SendGift {
    pub const KIND: &'static str = "send_gift";
}

/// Read a bulk recipient CSV into a recipient list. Starts over when retried.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcessRecipientUpload {
    pub v: u32,
    pub list_id: uuid::Uuid,
}

impl ProcessRecipientUpload {
    pub const KIND: &'static str = "process_recipient_upload";
}

/// Apply one stored Stripe webhook event (by its Stripe id). Applying is idempotent, so a
/// retried job or a redelivered event changes nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcessStripeEvent {
    pub v: u32,
    pub event_id: String,
}

impl ProcessStripeEvent {
    pub const KIND: &'static str = "process_stripe_event";
}

/// A payload type as the worker sees it: the kind its rows are stored under and the lane it
/// runs in. A handler takes one such type; the worker decodes a stored job straight into it
/// (the row's kind chose the type, so the stored `kind` tag is not read again).
pub trait JobKind: serde::de::DeserializeOwned + Send + 'static {
    const KIND: &'static str;
    const LANE: Lane;
}

/// The worker lane a kind runs in, each with its own concurrency limit: kinds that can run
/// for minutes (a 10,000-row CSV, a catalogue sync) are `Slow`, so they never hold every
/// slot while emails and payment events wait.
///
/// Each job row stores its lane too, so that a claim for one lane follows an index of that
/// lane's due jobs instead of reading past another lane's backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
pub enum Lane {
    Fast,
    Slow,
}

stored_as_text!(Lane, "job lane");

impl Lane {
    pub const ALL: [Self; 2] = [Self::Fast, Self::Slow];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Slow => "slow",
        }
    }
}

/// Each payload type's kind (its inherent `KIND`) and lane, and the lane of a stored kind.
macro_rules! job_kinds {
    ($($payload:ident => $lane:ident),* $(,)?) => {
        $(
            impl JobKind for $payload {
                const KIND: &'static str = $payload::KIND;
                const LANE: Lane = Lane::$lane;
            }
        )*

        impl Lane {
            /// The lane a stored kind runs in; kinds Trove does not define run fast.
            pub fn of_kind(kind: &str) -> Self {
                $(
                    if kind == $payload::KIND {
                        return Self::$lane;
                    }
                )*
                Self::Fast
            }
        }
    };
}

job_kinds! {
    SendEmail => Fast,
    NotifySlack => Fast,
    ProcessShopifyWebhook => Fast,
    SyncProducts => Slow,
    GenerateInvoice => Fast,
    PushOrder => Fast,
    SendGift => Fast,
    ProcessRecipientUpload => Slow,
    ProcessStripeEvent => Fast,
}

/// Where a job row stands in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
pub enum JobStatus {
    /// Waiting for its `run_at` time, or for a worker to pick it up.
    Pending,
    /// Claimed by a worker whose lease has not yet expired.
    Running,
    /// Gave up: attempts exhausted or a permanent failure. Kept with its last error.
    Dead,
    /// SQS backend: a relay is publishing it (leased, like a claim).
    Publishing,
    /// SQS backend: published; the queue holds it until a worker finishes it.
    Sent,
}

impl JobStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Dead => "dead",
            Self::Publishing => "publishing",
            Self::Sent => "sent",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown job status `{0}`")]
pub struct UnknownJobStatus(pub String);

impl FromStr for JobStatus {
    type Err = UnknownJobStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        use JobStatus::*;
        [Pending, Running, Dead, Publishing, Sent]
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| UnknownJobStatus(value.to_owned()))
    }
}

/// Exponential backoff with jitter between attempts, capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// Delay before the attempt that follows `attempt` (1-based). `jitter` in `[0, 1]`
    /// scales the delay into `[delay / 2, delay]`, so workers retrying together spread out.
    pub fn delay_after(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let exponential = self.base_delay.saturating_mul(1u32 << exponent);
        let capped = exponential.min(self.max_delay);
        let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
        capped.mul_f64(factor)
    }

    /// Whether the job may be tried again after `attempts` tries.
    pub fn may_retry(&self, attempts: u32) -> bool {
        attempts < self.max_attempts
    }
}

#[cfg(test)]
mod tests;
