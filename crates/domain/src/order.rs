//! Orders: their lifecycle, each recipient's progress, and the price breakdown.
//!
//! An order is a gift sent to one or many recipients: every recipient receives the order's
//! line items, so items are charged once per recipient, and each recipient pays the
//! shipping of the zone their address resolves to. The platform fee is a rate in basis
//! points of items + shipping; the storefront's fee transfer mode says how much of it the
//! shopper pays on top (`half` rounds the shopper's part down). Everything is integer
//! minor units; amounts that would overflow are refused, never wrapped.

use crate::money::{Currency, Money};
use crate::storefront::FeeTransferMode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = crate::UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| crate::UnknownValue::new("order status", value))
    }
}

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

impl fmt::Display for RecipientStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecipientStatus {
    type Err = crate::UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| crate::UnknownValue::new("recipient status", value))
    }
}

/// What the shopper is charged and how it splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub currency: Currency,
    /// The line items of one gift.
    pub items_per_recipient_minor: i64,
    pub recipients: u32,
    /// Items for every recipient.
    pub items_minor: i64,
    pub shipping_minor: i64,
    /// The platform's whole fee (the Stripe application fee).
    pub platform_fee_minor: i64,
    /// The part of the fee added to the shopper's total.
    pub fee_charged_to_shopper_minor: i64,
    pub total_minor: i64,
    /// What the vendor keeps: total minus the platform fee.
    pub vendor_receives_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("an order needs at least one recipient")]
    NoRecipients,
    #[error("every amount must be in {expected}; found {found}")]
    MixedCurrencies { expected: Currency, found: Currency },
    #[error("the amounts are too large")]
    Overflow,
    #[error("a fee rate is 0 to 10000 basis points")]
    FeeRate,
}

/// Prices an order: `gift` is the line items of one gift (unit price × quantity each),
/// `shipping` the rate of each recipient's zone, `fee_basis_points` the platform's rate.
pub fn price(
    currency: Currency,
    gift: &[(Money, u32)],
    shipping: &[Money],
    fee_basis_points: u32,
    mode: FeeTransferMode,
) -> Result<Breakdown, PricingError> {
    if shipping.is_empty() {
        return Err(PricingError::NoRecipients);
    }
    if fee_basis_points > 10_000 {
        return Err(PricingError::FeeRate);
    }
    let same = |money: &Money| {
        if money.currency == currency {
            Ok(money.minor)
        } else {
            Err(PricingError::MixedCurrencies {
                expected: currency,
                found: money.currency,
            })
        }
    };
    let mut per_gift: i64 = 0;
    for (unit, quantity) in gift {
        let line = same(unit)?
            .checked_mul(i64::from(*quantity))
            .ok_or(PricingError::Overflow)?;
        per_gift = per_gift.checked_add(line).ok_or(PricingError::Overflow)?;
    }
    let recipients = u32::try_from(shipping.len()).map_err(|_| PricingError::Overflow)?;
    let items = per_gift
        .checked_mul(i64::from(recipients))
        .ok_or(PricingError::Overflow)?;
    let mut shipping_total: i64 = 0;
    for rate in shipping {
        shipping_total = shipping_total
            .checked_add(same(rate)?)
            .ok_or(PricingError::Overflow)?;
    }
    let base = items
        .checked_add(shipping_total)
        .ok_or(PricingError::Overflow)?;
    // Round half up: (base × bps + 5000) / 10000, in i128 so it cannot overflow.
    let fee = (i128::from(base) * i128::from(fee_basis_points) + 5_000) / 10_000;
    let fee = i64::try_from(fee).map_err(|_| PricingError::Overflow)?;
    let charged = match mode {
        FeeTransferMode::None => 0,
        FeeTransferMode::Half => fee / 2,
        FeeTransferMode::Full => fee,
    };
    let total = base.checked_add(charged).ok_or(PricingError::Overflow)?;
    Ok(Breakdown {
        currency,
        items_per_recipient_minor: per_gift,
        recipients,
        items_minor: items,
        shipping_minor: shipping_total,
        platform_fee_minor: fee,
        fee_charged_to_shopper_minor: charged,
        total_minor: total,
        vendor_receives_minor: total - fee,
    })
}

/// The reference a bank transfer quotes and every message about the order shows: the last
/// 10 hex digits of the order id (its random part), upper case.
pub fn payment_reference(order_id: uuid::Uuid) -> String {
    let simple = order_id.simple().to_string();
    format!("TRV-{}", simple[simple.len() - 10..].to_ascii_uppercase())
}

/// The part of the platform fee given back when `refunded` of `total` is refunded: in
/// proportion, rounded half up, never more than the fee (Stripe's
/// `refund_application_fee` gives the fee back in the same proportion).
pub fn fee_refund(platform_fee: i64, total: i64, refunded: i64) -> i64 {
    if total <= 0 || refunded <= 0 {
        return 0;
    }
    let refunded = refunded.min(total);
    let share = (i128::from(platform_fee) * i128::from(refunded) * 2 + i128::from(total))
        / (i128::from(total) * 2);
    i64::try_from(share).map_or(platform_fee, |share| share.min(platform_fee))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fee_is_refunded_in_proportion() {
        assert_eq!(fee_refund(1_003, 21_003, 21_003), 1_003);
        assert_eq!(fee_refund(1_003, 21_003, 0), 0);
        // 1003 × 5000 / 21003 = 238.77 → 239
        assert_eq!(fee_refund(1_003, 21_003, 5_000), 239);
        // 100 × 1 / 200 = 0.5 → rounds up to 1
        assert_eq!(fee_refund(100, 200, 1), 1);
        assert_eq!(fee_refund(100, 200, 400), 100);
    }

    #[test]
    fn the_payment_reference_is_the_random_tail_of_the_id() {
        let id = uuid::Uuid::parse_str("0194c3c4-7f3a-7d21-9a4b-1c2d3e4f5a6b").unwrap();
        assert_eq!(payment_reference(id), "TRV-2D3E4F5A6B");
    }

    use super::*;
    use proptest::prelude::*;

    fn aud(minor: i64) -> Money {
        Money {
            minor,
            currency: Currency::parse("AUD").unwrap(),
        }
    }

    #[test]
    fn items_are_charged_per_recipient_with_each_recipients_shipping() {
        let breakdown = price(
            aud(0).currency,
            &[(aud(2_500), 2), (aud(1_000), 1)],
            &[aud(990), aud(1_500), aud(0)],
            500,
            FeeTransferMode::Half,
        )
        .unwrap();
        assert_eq!(breakdown.items_per_recipient_minor, 6_000);
        assert_eq!(breakdown.items_minor, 18_000);
        assert_eq!(breakdown.shipping_minor, 2_490);
        // 5 % of 20 490 = 1 024.5 → 1 025; the shopper pays half, rounded down.
        assert_eq!(breakdown.platform_fee_minor, 1_025);
        assert_eq!(breakdown.fee_charged_to_shopper_minor, 512);
        assert_eq!(breakdown.total_minor, 21_002);
        assert_eq!(breakdown.vendor_receives_minor, 19_977);
    }

    #[test]
    fn mixed_currencies_and_empty_orders_are_refused() {
        let nzd = Money {
            minor: 100,
            currency: Currency::parse("NZD").unwrap(),
        };
        assert!(matches!(
            price(
                aud(0).currency,
                &[(nzd, 1)],
                &[aud(0)],
                0,
                FeeTransferMode::None
            ),
            Err(PricingError::MixedCurrencies { .. })
        ));
        assert_eq!(
            price(
                aud(0).currency,
                &[(aud(1), 1)],
                &[],
                0,
                FeeTransferMode::None
            ),
            Err(PricingError::NoRecipients)
        );
        assert_eq!(
            price(
                aud(0).currency,
                &[(aud(i64::MAX), 2)],
                &[aud(0)],
                0,
                FeeTransferMode::None
            ),
            Err(PricingError::Overflow)
        );
    }

    #[test]
    fn only_unpaid_orders_cancel_and_finished_ones_go_nowhere() {
        use OrderStatus::*;
        assert_eq!(Created.transition(Cancelled), Ok(Cancelled));
        let refused = Paid.transition(Cancelled).unwrap_err();
        assert_eq!(refused.allowed, vec!["processing", "refunded"]);
        for status in OrderStatus::ALL {
            assert!(!status.next().contains(&status));
            assert_eq!(status.as_str().parse::<OrderStatus>(), Ok(status));
        }
        assert!(Cancelled.next().is_empty() && Refunded.next().is_empty());
    }

    proptest! {
        #[test]
        fn the_split_always_adds_up(
            gift in proptest::collection::vec((0i64..1_000_000, 1u32..20), 0..5),
            shipping in proptest::collection::vec(0i64..100_000, 1..50),
            bps in 0u32..=10_000,
            mode in prop_oneof![
                Just(FeeTransferMode::None),
                Just(FeeTransferMode::Half),
                Just(FeeTransferMode::Full)
            ],
        ) {
            let gift: Vec<(Money, u32)> = gift.into_iter().map(|(m, q)| (aud(m), q)).collect();
            let shipping: Vec<Money> = shipping.into_iter().map(aud).collect();
            let b = price(aud(0).currency, &gift, &shipping, bps, mode).unwrap();
            prop_assert_eq!(b.total_minor, b.items_minor + b.shipping_minor + b.fee_charged_to_shopper_minor);
            prop_assert_eq!(b.vendor_receives_minor + b.platform_fee_minor, b.total_minor);
            prop_assert!(b.fee_charged_to_shopper_minor <= b.platform_fee_minor);
            prop_assert!(b.platform_fee_minor <= b.items_minor + b.shipping_minor);
            prop_assert!(b.fee_charged_to_shopper_minor >= 0);
        }
    }
}
