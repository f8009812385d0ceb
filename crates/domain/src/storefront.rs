//! Storefronts: their lifecycle and the choices a vendor makes for each.

use serde::{Deserialize, Serialize};

/// Where a storefront stands. New ones (and copies) start `for_review`; only a platform
/// admin moves a storefront from review to `active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum StorefrontStatus {
    ForReview,
    Active,
    Inactive,
    Demo,
    Trashed,
}

impl StorefrontStatus {
    pub const ALL: [Self; 5] = [
        Self::ForReview,
        Self::Active,
        Self::Inactive,
        Self::Demo,
        Self::Trashed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ForReview => "for_review",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Demo => "demo",
            Self::Trashed => "trashed",
        }
    }

    /// The statuses this one may move to.
    pub const fn next(self) -> &'static [Self] {
        match self {
            Self::ForReview => &[Self::Active, Self::Demo, Self::Trashed],
            Self::Active => &[Self::Inactive, Self::Trashed],
            Self::Inactive => &[Self::Active, Self::Trashed],
            Self::Demo => &[Self::ForReview, Self::Trashed],
            Self::Trashed => &[Self::Inactive],
        }
    }

    /// Whether moving from `self` to `to` needs a platform admin.
    pub const fn needs_admin(self, to: Self) -> bool {
        matches!((self, to), (Self::ForReview, Self::Active))
    }
}

stored_as_text!(StorefrontStatus, "storefront status");

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a storefront cannot go from {from} to {to}")]
    Illegal {
        from: &'static str,
        to: &'static str,
        allowed: Vec<&'static str>,
    },
    #[error("only a platform admin can make a storefront under review active")]
    NeedsAdmin,
}

/// Checks a status change for a caller who is (or is not) a platform admin.
pub fn transition(
    from: StorefrontStatus,
    to: StorefrontStatus,
    admin: bool,
) -> Result<StorefrontStatus, TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::Illegal {
            from: from.as_str(),
            to: to.as_str(),
            allowed: from.next().iter().map(|status| status.as_str()).collect(),
        });
    }
    if from.needs_admin(to) && !admin {
        return Err(TransitionError::NeedsAdmin);
    }
    Ok(to)
}

/// How a recipient gets their gift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// Shipped straight to an address the customer gives.
    DeliverDirect,
    /// The recipient is emailed a link on the send date.
    EmailLink,
    /// The customer receives the links to hand out.
    CreateLink,
}

impl DeliveryMethod {
    pub const ALL: [Self; 3] = [Self::DeliverDirect, Self::EmailLink, Self::CreateLink];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DeliverDirect => "deliver_direct",
            Self::EmailLink => "email_link",
            Self::CreateLink => "create_link",
        }
    }

    /// A link gift: it has a redemption code and the recipient confirms the address.
    pub const fn is_link(self) -> bool {
        !matches!(self, Self::DeliverDirect)
    }
}

stored_as_text!(DeliveryMethod, "delivery method");

/// How much of the platform fee the shopper pays on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum FeeTransferMode {
    None,
    Half,
    Full,
}

impl FeeTransferMode {
    pub const ALL: [Self; 3] = [Self::None, Self::Half, Self::Full];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Half => "half",
            Self::Full => "full",
        }
    }
}

stored_as_text!(FeeTransferMode, "fee transfer mode");

/// A storefront slug: 3–63 of lowercase letters, digits and inner hyphens.
pub fn is_slug(value: &str) -> bool {
    (3..=63).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use StorefrontStatus::*;

    #[test]
    fn only_an_admin_activates_a_storefront_under_review() {
        assert_eq!(
            transition(ForReview, Active, false),
            Err(TransitionError::NeedsAdmin)
        );
        assert_eq!(transition(ForReview, Active, true), Ok(Active));
        assert_eq!(transition(Inactive, Active, false), Ok(Active));
    }

    #[test]
    fn illegal_moves_list_the_allowed_ones() {
        assert_eq!(
            transition(Trashed, Active, true),
            Err(TransitionError::Illegal {
                from: "trashed",
                to: "active",
                allowed: vec!["inactive"]
            })
        );
        for status in StorefrontStatus::ALL {
            assert!(
                !status.next().contains(&status),
                "{status:?} cannot move to itself"
            );
            assert_eq!(status.as_str().parse::<StorefrontStatus>(), Ok(status));
        }
    }

    #[test]
    fn slugs_are_lowercase_words_with_inner_hyphens() {
        for good in ["acme", "acme-gifts", "xmas-2026"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in [
            "ac",
            "Acme",
            "-acme",
            "acme-",
            "acme gifts",
            "acme_gifts",
            &"a".repeat(64),
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
