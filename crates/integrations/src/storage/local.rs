//! Files in a local folder, for the embedded mode. The API serves the signed URLs itself
//! (`/api/v1/files/{key}`): a URL carries its expiry and an HMAC-SHA256 over the method,
//! key, expiry and, for a PUT, the declared content type and size. The API recomputes the
//! HMAC from the request it actually received, so a different type or size fails like a
//! forged signature, as with S3's signed headers.
//!
//! Writes go to a temporary file renamed into place, so a failed upload leaves nothing;
//! each object's content type is kept next to it in `{key}.type`.

use super::{FileStore, SignedRequest, StorageError, StoredObject};
use async_trait::async_trait;
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use trove_bootstrap::settings::StorageSettings;

/// Path prefix of the API route that serves this store's URLs.
pub const ROUTE_PREFIX: &str = "/api/v1/files/";

pub struct LocalStore {
    root: PathBuf,
    key: hmac::Key,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// Why a signed local URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link has expired")]
    Expired,
    #[error("the link's signature does not match this request")]
    BadSignature,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
}

/// Keys are ours (`vendors/{uuid}/{uuid}`); anything that could leave the folder is refused.
fn is_safe_key(key: &str) -> bool {
    !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn io_error(error: std::io::Error) -> StorageError {
    StorageError::Unavailable(error.to_string())
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>, url_key: Vec<u8>) -> Result<Self, StorageError> {
        if url_key.len() < 32 {
            return Err(StorageError::Refused(
                "storage.local_url_key must be at least 32 bytes".into(),
            ));
        }
        Ok(Self {
            root: root.into(),
            key: hmac::Key::new(hmac::HMAC_SHA256, &url_key),
        })
    }

    /// The URL key from `storage.local_url_key`, or the one kept in
    /// `storage.local_url_key_file` (generated on first use).
    pub fn url_key_from_settings(settings: &StorageSettings) -> Result<Vec<u8>, StorageError> {
        let encoded = match &settings.local_url_key {
            Some(key) => key.expose_secret().to_owned(),
            None => {
                let mut fresh = [0u8; 32];
                aws_lc_rs::rand::fill(&mut fresh)
                    .map_err(|_| StorageError::Refused("cannot generate a URL key".into()))?;
                trove_bootstrap::secret_file::load_or_create(
                    Path::new(&settings.local_url_key_file),
                    || STANDARD.encode(fresh),
                )
                .map_err(io_error)?
            }
        };
        STANDARD
            .decode(encoded.trim())
            .map_err(|_| StorageError::Refused("storage.local_url_key is not base64".into()))
    }

    fn message(method: &str, key: &str, expires: u64, declared: Option<(&str, u64)>) -> String {
        match declared {
            Some((content_type, size)) => {
                format!("{method}\n{key}\n{expires}\n{content_type}\n{size}")
            }
            None => format!("{method}\n{key}\n{expires}"),
        }
    }

    fn signed_url(
        &self,
        method: &'static str,
        key: &str,
        ttl: Duration,
        declared: Option<(&str, u64)>,
    ) -> String {
        let expires = unix_now() + ttl.as_secs();
        let tag = hmac::sign(
            &self.key,
            Self::message(method, key, expires, declared).as_bytes(),
        );
        let signature = URL_SAFE_NO_PAD.encode(tag.as_ref());
        format!("{ROUTE_PREFIX}{key}?expires={expires}&signature={signature}")
    }

    /// Checks a request to a signed URL: `declared` is the content type and size of the
    /// request actually received (for a PUT).
    pub fn verify(
        &self,
        method: &str,
        key: &str,
        expires: u64,
        signature: &str,
        declared: Option<(&str, u64)>,
    ) -> Result<(), LinkError> {
        let tag = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| LinkError::BadSignature)?;
        let message = Self::message(method, key, expires, declared);
        hmac::verify(&self.key, message.as_bytes(), &tag).map_err(|_| LinkError::BadSignature)?;
        if expires < unix_now() {
            return Err(LinkError::Expired);
        }
        Ok(())
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StorageError> {
        if is_safe_key(key) {
            Ok(self.root.join(key))
        } else {
            Err(StorageError::Refused(format!("invalid key {key:?}")))
        }
    }

    fn type_path(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".type");
        PathBuf::from(name)
    }

    /// Where a new object is written before [`LocalStore::commit`] moves it into place.
    pub async fn staging_file(
        &self,
        key: &str,
    ) -> Result<(PathBuf, tokio::fs::File), StorageError> {
        let path = self.path_of(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
        }
        let mut staging = path.as_os_str().to_owned();
        staging.push(format!(".{}.partial", uuid_suffix()));
        let staging = PathBuf::from(staging);
        let file = tokio::fs::File::create(&staging).await.map_err(io_error)?;
        Ok((staging, file))
    }

    /// Moves a fully written staging file into place under `key`.
    pub async fn commit(
        &self,
        staging: &Path,
        key: &str,
        content_type: &str,
    ) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        tokio::fs::write(Self::type_path(&path), content_type)
            .await
            .map_err(io_error)?;
        tokio::fs::rename(staging, &path).await.map_err(io_error)
    }

    /// The object's bytes and content type, or `None` when nothing is stored.
    pub async fn read(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StorageError> {
        let path = self.path_of(key)?;
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(error)),
        };
        let content_type = tokio::fs::read_to_string(Self::type_path(&path))
            .await
            .unwrap_or_else(|_| "application/octet-stream".into());
        Ok(Some((bytes, content_type)))
    }
}

fn uuid_suffix() -> String {
    let mut random = [0u8; 8];
    // A collision only makes two concurrent uploads of one key share a staging name.
    let _ = aws_lc_rs::rand::fill(&mut random);
    URL_SAFE_NO_PAD.encode(random)
}

#[async_trait]
impl FileStore for LocalStore {
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size_bytes: u64,
        ttl: Duration,
    ) -> Result<SignedRequest, StorageError> {
        self.path_of(key)?;
        Ok(SignedRequest {
            method: "PUT",
            url: self.signed_url("PUT", key, ttl, Some((content_type, size_bytes))),
            headers: vec![("content-type".into(), content_type.to_owned())],
        })
    }

    async fn presign_get(&self, key: &str, ttl: Duration) -> Result<SignedRequest, StorageError> {
        self.path_of(key)?;
        Ok(SignedRequest {
            method: "GET",
            url: self.signed_url("GET", key, ttl, None),
            headers: Vec::new(),
        })
    }

    async fn head(&self, key: &str) -> Result<Option<StoredObject>, StorageError> {
        let path = self.path_of(key)?;
        let metadata = match tokio::fs::metadata(&path).await {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(error)),
        };
        let content_type = tokio::fs::read_to_string(Self::type_path(&path)).await.ok();
        Ok(Some(StoredObject {
            size_bytes: metadata.len(),
            content_type,
            encrypted_as_required: true,
        }))
    }

    async fn open(&self, key: &str) -> Result<Option<super::ObjectReader>, StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::File::open(&path).await {
            Ok(file) => Ok(Some(Box::pin(file))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error(error)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        for path in [Self::type_path(&path), path] {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(io_error(error)),
            }
        }
        Ok(())
    }

    async fn check(&self) -> Result<(), StorageError> {
        tokio::fs::create_dir_all(&self.root)
            .await
            .map_err(io_error)?;
        let probe = self.root.join(format!(".probe-{}", uuid_suffix()));
        tokio::fs::write(&probe, b"").await.map_err(io_error)?;
        tokio::fs::remove_file(&probe).await.map_err(io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> LocalStore {
        LocalStore::new(std::env::temp_dir().join("trove-local-store"), vec![7; 32]).unwrap()
    }

    fn query(url: &str) -> (u64, String) {
        let query = url.split_once('?').unwrap().1;
        let mut expires = 0;
        let mut signature = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("expires", value) => expires = value.parse().unwrap(),
                ("signature", value) => signature = value.to_owned(),
                _ => {}
            }
        }
        (expires, signature)
    }

    #[tokio::test]
    async fn a_signed_put_holds_only_for_its_declared_type_and_size() {
        let store = store();
        let key = "vendors/a/b";
        let put = store
            .presign_put(key, "image/png", 10, Duration::from_secs(60))
            .await
            .unwrap();
        let (expires, signature) = query(&put.url);
        assert!(put.url.starts_with("/api/v1/files/vendors/a/b?"));
        let ok = store.verify("PUT", key, expires, &signature, Some(("image/png", 10)));
        assert_eq!(ok, Ok(()));
        for (method, key, declared) in [
            ("PUT", key, Some(("image/png", 11))),
            ("PUT", key, Some(("text/html", 10))),
            ("PUT", "vendors/a/c", Some(("image/png", 10))),
            ("GET", key, None),
        ] {
            assert_eq!(
                store.verify(method, key, expires, &signature, declared),
                Err(LinkError::BadSignature)
            );
        }
        assert_eq!(
            store.verify("PUT", key, expires + 1, &signature, Some(("image/png", 10))),
            Err(LinkError::BadSignature)
        );
    }

    #[tokio::test]
    async fn an_expired_link_is_refused_even_when_genuine() {
        let store = store();
        let get = store
            .presign_get("vendors/a/b", Duration::ZERO)
            .await
            .unwrap();
        let (expires, signature) = query(&get.url);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            store.verify("GET", "vendors/a/b", expires, &signature, None),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn keys_cannot_leave_the_folder() {
        for key in [
            "../etc/passwd",
            "vendors/../../x",
            "/abs",
            "a//b",
            "a/b.type",
            "",
        ] {
            assert!(!is_safe_key(key), "{key}");
        }
        assert!(is_safe_key("vendors/0190-ab/0190-cd"));
    }
}
