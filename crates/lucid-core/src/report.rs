//! The dream report: what the curator changed and why, with evidence for every change.
//!
//! The report is part of the dream's output and must be deterministic: identical inputs give a
//! byte-identical report, so it holds no wall-clock times.

use serde::{Deserialize, Serialize};

use crate::model::Trust;

/// What a change did to an item (`op` in the report JSON). Changes are listed in this order within
/// a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A new item in the draft: a replayed memory write, or what sessions support (a standing
    /// instruction, a confirmed fact, a recurring pitfall or workflow, an episode).
    Add,
    /// An item that duplicates were merged into, in the clearest wording (the built-in curator
    /// merges store items; a model may merge any); `replaces` lists the merged texts.
    Merge,
    /// An item that holds a newer value than the items it replaces (listed in `superseded`); those
    /// leave the draft.
    Supersede,
    /// An item taken out of the draft, for example deleted or rewritten by a memory write,
    /// retired, stale after a deleted file or setting, ignored by the instructions, or dropped by
    /// a model on a ground the engine checked; `text` is the removed item and `path` is null.
    Remove,
    /// A store item carried over unchanged; `reason` names the sessions that confirmed it, if any.
    Keep,
    /// Something refused and never written, shown for review: a secret, injected instructions, a
    /// memory write not applied, or a workaround that switches a safety measure off. `text` is
    /// redacted and `path` is null.
    Flag,
}

/// What kind of memory an item is (`kind` in the report JSON); new items are filed in the kind's
/// document (`facts.md`, `pitfalls.md` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A durable fact or decision about the project (a host, a version, who owns what).
    Fact,
    /// A standing instruction on how to work ("always …", "never …", a convention).
    Preference,
    /// A failure that recurs with the same tool, and what fixed it.
    Pitfall,
    /// A sequence of steps that recurs in successful sessions, or the step most sessions end with.
    Workflow,
    /// A lesson or observation that is none of the above: a store item under an "insights" path
    /// or heading, or one a model proposed.
    Insight,
}

impl Kind {
    /// The snake_case name used in the report JSON and in `changes_by_kind` (`fact`, `pitfall` …).
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

/// Whose memory an item is (`scope` in the report JSON), which decides where a new item is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One agent's: its documents are under `/agents/<agent>/`, and `agent` names it.
    Agent,
    /// The team's: any document outside `/agents/`. An item a dream adds from sessions is the
    /// team's only with trusted evidence from two or more agents.
    Team,
}

/// Where a change's support comes from: an event of a session, or a document of the input store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Evidence {
    /// An event of a session; in JSON, an object with `session`, `event`, `at` and `trust`.
    Event {
        /// The id of the session the event belongs to.
        session: String,
        /// The event's position in its session, counted from 0.
        event: usize,
        /// When the event happened, RFC 3339 in UTC (`2026-03-02T10:15:00Z`); null when the
        /// transcript has no times.
        at: Option<String>,
        /// `trusted` (what a person typed, the agent's own actions, results of trusted tools) or
        /// `untrusted` (tool output, pasted or harness text, or a session marked untrusted).
        trust: Trust,
    },
    /// A document of the input store; in JSON, an object with `store_path` alone.
    Store {
        /// The document's path in the input store (`/team/facts.md`).
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
    /// What happened to the item: `add`, `merge`, `supersede`, `remove`, `keep` or `flag`.
    pub op: Op,
    /// The item's kind. A flag raised in a session has `preference` when its text was refused as
    /// instruction-like (a possible injection), `fact` when for a secret or an invalid or
    /// untrusted memory write.
    pub kind: Kind,
    /// `agent` when the item is (or was) in one agent's documents, else `team`.
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
    /// Why, in words: the rule that decided and its support ("standing instruction from users; seen
    /// in 2 sessions by 2 agents (a, b)").
    pub reason: String,
    /// The session events and input-store documents that support the change, sorted.
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
    /// The kind the candidate would have had.
    pub kind: Kind,
    /// The candidate text (secret-redacted).
    pub text: String,
    /// Why it was left out, in words ("outside the focus the instructions ask for" …).
    pub reason: String,
    /// The instruction directive that withheld it, when instructions did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directive: Option<String>,
    /// The events (or store documents) it came from.
    pub evidence: Vec<Evidence>,
}

/// A store file the curator does not read item by item (not Markdown or text): carried into the
/// draft with every secret redacted, and listed so nothing crosses silently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UncuratedDocument {
    /// The document's path, the same in the input store and in the draft.
    pub path: String,
    /// How many secrets were redacted in the copy.
    pub secrets_redacted: usize,
}

/// A transcript that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkippedSession {
    /// The transcript's file path, or the stored session's id in a service dream.
    pub path: String,
    /// Why it was not used, in words (quarantined, not a transcript, unreadable …).
    pub reason: String,
}

impl SkippedSession {
    /// Runs the import and digest of one session, turning a panic — a bug in lucid tripped by
    /// this transcript — into a skip of that session with the panic's message, so one odd file
    /// costs one session and never the whole dream. (The default hook still prints the panic,
    /// which is what a bug report needs.)
    pub fn on_panic<T>(
        path: &str,
        work: impl FnOnce() -> Result<T, SkippedSession>,
    ) -> Result<T, SkippedSession> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|m| m.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string());
            Err(SkippedSession {
                path: path.to_string(),
                reason: format!(
                    "lucid failed on this transcript (a bug; please report it with the file): {message}"
                ),
            })
        })
    }
}

/// Counts of what the dream read and wrote (`stats` in the report JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Documents in the input store, curated or not.
    pub input_documents: usize,
    /// Items (list entries, paragraphs, verbatim blocks) read from the input store's Markdown and
    /// text documents.
    pub input_items: usize,
    /// Documents in the draft, uncurated files included.
    pub output_documents: usize,
    /// Items in the draft's curated documents.
    pub output_items: usize,
    /// Sessions the curator read (digested and not skipped).
    pub sessions_read: usize,
    /// Transcripts or sessions that could not be used, and why, sorted by path; also the
    /// garbled lines left out of a transcript read without them (`path (line N)`).
    pub sessions_skipped: Vec<SkippedSession>,
    /// Store files carried over without curation (redacted), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncurated_documents: Vec<UncuratedDocument>,
    /// Events of the sessions read, of every kind.
    pub events_read: usize,
    /// Count of changes by op, e.g. `{"add": 3, "keep": 10}`.
    pub changes_by_op: std::collections::BTreeMap<String, usize>,
    /// Count of changes by kind.
    pub changes_by_kind: std::collections::BTreeMap<String, usize>,
}

/// Token usage of model-backed curation (all zero for the built-in curator).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens billed at the full input price: prompt-cache reads are counted apart (for
    /// OpenAI-compatible servers they are subtracted from the prompt tokens).
    pub input_tokens: u64,
    /// Tokens the model generated.
    pub output_tokens: u64,
    /// Input tokens read from the provider's prompt cache.
    pub cache_read_input_tokens: u64,
    /// Input tokens written to the provider's prompt cache (Anthropic only; always 0 for
    /// OpenAI-compatible servers).
    pub cache_creation_input_tokens: u64,
}

impl Usage {
    /// Adds another request's counts to these, field by field.
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
    /// Work units planned from the built-in result: item units, then session units.
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
    /// Units whose call failed or was not answered by the deadline; they keep the built-in
    /// decision.
    pub failed: usize,
    /// Units whose answer held no list of operations, also when asked again.
    pub malformed: usize,
    /// Units not sent because the token budget was spent; they keep the built-in decision.
    pub over_budget: usize,
    /// Proposed operations that passed verification (and were applied).
    pub verified: usize,
    /// Proposed operations refused, malformed answers included.
    pub rejected: usize,
    /// From the first request sent to the last answer.
    pub elapsed_ms: u64,
    /// Per answer received, from sending to the answer (retries included).
    pub latency_ms_mean: u64,
    /// The slowest answer, in milliseconds (0 when none was received).
    pub latency_ms_max: u64,
}

/// Whether the dream produced a draft (`status` in the report JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DreamStatus {
    /// The dream ran; its draft can be reviewed and promoted.
    Completed,
    /// No draft was written: no session was usable, or a model the dream required never answered.
    /// `error` says why.
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
    /// Why the engine refused it (the check that failed, or why the answer was malformed).
    pub reason: String,
    /// The work unit it was proposed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_unit: Option<String>,
}

/// The dream report: what the curator changed and why, with evidence for every change, and counts.
/// Serialised, it is the dream's report JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `completed`, or `failed` when no draft was written.
    pub status: DreamStatus,
    /// Which curator ran (`builtin`, or `provider:model`).
    pub curator: String,
    /// Why the dream failed; absent when it completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Counts of documents, items, sessions and events read and written, and of changes by op and
    /// kind.
    pub stats: Stats,
    /// Tokens the model pass used, summed over its requests (all zero for the built-in curator).
    pub usage: Usage,
    /// `usage` priced with the model's entry in the price table (model-backed curation with a
    /// known price only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_cost_usd: Option<f64>,
    /// How the model pass ran (model-backed curation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_pass: Option<ModelPassSummary>,
    /// The focus and ignore directives understood from the dream's instructions; absent when it had
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<InstructionsSummary>,
    /// Every change and flag, sorted by draft path (changes without a path last), then op, then
    /// text.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_a_session_skips_that_session_with_the_message() {
        let skipped = SkippedSession::on_panic("s1.jsonl", || -> Result<(), SkippedSession> {
            panic!("index 10 is not a char boundary")
        });
        let skip = skipped.expect_err("the panic is a skip");
        assert_eq!(skip.path, "s1.jsonl");
        assert!(
            skip.reason.contains("a bug") && skip.reason.contains("not a char boundary"),
            "{}",
            skip.reason
        );
        let fine = SkippedSession::on_panic("s2.jsonl", || Ok::<_, SkippedSession>(7));
        assert_eq!(fine, Ok(7));
    }
}
