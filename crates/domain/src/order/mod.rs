//! Orders: their lifecycle, each recipient's progress, and the price breakdown.
//!
//! An order is a gift sent to one or many recipients: every recipient receives the order's
//! line items, so items are charged once per recipient, and each recipient pays the
//! shipping of the zone their address resolves to. The platform fee is a rate in basis
//! points of items + shipping; the storefront's fee transfer mode says how much of it the
//! shopper pays on top (`half` rounds the shopper's part down). Everything is integer
//! minor units; amounts that would overflow are refused, never wrapped.

use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Created,
    Paid,
    Processing,
    Fulfilled,
    Completed,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [Self; 7] = [
        Self::Created,
        Self::Paid,
        Self::Processing,
        Self::Fulfilled,
        Self::Completed,
        Self::Cancelled,
        Self::Refunded,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Paid => "paid",
            Self::Processing => "processing",
            Self::Fulfilled => "fulfilled",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }

    /// The statuses this one may move to. Only an unpaid order can be cancelled; once money
    /// has moved, it can only be refunded.
    pub const fn next(self) -> &'static [Self] {
        match self {
            Self::Created => &[Self::Paid, Self::Cancelled],
            Self::Paid => &[Self::Processing, Self::Refunded],
            Self::Processing => &[Self::Fulfilled, Self::Refunded],
            Self::Fulfilled => &[Self::Completed, Self::Refunded],
            Self::Completed => &[Self::Refunded],
            Self::Cancelled | Self::Refunded => &[],
        }
    }

    /// `to` when the move is legal, else the error naming the allowed ones.
    pub fn transition(self, to: Self) -> Result<Self, IllegalTransition> {
        if self.next().contains(&to) {
            Ok(to)
        } else {
            Err(IllegalTransition {
                from: self.as_str(),
                to: to.as_str(),
                allowed: self.next().iter().map(|status| status.as_str()).collect(),
            })
        }
    }
}

stored_as_text!(OrderStatus, "order status");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: &'static str,
    pub to: &'static str,
    pub allowed: Vec<&'static str>,
}

/// One recipient's progress through their gift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum RecipientStatus {
    Pending,
    Scheduled,
    LinkSent,
    Redeemed,
    AddressConfirmed,
    Pushed,
    Shipped,
    Delivered,
    Expired,
}

impl RecipientStatus {
    pub const ALL: [Self; 9] = [
        Self::Pending,
        Self::Scheduled,
        Self::LinkSent,
        Self::Redeemed,
        Self::AddressConfirmed,
        Self::Pushed,
        Self::Shipped,
        Self::Delivered,
        Self::Expired,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Scheduled => "scheduled",
            Self::LinkSent => "link_sent",
            Self::Redeemed => "redeemed",
            Self::AddressConfirmed => "address_confirmed",
            Self::Pushed => "pushed",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Expired => "expired",
        }
    }

    /// The statuses this one may move to. A direct delivery skips the link steps; an
    /// expired gift is reissued back to `scheduled`.
    pub const fn next(self) -> &'static [Self] {
        match self {
            Self::Pending => &[Self::Scheduled, Self::AddressConfirmed],
            Self::Scheduled => &[Self::LinkSent, Self::Expired],
            Self::LinkSent => &[Self::Redeemed, Self::Expired],
            Self::Redeemed => &[Self::AddressConfirmed, Self::Expired],
            Self::AddressConfirmed => &[Self::Pushed],
            Self::Pushed => &[Self::Shipped],
            Self::Shipped => &[Self::Delivered],
            Self::Delivered => &[],
            Self::Expired => &[Self::Scheduled],
        }
    }

    pub fn can_move_to(self, to: Self) -> bool {
        self.next().contains(&to)
    }
}

stored_as_text!(RecipientStatus, "recipient status");

mod pricing;

pub use pricing::{Breakdown, PricingError, fee_refund, payment_reference, price};

#[cfg(test)]
mod tests;
