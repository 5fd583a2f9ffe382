//! The dream report: what the curator changed and why, with evidence for every change.
//!
//! The report is part of the dream's output and must be deterministic: identical inputs give a
//! byte-identical report, so it holds no wall-clock times.

use serde::{Deserialize, Serialize};

use crate::model::Trust;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Add,
    Merge,
    Supersede,
    Remove,
    Keep,
    Flag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Fact,
    Preference,
    Pitfall,
    Workflow,
    Insight,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fact => "fact",
            Kind::Preference => "preference",
            Kind::Pitfall => "pitfall",
            Kind::Workflow => "workflow",
            Kind::Insight => "insight",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Agent,
    Team,
}

/// Where a change's support comes from: an event of a session, or a document of the input store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Evidence {
    Event {
        session: String,
        event: usize,
        at: Option<String>,
        trust: Trust,
    },
    Store {
        store_path: String,
    },
}

/// One change the dream made (or one thing it refused: `flag`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `chg_` and 16 hex digits of a hash of what the change does (op, kind, scope, agent, path,
    /// text, replaced texts): the same for identical inputs, so a review decision made on one
    /// run of a dream names the same change in another. Filled by [`Report::count_changes`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub op: Op,
    pub kind: Kind,
    pub scope: Scope,
    /// The agent a scope-`agent` item belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The document in the draft that holds the item; `null` for changes that left nothing in
    /// the draft (`remove`, `flag`).
    pub path: Option<String>,
    /// The resulting item (for `remove`, the removed item; for `flag`, the refused text,
    /// redacted).
    pub text: String,
    /// Texts of the items merged into this one or superseded by it.
    #[serde(default)]
    pub replaces: Vec<String>,
    /// The texts in `replaces` that held an older value (superseded), as opposed to duplicates
    /// merged into this item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<String>,
    pub reason: String,
    pub evidence: Vec<Evidence>,
}

impl Change {
    /// The id this change's content hashes to (see [`Change::id`]).
    pub fn stable_id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let mut field = |text: &str| {
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        };
        field(&format!("{:?}", self.op));
        field(self.kind.as_str());
        field(&format!("{:?}", self.scope));
        field(self.agent.as_deref().unwrap_or(""));
        field(self.path.as_deref().unwrap_or(""));
        field(&self.text);
        for replaced in &self.replaces {
            field(replaced);
        }
        let digest = hasher.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("chg_{hex}")
    }
}

/// A candidate the dream did not write, and why: precision comes first, so when the curator is
/// unsure it leaves the item out and says so here, where a reviewer (or the model pass) sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkippedItem {
    pub kind: Kind,
    /// The candidate text (secret-redacted).
    pub text: String,
    pub reason: String,
    /// The instruction directive that withheld it, when instructions did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directive: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// A store file the curator does not read item by item (not Markdown or text): carried into the
/// draft with every secret redacted, and listed so nothing crosses silently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UncuratedDocument {
    pub path: String,
    /// How many secrets were redacted in the copy.
    pub secrets_redacted: usize,
}

/// A transcript that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkippedSession {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub input_documents: usize,
    pub input_items: usize,
    pub output_documents: usize,
    pub output_items: usize,
    pub sessions_read: usize,
    pub sessions_skipped: Vec<SkippedSession>,
    /// Store files carried over without curation (redacted), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncurated_documents: Vec<UncuratedDocument>,
    pub events_read: usize,
    /// Count of changes by op, e.g. `{"add": 3, "keep": 10}`.
    pub changes_by_op: std::collections::BTreeMap<String, usize>,
    /// Count of changes by kind.
    pub changes_by_kind: std::collections::BTreeMap<String, usize>,
}

/// Token usage of model-backed curation (all zero for the built-in curator).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_creation_input_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
        self.cache_creation_input_tokens += other.cache_creation_input_tokens;
    }
}

/// How a model pass ran: what was sent, how the server answered, how long it took, and how
/// many proposals verification let through. Written for whoever checks a dream against a real
/// server (`scripts/local-model-check` reads it); why each proposal was refused is in
/// [`Report::rejected`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelPassSummary {
    /// `provider:model`.
    pub model: String,
    /// `complete`, `partial` (some work units kept the built-in decision because their call
    /// failed) or `failed` (no unit was answered).
    pub status: String,
    /// How answers were asked for: `tool_use` (Anthropic), or for OpenAI-compatible servers
    /// `json_schema`, `json_object` (with the schema) or `prompt` (plain JSON, the schema in
    /// the prompt), whichever the server accepted. None when nothing was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<String>,
    pub work_units: usize,
    /// Units answered from the response cache (no request).
    pub cached: usize,
    /// Units sent to the model.
    pub sent: usize,
    /// HTTP requests made: answers, retries and rejected response formats included.
    pub requests: usize,
    /// Answers received (a malformed answer asked again counts twice).
    pub answers: usize,
    /// Requests sent again after a 429, 5xx, timeout or connection error.
    pub retries: usize,
    /// Requests the server refused because of their response format (each is then sent again
    /// in the next form).
    pub format_rejections: usize,
    pub failed: usize,
    pub malformed: usize,
    pub over_budget: usize,
    /// Proposed operations that passed verification (and were applied).
    pub verified: usize,
    /// Proposed operations refused, malformed answers included.
    pub rejected: usize,
    /// From the first request sent to the last answer.
    pub elapsed_ms: u64,
    /// Per answer received, from sending to the answer (retries included).
    pub latency_ms_mean: u64,
    pub latency_ms_max: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DreamStatus {
    Completed,
    Failed,
}

/// How the dream understood its instructions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionsSummary {
    /// Categories and topics the dream focused on (new memories outside them were not added).
    pub focus: Vec<String>,
    /// Categories and topics the dream ignored (matching items dropped).
    pub ignore: Vec<String>,
}

/// An operation a model proposed that the engine refused, and why. It never reached the draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedOperation {
    /// The operation as the model sent it.
    pub operation: serde_json::Value,
    pub reason: String,
    /// The work unit it was proposed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub status: DreamStatus,
    /// Which curator ran (`builtin`, or `provider:model`).
    pub curator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub stats: Stats,
    pub usage: Usage,
    /// `usage` priced with the model's entry in the price table (model-backed curation with a
    /// known price only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_cost_usd: Option<f64>,
    /// How the model pass ran (model-backed curation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_pass: Option<ModelPassSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<InstructionsSummary>,
    pub changes: Vec<Change>,
    /// Candidates not written, with the reason (not well-formed, about one task only, harness
    /// text, withheld by the instructions, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedItem>,
    /// Model-proposed operations the engine refused (model-backed curation only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedOperation>,
    /// Remarks about how the dream ran, e.g. a token budget that ran out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    /// A report for a dream that could not run.
    pub fn failed(curator: &str, error: String, stats: Stats) -> Report {
        Report {
            status: DreamStatus::Failed,
            curator: curator.to_string(),
            error: Some(error),
            stats,
            usage: Usage::default(),
            estimated_cost_usd: None,
            model_pass: None,
            instructions: None,
            changes: Vec::new(),
            skipped: Vec::new(),
            rejected: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Fills the per-op and per-kind counts from the changes, and gives every change its id
    /// (a change identical to an earlier one gets `-2`, `-3`, … after it).
    pub fn count_changes(&mut self) {
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for change in &mut self.changes {
            let id = change.stable_id();
            let count = seen.entry(id.clone()).or_insert(0);
            *count += 1;
            change.id = if *count == 1 {
                id
            } else {
                format!("{id}-{count}")
            };
        }
        self.stats.changes_by_op.clear();
        self.stats.changes_by_kind.clear();
        for change in &self.changes {
            let op = serde_json::to_value(change.op)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            *self.stats.changes_by_op.entry(op).or_default() += 1;
            *self
                .stats
                .changes_by_kind
                .entry(change.kind.as_str().to_string())
                .or_default() += 1;
        }
    }
}
