//! A vendor's Stripe connected account: how it was connected (express or standard), how
//! Stripe last described it, and what follows from it: the onboarding status the Admin
//! Portal shows and whether card checkout may charge on the vendor's behalf (a
//! destination charge needs charges enabled and an active `transfers` capability).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a vendor's connected account came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Created by us; the vendor finishes Stripe's hosted onboarding.
    Express,
    /// The vendor's own account, connected through OAuth.
    Standard,
}

impl AccountKind {
    pub const ALL: [Self; 2] = [Self::Express, Self::Standard];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Express => "express",
            Self::Standard => "standard",
        }
    }
}

stored_as_text!(AccountKind, "payment account kind");

/// What Stripe says about a connected account (`account.updated`, or the create answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState {
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    /// Why Stripe disabled the account, e.g. `requirements.past_due`.
    pub disabled_reason: Option<String>,
    /// Requirement names currently due, e.g. `external_account`.
    pub requirements_due: Vec<String>,
    /// Capability name → `active`, `inactive` or `pending`.
    pub capabilities: BTreeMap<String, String>,
}

/// Where a vendor stands with Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnboardingStatus {
    /// No connected account.
    NotConnected,
    /// An account exists but its details are not submitted yet.
    Pending,
    /// Details submitted, but Stripe still needs something or has disabled charges.
    Restricted,
    /// Charges and transfers work.
    Enabled,
}

impl OnboardingStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotConnected => "not_connected",
            Self::Pending => "pending",
            Self::Restricted => "restricted",
            Self::Enabled => "enabled",
        }
    }
}

impl AccountState {
    /// Card checkout may create destination charges to this account.
    pub fn can_accept_payments(&self) -> bool {
        self.charges_enabled
            && self
                .capabilities
                .get("transfers")
                .is_some_and(|status| status == "active")
    }

    pub fn onboarding_status(&self) -> OnboardingStatus {
        if self.can_accept_payments() {
            OnboardingStatus::Enabled
        } else if self.details_submitted {
            OnboardingStatus::Restricted
        } else {
            OnboardingStatus::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(charges: bool, transfers: &str, submitted: bool) -> AccountState {
        AccountState {
            charges_enabled: charges,
            details_submitted: submitted,
            capabilities: BTreeMap::from([("transfers".to_owned(), transfers.to_owned())]),
            ..AccountState::default()
        }
    }

    #[test]
    fn payments_need_charges_and_active_transfers() {
        assert!(state(true, "active", true).can_accept_payments());
        assert!(!state(true, "pending", true).can_accept_payments());
        assert!(!state(false, "active", true).can_accept_payments());
        assert!(!AccountState::default().can_accept_payments());
    }

    #[test]
    fn onboarding_status_follows_the_account() {
        assert_eq!(
            state(false, "inactive", false).onboarding_status(),
            OnboardingStatus::Pending
        );
        assert_eq!(
            state(false, "pending", true).onboarding_status(),
            OnboardingStatus::Restricted
        );
        assert_eq!(
            state(true, "active", true).onboarding_status(),
            OnboardingStatus::Enabled
        );
    }
}
