//! What lucid remembers about a project between dreams, and the lock that makes two dreams of
//! one project impossible at once.
//!
//! The state (`memory.lucid/state.json`) records each transcript a dream read, with its size: a
//! transcript is new when it is not recorded or has grown since (Claude Code appends to a
//! resumed session). Transcripts the current draft read are `pending` until it is promoted: a
//! draft that is replaced or thrown away did not reach the memory, so the next dream reads them
//! again, and the new draft holds everything the old one did. The lock (`memory.lucid/lock`) is created exclusively; two sessions ending
//! together start one dream. A lock older than [`STALE_LOCK`] is taken over: its holder died.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ClaudeCodeError;
use crate::project::TranscriptFile;

/// A lock older than this is left by a process that died.
pub const STALE_LOCK: std::time::Duration = std::time::Duration::from_secs(2 * 60 * 60);

/// A transcript as the last dream that read it saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenTranscript {
    /// Its size then: a larger size now means the session went on.
    pub bytes: u64,
    /// Its modification time then, seconds since the epoch.
    pub modified: u64,
}

/// What lucid keeps about a project between dreams (`memory.lucid/state.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Transcripts whose dream was promoted, by file name.
    #[serde(default)]
    pub dreamed: BTreeMap<String, SeenTranscript>,
    /// Transcripts the current draft read (promoted with it).
    #[serde(default)]
    pub pending: BTreeMap<String, SeenTranscript>,
    /// When the last dream finished (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_dream_at: Option<String>,
    /// When the last promote or rollback happened (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_promote_at: Option<String>,
}

impl State {
    /// The state file in `lucid_dir`: `state.json`.
    pub fn path(lucid_dir: &Path) -> PathBuf {
        lucid_dir.join("state.json")
    }

    /// Reads the state; none yet is the empty state.
    pub fn load(lucid_dir: &Path) -> Result<State, ClaudeCodeError> {
        let path = State::path(lucid_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| ClaudeCodeError::BadState {
                path,
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(ClaudeCodeError::Read { path, source }),
        }
    }

    /// Writes the state as pretty JSON through a temporary sibling and a rename, creating the
    /// folder if needed.
    pub fn save(&self, lucid_dir: &Path) -> Result<(), ClaudeCodeError> {
        let json = serde_json::to_string_pretty(self).map_err(|e| ClaudeCodeError::BadState {
            path: State::path(lucid_dir),
            message: e.to_string(),
        })?;
        write_atomically(&State::path(lucid_dir), format!("{json}\n").as_bytes())
    }

    /// Whether a promoted dream has read `file` as it is now.
    pub fn is_dreamed(&self, file: &TranscriptFile) -> bool {
        Self::covers(&self.dreamed, file)
    }

    /// Whether any dream (promoted or the current draft) has read `file` as it is now.
    pub fn is_seen(&self, file: &TranscriptFile) -> bool {
        Self::covers(&self.dreamed, file) || Self::covers(&self.pending, file)
    }

    fn covers(map: &BTreeMap<String, SeenTranscript>, file: &TranscriptFile) -> bool {
        map.get(&file.name)
            .is_some_and(|seen| seen.bytes >= file.bytes)
    }

    /// The new draft read exactly `files`: it replaces the previous draft's list.
    pub fn set_pending<'a>(&mut self, files: impl IntoIterator<Item = &'a TranscriptFile>) {
        self.pending = files
            .into_iter()
            .map(|file| {
                (
                    file.name.clone(),
                    SeenTranscript {
                        bytes: file.bytes,
                        modified: file.modified,
                    },
                )
            })
            .collect();
    }

    /// The draft was promoted: what it read is dreamed.
    pub fn promote_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.dreamed.extend(pending);
    }
}

/// Writes `bytes` to `path` through a temporary sibling and a rename, creating the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ClaudeCodeError> {
    let write_error = |source| ClaudeCodeError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(write_error)?;
    }
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        write_error(source)
    })
}

/// The dream lock of a project; released when dropped.
#[derive(Debug)]
pub struct DreamLock {
    path: PathBuf,
}

impl DreamLock {
    /// Takes the lock, or says who holds it. A lock older than [`STALE_LOCK`] is taken over.
    pub fn acquire(lucid_dir: &Path) -> Result<DreamLock, ClaudeCodeError> {
        let path = lucid_dir.join("lock");
        std::fs::create_dir_all(lucid_dir).map_err(|source| ClaudeCodeError::Write {
            path: lucid_dir.to_path_buf(),
            source,
        })?;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    use std::io::Write;
                    let stamp = format!(
                        "pid {} at {}\n",
                        std::process::id(),
                        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    );
                    let _ = file.write_all(stamp.as_bytes());
                    return Ok(DreamLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    let since = std::fs::read_to_string(&path)
                        .unwrap_or_default()
                        .trim()
                        .to_string();
                    return Err(ClaudeCodeError::Locked { path, since });
                }
                Err(source) => return Err(ClaudeCodeError::Write { path, source }),
            }
        }
        Err(ClaudeCodeError::Locked {
            path,
            since: "unknown".into(),
        })
    }
}

impl Drop for DreamLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lock_at_a_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = DreamLock::acquire(dir.path()).expect("first lock");
        assert!(matches!(
            DreamLock::acquire(dir.path()),
            Err(ClaudeCodeError::Locked { .. })
        ));
        drop(first);
        assert!(DreamLock::acquire(dir.path()).is_ok());
    }

    #[test]
    fn a_grown_transcript_is_new_again() {
        let mut state = State::default();
        let mut file = TranscriptFile {
            name: "a.jsonl".into(),
            path: PathBuf::from("a.jsonl"),
            bytes: 100,
            modified: 1,
        };
        assert!(!state.is_seen(&file));
        state.set_pending([&file]);
        assert!(state.is_seen(&file));
        assert!(!state.is_dreamed(&file), "a draft not promoted yet");
        state.promote_pending();
        assert!(state.is_dreamed(&file));
        file.bytes = 200;
        assert!(!state.is_dreamed(&file));
        assert!(!state.is_seen(&file));
    }

    #[test]
    fn the_state_round_trips() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut state = State {
            last_dream_at: Some("2026-03-04T10:00:00Z".into()),
            ..State::default()
        };
        state.dreamed.insert(
            "a.jsonl".into(),
            SeenTranscript {
                bytes: 1,
                modified: 2,
            },
        );
        state.save(dir.path()).expect("saved");
        assert_eq!(State::load(dir.path()).expect("loaded"), state);
    }
}
