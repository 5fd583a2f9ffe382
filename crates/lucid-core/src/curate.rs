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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::digest::{MemoryOp, SessionDigest, StatementClass, is_temporary};
use crate::instructions::{self, Directives, MAX_INSTRUCTIONS_CHARS};
use crate::join::{Interner, similar_pairs};
use crate::markdown::{self, Block, ItemStyle, MarkdownItem};
use crate::model::{MemoryCommand, Store, StoreDocument, Timestamp};
use crate::patterns;
use crate::report::{
    Change, DreamStatus, Evidence, Kind, Op, Report, Scope, SkippedItem, SkippedSession, Stats,
    Usage,
};
use crate::text::{self, Analysis};

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

/// Orders session events of several digests by their time, then session and position (so
/// memory writes, announced changes and deleted files apply in the order they happened).
fn in_event_order<T>(
    items: &mut [(&SessionDigest, &T)],
    evidence: impl Fn(&T) -> &crate::digest::EventRef,
) {
    items.sort_by(|(da, a), (db, b)| {
        let (a, b) = (evidence(a), evidence(b));
        (a.at, &da.session, a.event).cmp(&(b.at, &db.session, b.event))
    });
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
    curator.retire_facts_about_deleted_files(&digests);
    curator.retire_facts_about_removed_settings(&digests);
    curator.retire_what_people_said_is_gone(&digests);
    step(
        Stage::CollectingCandidates,
        format!("{} sessions", digests.len()),
    )?;
    curator.add_session_candidates(&digests);
    step(
        Stage::ApplyingInstructions,
        format!(
            "{} directives",
            directives.focus.len() + directives.ignore.len()
        ),
    )?;
    curator.apply_directives(&directives);
    curator.prune_unconfirmable();
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
}

/// Documents lucid curates item by item; other files are copied untouched.
fn is_curatable(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => matches!(ext, "md" | "markdown" | "txt" | "mdx"),
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

    /// Memories currently filed at a document path.
    fn live_at_path(&self, path: &str) -> Vec<usize> {
        (0..self.memories.len())
            .filter(|&i| {
                let m = &self.memories[i];
                m.is_live() && self.path_of(m).as_deref() == Some(path)
            })
            .collect()
    }

    fn path_of(&self, memory: &Memory) -> Option<String> {
        match memory.location {
            Some((doc, _)) => Some(self.docs[doc].path.clone()),
            None => memory.path.clone(),
        }
    }

    fn replay_memory_writes(&mut self, digests: &[SessionDigest]) {
        let mut ops: Vec<(&SessionDigest, &MemoryOp)> = digests
            .iter()
            .flat_map(|d| d.memory_ops.iter().map(move |op| (d, op)))
            .collect();
        in_event_order(&mut ops, |item| &item.evidence);
        for (digest, op) in ops {
            let evidence = op.evidence.evidence(&digest.session);
            let why =
                |what: &str| format!("{what} by a memory write in session {}", digest.session);
            match &op.command {
                MemoryCommand::Create { path, text } => {
                    let new_items = self.memories_from_write(digest, op, path, text);
                    // The file was rewritten: what it held before and does not hold now is gone.
                    for old in self.live_at_path(path) {
                        let kept = new_items.iter().any(|n| {
                            text::same_statement(&self.memories[old].analysis, &n.analysis)
                        });
                        if !kept {
                            self.memories[old].state = State::Removed {
                                reason: why("file rewritten"),
                                evidence: vec![evidence.clone()],
                            };
                        }
                    }
                    self.memories.extend(new_items);
                }
                MemoryCommand::Insert { path, text, .. } => {
                    let new_items = self.memories_from_write(digest, op, path, text);
                    self.memories.extend(new_items);
                }
                MemoryCommand::StrReplace { path, old, new } => {
                    let old = old.trim();
                    let target = self
                        .live_at_path(path)
                        .into_iter()
                        .find(|&i| !old.is_empty() && self.memories[i].text.contains(old));
                    match target {
                        Some(i) => {
                            let replaced = self.memories[i].text.replacen(old, new.trim(), 1);
                            let replaced = replaced.trim().to_string();
                            if replaced.is_empty() {
                                self.memories[i].state = State::Removed {
                                    reason: why("deleted"),
                                    evidence: vec![evidence.clone()],
                                };
                                continue;
                            }
                            let seq = self.memories.len();
                            let mut updated = Memory::new(
                                replaced,
                                self.memories[i].kind,
                                Origin::MemoryWrite,
                                seq,
                            );
                            let previous = &self.memories[i];
                            updated.style = previous.style.clone();
                            updated.location = previous.location;
                            updated.path = Some(path.clone());
                            updated.headings = previous.headings.clone();
                            updated.evidence.push(evidence.clone());
                            updated.agents.insert(digest.agent.clone());
                            updated.trusted_agents.insert(digest.agent.clone());
                            updated.sessions.insert(digest.session.clone());
                            updated.at = op.evidence.at;
                            updated.superseded_texts.push(previous.text.clone());
                            updated.notes.push(why("updated"));
                            self.memories[i].state = State::SupersededBy(seq);
                            self.memories.push(updated);
                        }
                        None => {
                            let new_items = self.memories_from_write(digest, op, path, new);
                            self.memories.extend(new_items);
                        }
                    }
                }
                MemoryCommand::Delete { path } => {
                    // A path names a document or, like the memory tool's directories, a folder.
                    let doomed: Vec<usize> = (0..self.memories.len())
                        .filter(|&i| {
                            let m = &self.memories[i];
                            m.is_live() && self.path_of(m).is_some_and(|p| under(&p, path))
                        })
                        .collect();
                    for i in doomed {
                        self.memories[i].state = State::Removed {
                            reason: why("deleted"),
                            evidence: vec![evidence.clone()],
                        };
                    }
                    for doc in &mut self.docs {
                        if under(&doc.path, path) {
                            doc.deleted = true;
                        }
                    }
                }
                MemoryCommand::Rename { from, to } => {
                    let moved = |p: &str| -> Option<String> {
                        under(p, from).then(|| format!("{to}{}", &p[from.len()..]))
                    };
                    for doc in &mut self.docs {
                        if let Some(new_path) = moved(&doc.path) {
                            doc.path = new_path;
                        }
                    }
                    for memory in &mut self.memories {
                        if memory.location.is_none()
                            && let Some(new_path) = memory.path.as_deref().and_then(moved)
                        {
                            memory.path = Some(new_path);
                        }
                    }
                }
            }
        }
    }

    fn memories_from_write(
        &self,
        digest: &SessionDigest,
        op: &MemoryOp,
        path: &str,
        content: &str,
    ) -> Vec<Memory> {
        let mut out = Vec::new();
        for block in markdown::parse_blocks(content) {
            let Block::Item(item) = block else { continue };
            let kind = infer_kind(&item.text, path, &item.headings);
            let mut memory = Memory::new(
                item.text.clone(),
                kind,
                Origin::MemoryWrite,
                self.memories.len() + out.len(),
            );
            memory.style = Some(item.style.clone());
            memory.verbatim = matches!(item.style, ItemStyle::Verbatim);
            memory.path = Some(path.to_string());
            memory.headings = item.headings;
            memory.evidence.push(op.evidence.evidence(&digest.session));
            memory.agents.insert(digest.agent.clone());
            // Memory writes from untrusted events are never replayed (see the digest).
            memory.trusted_agents.insert(digest.agent.clone());
            memory.sessions.insert(digest.session.clone());
            memory.at = op.evidence.at;
            out.push(memory);
        }
        out
    }

    /// A store fact that names a file a later session deleted for good (`git rm`, a patch's
    /// "Delete File", or `rm` then a commit) describes something the project no longer has:
    /// it is removed, with the deletion as evidence. Only facts — a rule about a file ("never
    /// commit .env") outlives it.
    fn retire_facts_about_deleted_files(&mut self, digests: &[SessionDigest]) {
        self.retire_stale_facts(
            digests,
            |digest| &digest.deleted_files,
            |deleted| &deleted.path,
            |deleted| &deleted.evidence,
            |deleted, fact, session| {
                let named =
                    crate::updates::names_deleted_file(fact, &deleted.path, deleted.at_root)?;
                let how = match deleted.how {
                    crate::updates::Deletion::GitRm => "`git rm`",
                    crate::updates::Deletion::Patch => "a patch",
                    crate::updates::Deletion::RmThenCommit => "`rm` and a commit",
                };
                Some(format!(
                    "names {named}, which session {session} deleted ({how}: {}) and no session \
                     wrote again",
                    deleted.path
                ))
            },
        );
    }

    /// Store facts that quote a setting as their file's (`"push_sessions": false` in
    /// `.entire/settings.json`) after an edit or patch removed that setting from the file are
    /// stale: the file no longer says so.
    fn retire_facts_about_removed_settings(&mut self, digests: &[SessionDigest]) {
        self.retire_stale_facts(
            digests,
            |digest| &digest.removed_settings,
            |removed| &removed.file,
            |removed| &removed.evidence,
            |removed, fact, session| {
                let named = crate::updates::states_removed_setting(
                    fact,
                    &removed.file,
                    &removed.key,
                    &removed.value,
                )?;
                Some(format!(
                    "says {named} sets `{}` to `{}`, but session {session} removed that setting \
                     from {}",
                    removed.key, removed.value, removed.file
                ))
            },
        );
    }

    /// Removes the live store facts that a change to a file makes stale, in event order:
    /// `stale` gives the reason when a fact is about the change. A change to a file some session
    /// wrote whole counts for nothing — one written and deleted is scratch, one deleted and
    /// written again is back — and a fact true as of after the change is about what came next.
    fn retire_stale_facts<'d, T: 'd>(
        &mut self,
        digests: &'d [SessionDigest],
        changes: impl Fn(&'d SessionDigest) -> &'d [T],
        file: impl Fn(&T) -> &str,
        evidence: impl Fn(&T) -> &crate::digest::EventRef,
        stale: impl Fn(&T, &str, &str) -> Option<String>,
    ) {
        let written: Vec<&str> = digests
            .iter()
            .flat_map(|d| d.written_files.iter().map(String::as_str))
            .collect();
        let mut found: Vec<(&SessionDigest, &T)> = digests
            .iter()
            .flat_map(|d| changes(d).iter().map(move |c| (d, c)))
            .filter(|(_, c)| {
                !written
                    .iter()
                    .any(|w| crate::updates::same_file(w, file(c)))
            })
            .collect();
        in_event_order(&mut found, &evidence);
        for (digest, change) in found {
            let at = evidence(change);
            for memory in &mut self.memories {
                let eligible = memory.is_updatable_store_item()
                    && memory.kind == Kind::Fact
                    && !memory.newer_than(at.at);
                if !eligible {
                    continue;
                }
                if let Some(reason) = stale(change, &memory.text, &digest.session) {
                    memory.state = State::Removed {
                        reason,
                        evidence: vec![at.evidence(&digest.session)],
                    };
                }
            }
        }
    }

    /// Store items about a tool, a person or a practice a person said is gone ("we're dropping
    /// Firebase", "Dana Whitfield has left", "we no longer deploy on Fridays") are removed, the
    /// sentence quoted. Announcements older than an item's as-of time are outdated.
    fn retire_what_people_said_is_gone(&mut self, digests: &[SessionDigest]) {
        let mut retirements: Vec<(&SessionDigest, &crate::digest::AnnouncedRetirement)> = digests
            .iter()
            .flat_map(|d| d.retirements.iter().map(move |r| (d, r)))
            .collect();
        in_event_order(&mut retirements, |item| &item.evidence);
        for (digest, said) in retirements {
            for i in 0..self.memories.len() {
                let memory = &self.memories[i];
                // A store item about a retired tool is stale whatever kind it was filed as
                // ("Errors are reported to Sentry." reads like a pitfall).
                let eligible = memory.is_updatable_store_item()
                    && matches!(memory.kind, Kind::Fact | Kind::Preference | Kind::Pitfall)
                    && !memory.newer_than(said.evidence.at);
                if !eligible {
                    continue;
                }
                let Some(matched) = crate::updates::retires(
                    &said.retirement,
                    &memory.text,
                    memory.kind == Kind::Fact,
                ) else {
                    continue;
                };
                let evidence = said.evidence.evidence(&digest.session);
                let why = format!(
                    "{matched}, which a person said is gone (\"{}\": {:?}, session {})",
                    said.retirement.cue, said.sentence, digest.session
                );
                // The announcement says what replaces the item when it is about the same thing
                // beyond the retired name ("…; Ana Ruiz now handles vendor invoices" for "Vendor
                // invoices are handled by Marcus Lee"): it supersedes the item.
                let announcement = crate::digest::clean_statement(&said.sentence);
                let said_words = text::analyze(&announcement).word_set;
                let name_words = said
                    .retirement
                    .name
                    .as_deref()
                    .map(|n| text::analyze(n).word_set)
                    .unwrap_or_default();
                let shared = memory
                    .analysis
                    .word_set
                    .iter()
                    .filter(|w| said_words.contains(*w) && !name_words.contains(*w))
                    .count();
                // An excerpt cut short is no sentence to store.
                if shared < 2 || said.sentence.ends_with('\u{2026}') {
                    self.memories[i].state = State::Removed {
                        reason: why,
                        evidence: vec![evidence],
                    };
                    continue;
                }
                self.supersede_with(
                    i,
                    announcement,
                    Kind::Fact,
                    digest,
                    &said.evidence,
                    format!("replaces an item that {why}"),
                );
                if said.key != 0 {
                    self.absorbed_keys.insert(said.key);
                }
            }
        }
    }

    /// Replaces store item `i` by a new item `text` where it stood (its document, headings and
    /// style), said in `digest`'s session at `event`, with `note` in the report; returns the new
    /// item's index.
    fn supersede_with(
        &mut self,
        i: usize,
        text: String,
        kind: Kind,
        digest: &SessionDigest,
        event: &crate::digest::EventRef,
        note: String,
    ) -> usize {
        let seq = self.memories.len();
        let previous = &self.memories[i];
        let mut updated = Memory::new(text, kind, Origin::MemoryWrite, seq);
        updated.style = previous.style.clone();
        updated.location = previous.location;
        updated.path = self.path_of(previous);
        updated.headings = previous.headings.clone();
        updated.evidence = vec![event.evidence(&digest.session)];
        updated.agents.insert(digest.agent.clone());
        updated.trusted_agents.insert(digest.agent.clone());
        updated.sessions.insert(digest.session.clone());
        updated.at = event.at;
        updated.superseded_texts.push(previous.text.clone());
        updated.notes.push(note);
        self.memories[i].state = State::SupersededBy(seq);
        self.memories.push(updated);
        seq
    }

    /// Applies the changes of value people announced and successful edits made, in time order,
    /// to the items that hold the old value (see [`crate::updates`]): each becomes a new item
    /// with the value rewritten in place, and the report says which words matched.
    fn apply_announced_changes(&mut self, digests: &[SessionDigest]) {
        let mut changes: Vec<(&SessionDigest, &crate::digest::AnnouncedChange)> = digests
            .iter()
            .flat_map(|d| d.changes.iter().map(move |c| (d, c)))
            .collect();
        in_event_order(&mut changes, |item| &item.evidence);
        // The item each event's changes produced: one edit can swap several values of one
        // line, and they all land in one updated item rather than a chain of half-updated ones.
        let mut made_by_event: HashSet<(String, usize, usize)> = HashSet::new();
        for (digest, change) in changes {
            let targets: Vec<usize> = (0..self.memories.len())
                .filter(|&i| {
                    let m = &self.memories[i];
                    m.is_updatable_store_item() && matches!(m.kind, Kind::Fact | Kind::Preference)
                })
                .collect();
            for i in targets {
                let Some((text, why)) =
                    crate::updates::apply(&change.substitution, &self.memories[i].text)
                else {
                    continue;
                };
                // An item true as of a later time than the announcement is the newer value:
                // the change is outdated, neither applied nor added (items without a time are
                // older than any session).
                if self.memories[i].newer_than(change.evidence.at) {
                    if change.key != 0 {
                        self.outdated_keys.insert(change.key);
                    }
                    continue;
                }
                let event_key = (digest.session.clone(), change.evidence.event, i);
                if made_by_event.contains(&event_key) {
                    // Made by an earlier change of this same event: rewrite it in place.
                    let memory = &mut self.memories[i];
                    memory.analysis = text::analyze(&text);
                    memory.text = text;
                    memory.notes.push(format!("updated in place: {why}"));
                    if change.key != 0 {
                        self.absorbed_keys.insert(change.key);
                    }
                    continue;
                }
                let kind = self.memories[i].kind;
                let seq = self.supersede_with(
                    i,
                    text,
                    kind,
                    digest,
                    &change.evidence,
                    format!("updated in place: {why}"),
                );
                // The value changed; what the rest of the item says keeps its evidence.
                let kept = self.memories[i].evidence.clone();
                self.memories[seq].evidence.splice(0..0, kept);
                made_by_event.insert((digest.session.clone(), change.evidence.event, seq));
                if change.key != 0 {
                    self.absorbed_keys.insert(change.key);
                }
            }
        }
    }

    fn add_session_candidates(&mut self, digests: &[SessionDigest]) {
        let templates = template_keys(digests, &self.limits);
        let harness = HarnessRules::new(digests);
        // The same sentence said in many sessions is one candidate with many pieces of evidence:
        // a fleet repeats itself, and this keeps curation linear in distinct statements.
        let mut by_text: HashMap<(Kind, String), usize> = HashMap::new();
        for digest in digests {
            for skipped in &digest.skipped {
                self.skipped.push(SkippedItem {
                    kind: Kind::Fact,
                    text: skipped.text.clone(),
                    reason: skipped.reason.clone(),
                    directive: None,
                    evidence: vec![skipped.evidence.evidence(&digest.session)],
                });
            }
            for statement in &digest.statements {
                let kind = match statement.class {
                    StatementClass::Preference => Kind::Preference,
                    StatementClass::Fact => Kind::Fact,
                };
                let evidence = vec![statement.evidence.evidence(&digest.session)];
                let skip = if self.absorbed_keys.contains(&statement.key) {
                    Some("its change of value was applied to the item it updates")
                } else if self.outdated_keys.contains(&statement.key) {
                    Some("an older change of value than the memory it would change (as-of time)")
                } else if templates.contains(&statement.key) {
                    Some("template text: the same sentences open many sessions")
                } else if harness.restates(&statement.text) {
                    Some("restates the instructions every session already gets")
                } else {
                    None
                };
                if let Some(reason) = skip {
                    self.skipped.push(SkippedItem {
                        kind,
                        text: statement.text.clone(),
                        reason: reason.to_string(),
                        directive: None,
                        evidence,
                    });
                    continue;
                }
                // Unconfirmed: a bare fact (it may only update or confirm an item), and anything
                // from an untrusted event (it needs trusted corroboration or two sessions).
                let provisional = (statement.class == StatementClass::Fact && !statement.durable)
                    || statement.evidence.trust == crate::model::Trust::Untrusted;
                let index = *by_text
                    .entry((kind, statement.text.clone()))
                    .or_insert_with(|| {
                        let seq = self.memories.len();
                        let mut memory =
                            Memory::new(statement.text.clone(), kind, Origin::Session, seq);
                        memory.provisional = true;
                        memory.needs_repetition = true;
                        self.memories.push(memory);
                        seq
                    });
                let memory = &mut self.memories[index];
                memory.evidence.extend(evidence);
                memory.agents.insert(digest.agent.clone());
                if statement.evidence.trust == crate::model::Trust::Trusted {
                    memory.trusted_agents.insert(digest.agent.clone());
                }
                memory.sessions.insert(digest.session.clone());
                memory.at = memory.at.max(statement.evidence.at);
                memory.announced_change |= statement.change;
                // A fact said in two sessions is confirmed; a repeated instruction is standing.
                memory.provisional &= provisional && memory.sessions.len() < 2;
                memory.needs_repetition &= statement.needs_repetition && memory.sessions.len() < 2;
            }
            for flag in &digest.flags {
                self.flags.push(Change {
                    id: String::new(),
                    op: Op::Flag,
                    kind: if flag.injection {
                        Kind::Preference
                    } else {
                        Kind::Fact
                    },
                    scope: Scope::Agent,
                    agent: Some(digest.agent.clone()),
                    path: None,
                    text: flag.text.clone(),
                    replaces: Vec::new(),
                    superseded: Vec::new(),
                    reason: flag.reason.clone(),
                    evidence: vec![flag.evidence.evidence(&digest.session)],
                });
            }
        }
        for digest in digests {
            for episode in &digest.episodes {
                let seq = self.memories.len();
                let mut memory =
                    Memory::new(episode.text.clone(), Kind::Fact, Origin::Session, seq);
                memory.episodic = true;
                memory.path = Some(format!("/episodes/{}.md", path_segment(&digest.agent)));
                memory.headings = vec![episode_heading(digest, episode)];
                memory.evidence = episode
                    .evidence
                    .iter()
                    .map(|r| r.evidence(&digest.session))
                    .collect();
                memory.agents.insert(digest.agent.clone());
                memory.trusted_agents.insert(digest.agent.clone());
                memory.sessions.insert(digest.session.clone());
                memory.at = episode.at;
                self.memories.push(memory);
            }
        }
        let mut patterns = patterns::pitfalls(digests);
        patterns.extend(patterns::recurring_blockers(digests));
        patterns.extend(patterns::refused_reads(digests));
        patterns.extend(patterns::recurring_checker_findings(digests));
        let workflows = patterns::workflows(digests);
        // A converged last step that a workflow already names needs no memory of its own (the
        // workflow may go on to a harness step such as `submit`, which endings leave out).
        let endings = patterns::ending_steps(digests)
            .into_iter()
            .filter(|ending| {
                let step = ending.text.split('`').nth(1).unwrap_or("");
                !workflows
                    .iter()
                    .any(|w| w.text.contains(&format!("`{step}`")))
            })
            .collect::<Vec<_>>();
        patterns.extend(workflows);
        patterns.extend(endings);
        for pattern in patterns {
            if let Some(why) = &pattern.unsafe_reason {
                // A workaround that switches a safety measure off is shown to a reviewer, never
                // written as advice.
                self.flags.push(Change {
                    id: String::new(),
                    op: Op::Flag,
                    kind: Kind::Pitfall,
                    scope: Scope::Team,
                    agent: None,
                    path: None,
                    text: pattern.text.clone(),
                    replaces: Vec::new(),
                    superseded: Vec::new(),
                    reason: format!(
                        "workaround not recommended: it {why}; seen in {} sessions",
                        pattern.sessions.len()
                    ),
                    evidence: sorted_evidence(&pattern.evidence),
                });
                continue;
            }
            let seq = self.memories.len();
            let mut memory = Memory::new(pattern.text, pattern.kind, Origin::Session, seq);
            memory.headings = pattern.heading.into_iter().collect();
            memory.evidence = pattern.evidence;
            memory.found_as = pattern.found_as;
            memory.agents = pattern.agents;
            memory.trusted_agents = pattern.trusted_agents;
            memory.sessions = pattern.sessions;
            memory.at = pattern.latest;
            self.memories.push(memory);
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
                memory.state = State::Dropped;
            }
        }
    }

    /// When many sessions give a subject different values over time, only the newest value (and
    /// statements agreeing with it) go on; older session values are superseded by it right away.
    /// The full contradiction pass later compares the survivors with the store. Doing this
    /// first keeps merging linear when a fleet restates a changing fact thousands of times.
    fn keep_newest_session_values(&mut self) {
        let mut groups: HashMap<SlotKey, Vec<(usize, text::Slot)>> = HashMap::new();
        for (i, memory) in self.memories.iter().enumerate() {
            if memory.is_live()
                && memory.origin == Origin::Session
                && !memory.episodic
                && matches!(memory.kind, Kind::Fact | Kind::Preference)
                && let Some(slot) = text::slot(&memory.text)
            {
                let key = (
                    slot.subject.iter().cloned().collect(),
                    slot.subject_anchors.iter().cloned().collect(),
                );
                groups.entry(key).or_default().push((i, slot));
            }
        }
        let mut keys: Vec<&SlotKey> = groups.keys().collect();
        keys.sort();
        let mut retired: Vec<(usize, usize)> = Vec::new();
        for key in keys {
            let group = &groups[key];
            if group.len() < 2 {
                continue;
            }
            // Only a confirmed value can win: two unconfirmed ones do not make each other true.
            let Some((newest, newest_slot)) = group
                .iter()
                .filter(|(i, _)| !self.memories[*i].provisional)
                .max_by_key(|(i, _)| self.memories[*i].recency())
            else {
                continue;
            };
            for (i, slot) in group {
                if i != newest
                    && text::conflicting_slots(newest_slot, slot)
                    && ordered_in_time(&self.memories[*i], &self.memories[*newest])
                {
                    retired.push((*i, *newest));
                }
            }
        }
        for (old, new) in retired {
            let (text, evidence) = {
                let m = &mut self.memories[old];
                m.state = State::SupersededBy(new);
                (m.text.clone(), m.evidence.clone())
            };
            let winner = &mut self.memories[new];
            winner.superseded_texts.push(text);
            winner.evidence.extend(evidence);
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

    fn merge_duplicates(&mut self) {
        // The loosest word overlap any duplicate rule in `text::same_statement` accepts: the
        // join must not drop a pair a rule would take.
        const MIN_CANDIDATE_JACCARD: f64 = text::MIN_PREFERENCE_JACCARD;
        let candidates: Vec<usize> = (0..self.memories.len())
            .filter(|&i| {
                let m = &self.memories[i];
                m.is_live() && !m.verbatim && !m.episodic
            })
            .collect();
        // Duplicates agree on every identifier and on polarity, so candidates are grouped by
        // (identifiers, polarity) and the similarity join runs inside each group on words: a
        // thousand sentences that differ only by an order number never meet.
        let mut interner = Interner::default();
        let mut groups: BTreeMap<(Vec<u32>, bool), Vec<usize>> = BTreeMap::new();
        let mut sets: Vec<Vec<u32>> = Vec::with_capacity(candidates.len());
        for (position, &i) in candidates.iter().enumerate() {
            let analysis = &self.memories[i].analysis;
            let anchors = interner.set(analysis.anchors.iter().map(|a| a.as_str()));
            groups
                .entry((anchors, analysis.negated))
                .or_default()
                .push(position);
            sets.push(interner.set(analysis.word_set.iter().map(String::as_str)));
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for members in groups.values().filter(|m| m.len() > 1) {
            let group_sets: Vec<Vec<u32>> = members.iter().map(|&p| sets[p].clone()).collect();
            pairs.extend(
                similar_pairs(&group_sets, MIN_CANDIDATE_JACCARD)
                    .into_iter()
                    .map(|(x, y)| (members[x], members[y])),
            );
        }
        // Reworded items of a store (or memory writes) may differ in an identifier one of them
        // leaves out, so the exact groups above never pair them: pairs that share two rare
        // words, with at least one side from the store, are tested as paraphrases too, with
        // words weighted by how rare they are in this dream.
        let weights =
            text::WordWeights::new(candidates.iter().map(|&i| &self.memories[i].analysis));
        let mut paraphrase_pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
        {
            let mut by_word: HashMap<&str, Vec<usize>> = HashMap::new();
            for (position, &i) in candidates.iter().enumerate() {
                // An identifier is both a word and an anchor: it counts once per item.
                let features: BTreeSet<&str> = self.memories[i].analysis.features().collect();
                for feature in features {
                    if weights.is_rare(feature) {
                        by_word.entry(feature).or_default().push(position);
                    }
                }
            }
            let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
            for positions in by_word.values() {
                // A word in many items is not rare; the cap keeps this linear.
                if positions.len() > 64 {
                    continue;
                }
                for (k, &a) in positions.iter().enumerate() {
                    for &b in &positions[k + 1..] {
                        *shared.entry((a.min(b), a.max(b))).or_default() += 1;
                    }
                }
            }
            for ((a, b), count) in shared {
                let (ma, mb) = (&self.memories[candidates[a]], &self.memories[candidates[b]]);
                // Facts and preferences only: a pitfall or a workflow naming the same tool as a
                // rule is a different memory.
                let comparable = matches!(ma.kind, Kind::Fact | Kind::Preference)
                    && matches!(mb.kind, Kind::Fact | Kind::Preference);
                if count >= 2
                    && comparable
                    && (ma.origin != Origin::Session || mb.origin != Origin::Session)
                {
                    paraphrase_pairs.insert((a, b));
                }
            }
        }
        let known: BTreeSet<(usize, usize)> =
            pairs.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        pairs.extend(
            paraphrase_pairs
                .iter()
                .filter(|p| !known.contains(p))
                .copied(),
        );
        // Duplicate links, and "cannot link" pairs: the same sentence with a word swapped is
        // about a different thing, and no chain of paraphrases may join the two. Links are
        // applied strongest first and skipped when they would join a cannot-link pair.
        let mut links: Vec<(f64, usize, usize)> = Vec::new();
        let mut apart: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (a, b) in pairs {
            let (ma, mb) = (&self.memories[candidates[a]], &self.memories[candidates[b]]);
            let store_pair = paraphrase_pairs.contains(&(a.min(b), a.max(b)));
            // Preferences people gave in different sessions get the looser paraphrase test: a
            // missed merge there also costs the preference its team scope (other agents) or
            // the second session an unmarked instruction needs to be kept.
            let session_preferences = ma.kind == Kind::Preference
                && mb.kind == Kind::Preference
                && ma.origin == Origin::Session
                && mb.origin == Origin::Session
                && ma.sessions.is_disjoint(&mb.sessions);
            let same = if session_preferences {
                text::same_preference(&ma.analysis, &mb.analysis)
            } else {
                text::same_statement(&ma.analysis, &mb.analysis)
            } || (store_pair && text::paraphrase(&ma.analysis, &mb.analysis, &weights));
            // Two values for one subject are an update (decided later by recency), not a
            // duplicate: merging them would keep one value at random.
            let another_value = same && text::states_another_value(&ma.text, &mb.text);
            if same && !another_value {
                links.push((text::similarity(&ma.analysis, &mb.analysis), a, b));
            } else if another_value || text::look_alike(&ma.analysis, &mb.analysis) {
                apart.entry(a).or_default().insert(b);
                apart.entry(b).or_default().insert(a);
            }
        }
        links.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        let mut union = UnionFind::new(candidates.len());
        let mut members: Vec<Vec<usize>> = (0..candidates.len()).map(|i| vec![i]).collect();
        for (_, a, b) in links {
            let (ra, rb) = (union.find(a), union.find(b));
            if ra == rb {
                continue;
            }
            let conflict = members[ra].iter().any(|x| {
                apart
                    .get(x)
                    .is_some_and(|others| members[rb].iter().any(|y| others.contains(y)))
            });
            if conflict {
                continue;
            }
            union.union(a, b);
            let root = union.find(a);
            let moved = std::mem::take(&mut members[if root == ra { rb } else { ra }]);
            members[root].extend(moved);
        }
        let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (position, &memory) in candidates.iter().enumerate() {
            clusters
                .entry(union.find(position))
                .or_default()
                .push(memory);
        }
        for members in clusters.into_values() {
            if members.len() > 1 {
                self.merge_cluster(&members);
            }
        }
    }

    /// Merges a cluster of duplicates into its clearest member, which takes the place of the
    /// first store item among them (so the draft keeps the store's order).
    fn merge_cluster(&mut self, members: &[usize]) {
        let winner = clearest(members.iter().map(|&i| (i, &self.memories[i])));
        let located = members
            .iter()
            .copied()
            .filter(|&i| self.memories[i].location.is_some())
            .min_by_key(|&i| self.memories[i].seq);
        let store_members = members
            .iter()
            .filter(|&&i| self.memories[i].origin == Origin::Store)
            .count();
        let mut merged_texts = Vec::new();
        let mut evidence = Vec::new();
        let mut agents = BTreeSet::new();
        let mut trusted_agents = BTreeSet::new();
        let mut sessions = BTreeSet::new();
        let mut at = None;
        let mut provisional = true;
        let mut needs_repetition = true;
        let mut superseded = Vec::new();
        let mut notes = Vec::new();
        for &i in members {
            let m = &self.memories[i];
            if m.text != self.memories[winner].text && !merged_texts.contains(&m.text) {
                merged_texts.push(m.text.clone());
            }
            merged_texts.extend(m.merged_texts.iter().cloned());
            superseded.extend(m.superseded_texts.iter().cloned());
            notes.extend(m.notes.iter().cloned());
            evidence.extend(m.evidence.iter().cloned());
            agents.extend(m.agents.iter().cloned());
            trusted_agents.extend(m.trusted_agents.iter().cloned());
            sessions.extend(m.sessions.iter().cloned());
            at = at.max(m.at);
            provisional &= m.provisional;
            needs_repetition &= m.needs_repetition;
        }
        let (location, path, style, headings) = match located {
            Some(l) => {
                let m = &self.memories[l];
                (
                    m.location,
                    m.path.clone(),
                    m.style.clone(),
                    m.headings.clone(),
                )
            }
            None => {
                // Prefer a memory-write path over the default layout.
                let written = members
                    .iter()
                    .copied()
                    .filter(|&i| self.memories[i].origin == Origin::MemoryWrite)
                    .min_by_key(|&i| self.memories[i].seq)
                    .unwrap_or(winner);
                let m = &self.memories[written];
                (None, m.path.clone(), m.style.clone(), m.headings.clone())
            }
        };
        let kind = located.map_or(self.memories[winner].kind, |l| self.memories[l].kind);
        let origin = if store_members > 0 {
            Origin::Store
        } else if members
            .iter()
            .any(|&i| self.memories[i].origin == Origin::MemoryWrite)
        {
            Origin::MemoryWrite
        } else {
            Origin::Session
        };
        for &i in members {
            if i != winner {
                self.memories[i].state = State::MergedInto(winner);
            }
        }
        let latest_seq = members.iter().map(|&i| self.memories[i].seq).max();
        let w = &mut self.memories[winner];
        w.location = location;
        w.path = path;
        w.style = style;
        w.headings = headings;
        w.kind = kind;
        w.origin = origin;
        w.merged_texts = merged_texts;
        w.merged_store_items = store_members;
        w.superseded_texts = superseded;
        w.notes = notes;
        w.evidence = evidence;
        w.agents = agents;
        w.trusted_agents = trusted_agents;
        w.sessions = sessions;
        w.at = at;
        w.provisional = provisional && w.sessions.len() < 2 && store_members == 0;
        w.needs_repetition = needs_repetition && w.sessions.len() < 2 && store_members == 0;
        // The winner keeps the latest sequence of the cluster for recency ties.
        w.seq = latest_seq.unwrap_or(w.seq);
    }

    fn resolve_contradictions(&mut self) {
        // Only statements of fact and preference carry values that go stale; two workflows or
        // two pitfalls with the same shape are different patterns, not old and new values.
        let live: Vec<usize> = (0..self.memories.len())
            .filter(|&i| {
                let m = &self.memories[i];
                m.is_live()
                    && !m.verbatim
                    && !m.episodic
                    && matches!(m.kind, Kind::Fact | Kind::Preference)
            })
            .collect();
        // Bucket by subject (slot) and by sentence frame, then compare within buckets.
        let mut slot_buckets: HashMap<SlotKey, Vec<(usize, text::Slot)>> = HashMap::new();
        let mut frame_buckets: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in &live {
            let memory = &self.memories[i];
            if let Some(slot) = text::slot(&memory.text) {
                let key = (
                    slot.subject.iter().cloned().collect(),
                    slot.subject_anchors.iter().cloned().collect(),
                );
                slot_buckets.entry(key).or_default().push((i, slot));
            }
            if let Some(key) = frame_key(&memory.text) {
                frame_buckets.entry(key).or_default().push(i);
            }
        }
        let mut union = UnionFind::new(self.memories.len());
        let mut conflicted = BTreeSet::new();
        // Why each linked pair is one subject, for the report (keyed by the pair; a swapped
        // value is written older → newer once the newer side is known).
        let mut why_linked: HashMap<(usize, usize), String> = HashMap::new();
        let mut swapped_values: HashMap<(usize, usize), [(usize, String); 2]> = HashMap::new();
        let pair = |i: usize, j: usize| (i.min(j), i.max(j));
        // Unconfirmed facts only matter against confirmed items (they can update those), so
        // pairs of two unconfirmed facts are skipped: buckets of chatter stay linear.
        let provisional = |i: usize| self.memories[i].provisional;
        for bucket in slot_buckets.values() {
            for (a, (i, slot_i)) in bucket.iter().enumerate() {
                for (j, slot_j) in &bucket[a + 1..] {
                    if provisional(*i) && provisional(*j) {
                        continue;
                    }
                    if text::conflicting_slots(slot_i, slot_j) {
                        union.union(*i, *j);
                        conflicted.insert(*i);
                        conflicted.insert(*j);
                        let subject = words_as_written(
                            &self.memories[*i].text,
                            &slot_i.subject,
                            &slot_i.subject_anchors,
                        );
                        why_linked.insert(
                            pair(*i, *j),
                            format!("same subject ({}), another value", code_list(&subject)),
                        );
                    }
                }
            }
        }
        // The same sentence with another identifier is a weaker signal than a subject given a
        // new value: two store items "Always run `a` before X" and "Always run `b` before X" are
        // two rules. It counts as an update only when a session (or memory write) says it, since
        // only then is one side known to be newer.
        let from_sessions = |m: &Memory| m.origin != Origin::Store || !m.sessions.is_empty();
        for bucket in frame_buckets.values() {
            for (a, &i) in bucket.iter().enumerate() {
                for &j in &bucket[a + 1..] {
                    // A swapped identifier in the same sentence is too weak a signal to let an
                    // unconfirmed statement retire anything.
                    if provisional(i) || provisional(j) {
                        continue;
                    }
                    let (mi, mj) = (&self.memories[i], &self.memories[j]);
                    if !(from_sessions(mi) || from_sessions(mj)) {
                        continue;
                    }
                    if let Some((value_i, value_j)) = text::frame_new_value(&mi.text, &mj.text) {
                        union.union(i, j);
                        conflicted.insert(i);
                        conflicted.insert(j);
                        swapped_values.insert(pair(i, j), [(i, value_i), (j, value_j)]);
                    }
                }
            }
        }
        // A change a person announced gives a closed-set value (a weekday, a month, a count) to
        // an item about the same thing in other words: "We deploy on Tuesdays now" and
        // "Deploys go out on Thursdays". The same thing: one side's other words are all among
        // the other's ("deploy" ⊂ "deploy go out"), so "We now deploy hotfixes on Tuesdays"
        // (hotfixes) leaves the rule for all deploys alone.
        let mut by_family: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
        for &i in &live {
            for family in text::value_families(&self.memories[i].text) {
                by_family.entry(family).or_default().push(i);
            }
        }
        for members in by_family.values() {
            for &i in members {
                let mi = &self.memories[i];
                if !mi.announced_change || mi.provisional {
                    continue;
                }
                for &j in members {
                    if i == j || union.find(i) == union.find(j) {
                        continue;
                    }
                    let mj = &self.memories[j];
                    // Cheap first: the two must share a word of their subject.
                    if mi.analysis.word_set.is_disjoint(&mj.analysis.word_set) {
                        continue;
                    }
                    if let Some((subject, family)) = text::closed_set_change(&mj.text, &mi.text) {
                        union.union(i, j);
                        conflicted.insert(i);
                        conflicted.insert(j);
                        let stems: BTreeSet<String> = subject.into_iter().collect();
                        let subject = words_as_written(&mi.text, &stems, &BTreeSet::new());
                        why_linked.insert(
                            pair(i, j),
                            format!(
                                "same subject ({}), another {family}, announced as a change",
                                code_list(&subject)
                            ),
                        );
                    }
                }
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in conflicted {
            groups.entry(union.find(i)).or_default().push(i);
        }
        for mut members in groups.into_values() {
            // A value only untrusted events give, from one session, cannot retire anything: it
            // needs trusted corroboration or a second session. Such values leave the contest.
            members.retain(|&i| {
                let m = &self.memories[i];
                let uncorroborated = m.origin == Origin::Session
                    && m.trusted_agents.is_empty()
                    && m.sessions.len() < 2;
                if uncorroborated {
                    self.memories[i].state = State::Dropped;
                }
                !uncorroborated
            });
            let Some(&winner) = members.iter().max_by_key(|&&i| self.memories[i].recency()) else {
                continue;
            };
            // The newest value takes the place of the oldest located (store) item it replaces.
            let located = members
                .iter()
                .copied()
                .filter(|&i| i != winner && self.memories[i].location.is_some())
                .min_by_key(|&i| self.memories[i].seq);
            let mut superseded = Vec::new();
            let mut carried_evidence = Vec::new();
            let mut matched_notes = Vec::new();
            // Only values known to be older give way (no supersede on file order alone).
            members.retain(|&i| {
                i == winner || ordered_in_time(&self.memories[i], &self.memories[winner])
            });
            if members.len() < 2 {
                continue;
            }
            for &i in &members {
                if i == winner {
                    continue;
                }
                self.memories[i].state = State::SupersededBy(winner);
                superseded.push(self.memories[i].text.clone());
                carried_evidence.extend(self.memories[i].evidence.iter().cloned());
                if let Some(why) = why_linked.get(&pair(i, winner)) {
                    matched_notes.push(why.clone());
                } else if let Some(values) = swapped_values.get(&pair(i, winner)) {
                    let value_of = |m: usize| {
                        values
                            .iter()
                            .find(|(at, _)| *at == m)
                            .map_or("", |(_, v)| v.as_str())
                    };
                    matched_notes.push(format!(
                        "the same sentence with another value: `{}` → `{}`",
                        value_of(i),
                        value_of(winner)
                    ));
                }
            }
            if let (Some(l), None) = (located, self.memories[winner].location) {
                let (location, path, style, headings, kind) = {
                    let m = &self.memories[l];
                    (
                        m.location,
                        m.path.clone(),
                        m.style.clone(),
                        m.headings.clone(),
                        m.kind,
                    )
                };
                let w = &mut self.memories[winner];
                w.location = location;
                if w.origin == Origin::Session {
                    w.path = path;
                    w.headings = headings;
                    w.kind = kind;
                }
                w.style = style;
            }
            let w = &mut self.memories[winner];
            w.superseded_texts.extend(superseded);
            w.evidence.extend(carried_evidence);
            w.provisional = false;
            for note in matched_notes {
                if !w.notes.contains(&note) {
                    w.notes.push(note);
                }
            }
        }
    }

    /// One-session facts that neither confirmed nor updated anything are not memories yet.
    fn drop_unconfirmed(&mut self) {
        for memory in &mut self.memories {
            if memory.is_live() && memory.provisional {
                memory.state = State::Dropped;
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

    /// The report's `skipped` list: what the gate and the pipeline left out, with why.
    fn skipped_items(&self) -> Vec<SkippedItem> {
        let mut items = self.skipped.clone();
        for memory in &self.memories {
            if memory.state != State::Dropped {
                continue;
            }
            if let Some(note) = &memory.skip_note {
                items.push(SkippedItem {
                    kind: memory.kind,
                    text: memory.text.clone(),
                    reason: note.reason.clone(),
                    directive: note.directive.clone(),
                    evidence: sorted_evidence(&memory.evidence),
                });
            }
        }
        items.sort();
        items.dedup();
        items
    }

    /// Scope and agent of a live memory.
    fn scope(&self, memory: &Memory) -> (Scope, Option<String>) {
        if (memory.location.is_some() || memory.origin != Origin::Session)
            && let Some(path) = self.path_of(memory)
        {
            return scope_of_path(&path);
        }
        // Team scope needs trusted evidence from two or more agents.
        if memory.trusted_agents.len() >= 2 {
            (Scope::Team, None)
        } else {
            let agent = memory
                .trusted_agents
                .iter()
                .next()
                .or_else(|| memory.agents.iter().next())
                .cloned();
            (Scope::Agent, agent)
        }
    }

    /// The document a live memory is written to.
    fn target_path(&self, memory: &Memory) -> String {
        if let Some(path) = self.path_of(memory) {
            return path;
        }
        let (scope, agent) = self.scope(memory);
        default_path(memory.kind, scope, agent.as_deref())
    }

    fn render(&mut self) -> (Store, usize) {
        // Memories by location, and new memories by target document.
        let mut by_location: HashMap<Location, usize> = HashMap::new();
        let mut appended: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, memory) in self.memories.iter().enumerate() {
            if !memory.is_live() {
                continue;
            }
            match memory.location {
                Some(location) => {
                    by_location.insert(location, i);
                }
                None => appended
                    .entry(self.target_path(memory))
                    .or_default()
                    .push(i),
            }
        }
        let mut documents = Vec::new();
        let mut output_items = 0;
        for (doc_index, doc) in self.docs.iter().enumerate() {
            if doc.deleted && !appended.contains_key(&doc.path) {
                continue;
            }
            let Some(blocks) = &doc.blocks else {
                // A file the curator does not read item by item (JSON, YAML, code) is carried
                // over, but never silently and never with a secret in it: it is redacted like
                // everything else and listed in the report.
                let redaction = self.safety.redact(&doc.original);
                let secrets = redaction.findings.len();
                self.uncurated.push(crate::report::UncuratedDocument {
                    path: doc.path.clone(),
                    secrets_redacted: secrets,
                });
                documents.push(StoreDocument {
                    path: doc.path.clone(),
                    content: redaction.text.into_owned(),
                    updated_at: if secrets == 0 { doc.updated_at } else { None },
                    as_of: None,
                });
                continue;
            };
            let mut changed = false;
            let mut out: Vec<Block> = Vec::new();
            for (block_index, block) in blocks.iter().enumerate() {
                match block {
                    Block::Heading(_) => out.push(block.clone()),
                    Block::Item(item) => match by_location.get(&(doc_index, block_index)) {
                        Some(&i) => {
                            let memory = &self.memories[i];
                            if memory.text != item.text {
                                changed = true;
                            }
                            out.push(Block::Item(MarkdownItem {
                                style: item.style.clone(),
                                text: memory.text.clone(),
                                headings: item.headings.clone(),
                            }));
                        }
                        None => changed = true,
                    },
                }
            }
            if let Some(new) = appended.remove(&doc.path) {
                changed = true;
                self.append_items(&mut out, &new);
            }
            let items = out.iter().filter(|b| matches!(b, Block::Item(_))).count();
            if items == 0 {
                continue;
            }
            output_items += items;
            let content = if changed {
                markdown::render_blocks(&prune_empty_sections(out))
            } else {
                doc.original.clone()
            };
            documents.push(StoreDocument {
                path: doc.path.clone(),
                content,
                updated_at: if changed { None } else { doc.updated_at },
                as_of: None,
            });
        }
        for (path, new) in appended {
            let mut blocks = vec![Block::Heading(markdown::Heading {
                level: 1,
                text: title_for(&path),
            })];
            // Memory-written documents bring their own headings.
            if new.iter().any(|&i| {
                !self.memories[i].headings.is_empty()
                    && self.memories[i].origin == Origin::MemoryWrite
            }) {
                blocks.clear();
            }
            self.append_items(&mut blocks, &new);
            output_items += blocks
                .iter()
                .filter(|b| matches!(b, Block::Item(_)))
                .count();
            documents.push(StoreDocument {
                path,
                content: markdown::render_blocks(&blocks),
                updated_at: None,
                as_of: None,
            });
        }
        (Store::new(documents), output_items)
    }

    /// Appends memories to a document, under their headings (created when missing).
    fn append_items(&self, blocks: &mut Vec<Block>, new: &[usize]) {
        let mut ordered: Vec<usize> = new.to_vec();
        ordered.sort_by(|&a, &b| {
            let (ma, mb) = (&self.memories[a], &self.memories[b]);
            let written = |m: &Memory| m.origin == Origin::MemoryWrite || m.episodic;
            // Memory writes and episodes keep the order they happened in; the rest sort by text.
            (
                !written(ma),
                &ma.headings,
                if written(ma) { ma.seq } else { 0 },
                &ma.text,
            )
                .cmp(&(
                    !written(mb),
                    &mb.headings,
                    if written(mb) { mb.seq } else { 0 },
                    &mb.text,
                ))
        });
        for i in ordered {
            let memory = &self.memories[i];
            let style = match &memory.style {
                Some(ItemStyle::Paragraph) | Some(ItemStyle::Verbatim)
                    if memory.origin == Origin::MemoryWrite =>
                {
                    memory.style.clone().unwrap_or(ItemStyle::Bullet('-'))
                }
                Some(ItemStyle::Ordered { .. }) | Some(ItemStyle::Bullet(_)) => {
                    memory.style.clone().unwrap_or(ItemStyle::Bullet('-'))
                }
                _ => ItemStyle::Bullet('-'),
            };
            insert_under_headings(
                blocks,
                &memory.headings,
                MarkdownItem {
                    style,
                    text: memory.text.clone(),
                    headings: memory.headings.clone(),
                },
            );
        }
    }

    fn changes(&self) -> Vec<Change> {
        let mut changes = Vec::new();
        for memory in &self.memories {
            match &memory.state {
                State::Live => {
                    let (scope, agent) = self.scope(memory);
                    let path = self.target_path(memory);
                    let (op, reason) = self.op_and_reason(memory);
                    let mut superseded = memory.superseded_texts.clone();
                    superseded.retain(|t| *t != memory.text);
                    superseded.dedup();
                    let mut replaces = superseded.clone();
                    replaces.extend(memory.merged_texts.iter().cloned());
                    replaces.retain(|t| *t != memory.text);
                    replaces.dedup();
                    changes.push(Change {
                        id: String::new(),
                        op,
                        kind: memory.kind,
                        scope,
                        agent,
                        path: Some(path),
                        text: memory.text.clone(),
                        replaces,
                        superseded,
                        reason,
                        evidence: sorted_evidence(&memory.evidence),
                    });
                }
                State::Removed { reason, evidence } => {
                    let path = self.path_of(memory);
                    let (scope, agent) = path.as_deref().map_or((Scope::Team, None), scope_of_path);
                    changes.push(Change {
                        id: String::new(),
                        op: Op::Remove,
                        kind: memory.kind,
                        scope,
                        agent,
                        path: None,
                        text: memory.text.clone(),
                        replaces: Vec::new(),
                        superseded: Vec::new(),
                        reason: format!(
                            "{reason} (was in {})",
                            path.unwrap_or_else(|| "a new memory".to_string())
                        ),
                        evidence: sorted_evidence(evidence),
                    });
                }
                State::MergedInto(_) | State::SupersededBy(_) | State::Dropped => {}
            }
        }
        changes.extend(self.flags.iter().cloned());
        let op_rank = |op: Op| op as u8;
        changes.sort_by(|a, b| {
            (a.path.is_none(), &a.path, op_rank(a.op), &a.text).cmp(&(
                b.path.is_none(),
                &b.path,
                op_rank(b.op),
                &b.text,
            ))
        });
        changes
    }

    fn op_and_reason(&self, memory: &Memory) -> (Op, String) {
        let sessions = memory.sessions.len();
        let agents: Vec<&str> = memory.agents.iter().map(String::as_str).collect();
        let support = if sessions == 0 {
            String::new()
        } else {
            format!(
                "seen in {sessions} session{} by {} agent{} ({})",
                if sessions == 1 { "" } else { "s" },
                agents.len(),
                if agents.len() == 1 { "" } else { "s" },
                agents.join(", ")
            )
        };
        let mut notes = memory.notes.clone();
        notes.dedup();
        let with_notes = |text: String| {
            if notes.is_empty() {
                text
            } else {
                format!("{text}; {}", notes.join("; "))
            }
        };
        if !memory.superseded_texts.is_empty() {
            let reason = format!(
                "newer value replaces {} older one{}{}",
                memory.superseded_texts.len(),
                if memory.superseded_texts.len() == 1 {
                    ""
                } else {
                    "s"
                },
                if support.is_empty() {
                    String::new()
                } else {
                    format!("; {support}")
                }
            );
            return (Op::Supersede, with_notes(reason));
        }
        let distinct_merged = memory
            .merged_texts
            .iter()
            .filter(|t| **t != memory.text)
            .count();
        match memory.origin {
            Origin::Store if memory.merged_store_items > 1 || distinct_merged > 0 => (
                Op::Merge,
                with_notes(format!(
                    "{} duplicate{} merged into the clearest wording{}",
                    distinct_merged,
                    if distinct_merged == 1 { "" } else { "s" },
                    if support.is_empty() {
                        String::new()
                    } else {
                        format!("; {support}")
                    }
                )),
            ),
            Origin::Store => (
                Op::Keep,
                if support.is_empty() {
                    "unchanged".to_string()
                } else {
                    format!("unchanged; confirmed: {support}")
                },
            ),
            Origin::MemoryWrite => (Op::Add, with_notes(format!("written to memory; {support}"))),
            Origin::Session if memory.episodic => {
                (Op::Add, format!("conversation episode; {support}"))
            }
            Origin::Session => {
                let what = memory.found_as.unwrap_or(match memory.kind {
                    Kind::Pitfall => "recurring failure with the same fix",
                    Kind::Workflow => "tool-call sequence recurring in successful sessions",
                    Kind::Preference => "standing instruction from users",
                    Kind::Fact => "fact stated by users",
                    Kind::Insight => "pattern across sessions",
                });
                let merged = if distinct_merged > 0 {
                    format!(
                        "; {distinct_merged} paraphrase{} merged",
                        if distinct_merged == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                };
                (Op::Add, format!("{what}; {support}{merged}"))
            }
        }
    }
}

/// Picks the clearest wording of a cluster: the member that covers most of the words the
/// members agree on (present in at least half of them), then the shortest, then the oldest.
fn clearest<'a>(members: impl Iterator<Item = (usize, &'a Memory)>) -> usize {
    let members: Vec<(usize, &Memory)> = members.collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, m) in &members {
        for f in m.analysis.features() {
            *counts.entry(f).or_default() += 1;
        }
    }
    let core: BTreeSet<&str> = counts
        .iter()
        .filter(|(_, c)| **c * 2 >= members.len())
        .map(|(f, _)| *f)
        .collect();
    members
        .iter()
        .max_by(|(ia, a), (ib, b)| {
            let cover = |m: &Memory| m.analysis.features().filter(|f| core.contains(f)).count();
            cover(a)
                .cmp(&cover(b))
                .then(b.text.len().cmp(&a.text.len()))
                .then(ib.cmp(ia))
        })
        .map(|(i, _)| *i)
        .unwrap_or(0)
}

/// The frame of a statement for contradiction search: its tokens with values (anchors) and
/// polarity words blanked. `None` when it has neither, since then nothing can change.
fn frame_key(text: &str) -> Option<String> {
    let mut has_slot = false;
    let mut key = Vec::new();
    for token in text::frame_tokens(text) {
        if text::is_anchor(&token)
            || text::value_family(&token).is_some()
            || text::is_opposite(&token)
        {
            has_slot = true;
            key.push("#".to_string());
        } else if matches!(
            token.as_str(),
            "always" | "never" | "do" | "don't" | "dont" | "not" | "no"
        ) {
            has_slot = true;
            key.push("~".to_string());
        } else {
            key.push(token);
        }
    }
    // Collapse the markers so "never" and "do not" share a frame.
    key.dedup();
    has_slot.then(|| key.join(" "))
}

/// The words of `text` whose stems are among `stems` or which are among `anchors`, as
/// written and in order, each once: what a report shows of a matched subject.
fn words_as_written(
    text: &str,
    stems: &BTreeSet<String>,
    anchors: &BTreeSet<String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in text::raw_tokens(text) {
        let lower = token.text.to_lowercase();
        let hit = anchors.contains(&lower) || stems.contains(&text::stem(&lower));
        if hit && !out.iter().any(|w| w.eq_ignore_ascii_case(token.text)) {
            out.push(token.text.to_string());
        }
    }
    out
}

/// Words as a list of code spans for a report note: `deploy`, `staging`.
fn code_list<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| format!("`{}`", w.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `older` is known to be older than `newer`: store items (without an as-of time) are
/// older than any session evidence; two session statements are ordered only by their event
/// times, never by file order alone.
fn ordered_in_time(older: &Memory, newer: &Memory) -> bool {
    let from_sessions = |m: &Memory| m.origin != Origin::Store;
    match (from_sessions(older), from_sessions(newer)) {
        // A store item is older than session evidence unless it says when it was true.
        (false, true) => match (older.at, newer.at) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        },
        (true, false) => matches!((older.at, newer.at), (Some(a), Some(b)) if a < b),
        (false, false) => older.seq < newer.seq,
        (true, true) => match (older.at, newer.at) {
            (Some(a), Some(b)) => a < b,
            _ => older.sessions == newer.sessions && older.seq < newer.seq,
        },
    }
}

/// Template keys: sentences that recur in many sessions as part of a block of such sentences
/// (a system prompt, a task template, an instruction file pasted into the first message). A
/// person repeating one instruction across sessions is not a template; a block of them is.
fn template_keys(
    digests: &[SessionDigest],
    limits: &crate::thresholds::Thresholds,
) -> std::collections::HashSet<u64> {
    let mut sessions_of: HashMap<u64, usize> = HashMap::new();
    for digest in digests {
        let keys: BTreeSet<u64> = digest.human_keys.iter().flatten().copied().collect();
        for key in keys {
            *sessions_of.entry(key).or_default() += 1;
        }
    }
    let recurring =
        |key: &u64| sessions_of.get(key).copied().unwrap_or(0) >= limits.template_min_sessions;
    let mut templates = std::collections::HashSet::new();
    for digest in digests {
        for message in &digest.human_keys {
            let block: Vec<u64> = message.iter().copied().filter(|k| recurring(k)).collect();
            if block.len() >= limits.template_min_block {
                templates.extend(block);
            }
        }
    }
    templates
}

/// The instruction-like sentences of every session's harness text, analysed once, with an
/// index from content words to sentences, so a person's statement can be checked against the
/// instructions every session already gets without comparing all pairs.
struct HarnessRules {
    rules: Vec<Analysis>,
    by_word: HashMap<String, Vec<usize>>,
}

impl HarnessRules {
    fn new(digests: &[SessionDigest]) -> HarnessRules {
        let unique: BTreeSet<&str> = digests
            .iter()
            .flat_map(|d| d.harness_rules.iter().map(String::as_str))
            .collect();
        let mut rules = Vec::new();
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for rule in unique {
            let analysis = text::analyze(rule);
            if analysis.is_empty() {
                continue;
            }
            for word in &analysis.word_set {
                by_word.entry(word.clone()).or_default().push(rules.len());
            }
            rules.push(analysis);
        }
        HarnessRules { rules, by_word }
    }

    /// Whether a statement says what a harness instruction already says.
    fn restates(&self, statement: &str) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let analysis = text::analyze(statement);
        let mut seen = BTreeSet::new();
        for word in &analysis.word_set {
            for &rule in self.by_word.get(word).into_iter().flatten() {
                if !seen.insert(rule) {
                    continue;
                }
                let other = &self.rules[rule];
                let covered = analysis.word_set.intersection(&other.word_set).count();
                // Most of the statement's words are in one instruction, with its identifiers.
                if text::same_statement(&analysis, other)
                    || (analysis.anchors.is_subset(&other.anchors)
                        && covered * 4 >= analysis.word_set.len() * 3
                        && covered >= 2)
                {
                    return true;
                }
            }
        }
        false
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

/// Whether `path` is `target` or lies in the folder `target`.
fn under(path: &str, target: &str) -> bool {
    path == target
        || path
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('/') || target.ends_with('/'))
}

/// Scope of a document path: `/agents/<name>/…` belongs to that agent; the rest is the team's.
pub fn scope_of_path(path: &str) -> (Scope, Option<String>) {
    let mut parts = path.trim_start_matches('/').split('/');
    if parts.next() == Some("agents")
        && let (Some(agent), Some(_)) = (parts.next(), parts.next())
    {
        return (Scope::Agent, Some(agent.to_string()));
    }
    (Scope::Team, None)
}

/// Where new memories of a kind and scope are filed.
pub fn default_path(kind: Kind, scope: Scope, agent: Option<&str>) -> String {
    let file = match kind {
        Kind::Fact => "facts.md",
        Kind::Preference => "preferences.md",
        Kind::Pitfall => "pitfalls.md",
        Kind::Workflow => "workflows.md",
        Kind::Insight => "insights.md",
    };
    match (scope, agent) {
        (Scope::Agent, Some(agent)) => format!("/agents/{}/{file}", path_segment(agent)),
        _ => format!("/team/{file}"),
    }
}

/// The heading an episode is filed under: its session and date.
fn episode_heading(digest: &SessionDigest, episode: &crate::digest::Episode) -> String {
    match episode.at.or(digest.first_at) {
        Some(at) => format!("{} ({})", digest.session, at.format("%Y-%m-%d")),
        None => digest.session.clone(),
    }
}

/// Makes an agent name safe as one path segment.
fn path_segment(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(['.', '-']).to_string();
    if cleaned.is_empty() {
        "unknown".to_string()
    } else {
        cleaned
    }
}

fn title_for(path: &str) -> String {
    let (scope, agent) = scope_of_path(path);
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let mut name = stem.replace(['-', '_'], " ");
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + name.get(1..).unwrap_or("");
    }
    match (scope, agent) {
        (Scope::Agent, Some(agent)) => format!("{name} ({agent})"),
        _ if path.starts_with("/team/") => format!("Team {}", name.to_lowercase()),
        _ => name,
    }
}

/// Inserts an item at the end of the section named by `headings` (creating missing headings).
fn insert_under_headings(blocks: &mut Vec<Block>, headings: &[String], item: MarkdownItem) {
    // Find the deepest existing prefix of the heading chain.
    let mut position = blocks.len();
    let mut level_base = 1;
    let mut matched = 0;
    if !headings.is_empty() {
        let mut chain: Vec<(usize, String)> = Vec::new();
        let mut best: Option<(usize, usize, usize)> = None; // (matched, block index, level)
        for (index, block) in blocks.iter().enumerate() {
            if let Block::Heading(h) = block {
                chain.retain(|(l, _)| *l < h.level);
                chain.push((h.level, h.text.clone()));
                let texts: Vec<&str> = chain.iter().map(|(_, t)| t.as_str()).collect();
                // The heading chain may match the item's headings as a suffix (a document
                // title above them does not count against the match).
                for start in 0..texts.len() {
                    let tail = &texts[start..];
                    if tail.len() <= headings.len()
                        && tail.iter().zip(headings).all(|(a, b)| *a == b.as_str())
                        && best.is_none_or(|(m, _, _)| tail.len() > m)
                    {
                        best = Some((tail.len(), index, h.level));
                    }
                }
            }
        }
        if let Some((m, index, level)) = best {
            matched = m;
            level_base = level + 1;
            // End of that heading's section.
            position = blocks[index + 1..]
                .iter()
                .position(|b| matches!(b, Block::Heading(h) if h.level <= level))
                .map_or(blocks.len(), |p| index + 1 + p);
        } else {
            let top = blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Heading(h) => Some(h.level),
                    _ => None,
                })
                .min();
            level_base = top.map_or(1, |l| l + 1);
            if blocks.is_empty() {
                level_base = 1;
            }
        }
    }
    let mut insert = Vec::new();
    for (depth, heading) in headings[matched..].iter().enumerate() {
        insert.push(Block::Heading(markdown::Heading {
            level: (level_base + depth).min(6),
            text: heading.clone(),
        }));
    }
    insert.push(Block::Item(item));
    blocks.splice(position..position, insert);
}

/// Removes headings whose sections hold no items any more.
fn prune_empty_sections(blocks: Vec<Block>) -> Vec<Block> {
    let mut keep = vec![true; blocks.len()];
    for (index, block) in blocks.iter().enumerate() {
        if let Block::Heading(h) = block {
            let has_items = blocks[index + 1..]
                .iter()
                .take_while(|b| !matches!(b, Block::Heading(o) if o.level <= h.level))
                .any(|b| matches!(b, Block::Item(_)));
            keep[index] = has_items;
        }
    }
    blocks
        .into_iter()
        .zip(keep)
        .filter_map(|(b, k)| k.then_some(b))
        .collect()
}

/// Guesses an item's kind from its document path and headings, then from its wording.
pub fn infer_kind(text: &str, path: &str, headings: &[String]) -> Kind {
    let context = format!("{} {}", path, headings.join(" ")).to_lowercase();
    let context_has = |words: &[&str]| words.iter().any(|w| context.contains(w));
    if context_has(&[
        "pitfall",
        "gotcha",
        "quirk",
        "known issue",
        "known-issue",
        "workaround",
        "troubleshoot",
        "mistake",
    ]) {
        return Kind::Pitfall;
    }
    if context_has(&["workflow", "process", "procedure", "runbook", "playbook"]) {
        return Kind::Workflow;
    }
    if context_has(&["insight"]) {
        return Kind::Insight;
    }
    if context_has(&[
        "preference",
        "convention",
        "style",
        "guideline",
        "rules",
        "policy",
        "policies",
        "standards",
    ]) {
        return Kind::Preference;
    }
    let lower = text.to_lowercase();
    if lower.contains('→') || lower.contains(" -> ") || lower.starts_with("workflow") {
        return Kind::Workflow;
    }
    let pitfall_words = [
        "fails",
        "failed",
        "failure",
        "error",
        "errors",
        "doesn't work",
        "does not work",
        "workaround",
        "crash",
        "crashes",
        "breaks",
        "unless",
        "otherwise it",
        "times out",
    ];
    if pitfall_words.iter().any(|w| text::contains_word(&lower, w)) {
        return Kind::Pitfall;
    }
    let preference_starts = [
        "always",
        "never",
        "prefer",
        "don't",
        "do not",
        "use ",
        "avoid",
        "make sure",
        "ensure",
        "run ",
        "keep ",
        "write ",
        "put ",
        "name ",
        "remember",
        "please",
    ];
    if preference_starts.iter().any(|p| lower.starts_with(p))
        || ["always", "never", "prefer", "should", "must"]
            .iter()
            .any(|w| text::contains_word(&lower, w))
    {
        return Kind::Preference;
    }
    if is_temporary(&lower) {
        return Kind::Fact;
    }
    Kind::Fact
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so cluster identity does not depend on pair order.
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.parent[hi] = lo;
        }
    }
}
