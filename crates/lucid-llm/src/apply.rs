//! Applying verified operations to the built-in draft and its report. Pure.
//!
//! Each accepted operation becomes an ordinary report change with evidence (the union of the
//! items' evidence, plus the cited events), and an edit of the draft's Markdown: merged and
//! superseded items are rewritten in place or removed, new memories are appended to the
//! default documents (`/team/preferences.md`, `/agents/<agent>/facts.md`, …). Documents no
//! operation touches keep their bytes.

use std::collections::{BTreeMap, BTreeSet};

use lucid_core::curate::{DreamOutput, default_path, scope_of_path, title_for};
use lucid_core::markdown::{self, Block, Heading, ItemStyle, MarkdownItem};
use lucid_core::report::{Change, Evidence, Op, Scope};
use lucid_core::{Store, StoreDocument, format_timestamp};

use crate::ops::Operation;
use crate::unit::{UnitItem, WorkUnit};
use crate::verify::{Accepted, kind_phrase};

/// What happens to one block of a draft document.
#[derive(Debug, Clone, PartialEq)]
enum Edit {
    Replace(String),
    Remove,
}

#[derive(Default)]
struct Edits {
    blocks: BTreeMap<String, BTreeMap<usize, Edit>>,
    /// New items by document, in order.
    appended: BTreeMap<String, Vec<String>>,
    /// Report changes replaced (by index) or removed (`None`).
    changes: BTreeMap<usize, Option<Change>>,
    new_changes: Vec<Change>,
}

impl Edits {
    /// Rewrites or removes an item's block in its document.
    fn set(&mut self, item: &UnitItem, edit: Edit) {
        self.blocks
            .entry(item.path.clone())
            .or_default()
            .insert(item.block, edit);
    }

    /// Removes an item from its document, and its change from the report.
    fn remove(&mut self, item: &UnitItem) {
        self.set(item, Edit::Remove);
        if let Some(index) = item.change {
            self.changes.insert(index, None);
        }
    }
}

/// What a change inherits from the changes it takes in: the texts it replaces, the older values
/// it supersedes, and all their evidence.
#[derive(Default)]
struct Lineage {
    replaces: Vec<String>,
    superseded: Vec<String>,
    evidence: Vec<Evidence>,
}

impl Lineage {
    /// Takes in a change: what it replaced and superseded, and its evidence.
    fn absorb(&mut self, change: &Change) {
        for r in &change.replaces {
            push_unique(&mut self.replaces, r);
        }
        for s in &change.superseded {
            push_unique(&mut self.superseded, s);
        }
        self.evidence.extend(change.evidence.iter().cloned());
    }

    /// Takes in an item holding an older value: its text is replaced and superseded.
    fn absorb_older(&mut self, item: &UnitItem, change: &Change) {
        push_unique(&mut self.replaces, &item.text);
        push_unique(&mut self.superseded, &item.text);
        self.absorb(change);
    }

    fn record_in(self, change: &mut Change) {
        change.replaces = self.replaces;
        change.superseded = self.superseded;
        change.evidence = sorted(self.evidence);
    }
}

/// A unit's items by id, in the order that decides where a memory replacing them goes: team
/// scope first, then store items, then by document and place.
fn in_placement_order<'u>(item_ids: &[String], unit: &'u WorkUnit) -> Vec<&'u UnitItem> {
    let mut members: Vec<&UnitItem> = item_ids.iter().filter_map(|id| unit.item(id)).collect();
    members.sort_by_key(|m| {
        (
            m.scope != Scope::Team,
            !has_store_evidence(m),
            m.path.clone(),
            m.block,
        )
    });
    members
}

fn sorted(mut evidence: Vec<Evidence>) -> Vec<Evidence> {
    evidence.sort();
    evidence.dedup();
    evidence
}

fn push_unique(list: &mut Vec<String>, text: &str) {
    if !list.iter().any(|t| t == text) {
        list.push(text.to_string());
    }
}

fn has_store_evidence(item: &UnitItem) -> bool {
    item.evidence
        .iter()
        .any(|e| matches!(e, Evidence::Store { .. }))
}

fn date(item: &UnitItem) -> String {
    item.latest.map_or("undated".to_string(), |at| {
        at.format("%Y-%m-%d").to_string()
    })
}

/// Applies the accepted operations of every unit, in unit order, and records them in the
/// report (`curator` names the model in the reasons).
pub fn apply(output: &mut DreamOutput, decisions: &[(&WorkUnit, Vec<Accepted>)], curator: &str) {
    let mut edits = Edits::default();
    let changes = output.report.changes.clone();
    // The change a unit item stands for (or a minimal one when the report has none).
    let base = |item: &UnitItem| -> Change {
        item.change
            .and_then(|i| changes.get(i).cloned())
            .unwrap_or_else(|| Change {
                id: String::new(),
                op: Op::Keep,
                kind: item.kind,
                scope: item.scope,
                agent: item.agent.clone(),
                path: Some(item.path.clone()),
                text: item.text.clone(),
                replaces: Vec::new(),
                superseded: Vec::new(),
                reason: "unchanged".into(),
                evidence: item.evidence.clone(),
            })
    };
    for (unit, accepted) in decisions {
        for decision in accepted {
            let item = |id: &str| unit.item(id);
            match &decision.operation {
                Operation::Merge { item_ids, text } => {
                    // The merged memory stays where the widest-scoped, earliest item is.
                    let members = in_placement_order(item_ids, unit);
                    let Some((kept, others)) = members.split_first() else {
                        continue;
                    };
                    let mut change = base(kept);
                    let mut lineage = Lineage::default();
                    if kept.text != *text {
                        push_unique(&mut lineage.replaces, &kept.text);
                    }
                    lineage.absorb(&change);
                    for other in others {
                        push_unique(&mut lineage.replaces, &other.text);
                        lineage.absorb(&base(other));
                        edits.remove(other);
                    }
                    lineage.replaces.retain(|r| r != text);
                    change.op = Op::Merge;
                    change.text = text.clone();
                    lineage.record_in(&mut change);
                    change.reason = format!(
                        "{} items say the same thing; merged by {curator} (work unit {})",
                        members.len(),
                        unit.id
                    );
                    // The same rule from two or more agents is a team rule, as the built-in
                    // curator decides: it moves to the team's document.
                    let agents: BTreeSet<&String> =
                        members.iter().filter_map(|m| m.agent.as_ref()).collect();
                    let team = members.iter().all(|m| m.scope == Scope::Agent) && agents.len() >= 2;
                    if team {
                        let path = default_path(change.kind, Scope::Team, None);
                        change.scope = Scope::Team;
                        change.agent = None;
                        change.reason.push_str(&format!(
                            "; {} agents follow it, so it is a team rule",
                            agents.len()
                        ));
                        change.path = Some(path.clone());
                        edits.set(kept, Edit::Remove);
                        edits.appended.entry(path).or_default().push(text.clone());
                    } else {
                        edits.set(kept, Edit::Replace(text.clone()));
                    }
                    record(&mut edits, kept, change);
                }
                Operation::Supersede { old_id, new_id } => {
                    let (Some(old), Some(new)) = (item(old_id), item(new_id)) else {
                        continue;
                    };
                    let mut change = base(new);
                    let mut lineage = Lineage::default();
                    lineage.absorb(&change);
                    lineage.absorb_older(old, &base(old));
                    change.op = Op::Supersede;
                    lineage.record_in(&mut change);
                    change.reason = format!(
                        "newer value ({}) replaces an older one ({}); decided by {curator} (work \
                         unit {})",
                        date(new),
                        date(old),
                        unit.id
                    );
                    // A newer value from the sessions takes the place of the store item it
                    // replaces, as the built-in curator does.
                    let in_place = has_store_evidence(old) && !has_store_evidence(new);
                    if in_place {
                        let (scope, agent) = scope_of_path(&old.path);
                        change.path = Some(old.path.clone());
                        change.scope = scope;
                        change.agent = agent;
                        edits.set(old, Edit::Replace(new.text.clone()));
                        edits.set(new, Edit::Remove);
                    } else {
                        edits.set(old, Edit::Remove);
                    }
                    if let Some(index) = old.change {
                        edits.changes.insert(index, None);
                    }
                    record(&mut edits, new, change);
                }
                Operation::Update {
                    item_ids,
                    text,
                    evidence_ids,
                } => {
                    // The current value takes the place of the widest-scoped store item.
                    let members = in_placement_order(item_ids, unit);
                    let Some((kept, others)) = members.split_first() else {
                        continue;
                    };
                    let mut change = base(kept);
                    let mut lineage = Lineage::default();
                    for member in &members {
                        lineage.absorb_older(member, &base(member));
                    }
                    for other in others {
                        edits.remove(other);
                    }
                    let excerpts: Vec<_> = evidence_ids
                        .iter()
                        .filter_map(|id| unit.excerpt(id))
                        .collect();
                    lineage
                        .evidence
                        .extend(excerpts.iter().flat_map(|e| e.evidence.iter().cloned()));
                    let newest = excerpts
                        .iter()
                        .filter_map(|e| e.latest)
                        .max()
                        .map_or("undated".to_string(), |at| {
                            at.format("%Y-%m-%d").to_string()
                        });
                    lineage.replaces.retain(|r| r != text);
                    lineage.superseded.retain(|s| s != text);
                    change.op = Op::Supersede;
                    change.text = text.clone();
                    lineage.record_in(&mut change);
                    change.reason = format!(
                        "a newer statement ({newest}) replaces an older value ({}); proposed by \
                         {curator} and verified against the cited statements (work unit {})",
                        date(kept),
                        unit.id
                    );
                    edits.set(kept, Edit::Replace(text.clone()));
                    record(&mut edits, kept, change);
                }
                Operation::Add {
                    kind,
                    scope,
                    text,
                    evidence_ids,
                } => {
                    let (evidence, agents, cited) = if unit.is_session_unit() {
                        let events: Vec<_> = evidence_ids
                            .iter()
                            .filter_map(|id| unit.event(id))
                            .collect();
                        let evidence: Vec<Evidence> = events
                            .iter()
                            .map(|e| Evidence::Event {
                                session: e.session.clone(),
                                event: e.event,
                                at: e.at.as_ref().map(format_timestamp),
                                trust: e.trust,
                            })
                            .collect();
                        let agents: BTreeSet<String> =
                            events.iter().map(|e| e.agent.clone()).collect();
                        let cited: Vec<String> = events
                            .iter()
                            .map(|e| format!("{} {}", e.id, e.channel.as_str()))
                            .collect();
                        (
                            evidence,
                            agents,
                            format!("the cited events ({})", cited.join(", ")),
                        )
                    } else {
                        let excerpts: Vec<_> = evidence_ids
                            .iter()
                            .filter_map(|id| unit.excerpt(id))
                            .collect();
                        let evidence: Vec<Evidence> = excerpts
                            .iter()
                            .flat_map(|e| e.evidence.iter().cloned())
                            .collect();
                        let agents: BTreeSet<String> = excerpts
                            .iter()
                            .flat_map(|e| e.agents.iter().cloned())
                            .collect();
                        (evidence, agents, "its evidence".to_string())
                    };
                    let sessions: BTreeSet<&str> = evidence
                        .iter()
                        .filter_map(|e| match e {
                            Evidence::Event { session, .. } => Some(session.as_str()),
                            Evidence::Store { .. } => None,
                        })
                        .collect();
                    let path = default_path(*kind, *scope, decision.agent.as_deref());
                    let agent_list: Vec<&str> = agents.iter().map(String::as_str).collect();
                    edits
                        .appended
                        .entry(path.clone())
                        .or_default()
                        .push(text.clone());
                    edits.new_changes.push(Change {
                        id: String::new(),
                        op: Op::Add,
                        kind: *kind,
                        scope: *scope,
                        agent: decision.agent.clone(),
                        path: Some(path),
                        text: text.clone(),
                        replaces: Vec::new(),
                        superseded: Vec::new(),
                        reason: format!(
                            "{} {} in {} session{} by {} ({}); proposed by {curator} and \
                             verified against {cited} (work unit {})",
                            kind_phrase(*kind),
                            if unit.is_session_unit() {
                                "learned"
                            } else {
                                "stated"
                            },
                            sessions.len(),
                            if sessions.len() == 1 { "" } else { "s" },
                            if agent_list.len() == 1 {
                                "agent"
                            } else {
                                "agents"
                            },
                            agent_list.join(", "),
                            unit.id
                        ),
                        evidence: sorted(evidence),
                    });
                }
                Operation::Drop { item_id, reason } => {
                    let Some(dropped) = item(item_id) else {
                        continue;
                    };
                    let mut change = base(dropped);
                    change.op = Op::Remove;
                    change.path = None;
                    change.text = dropped.text.clone();
                    change.replaces = Vec::new();
                    change.superseded = Vec::new();
                    change.reason = format!(
                        "dropped by {curator}: {} (checked: {}; was in {}; work unit {})",
                        reason.trim().trim_end_matches('.'),
                        decision.ground.as_deref().unwrap_or("no ground recorded"),
                        dropped.path,
                        unit.id
                    );
                    edits.set(dropped, Edit::Remove);
                    record(&mut edits, dropped, change);
                }
                Operation::Keep { .. } => {}
            }
        }
    }
    rewrite(output, edits);
}

fn record(edits: &mut Edits, item: &UnitItem, change: Change) {
    match item.change {
        Some(index) => {
            edits.changes.insert(index, Some(change));
        }
        None => edits.new_changes.push(change),
    }
}

/// Drops headings left with no item below them.
fn prune_empty_sections(blocks: Vec<Block>) -> Vec<Block> {
    let keep: Vec<bool> = blocks
        .iter()
        .enumerate()
        .map(|(index, block)| match block {
            Block::Heading(h) => blocks[index + 1..]
                .iter()
                .take_while(|b| !matches!(b, Block::Heading(o) if o.level <= h.level))
                .any(|b| matches!(b, Block::Item(_))),
            Block::Item(_) => true,
        })
        .collect();
    blocks
        .into_iter()
        .zip(keep)
        .filter_map(|(b, k)| k.then_some(b))
        .collect()
}

fn new_item(text: &str) -> Block {
    Block::Item(MarkdownItem {
        style: ItemStyle::Bullet('-'),
        text: text.to_string(),
        headings: Vec::new(),
    })
}

fn items_in(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .filter(|b| matches!(b, Block::Item(_)))
        .count()
}

fn rewrite(output: &mut DreamOutput, mut edits: Edits) {
    let mut documents: Vec<StoreDocument> = Vec::new();
    let mut items_delta: isize = 0;
    for document in &output.draft.documents {
        let block_edits = edits.blocks.remove(&document.path);
        let appended = edits.appended.remove(&document.path);
        if block_edits.is_none() && appended.is_none() {
            documents.push(document.clone());
            continue;
        }
        let blocks = markdown::parse_blocks(&document.content);
        let before = items_in(&blocks);
        let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
        for (index, block) in blocks.into_iter().enumerate() {
            match (block, block_edits.as_ref().and_then(|e| e.get(&index))) {
                (Block::Item(_), Some(Edit::Remove)) => {}
                (Block::Item(mut item), Some(Edit::Replace(text))) => {
                    item.text = text.clone();
                    out.push(Block::Item(item));
                }
                (block, _) => out.push(block),
            }
        }
        for text in appended.unwrap_or_default() {
            out.push(new_item(&text));
        }
        let out = prune_empty_sections(out);
        let after = items_in(&out);
        items_delta += after as isize - before as isize;
        if after == 0 {
            continue;
        }
        documents.push(StoreDocument {
            path: document.path.clone(),
            content: markdown::render_blocks(&out),
            updated_at: None,
            as_of: None,
        });
    }
    for (path, texts) in std::mem::take(&mut edits.appended) {
        let mut blocks = vec![Block::Heading(Heading {
            level: 1,
            text: title_for(&path),
        })];
        blocks.extend(texts.iter().map(|t| new_item(t)));
        items_delta += texts.len() as isize;
        documents.push(StoreDocument {
            path,
            content: markdown::render_blocks(&blocks),
            updated_at: None,
            as_of: None,
        });
    }
    output.draft = Store::new(documents);

    let report = &mut output.report;
    let mut changes: Vec<Change> = Vec::with_capacity(report.changes.len());
    for (index, change) in std::mem::take(&mut report.changes).into_iter().enumerate() {
        match edits.changes.remove(&index) {
            Some(Some(replaced)) => changes.push(replaced),
            Some(None) => {}
            None => changes.push(change),
        }
    }
    changes.extend(edits.new_changes);
    changes.sort_by(|a, b| {
        (a.path.is_none(), &a.path, a.op as u8, &a.text).cmp(&(
            b.path.is_none(),
            &b.path,
            b.op as u8,
            &b.text,
        ))
    });
    report.changes = changes;
    report.stats.output_documents = output.draft.documents.len();
    report.stats.output_items = (report.stats.output_items as isize + items_delta).max(0) as usize;
    report.count_changes();
}
