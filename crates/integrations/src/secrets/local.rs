//! The embedded key wrapper: one AES-256 key in a local file (base64, created 0600 on first
//! start next to the database) wraps each data key with AES-256-GCM. Its key id carries a
//! fingerprint of the key, so a secret sealed under another key file is refused by name
//! rather than failing as a mystery.

use super::{DataKey, KEY_LEN, KeyWrapper, SecretsError, aead_key};
use async_trait::async_trait;
use aws_lc_rs::aead::{Aad, NONCE_LEN, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;

const WRAP_CONTEXT: &[u8] = b"trove local data key";

pub struct LocalKeys {
    key: [u8; KEY_LEN],
    key_id: String,
}

impl std::fmt::Debug for LocalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKeys")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl LocalKeys {
    /// The key in `path`, or a new random one written there (mode 0600) when it is missing.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretsError> {
        let unusable = |what: String| SecretsError::Key(format!("{}: {what}", path.display()));
        let mut fresh = [0u8; KEY_LEN];
        aws_lc_rs::rand::fill(&mut fresh).map_err(|_| unusable("no randomness".into()))?;
        let encoded = trove_bootstrap::secret_file::load_or_create(path, || STANDARD.encode(fresh))
            .map_err(|error| unusable(error.to_string()))?;
        let key: [u8; KEY_LEN] = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| unusable(format!("not {KEY_LEN} bytes of base64")))?;
        let fingerprint = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &key);
        let key_id = format!(
            "local:{}",
            fingerprint.as_ref()[..8]
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>()
        );
        Ok(Self { key, key_id })
    }
}

#[async_trait]
impl KeyWrapper for LocalKeys {
    async fn generate(&self, _context: &str) -> Result<DataKey, SecretsError> {
        let mut plaintext = [0u8; KEY_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut plaintext)
            .and_then(|()| aws_lc_rs::rand::fill(&mut nonce))
            .map_err(|_| SecretsError::Key("no randomness for a data key".into()))?;
        let mut sealed = plaintext.to_vec();
        aead_key(&self.key)?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(WRAP_CONTEXT),
                &mut sealed,
            )
            .map_err(|_| SecretsError::Key("AES-GCM refused to wrap".into()))?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend_from_slice(&sealed);
        Ok(DataKey {
            plaintext,
            wrapped,
            key_id: self.key_id.clone(),
        })
    }

    async fn unwrap(
        &self,
        key_id: &str,
        wrapped: &[u8],
        _context: &str,
    ) -> Result<[u8; KEY_LEN], SecretsError> {
        if key_id != self.key_id {
            return Err(SecretsError::Unreadable(format!(
                "sealed under another key ({key_id}; this installation has {})",
                self.key_id
            )));
        }
        let (nonce, sealed) = wrapped
            .split_first_chunk::<NONCE_LEN>()
            .ok_or_else(|| SecretsError::Unreadable("the wrapped key is too short".into()))?;
        let mut in_out = sealed.to_vec();
        let plaintext = aead_key(&self.key)?
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(WRAP_CONTEXT),
                &mut in_out,
            )
            .map_err(|_| SecretsError::Unreadable("the wrapped key was tampered with".into()))?;
        plaintext
            .try_into()
            .map_err(|_| SecretsError::Unreadable("the wrapped key has the wrong length".into()))
    }
}
