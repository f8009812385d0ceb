//! What a vendor's connected account holds and has paid out, read from Stripe on the
//! account's behalf (`Stripe-Account`). Nothing is stored.

use crate::{App, AppError};
use trove_data_access::payment_accounts;
use trove_domain::ids::VendorId;
use trove_integrations::stripe::{BalanceView, PayoutView};

/// The balance and one page of payouts.
#[derive(Debug, Clone)]
pub struct Payouts {
    pub balance: BalanceView,
    pub payouts: Vec<PayoutView>,
    pub has_more: bool,
}

/// `limit` payouts of `vendor`'s account after `starting_after`, with its balance.
pub async fn list(
    app: &App,
    vendor: VendorId,
    limit: u64,
    starting_after: Option<&str>,
) -> Result<Payouts, AppError> {
    let stripe = app.stripe()?;
    let account = payment_accounts::find(&app.db, vendor)
        .await?
        .and_then(|account| account.stripe_account_id)
        .ok_or_else(super::not_connected)?;
    let balance = stripe.balance(&account).await?;
    let (payouts, has_more) = stripe.payouts(&account, limit, starting_after).await?;
    Ok(Payouts {
        balance,
        payouts,
        has_more,
    })
}
