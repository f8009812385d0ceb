//! Bearer tokens: `Authenticator::authenticate` (built from default settings over a fixed
//! Ed25519 key, trusting the dev issuer or not) on an arbitrary token string, and on
//! tokens with arbitrary claims (and, in a third mode, an arbitrary header) that carry the
//! key's genuine signature, so the header and claims decoding behind the signature check
//! is reached as well. Checks that every refusal is `Invalid`, and that an accepted token
//! was signed by the key under its `kid` with EdDSA, names the API's audience and its own
//! issuer (the dev issuer only when trusted), has not expired and is not early beyond the
//! leeway, and yields the principal its claims describe.
#![no_main]

use jsonwebtoken::Algorithm;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::LazyLock;
use trove_api::auth::signing::{DEV_ISSUER, OWN_AUDIENCE, OWN_ISSUER};
use trove_api::auth::{AuthError, Authenticator, Principal};
use trove_fuzz::{authenticator, key_id, ready, signed_by_us, signed_token};

static TRUSTING_DEV: LazyLock<Authenticator> = LazyLock::new(|| authenticator(true));
static OWN_ONLY: LazyLock<Authenticator> = LazyLock::new(|| authenticator(false));
static KID: LazyLock<String> = LazyLock::new(key_id);
static HEADER: LazyLock<String> =
    LazyLock::new(|| format!(r#"{{"alg":"EdDSA","typ":"JWT","kid":"{}"}}"#, *KID));

/// The clock skew default settings allow on `exp` and `nbf`.
const LEEWAY: i64 = 60;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = match mode % 3 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => signed_token(HEADER.as_bytes(), rest),
        _ => match rest.iter().position(|byte| *byte == b'\n') {
            Some(at) => signed_token(&rest[..at], &rest[at + 1..]),
            None => signed_token(rest, b""),
        },
    };
    let dev_issuer = mode & 0x80 != 0;
    let authenticator = if dev_issuer { &TRUSTING_DEV } else { &OWN_ONLY };
    let before = chrono::Utc::now().timestamp();
    let outcome = ready(authenticator.authenticate(&token));
    let after = chrono::Utc::now().timestamp();
    match outcome {
        Ok(principal) => check_accepted(&token, &principal, dev_issuer, before, after),
        Err(error) => assert!(matches!(error, AuthError::Invalid(_)), "{error:?}"),
    }
});

fn check_accepted(token: &str, principal: &Principal, dev_issuer: bool, before: i64, after: i64) {
    assert!(
        signed_by_us(token),
        "accepted a token the key did not sign: {token:?}"
    );
    let decoded = jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("an accepted token decodes");
    assert_eq!(decoded.header.alg, Algorithm::EdDSA);
    assert_eq!(decoded.header.kid.as_deref(), Some(KID.as_str()));
    let claims = decoded.claims;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    assert_eq!(text("aud"), Some(OWN_AUDIENCE), "{claims}");
    let issuer = text("iss");
    assert!(
        issuer == Some(OWN_ISSUER) || (dev_issuer && issuer == Some(DEV_ISSUER)),
        "{claims}"
    );
    let exp = claims["exp"]
        .as_i64()
        .expect("an accepted token has an integer exp");
    assert!(exp.saturating_add(LEEWAY) >= before, "expired: {claims}");
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_f64) {
        assert!(nbf <= (after + LEEWAY) as f64, "not yet valid: {claims}");
    }
    assert_eq!(
        text("typ"),
        Some(principal.token_type().as_str()),
        "{claims}"
    );
    let subject = text("sub").expect("an accepted token has a subject");
    match principal {
        Principal::Staff {
            subject: staff,
            email,
            ..
        } => {
            assert!(dev_issuer && issuer == Some(DEV_ISSUER), "{claims}");
            assert_eq!(staff, subject);
            assert_eq!(email, text("email").unwrap_or_default());
        }
        Principal::Recipient { recipient_id } => {
            assert_eq!(issuer, Some(OWN_ISSUER));
            assert_eq!(recipient_id, subject);
        }
        Principal::OAuthState {
            vendor_id,
            jti,
            expires_at,
            ..
        } => {
            assert_eq!(issuer, Some(OWN_ISSUER));
            assert_eq!(
                text("vendor_id").map(uuid::Uuid::parse_str),
                Some(Ok(*vendor_id))
            );
            assert_eq!(text("jti"), Some(jti.as_str()));
            assert_eq!(*expires_at, exp);
        }
        Principal::StorefrontSession { storefront_id, jti } => {
            assert_eq!(issuer, Some(OWN_ISSUER));
            assert_eq!(uuid::Uuid::parse_str(subject), Ok(*storefront_id));
            assert_eq!(text("jti"), Some(jti.as_str()));
        }
    }
}
