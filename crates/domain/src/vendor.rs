//! Vendors and their members: roles and the onboarding path.

use serde::{Deserialize, Serialize};

/// A member's role within one vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum VendorRole {
    /// Manages members, settings and payouts.
    Owner,
    /// Works in the vendor's storefronts, catalogue and orders.
    Staff,
}

impl VendorRole {
    pub const ALL: [Self; 2] = [Self::Owner, Self::Staff];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Staff => "staff",
        }
    }
}

stored_as_text!(VendorRole, "vendor role");

/// Where a vendor stands on the way to selling: profile → Stripe → live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum OnboardingStatus {
    /// The brand profile is being filled in.
    Profile,
    /// The profile is done; the Stripe Connect account is being set up.
    Stripe,
    /// Payments are enabled: storefronts can sell.
    Live,
}

impl OnboardingStatus {
    pub const ALL: [Self; 3] = [Self::Profile, Self::Stripe, Self::Live];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Stripe => "stripe",
            Self::Live => "live",
        }
    }

    /// Every step in order, with whether it is done at this status.
    pub fn steps(self) -> [(Self, bool); 3] {
        let rank = |status: Self| status as u8;
        Self::ALL.map(|step| (step, rank(step) < rank(self) || self == Self::Live))
    }
}

stored_as_text!(OnboardingStatus, "onboarding status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in [VendorRole::Owner, VendorRole::Staff] {
            assert_eq!(role.as_str().parse::<VendorRole>(), Ok(role));
        }
        assert!("admin".parse::<VendorRole>().is_err());
    }

    #[test]
    fn onboarding_steps_before_the_current_one_are_done() {
        let done = |status: OnboardingStatus| status.steps().map(|(_, done)| done);
        assert_eq!(done(OnboardingStatus::Profile), [false, false, false]);
        assert_eq!(done(OnboardingStatus::Stripe), [true, false, false]);
        assert_eq!(done(OnboardingStatus::Live), [true, true, true]);
    }
}
