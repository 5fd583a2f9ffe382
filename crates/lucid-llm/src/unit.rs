//! Work units: the small pieces of a dream a model gets to see.
//!
//! After the built-in pass, an *item unit* is a cluster of possibly related things it left
//! separate:
//! - draft items (facts, preferences, insights) that share an identifier, a subject, or a good
//!   part of their words but were not merged (paraphrases the duplicate rule cannot see,
//!   contradictions it cannot parse);
//! - candidate statements it dropped (said once, out of focus, not recognised as an update),
//!   as *excerpts*: the user sentences themselves, secret-redacted by the digest, with who said
//!   them and when.
//!
//! Every item and excerpt gets a short id within its unit (`i1`, `e1`) that maps back to the
//! real draft item (document and block) or session events, so verification can check every id
//! a model uses. Excerpts come only from trusted user messages: flagged and untrusted content
//! never reaches a prompt (verification still rejects any text copied from it).
//!
//! Units are deterministic and content-addressed: members are sorted, ids are positions in that
//! order, and the unit id is a hash of what the model sees. A unit whose items and excerpts did
//! not change renders to the same bytes in the next dream, so its cached answer is reused —
//! that is what makes incremental dreaming cheap.
//!
//! After the item units come the *session units* ([`crate::session_unit`]): per-session
//! digests of what people typed, what failed and what followed, and how each session ended, for
//! the lessons no rule sees. Those show untrusted text too, fenced and labelled by channel, and
//! verification checks an add's cited events against their channels. They go last, so a tight
//! token budget spends itself on the cheaper item units first.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lucid_core::curate::{DreamOutput, scope_of_path};
use lucid_core::digest::{SessionDigest, StatementClass};
use lucid_core::instructions::{self, Directives};
use lucid_core::markdown::{self, Block, ItemStyle};
use lucid_core::report::{Change, Evidence, Kind, Op, Scope};
use lucid_core::text::{self, Analysis};
use lucid_core::{Timestamp, Trust, parse_timestamp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use crate::session_unit::UnitEvent;

/// How big units get.
#[derive(Debug, Clone, Copy)]
pub struct UnitLimits {
    /// Draft items in one item unit (default 6).
    pub max_items: usize,
    /// Excerpts in one item unit (default 6).
    pub max_excerpts: usize,
    /// Items longer than this (characters) are left alone (paragraphs, pasted blocks).
    pub max_item_chars: usize,
    /// Characters of one session's digest in a session unit; 0 plans no session units (default
    /// 6,000: long sessions are where lessons hide — on the real corpus, 3,000 left the key terms
    /// of four more expected lessons out of every unit, for 11 % fewer input tokens).
    pub max_session_chars: usize,
    /// Characters of one human turn in a session digest.
    pub max_turn_chars: usize,
    /// Distinct successful steps named on a session digest's outcome line (the last ones to
    /// appear; default 12: a workflow's commands, `cargo llvm-cov` among `cargo test` runs, are
    /// often not among the last five steps).
    pub max_outcome_steps: usize,
    /// Characters of a session unit (session digests packed together).
    pub max_unit_chars: usize,
    /// Session digests in one session unit.
    pub max_sessions_per_unit: usize,
}

impl Default for UnitLimits {
    fn default() -> Self {
        UnitLimits {
            max_items: 6,
            max_excerpts: 6,
            max_item_chars: 400,
            max_session_chars: 6_000,
            max_turn_chars: 600,
            max_outcome_steps: 12,
            max_unit_chars: 12_000,
            max_sessions_per_unit: 12,
        }
    }
}

/// A draft item in a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitItem {
    /// `i1`, `i2`, … within the unit.
    pub id: String,
    /// The item's text as the draft holds it.
    pub text: String,
    /// From its change in the report, else inferred from its text and document.
    pub kind: Kind,
    /// From its change in the report, else from its document's path.
    pub scope: Scope,
    /// The agent of an agent-scope item; `None` for team items.
    pub agent: Option<String>,
    /// The draft document holding it, and its block index there.
    pub path: String,
    /// The index of its block in that document, as `lucid_core::markdown::parse_blocks` numbers
    /// them.
    pub block: usize,
    /// The newest time among its evidence (`None`: only store evidence, older than any session).
    pub latest: Option<Timestamp>,
    /// How many distinct sessions its evidence cites (0: store evidence only).
    pub sessions: usize,
    /// Sorted and deduplicated; a store reference when the report has no change for the item.
    pub evidence: Vec<Evidence>,
    /// Its change in the built-in report (index into `report.changes`).
    pub change: Option<usize>,
}

/// A candidate statement in a unit: a sentence users said, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitExcerpt {
    /// `e1`, `e2`, … within the unit.
    pub id: String,
    /// The sentence as the digest kept it, secrets redacted.
    pub text: String,
    /// What the built-in pass took it for (preference or fact).
    pub kind: Kind,
    /// The agents whose sessions said it, sorted.
    pub agents: Vec<String>,
    /// The newest time among its evidence.
    pub latest: Option<Timestamp>,
    /// How many distinct sessions said it.
    pub sessions: usize,
    /// The session events it was said in, sorted and deduplicated.
    pub evidence: Vec<Evidence>,
    /// Why the built-in pass did not write it (the report's `skipped` reason), when it says.
    pub skipped: Option<String>,
}

/// One work unit: related draft items and dropped statements (an *item unit*), or the digests
/// of a few sessions (a *session unit*, see [`crate::session_unit`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkUnit {
    /// `u` + 12 hex digits of the hash of [`WorkUnit::prompt`].
    pub id: String,
    /// Item units: the draft items shown (ids `i1`, `i2`, …); empty in session units.
    pub items: Vec<UnitItem>,
    /// Item units: the dropped statements shown (ids `e1`, `e2`, …); empty in session units.
    pub excerpts: Vec<UnitExcerpt>,
    /// Session units: the events their digests show (ids `e1`, `e2`, …).
    pub events: Vec<UnitEvent>,
    /// Session units: the digests as the model sees them (empty for item units).
    pub sessions_text: String,
}

impl WorkUnit {
    /// What the model sees of the unit: for item units compact JSON, ids and texts, no paths or
    /// event ids; for session units the rendered session digests.
    pub fn prompt(&self) -> String {
        if self.is_session_unit() {
            return self.sessions_text.clone();
        }
        unit_json(&self.items, &self.excerpts).to_string()
    }

    /// Whether this unit holds session digests.
    pub fn is_session_unit(&self) -> bool {
        !self.sessions_text.is_empty()
    }

    /// The session-unit event with this id (`e3`), if there is one.
    pub fn event(&self, id: &str) -> Option<&UnitEvent> {
        self.events.iter().find(|e| e.id == id)
    }

    /// The item with this id (`i2`), if there is one.
    pub fn item(&self, id: &str) -> Option<&UnitItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The excerpt with this id (`e1`), if there is one.
    pub fn excerpt(&self, id: &str) -> Option<&UnitExcerpt> {
        self.excerpts.iter().find(|e| e.id == id)
    }

    /// The ids a model may use, for error messages.
    pub fn id_list(&self) -> String {
        if let (Some(first), Some(last)) = (self.events.first(), self.events.last()) {
            return if self.events.len() == 1 {
                first.id.clone()
            } else {
                format!("{}–{}", first.id, last.id)
            };
        }
        let ids: Vec<&str> = self
            .items
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.excerpts.iter().map(|e| e.id.as_str()))
            .collect();
        ids.join(", ")
    }
}

/// Text refused by the safety checks somewhere in the dream (the report's flags).
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedText {
    /// The flagged text; a proposal that copies it is rejected.
    pub text: String,
    /// Why it was flagged, as the report says.
    pub reason: String,
    /// Where the text came from.
    pub evidence: Vec<Evidence>,
}

/// Everything the model pass needs from the built-in pass: the units, in the order they are
/// sent, and what verification checks proposals against.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The units in the order they are sent: item units first, session units last.
    pub units: Vec<WorkUnit>,
    /// Every text the built-in pass flagged; no proposal may copy one.
    pub flagged: Vec<FlaggedText>,
    /// Focus and ignore directives parsed from the dream's instructions (none without
    /// instructions).
    pub directives: Directives,
    /// Texts of every live draft item (duplicate checks for `add`).
    pub draft_texts: Vec<String>,
}

fn date(at: &Option<Timestamp>) -> Option<String> {
    at.map(|at| at.format("%Y-%m-%d").to_string())
}

fn unit_json(items: &[UnitItem], excerpts: &[UnitExcerpt]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut object = serde_json::Map::new();
            object.insert("id".into(), json!(item.id));
            object.insert("kind".into(), json!(item.kind.as_str()));
            object.insert(
                "scope".into(),
                json!(match item.scope {
                    Scope::Agent => "agent",
                    Scope::Team => "team",
                }),
            );
            if let Some(agent) = &item.agent {
                object.insert("agent".into(), json!(agent));
            }
            if let Some(date) = date(&item.latest) {
                object.insert("date".into(), json!(date));
            }
            if item.sessions > 0 {
                object.insert("sessions".into(), json!(item.sessions));
            }
            object.insert("text".into(), json!(item.text));
            Value::Object(object)
        })
        .collect();
    let excerpts: Vec<Value> = excerpts
        .iter()
        .map(|excerpt| {
            let mut object = serde_json::Map::new();
            object.insert("id".into(), json!(excerpt.id));
            object.insert("agents".into(), json!(excerpt.agents));
            if let Some(date) = date(&excerpt.latest) {
                object.insert("date".into(), json!(date));
            }
            object.insert("sessions".into(), json!(excerpt.sessions));
            if let Some(reason) = &excerpt.skipped {
                object.insert("skipped".into(), json!(reason));
            }
            object.insert("text".into(), json!(excerpt.text));
            Value::Object(object)
        })
        .collect();
    let mut object = serde_json::Map::new();
    if !items.is_empty() {
        object.insert("items".into(), Value::Array(items));
    }
    if !excerpts.is_empty() {
        object.insert("excerpts".into(), Value::Array(excerpts));
    }
    Value::Object(object)
}

/// The time of a piece of evidence, if it has one.
pub fn evidence_time(evidence: &Evidence) -> Option<Timestamp> {
    match evidence {
        Evidence::Event { at: Some(at), .. } => parse_timestamp(at),
        _ => None,
    }
}

fn latest_of(evidence: &[Evidence]) -> Option<Timestamp> {
    evidence.iter().filter_map(evidence_time).max()
}

fn sessions_of(evidence: &[Evidence]) -> usize {
    evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Event { session, .. } => Some(session.as_str()),
            Evidence::Store { .. } => None,
        })
        .collect::<BTreeSet<_>>()
        .len()
}

/// Documents the built-in curator curates item by item (others are copied untouched).
pub fn is_curatable(path: &str) -> bool {
    let name = lucid_core::tools::file_name(path).to_ascii_lowercase();
    match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => matches!(ext, "md" | "markdown" | "txt" | "mdx"),
    }
}

/// The terms of a text that relate it to others: its analysis and, when it reads as "subject is
/// value", the subject's words.
struct Terms {
    analysis: Analysis,
    subject: Option<BTreeSet<String>>,
}

impl Terms {
    fn of(text: &str) -> Terms {
        Terms {
            analysis: text::analyze(text),
            subject: text::slot(text)
                .map(|slot| slot.subject)
                .filter(|subject| !subject.is_empty()),
        }
    }
}

/// A live draft item with what the report says about it.
struct DraftItem {
    text: String,
    path: String,
    block: usize,
    kind: Kind,
    scope: Scope,
    agent: Option<String>,
    evidence: Vec<Evidence>,
    eligible: bool,
    terms: Terms,
    change: Option<usize>,
}

/// The draft's items, each matched to its change in the report (by document and text).
fn draft_items(output: &DreamOutput, limits: &UnitLimits) -> Vec<DraftItem> {
    let mut by_place: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (index, change) in output.report.changes.iter().enumerate() {
        if matches!(change.op, Op::Flag | Op::Remove) {
            continue;
        }
        if let Some(path) = &change.path {
            by_place
                .entry((path.clone(), change.text.clone()))
                .or_default()
                .push(index);
        }
    }
    let mut items = Vec::new();
    for document in &output.draft.documents {
        if !is_curatable(&document.path) {
            continue;
        }
        for (block, parsed) in markdown::parse_blocks(&document.content)
            .into_iter()
            .enumerate()
        {
            let Block::Item(item) = parsed else { continue };
            let change_index = by_place
                .get_mut(&(document.path.clone(), item.text.clone()))
                .and_then(|changes| (!changes.is_empty()).then(|| changes.remove(0)));
            let change: Option<&Change> = change_index.map(|i| &output.report.changes[i]);
            let (kind, scope, agent, evidence) = match change {
                Some(change) => (
                    change.kind,
                    change.scope,
                    change.agent.clone(),
                    change.evidence.clone(),
                ),
                None => {
                    let (scope, agent) = scope_of_path(&document.path);
                    (
                        lucid_core::curate::infer_kind(&item.text, &document.path, &item.headings),
                        scope,
                        agent,
                        vec![Evidence::Store {
                            store_path: document.path.clone(),
                        }],
                    )
                }
            };
            let eligible = matches!(kind, Kind::Fact | Kind::Preference | Kind::Insight)
                && !matches!(item.style, ItemStyle::Verbatim)
                && !document.path.starts_with("/episodes/")
                && item.text.chars().count() <= limits.max_item_chars
                && !item.text.contains('\n');
            items.push(DraftItem {
                terms: Terms::of(&item.text),
                text: item.text,
                path: document.path.clone(),
                block,
                kind,
                scope,
                agent,
                evidence,
                eligible,
                change: change_index,
            });
        }
    }
    items
}

/// A statement the built-in pass did not keep, grouped over sessions.
struct Candidate {
    text: String,
    kind: Kind,
    agents: BTreeSet<String>,
    evidence: Vec<Evidence>,
    terms: Terms,
    /// The built-in pass's reason for leaving it out, when its report gives one.
    skipped: Option<String>,
    /// Offered only beside an item it bears on (a statement the gate skipped), never alone.
    bears_on_item: bool,
}

/// Terms shared by two analyses: (anchors, content words).
fn shared(a: &Analysis, b: &Analysis) -> (usize, usize) {
    (
        a.anchors.intersection(&b.anchors).count(),
        a.word_set.intersection(&b.word_set).count(),
    )
}

/// Whether two texts bear on each other enough to be shown together, and how strongly.
fn relatedness(a: &Terms, b: &Terms) -> Option<f64> {
    let (anchors, words) = shared(&a.analysis, &b.analysis);
    let jaccard = text::jaccard(&a.analysis.word_set, &b.analysis.word_set);
    let same_subject = a.subject.is_some() && a.subject == b.subject;
    // Two shared words are enough when they are a sixth of the words: paraphrases of one fact
    // share few ("Generated files such as .coverage and __pycache__ belong in .gitignore." and
    // "Add coverage output and Python bytecode caches to .gitignore …" share two of twelve),
    // and the model, not this score, decides whether they say the same. Common words never link
    // (the term index skips them).
    let related = anchors >= 1 || same_subject || (words >= 2 && jaccard >= 0.15);
    related.then(|| 2.0 * anchors as f64 + words as f64 + jaccard + f64::from(same_subject))
}

/// An inverted index over terms (anchors and content words) that skips terms too common to
/// mean anything, so candidate pairs come from shared rare terms instead of all pairs.
struct TermIndex {
    postings: HashMap<String, Vec<usize>>,
    cap: usize,
}

impl TermIndex {
    fn new(entries: &[&Terms]) -> TermIndex {
        let mut postings: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, terms) in entries.iter().enumerate() {
            let analysis = &terms.analysis;
            for term in analysis.word_set.iter().chain(analysis.anchors.iter()) {
                postings.entry(term.clone()).or_default().push(index);
            }
        }
        let cap = (entries.len() / 10).max(12);
        TermIndex { postings, cap }
    }

    /// Entries sharing at least one uncommon term with `analysis`, sorted.
    fn neighbours(&self, terms: &Terms) -> Vec<usize> {
        let analysis = &terms.analysis;
        let mut out = BTreeSet::new();
        for term in analysis.word_set.iter().chain(analysis.anchors.iter()) {
            if let Some(list) = self.postings.get(term)
                && list.len() <= self.cap
            {
                out.extend(list.iter().copied());
            }
        }
        out.into_iter().collect()
    }
}

struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, x: usize) -> usize {
        let mut root = x;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut node = x;
        while self.parent[node] != root {
            let next = self.parent[node];
            self.parent[node] = root;
            node = next;
        }
        root
    }

    /// Joins the sets of `a` and `b` if the result stays within `cap` members.
    fn union_capped(&mut self, a: usize, b: usize, cap: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb || self.size[ra] + self.size[rb] > cap {
            return false;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big;
        self.size[big] += self.size[small];
        true
    }
}

/// Clusters entries by relatedness, strongest links first, no cluster above `cap`. Returns
/// clusters of entry indexes (each sorted), in order of their smallest member.
fn cluster(entries: &[&Terms], cap: usize, keep_apart: bool) -> Vec<Vec<usize>> {
    let index = TermIndex::new(entries);
    let mut links: Vec<(f64, usize, usize)> = Vec::new();
    for (a, terms) in entries.iter().enumerate() {
        for b in index.neighbours(terms) {
            if b <= a {
                continue;
            }
            // The built-in pass keeps look-alikes (the same sentence about two things) apart
            // on purpose; they are not a paraphrase to show a model.
            if keep_apart && text::look_alike(&terms.analysis, &entries[b].analysis) {
                continue;
            }
            if let Some(score) = relatedness(terms, entries[b]) {
                links.push((score, a, b));
            }
        }
    }
    links.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut union = UnionFind::new(entries.len());
    for (_, a, b) in links {
        union.union_capped(a, b, cap);
    }
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..entries.len() {
        let root = union.find(i);
        clusters.entry(root).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = clusters.into_values().collect();
    out.sort_by_key(|members| members[0]);
    out
}

fn sha_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds a unit from its members: sorts them, numbers them, hashes what the model sees.
fn make_unit(items: Vec<&DraftItem>, candidates: Vec<&Candidate>) -> WorkUnit {
    let mut items: Vec<UnitItem> = items
        .into_iter()
        .map(|item| {
            let mut evidence = item.evidence.clone();
            evidence.sort();
            evidence.dedup();
            UnitItem {
                id: String::new(),
                text: item.text.clone(),
                kind: item.kind,
                scope: item.scope,
                agent: item.agent.clone(),
                path: item.path.clone(),
                block: item.block,
                latest: latest_of(&evidence),
                sessions: sessions_of(&evidence),
                evidence,
                change: item.change,
            }
        })
        .collect();
    items.sort_by(|a, b| (&a.text, &a.path, a.block).cmp(&(&b.text, &b.path, b.block)));
    for (n, item) in items.iter_mut().enumerate() {
        item.id = format!("i{}", n + 1);
    }
    let mut excerpts: Vec<UnitExcerpt> = candidates
        .into_iter()
        .map(|candidate| {
            let mut evidence = candidate.evidence.clone();
            evidence.sort();
            evidence.dedup();
            UnitExcerpt {
                id: String::new(),
                text: candidate.text.clone(),
                kind: candidate.kind,
                agents: candidate.agents.iter().cloned().collect(),
                latest: latest_of(&evidence),
                sessions: sessions_of(&evidence),
                evidence,
                skipped: candidate.skipped.clone(),
            }
        })
        .collect();
    excerpts.sort_by(|a, b| (a.latest, &a.text).cmp(&(b.latest, &b.text)));
    for (n, excerpt) in excerpts.iter_mut().enumerate() {
        excerpt.id = format!("e{}", n + 1);
    }
    let prompt = unit_json(&items, &excerpts).to_string();
    WorkUnit {
        id: format!("u{}", &sha_hex(&prompt)[..12]),
        items,
        excerpts,
        ..WorkUnit::default()
    }
}

/// Collects the statements the built-in pass did not keep: trusted user sentences whose text
/// is not in the draft, was not merged or superseded into a draft item, does not say the same
/// as a draft item, carries no secret, and is not something the instructions say to ignore.
fn dropped_candidates(
    digests: &[SessionDigest],
    items: &[DraftItem],
    absorbed: &BTreeSet<&str>,
    skipped: &BTreeMap<&str, &str>,
    directives: &Directives,
) -> Vec<Candidate> {
    let mut by_text: BTreeMap<(String, u8), Candidate> = BTreeMap::new();
    for digest in digests {
        for statement in &digest.statements {
            if statement.evidence.trust != Trust::Trusted {
                continue;
            }
            let kind = match statement.class {
                StatementClass::Preference => Kind::Preference,
                StatementClass::Fact => Kind::Fact,
            };
            let entry = by_text
                .entry((statement.text.clone(), kind as u8))
                .or_insert_with(|| Candidate {
                    text: statement.text.clone(),
                    kind,
                    agents: BTreeSet::new(),
                    evidence: Vec::new(),
                    terms: Terms::of(&statement.text),
                    skipped: skipped
                        .get(statement.text.as_str())
                        .map(|reason| reason.to_string()),
                    bears_on_item: false,
                });
            entry.agents.insert(digest.agent.clone());
            entry
                .evidence
                .push(statement.evidence.evidence(&digest.session));
        }
    }
    let entries: Vec<&Terms> = items.iter().map(|i| &i.terms).collect();
    let index = TermIndex::new(&entries);
    // What the gate skipped (a question, a one-session instruction, a sentence about the task)
    // is offered too, but only beside the items it bears on: there the model can tell whether
    // it makes an item out of date. Alone it stays in the session units' turns.
    let mut skipped_by_text: BTreeMap<String, Candidate> = BTreeMap::new();
    for digest in digests {
        for statement in &digest.skipped {
            if statement.evidence.trust != Trust::Trusted
                || by_text.contains_key(&(statement.text.clone(), Kind::Fact as u8))
                || by_text.contains_key(&(statement.text.clone(), Kind::Preference as u8))
            {
                continue;
            }
            let entry = skipped_by_text
                .entry(statement.text.clone())
                .or_insert_with(|| Candidate {
                    text: statement.text.clone(),
                    kind: Kind::Fact,
                    agents: BTreeSet::new(),
                    evidence: Vec::new(),
                    terms: Terms::of(&statement.text),
                    skipped: Some(statement.reason.clone()),
                    bears_on_item: true,
                });
            entry.agents.insert(digest.agent.clone());
            entry
                .evidence
                .push(statement.evidence.evidence(&digest.session));
        }
    }
    by_text
        .into_values()
        .chain(skipped_by_text.into_values())
        .filter(|candidate| {
            let analysis = &candidate.terms.analysis;
            !absorbed.contains(candidate.text.as_str())
                && !analysis.is_empty()
                && !lucid_safety::contains_secret(&candidate.text)
                && directives
                    .ignores(candidate.kind, &candidate.text, analysis)
                    .is_none()
                && !index
                    .neighbours(&candidate.terms)
                    .into_iter()
                    .any(|i| text::same_statement(&items[i].terms.analysis, analysis))
        })
        .collect()
}

/// Splits a sorted list into chunks whose boundaries depend only on the members themselves
/// (a member whose hash ends in a zero nibble closes a chunk, as does a full chunk), so adding
/// one member changes only the chunk it lands in, not every chunk after it.
fn content_defined_chunks<T>(members: Vec<(String, T)>, max: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    for (key, member) in members {
        current.push(member);
        let boundary = sha_hex(&key).ends_with(['0', '8']);
        if boundary || current.len() >= max {
            chunks.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Plans the model pass over a finished built-in dream.
pub fn plan(
    output: &DreamOutput,
    digests: &[SessionDigest],
    instructions: Option<&str>,
    limits: &UnitLimits,
) -> Plan {
    let directives = instructions.map(instructions::parse).unwrap_or_default();
    let items = draft_items(output, limits);
    let mut absorbed: BTreeSet<&str> = BTreeSet::new();
    for change in &output.report.changes {
        absorbed.insert(change.text.as_str());
        absorbed.extend(change.replaces.iter().map(String::as_str));
        absorbed.extend(change.superseded.iter().map(String::as_str));
    }
    // Why the built-in pass left a statement out ("said in one session without a standing
    // marker"): the model judges what the rules could not, so it is told what they saw.
    let skipped: BTreeMap<&str, &str> = output
        .report
        .skipped
        .iter()
        .map(|s| (s.text.as_str(), s.reason.as_str()))
        .collect();
    let candidates = dropped_candidates(digests, &items, &absorbed, &skipped, &directives);

    // 1. Clusters of related eligible draft items.
    let eligible: Vec<usize> = (0..items.len()).filter(|&i| items[i].eligible).collect();
    let entries: Vec<&Terms> = eligible.iter().map(|&i| &items[i].terms).collect();
    let item_clusters: Vec<Vec<usize>> = cluster(&entries, limits.max_items, true)
        .into_iter()
        .map(|members| members.into_iter().map(|p| eligible[p]).collect())
        .collect();
    let mut cluster_of: HashMap<usize, usize> = HashMap::new();
    for (c, members) in item_clusters.iter().enumerate() {
        for &i in members {
            cluster_of.insert(i, c);
        }
    }

    // 2. Each dropped candidate goes with the cluster of the item it bears on most.
    let index = TermIndex::new(&entries);
    let mut attached: Vec<Vec<(f64, usize)>> = vec![Vec::new(); item_clusters.len()];
    let mut loose: Vec<usize> = Vec::new();
    for (c, candidate) in candidates.iter().enumerate() {
        let best = index
            .neighbours(&candidate.terms)
            .into_iter()
            .filter_map(|p| relatedness(&candidate.terms, entries[p]).map(|s| (s, p)))
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        match best {
            Some((score, p)) => attached[cluster_of[&eligible[p]]].push((score, c)),
            None if candidate.bears_on_item => {}
            None => loose.push(c),
        }
    }

    let mut item_units = Vec::new();
    for (c, members) in item_clusters.iter().enumerate() {
        let mut excerpts = std::mem::take(&mut attached[c]);
        excerpts.sort_by(|x, y| {
            y.0.total_cmp(&x.0)
                .then(candidates[x.1].text.cmp(&candidates[y.1].text))
        });
        // What does not fit is offered on its own below.
        for (_, extra) in excerpts.split_off(excerpts.len().min(limits.max_excerpts)) {
            if !candidates[extra].bears_on_item {
                loose.push(extra);
            }
        }
        if members.len() < 2 && excerpts.is_empty() {
            continue;
        }
        item_units.push(make_unit(
            members.iter().map(|&i| &items[i]).collect(),
            excerpts.iter().map(|&(_, c)| &candidates[c]).collect(),
        ));
    }

    // 3. Candidates that bear on no item: clustered among themselves, small clusters packed
    // into units by content-defined chunking.
    loose.sort_unstable();
    let loose_entries: Vec<&Terms> = loose.iter().map(|&c| &candidates[c].terms).collect();
    let loose_clusters = cluster(&loose_entries, limits.max_excerpts, false);
    let mut keyed: Vec<(String, Vec<usize>)> = loose_clusters
        .into_iter()
        .map(|members| {
            let members: Vec<usize> = members.into_iter().map(|p| loose[p]).collect();
            let key = members
                .iter()
                .map(|&c| candidates[c].text.as_str())
                .min()
                .unwrap_or("")
                .to_string();
            (key, members)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut candidate_units = Vec::new();
    let mut pending: Vec<(String, Vec<usize>)> = Vec::new();
    for (key, members) in keyed {
        if members.len() >= 3 {
            candidate_units.push(make_unit(
                Vec::new(),
                members.iter().map(|&c| &candidates[c]).collect(),
            ));
        } else {
            pending.push((key, members));
        }
    }
    for chunk in content_defined_chunks(pending, 3) {
        let members: Vec<&Candidate> = chunk
            .into_iter()
            .flatten()
            .map(|c| &candidates[c])
            .collect();
        candidate_units.push(make_unit(Vec::new(), members));
    }

    let mut units = item_units;
    units.sort_by(|a, b| a.id.cmp(&b.id));
    candidate_units.sort_by(|a, b| a.id.cmp(&b.id));
    units.extend(candidate_units);
    // 4. Session units last: the budget serves the cheaper item units first.
    units.extend(crate::session_unit::session_units(digests, limits));

    let flagged = output
        .report
        .changes
        .iter()
        .filter(|c| c.op == Op::Flag)
        .map(|c| FlaggedText {
            text: c.text.clone(),
            reason: c.reason.clone(),
            evidence: c.evidence.clone(),
        })
        .collect();
    Plan {
        units,
        flagged,
        directives,
        draft_texts: items.iter().map(|i| i.text.clone()).collect(),
    }
}
