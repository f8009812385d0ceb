//! What the Stripe client hands back and takes: plain values with the fields Trove uses,
//! amounts in minor units, currencies upper case, times in unix seconds.

use std::collections::BTreeMap;
use trove_domain::payment::AccountState;

/// A connected account as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedAccount {
    pub id: String,
    pub state: AccountState,
}

/// An onboarding link: single use, short lived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingLink {
    pub url: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// What a card checkout asks Stripe for.
#[derive(Debug, Clone)]
pub struct NewPaymentIntent<'a> {
    pub idempotency_key: String,
    pub amount_minor: i64,
    /// ISO 4217, any case.
    pub currency: &'a str,
    /// The vendor's connected account (destination charge).
    pub destination: &'a str,
    /// The platform fee Stripe keeps for the platform.
    pub application_fee_minor: i64,
    pub description: String,
    pub receipt_email: &'a str,
    pub metadata: BTreeMap<String, String>,
}

/// The part of a PaymentIntent we act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentIntentView {
    pub id: String,
    pub status: String,
    pub amount_minor: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    pub client_secret: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundView {
    pub id: String,
    pub amount_minor: i64,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceView {
    pub available: Vec<Amount>,
    pub pending: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutView {
    pub id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    /// Unix seconds.
    pub arrival_date: i64,
    pub created: i64,
}
