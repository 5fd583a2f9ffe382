//! The fleet generator: [`generate`] builds a whole fleet in memory, [`write_fleet`] writes it,
//! and [`write_fleet_streaming`] generates and writes one transcript at a time.
//!
//! Layout on disk:
//!
//! ```text
//! dir/store/<document>.md          the memory store (`/conventions.md` → store/conventions.md)
//! dir/sessions/<agent>/<file>      one transcript per session
//! dir/instructions.txt             the curation instructions
//! dir/truth.json                   the planted ground truth (pretty JSON)
//! ```

mod content;
mod json;
mod phrases;
mod plan;
mod render;
mod rng;
mod session;
mod time;
mod triples;
mod vocab;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use crate::truth::Truth;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetConfig {
    /// Number of sessions (transcript files).
    pub sessions: usize,
    /// Number of agents (one folder each; agents rotate over four domains).
    pub agents: usize,
    /// Seeds every random choice: the same seed and settings give a byte-identical fleet.
    pub seed: u64,
    /// Events per session (user and agent messages, tool calls, tool results); planted content
    /// may add a few. Default 60; the speed benchmark uses about 220.
    pub events_per_session: usize,
    /// Approximate size in bytes of each transcript file: bulk content (logs, files, tables) is
    /// added to tool results until the file is about this big. Default 0 (no bulk); the speed
    /// benchmark uses about 140,000, so that 100 sessions are about 14 MB.
    pub filler_bytes_per_session: usize,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig {
            sessions: 40,
            agents: 6,
            seed: 0,
            events_per_session: 60,
            filler_bytes_per_session: 0,
        }
    }
}

impl FleetConfig {
    /// A fleet of `sessions` sessions over `agents` agents, other settings at their defaults.
    pub fn new(sessions: usize, agents: usize, seed: u64) -> Self {
        FleetConfig {
            sessions,
            agents,
            seed,
            ..FleetConfig::default()
        }
    }
}

/// The transcript formats, used in rotation (session `i` has format `ALL[i % 5]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionFormat {
    /// Claude Code JSONL (`~/.claude/projects/…/<session>.jsonl`).
    ClaudeCode,
    /// Anthropic Managed Agents session events: JSONL, or (every other such file) a
    /// `{"data": […], "next_page": null}` page.
    ManagedAgents,
    /// An Anthropic Messages API request (`{"model", "messages": […]}`).
    AnthropicMessages,
    /// An OpenAI Chat Completions request with `tool_calls` and `tool` messages.
    OpenaiChat,
    /// A Codex CLI rollout (`session_meta` + `response_item` lines).
    Codex,
}

impl SessionFormat {
    /// Every format, in the order sessions rotate through them.
    pub const ALL: [SessionFormat; 5] = [
        SessionFormat::ClaudeCode,
        SessionFormat::ManagedAgents,
        SessionFormat::AnthropicMessages,
        SessionFormat::OpenaiChat,
        SessionFormat::Codex,
    ];

    /// The name used in `truth.json` (`claude_code`, `managed_agents`, `anthropic_messages`,
    /// `openai_chat`, `codex`).
    pub fn as_str(self) -> &'static str {
        match self {
            SessionFormat::ClaudeCode => "claude_code",
            SessionFormat::ManagedAgents => "managed_agents",
            SessionFormat::AnthropicMessages => "anthropic_messages",
            SessionFormat::OpenaiChat => "openai_chat",
            SessionFormat::Codex => "codex",
        }
    }
}

/// A generated fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedFleet {
    /// Store documents: (`/conventions.md`, Markdown), sorted by path.
    pub store: Vec<(String, String)>,
    /// Transcripts: (`sessions/<agent>/<file>`, bytes), oldest session first.
    pub transcripts: Vec<(String, Vec<u8>)>,
    /// The curation instructions.
    pub instructions: String,
    /// What was planted, as written to `truth.json`.
    pub truth: Truth,
}

/// Generates a fleet in memory. Same config → byte-identical fleet.
pub fn generate(config: &FleetConfig) -> GeneratedFleet {
    let plan = plan::plan(config);
    let mut generator = session::Generator::new(&plan);
    let transcripts = (0..plan.sessions.len())
        .map(|i| {
            let rendered = generator.session(i);
            (rendered.path, rendered.bytes)
        })
        .collect();
    let truth = generator.finish();
    GeneratedFleet {
        store: plan.store.clone(),
        transcripts,
        instructions: truth.instructions.clone(),
        truth,
    }
}

/// Writes a generated fleet below `dir` (created if missing). Transcript files get their
/// session's last event time as modification time.
pub fn write_fleet(fleet: &GeneratedFleet, dir: &Path) -> std::io::Result<()> {
    write_store(dir, &fleet.store, &fleet.instructions)?;
    for ((path, bytes), info) in fleet.transcripts.iter().zip(&fleet.truth.session_list) {
        write_transcript(dir, path, bytes, info.ended_at_ms)?;
    }
    write_truth(dir, &fleet.truth)
}

/// Generates and writes a fleet one transcript at a time, holding only the plan and the
/// current transcript in memory. Writes exactly what `write_fleet(&generate(config), dir)`
/// writes, and returns the truth.
pub fn write_fleet_streaming(config: &FleetConfig, dir: &Path) -> std::io::Result<Truth> {
    let plan = plan::plan(config);
    write_store(dir, &plan.store, &plan.truth.instructions)?;
    let mut generator = session::Generator::new(&plan);
    // Generation and disk writes overlap: a writer thread takes finished transcripts from a
    // short queue, so at most a few transcripts are in memory at once.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<session::Rendered>(4);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            for rendered in receiver {
                write_transcript(dir, &rendered.path, &rendered.bytes, rendered.end_ms)?;
            }
            Ok(())
        });
        for i in 0..plan.sessions.len() {
            if sender.send(generator.session(i)).is_err() {
                break; // the writer stopped on an error, reported below
            }
        }
        drop(sender);
        writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("transcript writer panicked")))
    })?;
    let truth = generator.finish();
    write_truth(dir, &truth)?;
    Ok(truth)
}

fn write_store(dir: &Path, store: &[(String, String)], instructions: &str) -> std::io::Result<()> {
    let store_dir = dir.join("store");
    std::fs::create_dir_all(&store_dir)?;
    for (path, content) in store {
        let file = store_dir.join(path.trim_start_matches('/'));
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, content)?;
    }
    std::fs::create_dir_all(dir.join("sessions"))?;
    std::fs::write(dir.join("instructions.txt"), format!("{instructions}\n"))
}

fn write_transcript(dir: &Path, path: &str, bytes: &[u8], end_ms: i64) -> std::io::Result<()> {
    let file = dir.join(path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut handle = std::fs::File::create(&file)?;
    handle.write_all(bytes)?;
    let modified = UNIX_EPOCH + Duration::from_millis(u64::try_from(end_ms).unwrap_or(0));
    handle.set_modified(modified.max(UNIX_EPOCH))?;
    Ok(())
}

fn write_truth(dir: &Path, truth: &Truth) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(truth).map_err(std::io::Error::other)?;
    json.push(b'\n');
    std::fs::write(dir.join("truth.json"), json)
}

/// A format-neutral event, for writing hand-made transcripts with [`render_transcript`] (test
/// corpora, examples). A `Result` answers the `Call` just before it.
#[derive(Debug, Clone)]
pub enum TranscriptEvent {
    /// What the person typed.
    User(String),
    /// The agent's reply text.
    Agent(String),
    /// A tool call; the format's call id is made up while rendering.
    Call {
        /// The tool's name, written as it is.
        name: &'static str,
        /// The call's arguments as (name, value) pairs; every value is written as a JSON string.
        input: Vec<(&'static str, String)>,
    },
    /// The output of the `Call` just before it.
    Result {
        /// The output text, written as it is.
        text: String,
        /// Whether the call failed: `is_error` where the format has it, exit code 1 in Codex;
        /// OpenAI Chat records no failure.
        error: bool,
    },
}

/// Writes a session in one of the five transcript formats. Events are one second apart from
/// `start_ms` (milliseconds since the Unix epoch); the session id is used where the format
/// carries one.
pub fn render_transcript(
    format: SessionFormat,
    id: &str,
    events: &[TranscriptEvent],
    start_ms: i64,
) -> Vec<u8> {
    let neutral: Vec<render::Ev> = events
        .iter()
        .map(|event| match event {
            TranscriptEvent::User(text) => render::Ev::User(text.clone()),
            TranscriptEvent::Agent(text) => render::Ev::Agent(text.clone()),
            TranscriptEvent::Call { name, input } => render::Ev::Call {
                name,
                input: input
                    .iter()
                    .map(|(key, value)| (*key, json::J::Str(value.clone().into())))
                    .collect(),
            },
            TranscriptEvent::Result { text, error } => render::Ev::Result {
                text: text.clone(),
                error: *error,
            },
        })
        .collect();
    let times: Vec<i64> = (0..neutral.len() as i64)
        .map(|i| start_ms + i * 1000)
        .collect();
    let ctx = render::Ctx {
        format,
        id,
        cwd: "/home/dev/project",
        domain_prompt: "You are a helpful agent.",
        page: false,
        queue_op: true,
        id_seed: start_ms as u64,
    };
    render::render(&ctx, &neutral, &times)
}
