//! Third-party credentials at rest (Shopify and Xero tokens): envelope encryption.
//!
//! Policy: every secret gets a fresh 256-bit data key; the secret is sealed with
//! AES-256-GCM under that key, bound to a caller-given context (which row and field it
//! belongs to) as associated data, so a sealed value copied to another row does not open.
//! The data key itself is kept only wrapped: by AWS KMS (`GenerateDataKey`, read back with
//! `Decrypt`, the context passed as encryption context) in production, or by a local key
//! file in embedded mode. What is stored is [`Sealed`]: ciphertext, nonce, wrapped key and
//! the id of the key that wrapped it. Plaintext only ever leaves as a `SecretString`.

mod kms;
mod local;

pub use kms::KmsKeys;
pub use local::LocalKeys;

use async_trait::async_trait;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use trove_bootstrap::settings::{AwsSettings, SecretsBackend, SecretsSettings};

/// Length of every data key and of the local key: AES-256.
pub const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The key service did not answer (network, throttling, 5xx): worth retrying.
    #[error("the key service is unavailable: {0}")]
    Unavailable(String),
    /// The stored value cannot be opened: tampered, moved to another row, or wrapped by a
    /// key this installation does not have.
    #[error("a stored secret cannot be opened: {0}")]
    Unreadable(String),
    /// The key service refused, or the local key file is unusable.
    #[error("the secrets key is unusable: {0}")]
    Key(String),
}

/// A data key: its plaintext (used once, then dropped) and its wrapped form.
pub struct DataKey {
    pub plaintext: [u8; KEY_LEN],
    pub wrapped: Vec<u8>,
    /// The key that wrapped it, as the key service names it.
    pub key_id: String,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Makes and unwraps data keys: KMS in production, the local key file when embedded.
#[async_trait]
pub trait KeyWrapper: Send + Sync + std::fmt::Debug {
    async fn generate(&self, context: &str) -> Result<DataKey, SecretsError>;
    async fn unwrap(
        &self,
        key_id: &str,
        wrapped: &[u8],
        context: &str,
    ) -> Result<[u8; KEY_LEN], SecretsError>;
}

/// One secret as stored: a JSON text column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The format version: 1.
    pub v: u8,
    pub key_id: String,
    /// The data key, wrapped (base64).
    pub wrapped_key: String,
    /// The AES-GCM nonce (base64).
    pub nonce: String,
    /// The secret, encrypted, with its tag (base64).
    pub ciphertext: String,
}

impl Sealed {
    pub fn to_column(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_column(column: &str) -> Result<Self, SecretsError> {
        serde_json::from_str(column)
            .map_err(|error| SecretsError::Unreadable(format!("not a sealed secret: {error}")))
    }
}

/// Seals and opens secrets with data keys from its [`KeyWrapper`].
#[derive(Debug, Clone)]
pub struct SecretBox {
    keys: Arc<dyn KeyWrapper>,
}

impl SecretBox {
    pub fn new(keys: Arc<dyn KeyWrapper>) -> Self {
        Self { keys }
    }

    /// The box `settings` describe: KMS (through `aws`) or the local key file.
    pub async fn from_settings(
        settings: &SecretsSettings,
        aws: &AwsSettings,
    ) -> Result<Self, SecretsError> {
        let keys: Arc<dyn KeyWrapper> = match settings.backend {
            SecretsBackend::Local => Arc::new(LocalKeys::load_or_create(std::path::Path::new(
                &settings.local_key_file,
            ))?),
            SecretsBackend::Kms => {
                let key_id = settings.kms_key_id.clone().ok_or_else(|| {
                    SecretsError::Key("secrets.kms_key_id is required with kms".into())
                })?;
                Arc::new(KmsKeys::new(&crate::aws::sdk_config(aws).await, key_id))
            }
        };
        Ok(Self::new(keys))
    }

    /// `secret` sealed under a fresh data key, bound to `context` (e.g.
    /// `shopify_connection/<vendor id>/access_token`).
    pub async fn seal(&self, secret: &SecretString, context: &str) -> Result<Sealed, SecretsError> {
        let data_key = self.keys.generate(context).await?;
        let key = aead_key(&data_key.plaintext)?;
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce)
            .map_err(|_| SecretsError::Key("no randomness for a nonce".into()))?;
        let mut in_out = secret.expose_secret().as_bytes().to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context.as_bytes()),
            &mut in_out,
        )
        .map_err(|_| SecretsError::Key("AES-GCM refused to seal".into()))?;
        Ok(Sealed {
            v: 1,
            key_id: data_key.key_id,
            wrapped_key: STANDARD.encode(&data_key.wrapped),
            nonce: STANDARD.encode(nonce),
            ciphertext: STANDARD.encode(in_out),
        })
    }

    /// The secret `sealed` holds, if it was sealed for `context`.
    pub async fn open(&self, sealed: &Sealed, context: &str) -> Result<SecretString, SecretsError> {
        if sealed.v != 1 {
            return Err(SecretsError::Unreadable(format!(
                "unknown format version {}",
                sealed.v
            )));
        }
        let decode = |field: &str, value: &str| {
            STANDARD
                .decode(value)
                .map_err(|_| SecretsError::Unreadable(format!("{field} is not base64")))
        };
        let wrapped = decode("wrapped_key", &sealed.wrapped_key)?;
        let nonce: [u8; NONCE_LEN] = decode("nonce", &sealed.nonce)?
            .try_into()
            .map_err(|_| SecretsError::Unreadable("the nonce has the wrong length".into()))?;
        let mut in_out = decode("ciphertext", &sealed.ciphertext)?;
        let data_key = self.keys.unwrap(&sealed.key_id, &wrapped, context).await?;
        let plaintext = aead_key(&data_key)?
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut in_out,
            )
            .map_err(|_| SecretsError::Unreadable("tampered, or sealed for another row".into()))?;
        String::from_utf8(plaintext.to_vec())
            .map(SecretString::from)
            .map_err(|_| SecretsError::Unreadable("the secret is not UTF-8".into()))
    }
}

fn aead_key(bytes: &[u8; KEY_LEN]) -> Result<LessSafeKey, SecretsError> {
    UnboundKey::new(&AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| SecretsError::Key("not an AES-256 key".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_key_file() -> std::path::PathBuf {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::env::temp_dir().join(format!("trove-secrets-{}-{n}/key.b64", std::process::id()))
    }

    #[tokio::test]
    async fn a_sealed_secret_opens_only_in_its_context_and_untampered() {
        let path = temp_key_file();
        let secrets = SecretBox::new(Arc::new(LocalKeys::load_or_create(&path).unwrap()));
        let token = SecretString::from("shpat_0123456789abcdef");
        let sealed = secrets
            .seal(&token, "shopify/v1/access_token")
            .await
            .unwrap();
        assert!(!sealed.to_column().contains("shpat_"));

        let opened = secrets
            .open(
                &Sealed::from_column(&sealed.to_column()).unwrap(),
                "shopify/v1/access_token",
            )
            .await
            .unwrap();
        assert_eq!(opened.expose_secret(), "shpat_0123456789abcdef");

        let elsewhere = secrets.open(&sealed, "shopify/v2/access_token").await;
        assert!(matches!(elsewhere, Err(SecretsError::Unreadable(_))));

        let mut tampered = sealed.clone();
        let mut bytes = STANDARD.decode(&tampered.ciphertext).unwrap();
        bytes[0] ^= 1;
        tampered.ciphertext = STANDARD.encode(bytes);
        assert!(matches!(
            secrets.open(&tampered, "shopify/v1/access_token").await,
            Err(SecretsError::Unreadable(_))
        ));

        let again = secrets
            .seal(&token, "shopify/v1/access_token")
            .await
            .unwrap();
        assert_ne!(
            again.wrapped_key, sealed.wrapped_key,
            "a fresh data key each time"
        );
        assert_ne!(again.ciphertext, sealed.ciphertext);
    }

    #[tokio::test]
    async fn the_key_file_is_private_kept_and_another_key_cannot_open() {
        let path = temp_key_file();
        let first = SecretBox::new(Arc::new(LocalKeys::load_or_create(&path).unwrap()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = first
            .seal(&SecretString::from("token"), "ctx")
            .await
            .unwrap();
        let reloaded = SecretBox::new(Arc::new(LocalKeys::load_or_create(&path).unwrap()));
        assert_eq!(
            reloaded.open(&sealed, "ctx").await.unwrap().expose_secret(),
            "token"
        );

        let other = SecretBox::new(Arc::new(
            LocalKeys::load_or_create(&temp_key_file()).unwrap(),
        ));
        let refused = other.open(&sealed, "ctx").await;
        assert!(
            matches!(&refused, Err(SecretsError::Unreadable(message)) if message.contains("another key")),
            "{refused:?}"
        );
    }

    /// Against KMS as moto serves it (`TEST_AWS_ENDPOINT`, set by `.ci/run`).
    #[tokio::test]
    async fn kms_wraps_each_data_key_and_refuses_another_context() {
        let Ok(endpoint) = std::env::var("TEST_AWS_ENDPOINT") else {
            eprintln!("TEST_AWS_ENDPOINT not set: KMS envelope test skipped");
            return;
        };
        let aws = AwsSettings {
            endpoint_url: Some(endpoint),
            access_key_id: Some("testing".into()),
            secret_access_key: Some(SecretString::from("testing")),
            ..AwsSettings::default()
        };
        let config = crate::aws::sdk_config(&aws).await;
        let key = aws_sdk_kms::Client::new(&config)
            .create_key()
            .description("trove test secrets")
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        let settings = SecretsSettings {
            backend: SecretsBackend::Kms,
            kms_key_id: Some(key.key_id().to_owned()),
            ..SecretsSettings::default()
        };
        let secrets = SecretBox::from_settings(&settings, &aws).await.unwrap();
        let sealed = secrets
            .seal(&SecretString::from("shpat_kms"), "shopify/v1/access_token")
            .await
            .unwrap();
        assert!(sealed.key_id.contains(key.key_id()), "{}", sealed.key_id);
        assert_eq!(
            secrets
                .open(&sealed, "shopify/v1/access_token")
                .await
                .unwrap()
                .expose_secret(),
            "shpat_kms"
        );
        let refused = secrets.open(&sealed, "shopify/v2/access_token").await;
        assert!(
            matches!(refused, Err(SecretsError::Unreadable(_))),
            "{refused:?}"
        );
    }
}
