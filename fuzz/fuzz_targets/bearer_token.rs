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
use std::sync::LazyLock;
use trove_api::auth::signing::{DEV_ISSUER, OWN_AUDIENCE, OWN_ISSUER};
use trove_api::auth::{AuthError, Authenticator, Principal};
use trove_fuzz::{accepted_claims, authenticator, key_id, ready, signed_by_us, signed_token};

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
    let (header, claims) = accepted_claims(token);
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some(KID.as_str()));
    assert_eq!(claims.aud, OWN_AUDIENCE, "{claims:?}");
    let own = claims.iss == OWN_ISSUER;
    assert!(
        own || (dev_issuer && claims.iss == DEV_ISSUER),
        "{claims:?}"
    );
    assert!(
        claims.exp.saturating_add(LEEWAY) >= before,
        "expired: {claims:?}"
    );
    if let Some(nbf) = claims.nbf {
        // The validation rounds a fractional `nbf` to whole seconds.
        assert!(
            nbf.round() <= (after + LEEWAY) as f64,
            "not yet valid: {claims:?}"
        );
    }
    assert_eq!(claims.typ, principal.token_type().as_str(), "{claims:?}");
    match principal {
        Principal::Staff { subject, email, .. } => {
            assert!(!own, "staff from the API's own issuer: {claims:?}");
            assert_eq!(*subject, claims.sub);
            assert_eq!(*email, claims.email.unwrap_or_default());
        }
        Principal::Recipient { recipient_id } => {
            assert!(own, "{claims:?}");
            assert_eq!(*recipient_id, claims.sub);
        }
        Principal::OAuthState {
            vendor_id,
            jti,
            expires_at,
            ..
        } => {
            assert!(own, "{claims:?}");
            assert_eq!(
                claims.vendor_id.as_deref().map(uuid::Uuid::parse_str),
                Some(Ok(*vendor_id))
            );
            assert_eq!(*jti, claims.jti);
            assert_eq!(*expires_at, claims.exp);
        }
        Principal::StorefrontSession { storefront_id, jti } => {
            assert!(own, "{claims:?}");
            assert_eq!(uuid::Uuid::parse_str(&claims.sub), Ok(*storefront_id));
            assert_eq!(*jti, claims.jti);
        }
    }
}
