//! The content-addressed response cache: an answer is stored under the hash of (provider,
//! model, request body), so the same request is never paid for twice. Re-running a dream costs
//! nothing, and a dream over mostly already-dreamed sessions pays only for the work units that
//! changed (units render to the same bytes when their members did not change).
//!
//! Only answers that held a list of operations are stored; a malformed answer is asked again
//! next time. The CLI keeps the cache in a folder ([`DirCache`]); the service keeps it in its
//! database (through the same [`ResponseCache`] trait).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::prompt::Wire;

/// Where answers are kept between dreams.
pub trait ResponseCache: Send + Sync {
    /// The answer stored under a [`cache_key`], or `None` when there is none or it cannot be read.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores an answer under its key. Best effort: an answer that cannot be stored is asked for
    /// again next time.
    fn put(&self, key: &str, answer: &str);
}

/// The cache key of a request: SHA-256 (hex) of the wire format, the model and the exact body.
pub fn cache_key(wire: Wire, model: &str, body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"lucid-llm-response-v1\n");
    hasher.update(wire.as_str().as_bytes());
    hasher.update(b"\n");
    hasher.update(model.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// No cache: every request is sent.
pub struct NoCache;

impl ResponseCache for NoCache {
    fn get(&self, _key: &str) -> Option<String> {
        None
    }
    fn put(&self, _key: &str, _answer: &str) {}
}

/// A cache in memory (tests, benchmarks).
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryCache {
    /// How many answers are stored.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no answer is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ResponseCache for MemoryCache {
    fn get(&self, key: &str) -> Option<String> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }
    fn put(&self, key: &str, answer: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), answer.to_string());
    }
}

/// A cache folder: one file per answer, `ab/cdef….json`, written atomically (a temporary file
/// renamed into place), so concurrent dreams and crashes never leave half an answer.
pub struct DirCache {
    dir: PathBuf,
}

impl DirCache {
    /// A cache in `dir`; the folder is created on the first write, not here.
    pub fn new(dir: impl Into<PathBuf>) -> DirCache {
        DirCache { dir: dir.into() }
    }

    /// The folder the answers are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        if key.len() < 3 || !key.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.dir.join(&key[..2]).join(format!("{}.json", &key[2..])))
    }
}

impl ResponseCache for DirCache {
    fn get(&self, key: &str) -> Option<String> {
        std::fs::read_to_string(self.path(key)?).ok()
    }

    fn put(&self, key: &str, answer: &str) {
        let Some(path) = self.path(key) else { return };
        let Some(parent) = path.parent() else { return };
        if std::fs::create_dir_all(parent).is_err() {
            return;
        }
        let temporary = parent.join(format!(".{}.{}.tmp", &key[2..], std::process::id()));
        // A cache that cannot be written only costs tokens next time.
        if std::fs::write(&temporary, answer).is_ok() && std::fs::rename(&temporary, &path).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// The CLI's cache folder: `LUCID_CACHE_DIR`, else `$XDG_CACHE_HOME/lucid`, else
/// `~/.cache/lucid` (answers go to its `responses/` subfolder).
pub fn default_cache_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(dir) = set("LUCID_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = set("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("lucid"));
    }
    set("HOME").map(|home| PathBuf::from(home).join(".cache").join("lucid"))
}

/// The response cache of a dream run from the command line: answers on disk under
/// [`default_cache_dir`]`/responses`, or none when `no_cache` is asked for or no folder can be
/// found.
pub fn command_line_cache(
    no_cache: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::sync::Arc<dyn ResponseCache> {
    match (no_cache, default_cache_dir(env)) {
        (false, Some(dir)) => std::sync::Arc::new(DirCache::new(dir.join("responses"))),
        _ => std::sync::Arc::new(NoCache),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_wire_model_and_body() {
        let a = cache_key(Wire::Anthropic, "m", "{}");
        assert_eq!(a.len(), 64);
        assert_eq!(a, cache_key(Wire::Anthropic, "m", "{}"));
        assert_ne!(a, cache_key(Wire::Openai, "m", "{}"));
        assert_ne!(a, cache_key(Wire::Anthropic, "n", "{}"));
        assert_ne!(a, cache_key(Wire::Anthropic, "m", "{ }"));
    }

    #[test]
    fn the_folder_cache_round_trips() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = DirCache::new(dir.path().join("responses"));
        let key = cache_key(Wire::Openai, "m", "body");
        assert_eq!(cache.get(&key), None);
        cache.put(&key, "answer");
        assert_eq!(cache.get(&key).as_deref(), Some("answer"));
        assert_eq!(cache.get("../../etc/passwd"), None);
    }

    #[test]
    fn the_default_folder_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            default_cache_dir(&env(&[("LUCID_CACHE_DIR", "/c"), ("HOME", "/h")])),
            Some(PathBuf::from("/c"))
        );
        assert_eq!(
            default_cache_dir(&env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/lucid"))
        );
        assert_eq!(
            default_cache_dir(&env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.cache/lucid"))
        );
        assert_eq!(default_cache_dir(&env(&[])), None);
    }
}
