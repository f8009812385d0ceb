//! Storefront passwords at rest: PBKDF2-HMAC-SHA256 with a random 16-byte salt, stored as
//! `pbkdf2-sha256$iterations$salt$hash` (base64), so the cost can be raised later without
//! invalidating stored hashes. Verification is constant-time. Both run on the blocking
//! pool: a hash takes a noticeable fraction of a second on purpose.

use aws_lc_rs::pbkdf2;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use std::num::NonZeroU32;

const SCHEME: &str = "pbkdf2-sha256";
/// OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023).
const ITERATIONS: u32 = 600_000;
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
#[error("cannot hash a password: {0}")]
pub struct HashError(String);

fn derive(iterations: NonZeroU32, salt: &[u8], password: &str) -> [u8; HASH_BYTES] {
    let mut hash = [0u8; HASH_BYTES];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        password.as_bytes(),
        &mut hash,
    );
    hash
}

/// The stored form of `password`.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; SALT_BYTES];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| HashError("no randomness".into()))?;
        let iterations = NonZeroU32::new(ITERATIONS).unwrap_or(NonZeroU32::MIN);
        let hash = derive(iterations, &salt, &password);
        Ok(format!(
            "{SCHEME}${ITERATIONS}${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(hash)
        ))
    })
    .await
    .map_err(|error| HashError(error.to_string()))?
}

/// Whether `password` matches `stored`; a malformed stored hash matches nothing.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let mut parts = stored.split('$');
        let (Some(SCHEME), Some(iterations), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return false;
        };
        let (Some(iterations), Ok(salt), Ok(hash)) = (
            iterations.parse().ok().and_then(NonZeroU32::new),
            STANDARD_NO_PAD.decode(salt),
            STANDARD_NO_PAD.decode(hash),
        ) else {
            return false;
        };
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            &salt,
            password.as_bytes(),
            &hash,
        )
        .is_ok()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("open sesame".into()).await.unwrap();
        assert!(stored.starts_with("pbkdf2-sha256$600000$"));
        assert!(verify("open sesame".into(), stored.clone()).await);
        assert!(!verify("open sesame!".into(), stored.clone()).await);
        assert!(!verify("open sesame".into(), "plain".into()).await);
        let again = hash("open sesame".into()).await.unwrap();
        assert_ne!(stored, again, "every hash has its own salt");
    }
}
