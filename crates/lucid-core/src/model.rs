//! The data model shared by every part of lucid: sessions (event logs) and memory stores.
//!
//! Nothing here does I/O. Importers (`lucid-import`) build [`Session`]s from transcript bytes;
//! storage layers build [`Store`]s from files or database rows.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// All times in lucid are UTC instants.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Formats a timestamp the same way everywhere (RFC 3339, UTC, `Z` suffix).
pub fn format_timestamp(at: &Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Parses an RFC 3339 timestamp into UTC; `None` when it is not one.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|at| at.with_timezone(&chrono::Utc))
}

/// The transcript format a session was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptFormat {
    /// Claude Code session files (JSON Lines, one record per line).
    ClaudeCode,
    /// Anthropic Managed Agents session events, including sessions the service stores.
    ManagedAgents,
    /// Anthropic Messages API request/response logs.
    AnthropicMessages,
    /// OpenAI Chat Completions request/response logs.
    OpenaiChat,
    /// OpenAI Responses API items, which Codex CLI rollouts also use.
    OpenaiResponses,
    /// Cline / Roo Code task folders (`api_conversation_history.json`).
    Cline,
    /// SWE-agent trajectories (`.traj`).
    SweAgent,
    /// Aider chat transcripts (`.aider.chat.history.md`).
    Aider,
    /// OpenHands trajectories (a JSON array of events, or OpenHands Cloud's export around them).
    #[serde(rename = "openhands")]
    OpenHands,
    /// GitHub Copilot CLI session logs (`events.jsonl`).
    CopilotCli,
    /// OpenCode sessions as `opencode export` writes them (`{info, messages}`).
    #[serde(rename = "opencode")]
    OpenCode,
    /// Gemini CLI chat logs (`chats/session-….json`, one document or JSON Lines).
    GeminiCli,
    /// SpecStory exports of Cursor and Claude Code chats (`.specstory/history/*.md`).
    #[serde(rename = "specstory")]
    SpecStory,
    /// Google Antigravity step logs (`transcript.jsonl`, one record per step).
    Antigravity,
    /// OpenClaw session logs (`~/.openclaw/agents/<agent>/sessions/<id>.jsonl`).
    #[serde(rename = "openclaw")]
    OpenClaw,
}

impl TranscriptFormat {
    /// The snake_case name this format has in JSON (`claude_code`, `openhands` …).
    pub fn as_str(self) -> &'static str {
        match self {
            TranscriptFormat::ClaudeCode => "claude_code",
            TranscriptFormat::ManagedAgents => "managed_agents",
            TranscriptFormat::AnthropicMessages => "anthropic_messages",
            TranscriptFormat::OpenaiChat => "openai_chat",
            TranscriptFormat::OpenaiResponses => "openai_responses",
            TranscriptFormat::Cline => "cline",
            TranscriptFormat::SweAgent => "swe_agent",
            TranscriptFormat::Aider => "aider",
            TranscriptFormat::OpenHands => "openhands",
            TranscriptFormat::CopilotCli => "copilot_cli",
            TranscriptFormat::OpenCode => "opencode",
            TranscriptFormat::GeminiCli => "gemini_cli",
            TranscriptFormat::SpecStory => "specstory",
            TranscriptFormat::Antigravity => "antigravity",
            TranscriptFormat::OpenClaw => "openclaw",
        }
    }
}

/// Who put a piece of text into a session. The curator decides what text may become by its
/// channel, never by where the format happened to put it: only `human` text can become a
/// preference or a user-stated fact; `tool_output` and `pasted` text is untrusted content (it
/// can support evidence, never become an instruction); `harness` text never becomes a memory.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Typed by a person.
    #[default]
    Human,
    /// The model's own prose.
    Agent,
    /// A tool call the model made (its name and parameters).
    ToolCall,
    /// What a tool returned: command output, file contents, fetched pages.
    ToolOutput,
    /// Text the harness injects: system prompts, task templates, reminders, hook feedback,
    /// environment details, status footers, compaction summaries.
    Harness,
    /// A log, stack trace or code block a person pasted into their message.
    Pasted,
}

impl Channel {
    /// The snake_case name this channel has in JSON and in the model pass's digests (`tool_output`
    /// …).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Human => "human",
            Channel::Agent => "agent",
            Channel::ToolCall => "tool_call",
            Channel::ToolOutput => "tool_output",
            Channel::Harness => "harness",
            Channel::Pasted => "pasted",
        }
    }

    /// The channel an event of this kind has unless its importer knows better.
    pub fn of_kind(kind: &EventKind) -> Channel {
        match kind {
            EventKind::UserMessage { .. } => Channel::Human,
            EventKind::AgentMessage { .. } => Channel::Agent,
            EventKind::ToolCall { .. } | EventKind::MemoryWrite { .. } => Channel::ToolCall,
            EventKind::ToolResult { .. } => Channel::ToolOutput,
            EventKind::Context { .. } => Channel::Harness,
        }
    }

    /// Content the session's operator does not control: scanned for injections, never an
    /// instruction.
    pub fn is_untrusted_content(self) -> bool {
        matches!(self, Channel::ToolOutput | Channel::Pasted)
    }
}

/// How far a whole session is trusted. Individual events also carry a trust level derived from
/// their origin (see [`Event::trust`]); a session-level setting overrides it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionTrust {
    /// Trust each event by its origin (user messages trusted, tool output untrusted).
    #[default]
    Default,
    /// Everything in the session is trusted (pinned by a person).
    Trusted,
    /// Nothing in the session is trusted.
    Untrusted,
    /// The session never feeds a dream.
    Quarantined,
}

/// Trust level of a single piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// Tool output, pasted or harness text, or anything from an untrusted or quarantined session:
    /// it can support evidence, never become an instruction.
    Untrusted,
    /// What a person typed, the agent's own messages and its calls, or anything from a session
    /// pinned as trusted.
    Trusted,
}

/// One agent session: an ordered event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Identifier carried by the format (e.g. Claude Code's `sessionId`), else derived from the
    /// file name. Unique within one dream.
    pub id: String,
    /// The agent that ran the session: the id/name the format carries, else the folder name.
    pub agent: String,
    /// Where the session came from (a path, or an upload name).
    pub source: String,
    /// The format the transcript was imported from.
    pub format: TranscriptFormat,
    /// The session-wide trust setting; absent in JSON means `default` (each event by its channel).
    #[serde(default)]
    pub trust: SessionTrust,
    /// The directory the session was started in, when the format records it (Claude Code's
    /// first `cwd`, Codex's `session_meta`, Copilot CLI's `session.start`, OpenCode's session
    /// `directory`, the working directory of Cline's and Roo Code's environment details): a
    /// command that changes into it goes nowhere new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_in: Option<String>,
    /// The session this transcript ran inside, when it is a sub-agent's (Claude Code's
    /// `isSidechain` records, a Codex rollout another thread spawned, an OpenCode session with a
    /// `parentID`). Recurrence counts one conversation as one session, however many files it
    /// spans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// The events in the order they happened, numbered by [`Event::index`].
    pub events: Vec<Event>,
}

impl Session {
    /// The newest timestamp in the session, used to order sessions in time.
    pub fn last_at(&self) -> Option<Timestamp> {
        self.events.iter().filter_map(|event| event.at).max()
    }

    /// The oldest timestamp in the session.
    pub fn first_at(&self) -> Option<Timestamp> {
        self.events.iter().filter_map(|event| event.at).min()
    }
}

/// One event of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position within the session, starting at 0. Evidence refers to events by this index.
    pub index: usize,
    /// When the event happened, when the format records it (some formats carry no times).
    pub at: Option<Timestamp>,
    /// The id the source format gave the event (`uuid`, `sevt_…`, tool-call id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Who put the text there (see [`Channel`]); importers set it from what they know of their
    /// harness, [`Event::new`] derives it from the kind.
    pub channel: Channel,
    /// What happened, with its text or call.
    pub kind: EventKind,
}

/// What happened in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Text of the person's turn, usually on the `human` channel (`pasted` for what they pasted
    /// in).
    UserMessage {
        /// The message text as the format gave it.
        text: String,
    },
    /// The model's own prose (thinking is not kept).
    AgentMessage {
        /// The message text as the format gave it.
        text: String,
    },
    /// A tool call that does not write to memory (those become [`EventKind::MemoryWrite`]).
    ToolCall {
        /// The id that pairs the call with its result, when the format has one.
        call_id: Option<String>,
        /// The tool's name as the harness calls it (`Bash`, `shell`, `apply_patch` …).
        name: String,
        /// The call's arguments, as the JSON the format gave.
        input: Value,
    },
    /// What a tool call returned.
    ToolResult {
        /// The id of the call this result answers, when the format has one.
        call_id: Option<String>,
        /// The name of the tool that produced this result, when the call was seen.
        tool: Option<String>,
        /// The returned text (command output, file contents, fetched page).
        content: String,
        /// True when the format flagged the result as an error or, for formats without a flag, when
        /// the importer read it as one.
        is_error: bool,
    },
    /// A write to the agent's memory (the memory tool, or a file write under `/memories/`).
    MemoryWrite {
        /// The id of the tool call that made the write, when the format has one (a multi-edit gives
        /// several writes the same id).
        call_id: Option<String>,
        /// The name of the tool that wrote (`memory`, `Write`, `str_replace_based_edit_tool` …).
        tool: String,
        /// The write itself, with its path already mapped into the store.
        command: MemoryCommand,
    },
    /// Anything else the format carries that may help a reader (system notes, summaries).
    Context {
        /// What kind of context this is (`system`, `task`, `summary`, `hook` …), as the importer
        /// named it.
        label: String,
        /// The context text.
        text: String,
    },
}

impl EventKind {
    /// A short name for the event type, used in reports and logs.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::UserMessage { .. } => "user_message",
            EventKind::AgentMessage { .. } => "agent_message",
            EventKind::ToolCall { .. } => "tool_call",
            EventKind::ToolResult { .. } => "tool_result",
            EventKind::MemoryWrite { .. } => "memory_write",
            EventKind::Context { .. } => "context",
        }
    }
}

impl Event {
    /// An event whose channel follows from its kind (see [`Channel::of_kind`]).
    pub fn new(
        index: usize,
        at: Option<Timestamp>,
        source_id: Option<String>,
        kind: EventKind,
    ) -> Event {
        Event {
            index,
            at,
            source_id,
            channel: Channel::of_kind(&kind),
            kind,
        }
    }

    /// The trust level of this event given its session's setting: by its channel, what a person
    /// typed, the agent's own messages, its tool calls and memory writes are trusted; tool output,
    /// pasted text and harness text (fetched content, file contents, summaries) are not.
    pub fn trust(&self, session: SessionTrust) -> Trust {
        match session {
            SessionTrust::Trusted => Trust::Trusted,
            SessionTrust::Untrusted | SessionTrust::Quarantined => Trust::Untrusted,
            SessionTrust::Default => match self.channel {
                Channel::Human | Channel::Agent | Channel::ToolCall => Trust::Trusted,
                Channel::ToolOutput | Channel::Pasted | Channel::Harness => Trust::Untrusted,
            },
        }
    }

    /// All human-readable text of the event (for scanning and search).
    pub fn text(&self) -> String {
        match &self.kind {
            EventKind::UserMessage { text }
            | EventKind::AgentMessage { text }
            | EventKind::Context { text, .. } => text.clone(),
            EventKind::ToolCall { input, .. } => input.to_string(),
            EventKind::ToolResult { content, .. } => content.clone(),
            EventKind::MemoryWrite { command, .. } => command.text(),
        }
    }
}

/// A memory-tool command, with paths already mapped into the store (`/memories/a.md` → `/a.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum MemoryCommand {
    /// Writes a whole document: whatever the file held before is replaced.
    Create {
        /// The store path of the document written.
        path: String,
        /// The document's new full text.
        text: String,
    },
    /// Replaces one occurrence of a text inside a document.
    StrReplace {
        /// The store path of the document edited.
        path: String,
        /// The text replaced.
        old: String,
        /// The text put in its place (empty to delete it).
        new: String,
    },
    /// Inserts text into a document.
    Insert {
        /// The store path of the document edited.
        path: String,
        /// The `insert_line` the call gave (the line after which the text goes), when it gave one;
        /// the curator adds the text's items without using it.
        line: Option<u64>,
        /// The text inserted.
        text: String,
    },
    /// Deletes a document or, given a folder path (or `/`), everything under it.
    Delete {
        /// The store path of the document or folder deleted.
        path: String,
    },
    /// Moves a document or a folder.
    Rename {
        /// The store path moved from.
        from: String,
        /// The store path moved to.
        to: String,
    },
}

impl MemoryCommand {
    /// The store path the command acts on (for a rename, the path moved from).
    pub fn path(&self) -> &str {
        match self {
            MemoryCommand::Create { path, .. }
            | MemoryCommand::StrReplace { path, .. }
            | MemoryCommand::Insert { path, .. }
            | MemoryCommand::Delete { path } => path,
            MemoryCommand::Rename { from, .. } => from,
        }
    }

    fn text(&self) -> String {
        match self {
            MemoryCommand::Create { text, .. } | MemoryCommand::Insert { text, .. } => text.clone(),
            MemoryCommand::StrReplace { old, new, .. } => format!("{old}\n{new}"),
            MemoryCommand::Delete { path } => path.clone(),
            MemoryCommand::Rename { from, to } => format!("{from} -> {to}"),
        }
    }
}

/// Maps a path as an agent sees it (`/memories/team/a.md`, `/mnt/memory/a.md`) to a store path
/// (`/team/a.md`). Returns `None` for paths outside the memory directories.
pub fn memory_path_to_store_path(path: &str) -> Option<String> {
    const ROOTS: [&str; 2] = ["/memories", "/mnt/memory"];
    for root in ROOTS {
        if let Some(rest) = path.strip_prefix(root) {
            if rest.is_empty() || rest == "/" {
                return Some("/".to_string());
            }
            if rest.starts_with('/') {
                return Some(rest.to_string());
            }
        }
    }
    None
}

/// A memory store: a set of text documents addressed by path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Store {
    /// The documents; [`Store::new`] sorts them by path.
    pub documents: Vec<StoreDocument>,
}

/// One document of a store, as stored (raw text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreDocument {
    /// Absolute store path, e.g. `/conventions/citations.md`.
    pub path: String,
    /// The raw document text (Markdown), byte for byte as stored.
    pub content: String,
    /// When the document last changed, where the storage knows it (the service does; a folder
    /// of files does not, because copying a folder changes modification times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// When the document's content was true ("as of"), when someone said so. This is not when
    /// it was stored: an uploaded or imported memory without an as-of time is older than any
    /// session evidence in a dream, so a value a person stated in a session replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
}

impl Store {
    /// Builds a store with documents sorted by path, so every later step is deterministic.
    pub fn new(mut documents: Vec<StoreDocument>) -> Store {
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        Store { documents }
    }

    /// The document stored at exactly this path, if any.
    pub fn get(&self, path: &str) -> Option<&StoreDocument> {
        self.documents.iter().find(|doc| doc.path == path)
    }
}

/// The longest store path, in bytes (UTF-8): the engine, the CLI and the service share it.
pub const MAX_PATH_BYTES: usize = 1_024;

/// The most sessions one dream reads: the service's limit and the CLI's default
/// `--max-sessions` (a dream keeps one digest per session in memory, and a reviewer reads its
/// report).
pub const MAX_DREAM_SESSIONS: usize = 100;

/// Checks that a store path is absolute, has no empty, `.` or `..` segments, and is not too long.
pub fn validate_store_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("path {path:?} must start with '/'"));
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(format!(
            "path is {} bytes; the limit is {MAX_PATH_BYTES}",
            path.len()
        ));
    }
    if path.len() == 1 {
        return Err("path must name a document, not the root".to_string());
    }
    for segment in path[1..].split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!("path {path:?} has an empty, '.' or '..' segment"));
        }
        if segment.chars().any(|c| c.is_control()) {
            return Err(format!("path {path:?} has a control character"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_paths_map_into_the_store() {
        assert_eq!(
            memory_path_to_store_path("/memories/a.md").as_deref(),
            Some("/a.md")
        );
        assert_eq!(
            memory_path_to_store_path("/mnt/memory/team/x.md").as_deref(),
            Some("/team/x.md")
        );
        assert_eq!(memory_path_to_store_path("/memoriesx/a.md"), None);
        assert_eq!(memory_path_to_store_path("/home/a.md"), None);
    }

    #[test]
    fn store_paths_are_validated() {
        assert!(validate_store_path("/a/b.md").is_ok());
        assert!(validate_store_path("a.md").is_err());
        assert!(validate_store_path("/a/../b.md").is_err());
        assert!(validate_store_path("/a//b.md").is_err());
        assert!(validate_store_path("/").is_err());
        let longest = format!("/{}", "x".repeat(MAX_PATH_BYTES - 1));
        assert!(validate_store_path(&longest).is_ok());
        let error = validate_store_path(&format!("{longest}x")).expect_err("one byte too long");
        assert!(error.contains("the limit is 1024"), "{error}");
    }
}
