//! Turning a bearer token into a `Principal`, or saying why not.
//!
//! Accepted: RS256 tokens from the configured Auth0 issuer and audience (Vendor, or Admin
//! when the admin claim holds the admin value), and EdDSA tokens this API signed (its own
//! types; dev-issuer Vendor/Admin tokens only when `auth.dev_issuer` is on). Everything else
//! — `alg: none`, any HS* algorithm (which is how the RS256→HS256 confusion works), unknown
//! keys, wrong `iss`/`aud`, expired or not-yet-valid tokens beyond the leeway — is refused.

use super::claims::{OwnClaims, Principal, TokenType};
use super::jwks::{JwksCache, JwksError};
use super::signing::{DEV_ISSUER, OWN_AUDIENCE, OWN_ISSUER, SigningKeys, TokenDraft};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use trove_bootstrap::Settings;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("a bearer token is required")]
    Missing,
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("this needs a {expected} token, not a {actual} token")]
    WrongType {
        expected: &'static str,
        actual: TokenType,
    },
    #[error("the identity provider's keys cannot be fetched")]
    KeysUnavailable(String),
}

#[derive(Debug)]
struct Auth0 {
    issuer: String,
    audience: String,
    jwks: JwksCache,
}

#[derive(Debug)]
pub struct Authenticator {
    auth0: Option<Auth0>,
    own_keys: Arc<SigningKeys>,
    dev_issuer: bool,
    leeway: u64,
    admin_claim: String,
    admin_value: String,
}

impl Authenticator {
    pub fn new(settings: &Settings, own_keys: Arc<SigningKeys>) -> Result<Self, reqwest::Error> {
        let auth = &settings.auth;
        let auth0 = match (&auth.issuer, &auth.audience, auth.jwks_url()) {
            (Some(issuer), Some(audience), Some(jwks_url)) => Some(Auth0 {
                issuer: issuer.clone(),
                audience: audience.clone(),
                jwks: JwksCache::new(
                    jwks_url,
                    Duration::from_secs(auth.jwks_refetch_cooldown_seconds),
                )?,
            }),
            _ => None,
        };
        Ok(Self {
            auth0,
            own_keys,
            dev_issuer: auth.dev_issuer,
            leeway: auth.leeway_seconds.min(60),
            admin_claim: auth.admin_claim.clone(),
            admin_value: auth.admin_value.clone(),
        })
    }

    pub fn own_keys(&self) -> &SigningKeys {
        &self.own_keys
    }

    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| AuthError::Invalid(format!("unreadable header ({error})")))?;
        let kid = header
            .kid
            .ok_or_else(|| AuthError::Invalid("the header has no kid".into()))?;
        match header.alg {
            Algorithm::RS256 => self.auth0_principal(token, &kid).await,
            Algorithm::EdDSA => self.own_principal(token, &kid),
            other => Err(AuthError::Invalid(format!(
                "algorithm {other:?} is not accepted"
            ))),
        }
    }

    fn validation(&self, algorithm: Algorithm, issuers: &[&str], audience: &str) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        validation.set_issuer(issuers);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation
    }

    async fn auth0_principal(&self, token: &str, kid: &str) -> Result<Principal, AuthError> {
        let auth0 = self
            .auth0
            .as_ref()
            .ok_or_else(|| AuthError::Invalid("no identity provider is configured".into()))?;
        let key = auth0.jwks.key(kid).await.map_err(|error| match error {
            JwksError::UnknownKey => AuthError::Invalid("unknown signing key".into()),
            JwksError::Unavailable(reason) => AuthError::KeysUnavailable(reason),
        })?;
        let validation = self.validation(Algorithm::RS256, &[&auth0.issuer], &auth0.audience);
        let claims =
            jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, &key, &validation)
                .map_err(|error| AuthError::Invalid(error.to_string()))?
                .claims;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let email = claims
            .iter()
            .find(|(name, _)| *name == "email" || name.ends_with("/email"))
            .and_then(|(_, value)| value.as_str())
            .unwrap_or_default()
            .to_owned();
        let admin = grants(claims.get(&self.admin_claim), &self.admin_value);
        Ok(Principal::Staff {
            subject,
            email,
            admin,
        })
    }

    fn own_principal(&self, token: &str, kid: &str) -> Result<Principal, AuthError> {
        let key = self
            .own_keys
            .decoding_key(kid)
            .ok_or_else(|| AuthError::Invalid("unknown signing key".into()))?;
        let issuers: &[&str] = if self.dev_issuer {
            &[OWN_ISSUER, DEV_ISSUER]
        } else {
            &[OWN_ISSUER]
        };
        let validation = self.validation(Algorithm::EdDSA, issuers, OWN_AUDIENCE);
        let claims = jsonwebtoken::decode::<OwnClaims>(token, key, &validation)
            .map_err(|error| AuthError::Invalid(error.to_string()))?
            .claims;
        let dev = claims.iss == DEV_ISSUER;
        match (claims.typ, dev) {
            (TokenType::Vendor | TokenType::Admin, true) => Ok(Principal::Staff {
                subject: claims.sub,
                email: claims.email.unwrap_or_default(),
                admin: claims.typ == TokenType::Admin,
            }),
            (TokenType::Recipient, false) => Ok(Principal::Recipient {
                recipient_id: claims.sub,
            }),
            (TokenType::ShopifyOauth | TokenType::XeroOauth | TokenType::StripeOauth, false) => {
                Ok(Principal::OAuthState {
                    provider: claims.typ,
                    vendor_id: claims
                        .vendor_id
                        .ok_or_else(|| AuthError::Invalid("the state names no vendor".into()))?,
                    nonce: claims.nonce.unwrap_or_default(),
                    jti: claims.jti,
                    expires_at: claims.exp,
                })
            }
            (TokenType::StorefrontSession, false) => Ok(Principal::StorefrontSession {
                storefront_id: uuid::Uuid::parse_str(&claims.sub)
                    .map_err(|_| AuthError::Invalid("the session names no storefront".into()))?,
                jti: claims.jti,
            }),
            (typ, _) => Err(AuthError::Invalid(format!(
                "{typ} tokens are not issued by {}",
                claims.iss
            ))),
        }
    }

    /// A short-lived token for one recipient's gift session.
    pub fn issue_recipient(
        &self,
        recipient_id: &str,
        lifetime: Duration,
    ) -> Result<String, AuthError> {
        self.sign(TokenDraft {
            issuer: OWN_ISSUER,
            typ: TokenType::Recipient,
            subject: recipient_id.to_owned(),
            lifetime,
            email: None,
            vendor_id: None,
            nonce: None,
        })
    }

    /// A shopper's session on one password-protected storefront.
    pub fn issue_storefront_session(
        &self,
        storefront_id: uuid::Uuid,
        lifetime: Duration,
    ) -> Result<String, AuthError> {
        self.sign(TokenDraft {
            issuer: OWN_ISSUER,
            typ: TokenType::StorefrontSession,
            subject: storefront_id.to_string(),
            lifetime,
            email: None,
            vendor_id: None,
            nonce: None,
        })
    }

    /// The `state` of one Shopify, Xero or Stripe connection round trip: bound to a vendor and a
    /// nonce, valid for minutes, spendable once.
    pub fn issue_oauth_state(
        &self,
        provider: TokenType,
        vendor_id: uuid::Uuid,
        nonce: &str,
    ) -> Result<String, AuthError> {
        if !matches!(
            provider,
            TokenType::ShopifyOauth | TokenType::XeroOauth | TokenType::StripeOauth
        ) {
            return Err(AuthError::Invalid(format!(
                "{provider} is not an OAuth state type"
            )));
        }
        self.sign(TokenDraft {
            issuer: OWN_ISSUER,
            typ: provider,
            subject: vendor_id.to_string(),
            lifetime: Duration::from_secs(600),
            email: None,
            vendor_id: Some(vendor_id),
            nonce: Some(nonce.to_owned()),
        })
    }

    fn sign(&self, draft: TokenDraft) -> Result<String, AuthError> {
        self.own_keys
            .issue(draft)
            .map_err(|error| AuthError::Invalid(format!("cannot sign: {error}")))
    }
}

/// Whether a permissions/roles claim (a list, or a space-separated string) holds `value`.
fn grants(claim: Option<&Value>, value: &str) -> bool {
    match claim {
        Some(Value::Array(items)) => items.iter().any(|item| item.as_str() == Some(value)),
        Some(Value::String(items)) => items.split_whitespace().any(|item| item == value),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::grants;
    use serde_json::json;

    #[test]
    fn admin_comes_from_a_list_or_a_scope_string() {
        assert!(grants(
            Some(&json!(["read:orders", "admin:platform"])),
            "admin:platform"
        ));
        assert!(grants(
            Some(&json!("read:orders admin:platform")),
            "admin:platform"
        ));
        assert!(!grants(
            Some(&json!(["admin:platform:x"])),
            "admin:platform"
        ));
        assert!(!grants(None, "admin:platform"));
    }
}
