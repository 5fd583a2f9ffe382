//! Cross-session patterns: recurring mistakes with their workarounds, and converged workflows.
//!
//! No single session can show these: a workaround is a pattern only when the same fix for the
//! same tool shows up in two or more sessions, and a workflow only when the same sequence of
//! tool calls recurs in two or more successful sessions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::digest::{EventRef, Failure, FollowUp, ParamChange, SessionDigest, file_extension};
use crate::report::{Evidence, Kind};

/// A pattern found across sessions, ready to become a memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub kind: Kind,
    pub text: String,
    /// Heading to file it under (the tool name for pitfalls).
    pub heading: Option<String>,
    pub agents: BTreeSet<String>,
    pub sessions: BTreeSet<String>,
    pub evidence: Vec<Evidence>,
    pub latest: Option<crate::Timestamp>,
}

/// The minimum number of distinct sessions that must show a pattern.
pub const MIN_SESSIONS: usize = 2;

/// At most this many workflows are surfaced per dream (the best supported).
const MAX_WORKFLOWS: usize = 20;

/// One normalised aspect of a fix, comparable across sessions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum FixSignature {
    /// A parameter was added (whatever its value).
    Added { key: String },
    /// A parameter was removed.
    Removed { key: String },
    /// A parameter was changed to this value.
    ChangedTo { key: String, value: String },
    /// A file parameter's extension was changed.
    Extension {
        key: String,
        from: String,
        to: String,
    },
    /// Words were added to / removed from a free-text parameter (a command line).
    Words {
        key: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// A different tool was used instead.
    OtherTool { tool: String },
}

fn is_free_text(value: &str) -> bool {
    value.contains(char::is_whitespace) || value.len() > 64
}

fn signatures(change: &ParamChange) -> Option<FixSignature> {
    let key = change.key.clone();
    match (&change.before, &change.after) {
        (None, Some(_)) => Some(FixSignature::Added { key }),
        (Some(_), None) => Some(FixSignature::Removed { key }),
        (Some(before), Some(after)) => {
            if !is_free_text(before) && !is_free_text(after) {
                if let (Some(from), Some(to)) = (file_extension(before), file_extension(after)) {
                    let stem = |s: &str| s.rsplit_once('.').map(|(a, _)| a.to_string());
                    if from != to && stem(before) == stem(after) {
                        return Some(FixSignature::Extension { key, from, to });
                    }
                }
                if file_extension(after).is_some() || after.contains('/') {
                    // A different file or path each time is the task, not the fix.
                    return None;
                }
                return Some(FixSignature::ChangedTo {
                    key,
                    value: after.trim().to_lowercase(),
                });
            }
            let words = |s: &str| -> BTreeSet<String> {
                s.split_whitespace()
                    .filter(|w| file_extension(w).is_none() && !w.contains('/'))
                    .map(|w| w.trim_matches(['"', '\'']).to_string())
                    .filter(|w| !w.is_empty())
                    .collect()
            };
            let (wb, wa) = (words(before), words(after));
            let added: Vec<String> = wa.difference(&wb).cloned().collect();
            let removed: Vec<String> = wb.difference(&wa).cloned().collect();
            if added.is_empty() && removed.is_empty() || added.len() + removed.len() > 6 {
                return None;
            }
            Some(FixSignature::Words {
                key,
                added,
                removed,
            })
        }
        (None, None) => None,
    }
}

struct FixGroup<'a> {
    failures: Vec<(&'a SessionDigest, &'a Failure)>,
    signatures: BTreeSet<FixSignature>,
}

/// Finds workarounds that recur across sessions.
pub fn pitfalls(digests: &[SessionDigest]) -> Vec<Pattern> {
    // (tool, signature) → failures showing it.
    let mut by_signature: BTreeMap<(String, FixSignature), Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (f, failure) in digest.failures.iter().enumerate() {
            let sigs: Vec<FixSignature> = match &failure.follow_up {
                FollowUp::Changed(changes) => changes.iter().filter_map(signatures).collect(),
                FollowUp::OtherTool { tool, .. } => {
                    vec![FixSignature::OtherTool { tool: tool.clone() }]
                }
                FollowUp::IdenticalRetry | FollowUp::Unresolved => Vec::new(),
            };
            for sig in sigs {
                by_signature
                    .entry((failure.tool.clone(), sig))
                    .or_default()
                    .push((d, f));
            }
        }
    }
    // Keep signatures seen in enough sessions; signatures of the same tool shown by the same
    // failures are one fix with several parts.
    let mut groups: BTreeMap<(String, Vec<(usize, usize)>), FixGroup<'_>> = BTreeMap::new();
    for ((tool, sig), mut members) in by_signature {
        members.sort_unstable();
        members.dedup();
        let sessions: BTreeSet<&str> = members
            .iter()
            .map(|(d, _)| digests[*d].session.as_str())
            .collect();
        if sessions.len() < MIN_SESSIONS {
            continue;
        }
        let group = groups
            .entry((tool, members.clone()))
            .or_insert_with(|| FixGroup {
                failures: members
                    .iter()
                    .map(|(d, f)| (&digests[*d], &digests[*d].failures[*f]))
                    .collect(),
                signatures: BTreeSet::new(),
            });
        group.signatures.insert(sig);
    }
    groups
        .into_iter()
        .map(|((tool, _), group)| pitfall_pattern(&tool, &group))
        .collect()
}

fn pitfall_pattern(tool: &str, group: &FixGroup<'_>) -> Pattern {
    let error = most_common(
        group
            .failures
            .iter()
            .filter_map(|(_, f)| f.error.as_deref()),
    );
    let file_types: BTreeSet<&str> = group
        .failures
        .iter()
        .map(|(_, f)| f.file_type.as_deref().unwrap_or(""))
        .collect();
    let file_type = match file_types.iter().next() {
        Some(ft) if file_types.len() == 1 && !ft.is_empty() => Some(*ft),
        _ => None,
    };
    let mut fixes = Vec::new();
    for sig in &group.signatures {
        fixes.push(describe_fix(sig, group));
    }
    let mut text = format!("`{}` fails", code(tool));
    if let Some(ft) = file_type {
        text.push_str(&format!(" on `.{ft}` files"));
    }
    if let Some(error) = error {
        text.push_str(&format!(" with `{}`", code(&error)));
    }
    text.push_str(&fixes.join("; and "));
    text.push('.');
    let mut pattern = Pattern {
        kind: Kind::Pitfall,
        text,
        heading: Some(tool.to_string()),
        agents: BTreeSet::new(),
        sessions: BTreeSet::new(),
        evidence: Vec::new(),
        latest: None,
    };
    for (digest, failure) in &group.failures {
        add_support(&mut pattern, digest, &failure.evidence);
    }
    pattern
}

fn describe_fix(sig: &FixSignature, group: &FixGroup<'_>) -> String {
    // The values that worked, as seen in the sessions.
    let values_for = |key: &str, after: bool| -> Vec<String> {
        let mut values: Vec<String> = group
            .failures
            .iter()
            .filter_map(|(_, f)| match &f.follow_up {
                FollowUp::Changed(changes) => changes.iter().find(|c| c.key == key).and_then(|c| {
                    if after {
                        c.after.clone()
                    } else {
                        c.before.clone()
                    }
                }),
                _ => None,
            })
            .collect();
        values.sort();
        values.dedup();
        values
    };
    match sig {
        FixSignature::Added { key } => {
            let values = values_for(key, true);
            let example = match values.as_slice() {
                [one] => format!(" (`{}: {}`)", code(key), code(&short(one))),
                [] => String::new(),
                many => format!(" (e.g. `{}: {}`)", code(key), code(&short(&many[0]))),
            };
            format!(" unless `{}` is set{example}", code(key))
        }
        FixSignature::Removed { key } => {
            format!(" when `{}` is passed; leave it out", code(key))
        }
        FixSignature::ChangedTo { key, .. } => {
            let before = values_for(key, false);
            let after = values_for(key, true);
            let from = match before.as_slice() {
                [one] => format!(" when `{}` is `{}`", code(key), code(&short(one))),
                _ => String::new(),
            };
            let to = after.first().map(|v| short(v)).unwrap_or_default();
            format!("{from}; set `{}: {}` instead", code(key), code(&to))
        }
        FixSignature::Extension { key, from, to } => {
            format!("; convert `{}` from `.{from}` to `.{to}` first", code(key))
        }
        FixSignature::Words {
            key,
            added,
            removed,
        } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("add `{}`", code(&added.join(" "))));
            }
            if !removed.is_empty() {
                parts.push(format!("drop `{}`", code(&removed.join(" "))));
            }
            format!("; {} in `{}`", parts.join(" and "), code(key))
        }
        FixSignature::OtherTool { tool } => format!("; use `{}` instead", code(tool)),
    }
}

/// Finds tool-call sequences that recur across successful sessions.
pub fn workflows(digests: &[SessionDigest]) -> Vec<Pattern> {
    const MIN_LEN: usize = 3;
    const MAX_LEN: usize = 8;
    // n-gram → (sessions, first occurrence per session)
    let mut support: HashMap<Vec<&str>, Vec<(usize, usize)>> = HashMap::new();
    for (d, digest) in digests.iter().enumerate() {
        if !digest.successful {
            continue;
        }
        let names: Vec<&str> = digest
            .tool_sequence
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let mut seen: std::collections::HashSet<Vec<&str>> = std::collections::HashSet::new();
        for start in 0..names.len() {
            for len in MIN_LEN..=MAX_LEN {
                let Some(gram) = names.get(start..start + len) else {
                    break;
                };
                // A workflow visits distinct steps; a loop is not a workflow.
                if gram[..len - 1].contains(&gram[len - 1]) {
                    break;
                }
                if seen.insert(gram.to_vec()) {
                    support.entry(gram.to_vec()).or_default().push((d, start));
                }
            }
        }
    }
    // How often each tool occurs, to tell a converged workflow from a chance sequence: in a
    // large fleet of varied calls, many short sequences recur by accident. A workflow must recur
    // several times more often than its steps' frequencies predict.
    let mut tool_counts: HashMap<&str, usize> = HashMap::new();
    let mut positions = 0usize;
    for digest in digests.iter().filter(|d| d.successful) {
        for step in &digest.tool_sequence {
            *tool_counts.entry(step.name.as_str()).or_default() += 1;
            positions += 1;
        }
    }
    let expected = |gram: &[&str]| -> f64 {
        gram.iter().fold(positions as f64, |acc, tool| {
            acc * tool_counts.get(tool).copied().unwrap_or(0) as f64 / positions.max(1) as f64
        })
    };
    let sessions_of = |occ: &[(usize, usize)]| {
        occ.iter()
            .map(|(d, _)| &digests[*d].session)
            .collect::<BTreeSet<_>>()
            .len()
    };
    let mut frequent: Vec<(Vec<&str>, Vec<(usize, usize)>)> = support
        .into_iter()
        .filter(|(gram, occ)| {
            let n = sessions_of(occ);
            n >= MIN_SESSIONS && n as f64 >= 3.0 * expected(gram)
        })
        .collect();
    // Most supported first, then longest, then by name for determinism.
    frequent.sort_by(|(a, oa), (b, ob)| {
        ob.len()
            .cmp(&oa.len())
            .then(b.len().cmp(&a.len()))
            .then(a.cmp(b))
    });
    let contains = |longer: &[&str], shorter: &[&str]| {
        longer.len() > shorter.len() && longer.windows(shorter.len()).any(|w| w == shorter)
    };
    let mut selected: Vec<(Vec<&str>, Vec<(usize, usize)>)> = Vec::new();
    for (gram, occ) in frequent {
        // Part of a chosen workflow that is about as common: the same workflow.
        let part_of_chosen = selected.iter().any(|(longer, longer_occ)| {
            contains(longer, &gram) && longer_occ.len() * 5 >= occ.len() * 4
        });
        // A chosen workflow with one step added or swapped that only some sessions take: a
        // variant, not a workflow of its own.
        let weak_variant = selected.iter().any(|(chosen, chosen_occ)| {
            longest_common_run(&gram, chosen) + 1 >= gram.len()
                && occ.len() * 5 < chosen_occ.len() * 4
        });
        if !part_of_chosen && !weak_variant {
            selected.push((gram, occ));
        }
    }
    selected.truncate(MAX_WORKFLOWS);
    selected
        .into_iter()
        .map(|(gram, occ)| {
            let steps: Vec<String> = gram.iter().map(|s| format!("`{}`", code(s))).collect();
            let mut pattern = Pattern {
                kind: Kind::Workflow,
                text: format!("Workflow: {}.", steps.join(" → ")),
                heading: None,
                agents: BTreeSet::new(),
                sessions: BTreeSet::new(),
                evidence: Vec::new(),
                latest: None,
            };
            for (d, start) in occ {
                let digest = &digests[d];
                let refs: Vec<EventRef> = digest.tool_sequence[start..start + gram.len()]
                    .iter()
                    .map(|s| s.evidence.clone())
                    .take(1)
                    .collect();
                add_support(&mut pattern, digest, &refs);
            }
            pattern
        })
        .collect()
}

/// Length of the longest contiguous run of steps two sequences share.
fn longest_common_run(a: &[&str], b: &[&str]) -> usize {
    let mut best = 0;
    for i in 0..a.len() {
        for j in 0..b.len() {
            let run = a[i..]
                .iter()
                .zip(&b[j..])
                .take_while(|(x, y)| x == y)
                .count();
            best = best.max(run);
        }
    }
    best
}

fn add_support(pattern: &mut Pattern, digest: &SessionDigest, refs: &[EventRef]) {
    pattern.agents.insert(digest.agent.clone());
    pattern.sessions.insert(digest.session.clone());
    for r in refs {
        pattern.evidence.push(r.evidence(&digest.session));
        if r.at > pattern.latest {
            pattern.latest = r.at;
        }
    }
}

fn most_common<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values {
        if !v.is_empty() {
            *counts.entry(v).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then(b.len().cmp(&a.len())).then(b.cmp(a)))
        .map(|(v, _)| v.to_string())
}

/// Makes text safe inside a Markdown code span.
fn code(text: &str) -> String {
    text.replace('`', "'").replace('\n', " ")
}

fn short(value: &str) -> String {
    let mut out: String = value.chars().take(60).collect();
    if value.chars().count() > 60 {
        out.push('…');
    }
    out
}
