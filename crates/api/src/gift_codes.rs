//! Issuing gift redemption codes: 32 random bytes (base64url, 43 characters), so a code
//! cannot be guessed; only its hash is stored. Used when an order is paid and when the
//! vendor reissues an expired gift.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveDateTime};
use sea_orm::ConnectionTrait;
use trove_bootstrap::settings::OrderSettings;
use trove_data_access::entities::order_recipient;
use trove_data_access::{gifts, jobs};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, SendGift};

/// A fresh code.
pub fn new_code() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| ApiError::internal("no randomness"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// When a gift sent on `send_on` stops working.
fn expiry(send_on: NaiveDate, settings: &OrderSettings) -> NaiveDateTime {
    let end_of_send_day = send_on.and_hms_opt(23, 59, 59).unwrap_or_default();
    end_of_send_day + chrono::Duration::days(i64::from(settings.redemption_days))
}

/// The link a recipient opens.
pub fn link(settings: &OrderSettings, code: &str) -> String {
    format!("{}/{code}", settings.redeem_url.trim_end_matches('/'))
}

/// Gives `recipient` a new code (the old one dies), moves it to `scheduled` and, for an
/// `email_link` gift, queues its `send_gift` job for the send date. Returns the code.
pub async fn issue(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    recipient: order_recipient::Model,
    actor: &str,
    note: Option<String>,
) -> Result<(order_recipient::Model, String), ApiError> {
    let code = new_code()?;
    let now = jobs::now();
    let send_on = recipient.send_on.unwrap_or_else(|| now.date());
    let recipient = gifts::issue_code(
        db,
        recipient,
        gifts::code_hash(&code),
        expiry(send_on, settings),
        actor,
        note,
    )
    .await?;
    if recipient.delivery_method == "email_link" {
        let run_at = send_on.and_hms_opt(0, 0, 0).unwrap_or(now).max(now);
        let job = JobPayload::SendGift(SendGift {
            v: 1,
            order_id: recipient.order_id,
            recipient_id: recipient.id,
            code: code.clone(),
        });
        jobs::enqueue(db, JobId::new(), &job, run_at).await?;
    }
    Ok((recipient, code))
}
