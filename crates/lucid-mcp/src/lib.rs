//! Memory as MCP tools: lucid's adapter for agents that speak the Model Context Protocol.
//!
//! The tools follow the semantics of Anthropic's memory tool (`view`, `create`, `str_replace`,
//! `insert`, `delete`, `rename`), so models trained on it use them unprompted, plus
//! `memory_search` (lucid-search's BM25) and, on a server, `dream_create` / `dream_status`.
//! The tool logic lives once, in [`tools`], over the [`MemoryBackend`] trait; backends:
//!
//! - [`folder::FolderBackend`]: a Markdown folder (a lucid draft, a Claude Code memory folder,
//!   a `/memories` directory). Paths are confined to the folder (`..`, symlinks out: refused);
//!   writes are atomic (temporary file, then rename or link).
//! - [`storage::StorageBackend`]: a store of a lucid server's storage, writes recorded as memory
//!   versions with the MCP client's name as the actor (`lucid serve` mounts it at `/mcp`).
//! - the `lucid` binary adds a client of a running server's REST API (`lucid mcp --server`).
//!
//! [`server::LucidMcp`] is the rmcp handler; it serves stdio ([`serve_stdio`]) or, with the
//! `http` feature, streamable HTTP ([`server::http_service`]). Tool failures are MCP tool
//! errors (`isError: true`) with a message a model can act on; nothing here panics on input.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod folder;
pub mod paths;
pub mod server;
pub mod storage;
pub mod tools;

pub use server::{BackendSource, LucidMcp, serve_stdio};

/// Why a tool call failed. The message is shown to the model, so it says what to do next.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ToolError {
    /// Bad arguments: a path outside the store, a missing field, a line out of range.
    #[error("{0}")]
    Invalid(String),
    /// No such file, directory, store or dream.
    #[error("{0}")]
    NotFound(String),
    /// The target exists already, or the file changed meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// This backend cannot do that (dreams on a folder).
    #[error("{0}")]
    Unsupported(String),
    /// The storage or the server failed; retrying may help.
    #[error("{0}")]
    Backend(String),
}

impl From<lucid_storage::StorageError> for ToolError {
    fn from(error: lucid_storage::StorageError) -> Self {
        use lucid_storage::StorageError as E;
        match error {
            E::NotFound { .. } => ToolError::NotFound(error.to_string()),
            E::Conflict(message) => ToolError::Conflict(message),
            E::Invalid(message) => ToolError::Invalid(message),
            E::Backend(message) => {
                ToolError::Backend(format!("the memory store failed ({message}); try again"))
            }
        }
    }
}

/// A file of a store, as listings show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// `/dir/file.md`.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One search result.
pub use lucid_search::Hit;

/// What the tools need from a store. Paths are normalised store paths (`/a/b.md`, see
/// [`paths::normalize`]). Methods may block (file system, SQLite, HTTP): the server calls them
/// on the blocking pool.
pub trait MemoryBackend: Send + Sync {
    /// A short description for the server's instructions ("the folder /x", "store memstore_…").
    fn describe(&self) -> String;
    /// Every file below `prefix` (`/` or a path ending in `/`), sorted by path.
    fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, ToolError>;
    /// The content of the file at `path`, `None` when there is no such file.
    fn read(&self, path: &str) -> Result<Option<String>, ToolError>;
    /// Creates a file; a `Conflict` when the path is taken.
    fn create(&self, path: &str, content: &str) -> Result<(), ToolError>;
    /// Replaces a file's content, a `Conflict` unless it still is `expected`.
    fn update(&self, path: &str, expected: &str, content: &str) -> Result<(), ToolError>;
    /// Deletes one file.
    fn delete(&self, path: &str) -> Result<(), ToolError>;
    /// Moves one file; a `Conflict` when `to` is taken.
    fn rename(&self, from: &str, to: &str) -> Result<(), ToolError>;
    /// The `limit` best items for `query`.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, ToolError>;
    /// Whether `dream_create` / `dream_status` are offered.
    fn dreams(&self) -> bool {
        false
    }
    /// Starts a dream of this store over its last `sessions` sessions.
    fn dream_create(
        &self,
        sessions: usize,
        model: Option<&str>,
    ) -> Result<serde_json::Value, ToolError> {
        let _ = (sessions, model);
        Err(ToolError::Unsupported(
            "dreams run on a lucid server; this MCP server serves a folder".into(),
        ))
    }
    /// A dream's status (and its result once finished).
    fn dream_status(&self, dream_id: &str) -> Result<serde_json::Value, ToolError> {
        let _ = dream_id;
        Err(ToolError::Unsupported(
            "dreams run on a lucid server; this MCP server serves a folder".into(),
        ))
    }
}
