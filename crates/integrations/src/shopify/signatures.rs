//! The two HMAC-SHA256 signatures Shopify puts on what it sends, both under the app's
//! client secret and both compared in constant time:
//!
//! - an OAuth callback's query: `hmac` is the hex digest of the other parameters
//!   (`signature` left out too), URL-decoded, sorted by name, written `name=value` and
//!   joined with `&` (`%` and `&` in a value escaped as `%25` and `%26`, and `=` too in a
//!   name), as Shopify documents for verifying installation requests;
//! - a webhook: `X-Shopify-Hmac-Sha256` is the base64 digest of the raw body, byte for
//!   byte: a body parsed and written again does not match.

use aws_lc_rs::{constant_time, hmac};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Whether `query` (as received, without the leading `?`) carries a valid `hmac`.
pub fn query_is_signed(query: &str, secret: &str) -> bool {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let Some(position) = pairs.iter().position(|(name, _)| name == "hmac") else {
        return false;
    };
    let (_, given) = pairs.swap_remove(position);
    if pairs.iter().any(|(name, _)| name == "hmac") {
        return false;
    }
    pairs.retain(|(name, _)| name != "signature");
    let Some(given) = decode_hex(&given) else {
        return false;
    };
    let expected = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
        signed_message(&mut pairs).as_bytes(),
    );
    constant_time::verify_slices_are_equal(expected.as_ref(), &given).is_ok()
}

/// The hex `hmac` Shopify would put on a query of `pairs` (for stand-ins and tests).
pub fn sign_query(pairs: &[(&str, &str)], secret: &str) -> String {
    let mut owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
        signed_message(&mut owned).as_bytes(),
    );
    tag.as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn signed_message(pairs: &mut [(String, String)]) -> String {
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", escape(name).replace('=', "%3D"), escape(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn escape(text: &str) -> String {
    text.replace('%', "%25").replace('&', "%26")
}

/// Whether `header` (`X-Shopify-Hmac-Sha256`) signs `body` exactly.
pub fn webhook_is_signed(header: Option<&str>, body: &[u8], secret: &str) -> bool {
    let Some(given) = header.and_then(|header| STANDARD.decode(header.trim()).ok()) else {
        return false;
    };
    let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()), body);
    constant_time::verify_slices_are_equal(expected.as_ref(), &given).is_ok()
}

/// The `X-Shopify-Hmac-Sha256` value for `body` (for stand-ins and tests).
pub fn sign_webhook(body: &[u8], secret: &str) -> String {
    STANDARD.encode(hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()),
        body,
    ))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Shopify's "Verify an installation request" guide.
    #[test]
    fn shopifys_documented_example_verifies() {
        let query = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";
        assert!(query_is_signed(query, "hush"));
        assert!(!query_is_signed(query, "other"));
        let tampered = query.replace("some-shop", "evil-shop");
        assert!(!query_is_signed(&tampered, "hush"));
        assert!(!query_is_signed(
            "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com",
            "hush"
        ));
    }

    #[test]
    fn signing_and_verifying_agree_whatever_the_order_and_encoding() {
        let pairs = [
            ("shop", "a-shop.myshopify.com"),
            ("code", "c&d=e%f"),
            ("timestamp", "1700000000"),
            ("state", "eyJ.x.y"),
        ];
        let hmac = sign_query(&pairs, "secret");
        let query = format!(
            "timestamp=1700000000&state=eyJ.x.y&hmac={hmac}&code=c%26d%3De%25f&shop=a-shop.myshopify.com"
        );
        assert!(query_is_signed(&query, "secret"));
        let twice = format!("{query}&hmac={hmac}");
        assert!(!query_is_signed(&twice, "secret"), "two hmacs are refused");
    }

    #[test]
    fn a_webhook_signature_covers_the_exact_bytes() {
        let body = br#"{"id":1,"title":"Mug"}"#;
        let header = sign_webhook(body, "secret");
        assert!(webhook_is_signed(Some(&header), body, "secret"));
        assert!(!webhook_is_signed(
            Some(&header),
            br#"{"id": 1, "title": "Mug"}"#,
            "secret"
        ));
        assert!(!webhook_is_signed(None, body, "secret"));
        assert!(!webhook_is_signed(Some("not base64!"), body, "secret"));
    }
}
