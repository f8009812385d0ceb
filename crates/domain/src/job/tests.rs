//! Payload shapes as stored, and the retry schedule.

use super::*;

const POLICY: RetryPolicy = RetryPolicy {
    base_delay: Duration::from_secs(2),
    max_delay: Duration::from_secs(60),
    max_attempts: 5,
};

#[test]
fn payloads_are_tagged_by_kind_and_versioned() {
    let payload = JobPayload::NotifySlack(NotifySlack {
        v: 1,
        vendor_id: uuid::Uuid::nil(),
        text: "New order".into(),
    });
    let json = serde_json::to_value(&payload).unwrap();
    assert_eq!(json["kind"], "notify_slack");
    assert_eq!(json["v"], 1);
    assert_eq!(serde_json::from_value::<JobPayload>(json).unwrap(), payload);
    assert!(serde_json::from_str::<JobPayload>(r#"{"kind":"teleport","v":1}"#).is_err());
    let push: JobPayload = serde_json::from_str(
        r#"{"kind":"push_order","v":1,"order_id":"00000000-0000-0000-0000-000000000001","recipient_id":"00000000-0000-0000-0000-000000000002"}"#,
    )
    .unwrap();
    assert_eq!(push.kind(), PushOrder::KIND);
}

/// Every payload's fields at once; each type reads its own and ignores the rest.
const FIELDS: &str = r#""v":1,"to":"a@b.c","template":"gift_links",
    "vars":{"customer_name":"C","payment_reference":"R","links":"L"},"text":"Hi","topic":"t",
    "webhook_id":"w","body":"{}","period_start":"a","period_end":"b","code":"c","event_id":"e",
    "vendor_id":"00000000-0000-0000-0000-000000000001","list_id":"00000000-0000-0000-0000-000000000002",
    "order_id":"00000000-0000-0000-0000-000000000003","recipient_id":"00000000-0000-0000-0000-000000000004""#;

/// A job stored under `P::KIND` decodes as `P` as well as the enum, and both agree.
fn typed<P: JobKind + serde::Serialize>() -> Lane {
    let stored = format!(r#"{{"kind":"{}",{FIELDS}}}"#, P::KIND);
    let whole: JobPayload = serde_json::from_str(&stored).unwrap();
    assert_eq!(whole.kind(), P::KIND);
    let mut again = serde_json::to_value(serde_json::from_str::<P>(&stored).unwrap()).unwrap();
    again["kind"] = P::KIND.into();
    assert_eq!(serde_json::from_value::<JobPayload>(again).unwrap(), whole);
    assert_eq!(
        Lane::of_kind(P::KIND),
        P::LANE,
        "the stored kind names the same lane"
    );
    P::LANE
}

#[test]
fn every_payload_type_decodes_from_its_stored_form_and_names_its_lane() {
    let fast = [
        typed::<SendEmail>(),
        typed::<NotifySlack>(),
        typed::<ProcessShopifyWebhook>(),
        typed::<GenerateInvoice>(),
        typed::<PushOrder>(),
        typed::<SendGift>(),
        typed::<ProcessStripeEvent>(),
    ];
    assert_eq!(fast, [Lane::Fast; 7]);
    let slow = [typed::<SyncProducts>(), typed::<ProcessRecipientUpload>()];
    assert_eq!(
        slow,
        [Lane::Slow; 2],
        "the CSV import and the catalogue sync"
    );
}

#[test]
fn a_kind_trove_does_not_define_runs_fast_and_lanes_read_back() {
    assert_eq!(Lane::of_kind("noop"), Lane::Fast);
    for lane in Lane::ALL {
        assert_eq!(lane.as_str().parse::<Lane>(), Ok(lane));
    }
}

#[test]
fn status_round_trips_through_its_text_form() {
    for status in [
        JobStatus::Pending,
        JobStatus::Running,
        JobStatus::Dead,
        JobStatus::Publishing,
        JobStatus::Sent,
    ] {
        assert_eq!(status.as_str().parse::<JobStatus>(), Ok(status));
    }
    assert!("done".parse::<JobStatus>().is_err());
}

#[test]
fn delay_doubles_per_attempt_and_is_capped() {
    assert_eq!(POLICY.delay_after(1, 1.0), Duration::from_secs(2));
    assert_eq!(POLICY.delay_after(2, 1.0), Duration::from_secs(4));
    assert_eq!(POLICY.delay_after(3, 1.0), Duration::from_secs(8));
    assert_eq!(POLICY.delay_after(10, 1.0), Duration::from_secs(60));
    assert_eq!(POLICY.delay_after(u32::MAX, 1.0), Duration::from_secs(60));
}

#[test]
fn jitter_keeps_the_delay_between_half_and_full() {
    assert_eq!(POLICY.delay_after(3, 0.0), Duration::from_secs(4));
    assert_eq!(POLICY.delay_after(3, 7.0), Duration::from_secs(8));
}

#[test]
fn retries_stop_at_the_attempt_limit() {
    assert!(POLICY.may_retry(4));
    assert!(!POLICY.may_retry(5));
}
