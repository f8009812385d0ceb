//! Stripe webhook signatures: `webhook::verify` on an arbitrary `Stripe-Signature` header
//! and body (which also goes through `parse_event`), and on a genuine signature behind
//! arbitrary header elements, at an arbitrary timestamp, clock and tolerance, under the
//! secret that made it or not, for the body it signed or a changed one. Checks that a
//! header is accepted only when one of its `v1` values is the signature Trove computes for
//! that body and timestamp, that a genuine signature is accepted exactly when it is within
//! the tolerance and still refused for a changed body or another secret, and that an
//! accepted event has a bounded `evt_` id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trove_integrations::stripe::webhook::{SignatureError, parse_event, sign, verify};

/// The endpoint's secrets while one is being rolled.
const SECRETS: [&str; 2] = ["whsec_fuzz_current", "whsec_fuzz_previous"];
/// The clock and tolerance of the arbitrary headers.
const NOW: i64 = 1_700_000_000;
const TOLERANCE: u64 = 300;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        arbitrary(rest);
    } else {
        genuine(mode, rest);
    }
});

/// The header and the body, split at the first NUL.
fn split(bytes: &[u8]) -> (String, &[u8]) {
    match bytes.iter().position(|byte| *byte == 0) {
        Some(at) => (
            String::from_utf8_lossy(&bytes[..at]).into_owned(),
            &bytes[at + 1..],
        ),
        None => (String::from_utf8_lossy(bytes).into_owned(), &[]),
    }
}

fn arbitrary(bytes: &[u8]) {
    let (header, body) = split(bytes);
    if verify(Some(&header), body, &SECRETS, TOLERANCE, NOW).is_ok() {
        assert!(
            carries_signature(&header, body),
            "accepted {header:?} for {body:?}"
        );
    }
    if let Ok(event) = parse_event(body) {
        assert!(event.id.starts_with("evt_") && event.id.len() <= 255);
    }
}

/// Whether some `t=` and `v1=` elements of `header` are a timestamp and Trove's signature
/// of `body` at it under one of the secrets.
fn carries_signature(header: &str, body: &[u8]) -> bool {
    let values = |key: &str| {
        header
            .split(',')
            .filter_map(|part| part.trim().split_once('='))
            .filter(|(name, _)| *name == key)
            .map(|(_, value)| value.to_owned())
            .collect::<Vec<_>>()
    };
    let signatures = values("v1");
    values("t")
        .iter()
        .filter_map(|stamp| stamp.parse::<i64>().ok())
        .any(|stamp| {
            SECRETS.iter().any(|secret| {
                let expected = sign(secret, stamp, body);
                signatures
                    .iter()
                    .any(|given| given.eq_ignore_ascii_case(&expected))
            })
        })
}

/// `bytes`: the timestamp (8 bytes), the clock's offset from it (4), the tolerance (2),
/// then header elements to put first, a NUL and the body. Bits of `mode` pick the signing
/// secret, whether only the other secret is configured, and whether the body changes.
fn genuine(mode: u8, bytes: &[u8]) {
    let Some((stamp, bytes)) = bytes.split_first_chunk::<8>() else {
        return;
    };
    let Some((offset, bytes)) = bytes.split_first_chunk::<4>() else {
        return;
    };
    let Some((tolerance, bytes)) = bytes.split_first_chunk::<2>() else {
        return;
    };
    let stamp = i64::from_le_bytes(*stamp);
    let now = stamp.saturating_add(i64::from(i32::from_le_bytes(*offset)));
    // The settings allow 1 to 3600 seconds.
    let tolerance = u64::from(u16::from_le_bytes(*tolerance)) % 3600 + 1;
    let (first, body) = split(bytes);

    let signer = usize::from(mode >> 1 & 1);
    let other_only = mode & 0b100 != 0;
    let configured: &[&str] = if other_only {
        &SECRETS[1 - signer..2 - signer]
    } else {
        &SECRETS
    };
    let changed = mode & 0b1000 != 0;
    let header = format!(
        "{first},t={stamp},v1={}",
        sign(SECRETS[signer], stamp, body)
    );
    let verified_body = if changed {
        let mut changed = body.to_vec();
        match changed.first_mut() {
            Some(byte) => *byte ^= 1,
            None => changed.push(b'{'),
        }
        changed
    } else {
        body.to_vec()
    };

    let fresh = (i128::from(now) - i128::from(stamp)).unsigned_abs() <= u128::from(tolerance);
    let outcome = verify(Some(&header), &verified_body, configured, tolerance, now);
    match outcome {
        Ok(()) => assert!(
            fresh && !changed && !other_only,
            "accepted {header:?} at {now} (tolerance {tolerance})"
        ),
        Err(SignatureError::Stale { .. }) => assert!(!fresh, "refused a fresh {header:?}"),
        Err(SignatureError::Mismatch) => assert!(
            fresh && (changed || other_only),
            "refused the genuine {header:?} as a mismatch"
        ),
        Err(error) => panic!("{error:?} for the well-formed {header:?}"),
    }
}
