//! Rendered public storefronts, kept per storefront with the version they were rendered
//! at (`storefronts.version`, which every change to what the page shows bumps in the
//! change's own transaction).
//!
//! Policy: an entry is served only while the version just read from the database is the
//! one it was rendered at, so a change is visible to the next read on every API instance
//! without any message between them, and a read costs one query (the storefront's row,
//! which the visibility and lock checks need anyway). The body is rendered from data read
//! after the version, so an entry is never older than its version. When full, the
//! storefront read least recently is dropped.

use actix_web::web::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use trove_bootstrap::settings::StorefrontCacheSettings;
use uuid::Uuid;

/// One storefront's public body as it was at `version`.
#[derive(Debug)]
pub struct Rendered {
    pub version: i64,
    /// The strong validator of `body` (quoted).
    pub etag: String,
    pub body: Bytes,
    last_read: AtomicU64,
}

impl Rendered {
    pub fn new(version: i64, etag: String, body: Bytes) -> Self {
        Self {
            version,
            etag,
            body,
            last_read: AtomicU64::new(0),
        }
    }
}

#[derive(Debug)]
pub struct StorefrontCache {
    enabled: bool,
    max_entries: usize,
    entries: RwLock<HashMap<Uuid, Arc<Rendered>>>,
    reads: AtomicU64,
}

impl StorefrontCache {
    pub fn new(settings: &StorefrontCacheSettings) -> Self {
        Self {
            enabled: settings.enabled,
            max_entries: settings.max_entries.max(1),
            entries: RwLock::default(),
            reads: AtomicU64::new(0),
        }
    }

    /// The body of `storefront` rendered at `version`, if it is kept.
    pub fn get(&self, storefront: Uuid, version: i64) -> Option<Arc<Rendered>> {
        if !self.enabled {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let kept = entries
            .get(&storefront)
            .filter(|kept| kept.version == version)?;
        kept.last_read.store(
            self.reads.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Some(kept.clone())
    }

    /// Keeps `rendered` for `storefront` (unless a newer version is already kept) and
    /// hands it back.
    pub fn put(&self, storefront: Uuid, rendered: Rendered) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        if !self.enabled {
            return rendered;
        }
        rendered.last_read.store(
            self.reads.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries
            .get(&storefront)
            .is_some_and(|kept| kept.version > rendered.version)
        {
            return rendered;
        }
        if entries.len() >= self.max_entries && !entries.contains_key(&storefront) {
            let coldest = entries
                .iter()
                .min_by_key(|(_, kept)| kept.last_read.load(Ordering::Relaxed))
                .map(|(id, _)| *id);
            if let Some(coldest) = coldest {
                entries.remove(&coldest);
            }
        }
        entries.insert(storefront, rendered.clone());
        rendered
    }
}

/// Whether an `If-None-Match` header value matches `etag` by the weak comparison
/// (RFC 9110 §13.1.2), which `If-None-Match` uses: `*`, or any listed tag
/// whose opaque part equals ours, `W/` or not.
pub fn none_match(header: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || opaque(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(max_entries: usize) -> StorefrontCacheSettings {
        StorefrontCacheSettings {
            enabled: true,
            max_entries,
        }
    }

    fn rendered(version: i64) -> Rendered {
        Rendered::new(version, format!("\"v{version}\""), Bytes::from("{}"))
    }

    #[test]
    fn weak_comparison_matches_weak_strong_and_listed_tags() {
        assert!(none_match("\"abc\"", "\"abc\""));
        assert!(none_match("W/\"abc\"", "\"abc\""));
        assert!(none_match("\"x\", W/\"abc\"", "\"abc\""));
        assert!(none_match("*", "\"abc\""));
        assert!(!none_match("\"abcd\"", "\"abc\""));
        assert!(!none_match("W/\"x\", \"y\"", "\"abc\""));
    }

    #[test]
    fn an_entry_serves_only_its_own_version() {
        let cache = StorefrontCache::new(&settings(10));
        let id = Uuid::new_v4();
        cache.put(id, rendered(3));
        assert_eq!(cache.get(id, 3).map(|hit| hit.version), Some(3));
        assert!(
            cache.get(id, 4).is_none(),
            "a newer version is rendered again"
        );
        cache.put(id, rendered(4));
        cache.put(id, rendered(3));
        assert_eq!(
            cache.get(id, 4).map(|hit| hit.version),
            Some(4),
            "a slow render of an older version does not replace a newer one"
        );
    }

    #[test]
    fn the_least_recently_read_storefront_is_dropped_when_full() {
        let cache = StorefrontCache::new(&settings(2));
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        cache.put(a, rendered(1));
        cache.put(b, rendered(1));
        assert!(cache.get(a, 1).is_some());
        cache.put(c, rendered(1));
        assert!(cache.get(a, 1).is_some());
        assert!(cache.get(b, 1).is_none(), "b was read least recently");
        assert!(cache.get(c, 1).is_some());
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = StorefrontCache::new(&StorefrontCacheSettings {
            enabled: false,
            max_entries: 10,
        });
        let id = Uuid::new_v4();
        cache.put(id, rendered(1));
        assert!(cache.get(id, 1).is_none());
    }
}
