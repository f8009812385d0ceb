//! The price breakdown of an order: items once per recipient, each recipient's shipping,
//! the platform fee and the part of it the shopper pays; the payment reference; the fee
//! given back with a refund. Integer minor units throughout; overflow is refused.

use crate::money::{Currency, Money};
use crate::storefront::FeeTransferMode;
use serde::{Deserialize, Serialize};

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
