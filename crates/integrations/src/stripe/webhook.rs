//! Stripe webhook signatures and event envelopes.
//!
//! `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>,v0=…` signs `"{t}.{raw body}"`
//! with HMAC-SHA256 under the endpoint's secret. An event is genuine when any `v1`
//! matches under any configured secret (Stripe sends one `v1` per live secret while a
//! secret is being rolled) and `t` is within the tolerance of now. Comparison is constant
//! time. Events are read leniently (id, type, account, `data.object` as JSON), so an event
//! from a newer API version never fails to parse because of fields we do not use.

use aws_lc_rs::{constant_time, hmac};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the signature is {age_seconds} s away from now (tolerance {tolerance_seconds} s)")]
    Stale {
        age_seconds: i64,
        tolerance_seconds: u64,
    },
    #[error("no v1 signature matches the payload")]
    Mismatch,
}

/// Checks `header` against `payload` under each of `secrets` at `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secrets: &[&str],
    tolerance_seconds: u64,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                if let Some(bytes) = decode_hex(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = now.saturating_sub(timestamp);
    if age.unsigned_abs() > tolerance_seconds {
        return Err(SignatureError::Stale {
            age_seconds: age,
            tolerance_seconds,
        });
    }
    for secret in secrets {
        let expected = sign_raw(secret, timestamp, payload);
        if signatures
            .iter()
            .any(|given| constant_time::verify_slices_are_equal(given, expected.as_ref()).is_ok())
        {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// The `v1` signature (hex) of `payload` at `timestamp`, as Stripe computes it.
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    sign_raw(secret, timestamp, payload)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn sign_raw(secret: &str, timestamp: i64, payload: &[u8]) -> hmac::Tag {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut context = hmac::Context::with_key(&key);
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(payload);
    context.sign()
}

fn decode_hex(value: &str) -> Option<Vec<u8>> {
    if !value.len().is_multiple_of(2) {
        return None;
    }
    (0..value.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(value.get(index..index + 2)?, 16).ok())
        .collect()
}

/// The parts of an event every consumer needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub event_type: String,
    /// The connected account a Connect event comes from.
    pub account: Option<String>,
    /// `data.object`: the PaymentIntent, Charge, Account… the event is about.
    pub object: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Stripe event: {0}")]
pub struct EventError(String);

/// Reads an event envelope.
pub fn parse_event(payload: &[u8]) -> Result<Event, EventError> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|error| EventError(error.to_string()))?;
    let text = |field: &str| value.get(field).and_then(Value::as_str).map(str::to_owned);
    let id = text("id")
        .filter(|id| id.starts_with("evt_") && id.len() <= 255)
        .ok_or_else(|| EventError("no event id".into()))?;
    let event_type = text("type").ok_or_else(|| EventError("no event type".into()))?;
    if text("object").as_deref() != Some("event") {
        return Err(EventError("`object` is not `event`".into()));
    }
    let object = value
        .pointer("/data/object")
        .cloned()
        .ok_or_else(|| EventError("no data.object".into()))?;
    Ok(Event {
        id,
        event_type,
        account: text("account"),
        object,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_1"}}}"#;

    fn header(secrets: &[&str], at: i64) -> String {
        let mut parts = vec![format!("t={at}")];
        parts.extend(secrets.iter().map(|s| format!("v1={}", sign(s, at, BODY))));
        parts.push("v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39".into());
        parts.join(",")
    }

    #[test]
    fn a_fresh_signature_under_the_secret_is_accepted() {
        let at = 1_700_000_000;
        assert_eq!(
            verify(Some(&header(&[SECRET], at)), BODY, &[SECRET], 300, at + 10),
            Ok(())
        );
    }

    #[test]
    fn any_v1_under_any_secret_matches_during_rotation() {
        let at = 1_700_000_000;
        let both = header(&["whsec_old", "whsec_new"], at);
        assert_eq!(verify(Some(&both), BODY, &["whsec_new"], 300, at), Ok(()));
        let old_only = header(&["whsec_old"], at);
        assert_eq!(
            verify(Some(&old_only), BODY, &["whsec_new", "whsec_old"], 300, at),
            Ok(())
        );
        assert_eq!(
            verify(Some(&old_only), BODY, &["whsec_new"], 300, at),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn stale_tampered_and_malformed_signatures_are_refused() {
        let at = 1_700_000_000;
        let good = header(&[SECRET], at);
        assert!(matches!(
            verify(Some(&good), BODY, &[SECRET], 300, at + 301),
            Err(SignatureError::Stale {
                age_seconds: 301,
                ..
            })
        ));
        assert_eq!(
            verify(Some(&good), b"{\"id\":\"evt_2\"}", &[SECRET], 300, at),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(None, BODY, &[SECRET], 300, at),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("v1=abcd"), BODY, &[SECRET], 300, at),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some(&format!("t={at}")), BODY, &[SECRET], 300, at),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn events_are_read_leniently() {
        let event = parse_event(
            br#"{"id":"evt_9","object":"event","type":"account.updated","account":"acct_1","api_version":"2099-01-01","data":{"object":{"id":"acct_1","new_field":true}}}"#,
        )
        .unwrap();
        assert_eq!(event.event_type, "account.updated");
        assert_eq!(event.account.as_deref(), Some("acct_1"));
        assert_eq!(event.object["id"], "acct_1");
        assert!(parse_event(b"{}").is_err());
        assert!(
            parse_event(br#"{"id":"x","object":"event","type":"a","data":{"object":{}}}"#).is_err()
        );
    }
}
