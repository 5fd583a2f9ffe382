//! Merging duplicates: live candidates are grouped by identifiers and polarity, joined on
//! words (plus rare-word paraphrase pairs with a store side), linked strongest pair first, and
//! each cluster is merged into its clearest wording, which takes the place of the first store
//! item among them.
//!
//! This stage must never merge two values of one subject (that is an update, decided by
//! recency in [`super::contradictions`]), never join a "cannot link" pair through a chain of
//! paraphrases, never touch verbatim text or episodes, and its clusters must not depend on the
//! order pairs are found in.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Curator, Memory, Origin, State};
use crate::join::{Interner, similar_pairs};
use crate::report::Kind;
use crate::text;

impl Curator {
    pub(super) fn merge_duplicates(&mut self) {
        // The loosest word overlap any duplicate rule in `text::same_statement` accepts: the
        // join must not drop a pair a rule would take.
        const MIN_CANDIDATE_JACCARD: f64 = text::MIN_PREFERENCE_JACCARD;
        let candidates: Vec<usize> = (0..self.memories.len())
            .filter(|&i| {
                let m = &self.memories[i];
                m.is_live() && !m.verbatim && !m.episodic && !text::introduces_what_follows(&m.text)
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
        // An agent writing down, in its own words, a rule the person gave in the same session
        // (Gemini CLI's `save_memory` after "add a comment to each line …"): the two share few
        // words overall, so the word join above rarely pairs them.
        let mut recorded_pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
        {
            let preference_of = |origin: Origin| -> Vec<usize> {
                (0..candidates.len())
                    .filter(|&p| {
                        let m = &self.memories[candidates[p]];
                        m.kind == Kind::Preference && m.origin == origin
                    })
                    .collect()
            };
            let (written, said) = (
                preference_of(Origin::MemoryWrite),
                preference_of(Origin::Session),
            );
            // The same memory saved again in other sessions, word for word or in other words
            // ("Always add a comment to every line" in the session of the request, "I MUST add a
            // comment to EVERY SINGLE LINE …" in a later one), records the same rule: every copy
            // pairs with the statement, so the copies and the statement can form one group
            // (complete linkage needs every pair).
            let key = |p: usize| text::collapse_whitespace(&self.memories[candidates[p]].text);
            let sessions_of = |p: usize| {
                self.memories[candidates[p]]
                    .sessions
                    .iter()
                    .map(String::as_str)
            };
            let mut sessions_of_text: HashMap<String, BTreeSet<&str>> = HashMap::new();
            for &w in &written {
                sessions_of_text
                    .entry(key(w))
                    .or_default()
                    .extend(sessions_of(w));
            }
            let reworded: HashMap<usize, BTreeSet<&str>> = written
                .iter()
                .map(|&w| {
                    let analysis = &self.memories[candidates[w]].analysis;
                    let copies = written.iter().filter(|&&other| {
                        other != w
                            && key(other) != key(w)
                            && text::same_preference(
                                analysis,
                                &self.memories[candidates[other]].analysis,
                            )
                    });
                    (w, copies.flat_map(|&other| sessions_of(other)).collect())
                })
                .collect();
            for &w in &written {
                let recorded_in: BTreeSet<&str> = sessions_of_text[&key(w)]
                    .iter()
                    .chain(&reworded[&w])
                    .copied()
                    .collect();
                for &p in &said {
                    let mp = &self.memories[candidates[p]];
                    if mp.sessions.iter().any(|s| recorded_in.contains(s.as_str())) {
                        recorded_pairs.insert((w.min(p), w.max(p)));
                    }
                }
            }
        }
        let known: BTreeSet<(usize, usize)> =
            pairs.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        pairs.extend(
            paraphrase_pairs
                .iter()
                .chain(&recorded_pairs)
                .filter(|p| !known.contains(p))
                .copied()
                .collect::<BTreeSet<_>>(),
        );
        // Duplicate links, and "cannot link" pairs: the same sentence with a word swapped is
        // about a different thing, and no chain of paraphrases may join the two. Links are
        // applied strongest first and skipped when they would join a cannot-link pair.
        // Whether a pair is a duplicate (with its similarity), a "cannot link" pair, or neither.
        let judge = |a: usize, b: usize| -> Pair {
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
            // An agent writing down a preference it was given (Gemini CLI's `save_memory` of
            // "add a comment to every line") says the person's rule in its own words: the same
            // looser test, between a memory write and a statement or another memory write.
            let recorded_preference = ma.kind == Kind::Preference
                && mb.kind == Kind::Preference
                && (ma.origin == Origin::MemoryWrite || mb.origin == Origin::MemoryWrite)
                && ma.origin != Origin::Store
                && mb.origin != Origin::Store;
            let recorded_in_session = recorded_pairs.contains(&(a.min(b), a.max(b)));
            let same = if session_preferences || recorded_preference {
                text::same_preference(&ma.analysis, &mb.analysis)
            } else {
                text::same_statement(&ma.analysis, &mb.analysis)
            } || (store_pair && text::paraphrase(&ma.analysis, &mb.analysis, &weights))
                || (recorded_in_session && text::records_rule(&mb.analysis, &ma.analysis));
            // Two values for one subject are an update (decided later by recency), not a
            // duplicate: merging them would keep one value at random.
            let another_value = same
                && (text::states_another_value(&ma.text, &mb.text)
                    || text::differ_in_stance(&ma.text, &ma.analysis, &mb.text, &mb.analysis));
            if same && !another_value {
                Pair::Duplicate(text::similarity(&ma.analysis, &mb.analysis))
            } else if another_value || text::look_alike(&ma.analysis, &mb.analysis) {
                Pair::Apart
            } else {
                Pair::Neither
            }
        };
        let mut links: Vec<(f64, usize, usize)> = Vec::new();
        let mut apart: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (a, b) in pairs {
            match judge(a, b) {
                Pair::Duplicate(similarity) => links.push((similarity, a, b)),
                Pair::Apart => {
                    apart.entry(a).or_default().insert(b);
                    apart.entry(b).or_default().insert(a);
                }
                Pair::Neither => {}
            }
        }
        links.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        // Being a duplicate is not transitive for a similarity test: A like B and B like C does
        // not make A like C, and a chain of such links once joined 70 items of a real memory
        // bank into "✅ Multi-user support". Two groups join only when every member of one is
        // a duplicate of every member of the other (complete linkage); a pair the candidate
        // join did not propose is judged when it is needed.
        let mut duplicates: HashMap<(usize, usize), bool> = links
            .iter()
            .map(|&(_, a, b)| ((a.min(b), a.max(b)), true))
            .collect();
        let mut is_duplicate = |x: usize, y: usize| -> bool {
            let key = (x.min(y), x.max(y));
            *duplicates
                .entry(key)
                .or_insert_with(|| matches!(judge(key.0, key.1), Pair::Duplicate(_)))
        };
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
            let all_alike = !conflict
                && members[ra]
                    .iter()
                    .all(|&x| members[rb].iter().all(|&y| is_duplicate(x, y)));
            if !all_alike {
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
        let mut from_brief = true;
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
            from_brief &= m.from_brief;
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
        w.from_brief = from_brief && store_members == 0;
        // The winner keeps the latest sequence of the cluster for recency ties.
        w.seq = latest_seq.unwrap_or(w.seq);
    }
}

/// How two merge candidates relate.
enum Pair {
    /// Duplicates, with their similarity (stronger links are applied first).
    Duplicate(f64),
    /// Never in one group: another value of one subject, another stance, or a look-alike.
    Apart,
    Neither,
}

/// Picks the clearest wording of a cluster: a member marked done (the same item planned and
/// done), then one that says all the others say, then the member that covers most of the words
/// the members agree on (present in at least half of them), then the shortest, then the oldest.
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
    // A member that says everything the others say (each of their words is among its own)
    // loses nothing: "Imports from `state/`, `systems/`, `src/sim/data/`" over "Imports from
    // `src/sim/data/`".
    let says_all = |m: &Memory| {
        members.iter().all(|(_, other)| {
            other
                .analysis
                .features()
                .all(|f| m.analysis.features().any(|g| g == f))
        })
    };
    members
        .iter()
        .max_by(|(ia, a), (ib, b)| {
            let cover = |m: &Memory| m.analysis.features().filter(|f| core.contains(f)).count();
            // The same item planned and done: the done copy is the current one.
            text::marks_done(&a.text)
                .cmp(&text::marks_done(&b.text))
                .then(says_all(a).cmp(&says_all(b)))
                .then(cover(a).cmp(&cover(b)))
                .then(b.text.len().cmp(&a.text.len()))
                .then(ib.cmp(ia))
        })
        .map(|(i, _)| *i)
        .unwrap_or(0)
}

pub(super) struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub(super) fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    pub(super) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so cluster identity does not depend on pair order.
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        draft_doc, dream_over, ops, session_of, stated, statement, store, written, wrote,
    };
    use super::*;
    use crate::digest::StatementClass;
    use crate::report::{Op, Scope};

    #[test]
    fn union_find_roots_are_the_smallest_member() {
        // (size, unions in order, each element's root after them)
        type Unions = &'static [(usize, usize)];
        let cases: &[(usize, Unions, &[usize])] = &[
            (4, &[], &[0, 1, 2, 3]),
            (4, &[(3, 1)], &[0, 1, 2, 1]),
            (4, &[(1, 3)], &[0, 1, 2, 1]),
            (5, &[(4, 3), (3, 2), (2, 1)], &[0, 1, 1, 1, 1]),
            (5, &[(1, 2), (3, 4), (4, 2)], &[0, 1, 1, 1, 1]),
            // Joining members of one cluster again changes nothing.
            (3, &[(0, 2), (2, 0), (0, 0)], &[0, 1, 0]),
            (6, &[(5, 4), (1, 0), (4, 0)], &[0, 0, 2, 3, 0, 0]),
        ];
        for (size, unions, roots) in cases {
            let mut union = UnionFind::new(*size);
            for &(a, b) in *unions {
                union.union(a, b);
            }
            let found: Vec<usize> = (0..*size).map(|x| union.find(x)).collect();
            assert_eq!(found, *roots, "{unions:?}");
        }
    }

    #[test]
    fn the_clearest_member_says_all_or_covers_the_agreed_words_then_is_shortest_then_oldest() {
        let full = "Staging deploys need approval from the release lead.";
        let longer = "Staging deploys need approval from the release lead, per the 2023 audit.";
        let short = "Staging deploys need approval.";
        let other = "Preview deploys need approval from the release lead.";
        // (members' texts in order, the index of the winner)
        let cases: &[(&[&str], usize)] = &[
            // `longer` says all that `full` and `short` say (and when it was decided): nothing
            // is lost with it, wherever it stands.
            (&[longer, short, full], 0),
            (&[full, longer, short], 1),
            // Without such a member, `short` is shortest but leaves out words two of three
            // members agree on; `full` covers them all, `other` misses "staging".
            (&[other, short, full], 2),
            // With two members every word is agreed on: the one that says more wins.
            (&[short, full], 1),
            // The same words: the shorter wording, wherever it stands …
            (
                &[
                    "Always run the linter before pushing code!!",
                    "Always run the linter before pushing code.",
                ],
                1,
            ),
            // … and of identical texts, the oldest.
            (&[full, full], 0),
        ];
        for (texts, winner) in cases {
            let memories: Vec<Memory> = texts
                .iter()
                .enumerate()
                .map(|(seq, text)| Memory::new(text.to_string(), Kind::Fact, Origin::Store, seq))
                .collect();
            // Indices other than positions: the winner is named by its index.
            let picked = clearest(memories.iter().enumerate().map(|(i, m)| (10 + i, m)));
            assert_eq!(picked, 10 + winner, "{texts:?}");
        }
    }

    #[test]
    fn duplicates_merge_and_two_values_of_a_subject_stay_apart() {
        let pref = |text: &str| statement(text, StatementClass::Preference);
        // (store documents, sessions, the draft document to look at, what it holds after,
        //  the changes' ops and texts)
        type Case = (
            Vec<(&'static str, &'static str)>,
            Vec<crate::digest::SessionDigest>,
            &'static str,
            &'static str,
            Vec<(Op, &'static str)>,
        );
        let cases: Vec<Case> = vec![
            (
                vec![(
                    "/team/preferences.md",
                    "# Preferences\n\n- Always run `cargo fmt` before committing.\n- Always run `cargo fmt` before you commit.\n",
                )],
                Vec::new(),
                "/team/preferences.md",
                "# Preferences\n\n- Always run `cargo fmt` before committing.\n",
                vec![(Op::Merge, "Always run `cargo fmt` before committing.")],
            ),
            // Another value is an update for recency to decide, never a duplicate; two store
            // items are not known to be older or newer than each other, so both stay.
            (
                vec![(
                    "/team/facts.md",
                    "# Facts\n\n- Deploys go out on Tuesdays.\n- Deploys go out on Thursdays.\n",
                )],
                Vec::new(),
                "/team/facts.md",
                "# Facts\n\n- Deploys go out on Tuesdays.\n- Deploys go out on Thursdays.\n",
                vec![
                    (Op::Keep, "Deploys go out on Thursdays."),
                    (Op::Keep, "Deploys go out on Tuesdays."),
                ],
            ),
            // Two agents giving one preference in other words: one team item.
            (
                Vec::new(),
                tests_before_push_by_two_agents(),
                "/team/preferences.md",
                "# Team preferences\n\n- Always run tests before you push.\n",
                vec![(Op::Add, "Always run tests before you push.")],
            ),
            // A session saying what a store item says confirms it, in the store's wording.
            (
                vec![(
                    "/team/preferences.md",
                    "# Preferences\n\n- Always run `cargo fmt` before committing.\n",
                )],
                vec![stated(
                    "s1",
                    "alice",
                    5,
                    vec![pref("Always run `cargo fmt` before you commit.")],
                )],
                "/team/preferences.md",
                "# Preferences\n\n- Always run `cargo fmt` before committing.\n",
                vec![(Op::Merge, "Always run `cargo fmt` before committing.")],
            ),
        ];
        for (documents, digests, path, after, expected) in cases {
            let output = dream_over(&store(&documents), digests);
            assert_eq!(draft_doc(&output, path), after, "{documents:?}");
            assert_eq!(ops(&output), expected, "{documents:?}");
        }
    }

    /// Real memory banks: a chain of look-alikes is no group of duplicates, an item that rules
    /// something out is not one that does it, a status is part of what an item says (the same
    /// item planned and done keeps its done copy), and a line that introduces a list merges
    /// with nothing. `(items of one document, the document after)`.
    #[test]
    fn look_alikes_stay_apart_where_real_memory_banks_need_it() {
        let cases: &[(&[&str], &str)] = &[
            // A is like B and B like C, but A is not like C: B and C merge, A stays.
            (
                &[
                    "Run the lint checks on staging.",
                    "Run the lint checks on staging and production servers nightly.",
                    "Run checks on staging and production servers nightly.",
                ],
                "- Run the lint checks on staging.\n- Run the lint checks on staging and production servers nightly.\n",
            ),
            (
                &[
                    "**No automatic re-embedding**: changing the provider needs a manual re-embed.",
                    "Automatic re-embedding when the provider changes.",
                ],
                "- **No automatic re-embedding**: changing the provider needs a manual re-embed.\n- Automatic re-embedding when the provider changes.\n",
            ),
            (
                &["❌ Options trading", "**Derivatives**: options trading"],
                "- ❌ Options trading\n- **Derivatives**: options trading\n",
            ),
            (
                &["✅ **City matching**", "🐛 **City matching**: failures"],
                "- ✅ **City matching**\n- 🐛 **City matching**: failures\n",
            ),
            (
                &[
                    "[ ] Metadata includes the request id",
                    "[x] Metadata includes the request id",
                ],
                "- [x] Metadata includes the request id\n",
            ),
            (
                &["**Session management:**", "Session management"],
                "- **Session management:**\n- Session management\n",
            ),
        ];
        for (items, after) in cases {
            let document: String = items.iter().map(|i| format!("- {i}\n")).collect();
            let output = dream_over(&store(&[("/notes.md", document.as_str())]), Vec::new());
            assert_eq!(draft_doc(&output, "/notes.md"), *after, "{items:?}");
        }
    }

    /// One rule or fact written in two documents in other words, as teams keep them (written
    /// for lucid's duplicate probes, not from the generator's templates), is one item; two
    /// values of one subject, or one qualifier for another, stay two. Known misses, left out:
    /// "Each response must contain exactly one bash code block." / "Put a single bash block in
    /// every reply; two or more blocks get the reply rejected." and "The agent ends a task by
    /// calling the finish tool with a summary of what it did." / "Tasks are closed with a
    /// finish action that summarises the work for the user." (the corpus's planted pairs a model
    /// merges).
    #[test]
    fn a_rule_written_twice_in_other_words_is_one_item() {
        let cases = [
            (
                "Run the linter before every commit.",
                "Always lint before committing.",
                true,
            ),
            (
                "Customer refunds over $500 need manager approval.",
                "A manager must approve any refund above $500.",
                true,
            ),
            (
                "The nightly backup runs at 02:00 UTC.",
                "Backups run every night at 02:00 UTC.",
                true,
            ),
            (
                "Use British spelling in customer emails.",
                "Customer emails are written in British English spelling.",
                true,
            ),
            (
                "Never commit directly to main.",
                "Do not push commits straight to the main branch.",
                true,
            ),
            (
                "Deploys happen on Tuesdays.",
                "Deploys happen on Thursdays.",
                false,
            ),
            (
                "Run unit tests before pushing.",
                "Run integration tests before pushing.",
                false,
            ),
            (
                "The API rate limit is 100 requests per minute.",
                "The search API rate limit is 20 requests per minute.",
                false,
            ),
            (
                "Use tabs in Go files.",
                "Use spaces in Python files.",
                false,
            ),
        ];
        for (first, second, one) in cases {
            let output = dream_over(
                &store(&[
                    ("/a.md", format!("- {first}\n").as_str()),
                    ("/b.md", format!("- {second}\n").as_str()),
                ]),
                Vec::new(),
            );
            let both = draft_doc(&output, "/a.md").contains(first)
                && draft_doc(&output, "/b.md").contains(second);
            assert_eq!(!both, one, "{first} / {second}");
        }
    }

    /// A preference the agent wrote down in its own words (twice, in two sessions of a real
    /// Gemini CLI project) is one memory: the looser preference test holds between memory
    /// writes.
    #[test]
    fn a_preference_written_down_twice_in_other_words_is_one() {
        use crate::model::MemoryCommand;
        let insert = |text: &str| MemoryCommand::Insert {
            path: "/saved-memories.md".into(),
            line: None,
            text: format!("- {text}\n"),
        };
        let output = dream_over(
            &store(&[]),
            vec![
                wrote("s1", "gemini", 5, vec![insert(SAVED_FIRST)]),
                wrote("s2", "gemini", 9, vec![insert(SAVED_AGAIN)]),
            ],
        );
        let written = written(&output);
        assert_eq!(written.len(), 1, "{written:?}");
    }

    /// A real Gemini CLI project's rule as the agent saved it first, and again in other words
    /// in a later session.
    const SAVED_FIRST: &str = "Always add a comment to every line of code explaining its \
                               purpose to help the user understand the logic and make their own \
                               modifications.";
    const SAVED_AGAIN: &str = "I MUST add a comment to EVERY SINGLE LINE of code I write or \
                               modify, explaining its purpose, as per the user's strict \
                               requirement for clarity and modification ease.";

    /// Gemini CLI's `save_memory` of one rule, appended to `/GEMINI.md`.
    fn save_memory(text: &str) -> crate::model::EventKind {
        crate::model::EventKind::MemoryWrite {
            call_id: None,
            tool: "save_memory".into(),
            command: crate::model::MemoryCommand::Insert {
                path: "/GEMINI.md".into(),
                line: None,
                text: format!("- {text}\n"),
            },
        }
    }

    /// A real Gemini CLI session: the person asked for a comment on every line "as a future and
    /// permanent change", and the agent saved the rule in its own words. One rule, one item;
    /// a memory about something else the agent saved in that session stays its own.
    #[test]
    fn a_rule_the_agent_records_in_its_own_words_is_the_persons_rule() {
        use crate::model::EventKind;
        let rule = "I MUST add a comment to EVERY SINGLE LINE of code I write or modify, \
                    explaining its purpose, as per the user's strict requirement.";
        let output = dream_over(
            &store(&[]),
            vec![
                session_of("s0", "gemini", 2, vec![save_memory(rule)]),
                session_of(
                    "s1",
                    "gemini",
                    5,
                    vec![
                        EventKind::UserMessage {
                            text:
                                "I'd like to make a future and permanent change, all the lines of \
                               code you write and send can you also add a comment to each line \
                               saying what each line does so i'll be able to make changes where \
                               necessary."
                                    .into(),
                        },
                        save_memory(rule),
                        save_memory(
                            "Always run the weather tests with npm test before committing code.",
                        ),
                    ],
                ),
            ],
        );
        let written = written(&output);
        assert_eq!(written.len(), 2, "{written:?}");
        assert!(
            written.iter().any(|t| t.contains("npm test")),
            "{written:?}"
        );
    }

    /// The same real Gemini CLI project: the agent saved the rule in the session of the request
    /// ("Always add a comment …") and again, in other words, in a later session ("I MUST add a
    /// comment …"). The later copy records the person's rule too, so the request and both
    /// copies are one item, not a merged copy beside the request.
    #[test]
    fn a_rule_saved_again_in_other_words_later_is_still_the_persons_rule() {
        use crate::model::EventKind;
        let request = EventKind::UserMessage {
            text: "I'd like to make a future and permanent change, all the lines of code you \
                   write and send can you also add a comment to each line saying what each line \
                   does so i'll be able to make changes where necessary."
                .into(),
        };
        let output = dream_over(
            &store(&[]),
            vec![
                session_of("s1", "gemini", 5, vec![request, save_memory(SAVED_FIRST)]),
                session_of("s2", "gemini", 9, vec![save_memory(SAVED_AGAIN)]),
            ],
        );
        let written = written(&output);
        assert_eq!(written.len(), 1, "{written:?}");
    }

    /// Alice and Bob giving one preference in other words, in two sessions.
    fn tests_before_push_by_two_agents() -> Vec<crate::digest::SessionDigest> {
        let pref = |text: &str| statement(text, StatementClass::Preference);
        vec![
            stated(
                "s1",
                "alice",
                5,
                vec![pref("Always run the tests before pushing.")],
            ),
            stated(
                "s2",
                "bob",
                6,
                vec![pref("Always run tests before you push.")],
            ),
        ]
    }

    #[test]
    fn a_merged_preference_of_two_agents_is_the_teams() {
        let output = dream_over(&store(&[]), tests_before_push_by_two_agents());
        let [change] = output.report.changes.as_slice() else {
            panic!("{:?}", output.report.changes);
        };
        assert_eq!((change.scope, change.agent.as_deref()), (Scope::Team, None));
        assert_eq!(change.replaces, ["Always run the tests before pushing."]);
        assert!(
            change
                .reason
                .contains("seen in 2 sessions by 2 agents (alice, bob); 1 paraphrase merged"),
            "{}",
            change.reason
        );
    }
}
