//! Turning session digests into candidate items: what people stated (the same sentence said in
//! many sessions is one candidate with all its evidence), conversation episodes, and patterns
//! across sessions (pitfalls, blockers, refused reads, checker findings, workflows, ending
//! steps). Template text, restated harness instructions and changes already applied to an item
//! are skipped, with the reason in the report.
//!
//! This stage must never make a candidate a memory on its own say: a one-session fact starts
//! unconfirmed and an unmarked instruction needs a second session (later stages decide), and a
//! workaround that switches a safety measure off is flagged for a reviewer, never written as
//! advice.

use std::collections::{BTreeSet, HashMap};

use super::render::path_segment;
use super::{Curator, Memory, Origin, sorted_evidence};
use crate::digest::{SessionDigest, StatementClass};
use crate::patterns;
use crate::report::{Change, Kind, Op, Scope, SkippedItem};
use crate::text::{self, Analysis};

/// The report's reason for a sentence whose announced change was applied to a store item.
const ABSORBED: &str = "its change of value was applied to the item it updates";

impl Curator {
    pub(super) fn add_session_candidates(&mut self, digests: &[SessionDigest]) {
        let templates = template_keys(digests, &self.limits);
        let harness = HarnessRules::new(digests);
        // The same sentence said in many sessions is one candidate with many pieces of evidence:
        // a fleet repeats itself, and this keeps curation linear in distinct statements.
        let mut by_text: HashMap<(Kind, String), usize> = HashMap::new();
        for digest in digests {
            for skipped in &digest.skipped {
                // A sentence the gate would not keep may still have announced a change that
                // was applied ("We moved container images to GHCR"): that is what it did.
                let reason = if self.absorbed_keys.contains(&skipped.key) {
                    ABSORBED.to_string()
                } else {
                    skipped.reason.clone()
                };
                self.skipped.push(SkippedItem {
                    kind: Kind::Fact,
                    text: skipped.text.clone(),
                    reason,
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
                    Some(ABSORBED)
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
                        memory.from_brief = true;
                        self.memories.push(memory);
                        seq
                    });
                let memory = &mut self.memories[index];
                memory.evidence.extend(evidence);
                memory.agents.insert(digest.agent.clone());
                if statement.evidence.trust == crate::model::Trust::Trusted {
                    memory.trusted_agents.insert(digest.agent.clone());
                }
                memory.sessions.insert(digest.conversation.clone());
                memory.at = memory.at.max(statement.evidence.at);
                memory.announced_change |= statement.change;
                // A fact said in two sessions is confirmed; a repeated instruction is standing.
                memory.provisional &= provisional && memory.sessions.len() < 2;
                memory.needs_repetition &= statement.needs_repetition && memory.sessions.len() < 2;
                memory.from_brief &= statement.in_brief;
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
                memory.sessions.insert(digest.conversation.clone());
                memory.at = episode.at;
                self.memories.push(memory);
            }
        }
        let mut patterns = patterns::pitfalls(digests, &self.limits);
        patterns.extend(patterns::recurring_blockers(digests, &self.limits));
        patterns.extend(patterns::refused_reads(digests, &self.limits));
        patterns.extend(patterns::recurring_checker_findings(digests, &self.limits));
        patterns.extend(patterns::recurring_reports(digests, &self.limits));
        patterns.extend(patterns::working_directories(digests, &self.limits));
        patterns.extend(patterns::forgotten_directories(digests, &self.limits));
        patterns.extend(patterns::calls_undone_earlier(digests));
        let workflows = patterns::workflows(digests, &self.limits);
        // How the agents check their edits, unless a workflow already runs every one of those
        // checks in order.
        let checks = patterns::checks_after_edits(digests, &self.limits)
            .into_iter()
            .filter(|checks| {
                !workflows
                    .iter()
                    .any(|w| checks.steps.iter().all(|step| w.steps.contains(step)))
            })
            .collect::<Vec<_>>();
        // A workflow that only edits and then runs checks the checks item names ("`Edit` →
        // `bun run test` → `bun run lint`" beside "After editing, sessions check the work with
        // `bun run test`, `bun run lint` and …") says nothing more.
        let workflows = workflows
            .into_iter()
            .filter(|workflow| {
                !checks.iter().any(|checks| {
                    workflow
                        .steps
                        .iter()
                        .filter(|step| !patterns::is_named_tool(step))
                        .all(|step| checks.steps.contains(step))
                })
            })
            .collect::<Vec<_>>();
        // A converged last step that a workflow or the checks already name needs no memory of
        // its own (the workflow may go on to a harness step such as `submit`, which endings
        // leave out).
        let endings = patterns::ending_steps(digests, &self.limits)
            .into_iter()
            .filter(|ending| {
                !workflows
                    .iter()
                    .chain(&checks)
                    .any(|w| ending.steps.iter().all(|step| w.steps.contains(step)))
            })
            .collect::<Vec<_>>();
        patterns.extend(workflows);
        patterns.extend(endings);
        patterns.extend(checks);
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
}

/// Template keys: sentences that recur in many sessions as part of a block of such sentences
/// (a system prompt, a task template, an instruction file pasted into the first message), or a
/// long block of them in just two. A person repeating one instruction across sessions is not a
/// template; a block of them is.
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
    let seen_in = |key: &u64| sessions_of.get(key).copied().unwrap_or(0);
    let mut templates = std::collections::HashSet::new();
    for digest in digests {
        for message in &digest.human_keys {
            let block: Vec<u64> = message
                .iter()
                .copied()
                .filter(|k| seen_in(k) >= limits.template_min_sessions)
                .collect();
            if block.len() >= limits.template_min_block {
                templates.extend(block);
            }
            let long_block: Vec<u64> = message
                .iter()
                .copied()
                .filter(|k| seen_in(k) >= 2)
                .collect();
            if long_block.len() >= limits.template_long_block {
                templates.extend(long_block);
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
                // Most of the statement's words are in one instruction, with its identifiers —
                // but the same sentence about other code ("`make lint`" for "`make test`") is
                // another instruction.
                if text::same_statement(&analysis, other)
                    || (analysis.anchors.is_subset(&other.anchors)
                        && covered * 4 >= analysis.word_set.len() * 3
                        && covered >= 2
                        && !text::look_alike(&analysis, other))
                {
                    return true;
                }
            }
        }
        false
    }
}

/// The heading an episode is filed under: its session and date.
fn episode_heading(digest: &SessionDigest, episode: &crate::digest::Episode) -> String {
    match episode.at.or(digest.first_at) {
        Some(at) => format!("{} ({})", digest.session, at.format("%Y-%m-%d")),
        None => digest.session.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        day, draft_doc, dream_over, ran, said, stated, statement, store, written,
    };
    use super::*;
    use crate::digest::Episode;
    use crate::thresholds::Thresholds;

    /// Alice (twice) and Bob giving one preference in three sessions.
    fn pnpm_in_three_sessions() -> Vec<SessionDigest> {
        let pref = |text: &str| statement(text, StatementClass::Preference);
        [("s1", "alice", 5), ("s2", "alice", 6), ("s3", "bob", 7)]
            .into_iter()
            .map(|(id, agent, day)| {
                stated(id, agent, day, vec![pref("Always use pnpm in this repo.")])
            })
            .collect()
    }

    #[test]
    fn a_workflow_of_an_edit_and_checks_already_named_is_not_written_twice() {
        let edit = || {
            (
                "Edit",
                serde_json::json!({"file_path": "/app/src/a.ts", "old_string": "a", "new_string": "b"}),
                "The file /app/src/a.ts has been updated.",
            )
        };
        let bash =
            |command: &'static str| ("Bash", serde_json::json!({ "command": command }), "ok");
        let sessions = vec![
            ran(
                "s1",
                "a",
                5,
                &[
                    edit(),
                    bash("bun run test"),
                    bash("bun run lint"),
                    bash("bun run typecheck"),
                ],
            ),
            ran(
                "s2",
                "a",
                6,
                &[edit(), bash("bun run test"), bash("bun run lint")],
            ),
            ran(
                "s3",
                "a",
                7,
                &[
                    edit(),
                    bash("bun run typecheck"),
                    bash("bun run test"),
                    bash("bun run lint"),
                ],
            ),
        ];
        let output = dream_over(&store(&[]), sessions);
        let texts = written(&output);
        assert!(
            texts.iter().any(
                |text| text.starts_with("After editing, sessions check the work")
                    && text.contains("`bun run test`")
                    && text.contains("`bun run lint`")
            ),
            "{texts:#?}"
        );
        assert!(
            !texts.iter().any(|text| text.starts_with("Workflow:")),
            "the checks item says it already: {texts:#?}"
        );
    }

    /// The same sentence left out for the same reason in two sessions is one `skipped` entry
    /// with the evidence of both, not one entry per session.
    #[test]
    fn a_sentence_skipped_in_many_sessions_is_listed_once_with_all_its_evidence() {
        let temporary = "TODO: always use the new client.";
        let sessions = vec![
            said("s1", "a", 5, &[temporary]),
            said("s2", "b", 6, &[temporary]),
        ];
        let output = dream_over(&store(&[]), sessions);
        let listed: Vec<&crate::report::SkippedItem> = output
            .report
            .skipped
            .iter()
            .filter(|item| item.text.contains("always use the new client"))
            .collect();
        assert_eq!(listed.len(), 1, "{:#?}", output.report.skipped);
        assert_eq!(listed[0].evidence.len(), 2, "{:#?}", listed[0]);
    }

    #[test]
    fn template_text_is_a_block_of_sentences_many_sessions_open_with() {
        let digest = |keys: Vec<Vec<u64>>| {
            let mut digest = said("s", "a", 5, &[]);
            digest.human_keys = keys;
            digest
        };
        // (each session's messages as sentence keys, the template keys)
        // A session: its people's messages, each as the keys of its sentences.
        type Messages = &'static [&'static [u64]];
        let cases: &[(&[Messages], &[u64])] = &[
            // Three sentences opening three sessions, with what each person added after.
            (
                &[&[&[1, 2, 3, 10]], &[&[1, 2, 3, 11]], &[&[1, 2, 3], &[12]]],
                &[1, 2, 3],
            ),
            // Two sessions are not many.
            (&[&[&[1, 2, 3]], &[&[1, 2, 3]]], &[]),
            // One instruction a person repeats is no template, however often …
            (&[&[&[1]], &[&[1]], &[&[1]], &[&[1]]], &[]),
            // … nor are two that recur together.
            (&[&[&[1, 2, 10]], &[&[1, 2, 11]], &[&[1, 2, 12]]], &[]),
            // Recurring sentences count only when one message holds three of them.
            (
                &[
                    &[&[1], &[2], &[3]],
                    &[&[1], &[2], &[3]],
                    &[&[1], &[2], &[3]],
                ],
                &[],
            ),
            // A sentence said twice in one session counts that session once.
            (&[&[&[1, 2, 3], &[1, 2, 3]], &[&[1, 2, 3]]], &[]),
            // Six sentences in one message of two sessions: a pasted prompt, not typing.
            (
                &[&[&[1, 2, 3, 4, 5, 6, 10]], &[&[1, 2, 3, 4, 5, 6]]],
                &[1, 2, 3, 4, 5, 6],
            ),
            (&[&[&[1, 2, 3, 4, 5, 10]], &[&[1, 2, 3, 4, 5]]], &[]),
        ];
        for (sessions, templates) in cases {
            let digests: Vec<SessionDigest> = sessions
                .iter()
                .map(|messages| digest(messages.iter().map(|m| m.to_vec()).collect()))
                .collect();
            let found: BTreeSet<u64> = template_keys(&digests, &Thresholds::default())
                .into_iter()
                .collect();
            assert_eq!(
                found,
                templates.iter().copied().collect::<BTreeSet<_>>(),
                "{sessions:?}"
            );
        }
    }

    #[test]
    fn statements_that_restate_the_harness_instructions() {
        let mut digest = said("s", "a", 5, &[]);
        digest.harness_rules = vec![
            "Always run `make test` before you finish.".to_string(),
            "Never edit files under `vendor/`.".to_string(),
        ];
        let rules = HarnessRules::new(&[digest]);
        let cases = [
            ("Always run `make test` before you finish.", true),
            ("Run `make test` before finishing.", true),
            ("Never edit files under `vendor/`, please.", true),
            // The instruction's sentence with other code in it is another instruction.
            ("Always run `make lint` before you finish.", false),
            ("Always run `cargo clippy` before you push.", false),
            ("Deploys go out on Tuesdays.", false),
        ];
        for (statement, restates) in cases {
            assert_eq!(rules.restates(statement), restates, "{statement}");
        }
        // No harness text: nothing is restated.
        let none = HarnessRules::new(&[said("s", "a", 5, &[])]);
        assert!(!none.restates("Always run `make test` before you finish."));
    }

    #[test]
    fn episodes_are_filed_under_their_session_and_date() {
        let mut digest = said("s1", "a", 5, &["Hello there."]);
        let episode = |at| Episode {
            text: "We talked.".to_string(),
            evidence: Vec::new(),
            at,
        };
        let cases = [
            (Some(day(7)), Some(day(5)), "s1 (2024-03-07)"),
            (None, Some(day(5)), "s1 (2024-03-05)"),
            (None, None, "s1"),
        ];
        for (at, first_at, heading) in cases {
            digest.first_at = first_at;
            assert_eq!(episode_heading(&digest, &episode(at)), heading, "{at:?}");
        }
    }

    /// Which statements become items: one sentence said in several sessions is one candidate
    /// with all its support; what restates the harness is skipped; an instruction without a
    /// standing marker needs a second session.
    #[test]
    fn candidates_from_what_people_said() {
        let pref = |text: &str| statement(text, StatementClass::Preference);
        let unmarked = |text: &str| {
            let mut statement = pref(text);
            statement.needs_repetition = true;
            statement
        };
        // alice asking for tabs, without a standing marker, in session `id` on day `day`
        let tabs = |id: &str, day: u32| {
            stated(
                id,
                "alice",
                day,
                vec![unmarked("Use tabs for the parser files.")],
            )
        };
        let said_once = (
            "Use tabs for the parser files.",
            "an instruction said in one session without a standing marker (\"always\", \"from now on\", \"in this repo\"): it may be for that task only",
        );
        // alice stating a bare fact (no marker), in session `id` on day `day`
        let bare_fact = |id: &str, day: u32| {
            let mut fact = statement(
                "The staging database is db-stg-3.internal.",
                StatementClass::Fact,
            );
            fact.durable = false;
            stated(id, "alice", day, vec![fact])
        };
        let fact_once = (
            "The staging database is db-stg-3.internal.",
            "stated once as a plain fact (no \"remember that\", \"from now on\" or \"we use\") and it confirmed or updated no memory: not kept unless another session states it too",
        );
        // (sessions, the team and alice's preferences after, skipped: text and reason)
        type Case = (
            Vec<SessionDigest>,
            &'static str,
            &'static str,
            Vec<(&'static str, &'static str)>,
        );
        let mut harness = stated(
            "s1",
            "alice",
            5,
            vec![pref("Always run `make test` before you finish.")],
        );
        harness.harness_rules = vec!["Always run `make test` before you finish.".to_string()];
        let cases: Vec<Case> = vec![
            (
                pnpm_in_three_sessions(),
                "# Team preferences\n\n- Always use pnpm in this repo.\n",
                "",
                vec![],
            ),
            (
                vec![harness],
                "",
                "",
                vec![(
                    "Always run `make test` before you finish.",
                    "restates the instructions every session already gets",
                )],
            ),
            (vec![tabs("s1", 5)], "", "", vec![said_once]),
            // A bare fact said once is left out, and the report says so.
            (vec![bare_fact("s1", 5)], "", "", vec![fact_once]),
            (
                vec![tabs("s1", 5), tabs("s2", 6)],
                "",
                "# Preferences (alice)\n\n- Use tabs for the parser files.\n",
                vec![],
            ),
            // Two files of one conversation (a sub-agent's, a resumed copy) are one session.
            (
                vec![
                    tabs("s1", 5),
                    SessionDigest {
                        conversation: "s1".into(),
                        ..tabs("s1#2", 6)
                    },
                ],
                "",
                "",
                vec![said_once],
            ),
        ];
        for (digests, team, alice, skipped) in cases {
            let output = dream_over(&store(&[]), digests);
            assert_eq!(draft_doc(&output, "/team/preferences.md"), team);
            assert_eq!(draft_doc(&output, "/agents/alice/preferences.md"), alice);
            let found: Vec<(&str, &str)> = output
                .report
                .skipped
                .iter()
                .map(|s| (s.text.as_str(), s.reason.as_str()))
                .collect();
            assert_eq!(found, skipped);
        }
        // The three sessions are one item's support.
        let output = dream_over(&store(&[]), pnpm_in_three_sessions());
        let [change] = output.report.changes.as_slice() else {
            panic!("{:?}", output.report.changes);
        };
        assert_eq!(change.evidence.len(), 3);
        assert_eq!(
            change.reason,
            "standing instruction from users; seen in 3 sessions by 2 agents (alice, bob)"
        );
    }
}
