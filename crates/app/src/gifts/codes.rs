//! Redemption codes: 32 random bytes (base64url, 43 characters), so one cannot be
//! guessed; only their hash is stored. A code works until the end of its send day plus
//! `orders.redemption_days`; issuing a new one kills the old.

use crate::events::{IssuedCode, LinkDelivery};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveDateTime};
use sea_orm::{ConnectionTrait, DbErr};
use trove_bootstrap::settings::OrderSettings;
use trove_data_access::entities::order_recipient;
use trove_data_access::{gifts, jobs};
use trove_domain::ids::RecipientId;
use trove_domain::storefront::DeliveryMethod;

/// The link a recipient opens.
pub fn gift_link(settings: &OrderSettings, code: &str) -> String {
    format!("{}/{code}", settings.redeem_url.trim_end_matches('/'))
}

fn new_code() -> Result<String, DbErr> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| DbErr::Custom("no randomness".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// When a gift sent on `send_on` stops working.
fn expiry(send_on: NaiveDate, settings: &OrderSettings) -> NaiveDateTime {
    let end_of_send_day = send_on.and_hms_opt(23, 59, 59).unwrap_or_default();
    end_of_send_day + chrono::Duration::days(i64::from(settings.redemption_days))
}

/// Gives a link gift a new code (the old one dies) and moves it to `scheduled`. The
/// returned code is the only copy: raise it in a `GiftCodesIssued` event.
pub(crate) async fn issue(
    db: &impl ConnectionTrait,
    settings: &OrderSettings,
    recipient: order_recipient::Model,
    actor: &str,
    note: Option<String>,
) -> Result<(order_recipient::Model, IssuedCode), DbErr> {
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
    let delivery = if recipient.delivery_method == DeliveryMethod::EmailLink {
        LinkDelivery::EmailLink
    } else {
        LinkDelivery::CreateLink
    };
    let issued = IssuedCode {
        recipient_id: RecipientId::from(recipient.id),
        recipient_name: recipient.name.clone(),
        delivery,
        code,
        send_at: send_on.and_hms_opt(0, 0, 0).unwrap_or(now).max(now),
    };
    Ok((recipient, issued))
}
