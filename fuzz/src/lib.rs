//! What Trove's fuzz targets share: running a future that never waits, the fixed Ed25519
//! key the token targets sign and verify with, and the claims they read back.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use trove_api::auth::{Authenticator, SigningKeys};

/// The output of `future`, which must finish on its first poll: everything the targets
/// await reads from memory, so a future that waits is itself a finding.
pub fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future waited for something outside memory"),
    }
}

/// The signing key of the token targets (base64 PKCS#8; the one the signing unit tests use).
pub const SIGNING_KEY: &str = "MC4CAQAwBQYDK2VwBCIEIH21qP32qM/UTI9xuWoIsClyxEsutUc2nA6UEkJaRPYd";

/// `SIGNING_KEY` as the API holds it.
pub fn signing_keys() -> SigningKeys {
    SigningKeys::new(SIGNING_KEY, &[]).expect("the fixed key is a valid Ed25519 key")
}

/// An authenticator as the API builds one from default settings (no Auth0), trusting the
/// dev issuer when asked, over `SIGNING_KEY`.
pub fn authenticator(dev_issuer: bool) -> Authenticator {
    let mut settings = trove_bootstrap::Settings::default();
    settings.auth.dev_issuer = dev_issuer;
    Authenticator::new(&settings, Arc::new(signing_keys()))
        .expect("no identity provider is configured, so nothing is fetched")
}

/// The `kid` the API puts in the header of tokens signed with `SIGNING_KEY`.
pub fn key_id() -> String {
    signing_keys().jwks()["keys"][0]["kid"]
        .as_str()
        .expect("the JWKS names its key")
        .to_owned()
}

/// The JWS signature (base64url) of `signing_input` under `SIGNING_KEY`. Ed25519 is
/// deterministic, so a token the key signed carries exactly this signature.
pub fn signature(signing_input: &[u8]) -> String {
    let pkcs8 = STANDARD
        .decode(SIGNING_KEY)
        .expect("the fixed key is base64");
    jsonwebtoken::crypto::sign(
        signing_input,
        &EncodingKey::from_ed_der(&pkcs8),
        Algorithm::EdDSA,
    )
    .expect("Ed25519 signing does not fail")
}

/// A compact JWS of `header` and `claims` (raw bytes, whatever they hold) signed with
/// `SIGNING_KEY`.
pub fn signed_token(header: &[u8], claims: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = signature(input.as_bytes());
    format!("{input}.{signature}")
}

/// Whether `token` carries the signature `SIGNING_KEY` makes over its own signing input:
/// the only tokens a verifier may accept.
pub fn signed_by_us(token: &str) -> bool {
    token
        .rsplit_once('.')
        .is_some_and(|(input, given)| signature(input.as_bytes()) == given)
}

/// The claims the token checks read, decoded as the authenticator decodes them: other
/// claims are skipped unread (parsing the whole payload as JSON would be stricter than the
/// authenticator, which ignores invalid UTF-8 inside a claim it does not use).
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub jti: String,
    pub typ: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub vendor_id: Option<String>,
    #[serde(default)]
    pub nbf: Option<f64>,
}

/// The header and claims of a token the authenticator accepted, read without verifying.
pub fn accepted_claims(token: &str) -> (Header, Claims) {
    let decoded = jsonwebtoken::dangerous::insecure_decode::<Claims>(token)
        .expect("an accepted token has the claims the authenticator read");
    (decoded.header, decoded.claims)
}
