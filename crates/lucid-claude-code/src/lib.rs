//! Claude Code's auto memory, dreamed in place.
//!
//! Claude Code keeps a project's transcripts in `<config>/projects/<key>/*.jsonl` and its auto
//! memory in `<config>/projects/<key>/memory/`: a `MEMORY.md` index (only its first 200 lines or
//! 25 KB are loaded into a session) and topic files with front matter (`name`, `description`,
//! `type`). This crate is the adapter between that layout and lucid's engine:
//!
//! - [`project`] finds the folders (the config dir, the project key, the `memory*` siblings);
//! - [`memory`] reads a live memory folder into a lucid [`lucid_core::Store`];
//! - [`draft`] turns a dream's output back into the same layout, with an index that fits the
//!   load limit by construction and evidence in every new or changed topic file;
//! - [`dates`] makes relative dates absolute ("yesterday" in a session of 2026-03-04 →
//!   2026-03-03), because a memory outlives the day it was written;
//! - [`swap`] promotes a draft and rolls it back by renaming folders;
//! - [`state`] records which transcripts were dreamed and holds the dream lock.
//!
//! It never curates: the dream itself is lucid's engine, run by the caller. Everything it writes
//! is inside the project's `memory*` folders (`memory.draft/`, `memory.prev/`, `memory.lucid/`);
//! nothing else under the Claude Code config folder is ever touched.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod dates;
pub mod draft;
pub mod memory;
pub mod project;
pub mod state;
pub mod swap;

use std::path::PathBuf;

pub use draft::{Draft, DraftFile, DraftSummary, FileStatus, IndexLimits, build_draft};
pub use memory::{LiveMemory, MemoryType, Topic, read_memory};
pub use project::{Project, project_key};
pub use state::{DreamLock, SeenTranscript, State};

/// What can go wrong with a Claude Code project's folders.
#[derive(Debug, thiserror::Error)]
pub enum ClaudeCodeError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// A file or folder could not be written, created, renamed or removed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why writing failed.
        source: std::io::Error,
    },
    /// Claude Code has no project folder for this working folder: it never ran there, or it
    /// keeps its config elsewhere.
    #[error(
        "no Claude Code project folder for {project} (looked for {looked_for}); run Claude Code \
         in that folder first, or pass --config-dir if CLAUDE_CONFIG_DIR is set elsewhere"
    )]
    NoProject {
        /// The working folder, made absolute.
        project: PathBuf,
        /// The project folder expected (with the key spelled the usual way).
        looked_for: String,
    },
    /// Neither an explicit config folder, `CLAUDE_CONFIG_DIR` nor `HOME` is set.
    #[error("cannot find the Claude Code config folder: set CLAUDE_CONFIG_DIR or HOME")]
    NoConfigDir,
    /// Promote found no draft folder.
    #[error("there is no draft at {path}; run `lucid claude-code dream` first")]
    NoDraft {
        /// Where the draft was expected (`memory.draft`).
        path: PathBuf,
    },
    /// Rollback found no folder to go back to.
    #[error("there is no previous memory folder at {path} to roll back to")]
    NoPrevious {
        /// Where it was expected (`memory.prev`).
        path: PathBuf,
    },
    /// Another dream of the project holds the lock, and it is not older than
    /// [`state::STALE_LOCK`].
    #[error(
        "another dream of this project is running (lock {path}, taken at {since}); wait for it, \
         or delete the lock file if no lucid process is running"
    )]
    Locked {
        /// The lock file (`memory.lucid/lock`).
        path: PathBuf,
        /// The lock file's contents (`pid <n> at <time>`), or `unknown`.
        since: String,
    },
    /// The state file could not be parsed (or the state serialised).
    #[error("the state file {path} is not valid: {message}")]
    BadState {
        /// The state file (`memory.lucid/state.json`).
        path: PathBuf,
        /// The JSON error.
        message: String,
    },
}
