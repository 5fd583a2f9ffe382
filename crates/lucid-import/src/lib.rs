//! Transcript importers: the bytes of one agent-session transcript in, one lucid [`Session`]
//! out. Pure — no I/O — so callers decide where bytes come from and tests need no files.
//!
//! Formats ([`TranscriptFormat`]), recognised from content by [`detect_format`]:
//! Claude Code JSONL, Anthropic Managed Agents session events, Anthropic Messages API logs,
//! OpenAI Chat Completions logs, and OpenAI Responses items / Codex CLI rollouts.
//!
//! Every format is mapped to the same event rules: one [`Event`](lucid_core::Event) per kept
//! content block, numbered from 0 in order of appearance; text by role (user, agent, or context
//! for system prompts, summaries and harness notes); tool calls and results paired by call id;
//! thinking and media skipped; a tool call that writes to `/memories/` or `/mnt/memory/` becomes
//! a `MemoryWrite` instead of a `ToolCall` (see [`memory_command_from_tool_call`]).
//!
//! Session id: the one the format carries, else the file stem of [`Source::path`]. Agent: the
//! one the format carries (a name is preferred over an id), else [`Source::folder_name`], else
//! `"default"`.
//!
//! Nothing here panics on any input; every failure is an [`ImportError`] with a reason a person
//! can act on.

mod anthropic_messages;
mod blocks;
mod claude_code;
mod detect;
mod error;
mod error_text;
mod input;
mod json;
mod managed_agents;
mod memory;
mod openai_chat;
mod openai_responses;
mod session;

use lucid_core::{Session, Timestamp, TranscriptFormat};

pub use detect::detect_format;
pub use error::ImportError;
pub use error_text::looks_like_error;
pub use memory::{memory_command_from_tool_call, memory_commands_from_tool_call};

/// Where a transcript came from, for the fallbacks of formats that do not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Source<'a> {
    /// The file's path or upload name, e.g. `fleet/support-bot/s1.jsonl`: recorded as the
    /// session's `source`, and its file stem is the session id when the format carries none.
    pub path: &'a str,
    /// The name of the folder holding the file: the agent when the format names none.
    pub folder_name: Option<&'a str>,
    /// The file's modification time: the time of every event for formats without times
    /// (Messages and Chat logs without `created_at`).
    pub modified: Option<Timestamp>,
}

impl<'a> Source<'a> {
    /// A source known only by its path.
    pub fn new(path: &'a str) -> Self {
        Source {
            path,
            folder_name: None,
            modified: None,
        }
    }
}

/// Imports a transcript, recognising its format from the content.
///
/// ```
/// use lucid_import::{Source, import_session};
///
/// let bytes = br#"{"messages": [{"role": "user", "content": "Remember: deploys freeze on Fridays."}]}"#;
/// let source = Source {
///     path: "fleet/support-bot/s1.json",
///     folder_name: Some("support-bot"),
///     modified: None,
/// };
/// let session = import_session(bytes, &source)?;
/// assert_eq!(session.id, "s1"); // no id in the file: the file stem
/// assert_eq!(session.agent, "support-bot"); // no agent in the file: the folder
/// assert_eq!(session.events.len(), 1);
/// # Ok::<(), lucid_import::ImportError>(())
/// ```
pub fn import_session(bytes: &[u8], source: &Source) -> Result<Session, ImportError> {
    let text = input::decode(bytes)?;
    let input = input::read(text)?;
    let format = detect::detect_input(&input)?;
    import_input(format, input, source)
}

/// Imports a transcript known to be in `format`, skipping detection.
pub fn import_session_as(
    format: TranscriptFormat,
    bytes: &[u8],
    source: &Source,
) -> Result<Session, ImportError> {
    let text = input::decode(bytes)?;
    let input = input::read(text)?;
    import_input(format, input, source)
}

fn import_input(
    format: TranscriptFormat,
    input: input::Input<'_>,
    source: &Source,
) -> Result<Session, ImportError> {
    match format {
        TranscriptFormat::ClaudeCode => claude_code::import(input, source),
        TranscriptFormat::ManagedAgents => managed_agents::import(input, source),
        TranscriptFormat::AnthropicMessages => anthropic_messages::import(input, source),
        TranscriptFormat::OpenaiChat => openai_chat::import(input, source),
        TranscriptFormat::OpenaiResponses => openai_responses::import(input, source),
        TranscriptFormat::Cline | TranscriptFormat::SweAgent => {
            Err(ImportError::UnrecognisedFormat {
                reason: format!("no importer for {} yet", format.as_str()),
            })
        }
    }
}
