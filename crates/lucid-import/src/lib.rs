//! Transcript importers: the bytes of one agent-session transcript in, one lucid [`Session`]
//! out. Pure — no I/O — so callers decide where bytes come from and tests need no files.
//!
//! Formats ([`TranscriptFormat`]), recognised from content by [`detect_format`]:
//! Claude Code JSONL, Anthropic Managed Agents session events, Anthropic Messages API logs,
//! OpenAI Chat Completions logs, OpenAI Responses items / Codex CLI rollouts, Cline / Roo Code
//! task histories (`api_conversation_history.json`; [`import_cline_task`] also reads the
//! sibling `ui_messages.json` for times), SWE-agent / mini-swe-agent trajectories (`.traj`),
//! aider chat transcripts (Markdown: `.aider.chat.history.md`), OpenHands trajectories (a JSON
//! array of events, or OpenHands Cloud's export around them), GitHub Copilot CLI session logs (`events.jsonl`), OpenCode sessions
//! (`opencode export`), Gemini CLI chat logs (one JSON document, or JSON Lines of `$set`
//! snapshots and messages), SpecStory's Markdown exports of Cursor and Claude Code chats,
//! Google Antigravity step logs (`transcript.jsonl`) and OpenClaw session logs
//! (`~/.openclaw/agents/<agent>/sessions/<id>.jsonl`).
//!
//! Every format is mapped to the same event rules: one [`Event`](lucid_core::Event) per kept
//! content block, numbered from 0 in order of appearance; text by role (user, agent, or context
//! for system prompts, summaries and harness notes); tool calls and results paired by call id;
//! thinking and media skipped; a tool call that writes to `/memories/` or `/mnt/memory/` becomes
//! a `MemoryWrite` instead of a `ToolCall` (see [`memory_command_from_tool_call`]).
//!
//! Every event has a [`Channel`](lucid_core::Channel) saying who put its text there, because
//! the curator takes preferences and user-stated facts only from `human` text. Harnesses put
//! their own text into user turns, so importers split it out: Claude Code's system reminders,
//! slash-command echoes, hook feedback and interruption notices; Cline's environment details,
//! tool-result headers and notices; SWE-agent's system prompt, demonstrations and task template;
//! Copilot CLI's injected reminders and an evaluation runner's prompts all become context on the
//! `harness` channel, and only what a person typed stays `human` (aider: the `#### ` lines).
//! Each format module documents its mapping. Results of formats without an error flag (OpenAI
//! Chat and Responses, Cline, SWE-agent, aider, OpenHands results without an exit code) are
//! judged by [`looks_like_error`].
//!
//! Session id: the one the format carries (Copilot CLI: `session.start`'s `sessionId`), else the
//! file stem of [`Source::path`] (Cline: the task folder; SWE-agent: the stem without `.traj`;
//! aider and OpenHands carry none). Agent: the one the format carries (a name
//! is preferred over an id), else [`Source::folder_name`] (Cline: the folder above the task
//! folder), else the project the session started in (the last folder of its directory that names one, a
//! git worktree's project rather than the worktree), else
//! [`Source::folder_above`], else `"default"`.
//!
//! Nothing here panics on any input; every failure is an [`ImportError`] with a reason a person
//! can act on.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

mod agent_name;
mod aider;
mod answers;
mod anthropic_messages;
mod antigravity;
mod blocks;
mod claude_code;
mod cline;
mod cline_markdown;
mod copilot_cli;
mod detect;
mod error;
mod error_text;
mod gemini_cli;
mod input;
mod json;
mod managed_agents;
mod memory;
mod openai_chat;
mod openai_responses;
mod openclaw;
mod opencode;
mod openhands;
mod session;
mod specstory;
mod swe_agent;
mod tagged;

use lucid_core::{Session, Timestamp, TranscriptFormat};

pub use agent_name::{folder_names_an_agent, is_uuid};
pub use cline::{
    HISTORY_FILE as CLINE_HISTORY_FILE, UI_FILES as CLINE_UI_FILES, import_cline_task,
};
pub use detect::detect_format;
pub use error::ImportError;
pub use error_text::looks_like_error;
pub use memory::{SAVED_MEMORIES, memory_command_from_tool_call, memory_commands_from_tool_call};

/// Where a transcript came from, for the fallbacks of formats that do not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Source<'a> {
    /// The file's path or upload name, e.g. `fleet/support-bot/s1.jsonl`: recorded as the
    /// session's `source`, and its file stem is the session id when the format carries none.
    pub path: &'a str,
    /// The name of the folder holding the file: the agent when the format names none (`None`
    /// when the folder says nothing of it, a date or a harness's own store: the project the
    /// session started in names the agent then).
    pub folder_name: Option<&'a str>,
    /// A folder further up that names the agent when neither the format, `folder_name` nor the
    /// directory the session started in does (a fleet's `support-bot/` above Gemini CLI's
    /// `chats/`).
    pub folder_above: Option<&'a str>,
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
            folder_above: None,
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
///     folder_above: None,
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
    if specstory::is_transcript(text) {
        return specstory::import(text, source);
    }
    if cline_markdown::is_export(text) {
        return cline_markdown::import(text, source);
    }
    if aider::is_transcript(text) {
        return aider::import(text, source);
    }
    let input = input::read(text)?;
    let format = detect::detect_input(&input).map_err(|error| match input {
        input::Input::Lines(_) => detect::explain_text(text, error),
        input::Input::Document(_) => error,
    })?;
    import_input(format, input, source)
}

/// Imports a transcript as the sessions it holds: one for every format but aider, whose chat
/// history holds one session per run of aider (each `# aider chat started at` header), since
/// aider appends every run in a repository to the same file.
///
/// ```
/// use lucid_import::{Source, import_sessions};
///
/// let history = "# aider chat started at 2025-04-01 18:41:33\n\n#### run the tests\n\n\
///                Sure.\n\n# aider chat started at 2025-04-02 09:00:00\n\n#### add a README\n\nDone.\n";
/// let sessions = import_sessions(history.as_bytes(), &Source::new("repo/.aider.chat.history.md"))?;
/// assert_eq!(sessions.len(), 2);
/// assert_eq!(sessions[1].id, ".aider.chat.history@2025-04-02T09:00:00");
/// # Ok::<(), lucid_import::ImportError>(())
/// ```
pub fn import_sessions(bytes: &[u8], source: &Source) -> Result<Vec<Session>, ImportError> {
    let text = input::decode(bytes)?;
    if specstory::is_transcript(text) {
        return specstory::import(text, source).map(|session| vec![session]);
    }
    if cline_markdown::is_export(text) {
        return cline_markdown::import(text, source).map(|session| vec![session]);
    }
    if aider::is_transcript(text) {
        return aider::import_runs(text, source);
    }
    import_session(bytes, source).map(|session| vec![session])
}

/// A line of a JSON Lines transcript that was left out because it is not JSON at all (a line
/// garbled by a crash, a concurrent write or a bad copy), while the rest of the file was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOutLine {
    /// The physical line, 1-based.
    pub line: usize,
    /// What is wrong with it, as [`ImportError::Line`] says it.
    pub reason: String,
}

/// The most lines [`import_sessions_leaving_out_garbled_lines`] leaves out of one file, and the
/// share of its lines they may be at most (one in ten): beyond either, the file is not a
/// transcript with a few damaged lines but something else, and it is rejected whole.
const MAX_LEFT_OUT_LINES: usize = 20;

/// Like [`import_sessions`], but a JSON Lines transcript with a few lines that are not JSON at
/// all (one garbled line in the middle of a long session) is read without them, and the lines
/// left out are returned so the caller can report them. A line that is valid JSON of the wrong
/// shape is still an error: that is a different format, not damage.
///
/// ```
/// use lucid_import::{Source, import_sessions_leaving_out_garbled_lines};
///
/// let mut lines: Vec<String> = (0..12)
///     .map(|i| format!(r#"{{"role": "user", "content": "message {i}"}}"#))
///     .collect();
/// lines[5] = r#"ent": "cut in the middle"}"#.to_string();
/// let (sessions, left_out) =
///     import_sessions_leaving_out_garbled_lines(lines.join("\n").as_bytes(), &Source::new("s.jsonl"))?;
/// assert_eq!(sessions[0].events.len(), 11);
/// assert_eq!(left_out[0].line, 6);
/// # Ok::<(), lucid_import::ImportError>(())
/// ```
pub fn import_sessions_leaving_out_garbled_lines(
    bytes: &[u8],
    source: &Source,
) -> Result<(Vec<Session>, Vec<LeftOutLine>), ImportError> {
    let first = match import_sessions(bytes, source) {
        Ok(sessions) => return Ok((sessions, Vec::new())),
        Err(error) => error,
    };
    let Ok(text) = input::decode(bytes) else {
        return Err(first);
    };
    let lines = text
        .split('\n')
        .filter(|line| !line.trim().is_empty())
        .count();
    // A garbled line is blanked in place (blank lines are skipped), so the line numbers of
    // the lines after it stay what the file says.
    let mut repaired: Option<String> = None;
    let mut left_out: Vec<LeftOutLine> = Vec::new();
    let mut error = first;
    loop {
        let ImportError::Line { line, reason } = &error else {
            return Err(error);
        };
        let current = repaired.as_deref().unwrap_or(text);
        let Some(index) = line.checked_sub(1) else {
            return Err(error);
        };
        let Some(content) = current.split('\n').nth(index) else {
            return Err(error);
        };
        let garbled = serde_json::from_str::<serde::de::IgnoredAny>(content.trim()).is_err();
        let too_many = left_out.len() + 1 > MAX_LEFT_OUT_LINES || (left_out.len() + 1) * 10 > lines;
        if !garbled || too_many {
            return Err(error);
        }
        left_out.push(LeftOutLine {
            line: *line,
            reason: reason.clone(),
        });
        let start: usize = current.split('\n').take(index).map(|l| l.len() + 1).sum();
        let mut next = current.to_string();
        next.replace_range(start..start + content.len(), &" ".repeat(content.len()));
        match import_sessions(next.as_bytes(), source) {
            Ok(sessions) => return Ok((sessions, left_out)),
            Err(again) => {
                error = again;
                repaired = Some(next);
            }
        }
    }
}

/// Imports a transcript known to be in `format`, skipping detection.
pub fn import_session_as(
    format: TranscriptFormat,
    bytes: &[u8],
    source: &Source,
) -> Result<Session, ImportError> {
    let text = input::decode(bytes)?;
    if format == TranscriptFormat::Aider {
        return aider::import(text, source);
    }
    if format == TranscriptFormat::SpecStory {
        return specstory::import(text, source);
    }
    if format == TranscriptFormat::Cline && cline_markdown::is_export(text) {
        return cline_markdown::import(text, source);
    }
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
        TranscriptFormat::Cline => cline::import(input, source),
        TranscriptFormat::SweAgent => swe_agent::import(input, source),
        TranscriptFormat::OpenHands => openhands::import(input, source),
        TranscriptFormat::CopilotCli => copilot_cli::import(input, source),
        TranscriptFormat::OpenCode => opencode::import(input, source),
        TranscriptFormat::GeminiCli => gemini_cli::import(input, source),
        TranscriptFormat::Antigravity => antigravity::import(input, source),
        TranscriptFormat::OpenClaw => openclaw::import(input, source),
        // Markdown, read from the text before it is parsed as JSON (see `import_session`).
        TranscriptFormat::Aider | TranscriptFormat::SpecStory => Err(ImportError::WrongShape {
            format,
            reason: format!("this is JSON; a {} transcript is Markdown", format.as_str()),
        }),
    }
}
