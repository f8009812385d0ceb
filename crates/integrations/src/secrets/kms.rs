//! The production key wrapper: AWS KMS. A data key comes from `GenerateDataKey` (AES-256)
//! and is read back with `Decrypt`; both pass the secret's context as encryption context,
//! so KMS itself refuses to unwrap a key for another row. Network trouble, throttling and
//! KMS's own 5xx are `Unavailable` (retry); a refused ciphertext is `Unreadable`.

use super::{DataKey, KEY_LEN, KeyWrapper, SecretsError};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;

const CONTEXT_KEY: &str = "trove";

#[derive(Debug, Clone)]
pub struct KmsKeys {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsKeys {
    pub fn new(config: &SdkConfig, key_id: String) -> Self {
        Self {
            client: aws_sdk_kms::Client::new(config),
            key_id,
        }
    }
}

#[async_trait]
impl KeyWrapper for KmsKeys {
    async fn generate(&self, context: &str) -> Result<DataKey, SecretsError> {
        let output = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .encryption_context(CONTEXT_KEY, context)
            .send()
            .await
            .map_err(classify)?;
        let plaintext = output
            .plaintext()
            .and_then(|blob| <[u8; KEY_LEN]>::try_from(blob.as_ref()).ok())
            .ok_or_else(|| SecretsError::Key("KMS returned no 256-bit data key".into()))?;
        let wrapped = output
            .ciphertext_blob()
            .map(|blob| blob.as_ref().to_vec())
            .ok_or_else(|| SecretsError::Key("KMS returned no wrapped data key".into()))?;
        Ok(DataKey {
            plaintext,
            wrapped,
            key_id: output.key_id().unwrap_or(&self.key_id).to_owned(),
        })
    }

    async fn unwrap(
        &self,
        key_id: &str,
        wrapped: &[u8],
        context: &str,
    ) -> Result<[u8; KEY_LEN], SecretsError> {
        let output = self
            .client
            .decrypt()
            .key_id(key_id)
            .ciphertext_blob(Blob::new(wrapped))
            .encryption_context(CONTEXT_KEY, context)
            .send()
            .await
            .map_err(classify)?;
        output
            .plaintext()
            .and_then(|blob| <[u8; KEY_LEN]>::try_from(blob.as_ref()).ok())
            .ok_or_else(|| SecretsError::Unreadable("KMS returned no 256-bit data key".into()))
    }
}

fn classify<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    error: SdkError<E, R>,
) -> SecretsError {
    let message = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::ServiceError(service) => match service.err().code() {
            Some(
                "InvalidCiphertextException" | "IncorrectKeyException" | "InvalidKeyUsageException",
            ) => SecretsError::Unreadable(message),
            Some(
                "KMSInternalException"
                | "KMSInternal"
                | "DependencyTimeoutException"
                | "ThrottlingException"
                | "LimitExceededException",
            ) => SecretsError::Unavailable(message),
            _ => SecretsError::Key(message),
        },
        _ => SecretsError::Unavailable(message),
    }
}
