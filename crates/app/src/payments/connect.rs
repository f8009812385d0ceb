//! Connecting a vendor to Stripe Connect: an Express account onboarded through a
//! single-use Account Link (a fresh link when one expired), or an existing account
//! connected through Connect OAuth; resetting forgets the connection here (the Stripe
//! account itself stays).
//!
//! Creating the account is keyed by a pending connection row stored first
//! (`trove:connect-account:{connection_id}`), so a retry after a lost answer reaches the
//! same account instead of a second one. No transaction is open while Stripe answers.

use crate::{App, AppError};
use trove_data_access::entities::{payment_account, vendor};
use trove_data_access::payment_accounts;
use trove_domain::ids::VendorId;
use trove_domain::payment::AccountKind;
use trove_integrations::stripe::{OnboardingLink, StripeClient};

fn already_connected(account: &str) -> AppError {
    AppError::Conflict {
        code: "already_connected",
        message: "This vendor already has a Stripe account; reset the connection first.".into(),
        details: Some(serde_json::json!({ "stripe_account_id": account })),
    }
}

async fn onboarding_link(
    app: &App,
    stripe: &StripeClient,
    account: &str,
) -> Result<OnboardingLink, AppError> {
    let key = format!("trove:account-link:{}", uuid::Uuid::now_v7());
    let settings = &app.stripe_settings;
    Ok(stripe
        .onboarding_link(
            key,
            account,
            &settings.onboarding_return_url,
            &settings.onboarding_refresh_url,
        )
        .await?)
}

/// Creates `vendor`'s Express account (in `country`, else the platform's) and its first
/// onboarding link.
pub async fn create_express_account(
    app: &App,
    vendor: &vendor::Model,
    country: Option<&str>,
) -> Result<(payment_account::Model, OnboardingLink), AppError> {
    let stripe = app.stripe()?;
    let pending =
        payment_accounts::begin(&app.db, VendorId::from(vendor.id), AccountKind::Express).await?;
    if let Some(existing) = &pending.stripe_account_id {
        return Err(already_connected(existing));
    }
    let key = format!("trove:connect-account:{}", pending.connection_id);
    let created = stripe
        .create_express_account(
            key,
            vendor.contact_email.as_deref(),
            country,
            &vendor.id.to_string(),
        )
        .await?;
    let account = payment_accounts::attach(
        &app.db,
        pending,
        AccountKind::Express,
        &created.id,
        &created.state,
    )
    .await?;
    let link = onboarding_link(app, stripe, &created.id).await?;
    Ok((account, link))
}

/// A fresh onboarding link for `vendor`'s connected account.
pub async fn refresh_link(app: &App, vendor: VendorId) -> Result<OnboardingLink, AppError> {
    let stripe = app.stripe()?;
    let account = payment_accounts::find(&app.db, vendor)
        .await?
        .and_then(|account| account.stripe_account_id)
        .ok_or_else(super::not_connected)?;
    onboarding_link(app, stripe, &account).await
}

/// Where to send `vendor` to pick an existing Stripe account, carrying `state` (a
/// single-use token the callback checks).
pub async fn oauth_authorize_url(
    app: &App,
    vendor: VendorId,
    state: &str,
) -> Result<String, AppError> {
    let stripe = app.stripe()?;
    if let Some(account) = payment_accounts::find(&app.db, vendor)
        .await?
        .and_then(|account| account.stripe_account_id)
    {
        return Err(already_connected(&account));
    }
    stripe
        .oauth_authorize_url(state, &app.stripe_settings.oauth_redirect_url)
        .ok_or_else(|| {
            AppError::conflict(
                "payments_not_configured",
                "Connecting an existing account needs the platform's Connect client id (stripe.client_id).",
            )
        })
}

/// Exchanges the OAuth `code` and connects the account it names to `vendor` (standard).
pub async fn complete_oauth(
    app: &App,
    vendor: VendorId,
    code: &str,
) -> Result<payment_account::Model, AppError> {
    let stripe = app.stripe()?;
    let account_id = stripe.complete_oauth(code).await?;
    let account = stripe.retrieve_account(&account_id).await?;
    let pending = payment_accounts::begin(&app.db, vendor, AccountKind::Standard).await?;
    if let Some(existing) = &pending.stripe_account_id {
        return Err(already_connected(existing));
    }
    let connected = payment_accounts::attach(
        &app.db,
        pending,
        AccountKind::Standard,
        &account.id,
        &account.state,
    )
    .await?;
    Ok(connected)
}

/// Forgets `vendor`'s connection; `NotFound` when it had none.
pub async fn reset(app: &App, vendor: VendorId) -> Result<(), AppError> {
    if payment_accounts::reset(&app.db, vendor).await? {
        Ok(())
    } else {
        Err(AppError::not_found("This vendor has no Stripe connection."))
    }
}
