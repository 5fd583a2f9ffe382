//! Resolving contradictions (superseding): when items give one subject different values — the
//! same subject with another value, the same sentence with another identifier, or a change a
//! person announced to another value of a closed set — the newest wins and takes the place of
//! the oldest store item it replaces. An early pass keeps only the newest session value per
//! subject so merging stays linear.
//!
//! This stage compares facts and preferences only, and must never supersede on file order
//! alone (only values known to be older give way), never let two unconfirmed values retire
//! each other, and never let a value only untrusted events of one session give retire anything.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::merge::UnionFind;
use super::{Curator, Memory, Origin, SlotKey, State};
use crate::report::Kind;
use crate::text;

impl Curator {
    /// When many sessions give a subject different values over time, only the newest value (and
    /// statements agreeing with it) go on; older session values are superseded by it right away.
    /// The full contradiction pass later compares the survivors with the store. Doing this
    /// first keeps merging linear when a fleet restates a changing fact thousands of times.
    pub(super) fn keep_newest_session_values(&mut self) {
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
                    && !self.of_other_projects(*i, *newest)
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

    pub(super) fn resolve_contradictions(&mut self) {
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
                    if text::conflicting_slots(slot_i, slot_j) && !self.of_other_projects(*i, *j) {
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
                    let Some(swap) = text::frame_swap(&mi.text, &mj.text) else {
                        continue;
                    };
                    if self.of_other_projects(i, j) {
                        continue;
                    }
                    // A name for a name is an update only when someone said it changed.
                    if swap.names_only && !(mi.announced_change || mj.announced_change) {
                        continue;
                    }
                    union.union(i, j);
                    conflicted.insert(i);
                    conflicted.insert(j);
                    swapped_values.insert(pair(i, j), [(i, swap.old), (j, swap.new)]);
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
                    if let Some((subject, family)) = text::closed_set_change(&mj.text, &mi.text)
                        && !self.of_other_projects(i, j)
                    {
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
        // A change a person announced gives the same subject, in other words, another value of
        // one shape (a number, a host, a version), another name or another tool: "Rate limit is
        // 250 requests per minute as of today" for "The API rate limit is 100 requests per
        // minute". Candidates share two words, found through an index of the announced changes'
        // words.
        let announced: Vec<usize> = live
            .iter()
            .copied()
            .filter(|&i| {
                let m = &self.memories[i];
                m.announced_change && !m.provisional
            })
            .collect();
        if !announced.is_empty() {
            let mut by_word: HashMap<&str, Vec<usize>> = HashMap::new();
            for &j in &live {
                for word in &self.memories[j].analysis.word_set {
                    by_word.entry(word.as_str()).or_default().push(j);
                }
            }
            let mut links: Vec<(usize, usize, Vec<String>)> = Vec::new();
            for &i in &announced {
                let mut shared: BTreeMap<usize, usize> = BTreeMap::new();
                for word in &self.memories[i].analysis.word_set {
                    for &j in by_word.get(word.as_str()).into_iter().flatten() {
                        *shared.entry(j).or_default() += 1;
                    }
                }
                for (j, count) in shared {
                    if j == i || count < 2 || union.find(i) == union.find(j) {
                        continue;
                    }
                    if let Some(subject) =
                        text::anchor_change(&self.memories[j].text, &self.memories[i].text)
                        && !self.of_other_projects(i, j)
                    {
                        links.push((i, j, subject));
                    }
                }
            }
            for (i, j, subject) in links {
                union.union(i, j);
                conflicted.insert(i);
                conflicted.insert(j);
                let stems: BTreeSet<String> = subject.into_iter().collect();
                let subject = words_as_written(&self.memories[i].text, &stems, &BTreeSet::new());
                why_linked.entry(pair(i, j)).or_insert_with(|| {
                    format!(
                        "same subject ({}), another value, announced as a change",
                        code_list(&subject)
                    )
                });
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
                    let (old, new) = (value_of(i), value_of(winner));
                    matched_notes.push(if old.is_empty() || new.is_empty() {
                        "the same rule, negated".to_string()
                    } else {
                        format!("the same sentence with another value: `{old}` → `{new}`")
                    });
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
}

impl Curator {
    /// Whether two items come from sessions of different projects only: every session of each
    /// records its starting directory, and no directory is shared (or holds the other). "The dev server port is
    /// 8080" in one repository and "… 3000" in another are two facts, not one that changed.
    /// Store items (no sessions) belong to every project.
    fn of_other_projects(&self, a: usize, b: usize) -> bool {
        match (self.projects_of(a), self.projects_of(b)) {
            (Some(pa), Some(pb)) => !pa.iter().any(|x| pb.iter().any(|y| same_project(x, y))),
            _ => false,
        }
    }

    /// The projects the sessions memory `i` was said in worked on; `None` when it comes from
    /// no session or one of them records no project.
    pub(super) fn projects_of(&self, i: usize) -> Option<BTreeSet<&str>> {
        let memory = &self.memories[i];
        if memory.sessions.is_empty() {
            return None;
        }
        memory
            .sessions
            .iter()
            .map(|s| self.project_of_session.get(s).map(String::as_str))
            .collect()
    }
}

/// Whether two sessions' folders are one project: the same, or one inside the other (a session
/// started in a sub-directory, `~/shop/web`, works on `~/shop`).
pub(super) fn same_project(x: &str, y: &str) -> bool {
    x == y
        || x.strip_prefix(y).is_some_and(|rest| rest.starts_with('/'))
        || y.strip_prefix(x).is_some_and(|rest| rest.starts_with('/'))
}

/// The frame of a statement for contradiction search: its tokens with values (anchors,
/// closed-set words, opposites, names) blanked and polarity words left out, so "Always use Node 18",
/// "Never use Node 20" and "Use Node 20" share one. Statements in one frame are compared by
/// [`text::frame_new_value`]; `None` only for a statement without words. Only the first clause
/// (up to a `;`) counts, so a rule and its negation with a reason after it meet.
fn frame_key(text: &str) -> Option<String> {
    let mut key: Vec<String> = Vec::new();
    for marked in text::frame_tokens_marked(text::first_clause(text)) {
        let token = marked.text;
        // What is used may be a tool named in lower case ("use yarn", "use pnpm"): a value
        // slot, like a name (`text::frame_swap` decides whether it is one).
        let used = key
            .last()
            .is_some_and(|last| text::names_what_is_used(last));
        if marked.written.is_some()
            || used
            || text::is_anchor(&token)
            || text::value_family(&token).is_some()
            || text::is_opposite(&token)
        {
            key.push("#".to_string());
        } else if !text::is_polarity_word(&token) {
            key.push(token);
        }
    }
    key.dedup();
    (!key.is_empty()).then(|| key.join(" "))
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
        // Two store items without times: nothing says which is newer, not even their order. In
        // real memory banks the same label repeats per section ("**Status**: …" under each task,
        // "**Location**: …" under each change) and documents have no order between them.
        (false, false) => matches!((older.at, newer.at), (Some(a), Some(b)) if a < b),
        (true, true) => match (older.at, newer.at) {
            (Some(a), Some(b)) => a < b,
            _ => older.sessions == newer.sessions && older.seq < newer.seq,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        day, draft_doc, dream_over, ops, said, stated, statement, store,
    };
    use super::*;
    use crate::digest::StatementClass;
    use crate::model::{Timestamp, Trust};
    use crate::report::Op;

    fn memory(origin: Origin, at: Option<Timestamp>, seq: usize, session: Option<&str>) -> Memory {
        let mut memory = Memory::new(
            "The staging database runs Postgres 14.".into(),
            Kind::Fact,
            origin,
            seq,
        );
        memory.at = at;
        memory.sessions.extend(session.map(str::to_string));
        memory
    }

    #[test]
    fn what_is_known_to_be_older() {
        use Origin::{Session, Store};
        let (d5, d7, d10) = (Some(day(5)), Some(day(7)), Some(day(10)));
        // ((origin, at, seq, session) of the older candidate, of the newer one, known older)
        type Side = (Origin, Option<Timestamp>, usize, Option<&'static str>);
        let cases: &[(Side, Side, bool)] = &[
            // A store item without an as-of time is older than any session …
            ((Store, None, 0, None), (Session, d5, 1, Some("s1")), true),
            ((Store, None, 0, None), (Session, None, 1, Some("s1")), true),
            // … unless it says it is true as of later.
            ((Store, d10, 0, None), (Session, d5, 1, Some("s1")), false),
            ((Store, d5, 0, None), (Session, d7, 1, Some("s1")), true),
            // A session value is older than a store item only when both have times.
            ((Session, d5, 1, Some("s1")), (Store, None, 0, None), false),
            ((Session, d5, 1, Some("s1")), (Store, d10, 0, None), true),
            // Two store items: by their as-of times, never by their order.
            ((Store, None, 0, None), (Store, None, 1, None), false),
            ((Store, None, 1, None), (Store, None, 0, None), false),
            ((Store, d5, 1, None), (Store, d7, 0, None), true),
            // Two session values: by time, never by input order …
            (
                (Session, d5, 9, Some("s1")),
                (Session, d7, 1, Some("s2")),
                true,
            ),
            (
                (Session, d7, 1, Some("s2")),
                (Session, d5, 9, Some("s1")),
                false,
            ),
            (
                (Session, None, 1, Some("s1")),
                (Session, None, 2, Some("s2")),
                false,
            ),
            // … except within one session, whose statements keep their order.
            (
                (Session, None, 1, Some("s1")),
                (Session, None, 2, Some("s1")),
                true,
            ),
            (
                (Session, None, 2, Some("s1")),
                (Session, None, 1, Some("s1")),
                false,
            ),
        ];
        for (older, newer, known) in cases {
            let older_memory = memory(older.0, older.1, older.2, older.3);
            let newer_memory = memory(newer.0, newer.1, newer.2, newer.3);
            assert_eq!(
                ordered_in_time(&older_memory, &newer_memory),
                *known,
                "{older:?} before {newer:?}"
            );
        }
    }

    #[test]
    fn sentence_frames_blank_values_and_polarity() {
        // (a, b, whether they share a frame)
        let cases = [
            (
                "Always use Node 18 in CI.",
                "Never use Node 20 in CI.",
                true,
            ),
            // "never" and "do not" are one marker.
            (
                "Always use Node 18 in CI.",
                "Do not use Node 20 in CI.",
                true,
            ),
            ("Use Node 18 in CI.", "Use Node 20 in the CI image.", false),
            (
                "Deploys go out on Tuesdays.",
                "Deploys go out on Thursdays.",
                true,
            ),
            (
                "Deploys go out on Tuesdays.",
                "Builds go out on Thursdays.",
                false,
            ),
        ];
        for (a, b, same) in cases {
            let (ka, kb) = (frame_key(a), frame_key(b));
            assert!(ka.is_some() && kb.is_some(), "{a:?} {ka:?} / {b:?} {kb:?}");
            assert_eq!(ka == kb, same, "{a:?} {ka:?} / {b:?} {kb:?}");
        }
        // A rule and its negation, or the waiver that lifts it, share a frame.
        for (a, b) in [
            (
                "Use tabs for indentation.",
                "Do not use tabs for indentation.",
            ),
            (
                "Ask before running database migrations.",
                "You don't need to ask before running database migrations.",
            ),
        ] {
            assert_eq!(frame_key(a), frame_key(b), "{a:?} / {b:?}");
        }
        assert_eq!(frame_key("..."), None);
    }

    #[test]
    fn report_notes_quote_the_matched_words_as_written() {
        let set = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<BTreeSet<_>>();
        // (text, stems, anchors, the words as written)
        type Words = &'static [&'static str];
        let cases: &[(&str, Words, Words, Words)] = &[
            (
                "Deploys go out on Tuesdays.",
                &["deploy"],
                &[],
                &["Deploys"],
            ),
            (
                "Run `make test` on Staging, staging first.",
                &["stage"],
                &[],
                &["Staging"],
            ),
            ("Use Postgres 16 on staging.", &[], &["16"], &["16"]),
            ("Nothing matches here.", &["deploy"], &["16"], &[]),
        ];
        for (text, stems, anchors, words) in cases {
            assert_eq!(
                words_as_written(text, &set(stems), &set(anchors)),
                *words,
                "{text}"
            );
        }
        let lists: &[(&[&str], &str)] = &[
            (&[], ""),
            (&["deploy"], "`deploy`"),
            (&["deploy", "staging"], "`deploy`, `staging`"),
        ];
        for (words, list) in lists {
            assert_eq!(code_list(words), *list);
        }
    }

    #[test]
    fn a_name_for_a_name_updates_only_when_said_as_a_change() {
        let facts = "# Facts\n\n- Contracts are drafted in Word.\n- We use Postgres for the API.\n";
        // Said as a change, the new name replaces the old one.
        let changed = dream_over(
            &store(&[("/team/facts.md", facts)]),
            vec![said(
                "s1",
                "alice",
                5,
                &["From now on, contracts are drafted in Google Docs."],
            )],
        );
        assert!(
            ops(&changed).contains(&(Op::Supersede, "Contracts are drafted in Google Docs.")),
            "{:?}",
            ops(&changed)
        );
        // Two tools can serve one purpose side by side: without a change, both stay.
        let beside = dream_over(
            &store(&[("/team/facts.md", facts)]),
            vec![said("s1", "alice", 5, &["We use Redis for the API."])],
        );
        let draft = draft_doc(&beside, "/team/facts.md");
        assert!(
            draft.contains("We use Postgres for the API."),
            "{draft}\n{:?}",
            ops(&beside)
        );
        // What is used may be named in lower case ("use yarn" / "use pnpm"): the same rule.
        let rules = "# Preferences\n\n- Use yarn to install dependencies.\n";
        let switched = dream_over(
            &store(&[("/team/preferences.md", rules)]),
            vec![said(
                "s1",
                "alice",
                5,
                &["Please use pnpm to install dependencies from now on."],
            )],
        );
        let draft = draft_doc(&switched, "/team/preferences.md");
        assert!(
            !draft.contains("yarn") && draft.contains("pnpm"),
            "{draft}\n{:?}",
            ops(&switched)
        );
        let beside = dream_over(
            &store(&[("/team/preferences.md", rules)]),
            vec![said(
                "s1",
                "alice",
                5,
                &["We use pnpm to install dependencies in the docs site."],
            )],
        );
        let draft = draft_doc(&beside, "/team/preferences.md");
        assert!(
            draft.contains("Use yarn to install dependencies."),
            "{draft}\n{:?}",
            ops(&beside)
        );
    }

    /// A change said in other words than the store item's: the subject's words are one side's
    /// (or differ by a word each), the value is of the item's shape (a number, a time, a name).
    /// Another subject with the same shape of value stays.
    /// A dream over a store whose team facts hold `item`, and one session in which a person
    /// said `sentence`.
    fn dream_over_one_fact(item: &str, sentence: &str) -> crate::curate::DreamOutput {
        dream_over(
            &store(&[("/team/facts.md", &format!("# Facts\n\n- {item}\n"))]),
            vec![said("s1", "alice", 5, &[sentence])],
        )
    }

    #[test]
    fn an_announced_change_in_other_words_replaces_the_value() {
        // (store item, what a person said, whether the item gives way)
        let cases = [
            (
                "The API rate limit is 100 requests per minute.",
                "Heads up, the rate limit is 250 requests per minute as of today.",
                true,
            ),
            (
                "Chat support is open 9am to 5pm.",
                "Chat support hours are now 8am to 8pm.",
                true,
            ),
            (
                "Tickets are triaged by the L1 team.",
                "Triage of tickets is done by the L2 team from now on.",
                true,
            ),
            (
                "The primary contact at Globex is Mark Fields.",
                "Our contact at Globex changed: it's Jenna Ortiz now.",
                true,
            ),
            (
                "Weekly reports are sent on Fridays.",
                "Weekly reports go out on Thursdays from now on.",
                true,
            ),
            (
                "The support phone line is +1 555 0100.",
                "New support phone number: +1 555 0199.",
                true,
            ),
            (
                "Quarterly reports go to finance@example.com.",
                "Send quarterly reports to controller@example.com from now on.",
                true,
            ),
            (
                "The frontend is deployed to Netlify.",
                "Frontend deploys go to Vercel these days.",
                true,
            ),
            (
                "The nightly backup runs at 01:00 UTC.",
                "Nightly backups were rescheduled to 04:30 UTC.",
                true,
            ),
            (
                "Session timeout is 15 minutes.",
                "Session timeout: 60 minutes (changed today).",
                true,
            ),
            // When the change happened or takes effect is no word of its subject.
            (
                "Our primary region is us-east-1.",
                "We migrated everything to eu-west-2 last week, so that is our primary region now.",
                true,
            ),
            (
                "Standup is at 9:30 every weekday.",
                "Beginning next Monday, standup is at 10:15.",
                true,
            ),
            // A subject word the values also hold ("vpn" of vpn-1.corp…) is still the subject's.
            (
                "The VPN gateway address is vpn-1.corp.example.com.",
                "New VPN gateway: vpn-2.corp.example.com.",
                true,
            ),
            // Another subject: qualified otherwise, or sharing one word only.
            (
                "The staging database port is 5432.",
                "The production database port is now 5433.",
                false,
            ),
            (
                "Chat support is open 9am to 5pm.",
                "Phone support hours are now 8am to 8pm.",
                false,
            ),
            (
                "The primary contact at Globex is Mark Fields.",
                "Our contact at Initech changed: it's Jenna Ortiz now.",
                false,
            ),
            (
                "Invoices are sent by Dana Whitfield.",
                "Purchase orders are now sent by Priya Raman.",
                false,
            ),
            // Another service's port, or another port of the service (a generated fleet's
            // look-alikes): a qualifier of one side only, before the shared words.
            (
                "The reporting-api gRPC port: 25762",
                "The billing-api gRPC port is now 33696.",
                false,
            ),
            (
                "The billing-api metrics port is set to 55675.",
                "The billing-api gRPC port is now 33696.",
                false,
            ),
            // The newer side adds a qualifier: another thing's value (a closed set's too).
            (
                "Session timeout is 15 minutes.",
                "Admin session timeout: 5 minutes (changed today).",
                false,
            ),
            (
                "Quarterly reports go to finance@example.com.",
                "Send expense reports to travel@example.com from now on.",
                false,
            ),
            // Another product's version (a generated fleet's look-alikes): the name qualifies
            // the subject when a version changed.
            (
                "Pinned Kubernetes version is set to 1.22.11.",
                "The pinned Python version is 3.7.13 now.",
                false,
            ),
            // A value's unit or zone is no subject word ("UTC").
            (
                "The nightly backup runs at 01:00 UTC.",
                "The weekly report job was rescheduled to 06:00 UTC.",
                false,
            ),
            // A moment that is no start of a change ("the logs from today", a span of the past).
            (
                "Our CDN is Cloudflare.",
                "The logs from today show a spike on the CDN.",
                false,
            ),
            (
                "The docs are hosted on GitBook.",
                "From 2019 to 2021 we hosted the docs on ReadTheDocs.",
                false,
            ),
            // Not said as a change: two facts side by side.
            (
                "The API rate limit is 100 requests per minute.",
                "The search API rate limit is 20 requests per minute.",
                false,
            ),
        ];
        for (item, sentence, replaced) in cases {
            let output = dream_over_one_fact(item, sentence);
            let draft = draft_doc(&output, "/team/facts.md");
            assert_eq!(
                !draft.contains(item),
                replaced,
                "{item} / {sentence}\n{draft}\n{:?}",
                ops(&output)
            );
            if replaced {
                let note = output
                    .report
                    .changes
                    .iter()
                    .find(|change| change.op == Op::Supersede)
                    .map(|change| change.reason.clone())
                    .unwrap_or_default();
                assert!(note.contains("same subject"), "{sentence}: {note}");
            }
        }
    }

    /// A request word may qualify the subject's noun ("Test database", "Build times", "Release
    /// notes"): the sentence states a new value, it asks for nothing.
    /// For each (store item, what a person said, whether the item gives way, the new value it
    /// then holds): dreams the one fact over the one sentence and checks the draft.
    fn assert_each_gives_way_or_stays(cases: &[(&str, &str, bool, &str)]) {
        for &(item, sentence, replaced, value) in cases {
            let output = dream_over_one_fact(item, sentence);
            let draft = draft_doc(&output, "/team/facts.md");
            assert_eq!(
                !draft.contains(item),
                replaced,
                "{item} / {sentence}\n{draft}"
            );
            if replaced {
                assert!(draft.contains(value), "{sentence}\n{draft}");
            }
        }
    }

    /// A decision that names the value it did not take, in one sentence ("We are going with
    /// CodeMirror, not Monaco") or right after the person turned that value down (a real Cline
    /// task: "I don't want monaco editor.  we are going with codemirror."). Turning down
    /// something that is no name, or a decision in another message, changes nothing.
    #[test]
    fn a_decision_replaces_the_value_it_turned_down() {
        let editor = "The IDE's editor pane is Monaco, loaded from a CDN.";
        assert_each_gives_way_or_stays(&[
            (
                editor,
                "We are going with CodeMirror, not Monaco.",
                true,
                "CodeMirror",
            ),
            (
                editor,
                "I don't want monaco editor.  we are going with codemirror.",
                true,
                "codemirror",
            ),
            (
                "Local services run in Docker containers.",
                "No Docker. We settled on Podman.",
                true,
                "Podman",
            ),
            (
                editor,
                "No problem. We are going with codemirror.",
                false,
                "",
            ),
            (
                editor,
                "I don't want the tests to run. We are going with codemirror.",
                false,
                "",
            ),
            // A decision that is no single name is not read against the name turned down.
            (
                editor,
                "I don't want Monaco. We are going with whatever loads fastest.",
                false,
                "",
            ),
        ]);
        let separate = dream_over(
            &store(&[("/team/facts.md", &format!("# Facts\n\n- {editor}\n"))]),
            vec![said(
                "s1",
                "alice",
                5,
                &["I don't want Monaco.", "We are going with codemirror."],
            )],
        );
        assert!(draft_doc(&separate, "/team/facts.md").contains(editor));
    }

    /// Wordings of support, ops and coding teams, written for lucid's update probes (not from
    /// the generator's templates): each person's sentence replaces the one store item it gives
    /// a new value, and what is a request, a question, an event or a measurement leaves the item
    /// alone. Known misses, left out of the table: "Minimum iOS version is 16 now" for "The iOS
    /// app targets iOS 15" (other words for the subject), "Team passwords are stored in
    /// 1Password now" for "Passwords are stored in LastPass" (the newer adds a qualifier).
    #[test]
    fn update_wordings_of_support_ops_and_coding_teams() {
        let cases = [
            (
                "Support tickets are triaged by Maria.",
                "Maria has left; Tom triages support tickets now.",
                true,
                "Tom",
            ),
            (
                "We use Postgres 14 in production.",
                "We upgraded production to Postgres 16.",
                true,
                "16",
            ),
            (
                "The API is served from api.example.com.",
                "The API moved to api2.example.com.",
                true,
                "api2.example.com",
            ),
            (
                "Release builds run on Fridays.",
                "Release builds run on Tuesdays from now on.",
                true,
                "Tuesdays",
            ),
            (
                "Our CI runs on CircleCI.",
                "We are dropping CircleCI; CI runs on GitHub Actions now.",
                true,
                "GitHub Actions",
            ),
            (
                "The request timeout is 10 seconds.",
                "The request timeout was increased to 30 seconds.",
                true,
                "30 seconds",
            ),
            (
                "Log retention is 30 days.",
                "Log retention has been extended to 90 days.",
                true,
                "90 days",
            ),
            (
                "The free tier allows 500 requests per hour.",
                "The free tier was lowered to 100 requests per hour.",
                true,
                "100 requests",
            ),
            (
                "The session timeout is 15 minutes.",
                "Session timeout got raised to 60 minutes.",
                true,
                "60 minutes",
            ),
            (
                "Backups are kept for 7 days.",
                "Backup retention was extended to 14 days.",
                true,
                "14 days",
            ),
            (
                "Alerts go to PagerDuty.",
                "Alerts go to Opsgenie now.",
                true,
                "Opsgenie",
            ),
            // A limit is a maximum said in other words.
            (
                "The max file size for uploads is 10MB.",
                "The upload limit went up to 25MB.",
                true,
                "25MB",
            ),
            // A tool named in lower case, digits first, is a name as much as "Docusaurus" is…
            (
                "The docs site is built with Docusaurus.",
                "The docs site is built with 11ty now.",
                true,
                "11ty",
            ),
            // …but only a change someone announced swaps one for the other.
            (
                "The docs site is built with Docusaurus.",
                "The docs site is built with 11ty.",
                false,
                "",
            ),
            (
                "The refund window is 14 days.",
                "Refund window changed to 30 days.",
                true,
                "30 days",
            ),
            (
                "Our support email is help@example.com.",
                "Support email is now support@example.com.",
                true,
                "support@example.com",
            ),
            (
                "The on-call rotation changes every Monday.",
                "On-call rotation now changes every Wednesday.",
                true,
                "Wednesday",
            ),
            (
                "Invoices are sent on the 1st of the month.",
                "From now on invoices go out on the 15th of the month.",
                true,
                "15th",
            ),
            (
                "We deploy with Heroku.",
                "We moved off Heroku to Fly.io.",
                true,
                "Fly.io",
            ),
            (
                "The design system uses Tailwind v3.",
                "We upgraded Tailwind to v4.",
                true,
                "v4",
            ),
            (
                "The weekly sync is on Tuesdays at 10am.",
                "The weekly sync moved to Thursdays at 10am.",
                true,
                "Thursdays",
            ),
            (
                "Legal reviews contracts within 5 business days.",
                "Legal review now takes up to 10 business days.",
                true,
                "10 business days",
            ),
            (
                "The staging server runs Ubuntu 20.04.",
                "Staging was upgraded to Ubuntu 24.04.",
                true,
                "24.04",
            ),
            (
                "The SLA for P1 tickets is 4 hours.",
                "P1 SLA has been reduced to 2 hours.",
                true,
                "2 hours",
            ),
            (
                "Use tabs for indentation in Go files.",
                "Please fix the typo in the README.",
                false,
                "",
            ),
            (
                "The staging database is on port 5432.",
                "I restarted the staging database.",
                false,
                "",
            ),
            (
                "The team uses Slack for alerts.",
                "Slack was down for an hour today.",
                false,
                "",
            ),
            (
                "Builds take about 5 minutes.",
                "The build time went up to 12 minutes after we added the e2e suite.",
                false,
                "",
            ),
            (
                "The importer needs 2GB of memory.",
                "Memory usage went up to 3GB during the import yesterday.",
                false,
                "",
            ),
            (
                "Support hours are 9am to 5pm.",
                "Please reply to the customer about the refund.",
                false,
                "",
            ),
            (
                "The staging URL is https://staging.example.com.",
                "The staging URL went down yesterday for an hour.",
                false,
                "",
            ),
            (
                "The rate limit is 100 requests per minute.",
                "Can the rate limit be raised to 200 requests per minute?",
                false,
                "",
            ),
            (
                "The API key rotates every 90 days.",
                "Please rotate the API key today.",
                false,
                "",
            ),
            (
                "Customer data lives in the EU region.",
                "A customer asked whether data lives in the EU region.",
                false,
                "",
            ),
            (
                "Releases are tagged as vX.Y.Z.",
                "I tagged the release v2.3.1 yesterday.",
                false,
                "",
            ),
            (
                "The cache TTL is 300 seconds.",
                "The cache hit rate went down to 40% after the release.",
                false,
                "",
            ),
        ];
        assert_each_gives_way_or_stays(&cases);
    }

    #[test]
    fn a_number_someone_changed_and_a_name_that_opens_with_a_digit_are_new_values() {
        // (store item, what a person said, whether the item gives way, the new value it then
        // holds)
        let cases = [
            (
                "The monthly cloud budget is $300.",
                "The cloud budget went up to $500.",
                true,
                "$500",
            ),
            (
                "The worker pool has 4 workers.",
                "The worker pool was increased to 8 workers.",
                true,
                "8 workers",
            ),
            (
                "Deploy keys are stored in 1Password.",
                "Deploy keys are stored in Vault now.",
                true,
                "Vault",
            ),
            (
                "Deploy keys are stored in Vault.",
                "Deploy keys are stored in 1Password now.",
                true,
                "1Password",
            ),
            // A measurement at a moment of the work sets nothing.
            (
                "The p95 latency budget is 300ms.",
                "The p95 latency went up to 2s after the deploy.",
                false,
                "",
            ),
        ];
        assert_each_gives_way_or_stays(&cases);
    }

    #[test]
    fn a_request_word_that_qualifies_the_subject_states_a_new_value() {
        // (store item, what a person said, whether the item gives way, the new value it then
        // holds)
        let cases = [
            (
                "The test database listens on port 5433.",
                "Test database listens on port 5434 now.",
                true,
                "5434",
            ),
            (
                "Build times are about 9 minutes.",
                "Build times are down to 4 minutes now.",
                true,
                "4 minutes",
            ),
            (
                "Release notes live in NEWS.md.",
                "Release notes live in docs/CHANGELOG.md now.",
                true,
                "docs/CHANGELOG.md",
            ),
            (
                "The staging database listens on port 5433.",
                "Test database listens on port 5434 now.",
                false,
                "5434",
            ),
        ];
        assert_each_gives_way_or_stays(&cases);
    }

    /// Two projects' sessions give one subject two values: both are facts, of their project;
    /// within one project (or where a session records none) the newer value wins.
    #[test]
    fn values_of_other_projects_do_not_replace_each_other() {
        let fact = |text: &str| statement(text, StatementClass::Fact);
        let said_in = |id: &str, on_day: u32, project: Option<&str>, text: &str| {
            let mut digest = stated(id, "alice", on_day, vec![fact(text)]);
            digest.project = project.map(str::to_string);
            digest
        };
        let run = |second_project: Option<&str>| {
            let output = dream_over(
                &store(&[]),
                vec![
                    said_in(
                        "s1",
                        3,
                        Some("/home/dev/shop"),
                        "The dev server port is 8080.",
                    ),
                    said_in(
                        "s2",
                        4,
                        Some("/home/dev/shop"),
                        "The dev server port is 8080.",
                    ),
                    said_in("s3", 6, second_project, "The dev server port is 3000."),
                ],
            );
            let mut kept: Vec<String> = output
                .draft
                .documents
                .iter()
                .flat_map(|doc| doc.content.lines())
                .filter_map(|line| line.strip_prefix("- ").map(str::to_string))
                .collect();
            kept.sort();
            kept
        };
        assert_eq!(
            run(Some("/home/dev/blog")),
            [
                "The dev server port is 3000.",
                "The dev server port is 8080."
            ]
        );
        assert_eq!(
            run(Some("/home/dev/shop")),
            ["The dev server port is 3000."]
        );
        assert_eq!(run(None), ["The dev server port is 3000."]);
        assert_eq!(
            run(Some("/home/dev/shop/web")),
            ["The dev server port is 3000."]
        );
        assert_eq!(
            run(Some("/home/dev/shopfront")),
            [
                "The dev server port is 3000.",
                "The dev server port is 8080."
            ]
        );
    }

    #[test]
    fn the_newest_value_of_a_subject_wins() {
        let fact = |text: &str| statement(text, StatementClass::Fact);
        let v14 = "# Facts\n\n- The staging database runs Postgres 14.\n";
        let mut as_of_later = store(&[("/team/facts.md", v14)]);
        as_of_later.documents[0].as_of = Some(day(10));
        let mut untrusted = fact("The staging database runs Postgres 16 now.");
        untrusted.evidence.trust = Trust::Untrusted;
        // (store, sessions, the draft's facts, the changes: op, text, superseded)
        type Case = (
            crate::model::Store,
            Vec<crate::digest::SessionDigest>,
            &'static str,
            Vec<(Op, &'static str, Vec<&'static str>)>,
        );
        let cases: Vec<Case> = vec![
            // A session's value replaces the store's where it stood.
            (
                store(&[("/team/facts.md", v14)]),
                vec![stated(
                    "s1",
                    "alice",
                    5,
                    vec![fact("The staging database runs Postgres 16 now.")],
                )],
                "# Facts\n\n- The staging database runs Postgres 16 now.\n",
                vec![(
                    Op::Supersede,
                    "The staging database runs Postgres 16 now.",
                    vec!["The staging database runs Postgres 14."],
                )],
            ),
            // A store item true as of after the session keeps its value.
            (
                as_of_later,
                vec![stated(
                    "s1",
                    "alice",
                    5,
                    vec![fact("The staging database runs Postgres 16 now.")],
                )],
                v14,
                vec![(
                    Op::Supersede,
                    "The staging database runs Postgres 14.",
                    vec!["The staging database runs Postgres 16 now."],
                )],
            ),
            // Of several session values the newest wins, whatever order sessions come in.
            (
                store(&[("/team/facts.md", v14)]),
                vec![
                    stated(
                        "s2",
                        "bob",
                        7,
                        vec![fact("The staging database runs Postgres 16 now.")],
                    ),
                    stated(
                        "s1",
                        "alice",
                        5,
                        vec![fact("The staging database runs Postgres 15 now.")],
                    ),
                ],
                "# Facts\n\n- The staging database runs Postgres 16 now.\n",
                vec![(
                    Op::Supersede,
                    "The staging database runs Postgres 16 now.",
                    vec![
                        "The staging database runs Postgres 14.",
                        "The staging database runs Postgres 15 now.",
                    ],
                )],
            ),
            // A value only an untrusted event of one session gives retires nothing.
            (
                store(&[("/team/facts.md", v14)]),
                vec![stated("s1", "alice", 5, vec![untrusted])],
                v14,
                vec![(Op::Keep, "The staging database runs Postgres 14.", vec![])],
            ),
        ];
        for (input, digests, facts, expected) in cases {
            let output = dream_over(&input, digests);
            assert_eq!(draft_doc(&output, "/team/facts.md"), facts);
            let changes: Vec<(Op, &str, Vec<&str>)> = output
                .report
                .changes
                .iter()
                .map(|c| {
                    let superseded = c.superseded.iter().map(String::as_str).collect();
                    (c.op, c.text.as_str(), superseded)
                })
                .collect();
            assert_eq!(changes, expected, "{facts}");
        }
    }
}
