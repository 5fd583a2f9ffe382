//! Writing the draft and the report: each live item goes back to its place in its document or
//! under its headings in the document its kind and scope file it in; documents whose items
//! did not change are copied byte for byte, and files lucid does not curate are carried over
//! redacted. The report's changes (with op, reason and evidence) and skipped items come from the
//! items' final states.
//!
//! This stage decides nothing about what is kept: it must never change an item's state, never
//! rewrite a document none of whose items changed, and never write a secret from a file it
//! carries over uncurated.

use std::collections::{BTreeMap, HashMap};

use super::{Curator, Location, Memory, Origin, State, sorted_evidence};
use crate::markdown::{self, Block, ItemStyle, MarkdownItem};
use crate::model::{Store, StoreDocument};
use crate::report::{Change, Kind, Op, Scope, SkippedItem};

impl Curator {
    /// The report's `skipped` list: what the gate and the pipeline left out, with why.
    pub(super) fn skipped_items(&self) -> Vec<SkippedItem> {
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
        // The same sentence left out for the same reason in many sessions (a template, a rule
        // repeated) is one entry with every piece of its evidence, not one entry per session.
        let mut merged: Vec<SkippedItem> = Vec::with_capacity(items.len());
        for item in items {
            match merged.last_mut() {
                Some(last)
                    if last.kind == item.kind
                        && last.text == item.text
                        && last.reason == item.reason
                        && last.directive == item.directive =>
                {
                    for evidence in item.evidence {
                        if !last.evidence.contains(&evidence) {
                            last.evidence.push(evidence);
                        }
                    }
                }
                _ => merged.push(item),
            }
        }
        merged
    }

    /// Scope and agent of a live memory.
    pub(super) fn scope(&self, memory: &Memory) -> (Scope, Option<String>) {
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

    pub(super) fn render(&mut self) -> (Store, usize) {
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

    pub(super) fn changes(&self) -> Vec<Change> {
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

/// Makes an agent name safe as one path segment.
pub(super) fn path_segment(name: &str) -> String {
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

/// The title of a new document at `path` ("Pitfalls (deploy-bot)", "Team preferences"); the
/// model pass titles the documents it creates the same way.
pub fn title_for(path: &str) -> String {
    let (scope, agent) = scope_of_path(path);
    let file = crate::tools::file_name(path);
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{day, dream_over, store};
    use super::*;

    #[test]
    fn scope_of_a_path() {
        let cases: &[(&str, Scope, Option<&str>)] = &[
            ("/agents/bob/facts.md", Scope::Agent, Some("bob")),
            ("/agents/bob/notes/deploys.md", Scope::Agent, Some("bob")),
            ("agents/bob/facts.md", Scope::Agent, Some("bob")),
            // A file directly in `/agents`, or the folder itself, is no agent's.
            ("/agents/bob", Scope::Team, None),
            ("/agents/", Scope::Team, None),
            ("/team/facts.md", Scope::Team, None),
            ("/agentsx/bob/facts.md", Scope::Team, None),
            ("/notes/agents/bob/facts.md", Scope::Team, None),
        ];
        for (path, scope, agent) in cases {
            assert_eq!(
                scope_of_path(path),
                (*scope, agent.map(str::to_string)),
                "{path}"
            );
        }
    }

    #[test]
    fn where_new_memories_are_filed() {
        let cases: &[(Kind, Scope, Option<&str>, &str)] = &[
            (Kind::Fact, Scope::Team, None, "/team/facts.md"),
            (
                Kind::Preference,
                Scope::Agent,
                Some("bob"),
                "/agents/bob/preferences.md",
            ),
            (Kind::Pitfall, Scope::Agent, None, "/team/pitfalls.md"),
            (
                Kind::Workflow,
                Scope::Team,
                Some("bob"),
                "/team/workflows.md",
            ),
            (
                Kind::Insight,
                Scope::Agent,
                Some("Bob Smith"),
                "/agents/Bob-Smith/insights.md",
            ),
            (
                Kind::Fact,
                Scope::Agent,
                Some("../../etc"),
                "/agents/etc/facts.md",
            ),
        ];
        for (kind, scope, agent, path) in cases {
            assert_eq!(default_path(*kind, *scope, *agent), *path);
            // An agent's file reads back as that agent's.
            if let (Scope::Agent, Some(agent)) = (scope, agent) {
                assert_eq!(
                    scope_of_path(path),
                    (Scope::Agent, Some(path_segment(agent)))
                );
            }
        }
    }

    #[test]
    fn agent_names_become_one_safe_path_segment() {
        let cases = [
            ("bob", "bob"),
            ("claude.code_v2", "claude.code_v2"),
            ("Bob Smith", "Bob-Smith"),
            ("agent:1", "agent-1"),
            ("../etc/passwd", "etc-passwd"),
            ("Zoë", "Zoë"),
            ("", "unknown"),
            ("///", "unknown"),
            ("..", "unknown"),
        ];
        for (name, segment) in cases {
            assert_eq!(path_segment(name), segment, "{name:?}");
        }
    }

    #[test]
    fn titles_of_new_documents() {
        let cases = [
            ("/team/facts.md", "Team facts"),
            ("/team/known_issues.md", "Team known issues"),
            ("/team/API-keys.md", "Team api keys"),
            ("/agents/bob/preferences.md", "Preferences (bob)"),
            ("/notes/deploy-notes.md", "Deploy notes"),
            ("/README", "README"),
            ("/agents/bob", "Bob"),
        ];
        for (path, title) in cases {
            assert_eq!(title_for(path), title, "{path}");
        }
    }

    fn item(text: &str) -> MarkdownItem {
        MarkdownItem {
            style: ItemStyle::Bullet('-'),
            text: text.to_string(),
            headings: Vec::new(),
        }
    }

    #[test]
    fn items_go_to_the_end_of_their_section() {
        let sections = "# Facts\n\n## Deploys\n\n- a\n\n## Tests\n\n- b\n";
        // (document, the item's headings, the document after)
        let cases: &[(&str, &[&str], &str)] = &[
            ("", &[], "- x\n"),
            ("# Facts\n\n- a\n", &[], "# Facts\n\n- a\n- x\n"),
            (
                sections,
                &["Deploys"],
                "# Facts\n\n## Deploys\n\n- a\n- x\n\n## Tests\n\n- b\n",
            ),
            // The chain may start at the document's title.
            (
                sections,
                &["Facts", "Tests"],
                "# Facts\n\n## Deploys\n\n- a\n\n## Tests\n\n- b\n- x\n",
            ),
            // Missing headings are created under the deepest one that exists …
            (
                sections,
                &["Deploys", "Nightly"],
                "# Facts\n\n## Deploys\n\n- a\n\n### Nightly\n\n- x\n\n## Tests\n\n- b\n",
            ),
            // … or one level below the document's top level, at its end.
            (
                sections,
                &["Builds"],
                "# Facts\n\n## Deploys\n\n- a\n\n## Tests\n\n- b\n\n## Builds\n\n- x\n",
            ),
            ("", &["A", "B"], "# A\n\n## B\n\n- x\n"),
            ("- a\n", &["Deploys"], "- a\n\n# Deploys\n\n- x\n"),
        ];
        for (document, headings, after) in cases {
            let mut blocks = markdown::parse_blocks(document);
            let headings: Vec<String> = headings.iter().map(|h| h.to_string()).collect();
            insert_under_headings(&mut blocks, &headings, item("x"));
            assert_eq!(
                markdown::render_blocks(&blocks),
                *after,
                "{document:?} under {headings:?}"
            );
        }
    }

    #[test]
    fn headings_without_items_are_pruned() {
        let cases = [
            (
                "# Facts\n\n## Empty\n\n## Deploys\n\n- a\n",
                "# Facts\n\n## Deploys\n\n- a\n",
            ),
            ("# Only a title\n", ""),
            (
                "# A\n\n## B\n\n### C\n\n- x\n\n## D\n",
                "# A\n\n## B\n\n### C\n\n- x\n",
            ),
            ("- x\n\n# Trailing\n", "- x\n"),
            ("# A\n\n- x\n\n## B\n\n- y\n", "# A\n\n- x\n\n## B\n\n- y\n"),
        ];
        for (document, after) in cases {
            let blocks = prune_empty_sections(markdown::parse_blocks(document));
            assert_eq!(markdown::render_blocks(&blocks), after, "{document:?}");
        }
    }

    /// A document none of whose items changed is copied byte for byte with its time; one whose
    /// items changed is rewritten without it; a file lucid does not curate is carried over
    /// redacted and listed in the report.
    #[test]
    fn unchanged_documents_are_copied_byte_for_byte() {
        let untouched =
            "# Facts\n\n*   The API is written in Go.\n\n\n*   Staging runs on Fridays.\n";
        let mut input = store(&[
            ("/team/facts.md", untouched),
            (
                "/team/preferences.md",
                "# Preferences\n\n* Always run `cargo fmt` before committing.\n* Always run `cargo fmt` before you commit.\n",
            ),
            ("/config/keys.json", "{\"aws\": \"AKIAJ7Q2MZ4RNB8WXT3E\"}\n"),
            ("/config/plain.json", "{\"region\": \"eu-west-1\"}\n"),
            // Its only item holds a secret: the document has nothing left to write.
            (
                "/team/keys.md",
                "# Keys\n\n- Deploy key: AKIAJ7Q2MZ4RNB8WXT3E.\n",
            ),
        ]);
        for document in &mut input.documents {
            document.updated_at = Some(day(1));
        }
        let output = dream_over(&input, Vec::new());
        let draft = |path: &str| match output.draft.get(path) {
            Some(document) => document,
            None => panic!("{path} is missing from the draft"),
        };
        // (path, content, updated_at)
        let cases = [
            ("/team/facts.md", untouched, Some(day(1))),
            (
                "/team/preferences.md",
                "# Preferences\n\n* Always run `cargo fmt` before committing.\n",
                None,
            ),
            (
                "/config/plain.json",
                "{\"region\": \"eu-west-1\"}\n",
                Some(day(1)),
            ),
        ];
        for (path, content, updated_at) in cases {
            assert_eq!(draft(path).content, content, "{path}");
            assert_eq!(draft(path).updated_at, updated_at, "{path}");
        }
        assert_eq!(output.draft.get("/team/keys.md"), None);
        let keys = draft("/config/keys.json");
        assert!(
            !keys.content.contains("AKIAJ7Q2MZ4RNB8WXT3E"),
            "{}",
            keys.content
        );
        assert_eq!(keys.updated_at, None);
        let uncurated: Vec<(&str, usize)> = output
            .report
            .stats
            .uncurated_documents
            .iter()
            .map(|u| (u.path.as_str(), u.secrets_redacted))
            .collect();
        assert_eq!(
            uncurated,
            [("/config/keys.json", 1), ("/config/plain.json", 0)]
        );
        // The report: (op, text, reason) in order of path, op, text.
        let changes: Vec<(Op, &str, &str)> = output
            .report
            .changes
            .iter()
            .filter(|c| c.op != Op::Flag)
            .map(|c| (c.op, c.text.as_str(), c.reason.as_str()))
            .collect();
        assert_eq!(
            changes,
            [
                (Op::Keep, "Staging runs on Fridays.", "unchanged"),
                (Op::Keep, "The API is written in Go.", "unchanged"),
                (
                    Op::Merge,
                    "Always run `cargo fmt` before committing.",
                    "1 duplicate merged into the clearest wording"
                ),
            ]
        );
        let flags: Vec<&str> = output
            .report
            .changes
            .iter()
            .filter(|c| c.op == Op::Flag)
            .map(|c| c.reason.as_str())
            .collect();
        assert_eq!(
            flags,
            ["store item contains a secret (aws_access_key_id); removed from the draft"]
        );
    }
}
