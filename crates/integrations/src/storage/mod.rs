//! Where uploaded files live: an S3 bucket with SSE-KMS, or a local folder in the embedded
//! mode. Clients never stream files through the API's JSON routes: they get a signed PUT
//! to upload and a signed GET to download, both short-lived. The two backends keep the
//! same contract: the signature covers the key, the expiry and (for a PUT) the declared
//! content type and size, so what is stored is what was declared or nothing.
//!
//! Keys are chosen by the API (`vendors/{vendor_id}/{upload_id}`), never by callers.

mod local;
mod s3;

pub use local::{LinkError, LocalStore, ROUTE_PREFIX};
pub use s3::S3Store;

use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use trove_bootstrap::settings::{AwsSettings, StorageBackend, StorageSettings};

/// A request the client makes itself: method, URL and the headers it must send unchanged.
/// The local backend's URLs are paths on the API (they start with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// A stored object being read.
pub type ObjectReader = std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>;

/// What the store holds under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size_bytes: u64,
    pub content_type: Option<String>,
    /// Whether the object is encrypted the way this store requires (SSE-KMS with the
    /// configured key on S3; always true for a local folder, which has no such rule).
    pub encrypted_as_required: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The store cannot be reached or answered with a server error: try again later.
    #[error("file storage is unavailable: {0}")]
    Unavailable(String),
    #[error("file storage refused the request: {0}")]
    Refused(String),
}

#[async_trait]
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// A PUT that stores exactly `size_bytes` of `content_type` under `key`.
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size_bytes: u64,
        ttl: Duration,
    ) -> Result<SignedRequest, StorageError>;

    /// A GET of `key`, valid for `ttl`.
    async fn presign_get(&self, key: &str, ttl: Duration) -> Result<SignedRequest, StorageError>;

    /// The object under `key`, or `None` when nothing is stored there.
    async fn head(&self, key: &str) -> Result<Option<StoredObject>, StorageError>;

    /// The object's bytes as a stream (never whole in memory), or `None` when nothing is
    /// stored under `key`.
    async fn open(&self, key: &str) -> Result<Option<ObjectReader>, StorageError>;

    /// Removes the object under `key` (nothing stored is not an error).
    async fn delete(&self, key: &str) -> Result<(), StorageError>;

    /// Whether the store answers right now (bucket and key reachable, folder writable).
    async fn check(&self) -> Result<(), StorageError>;
}

/// The store the settings ask for. The local store is returned separately as well: the API
/// serves its signed URLs itself.
pub async fn from_settings(
    settings: &StorageSettings,
    aws: &AwsSettings,
) -> Result<(Arc<dyn FileStore>, Option<Arc<LocalStore>>), StorageError> {
    Ok(match settings.backend {
        StorageBackend::Local => {
            let url_key = LocalStore::url_key_from_settings(settings)?;
            let local = Arc::new(LocalStore::new(&settings.local_dir, url_key)?);
            (local.clone(), Some(local))
        }
        StorageBackend::S3 => {
            let config = crate::aws::sdk_config(aws).await;
            let bucket = settings.s3_bucket.clone().unwrap_or_default();
            let kms_key_id = settings.kms_key_id.clone().unwrap_or_default();
            let store = S3Store::new(&config, bucket, kms_key_id, settings.s3_force_path_style);
            (Arc::new(store), None)
        }
    })
}
