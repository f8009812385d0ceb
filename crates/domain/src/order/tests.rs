//! Status moves and the price arithmetic.

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
use crate::money::{Currency, Money};
use crate::storefront::FeeTransferMode;
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
