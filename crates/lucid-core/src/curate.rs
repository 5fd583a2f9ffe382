//! The built-in, deterministic curator: store + session digests + instructions → draft + report.
//!
//! Steps, in order (each recorded in the report with evidence):
//! 1. read the store into items; items carrying secrets or injected instructions are flagged;
//! 2. replay the sessions' memory writes in time order (the freshest statements of fact);
//! 3. add candidates from sessions: user preferences and facts, recurring workarounds, workflows;
//! 4. apply the instructions (ignore / focus);
//! 5. merge duplicates (an exact similarity join, then the duplicate rule of [`crate::text`]);
//! 6. resolve contradictions: for the same subject with a different value, the newest wins;
//! 7. set scopes (team when two or more agents support an item) and write documents back.
//!
//! The input store is only read. Output is a function of the inputs alone (no clock, no
//! randomness, deterministic ordering everywhere), so identical inputs give identical drafts.
//!
//! This module holds the pipeline, the item model and the small filtering steps (instructions,
//! unconfirmed facts); the larger stages live in child modules: `store_changes` (step 2, with
//! announced changes and retired facts), `candidates` (step 3), `merge` (step 5),
//! `contradictions` (step 6), `render` (step 7 and the report's changes) and `kind` (an item's
//! kind from its path, headings and wording).

use std::collections::BTreeSet;

use crate::digest::SessionDigest;
use crate::instructions::{self, Directives, MAX_INSTRUCTIONS_CHARS};
use crate::markdown::{self, Block, ItemStyle};
use crate::model::{Store, Timestamp};
use crate::report::{
    Change, DreamStatus, Evidence, Kind, Op, Report, Scope, SkippedItem, SkippedSession, Stats,
    Usage,
};
use crate::text::{self, Analysis};

mod candidates;
mod contradictions;
mod kind;
mod merge;
mod render;
mod store_changes;
#[cfg(test)]
mod test_support;

pub use kind::infer_kind;
pub use render::{default_path, scope_of_path, title_for};

/// Errors that refuse a dream before it starts. A refused dream writes nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DreamError {
    /// The instructions are longer than [`MAX_INSTRUCTIONS_CHARS`] characters.
    #[error("instructions are {chars} characters long; the limit is {MAX_INSTRUCTIONS_CHARS}")]
    InstructionsTooLong {
        /// Their length in characters (Unicode scalar values, not bytes).
        chars: usize,
    },
    /// The [`DreamObserver`] asked to stop; nothing is written.
    #[error("the dream was canceled")]
    Canceled,
}

/// A step of the curation pipeline, reported to a [`DreamObserver`] as it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The input store is read into items; items holding secrets or injected instructions are
    /// flagged (detail: the number of documents).
    ReadingStore,
    /// Memory writes are replayed in time order, then announced changes, deleted files and removed
    /// settings, and what people said is gone (detail: the number of writes).
    ReplayingMemoryWrites,
    /// Sessions' statements, pitfalls and workflows become candidate items (detail: the number of
    /// sessions).
    CollectingCandidates,
    /// Ignore directives apply, unconfirmed facts whose subject no confirmed item has are
    /// dropped, and only the newest session value per subject goes on (detail: the number of
    /// focus and ignore directives).
    ApplyingInstructions,
    /// Duplicates are merged (detail: live candidates and how many of them are unconfirmed facts).
    Merging,
    /// Contradictions are resolved (newest wins), unconfirmed items dropped and focus applied (no
    /// detail).
    Superseding,
    /// The draft and the report are rendered (detail: the number of flags).
    Writing,
}

impl Stage {
    /// The snake_case name (`reading_store` …) that `lucid dream --verbose` prints with each
    /// stage's time.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::ReadingStore => "reading_store",
            Stage::ReplayingMemoryWrites => "replaying_memory_writes",
            Stage::CollectingCandidates => "collecting_candidates",
            Stage::ApplyingInstructions => "applying_instructions",
            Stage::Merging => "merging",
            Stage::Superseding => "superseding",
            Stage::Writing => "writing",
        }
    }
}

/// Watches a dream: hears each stage as it starts (with a one-line detail), and can cancel it
/// between stages. The service uses this to narrate a dream as session events and to stop a
/// canceled dream promptly.
pub trait DreamObserver {
    /// Called as each stage starts, with a one-line detail (counts such as `12 documents`, or
    /// empty); does nothing unless overridden.
    fn stage(&mut self, _stage: Stage, _detail: &str) {}
    /// Asked before each stage; `true` stops the dream with [`DreamError::Canceled`]. Never cancels
    /// unless overridden.
    fn canceled(&self) -> bool {
        false
    }
}

/// An observer that watches nothing.
pub struct NoObserver;

impl DreamObserver for NoObserver {}

/// Options of a dream.
#[derive(Debug, Clone)]
pub struct DreamOptions {
    /// The dream's free-text instructions (focus and ignore directives, at most
    /// [`MAX_INSTRUCTIONS_CHARS`] characters); `None` curates everything.
    pub instructions: Option<String>,
    /// Name of the curator, recorded in the report.
    pub curator: String,
    /// Secret patterns (for store items) and trusted tools.
    pub safety: crate::policy::SafetyPolicy,
}

impl Default for DreamOptions {
    fn default() -> Self {
        DreamOptions {
            instructions: None,
            curator: "builtin".to_string(),
            safety: crate::policy::SafetyPolicy::default(),
        }
    }
}

/// Checks instructions against the limit.
pub fn validate_instructions(instructions: &str) -> Result<(), DreamError> {
    let chars = instructions.chars().count();
    if chars > MAX_INSTRUCTIONS_CHARS {
        return Err(DreamError::InstructionsTooLong { chars });
    }
    Ok(())
}

/// The result of a dream.
#[derive(Debug, Clone, PartialEq)]
pub struct DreamOutput {
    /// The curated store to review and promote; the input store is never changed.
    pub draft: Store,
    /// What changed and why, with evidence, counts and skipped sessions and items.
    pub report: Report,
}

/// Where an item lives in the input store: document and block index.
type Location = (usize, usize);

#[derive(Debug, Clone, PartialEq)]
enum State {
    Live,
    MergedInto(usize),
    SupersededBy(usize),
    Removed {
        reason: String,
        evidence: Vec<Evidence>,
    },
    /// Dropped before it ever became a memory (out of focus, unconfirmed, ignored).
    Dropped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Store,
    MemoryWrite,
    Session,
}

#[derive(Debug, Clone)]
struct Memory {
    text: String,
    style: Option<ItemStyle>,
    kind: Kind,
    origin: Origin,
    /// The store position this memory occupies in the draft, if any.
    location: Option<Location>,
    /// Target document for memories without a location (memory writes name it).
    path: Option<String>,
    headings: Vec<String>,
    evidence: Vec<Evidence>,
    agents: BTreeSet<String>,
    /// Agents whose *trusted* events support this memory: team scope needs two of them.
    trusted_agents: BTreeSet<String>,
    sessions: BTreeSet<String>,
    at: Option<Timestamp>,
    /// Tie-breaker for recency: input order (store order, then session time order).
    seq: usize,
    analysis: Analysis,
    /// A one-session fact that is kept only if it confirms or updates an existing memory.
    provisional: bool,
    verbatim: bool,
    /// A conversation episode: kept as it is, never merged or superseded.
    episodic: bool,
    /// An instruction without a standing marker: written only when two sessions say it.
    needs_repetition: bool,
    /// Every statement of it was said in a task brief that assigns the agent a role.
    from_brief: bool,
    /// Why a dropped candidate was not written, for the report's `skipped` list.
    skip_note: Option<SkipNote>,
    state: State,
    merged_texts: Vec<String>,
    merged_store_items: usize,
    superseded_texts: Vec<String>,
    notes: Vec<String>,
    /// Why the report says a pattern was added, when its kind does not tell.
    found_as: Option<&'static str>,
    /// A person announced it as a change ("we now deploy on Tuesdays"): it may give a
    /// differently worded item about the same thing a new value of a closed set.
    announced_change: bool,
}

impl Memory {
    fn new(text: String, kind: Kind, origin: Origin, seq: usize) -> Memory {
        let analysis = text::analyze(&text);
        Memory {
            text,
            style: None,
            kind,
            origin,
            location: None,
            path: None,
            headings: Vec::new(),
            evidence: Vec::new(),
            agents: BTreeSet::new(),
            trusted_agents: BTreeSet::new(),
            sessions: BTreeSet::new(),
            at: None,
            seq,
            analysis,
            provisional: false,
            verbatim: false,
            episodic: false,
            needs_repetition: false,
            from_brief: false,
            skip_note: None,
            announced_change: false,
            state: State::Live,
            merged_texts: Vec::new(),
            merged_store_items: 0,
            superseded_texts: Vec::new(),
            notes: Vec::new(),
            found_as: None,
        }
    }

    fn is_live(&self) -> bool {
        self.state == State::Live
    }

    /// Drops a candidate from sessions, or removes a store item, because the instructions say
    /// to ignore what `target` names; the report cites the directive.
    fn ignore_as_instructed(&mut self, target: &str) {
        self.state = match self.origin {
            Origin::Session => {
                self.skip_note = Some(SkipNote {
                    reason: "the instructions say to ignore it".to_string(),
                    directive: Some(format!("ignore {target}")),
                });
                State::Dropped
            }
            Origin::Store | Origin::MemoryWrite => State::Removed {
                reason: format!("instructions say to ignore {target}"),
                evidence: self.evidence.clone(),
            },
        };
    }

    /// A live item that came from the store or a memory write (not a session candidate, an
    /// episode or verbatim text): what announced changes and deleted files may update.
    fn is_updatable_store_item(&self) -> bool {
        self.is_live() && !self.episodic && !self.verbatim && self.origin != Origin::Session
    }

    /// True as of a time after `at` (items without a time are older than any session).
    fn newer_than(&self, at: Option<Timestamp>) -> bool {
        matches!((self.at, at), (Some(item), Some(at)) if item > at)
    }

    /// Recency order: anything dated after anything undated, then time, then input order.
    fn recency(&self) -> (bool, Option<Timestamp>, usize) {
        (self.at.is_some(), self.at, self.seq)
    }
}

/// Why a candidate was not written, and the instruction directive that withheld it, if any.
#[derive(Debug, Clone, PartialEq)]
struct SkipNote {
    reason: String,
    directive: Option<String>,
}

/// A slot's subject: its words and its identifiers.
type SlotKey = (Vec<String>, Vec<String>);

struct DocState {
    path: String,
    original: String,
    updated_at: Option<Timestamp>,
    /// `None` for documents lucid does not curate (not Markdown/text): copied as they are.
    blocks: Option<Vec<Block>>,
    deleted: bool,
}

/// Runs the built-in curator.
pub fn dream(
    store: &Store,
    digests: Vec<SessionDigest>,
    skipped: Vec<SkippedSession>,
    options: &DreamOptions,
) -> Result<DreamOutput, DreamError> {
    dream_observed(store, digests, skipped, options, &mut NoObserver)
}

/// Runs the built-in curator, telling `observer` about each stage and stopping with
/// [`DreamError::Canceled`] when it asks.
pub fn dream_observed(
    store: &Store,
    mut digests: Vec<SessionDigest>,
    skipped: Vec<SkippedSession>,
    options: &DreamOptions,
    observer: &mut dyn DreamObserver,
) -> Result<DreamOutput, DreamError> {
    let directives = match &options.instructions {
        Some(text) => {
            validate_instructions(text)?;
            instructions::parse(text)
        }
        None => Directives::default(),
    };
    // Sessions in time order (then by id) so "newest wins" and every tie is deterministic.
    digests.sort_by(|a, b| {
        (a.last_at, &a.session, &a.source).cmp(&(b.last_at, &b.session, &b.source))
    });

    let mut curator = Curator {
        docs: Vec::new(),
        memories: Vec::new(),
        flags: Vec::new(),
        skipped: Vec::new(),
        dropped_out_of_focus: 0,
        limits: crate::thresholds::Thresholds::default(),
        absorbed_keys: std::collections::HashSet::new(),
        outdated_keys: std::collections::HashSet::new(),
        safety: options.safety.clone(),
        uncurated: Vec::new(),
        project_of_session: digests
            .iter()
            .filter_map(|d| Some((d.session.clone(), d.project.clone()?)))
            .collect(),
    };
    let mut step = |stage: Stage, detail: String| -> Result<(), DreamError> {
        if observer.canceled() {
            return Err(DreamError::Canceled);
        }
        observer.stage(stage, &detail);
        Ok(())
    };
    step(
        Stage::ReadingStore,
        format!("{} documents", store.documents.len()),
    )?;
    curator.load_store(store, &options.safety);
    let writes: usize = digests.iter().map(|d| d.memory_ops.len()).sum();
    step(
        Stage::ReplayingMemoryWrites,
        format!("{writes} memory writes"),
    )?;
    curator.replay_memory_writes(&digests);
    curator.apply_announced_changes(&digests);
    curator.apply_module_path_moves(&digests);
    curator.retire_facts_about_deleted_files(&digests);
    curator.retire_facts_about_removed_settings(&digests);
    curator.retire_what_people_said_is_gone(&digests);
    step(
        Stage::CollectingCandidates,
        format!("{} sessions", digests.len()),
    )?;
    curator.add_session_candidates(&digests);
    curator.apply_retractions(&digests);
    step(
        Stage::ApplyingInstructions,
        format!(
            "{} directives",
            directives.focus.len() + directives.ignore.len()
        ),
    )?;
    curator.apply_directives(&directives);
    curator.prune_unconfirmable();
    curator.update_what_earlier_sessions_said(&digests);
    curator.keep_newest_session_values();
    let live = curator.memories.iter().filter(|m| m.is_live()).count();
    let provisional = curator
        .memories
        .iter()
        .filter(|m| m.is_live() && m.provisional)
        .count();
    step(
        Stage::Merging,
        format!("{live} candidate items, {provisional} of them unconfirmed facts"),
    )?;
    curator.merge_duplicates();
    step(Stage::Superseding, String::new())?;
    curator.resolve_contradictions();
    curator.drop_unconfirmed();
    curator.apply_focus(&directives);
    step(Stage::Writing, format!("{} flags", curator.flags.len()))?;
    let (draft, output_items) = curator.render();

    let mut stats = Stats {
        input_documents: store.documents.len(),
        input_items: curator
            .memories
            .iter()
            .filter(|m| m.origin == Origin::Store)
            .count(),
        output_documents: draft.documents.len(),
        output_items,
        sessions_read: digests.len(),
        sessions_skipped: skipped,
        uncurated_documents: std::mem::take(&mut curator.uncurated),
        events_read: digests.iter().map(|d| d.events).sum(),
        ..Stats::default()
    };
    stats.sessions_skipped.sort();
    let mut report = Report {
        status: DreamStatus::Completed,
        curator: options.curator.clone(),
        error: None,
        stats,
        usage: Usage::default(),
        estimated_cost_usd: None,
        model_pass: None,
        instructions: options.instructions.as_ref().map(|_| directives.summary()),
        changes: curator.changes(),
        skipped: curator.skipped_items(),
        rejected: Vec::new(),
        notes: Vec::new(),
    };
    report.count_changes();
    Ok(DreamOutput { draft, report })
}

struct Curator {
    docs: Vec<DocState>,
    memories: Vec<Memory>,
    flags: Vec<Change>,
    /// Candidates not written, with the reason (filled as the pipeline goes).
    skipped: Vec<SkippedItem>,
    dropped_out_of_focus: usize,
    limits: crate::thresholds::Thresholds,
    /// Sentences whose announced change was applied to an item (they are not added again).
    absorbed_keys: std::collections::HashSet<u64>,
    /// Sentences announcing a change older than the item it would change (not added).
    outdated_keys: std::collections::HashSet<u64>,
    /// The dream's safety policy (redaction of files carried over uncurated).
    safety: crate::policy::SafetyPolicy,
    /// Store files carried over without item-by-item curation.
    uncurated: Vec<crate::report::UncuratedDocument>,
    /// The project (starting directory) of each session that records one, by session id.
    project_of_session: std::collections::HashMap<String, String>,
}

/// Documents lucid curates item by item; other files are copied untouched.
fn is_curatable(path: &str) -> bool {
    let name = crate::tools::file_name(path).to_ascii_lowercase();
    match name.rsplit_once('.') {
        None => true,
        // `.mdc`: Cursor's rule files (Markdown with front matter).
        Some((_, ext)) => matches!(ext, "md" | "markdown" | "txt" | "mdx" | "mdc"),
    }
}

impl Curator {
    fn load_store(&mut self, store: &Store, policy: &crate::policy::SafetyPolicy) {
        for document in &store.documents {
            let doc_index = self.docs.len();
            let curatable = is_curatable(&document.path);
            let blocks = curatable.then(|| markdown::parse_blocks(&document.content));
            if let Some(blocks) = &blocks {
                for (block_index, block) in blocks.iter().enumerate() {
                    let Block::Item(item) = block else { continue };
                    let seq = self.memories.len();
                    let kind = infer_kind(&item.text, &document.path, &item.headings);
                    let mut memory = Memory::new(item.text.clone(), kind, Origin::Store, seq);
                    memory.style = Some(item.style.clone());
                    memory.location = Some((doc_index, block_index));
                    memory.path = Some(document.path.clone());
                    memory.headings = item.headings.clone();
                    // As of when the content was true, never when it was stored.
                    memory.at = document.as_of;
                    memory.verbatim = matches!(item.style, ItemStyle::Verbatim);
                    memory.evidence.push(Evidence::Store {
                        store_path: document.path.clone(),
                    });
                    if let Some(reason) = unsafe_reason(&item.text, policy) {
                        self.flags.push(Change {
                            id: String::new(),
                            op: Op::Flag,
                            kind,
                            scope: scope_of_path(&document.path).0,
                            agent: scope_of_path(&document.path).1,
                            path: None,
                            text: excerpt(&policy.redact(&item.text).text),
                            replaces: Vec::new(),
                            superseded: Vec::new(),
                            reason: format!("store item {reason}; removed from the draft"),
                            evidence: memory.evidence.clone(),
                        });
                        memory.state = State::Dropped;
                    }
                    self.memories.push(memory);
                }
            }
            self.docs.push(DocState {
                path: document.path.clone(),
                original: document.content.clone(),
                updated_at: document.updated_at,
                blocks,
                deleted: false,
            });
        }
    }

    fn path_of(&self, memory: &Memory) -> Option<String> {
        match memory.location {
            Some((doc, _)) => Some(self.docs[doc].path.clone()),
            None => memory.path.clone(),
        }
    }

    fn apply_directives(&mut self, directives: &Directives) {
        if directives.is_empty() {
            return;
        }
        for memory in &mut self.memories {
            if !memory.is_live() || memory.verbatim {
                continue;
            }
            if let Some(target) = directives.ignores(memory.kind, &memory.text, &memory.analysis) {
                memory.ignore_as_instructed(&target);
            }
        }
    }

    /// Unconfirmed facts (one session, not announced as news, or said by the agent) can only
    /// update a confirmed item, by giving its subject a new value. Those whose subject no
    /// confirmed fact or preference has can do nothing, and are dropped before the expensive
    /// steps.
    fn prune_unconfirmable(&mut self) {
        let mut subjects = std::collections::HashSet::new();
        let confirmed = |m: &Memory| {
            m.is_live()
                && !m.provisional
                && !m.verbatim
                && !m.episodic
                && matches!(m.kind, Kind::Fact | Kind::Preference)
        };
        for memory in self.memories.iter().filter(|m| confirmed(m)) {
            if let Some(slot) = text::slot(&memory.text) {
                subjects.insert((slot.subject, slot.subject_anchors));
            }
        }
        for memory in &mut self.memories {
            if !memory.is_live() || !memory.provisional {
                continue;
            }
            let shares_subject = text::slot(&memory.text)
                .is_some_and(|slot| subjects.contains(&(slot.subject, slot.subject_anchors)));
            if !shares_subject {
                memory.drop_unconfirmed_fact();
            }
        }
    }

    /// Focus limits what is *added*: a new memory outside the focus is dropped, but an update to
    /// an existing memory (a newer value, a confirmation) is kept whatever the focus, because a
    /// stale store is wrong in every focus.
    /// Applies what needs each item's scope, known only now that duplicates have merged (an
    /// item two agents state is the team's): directives about one scope ("skip agent-specific
    /// preferences"), and the focus.
    fn apply_focus(&mut self, directives: &Directives) {
        if directives.is_empty() {
            return;
        }
        // A memory's scope follows from its path and agents, not from its state: computed once.
        let scopes: Vec<Scope> = self.memories.iter().map(|m| self.scope(m).0).collect();
        for (memory, &scope) in self.memories.iter_mut().zip(&scopes) {
            if !memory.is_live() || memory.verbatim {
                continue;
            }
            if let Some(target) =
                directives.ignores_in_scope(memory.kind, &memory.text, &memory.analysis, scope)
            {
                memory.ignore_as_instructed(&target);
            }
        }
        if directives.focus.is_empty() {
            return;
        }
        for (memory, scope) in self.memories.iter_mut().zip(scopes) {
            let new_memory = memory.origin == Origin::Session
                && !memory.episodic
                && memory.location.is_none()
                && memory.superseded_texts.is_empty();
            if memory.is_live()
                && new_memory
                && !directives.in_focus_in_scope(memory.kind, &memory.text, &memory.analysis, scope)
            {
                memory.state = State::Dropped;
                memory.skip_note = Some(SkipNote {
                    reason: "outside the focus the instructions ask for".to_string(),
                    directive: Some(format!(
                        "focus on {}",
                        directives.summary().focus.join(", ")
                    )),
                });
                self.dropped_out_of_focus += 1;
            }
        }
    }

    /// One-session facts that neither confirmed nor updated anything are not memories yet.
    fn drop_unconfirmed(&mut self) {
        for memory in &mut self.memories {
            if memory.is_live()
                && (memory.provisional || memory.needs_repetition)
                && memory.from_brief
            {
                memory.state = State::Dropped;
                memory.skip_note = Some(SkipNote {
                    reason: "said in one session, in a task brief that assigns the agent a role \
                             (\"You are …\"): it is for that dispatch unless another session \
                             says it too"
                        .to_string(),
                    directive: None,
                });
            } else if memory.is_live() && memory.provisional {
                memory.drop_unconfirmed_fact();
            } else if memory.is_live() && memory.needs_repetition {
                memory.state = State::Dropped;
                memory.skip_note = Some(SkipNote {
                    reason: "an instruction said in one session without a standing marker \
                             (\"always\", \"from now on\", \"in this repo\"): it may be for that \
                             task only"
                        .to_string(),
                    directive: None,
                });
            }
        }
    }
}

impl Memory {
    /// Leaves out a fact a person stated once without marking it durable, which confirmed and
    /// updated nothing: the gate is unsure of it, so the report shows it with why (a reviewer,
    /// or the model pass, may still keep it).
    fn drop_unconfirmed_fact(&mut self) {
        self.state = State::Dropped;
        if self.origin == Origin::Session && !self.episodic && self.skip_note.is_none() {
            self.skip_note = Some(SkipNote {
                reason: "stated once as a plain fact (no \"remember that\", \"from now on\" or \
                         \"we use\") and it confirmed or updated no memory: not kept unless \
                         another session states it too"
                    .to_string(),
                directive: None,
            });
        }
    }
}

fn sorted_evidence(evidence: &[Evidence]) -> Vec<Evidence> {
    let mut out = evidence.to_vec();
    out.sort();
    out.dedup();
    out
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Why a store item must not be carried into the draft, if it must not.
fn unsafe_reason(text: &str, policy: &crate::policy::SafetyPolicy) -> Option<String> {
    if let Some(secret) = policy.redact(text).findings.first() {
        return Some(format!("contains a secret ({})", secret.kind));
    }
    crate::digest::trusted_text_injection(text)
        .map(|finding| format!("looks like an injected instruction ({})", finding.reason))
}

#[cfg(test)]
mod tests {
    use super::is_curatable;

    #[test]
    fn markdown_documents_are_curated_and_other_files_copied() {
        for path in [
            "/notes.md",
            "/rules/architecture.mdc",
            "/docs/guide.MDX",
            "/memory.txt",
            "/README",
        ] {
            assert!(is_curatable(path), "{path}");
        }
        for path in ["/config.json", "/schema.yaml", "/logo.png"] {
            assert!(!is_curatable(path), "{path}");
        }
    }
}
