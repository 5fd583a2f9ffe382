//! Selective promote: the input store plus the accepted changes of a dream, and nothing else.
//!
//! A reviewer accepts some changes and rejects others. The promoted store is built from the
//! **input store**, not by undoing edits on the draft, so a rejected change leaves its items
//! exactly as they were, in place: a rejected add is not added, a rejected merge keeps the
//! originals, a rejected supersede keeps the old value, a rejected remove keeps the item.
//!
//! Changes depend on each other through their texts: a change that consumes the text another
//! produced (a supersede of an item a merge wrote, the removal of an added item) depends on it.
//! Rejecting a change rejects its dependents (listed in the result); accepting a dependent
//! without its parent is an error naming the parent. Items holding a secret never survive,
//! whatever was accepted: the input store may hold one the dream flagged.

use std::collections::{BTreeMap, BTreeSet};

use crate::markdown::{Block, ItemStyle, MarkdownItem, parse_blocks, render_blocks};
use crate::report::{Change, Op, Report};
use crate::{SafetyPolicy, Store, StoreDocument};

/// Which changes a reviewer keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every change (the draft as the dream wrote it).
    All,
    /// Only these changes (by id).
    Accept(BTreeSet<String>),
    /// Every change but these (and their dependents).
    Reject(BTreeSet<String>),
}

impl Selection {
    /// The selection of command-line lists of ids (blanks ignored): `reject` when it names
    /// any, else `accept`.
    pub fn from_lists(accept: &[String], reject: &[String]) -> Selection {
        let ids = |list: &[String]| -> BTreeSet<String> {
            list.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        if reject.iter().any(|s| !s.trim().is_empty()) {
            Selection::Reject(ids(reject))
        } else {
            Selection::Accept(ids(accept))
        }
    }
}

/// Why a selection cannot be applied. Nothing is built when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// A selection names an id no change of the report has.
    #[error("no change with id {id} in this dream's report")]
    UnknownChange {
        /// The id as given.
        id: String,
    },
    /// An accepted change depends on a change that was not accepted.
    #[error(
        "change {id} depends on {parent} (it rewrites the text {parent} writes); accept {parent} \
         too, or leave {id} out"
    )]
    MissingParent {
        /// The accepted change.
        id: String,
        /// The change it depends on, which the selection left out.
        parent: String,
    },
    /// A change has no id: the report was written by a lucid older than change ids, so the dream
    /// must be run again.
    #[error("the report's changes have no ids; it was written by an older lucid, dream again")]
    NoIds,
}

/// The documents one accepted change rewrote: (path, content), `None` when the change left
/// the document without items (it is then not in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeStep {
    /// The accepted change's id (`chg_…`).
    pub change_id: String,
    /// Each document it rewrote, sorted by path, with its new content.
    pub documents: Vec<(String, Option<String>)>,
}

/// The store a selection gives, and what was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// The promoted store: the input store with the accepted changes applied and items holding a
    /// secret left out.
    pub store: Store,
    /// The input store the selection starts from, as written out: items holding a secret left
    /// out. `base` with every step applied in order is `store`.
    pub base: Store,
    /// Each accepted change that rewrote a document, in report order, with what it wrote, so a
    /// service can record each change as its own version.
    pub steps: Vec<ChangeStep>,
    /// Ids of the changes applied, in report order (`keep` and `flag` changes are never listed).
    pub accepted: Vec<String>,
    /// Ids of the changes not applied, rejected dependents included, in report order (`keep` and
    /// `flag` changes are never listed).
    pub rejected: Vec<String>,
    /// Changes rejected because a change they depend on was: (dependent, parent).
    pub rejected_dependents: Vec<(String, String)>,
    /// Items of the input store dropped because they hold a secret.
    pub secrets_dropped: usize,
}

/// The changes that write an item: everything but `remove`, `keep` and `flag`.
fn writes(change: &Change) -> bool {
    matches!(change.op, Op::Add | Op::Merge | Op::Supersede)
}

/// For each change, the changes it depends on (by index).
pub fn dependencies(changes: &[Change]) -> Vec<Vec<usize>> {
    let mut writer_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, change) in changes.iter().enumerate() {
        if writes(change) {
            writer_of.entry(change.text.as_str()).or_insert(i);
        }
    }
    changes
        .iter()
        .enumerate()
        .map(|(i, change)| {
            let consumed: Vec<&str> = match change.op {
                Op::Merge | Op::Supersede => change.replaces.iter().map(String::as_str).collect(),
                Op::Remove => vec![change.text.as_str()],
                _ => Vec::new(),
            };
            let mut parents: Vec<usize> = consumed
                .iter()
                .filter_map(|text| writer_of.get(text).copied())
                .filter(|&p| p != i)
                .collect();
            parents.sort_unstable();
            parents.dedup();
            parents
        })
        .collect()
}

/// Builds the store `selection` gives from `input` and `report`.
pub fn apply_selection(
    input: &Store,
    report: &Report,
    selection: &Selection,
    safety: &SafetyPolicy,
) -> Result<Selected, SelectionError> {
    let changes = &report.changes;
    if changes.iter().any(|c| c.id.is_empty()) {
        return Err(SelectionError::NoIds);
    }
    let index_of: BTreeMap<&str, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let named = match selection {
        Selection::All => BTreeSet::new(),
        Selection::Accept(ids) | Selection::Reject(ids) => ids.clone(),
    };
    for id in &named {
        if !index_of.contains_key(id.as_str()) {
            return Err(SelectionError::UnknownChange { id: id.clone() });
        }
    }
    let parents = dependencies(changes);
    let mut accepted = vec![false; changes.len()];
    let mut rejected_dependents = Vec::new();
    match selection {
        Selection::All => accepted.iter_mut().for_each(|a| *a = true),
        Selection::Accept(ids) => {
            for id in ids {
                accepted[index_of[id.as_str()]] = true;
            }
            for (i, change) in changes.iter().enumerate() {
                if !accepted[i] {
                    continue;
                }
                if let Some(&parent) = parents[i].iter().find(|&&p| !accepted[p]) {
                    return Err(SelectionError::MissingParent {
                        id: change.id.clone(),
                        parent: changes[parent].id.clone(),
                    });
                }
            }
        }
        Selection::Reject(ids) => {
            accepted.iter_mut().for_each(|a| *a = true);
            for id in ids {
                accepted[index_of[id.as_str()]] = false;
            }
            // Rejection flows to dependents, in report order until nothing changes (a chain
            // of dependents is short).
            let mut changed = true;
            while changed {
                changed = false;
                for i in 0..changes.len() {
                    if !accepted[i] {
                        continue;
                    }
                    if let Some(&parent) = parents[i].iter().find(|&&p| !accepted[p]) {
                        accepted[i] = false;
                        changed = true;
                        rejected_dependents
                            .push((changes[i].id.clone(), changes[parent].id.clone()));
                    }
                }
            }
        }
    }

    let mut builder = StoreBuilder::new(input);
    let base = builder.snapshot(safety).0;
    let mut written: BTreeMap<String, String> = base
        .documents
        .iter()
        .map(|d| (d.path.clone(), d.content.clone()))
        .collect();
    let mut steps = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        if !accepted[i] {
            continue;
        }
        builder.apply(change);
        let mut documents = Vec::new();
        for (path, content) in builder.take_dirty(safety) {
            if written.get(&path) != content.as_ref() {
                match &content {
                    Some(text) => written.insert(path.clone(), text.clone()),
                    None => written.remove(&path),
                };
                documents.push((path, content));
            }
        }
        if !documents.is_empty() {
            documents.sort();
            steps.push(ChangeStep {
                change_id: change.id.clone(),
                documents,
            });
        }
    }
    let (store, secrets_dropped) = builder.snapshot(safety);
    let ids = |keep: bool| -> Vec<String> {
        changes
            .iter()
            .enumerate()
            .filter(|(i, c)| accepted[*i] == keep && !matches!(c.op, Op::Keep | Op::Flag))
            .map(|(_, c)| c.id.clone())
            .collect()
    };
    Ok(Selected {
        store,
        base,
        steps,
        accepted: ids(true),
        rejected: ids(false),
        rejected_dependents,
        secrets_dropped,
    })
}

/// The input store's documents as blocks, edited change by change.
struct StoreBuilder {
    documents: Vec<(String, Vec<Block>)>,
    /// Documents kept as they are (not Markdown items: front matter only, or uncurated files).
    verbatim: BTreeSet<String>,
    /// Documents edited since the last [`StoreBuilder::take_dirty`] (indexes).
    dirty: BTreeSet<usize>,
}

use crate::text::collapse_whitespace as collapse;

fn bullet(text: &str) -> Block {
    Block::Item(MarkdownItem {
        style: ItemStyle::Bullet('-'),
        text: text.to_string(),
        headings: Vec::new(),
    })
}

impl StoreBuilder {
    fn new(input: &Store) -> StoreBuilder {
        let mut verbatim = BTreeSet::new();
        let documents = input
            .documents
            .iter()
            .map(|doc| {
                if !is_markdown(&doc.path) {
                    verbatim.insert(doc.path.clone());
                }
                (doc.path.clone(), parse_blocks(&doc.content))
            })
            .collect();
        StoreBuilder {
            documents,
            verbatim,
            dirty: BTreeSet::new(),
        }
    }

    /// Where an item with this text is: (document, block).
    fn find(&self, text: &str) -> Option<(usize, usize)> {
        let wanted = collapse(text);
        self.documents
            .iter()
            .enumerate()
            .find_map(|(d, (_, blocks))| {
                blocks
                    .iter()
                    .position(|b| match b {
                        Block::Item(item) => {
                            item.style != ItemStyle::Verbatim && collapse(&item.text) == wanted
                        }
                        Block::Heading(_) => false,
                    })
                    .map(|b| (d, b))
            })
    }

    fn document(&mut self, path: &str) -> usize {
        if let Some(i) = self.documents.iter().position(|(p, _)| p == path) {
            return i;
        }
        self.documents.push((path.to_string(), Vec::new()));
        self.documents.len() - 1
    }

    fn push(&mut self, d: usize, block: Block) {
        self.dirty.insert(d);
        self.documents[d].1.push(block);
    }

    fn insert(&mut self, d: usize, b: usize, block: Block) {
        self.dirty.insert(d);
        self.documents[d].1.insert(b, block);
    }

    fn remove(&mut self, text: &str) -> Option<(usize, usize)> {
        let (d, b) = self.find(text)?;
        self.dirty.insert(d);
        self.documents[d].1.remove(b);
        Some((d, b))
    }

    /// Removes an item with this text from the document at `path` only.
    fn remove_in(&mut self, path: &str, text: &str) -> Option<(usize, usize)> {
        let wanted = collapse(text);
        let d = self.documents.iter().position(|(p, _)| p == path)?;
        let b = self.documents[d].1.iter().position(|b| match b {
            Block::Item(item) => {
                item.style != ItemStyle::Verbatim && collapse(&item.text) == wanted
            }
            Block::Heading(_) => false,
        })?;
        self.dirty.insert(d);
        self.documents[d].1.remove(b);
        Some((d, b))
    }

    fn apply(&mut self, change: &Change) {
        match change.op {
            Op::Keep | Op::Flag => {}
            Op::Remove => {
                self.remove(&change.text);
            }
            Op::Add => {
                if self.find(&change.text).is_none() {
                    let path = change.path.as_deref().unwrap_or("/memories.md");
                    let d = self.document(path);
                    self.push(d, bullet(&change.text));
                }
            }
            Op::Merge | Op::Supersede => {
                // The new text takes the place of the first original found; the others go.
                let mut place: Option<(usize, usize)> = None;
                for old in &change.replaces {
                    if collapse(old) == collapse(&change.text) {
                        continue;
                    }
                    while let Some(at) = self.remove(old) {
                        place.get_or_insert(at);
                    }
                }
                // Identical copies merged from other documents are not in `replaces` (the
                // text is the same); the evidence names their documents.
                if change.op == Op::Merge {
                    for evidence in &change.evidence {
                        let crate::report::Evidence::Store { store_path } = evidence else {
                            continue;
                        };
                        if Some(store_path.as_str()) == change.path.as_deref() {
                            continue;
                        }
                        while let Some(at) = self.remove_in(store_path, &change.text) {
                            place.get_or_insert(at);
                        }
                    }
                }
                if self.find(&change.text).is_some() {
                    return;
                }
                match place {
                    Some((d, b)) => {
                        let b = b.min(self.documents[d].1.len());
                        self.insert(d, b, bullet(&change.text));
                    }
                    None => {
                        let path = change.path.as_deref().unwrap_or("/memories.md");
                        let d = self.document(path);
                        self.push(d, bullet(&change.text));
                    }
                }
            }
        }
    }

    /// One document as written out: `None` when it holds no item (it is then left out), and
    /// how many items holding a secret were dropped from it.
    fn render(&self, d: usize, safety: &SafetyPolicy) -> (Option<String>, usize) {
        let (path, blocks) = &self.documents[d];
        if self.verbatim.contains(path) {
            let content = render_blocks(blocks);
            return (Some(safety.redact(&content).text.into_owned()), 0);
        }
        let kept: Vec<Block> = blocks
            .iter()
            .filter(|b| match b {
                Block::Item(item) => !safety.contains_secret(&item.text),
                Block::Heading(_) => true,
            })
            .cloned()
            .collect();
        let dropped = blocks.len() - kept.len();
        let has_items = kept.iter().any(|b| matches!(b, Block::Item(_)));
        (has_items.then(|| render_blocks(&kept)), dropped)
    }

    /// The documents edited since the last call, as written out now.
    fn take_dirty(&mut self, safety: &SafetyPolicy) -> Vec<(String, Option<String>)> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .map(|d| (self.documents[d].0.clone(), self.render(d, safety).0))
            .collect()
    }

    /// The store as it stands, and how many items holding a secret were left out.
    fn snapshot(&self, safety: &SafetyPolicy) -> (Store, usize) {
        let mut dropped = 0;
        let documents = (0..self.documents.len())
            .filter_map(|d| {
                let (content, secrets) = self.render(d, safety);
                dropped += secrets;
                content.map(|content| StoreDocument {
                    path: self.documents[d].0.clone(),
                    content,
                    updated_at: None,
                    as_of: None,
                })
            })
            .collect();
        (Store::new(documents), dropped)
    }
}

fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".txt")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Evidence, Kind, Scope};

    fn change(op: Op, path: &str, text: &str, replaces: &[&str]) -> Change {
        Change {
            id: String::new(),
            op,
            kind: Kind::Fact,
            scope: Scope::Team,
            agent: None,
            path: Some(path.to_string()),
            text: text.to_string(),
            replaces: replaces.iter().map(|s| s.to_string()).collect(),
            superseded: Vec::new(),
            reason: "test".into(),
            evidence: vec![Evidence::Store {
                store_path: path.to_string(),
            }],
        }
    }

    fn input() -> Store {
        Store::new(vec![StoreDocument {
            path: "/team/facts.md".into(),
            content: "# Facts\n\n- The staging host is db-2.internal.\n- CI runs on arm64.\n- \
                      CI runs on arm64 runners.\n- The wiki lives at wiki.example.\n"
                .into(),
            updated_at: None,
            as_of: None,
        }])
    }

    fn report() -> Report {
        let mut report = Report::failed("builtin", String::new(), Default::default());
        report.changes = vec![
            change(
                Op::Merge,
                "/team/facts.md",
                "CI runs on arm64 runners.",
                &["CI runs on arm64."],
            ),
            change(
                Op::Supersede,
                "/team/facts.md",
                "The staging host is db-3.internal.",
                &["The staging host is db-2.internal."],
            ),
            change(
                Op::Remove,
                "/team/facts.md",
                "The wiki lives at wiki.example.",
                &[],
            ),
            change(Op::Add, "/team/preferences.md", "Use pnpm, never npm.", &[]),
            change(
                Op::Supersede,
                "/team/facts.md",
                "CI runs on arm64 runners in eu-west-1.",
                &["CI runs on arm64 runners."],
            ),
        ];
        report.count_changes();
        report
    }

    fn items(store: &Store) -> BTreeSet<(String, String)> {
        store
            .documents
            .iter()
            .flat_map(|d| {
                parse_blocks(&d.content)
                    .into_iter()
                    .filter_map(move |b| match b {
                        Block::Item(i) => Some((d.path.clone(), i.text)),
                        Block::Heading(_) => None,
                    })
            })
            .collect()
    }

    fn ids(report: &Report, which: &[usize]) -> BTreeSet<String> {
        which
            .iter()
            .map(|&i| report.changes[i].id.clone())
            .collect()
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = report();
        let b = report();
        assert_eq!(a.changes, b.changes);
        let distinct: BTreeSet<&str> = a.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(distinct.len(), a.changes.len());
        assert!(a.changes.iter().all(|c| c.id.starts_with("chg_")));
    }

    #[test]
    fn accepting_everything_applies_every_change() {
        let report = report();
        let all = apply_selection(&input(), &report, &Selection::All, &SafetyPolicy::default())
            .expect("applies");
        let expected: BTreeSet<(String, String)> = [
            ("/team/facts.md", "The staging host is db-3.internal."),
            ("/team/facts.md", "CI runs on arm64 runners in eu-west-1."),
            ("/team/preferences.md", "Use pnpm, never npm."),
        ]
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        assert_eq!(items(&all.store), expected);
    }

    #[test]
    fn each_rejected_op_leaves_the_input_as_it_was() {
        let report = report();
        let policy = SafetyPolicy::default();
        // Rejected supersede: the old value stays; the rest applies.
        let kept_old = apply_selection(
            &input(),
            &report,
            &Selection::Reject(ids(&report, &[1])),
            &policy,
        )
        .expect("applies");
        let texts = items(&kept_old.store);
        assert!(texts.contains(&(
            "/team/facts.md".into(),
            "The staging host is db-2.internal.".into()
        )));
        assert!(!texts.iter().any(|(_, t)| t.contains("db-3")));
        // Rejected remove: the item stays. Rejected add: nothing added.
        let kept = apply_selection(
            &input(),
            &report,
            &Selection::Reject(ids(&report, &[2, 3])),
            &policy,
        )
        .expect("applies");
        let texts = items(&kept.store);
        assert!(texts.iter().any(|(_, t)| t.contains("wiki.example")));
        assert!(!texts.iter().any(|(_, t)| t.contains("pnpm")));
    }

    #[test]
    fn rejecting_a_merge_rejects_the_supersede_built_on_it() {
        let report = report();
        let selected = apply_selection(
            &input(),
            &report,
            &Selection::Reject(ids(&report, &[0])),
            &SafetyPolicy::default(),
        )
        .expect("applies");
        assert_eq!(
            selected.rejected_dependents,
            vec![(report.changes[4].id.clone(), report.changes[0].id.clone())]
        );
        let texts = items(&selected.store);
        assert!(texts.contains(&("/team/facts.md".into(), "CI runs on arm64.".into())));
        assert!(texts.contains(&("/team/facts.md".into(), "CI runs on arm64 runners.".into())));
        assert!(!texts.iter().any(|(_, t)| t.contains("eu-west-1")));
    }

    #[test]
    fn accepting_a_dependent_without_its_parent_is_refused() {
        let report = report();
        let error = apply_selection(
            &input(),
            &report,
            &Selection::Accept(ids(&report, &[4])),
            &SafetyPolicy::default(),
        )
        .expect_err("refused");
        assert_eq!(
            error,
            SelectionError::MissingParent {
                id: report.changes[4].id.clone(),
                parent: report.changes[0].id.clone()
            }
        );
        let unknown = apply_selection(
            &input(),
            &report,
            &Selection::Accept(["chg_nope".to_string()].into()),
            &SafetyPolicy::default(),
        );
        assert_eq!(
            unknown,
            Err(SelectionError::UnknownChange {
                id: "chg_nope".into()
            })
        );
    }

    /// `base` with the steps applied in order, as (path, content) pairs.
    fn replayed(selected: &Selected) -> BTreeMap<String, String> {
        let mut documents: BTreeMap<String, String> = selected
            .base
            .documents
            .iter()
            .map(|d| (d.path.clone(), d.content.clone()))
            .collect();
        for step in &selected.steps {
            for (path, content) in &step.documents {
                match content {
                    Some(text) => documents.insert(path.clone(), text.clone()),
                    None => documents.remove(path),
                };
            }
        }
        documents
    }

    #[test]
    fn the_steps_replayed_on_the_base_give_the_store_one_change_at_a_time() {
        let report = report();
        let policy = SafetyPolicy::default();
        let selections = [
            Selection::All,
            Selection::Reject(ids(&report, &[0])),
            Selection::Reject(ids(&report, &[1, 3])),
            Selection::Accept(ids(&report, &[2])),
            Selection::Accept(BTreeSet::new()),
        ];
        for selection in &selections {
            let selected = apply_selection(&input(), &report, selection, &policy).expect("applies");
            let store: BTreeMap<String, String> = selected
                .store
                .documents
                .iter()
                .map(|d| (d.path.clone(), d.content.clone()))
                .collect();
            assert_eq!(replayed(&selected), store, "{selection:?}");
            // One step per accepted change that wrote something, each naming its change.
            let stepped: Vec<&str> = selected
                .steps
                .iter()
                .map(|s| s.change_id.as_str())
                .collect();
            let accepted: Vec<&str> = selected.accepted.iter().map(String::as_str).collect();
            assert_eq!(stepped, accepted, "{selection:?}");
        }
        let all = apply_selection(&input(), &report, &Selection::All, &policy).expect("all");
        // The add writes a new document; the remove rewrites the facts.
        assert_eq!(
            all.steps[3].documents,
            vec![(
                "/team/preferences.md".to_string(),
                Some("- Use pnpm, never npm.\n".to_string())
            )]
        );
        assert_eq!(all.base, input());
    }

    #[test]
    fn a_secret_in_the_input_never_survives() {
        let mut store = input();
        store.documents[0]
            .content
            .push_str("- Deploy key: AKIAIOSFODNN7EXAMPLE.\n");
        let report = report();
        let selected = apply_selection(
            &store,
            &report,
            &Selection::Accept(BTreeSet::new()),
            &SafetyPolicy::default(),
        )
        .expect("applies");
        assert_eq!(selected.secrets_dropped, 1);
        assert!(
            !items(&selected.store)
                .iter()
                .any(|(_, t)| t.contains("AKIA"))
        );
    }
}
