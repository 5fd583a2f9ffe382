//! Replaying what sessions did to the store, before any candidate from conversation exists:
//! memory writes (create, insert, edit, delete, rename) in time order, changes of value people
//! announced or edits made (the value rewritten in place), and retiring store facts about files a
//! session deleted, settings it removed, and tools, people or practices a person said are gone.
//!
//! This stage changes only live store items and memory writes (never episodes, verbatim text or
//! session candidates); it applies events in event order (time, session, position), never in
//! input order, and an event older than an item's as-of time must never change that item.

use std::collections::HashSet;

use super::kind::infer_kind;
use super::{Curator, Memory, Origin, State};
use crate::digest::{MemoryOp, SessionDigest};
use crate::markdown::{self, Block, ItemStyle};
use crate::model::MemoryCommand;
use crate::report::Kind;
use crate::text;

/// Why a store fact is stale after a change to its file, and what replaces it, if anything.
struct Stale {
    reason: String,
    now: Option<String>,
}

impl Curator {
    /// Memories currently filed at a document path.
    fn live_at_path(&self, path: &str) -> Vec<usize> {
        (0..self.memories.len())
            .filter(|&i| {
                let m = &self.memories[i];
                m.is_live() && self.path_of(m).as_deref() == Some(path)
            })
            .collect()
    }

    pub(super) fn replay_memory_writes(&mut self, digests: &[SessionDigest]) {
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
                            updated.sessions.insert(digest.conversation.clone());
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
            memory.sessions.insert(digest.conversation.clone());
            memory.at = op.evidence.at;
            out.push(memory);
        }
        out
    }

    /// A store fact that names a file a later session deleted for good (`git rm`, a patch's
    /// "Delete File", or `rm` then a commit) describes something the project no longer has:
    /// it is removed, with the deletion as evidence. Only facts — a rule about a file ("never
    /// commit .env") outlives it.
    pub(super) fn retire_facts_about_deleted_files(&mut self, digests: &[SessionDigest]) {
        self.retire_stale_facts(
            digests,
            |digest| &digest.deleted_files,
            |deleted| &deleted.path,
            |deleted| &deleted.evidence,
            |deleted, fact, session| {
                // "`directory-platforms/` and `rank-tracking/` were removed from the workspace":
                // a fact that records the removal is what the deletion makes true.
                if says_it_is_gone(fact) {
                    return None;
                }
                let digest = digests.iter().find(|d| d.session == session);
                // A bare name counts for a file at the project's root, and for a file or a
                // folder ("directory-platforms/") a person named when they asked to delete it.
                let requested = deleted.how == crate::updates::Deletion::Requested;
                let named = crate::updates::names_deleted_file(
                    fact,
                    &deleted.path,
                    deleted.at_root || requested,
                )
                .or_else(|| {
                    if requested {
                        crate::updates::names_deleted_folder(fact, &deleted.path)
                    } else {
                        None
                    }
                })?;
                let how = match deleted.how {
                    crate::updates::Deletion::GitRm => "`git rm`",
                    crate::updates::Deletion::Patch => "a patch",
                    crate::updates::Deletion::RmThenCommit => "`rm` and a commit",
                    crate::updates::Deletion::Requested => "`rm`, as a person asked",
                };
                let ported = digest.and_then(|d| ported_to(d, &deleted.path));
                let reason = format!(
                    "names {named}, which session {session} deleted ({how}: {}) and no session \
                     wrote again",
                    deleted.path
                );
                Some(match ported {
                    // A project moved to another language: say what it is now, worded without
                    // the deleted files so the item does not read as still naming them.
                    Some(port) => Stale {
                        reason: format!(
                            "{reason}; the same session worked on {} beside it, a {} manifest",
                            port.manifest, port.language
                        ),
                        now: Some(format!(
                            "{} is now a {} project (`{}`); its {} build files were deleted.",
                            port.project, port.language, port.manifest_name, port.old_language
                        )),
                    },
                    None => Stale { reason, now: None },
                })
            },
        );
    }

    /// Store facts that quote a setting as their file's (`"push_sessions": false` in
    /// `.entire/settings.json`) after an edit or patch removed that setting from the file are
    /// stale: the file no longer says so, and the item is replaced by what the file says now.
    pub(super) fn retire_facts_about_removed_settings(&mut self, digests: &[SessionDigest]) {
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
                // What the file says now is worth keeping in the item's place: an agent that
                // reads only "the item is gone" may still remember the old setting from elsewhere.
                Some(Stale {
                    reason: format!(
                        "says {named} sets `{}` to `{}`, but session {session} removed that \
                         setting from {}",
                        removed.key, removed.value, removed.file
                    ),
                    // Worded so that the old pair is not quoted again: the item must not read
                    // as still stating it.
                    now: Some(format!(
                        "{named} no longer sets `{}`: an edit removed the setting, which was `{}`.",
                        removed.key, removed.value
                    )),
                })
            },
        );
    }

    /// Removes (or replaces) the live store facts that a change to a file makes stale, in event
    /// order: `stale` says why when a fact is about the change, and what replaces it if anything. A change to a file some session
    /// wrote whole counts for nothing — one written and deleted is scratch, one deleted and
    /// written again is back — and a fact true as of after the change is about what came next.
    fn retire_stale_facts<'d, T: 'd>(
        &mut self,
        digests: &'d [SessionDigest],
        changes: impl Fn(&'d SessionDigest) -> &'d [T],
        file: impl Fn(&T) -> &str,
        evidence: impl Fn(&T) -> &crate::digest::EventRef,
        stale: impl Fn(&T, &str, &str) -> Option<Stale>,
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
            for i in 0..self.memories.len() {
                let memory = &self.memories[i];
                let eligible = memory.is_updatable_store_item()
                    && memory.kind == Kind::Fact
                    && !memory.newer_than(at.at);
                if !eligible {
                    continue;
                }
                let Some(found) = stale(change, &memory.text, &digest.session) else {
                    continue;
                };
                match found.now {
                    Some(now) => {
                        self.supersede_with(
                            i,
                            now,
                            Kind::Fact,
                            digest,
                            at,
                            format!("replaces an item that {}", found.reason),
                        );
                    }
                    None => {
                        self.memories[i].state = State::Removed {
                            reason: found.reason,
                            evidence: vec![at.evidence(&digest.session)],
                        };
                    }
                }
            }
        }
    }

    /// A store item that gives a module path (`entire.io/cli`) gets the new one when tool results
    /// show the project's packages moved (see [`module_path_move`]); the report names the
    /// packages seen under both paths.
    pub(super) fn apply_module_path_moves(&mut self, digests: &[SessionDigest]) {
        for i in 0..self.memories.len() {
            let memory = &self.memories[i];
            if !memory.is_updatable_store_item()
                || !matches!(memory.kind, Kind::Fact | Kind::Preference)
            {
                continue;
            }
            let mut paths: Vec<&str> = crate::updates::module_paths(&memory.text).collect();
            paths.sort_unstable();
            paths.dedup();
            let Some((old, found)) = paths
                .into_iter()
                .find_map(|old| Some((old.to_string(), module_path_move(digests, old)?)))
            else {
                continue;
            };
            let digest = &digests[found.session];
            if memory.newer_than(found.evidence.at) || self.safety.contains_secret(&found.new) {
                continue;
            }
            let Some(text) = replace_module_path(&memory.text, &old, &found.new) else {
                continue;
            };
            let kind = memory.kind;
            let note = format!(
                "updated in place: `{old}` → `{}` (from session {} on, tool results print the \
                 packages {} under `{}`; no result prints `{old}` after it)",
                found.new,
                digest.session,
                found
                    .packages
                    .iter()
                    .take(3)
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                found.new
            );
            self.supersede_with(i, text, kind, digest, &found.evidence, note);
        }
    }

    /// Store items about a tool, a person or a practice a person said is gone ("we're dropping
    /// Firebase", "Dana Whitfield has left", "we no longer deploy on Fridays") are removed, the
    /// sentence quoted. Announcements older than an item's as-of time are outdated.
    pub(super) fn retire_what_people_said_is_gone(&mut self, digests: &[SessionDigest]) {
        let retirements = announced_in_order(digests, |d| &d.retirements, |r| &r.evidence);
        for (digest, said) in retirements {
            // Nor does an untrusted session retire one.
            if untrusted_session(digest) {
                continue;
            }
            for i in 0..self.memories.len() {
                let memory = &self.memories[i];
                // A store item about a retired tool is stale whatever kind it was filed as
                // ("Errors are reported to Sentry." reads like a pitfall; "Agents report
                // progress by running agent-intercom-ctl" sits under a Workflow heading).
                let eligible = memory.is_updatable_store_item()
                    && matches!(
                        memory.kind,
                        Kind::Fact | Kind::Preference | Kind::Pitfall | Kind::Workflow
                    )
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
                    "{matched}, which a person said {} (\"{}\": {:?}, session {})",
                    if said.retirement.prohibited {
                        "not to use"
                    } else {
                        "is gone"
                    },
                    said.retirement.cue,
                    said.sentence,
                    digest.session
                );
                // An item that uses the retired tool takes the one tool the person named in
                // its place ("We stopped using Yarn; it's npm everywhere now.").
                if let Some((text, successor)) = crate::updates::with_successor_tool(
                    &said.retirement,
                    &memory.text,
                    &said.sentence,
                ) {
                    let name = said.retirement.name.as_deref().unwrap_or_default();
                    let kind = memory.kind;
                    self.supersede_with(
                        i,
                        text,
                        kind,
                        digest,
                        &said.evidence,
                        format!("`{name}` → `{successor}`: replaces an item that {why}, and the person named `{successor}` in its place"),
                    );
                    if said.key != 0 {
                        self.absorbed_keys.insert(said.key);
                    }
                    continue;
                }
                // The announcement says what replaces the item when it is about the same thing
                // beyond the retired name ("…; Ana Ruiz now handles vendor invoices" for "Vendor
                // invoices are handled by Marcus Lee"): it supersedes the item.
                let name_words = said
                    .retirement
                    .name
                    .as_deref()
                    .map(|n| text::analyze(n).word_set)
                    .unwrap_or_default();
                let shared_beyond_name = |statement: &str| {
                    let said_words = text::analyze(statement).word_set;
                    memory
                        .analysis
                        .word_set
                        .iter()
                        .filter(|w| said_words.contains(*w) && !name_words.contains(*w))
                        .count()
                };
                // The sentence typed next may say it instead ("… has left the company. Marco
                // Rossi owns the billing service now."), when it names no retired one itself.
                let mut announcement = crate::digest::clean_statement(&said.sentence);
                let mut shared = shared_beyond_name(&announcement);
                let mut cut_short = said.sentence.ends_with('\u{2026}');
                if shared < 2
                    && let Some(next) = said.following.as_deref()
                    && said.retirement.name.is_some()
                    && crate::updates::retirements(next).is_empty()
                    && takes_over(next)
                {
                    let next_statement = crate::digest::clean_statement(next);
                    let next_shared = shared_beyond_name(&next_statement);
                    if next_shared >= 2 {
                        announcement = next_statement;
                        shared = next_shared;
                        cut_short = next.ends_with('\u{2026}');
                    }
                }
                // A short item shares one word with an announcement that names what took the
                // retired one's place ("Jenkins was decommissioned; our pipelines run on GitHub
                // Actions these days." for "The CI pipeline runs on Jenkins."): one shared word is
                // most of what the item is about beyond the name.
                let item_words_beyond_name = memory
                    .analysis
                    .word_set
                    .iter()
                    .filter(|w| !name_words.contains(*w))
                    .count();
                let replaced_by_named = shared == 1
                    && item_words_beyond_name <= 3
                    && names_another(&announcement, &name_words);
                // An excerpt cut short is no sentence to store.
                if (shared < 2 && !replaced_by_named) || cut_short {
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
                // A prohibition is a rule of its own ("Never use notify-ctl"): it stays,
                // whatever replaced the item it contradicted.
                if said.key != 0 && !said.retirement.prohibited {
                    self.absorbed_keys.insert(said.key);
                }
            }
        }
    }

    /// What a person took back by its subject ("Forget what I said about the e2e suite before
    /// tagging") is not kept: the statements of earlier sessions and the store items that name
    /// every word of it, said before the retraction, are dropped or removed, the sentence quoted.
    /// (The retraction's own session already left them out of its digest.)
    pub(super) fn apply_retractions(&mut self, digests: &[SessionDigest]) {
        for digest in digests.iter().filter(|d| !untrusted_session(d)) {
            for said in &digest.retractions {
                let why = format!(
                    "taken back (\"{}\": {:?}, session {})",
                    said.retraction.cue, said.sentence, digest.session
                );
                for memory in &mut self.memories {
                    let applies = memory.is_live()
                        && !memory.episodic
                        && !memory.verbatim
                        // What people said, or a store item of any kind of rule or fact (a
                        // step filed as a workflow); never a pattern of what agents did.
                        && (matches!(memory.kind, Kind::Fact | Kind::Preference)
                            || (memory.origin != super::Origin::Session
                                && matches!(memory.kind, Kind::Workflow | Kind::Pitfall)))
                        && !memory.newer_than(said.evidence.at)
                        && !(memory.origin == super::Origin::Session
                            && memory.at.is_none()
                            && said.evidence.at.is_none())
                        && said
                            .retraction
                            .topic
                            .iter()
                            .all(|w| memory.analysis.word_set.contains(w));
                    if !applies {
                        continue;
                    }
                    memory.state = if memory.origin == super::Origin::Session {
                        memory.skip_note = Some(super::SkipNote {
                            reason: why.clone(),
                            directive: None,
                        });
                        State::Dropped
                    } else {
                        State::Removed {
                            reason: why.clone(),
                            evidence: vec![said.evidence.evidence(&digest.session)],
                        }
                    };
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
        updated.sessions.insert(digest.conversation.clone());
        updated.at = event.at;
        if previous.superseded_texts.is_empty() {
            updated.superseded_texts.push(previous.text.clone());
        } else {
            // A chain of changes (0.3.1 → 0.3.2 → 0.3.3 → 0.3.4): the steps between never reach
            // the draft, so the last item replaces what the first replaced, and the report
            // keeps every step's reason and evidence.
            updated.superseded_texts = previous.superseded_texts.clone();
            updated.evidence = previous.evidence.clone();
            updated.evidence.push(event.evidence(&digest.session));
            updated.agents.extend(previous.agents.iter().cloned());
            updated.sessions.extend(previous.sessions.iter().cloned());
            updated.notes = previous.notes.clone();
        }
        updated.notes.push(note);
        self.memories[i].state = State::SupersededBy(seq);
        self.memories.push(updated);
        seq
    }

    /// Applies the changes of value people announced and successful edits made, in time order,
    /// to the items that hold the old value (see [`crate::updates`]): each becomes a new item
    /// with the value rewritten in place, and the report says which words matched.
    pub(super) fn apply_announced_changes(&mut self, digests: &[SessionDigest]) {
        let changes = announced_in_order(digests, |d| &d.changes, |c| &c.evidence);
        let programs = programs_run(digests);
        // The item each event's changes produced: one edit can swap several values of one
        // line, and they all land in one updated item rather than a chain of half-updated ones.
        let mut made_by_event: HashSet<(String, usize, usize)> = HashSet::new();
        for (digest, change) in changes {
            // What an untrusted session says changed is no evidence that it did: one untrusted
            // session never rewrites a store item (as it never retires one by contradiction).
            // (A plan the person approved is pasted text of a trusted session: it counts.)
            if untrusted_session(digest) {
                continue;
            }
            let targets: Vec<usize> = (0..self.memories.len())
                .filter(|&i| {
                    let m = &self.memories[i];
                    m.is_updatable_store_item() && matches!(m.kind, Kind::Fact | Kind::Preference)
                })
                .collect();
            for i in targets {
                let Some((text, why)) = crate::updates::apply_knowing(
                    &change.substitution,
                    &self.memories[i].text,
                    &programs,
                ) else {
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
}

impl Curator {
    /// A change a person announced in a later session ("We upgraded Redis to 7.2 last week",
    /// "use spaces instead of tabs from now on") updates what an earlier session said as it
    /// updates a store item: the earlier statement takes the new value ("We use Redis 7.2 for
    /// caching.") and the announcement is merged into it. What a later session says is gone
    /// ("We stopped using Yarn; it's npm everywhere now.", "Kevin Wu has left the company")
    /// ends the earlier statements about it: one that uses the tool takes the successor the
    /// announcement names, another gives way to the announcement. Both must be timed, the
    /// statement said before the announcement, and of the same project: order alone, or another
    /// repository's value, is no change over time.
    pub(super) fn update_what_earlier_sessions_said(&mut self, digests: &[SessionDigest]) {
        let programs = programs_run(digests);
        let changes = announced_in_order(digests, |d| &d.changes, |c| &c.evidence);
        for (digest, change) in changes {
            let Some((announcement, earlier)) = self.earlier_statements(digest, &change.evidence)
            else {
                continue;
            };
            for i in earlier {
                if let Some((text, why)) = crate::updates::apply_knowing(
                    &change.substitution,
                    &self.memories[i].text,
                    &programs,
                ) {
                    self.update_in_place(i, text, why, digest, &change.evidence, announcement);
                }
            }
        }
        let retirements = announced_in_order(digests, |d| &d.retirements, |r| &r.evidence);
        for (digest, said) in retirements {
            let Some((announcement, earlier)) = self.earlier_statements(digest, &said.evidence)
            else {
                continue;
            };
            for i in earlier {
                let memory = &self.memories[i];
                let Some(matched) = crate::updates::retires(
                    &said.retirement,
                    &memory.text,
                    memory.kind == Kind::Fact,
                ) else {
                    continue;
                };
                let successor = crate::updates::with_successor_tool(
                    &said.retirement,
                    &memory.text,
                    &said.sentence,
                );
                if let Some((text, successor)) = successor {
                    let name = said.retirement.name.as_deref().unwrap_or_default();
                    let why = format!(
                        "`{name}` → `{successor}`: {matched}, which a person said is gone (\"{}\"), \
                         naming `{successor}` in its place",
                        said.sentence
                    );
                    self.update_in_place(i, text, why, digest, &said.evidence, announcement);
                } else if let Some(said_at) = announcement
                    && self.memories[said_at].is_live()
                {
                    // What the person said is gone stays, in their words, in its place.
                    self.memories[i].state = State::SupersededBy(said_at);
                    let older = self.memories[i].text.clone();
                    self.memories[said_at].superseded_texts.push(older);
                }
            }
        }
    }

    /// The statements said before the announcement at `event` of `digest` that it may update
    /// ([`Self::said_before`]), with the candidate the announcement itself became; `None` when
    /// it updates none ([`Self::later_announcement`]).
    fn earlier_statements(
        &self,
        digest: &SessionDigest,
        event: &crate::digest::EventRef,
    ) -> Option<(Option<usize>, Vec<usize>)> {
        let announcement = self.later_announcement(digest, event)?;
        let earlier = (0..self.memories.len())
            .filter(|&i| self.said_before(i, digest, event, announcement))
            .collect();
        Some((announcement, earlier))
    }

    /// For an announcement of a trusted session, timed, that updated no store item (a change
    /// that did is that item's now: the earlier statement is an older value of it, which the
    /// contradiction pass retires): `Some` of the candidate the announcement itself became, if
    /// any. `None` when earlier statements are not to be updated by it.
    fn later_announcement(
        &self,
        digest: &SessionDigest,
        event: &crate::digest::EventRef,
    ) -> Option<Option<usize>> {
        event.at?;
        if untrusted_session(digest) {
            return None;
        }
        let cites = |memory: &Memory| cites_event(memory, &digest.session, event.event);
        if self
            .memories
            .iter()
            .any(|m| m.is_live() && m.origin != Origin::Session && cites(m))
        {
            return None;
        }
        Some(
            self.memories
                .iter()
                .position(|m| m.is_live() && m.origin == Origin::Session && cites(m)),
        )
    }

    /// Whether memory `i` is a statement of an earlier session (or earlier in the same one)
    /// than the announcement at `event` of `digest`, about the same project, and not the
    /// announcement itself.
    fn said_before(
        &self,
        i: usize,
        digest: &SessionDigest,
        event: &crate::digest::EventRef,
        announcement: Option<usize>,
    ) -> bool {
        let memory = &self.memories[i];
        memory.is_live()
            && memory.origin == Origin::Session
            && !memory.episodic
            && !memory.verbatim
            && matches!(memory.kind, Kind::Fact | Kind::Preference)
            && matches!((memory.at, event.at), (Some(said), Some(announced)) if said < announced)
            && Some(i) != announcement
            && !self.said_in_other_projects(i, digest.project.as_deref())
    }

    /// Gives statement `i` the text a later announcement made of it, and merges the
    /// announcement's own candidate into it (later statements it updates merge with this one as
    /// duplicates).
    fn update_in_place(
        &mut self,
        i: usize,
        text: String,
        why: String,
        digest: &SessionDigest,
        event: &crate::digest::EventRef,
        announcement: Option<usize>,
    ) {
        let memory = &mut self.memories[i];
        memory.analysis = text::analyze(&text);
        memory.text = text;
        memory.at = event.at;
        memory.notes.push(format!(
            "updated by a later session ({}): {why}",
            digest.session
        ));
        memory.evidence.push(event.evidence(&digest.session));
        memory.sessions.insert(digest.conversation.clone());
        memory.agents.insert(digest.agent.clone());
        if let Some(said) = announcement
            && self.memories[said].is_live()
        {
            self.memories[said].state = State::MergedInto(i);
        }
    }

    /// Whether the sessions memory `i` was said in all worked on another project than
    /// `project`; unknown projects never differ.
    fn said_in_other_projects(&self, i: usize, project: Option<&str>) -> bool {
        match (self.projects_of(i), project) {
            (Some(projects), Some(project)) => !projects
                .iter()
                .any(|x| super::contradictions::same_project(x, project)),
            _ => false,
        }
    }
}

/// Whether a memory cites event `event` of session `session` as evidence.
fn cites_event(memory: &Memory, session: &str, event: usize) -> bool {
    memory.evidence.iter().any(|e| {
        matches!(e, crate::report::Evidence::Event { session: s, event: n, .. }
            if s == session && *n == event)
    })
}

/// Every session's announcements of one kind (`of`: its changes, its retirements), in the
/// order they were said.
fn announced_in_order<'d, T>(
    digests: &'d [SessionDigest],
    of: impl Fn(&'d SessionDigest) -> &'d [T],
    evidence: impl Fn(&T) -> &crate::digest::EventRef,
) -> Vec<(&'d SessionDigest, &'d T)> {
    let mut announced: Vec<(&SessionDigest, &T)> = digests
        .iter()
        .flat_map(|d| of(d).iter().map(move |item| (d, item)))
        .collect();
    in_event_order(&mut announced, evidence);
    announced
}

/// The programs the sessions ran (`pnpm` of `pnpm install`): a lower-case tool an item uses is
/// known by them.
fn programs_run(digests: &[SessionDigest]) -> std::collections::BTreeSet<String> {
    digests
        .iter()
        .flat_map(|d| d.tool_sequence.iter())
        .filter_map(|step| step.name.split_whitespace().next())
        .map(|program| crate::tools::file_name(program).to_lowercase())
        .collect()
}

/// Orders session events of several digests by their time, then session and position (so
/// memory writes, announced changes and deleted files apply in the order they happened).
/// Whether a sentence said right after a retirement can say who or what took over: a statement
/// (no question, nothing temporary) that names someone or something (a capitalised name or an
/// identifier), like "Marco Rossi owns the billing service now."
fn takes_over(sentence: &str) -> bool {
    // Every sentence opens with a capital: its first word names someone only when it is no
    // function word ("Marco owns …", not "The billing service …").
    let names_someone = text::raw_tokens(sentence)
        .iter()
        .enumerate()
        .any(|(at, token)| {
            let capitalised =
                token.text.chars().next().is_some_and(char::is_uppercase) && token.text.len() > 1;
            text::is_anchor(token.text)
                || (capitalised
                    && (at > 0
                        || !crate::lexicon::is_word_of(
                            crate::lexicon::List::Stopword,
                            &token.text.to_lowercase(),
                        )))
        });
    names_someone && crate::worthiness::may_announce_change(sentence)
}

/// Whether a fact says that what it names is gone: removed, deleted, dropped, archived, no
/// longer there.
fn says_it_is_gone(fact: &str) -> bool {
    let lower = fact.to_lowercase();
    crate::lexicon::words(crate::lexicon::List::Gone)
        .iter()
        .any(|word| text::find_word(&lower, word).is_some())
}

/// Whether a session was marked untrusted as a whole (a quarantined one feeds nothing anyway).
fn untrusted_session(digest: &SessionDigest) -> bool {
    matches!(
        digest.trust,
        crate::model::SessionTrust::Untrusted | crate::model::SessionTrust::Quarantined
    )
}

/// Whether a sentence names something besides the words of a retired name: an identifier
/// (`#incident-room`), or a capitalised word that is no function word and does not open the sentence.
fn names_another(sentence: &str, retired: &std::collections::BTreeSet<String>) -> bool {
    text::raw_tokens(sentence)
        .iter()
        .enumerate()
        .any(|(at, token)| {
            let capitalised =
                token.text.chars().next().is_some_and(char::is_uppercase) && token.text.len() > 1;
            let named = crate::updates::is_identifier(token.text) || (capitalised && at > 0);
            named
                && !crate::lexicon::is_word_of(
                    crate::lexicon::List::Stopword,
                    &token.text.to_lowercase(),
                )
                && !text::analyze(token.text)
                    .word_set
                    .iter()
                    .any(|w| retired.contains(w))
        })
}

fn in_event_order<T>(
    items: &mut [(&SessionDigest, &T)],
    evidence: impl Fn(&T) -> &crate::digest::EventRef,
) {
    items.sort_by(|(da, a), (db, b)| {
        let (a, b) = (evidence(a), evidence(b));
        (a.at, &da.session, a.event).cmp(&(b.at, &db.session, b.event))
    });
}

/// Where a module path moved, as tool results show it.
struct ModulePathMove {
    /// The new path.
    new: String,
    /// Packages printed under both paths (paths below the module).
    packages: Vec<String>,
    /// The digest (index) and result that first printed a package under the new path.
    session: usize,
    evidence: crate::digest::EventRef,
}

/// Where the module path `old` moved, when tool results say so beyond doubt: packages printed
/// under `old` (two or more) are printed under one other module path in two or more later
/// sessions, every session printing the new path starts after the last session printing the
/// old one ends, and no other path fits. Every session printing either must have times: the
/// order of files says nothing.
fn module_path_move(digests: &[SessionDigest], old: &str) -> Option<ModulePathMove> {
    use std::collections::{BTreeMap, BTreeSet};
    let below_old = format!("{old}/");
    let mut packages: HashSet<&str> = HashSet::new();
    let mut old_last_printed: Option<crate::model::Timestamp> = None;
    for digest in digests {
        let mut printed = false;
        for seen in &digest.module_paths {
            if seen.path == old {
                printed = true;
            } else if let Some(package) = seen.path.strip_prefix(&below_old) {
                printed = true;
                packages.insert(package);
            }
        }
        if printed {
            let last = digest.last_at?;
            old_last_printed = Some(old_last_printed.map_or(last, |at| at.max(last)));
        }
    }
    let old_last_printed = old_last_printed?;
    if packages.len() < 2 {
        return None;
    }
    struct Candidate<'d> {
        packages: BTreeSet<&'d str>,
        sessions: BTreeSet<usize>,
        first: Option<(usize, &'d crate::digest::EventRef)>,
    }
    let mut candidates: BTreeMap<&str, Candidate> = BTreeMap::new();
    for (n, digest) in digests.iter().enumerate() {
        for seen in &digest.module_paths {
            let path = seen.path.as_str();
            if path == old || path.starts_with(&below_old) {
                continue;
            }
            for (at, _) in path.match_indices('/') {
                let (head, package) = (&path[..at], &path[at + 1..]);
                if !packages.contains(package)
                    || !crate::updates::is_module_path(head)
                    || old.starts_with(&format!("{head}/"))
                {
                    continue;
                }
                let candidate = candidates.entry(head).or_insert_with(|| Candidate {
                    packages: BTreeSet::new(),
                    sessions: BTreeSet::new(),
                    first: None,
                });
                candidate.packages.insert(package);
                candidate.sessions.insert(n);
                let earlier = candidate.first.is_none_or(|(m, first)| {
                    (seen.evidence.at, &digest.session, seen.evidence.event)
                        < (first.at, &digests[m].session, first.event)
                });
                if earlier {
                    candidate.first = Some((n, &seen.evidence));
                }
            }
        }
    }
    let mut fitting = candidates.into_iter().filter(|(_, c)| {
        c.packages.len() >= 2
            && c.sessions
                .iter()
                .map(|&n| digests[n].conversation.as_str())
                .collect::<BTreeSet<_>>()
                .len()
                >= 2
            && c.sessions
                .iter()
                .all(|&n| digests[n].first_at.is_some_and(|at| at > old_last_printed))
    });
    let (new, candidate) = fitting.next()?;
    if fitting.next().is_some() {
        return None;
    }
    let (session, evidence) = candidate.first?;
    Some(ModulePathMove {
        new: new.to_string(),
        packages: candidate.packages.iter().map(|p| p.to_string()).collect(),
        session,
        evidence: evidence.clone(),
    })
}

/// `text` with the module path `old` replaced by `new` wherever it stands as a path of its own
/// or opens a longer one (`entire.io/cli/cmd`), never inside another token
/// (`docs.entire.io/cli`); `None` when it stands nowhere.
fn replace_module_path(text: &str, old: &str, new: &str) -> Option<String> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/');
    let mut out = String::with_capacity(text.len() + new.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(old) {
        let before = text[..at].chars().next_back();
        let after = &text[at + old.len()..];
        let ends = match after.chars().next() {
            None | Some('/') => true,
            Some('.') => !after[1..].starts_with(path_char),
            Some(c) => !path_char(c),
        };
        if before.is_some_and(path_char) || !ends || at < copied {
            continue;
        }
        out.push_str(&text[copied..at]);
        out.push_str(new);
        copied = at + old.len();
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Whether `path` is `target` or lies in the folder `target`.
fn under(path: &str, target: &str) -> bool {
    path == target
        || path
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('/') || target.ends_with('/'))
}

/// A project ported to another language: a deleted manifest of one language, and a manifest
/// of another in the same folder that the same session worked on.
struct Port<'d> {
    /// What the project is called: the folder's name, else "The project".
    project: String,
    language: &'static str,
    old_language: &'static str,
    manifest: &'d str,
    manifest_name: &'d str,
}

/// Whether deleting `deleted` was part of porting its project to another language (see
/// [`Port`]).
fn ported_to<'d>(digest: &'d SessionDigest, deleted: &str) -> Option<Port<'d>> {
    let old_language = crate::updates::ecosystem_of(deleted)?;
    let folder = crate::updates::folder_of(deleted);
    let seen = digest.manifests.iter().find(|m| {
        crate::updates::ecosystem_of(&m.path).is_some_and(|l| l != old_language)
            && crate::updates::folder_of(&m.path) == folder
    })?;
    let language = crate::updates::ecosystem_of(&seen.path)?;
    let manifest_name = crate::tools::file_name(&seen.path);
    let project = folder
        .last()
        .map_or_else(|| "The project".to_string(), |name| format!("`{name}`"));
    Some(Port {
        project,
        language,
        old_language,
        manifest: &seen.path,
        manifest_name,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        draft_doc, dream_over, ops, printed, ran, said, store, wrote,
    };
    use super::*;
    use crate::report::Op;

    /// What a person said in an earlier session takes the value a later session announced, the
    /// announcement merged into it; not when the two are untimed, in the wrong order, or of
    /// other projects.
    #[test]
    fn a_later_announcement_updates_what_an_earlier_session_said() {
        // (earlier statement, later announcement, the draft's items)
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "We use Redis 6 for caching.",
                "We upgraded Redis to 7.2 last week.",
                &["We use Redis 7.2 for caching."],
            ),
            (
                "Always use tabs for indentation.",
                "Actually, use spaces instead of tabs for indentation from now on.",
                &["Always use spaces for indentation."],
            ),
            // What is gone: a tool's successor takes its place; otherwise the announcement.
            (
                "Always use Yarn to install packages.",
                "We stopped using Yarn; it's npm everywhere now.",
                &["Always use npm to install packages."],
            ),
            (
                "Remember that Kevin Wu approves infra changes.",
                "Kevin Wu has left the company.",
                &["Kevin Wu has left the company."],
            ),
        ];
        let items = |output: &crate::curate::DreamOutput| -> Vec<String> {
            output
                .draft
                .documents
                .iter()
                .flat_map(|doc| doc.content.lines())
                .filter_map(|line| line.strip_prefix("- ").map(str::to_string))
                .collect()
        };
        let in_project = |mut digest: SessionDigest, project: &str| {
            digest.project = Some(project.to_string());
            digest
        };
        for (earlier, later, expected) in cases {
            let output = dream_over(
                &store(&[]),
                vec![
                    said("s1", "alice", 3, &[earlier]),
                    said("s2", "alice", 9, &[later]),
                ],
            );
            assert_eq!(items(&output), *expected, "{later}");
            // Said the other way round in time, the announcement updates nothing said later.
            let output = dream_over(
                &store(&[]),
                vec![
                    said("s1", "alice", 9, &[earlier]),
                    said("s2", "alice", 3, &[later]),
                ],
            );
            assert!(
                items(&output)
                    .iter()
                    .any(|item| earlier.ends_with(item.as_str())),
                "{later}"
            );
            // Another repository's statement is no older value of this one's.
            let output = dream_over(
                &store(&[]),
                vec![
                    in_project(said("s1", "alice", 3, &[earlier]), "/home/dev/shop"),
                    in_project(said("s2", "alice", 9, &[later]), "/home/dev/blog"),
                ],
            );
            assert!(
                items(&output)
                    .iter()
                    .any(|item| earlier.ends_with(item.as_str())),
                "{later}"
            );
        }
    }

    /// Why each item the dream removed was removed, in report order.
    fn removal_reasons(output: &crate::curate::DreamOutput) -> Vec<&str> {
        output
            .report
            .changes
            .iter()
            .filter(|c| c.op == Op::Remove)
            .map(|c| c.reason.as_str())
            .collect()
    }

    #[test]
    fn a_module_path_is_replaced_where_it_stands_alone_or_opens_a_longer_path() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "The Go module path of the CLI is entire.io/cli.",
                Some("The Go module path of the CLI is github.com/entireio/cli."),
            ),
            (
                "Import entire.io/cli/cmd/entire/cli/paths for path helpers.",
                Some("Import github.com/entireio/cli/cmd/entire/cli/paths for path helpers."),
            ),
            ("Docs live at docs.entire.io/cli.", None),
            ("The module entire.io/clitools is vendored.", None),
            (
                "Use `entire.io/cli` (or entire.io/cli/v2).",
                Some("Use `github.com/entireio/cli` (or github.com/entireio/cli/v2)."),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                replace_module_path(text, "entire.io/cli", "github.com/entireio/cli").as_deref(),
                *expected,
                "{text}"
            );
        }
    }

    /// Tool results that print a project's packages under a new module path move a store item's
    /// path, and only when the evidence leaves no doubt: `(sessions: (day, outputs), the
    /// item afterwards)`.
    #[test]
    fn module_paths_follow_the_packages_tool_results_print() {
        let old_run = "ok  \tentire.io/cli/cmd/entire/cli/paths\t0.2s\nok  \tentire.io/cli/cmd/entire/cli/strategy\t1.1s";
        let new_run = "ok  \tgithub.com/entireio/cli/cmd/entire/cli/paths\t0.2s\n--- FAIL: TestX\nFAIL\tgithub.com/entireio/cli/cmd/entire/cli/strategy\t1.3s";
        let fork_run = "ok  \tgithub.com/someone/cli/cmd/entire/cli/paths\t0.2s\nok  \tgithub.com/someone/cli/cmd/entire/cli/strategy\t1.0s";
        let item = "The Go module path of the CLI is entire.io/cli.";
        let moved = "The Go module path of the CLI is github.com/entireio/cli.";
        type Case<'a> = (Vec<(u32, &'a str)>, &'a str);
        let cases: Vec<Case> = vec![
            // Old path, then the new one in two later sessions: moved.
            (vec![(1, old_run), (3, new_run), (4, new_run)], moved),
            // One later session is not enough.
            (vec![(1, old_run), (3, new_run)], item),
            // The old path printed again after the new one: both are in use.
            (
                vec![(1, old_run), (3, new_run), (4, new_run), (5, old_run)],
                item,
            ),
            // Two other paths fit (a fork's and the new one): no telling which.
            (
                vec![
                    (1, old_run),
                    (3, new_run),
                    (4, new_run),
                    (5, fork_run),
                    (6, fork_run),
                ],
                item,
            ),
            // The new path never printed the same packages.
            (
                vec![
                    (1, old_run),
                    (3, "ok  \tgithub.com/entireio/cli/other\t0.1s"),
                    (4, "ok  \tgithub.com/entireio/cli/else\t0.1s"),
                ],
                item,
            ),
        ];
        for (sessions, expected) in cases {
            let digests: Vec<_> = sessions
                .iter()
                .enumerate()
                .map(|(n, (on_day, output))| printed(&format!("s{n}"), "a", *on_day, &[output]))
                .collect();
            let out = dream_over(&store(&[("/go.md", &format!("- {item}\n"))]), digests);
            assert_eq!(
                draft_doc(&out, "/go.md"),
                format!("- {expected}\n"),
                "{sessions:?}"
            );
            if expected == moved {
                let note = &out
                    .report
                    .changes
                    .iter()
                    .find(|c| c.op == Op::Supersede)
                    .map(|c| c.reason.clone())
                    .unwrap_or_default();
                assert!(note.contains("`cmd/entire/cli/paths`"), "{note}");
            }
        }
    }

    /// Someone who left is replaced by whoever the person names next: in the same sentence or
    /// the one typed right after it, when that one names someone and shares two words with the
    /// item beyond the retired name. A question or a sentence about something else only
    /// retires.
    #[test]
    fn who_took_over_may_be_said_in_the_next_sentence() {
        let item = "Priya Shah approves every refund over 500 EUR.";
        let cases: &[(&str, &str)] = &[
            (
                "Priya Shah has left the company. Tomás Ortega approves refunds over 500 EUR now.",
                "- Tomás Ortega approves refunds over 500 EUR now.\n",
            ),
            (
                "Priya Shah has left the company; Tomás Ortega approves refunds over 500 EUR now.",
                "- Priya Shah has left the company; Tomás Ortega approves refunds over 500 EUR now.\n",
            ),
            (
                "Priya Shah has left the company. Who approves refunds over 500 EUR now?",
                "",
            ),
            (
                "Priya Shah has left the company. Tomás Ortega joined the support team.",
                "",
            ),
        ];
        for (message, expected) in cases {
            let out = dream_over(
                &store(&[("/team.md", &format!("- {item}\n"))]),
                vec![said("s1", "a", 2, &[message])],
            );
            assert_eq!(draft_doc(&out, "/team.md"), *expected, "{message}");
        }
    }

    /// A fact about a project's build files, after a session deleted them and worked on another
    /// language's manifest in the same folder, says what the project is now; with only the same
    /// language's manifest beside them it is removed.
    #[test]
    fn a_project_ported_to_another_language_gets_its_new_manifest() {
        let item = "shop-api is a Python package managed with uv (pyproject.toml and uv.lock).";
        let session = |manifest: &str| {
            ran(
                "s1",
                "a",
                2,
                &[
                    (
                        "Read",
                        serde_json::json!({ "file_path": manifest }),
                        "[package]",
                    ),
                    (
                        "Bash",
                        serde_json::json!({ "command": "rm /w/shop-api/pyproject.toml /w/shop-api/uv.lock" }),
                        "",
                    ),
                    (
                        "Bash",
                        serde_json::json!({ "command": "git commit -am 'port to Rust'" }),
                        "[main 1a2b3c4] port to Rust",
                    ),
                ],
            )
        };
        let cases = [
            (
                "/w/shop-api/Cargo.toml",
                "- `shop-api` is now a Rust project (`Cargo.toml`); its Python build files were deleted.\n",
            ),
            // The session worked in another folder: a bare `pyproject.toml` in the item is
            // not the one it deleted, so the item stays.
            (
                "/w/other/Cargo.toml",
                "- shop-api is a Python package managed with uv (pyproject.toml and uv.lock).\n",
            ),
            ("/w/shop-api/requirements.txt", ""),
            ("/w/shop-api/README.md", ""),
        ];
        for (manifest, expected) in cases {
            let out = dream_over(
                &store(&[("/projects.md", &format!("- {item}\n"))]),
                vec![session(manifest)],
            );
            assert_eq!(draft_doc(&out, "/projects.md"), expected, "{manifest}");
        }
    }

    #[test]
    fn a_path_is_under_itself_and_its_folders() {
        let cases = [
            ("/team/facts.md", "/team/facts.md", true),
            ("/team/facts.md", "/team", true),
            ("/team/facts.md", "/team/", true),
            ("/team/notes/a.md", "/team", true),
            ("/teams/facts.md", "/team", false),
            ("/team.md", "/team", false),
            ("/team", "/team/facts.md", false),
        ];
        for (path, target, expected) in cases {
            assert_eq!(under(path, target), expected, "{path} under {target}");
        }
    }

    #[test]
    fn memory_writes_are_replayed_on_the_store() {
        let facts = "# Facts\n\n- The API is written in Go.\n- Builds take ten minutes.\n";
        let create = |path: &str, text: &str| MemoryCommand::Create {
            path: path.into(),
            text: text.into(),
        };
        // (the session's writes, the draft's documents and contents, the changes)
        type Case = (
            Vec<MemoryCommand>,
            Vec<(&'static str, &'static str)>,
            Vec<(Op, &'static str)>,
        );
        let cases: Vec<Case> = vec![
            // A new file, a deleted folder, and an edit that gives an item a new value.
            (
                vec![
                    create(
                        "/team/deploys.md",
                        "# Deploys\n\n- Deploys need a green CI run.\n",
                    ),
                    MemoryCommand::Delete {
                        path: "/old".into(),
                    },
                    MemoryCommand::StrReplace {
                        path: "/team/facts.md".into(),
                        old: "Go".into(),
                        new: "Rust".into(),
                    },
                ],
                vec![
                    (
                        "/team/deploys.md",
                        "# Deploys\n\n- Deploys need a green CI run.\n",
                    ),
                    (
                        "/team/facts.md",
                        "# Facts\n\n- The API is written in Rust.\n- Builds take ten minutes.\n",
                    ),
                ],
                vec![
                    (Op::Add, "Deploys need a green CI run."),
                    (Op::Supersede, "The API is written in Rust."),
                    (Op::Keep, "Builds take ten minutes."),
                    (Op::Remove, "Old note."),
                ],
            ),
            // A file written whole loses what it no longer says.
            (
                vec![create(
                    "/team/facts.md",
                    "- The API is written in Go.\n- Releases are tagged `vX.Y.Z`.\n",
                )],
                vec![
                    ("/old/notes.md", "- Old note.\n"),
                    (
                        "/team/facts.md",
                        "# Facts\n\n- The API is written in Go.\n- Releases are tagged `vX.Y.Z`.\n",
                    ),
                ],
                vec![
                    (Op::Keep, "Old note."),
                    (Op::Add, "Releases are tagged `vX.Y.Z`."),
                    (Op::Keep, "The API is written in Go."),
                    (Op::Remove, "Builds take ten minutes."),
                ],
            ),
            // An edit that leaves nothing deletes the item; a renamed folder moves its files.
            (
                vec![
                    MemoryCommand::StrReplace {
                        path: "/team/facts.md".into(),
                        old: "Builds take ten minutes.".into(),
                        new: String::new(),
                    },
                    MemoryCommand::Rename {
                        from: "/old".into(),
                        to: "/archive".into(),
                    },
                ],
                vec![
                    ("/archive/notes.md", "- Old note.\n"),
                    ("/team/facts.md", "# Facts\n\n- The API is written in Go.\n"),
                ],
                vec![
                    (Op::Keep, "Old note."),
                    (Op::Keep, "The API is written in Go."),
                    (Op::Remove, "Builds take ten minutes."),
                ],
            ),
        ];
        for (commands, documents, expected) in cases {
            let input = store(&[
                ("/team/facts.md", facts),
                ("/old/notes.md", "- Old note.\n"),
            ]);
            let output = dream_over(&input, vec![wrote("s1", "alice", 5, commands.clone())]);
            let drafted: Vec<(&str, &str)> = output
                .draft
                .documents
                .iter()
                .map(|d| (d.path.as_str(), d.content.as_str()))
                .collect();
            assert_eq!(drafted, documents, "{commands:?}");
            assert_eq!(ops(&output), expected, "{commands:?}");
        }
    }

    #[test]
    fn what_a_person_says_is_gone_is_retired() {
        let facts = "# Facts\n\n- Push notifications are sent through Firebase.\n- The API is written in Go.\n";
        let output = dream_over(
            &store(&[("/team/facts.md", facts)]),
            vec![said("s1", "alice", 5, &["We're dropping Firebase."])],
        );
        assert_eq!(
            draft_doc(&output, "/team/facts.md"),
            "# Facts\n\n- The API is written in Go.\n"
        );
        let removed = removal_reasons(&output);
        assert_eq!(
            removed,
            [
                "names Firebase, which a person said is gone (\"dropping\": \"We're dropping Firebase.\", session s1) (was in /team/facts.md)"
            ]
        );
    }
    #[test]
    fn what_took_the_place_of_a_retired_name_replaces_the_item() {
        // (store item, what the person said, the item's line in the draft or None when removed)
        let cases: &[(&str, &str, Option<&str>)] = &[
            // One shared word is enough for a short item when the sentence names the successor.
            (
                "The CI pipeline runs on Jenkins.",
                "Jenkins was decommissioned; our pipelines run on GitHub Actions these days.",
                Some("Jenkins was decommissioned; our pipelines run on GitHub Actions these days."),
            ),
            (
                "Translations are managed in Crowdin.",
                "Crowdin is gone, translations now live in Lokalise.",
                Some("Crowdin is gone, translations now live in Lokalise."),
            ),
            // A channel's name is an identifier.
            (
                "The Slack channel for incidents is #ops-alerts.",
                "Incidents go to #incident-room now, #ops-alerts is archived.",
                Some("Incidents go to #incident-room now, #ops-alerts is archived."),
            ),
            // A person who retired.
            (
                "Customer refunds are approved by Olga Petrova.",
                "Olga Petrova retired in March; refunds are approved by Ben Carter now.",
                Some("Olga Petrova retired in March; refunds are approved by Ben Carter now."),
            ),
            // An item that uses the retired tool takes the one tool said in its place.
            (
                "Use Yarn to install packages.",
                "We stopped using Yarn; it's npm everywhere now.",
                Some("Use npm to install packages."),
            ),
            // Nothing shared beyond the name: the item goes, nothing takes its place.
            (
                "Deploy alerts are posted by Jenkins.",
                "Jenkins was decommissioned; our pipelines run on GitHub Actions these days.",
                None,
            ),
        ];
        for (item, said_text, expected) in cases {
            let facts = format!("# Facts\n\n- {item}\n- The API is written in Go.\n");
            let output = dream_over(
                &store(&[("/team/facts.md", &facts)]),
                vec![said("s1", "alice", 5, &[said_text])],
            );
            let draft = draft_doc(&output, "/team/facts.md");
            let want = match expected {
                Some(line) => format!("# Facts\n\n- {line}\n- The API is written in Go.\n"),
                None => "# Facts\n\n- The API is written in Go.\n".to_string(),
            };
            assert_eq!(draft, want, "{said_text}");
        }
        // "retired" with an object retires the object, not the one who retired it.
        let output = dream_over(
            &store(&[(
                "/team/facts.md",
                "# Facts\n\n- Kubernetes runs our batch jobs.\n",
            )]),
            vec![said(
                "s1",
                "alice",
                5,
                &["Kubernetes retired dockershim years ago."],
            )],
        );
        assert_eq!(
            draft_doc(&output, "/team/facts.md"),
            "# Facts\n\n- Kubernetes runs our batch jobs.\n"
        );
    }
    #[test]
    fn an_untrusted_session_neither_rewrites_nor_retires_a_store_item() {
        let facts = "# Facts\n\n- The billing host is bill-1.internal.\n- Alerts go to Opsgenie.\n";
        let mut digest = said(
            "s1",
            "alice",
            5,
            &["FYI the billing host is bill-9.internal from now on. We're dropping Opsgenie."],
        );
        assert!(!digest.changes.is_empty() && !digest.retirements.is_empty());
        // As the digest of a session marked untrusted has them.
        digest.trust = crate::model::SessionTrust::Untrusted;
        for change in &mut digest.changes {
            change.evidence.trust = crate::model::Trust::Untrusted;
        }
        for retirement in &mut digest.retirements {
            retirement.evidence.trust = crate::model::Trust::Untrusted;
        }
        for statement in &mut digest.statements {
            statement.evidence.trust = crate::model::Trust::Untrusted;
        }
        let output = dream_over(&store(&[("/team/facts.md", facts)]), vec![digest]);
        assert_eq!(draft_doc(&output, "/team/facts.md"), facts);
    }
    #[test]
    fn what_a_person_takes_back_is_not_kept() {
        let notes = "# Notes\n\n- Run the e2e suite before tagging a release.\n- The API is written in Go.\n";
        let output = dream_over(
            &store(&[("/team/notes.md", notes)]),
            vec![
                // Taken back in the same session; what replaces it stands as the rule did.
                said(
                    "s1",
                    "alice",
                    5,
                    &[
                        "From now on, always squash-merge pull requests.",
                        "Actually, scratch that: keep regular merge commits.",
                    ],
                ),
                // A rule of an earlier session, taken back by its subject in a later one,
                // with the store item about the same thing.
                said(
                    "s2",
                    "alice",
                    6,
                    &["Always tag releases from the main branch."],
                ),
                said(
                    "s3",
                    "alice",
                    7,
                    &[
                        "Forget what I said about the e2e suite before tagging; smoke tests are enough.",
                    ],
                ),
                // A fact to remember put right: the corrected value stands as the first did.
                said(
                    "s5",
                    "alice",
                    9,
                    &[
                        "Remember that staging runs on port 8080.",
                        "Sorry, I was wrong: staging runs on port 8081.",
                    ],
                ),
                // "Never mind X, …" takes back what was said about X.
                said(
                    "s6",
                    "alice",
                    10,
                    &[
                        "From now on, always write commit messages in German.",
                        "Never mind the German commit messages, English is fine.",
                    ],
                ),
                // A dismissal after a question takes back nothing said before.
                said(
                    "s4",
                    "alice",
                    8,
                    &[
                        "Never use force pushes on shared branches.",
                        "Can you check why the build is slow?",
                        "Never mind, I found it.",
                    ],
                ),
            ],
        );
        // Every item of every draft document.
        let texts: Vec<&str> = output
            .draft
            .documents
            .iter()
            .flat_map(|doc| doc.content.lines())
            .filter_map(|line| line.strip_prefix("- "))
            .collect();
        assert!(!texts.iter().any(|t| t.contains("squash")), "{texts:?}");
        assert!(texts.contains(&"Keep regular merge commits."), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("e2e")), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("8080")), "{texts:?}");
        assert!(texts.contains(&"Staging runs on port 8081."), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("German")), "{texts:?}");
        assert!(
            texts.contains(&"Never use force pushes on shared branches."),
            "{texts:?}"
        );
        let skipped: Vec<(&str, &str)> = output
            .report
            .skipped
            .iter()
            .map(|s| (s.text.as_str(), s.reason.as_str()))
            .collect();
        assert!(
            skipped
                .iter()
                .any(|(text, reason)| text.contains("squash-merge")
                    && reason.starts_with("taken back later in the session (\"scratch that\"")),
            "{skipped:?}"
        );
        let removed = removal_reasons(&output);
        assert!(
            removed
                .iter()
                .any(|r| r.starts_with("taken back (\"forget what i said about\"")),
            "{removed:?}"
        );
    }
}
