//! The ground truth planted in a generated fleet (`truth.json`).
//!
//! Texts are exact: a store text is the item's text as lucid's Markdown reader yields it (the
//! list item without its `- ` marker), a statement text is a sentence exactly as it appears in a
//! user message. Session ids are the ids the transcripts carry (the file stem for formats that
//! carry none), so they match what the importers report.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Everything planted in one fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// The seed the fleet was generated from ([`FleetConfig::seed`](crate::FleetConfig::seed)).
    pub seed: u64,
    /// Number of sessions (transcript files).
    pub sessions: usize,
    /// Number of agents configured (agents without sessions have no folder).
    pub agents: usize,
    /// Number of items (list entries) in the store.
    pub store_items: usize,
    /// Total bytes of all transcript files.
    pub transcript_bytes: u64,
    /// The curation instructions handed to the curator (also in `instructions.txt`).
    pub instructions: String,
    /// Groups of store items that say the same thing: they should end up as one item.
    pub duplicates: Vec<DuplicateGroup>,
    /// Pairs of store items with the same sentence frame about different things: both must
    /// survive, unmerged.
    pub distinct: Vec<LookAlike>,
    /// Store facts whose value later sessions changed: the newest value must win.
    pub supersessions: Vec<Supersession>,
    /// Store facts of the same shape that nothing changes: they must survive as they are.
    pub stable_facts: Vec<StableFact>,
    /// Tool calls that fail until a parameter is set.
    pub pitfalls: Vec<Pitfall>,
    /// Failures fixed by retrying the identical call: not pitfalls.
    pub retry_noise: Vec<RetryNoise>,
    /// Tool-call sequences that recur in successful sessions.
    pub workflows: Vec<Workflow>,
    /// Standing instructions given by users.
    pub preferences: Vec<Preference>,
    /// Instruction-like text inside tool results: its marker must never reach the draft.
    pub injections: Vec<Injection>,
    /// Credentials in user messages or tool results: never in the draft or the report.
    pub secrets: Vec<Secret>,
    /// Temporary debugging notes in the store that the instructions ask to ignore.
    pub temporary: Vec<TemporaryNote>,
    /// Every session: id, agent, format, file and time span, oldest first.
    pub session_list: Vec<SessionInfo>,
}

/// 2–3 store items saying the same thing in different words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// `dup-1`, `dup-2`, …
    pub group: String,
    /// The exact store item texts.
    pub texts: Vec<String>,
    /// The store document of each text (`/conventions.md`), parallel to `texts`.
    pub paths: Vec<String>,
    /// Strings every text of the group contains, and no other store item: the merged item must
    /// contain them too.
    pub anchors: Vec<String>,
}

/// Two store items with the same frame about different subjects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookAlike {
    /// The two exact store item texts.
    pub texts: Vec<String>,
    /// For each text, strings that identify it (and appear in no other store item): a surviving
    /// item must contain all anchors of one text.
    pub anchors: Vec<Vec<String>>,
}

/// A store fact changed by later sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supersession {
    /// What the fact is about ("staging database host").
    pub subject: String,
    /// The exact store item text holding the old value.
    pub store_text: String,
    /// The value the store item holds, which later sessions replace.
    pub old: String,
    /// Values announced before the newest one, oldest first.
    pub intermediate: Vec<String>,
    /// The newest value: the one the draft must hold.
    pub new: String,
    /// The session that announced `new`.
    pub new_session: String,
    /// The sessions that announced the intermediate values, parallel to `intermediate`.
    pub intermediate_sessions: Vec<String>,
    /// The exact user sentences announcing the changes, oldest first (intermediates, then new).
    pub update_texts: Vec<String>,
}

/// A store fact nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StableFact {
    /// The exact store item text.
    pub store_text: String,
    /// The value it holds, which must still be in the draft.
    pub value: String,
}

/// A tool call that fails with `error` and succeeds once `param` is `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pitfall {
    /// The tool whose call fails (`run_tests` …), as the transcripts name it.
    pub tool: String,
    /// The parameter the fixing call sets (added, or changed from a bad value).
    pub param: String,
    /// The value that works, as plain text (`legacy`, `300`, `true`).
    pub value: String,
    /// The exact error text of the failing result (its whole content).
    pub error: String,
    /// The extension of the file the failing call works on when the failure is specific to it.
    pub file_type: Option<String>,
    /// Sessions showing the failure and the fix, oldest first.
    pub sessions: Vec<String>,
    /// Shown in two or more sessions.
    pub recurring: bool,
}

/// A failure whose fix is retrying the identical call (a transient error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryNoise {
    /// The tool whose call failed and then passed unchanged.
    pub tool: String,
    /// The exact transient error text of the failing result.
    pub error: String,
    /// Sessions showing the failure and the retry, oldest first.
    pub sessions: Vec<String>,
}

/// A sequence of distinct tools called one after the other (successfully) in several sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// The tool names, in the order they are called.
    pub steps: Vec<String>,
    /// The successful sessions that run the sequence, oldest first.
    pub sessions: Vec<String>,
}

/// Who a preference applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Stated in sessions of two or more agents.
    Team,
    /// Stated by the sessions of one agent only.
    Agent,
}

/// A standing instruction a user gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    /// `pref-1`, `pref-2`, …
    pub id: String,
    /// Terms every statement of the preference contains: the stored preference must too.
    pub key_terms: Vec<String>,
    /// Team when stated in sessions of two or more agents, else agent.
    pub scope: Scope,
    /// The agent, for agent scope.
    pub agent: Option<String>,
    /// The exact sentences used (one per stating session, in session order; may repeat).
    pub texts: Vec<String>,
    /// The sessions stating it, oldest first, parallel to `texts`.
    pub sessions: Vec<String>,
    /// The agents of those sessions, sorted, without duplicates.
    pub agents: Vec<String>,
    /// True for a prohibition ("Never …").
    pub negative: bool,
}

/// Instruction-like text addressed to the AI inside a tool result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injection {
    /// A string unique to this injection: it must never appear in the draft.
    pub marker: String,
    /// The session whose tool result carries it.
    pub session: String,
    /// The tool whose result carried it.
    pub tool: String,
    /// The injected text as written in the result.
    pub text: String,
}

/// A credential pasted into a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// The secret itself: it must never appear in the draft or the report.
    pub value: String,
    /// `anthropic_api_key`, `aws_access_key_id`, `github_token`, `slack_bot_token`,
    /// `password`, `jwt`.
    pub kind: String,
    /// The session it was pasted into.
    pub session: String,
    /// `user_message` or `tool_result`.
    pub location: String,
}

/// A temporary debugging note in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryNote {
    /// The exact store item text.
    pub text: String,
    /// A string unique to the note: it should not survive curation.
    pub marker: String,
}

/// One transcript of the fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The session id the transcript carries (the file stem for formats that carry none).
    pub id: String,
    /// The agent's name, also the folder the transcript is in.
    pub agent: String,
    /// `claude_code`, `managed_agents`, `anthropic_messages`, `openai_chat`, `codex`.
    pub format: String,
    /// Relative path of the transcript: `sessions/<agent>/<file>`.
    pub path: String,
    /// RFC 3339 time of the first event.
    pub started_at: String,
    /// RFC 3339 time of the last event.
    pub ended_at: String,
    /// Milliseconds since the Unix epoch of the last event (the file's modification time).
    pub ended_at_ms: i64,
}

/// Reading a `truth.json` or a real-transcript corpus.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file or folder could not be read (a `truth.json`, a real-transcript corpus or its
    /// `expected.toml`).
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `truth.json` is not JSON of the truth's shape.
    #[error("{path} is not a fleet truth file: {source}")]
    Parse {
        /// The path as given.
        path: String,
        /// The JSON error, with its line and column.
        source: serde_json::Error,
    },
    /// A real-transcript corpus's `expected.toml` is not TOML of its shape, or fails its checks.
    #[error("{path} is not valid ground truth: {message}")]
    Invalid {
        /// The `expected.toml`'s path.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Reads the `truth.json` of a written fleet.
pub fn read_truth(path: &Path) -> Result<Truth, EvalError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| EvalError::Read {
        path: shown.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| EvalError::Parse {
        path: shown,
        source,
    })
}
