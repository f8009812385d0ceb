//! Files in an S3 bucket, encrypted with SSE-KMS under one key.
//!
//! A pre-signed PUT signs the content type, the length and the SSE-KMS headers, so S3
//! refuses an upload that differs from the declaration or skips the encryption. Because a
//! bucket policy may be missing, the confirm step checks again through HEAD: an object
//! only counts when it is encrypted with `aws:kms` under the configured key, whose ARN is
//! looked up once through KMS (callers may configure an id, an ARN or an alias). Any
//! failure other than "no such object" is reported as unavailable: the caller answers
//! 503 and nothing is recorded.

use super::{FileStore, SignedRequest, StorageError, StoredObject};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::types::ServerSideEncryption;
use std::time::Duration;
use tokio::sync::OnceCell;

#[derive(Debug)]
pub struct S3Store {
    s3: aws_sdk_s3::Client,
    kms: aws_sdk_kms::Client,
    bucket: String,
    kms_key_id: String,
    /// The configured key's id and ARN, as KMS names them.
    kms_key_names: OnceCell<Vec<String>>,
}

fn unavailable<E: std::error::Error + 'static>(error: E) -> StorageError {
    StorageError::Unavailable(DisplayErrorContext(error).to_string())
}

fn signed(method: &'static str, request: &PresignedRequest) -> SignedRequest {
    SignedRequest {
        method,
        url: request.uri().to_owned(),
        headers: request
            .headers()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect(),
    }
}

fn presigning(ttl: Duration) -> Result<PresigningConfig, StorageError> {
    PresigningConfig::expires_in(ttl).map_err(|error| StorageError::Refused(error.to_string()))
}

impl S3Store {
    pub fn new(
        config: &SdkConfig,
        bucket: String,
        kms_key_id: String,
        force_path_style: bool,
    ) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(force_path_style)
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            kms: aws_sdk_kms::Client::new(config),
            bucket,
            kms_key_id,
            kms_key_names: OnceCell::new(),
        }
    }

    async fn describe_key(&self) -> Result<aws_sdk_kms::types::KeyMetadata, StorageError> {
        self.kms
            .describe_key()
            .key_id(&self.kms_key_id)
            .send()
            .await
            .map_err(unavailable)?
            .key_metadata
            .ok_or_else(|| StorageError::Unavailable("KMS described no key".into()))
    }

    async fn key_names(&self) -> Result<&[String], StorageError> {
        let names = self
            .kms_key_names
            .get_or_try_init(|| async {
                let key = self.describe_key().await?;
                let mut names = vec![self.kms_key_id.clone(), key.key_id().to_owned()];
                names.extend(key.arn().map(str::to_owned));
                Ok::<_, StorageError>(names)
            })
            .await?;
        Ok(names)
    }
}

#[async_trait]
impl FileStore for S3Store {
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size_bytes: u64,
        ttl: Duration,
    ) -> Result<SignedRequest, StorageError> {
        let length = i64::try_from(size_bytes)
            .map_err(|_| StorageError::Refused("size out of range".into()))?;
        let request = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key_id)
            .presigned(presigning(ttl)?)
            .await
            .map_err(unavailable)?;
        Ok(signed("PUT", &request))
    }

    async fn presign_get(&self, key: &str, ttl: Duration) -> Result<SignedRequest, StorageError> {
        let request = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning(ttl)?)
            .await
            .map_err(unavailable)?;
        Ok(signed("GET", &request))
    }

    async fn head(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        let head = match self
            .s3
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(head) => head,
            Err(SdkError::ServiceError(error)) if error.err().is_not_found() => return Ok(None),
            Err(error) => return Err(unavailable(error)),
        };
        let encrypted_as_required = match (head.server_side_encryption(), head.ssekms_key_id()) {
            (Some(ServerSideEncryption::AwsKms), Some(used)) => {
                self.key_names().await?.iter().any(|name| name == used)
            }
            _ => false,
        };
        Ok(Some(StoredObject {
            size_bytes: head
                .content_length()
                .and_then(|length| u64::try_from(length).ok())
                .unwrap_or_default(),
            content_type: head.content_type().map(str::to_owned),
            encrypted_as_required,
        }))
    }

    async fn open(&self, key: &str) -> Result<Option<super::ObjectReader>, StorageError> {
        match self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => Ok(Some(Box::pin(object.body.into_async_read()))),
            Err(SdkError::ServiceError(error)) if error.err().is_no_such_key() => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn check(&self) -> Result<(), StorageError> {
        self.s3
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(unavailable)?;
        let key = self.describe_key().await?;
        match key.key_state() {
            Some(aws_sdk_kms::types::KeyState::Enabled) => Ok(()),
            state => Err(StorageError::Unavailable(format!(
                "KMS key {} is not enabled ({state:?})",
                self.kms_key_id
            ))),
        }
    }
}
