//! Secrets an installation generates for itself outside production (the token signing
//! key, the local file-URL key): read from their file, or written there once with mode
//! 0600 so every later start, and every process sharing the folder, agrees.

use std::io::{ErrorKind, Write};
use std::path::Path;

/// The secret kept in `path`, or `fresh` written there when the file does not exist yet.
pub fn load_or_create(path: &Path, fresh: impl FnOnce() -> String) -> std::io::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(secret) => return Ok(secret),
        Err(error) if error.kind() != ErrorKind::NotFound => return Err(error),
        Err(_) => {}
    }
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)?;
    }
    let secret = fresh();
    match create_private(path) {
        Ok(mut file) => file.write_all(secret.as_bytes())?,
        // Another process sharing the folder won the race: use its secret.
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            return std::fs::read_to_string(path);
        }
        Err(error) => return Err(error),
    }
    tracing::info!(path = %path.display(), "generated a secret for this installation");
    Ok(secret)
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_secret_is_kept_and_later_ones_are_ignored() {
        let dir = std::env::temp_dir().join(format!("trove-secret-{}", uuid_like()));
        let path = dir.join("nested/key.b64");
        let first = load_or_create(&path, || "first".into()).unwrap();
        let second = load_or_create(&path, || "second".into()).unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("first", "first"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn uuid_like() -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default();
        format!("{}-{nanos}", std::process::id())
    }
}
