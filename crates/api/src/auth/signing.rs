//! The API's own signing keys (Ed25519) for the tokens it issues, and their JWKS.
//!
//! The current key signs; retired public keys still verify until their tokens expire, so
//! a key can be rotated without logging anyone out. Each key's `kid` is derived from the
//! public key itself. Outside production a missing key is generated once and kept in
//! `auth.signing_key_file`, so tokens survive restarts and the `token` command and the
//! server agree.

use super::claims::{OwnClaims, TokenType};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use trove_bootstrap::Settings;

/// `iss` of tokens this API issues for its own use.
pub const OWN_ISSUER: &str = "trove";
/// `iss` of tokens minted by the local dev issuer.
pub const DEV_ISSUER: &str = "trove-dev";
/// `aud` of every token this API signs.
pub const OWN_AUDIENCE: &str = "trove-api";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("auth.signing_key is not a base64 PKCS#8 Ed25519 key")]
    InvalidSigningKey,
    #[error("auth.retired_public_keys holds an entry that is not a base64url Ed25519 key")]
    InvalidRetiredKey,
    #[error("cannot generate a signing key")]
    Generate,
    #[error("cannot read or write the signing key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

pub struct SigningKeys {
    kid: String,
    encoding: EncodingKey,
    verifying: HashMap<String, (String, DecodingKey)>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .field("verifying", &self.verifying.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A new Ed25519 private key as base64 PKCS#8, the form `auth.signing_key` takes.
pub fn generate_key() -> Result<String, KeyError> {
    let document =
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| KeyError::Generate)?;
    Ok(STANDARD.encode(document.as_ref()))
}

fn key_id(public_key: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, public_key);
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12])
}

impl SigningKeys {
    /// The configured key, or outside production the one in `auth.signing_key_file`
    /// (generated on first use).
    pub fn from_settings(settings: &Settings) -> Result<Self, KeyError> {
        let private = match &settings.auth.signing_key {
            Some(key) => key.expose_secret().to_owned(),
            None => load_or_create(Path::new(&settings.auth.signing_key_file))?,
        };
        Self::new(&private, &settings.auth.retired_public_keys)
    }

    pub fn new(
        private_pkcs8_base64: &str,
        retired_public_keys: &[String],
    ) -> Result<Self, KeyError> {
        let pkcs8 = STANDARD
            .decode(private_pkcs8_base64.trim())
            .map_err(|_| KeyError::InvalidSigningKey)?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| KeyError::InvalidSigningKey)?;
        let public = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let kid = key_id(pair.public_key().as_ref());
        let mut verifying = HashMap::new();
        for x in std::iter::once(&public).chain(retired_public_keys) {
            let raw = URL_SAFE_NO_PAD
                .decode(x)
                .map_err(|_| KeyError::InvalidRetiredKey)?;
            let decoding =
                DecodingKey::from_ed_components(x).map_err(|_| KeyError::InvalidRetiredKey)?;
            verifying.insert(key_id(&raw), (x.clone(), decoding));
        }
        Ok(Self {
            kid,
            encoding: EncodingKey::from_ed_der(&pkcs8),
            verifying,
        })
    }

    /// The key that verifies tokens signed under `kid`.
    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid).map(|(_, key)| key)
    }

    /// Signs a token of `typ` for `subject`, valid for `lifetime`.
    pub fn issue(&self, draft: TokenDraft) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = OwnClaims {
            iss: draft.issuer.to_owned(),
            aud: OWN_AUDIENCE.to_owned(),
            sub: draft.subject,
            iat: now,
            exp: now + draft.lifetime.as_secs() as i64,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            typ: draft.typ,
            email: draft.email,
            vendor_id: draft.vendor_id,
            nonce: draft.nonce,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
    }

    /// The public keys as a JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .verifying
            .iter()
            .map(|(kid, (x, _))| {
                json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"})
            })
            .collect();
        json!({ "keys": keys })
    }
}

/// What to put in a token this API signs.
#[derive(Debug, Clone)]
pub struct TokenDraft {
    pub issuer: &'static str,
    pub typ: TokenType,
    pub subject: String,
    pub lifetime: std::time::Duration,
    pub email: Option<String>,
    pub vendor_id: Option<uuid::Uuid>,
    pub nonce: Option<String>,
}

fn load_or_create(path: &Path) -> Result<String, KeyError> {
    let fresh = generate_key()?;
    trove_bootstrap::secret_file::load_or_create(path, || fresh).map_err(|source| KeyError::File {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retired_key_still_verifies_and_is_published() {
        let old = SigningKeys::new(&generate_key().unwrap(), &[]).unwrap();
        let old_public = old.jwks()["keys"][0]["x"].as_str().unwrap().to_owned();
        let new = SigningKeys::new(&generate_key().unwrap(), &[old_public]).unwrap();
        assert!(new.decoding_key(&old.kid).is_some());
        assert!(new.decoding_key(&new.kid).is_some());
        assert_eq!(new.jwks()["keys"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_key_from_openssl_genpkey_signs_and_verifies() {
        // openssl genpkey -algorithm ed25519 -outform DER | base64 -w0  (PKCS#8 v1)
        let keys = SigningKeys::new(
            "MC4CAQAwBQYDK2VwBCIEIH21qP32qM/UTI9xuWoIsClyxEsutUc2nA6UEkJaRPYd",
            &[],
        )
        .unwrap();
        let token = keys
            .issue(TokenDraft {
                issuer: OWN_ISSUER,
                typ: TokenType::Recipient,
                subject: "r-1".into(),
                lifetime: std::time::Duration::from_secs(60),
                email: None,
                vendor_id: None,
                nonce: None,
            })
            .unwrap();
        let kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[OWN_AUDIENCE]);
        let decoded = jsonwebtoken::decode::<OwnClaims>(
            &token,
            keys.decoding_key(&kid).unwrap(),
            &validation,
        );
        assert_eq!(decoded.unwrap().claims.sub, "r-1");
    }

    #[test]
    fn a_malformed_key_is_refused() {
        assert!(matches!(
            SigningKeys::new("bm90IGEga2V5", &[]),
            Err(KeyError::InvalidSigningKey)
        ));
    }
}
