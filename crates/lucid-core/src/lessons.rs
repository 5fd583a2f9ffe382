//! Lessons from what agents did: recognising failure in text, and judging fixes.
//!
//! Many formats carry no error flag (a linter's rejection, a hook's refusal, a format check),
//! so failure is also read from the text: a failure cue in the first lines, not only text that
//! *starts* like an error. A fix that removes a safety measure is never recommended; it is
//! flagged for review instead ([`unsafe_fix`]).

use crate::lexicon::{Cues, List};

/// Whether text reports that something went wrong: a failure cue (`error`, `rejected`,
/// `refuses`, `not found`, `has not been read`, …) in its first lines, and no sign that it is a
/// report of success ("0 errors", "no errors found").
pub(crate) fn reports_failure(text: &str) -> bool {
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(6)
    {
        let lower = line.to_lowercase();
        if [
            "0 errors",
            "no errors",
            "0 failed",
            "no issues",
            "without errors",
            "error handling",
        ]
        .iter()
        .any(|ok| lower.contains(ok))
        {
            continue;
        }
        if Cues::scan(&lower).has(List::Failure) {
            return true;
        }
    }
    false
}

/// Whether an error is a person declining the call ("The user doesn't want to proceed with this
/// tool use"), not the tool failing.
pub(crate) fn reports_declined(error: &str) -> bool {
    Cues::scan(&error.to_lowercase()).has(List::Declined)
}

/// Whether an error is a passing fault of the network or a service (`[transient]`: "fatal: the
/// remote end hung up unexpectedly", "503 Service Unavailable", "connection reset by peer"),
/// which trying again answers, not a quirk of the call.
pub(crate) fn reports_transient(error: &str) -> bool {
    let lower = error.to_lowercase();
    crate::lexicon::words(List::Transient)
        .iter()
        .any(|fault| crate::text::find_word(&lower, fault).is_some())
}

/// Whether an error says the file or path a command named is not there ("No such file or
/// directory", "cannot access").
pub(crate) fn reports_missing_target(error: &str) -> bool {
    Cues::scan(&error.to_lowercase()).has(List::MissingTarget)
}

/// Whether an error says a program, module or executable is missing ("command not found", "No
/// module named pytest", "could not determine executable to run").
pub(crate) fn reports_missing_program(error: &str) -> bool {
    let lower = error.to_lowercase();
    // "line 2: $'\r': command not found" names no program: the script has Windows line
    // endings, and running another program instead is no fix of that.
    if lower.contains("$'") || lower.contains("\\r") {
        return false;
    }
    // PowerShell's "The term 'C:\Users\…\.sbx-denybin' is not recognized …" names a path it
    // could not run (a sandbox's deny list, a script that is not there), not a program to
    // install or replace.
    if let Some(term) = lower
        .split_once("the term '")
        .and_then(|(_, rest)| rest.split_once("' is not recognized"))
        .map(|(term, _)| term)
        && term.contains(['\\', '/'])
    {
        return false;
    }
    reports_missing_module(&lower)
        || [
            "command not found",
            "could not determine executable",
            "is not recognized as",
            "not installed",
            "executable file not found",
            "no such command",
        ]
        .iter()
        .any(|cue| lower.contains(cue))
        || names_unknown_command(&lower)
        // dash's own words: "sh: 1: vitest: not found".
        || lower.lines().any(|line| {
            let line = line.trim();
            (line.starts_with("sh: ") || line.starts_with("/bin/sh: "))
                && line.ends_with(": not found")
        })
}

/// Whether an error says a (sub)command does not exist (`unknown command "deploy" for "gh"`),
/// naming a word — not an argument the shell's quoting split off as one (`unknown command
/// "\\(.conclusion)" for "gh run list"`: a jq filter, the command itself exists).
fn names_unknown_command(lower: &str) -> bool {
    let Some(at) = lower.find("unknown command") else {
        return false;
    };
    let rest = lower[at + "unknown command".len()..].trim_start_matches([' ', ':']);
    let name = match rest.chars().next() {
        Some(quote @ ('"' | '\'' | '`')) => rest[1..].split(quote).next().unwrap_or(""),
        _ => rest.split_whitespace().next().unwrap_or(""),
    };
    name.is_empty()
        || name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

/// Whether an error says a module or package the code imports is missing ("No module named
/// 'streamlit'", "Cannot find module 'next'"): what installing it answers.
pub(crate) fn reports_missing_module(error: &str) -> bool {
    let lower = error.to_lowercase();
    [
        "no module named",
        "modulenotfounderror",
        "cannot find module",
    ]
    .iter()
    .any(|cue| lower.contains(cue))
}

/// Flags, options and settings that switch a safety measure off. A workaround that adds one
/// (or drops its safe form) is flagged for review, never written as advice.
const UNSAFE_ADDITIONS: &[(&str, &str)] = &[
    ("--force", "forces past a safety check"),
    ("-f", "forces past a safety check"),
    ("--no-verify", "skips hooks"),
    ("--insecure", "disables certificate checks"),
    ("-k", "disables certificate checks"),
    ("--no-check-certificate", "disables certificate checks"),
    ("verify=false", "disables certificate checks"),
    ("--trusted-host", "disables certificate checks"),
    (
        "node_tls_reject_unauthorized=0",
        "disables certificate checks",
    ),
    ("git_ssl_no_verify=1", "disables certificate checks"),
    ("git_ssl_no_verify=true", "disables certificate checks"),
    ("pythonhttpsverify=0", "disables certificate checks"),
    ("http.sslverify=false", "disables certificate checks"),
    ("--insecure-skip-tls-verify", "disables certificate checks"),
    ("--skip-ssl-validation", "disables certificate checks"),
    ("--no-strict-ssl", "disables certificate checks"),
    ("--strict-ssl=false", "disables certificate checks"),
    ("--no-sandbox", "disables the sandbox"),
    // Claude Code's `Bash` setting that runs a command outside its sandbox.
    ("dangerouslydisablesandbox", "disables the sandbox"),
    ("--skip-tests", "skips tests"),
    ("-dskiptests", "skips tests"),
    ("--no-gpg-sign", "skips signing"),
    ("--dangerously-skip-permissions", "skips permission checks"),
    ("--allow-root", "runs as root"),
    (
        "--break-system-packages",
        "overrides the system package guard",
    ),
    ("--unsafe-perm", "drops permission safety"),
];

/// Short flags that switch a safety measure off only for some commands (`-k` is curl's
/// `--insecure`, but `sort -k` picks a column; `-f` forces a push, but `tail -f` follows):
/// (the command's identity or its program, the flag, why).
const UNSAFE_SHORT_FLAGS: &[(&str, &str, &str)] = &[
    ("curl", "-k", "disables certificate checks"),
    ("git push", "-f", "forces past a safety check"),
    ("git checkout", "-f", "discards local changes"),
    ("git clean", "-f", "deletes untracked files"),
];

/// Why a fix of a call of command `identity` (`curl`, `git push`) removes a safety measure, if
/// it does: [`unsafe_fix`], and the short flags that are unsafe for that command.
pub(crate) fn unsafe_fix_of(
    identity: &str,
    added: &[String],
    removed: &[String],
) -> Option<String> {
    if let Some(why) = unsafe_fix(added, removed) {
        return Some(why);
    }
    let program = identity.split_whitespace().next().unwrap_or("");
    added.iter().find_map(|word| {
        let word = word.to_ascii_lowercase();
        UNSAFE_SHORT_FLAGS
            .iter()
            .find(|(command, flag, _)| {
                (*command == identity || *command == program) && word == *flag
            })
            .map(|(_, flag, why)| format!("adds `{flag}`, which {why}"))
    })
}

/// Why a fix by another tool or command goes around a guard, when the error it answers is a
/// refusal that protects something ([`List::ProtectiveRefusal`]: "Refusing to write to
/// sensitive system path: /etc/samba/smb.conf", then the same write with the shell).
pub(crate) fn goes_around_a_refusal(error: &str) -> Option<String> {
    let lower = error.to_lowercase();
    crate::lexicon::words(List::ProtectiveRefusal)
        .iter()
        .find(|cue| lower.contains(cue.as_str()))
        .map(|cue| format!("goes around a refusal that protects something (\"{cue}\")"))
}

/// Whether an error says a folder was given where a file was wanted (`EISDIR: illegal
/// operation on a directory, read`, "Is a directory").
pub(crate) fn reports_a_folder_given(error: &str) -> bool {
    let lower = error.to_lowercase();
    lower.contains("eisdir") || lower.contains("is a directory")
}

/// Whether an error says a port or address is taken (`EADDRINUSE`, "address already in use",
/// "port 3000 is already in use"): another process holds it, often the same server started
/// before.
pub(crate) fn reports_a_busy_port(error: &str) -> bool {
    let lower = error.to_lowercase();
    lower.contains("eaddrinuse")
        || lower.contains("address already in use")
        || (lower.contains("port") && lower.contains("already in use"))
}

/// Whether an error is the system refusing the call permission ([`List::PermissionRefusal`]:
/// "Operation not permitted", "Permission denied"): a sandbox or the file system, not the
/// command's own fault.
pub(crate) fn refused_permission(error: &str) -> bool {
    let lower = error.to_lowercase();
    crate::lexicon::words(List::PermissionRefusal)
        .iter()
        .any(|cue| lower.contains(cue.as_str()))
}

/// Safe forms whose removal is the unsafe part (dropping `--force-with-lease` for `--force`).
const SAFE_FORMS: &[&str] = &["--force-with-lease", "--force-if-includes"];

/// Why a fix (words added to and removed from a command) removes a safety measure, if it does.
pub(crate) fn unsafe_fix(added: &[String], removed: &[String]) -> Option<String> {
    let lower = |w: &String| w.to_ascii_lowercase();
    for word in added.iter().map(lower) {
        // `-f` is only unsafe for commands where it forces (git, rm, docker); the caller passes
        // words of one command, and `-f` alone is too common (`tail -f`) to flag by itself.
        if word == "-f" || word == "-k" {
            continue;
        }
        if let Some((flag, why)) = UNSAFE_ADDITIONS
            .iter()
            .find(|(flag, _)| word == *flag || word.starts_with(&format!("{flag}=")))
        {
            return Some(format!("adds `{flag}`, which {why}"));
        }
    }
    for word in removed.iter().map(lower) {
        if SAFE_FORMS.contains(&word.as_str()) {
            return Some(format!("drops `{word}`, a safety check"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_in_text() {
        let failures = [
            "Your proposed edit has introduced new syntax error(s). Please read this error message carefully",
            "<tool_use_error>File has not been read yet. Read it first before writing to it.</tool_use_error>",
            "Found 3 matches of the string to replace, but replace_all is false.",
            "bash: rg: command not found",
            "Please always provide EXACTLY ONE action in triple backticks, found 2 actions.",
            "Operation stopped by hook: Another session is active",
            "a.py:3:1: E999 IndentationError: unexpected indent",
            "The output of your last command was too long.",
            "fatal: not a git repository",
            "You have uncommitted changes. Commit them before stopping.",
        ];
        for text in failures {
            assert!(reports_failure(text), "{text:?}");
        }
        let fine = [
            "All checks passed, 0 errors.",
            "Compiled successfully.",
            "1 file changed, 1 insertion(+)",
            "Tests: 12 passed",
            "No errors found in 3 files.",
        ];
        for text in fine {
            assert!(!reports_failure(text), "{text:?}");
        }
    }

    #[test]
    fn a_passing_fault_is_told_from_a_quirk() {
        for passing in [
            "fatal: the remote end hung up unexpectedly",
            "error: RPC failed; curl 56 Recv failure: Connection reset by peer",
            "HTTP 503 Service Unavailable",
            "npm ERR! network socket hang up",
        ] {
            assert!(reports_transient(passing), "{passing:?}");
        }
        for quirk in [
            "error: unknown option `show-current'",
            "HTTP 429 Too Many Requests",
            "Error: command timed out after 120000ms",
        ] {
            assert!(!reports_transient(quirk), "{quirk:?}");
        }
    }

    #[test]
    fn a_missing_program_is_named_by_the_error() {
        for missing in [
            "bash: line 1: python: command not found",
            "zsh:1: command not found: vercel",
            "sh: 1: vitest: not found",
            "/usr/bin/python3: No module named pytest",
            "npm error could not determine executable to run",
            "unknown command \"deploy\" for \"gh\"",
        ] {
            assert!(reports_missing_program(missing), "{missing:?}");
        }
        // The shell's quoting split a jq filter off as an argument: `gh run list` exists.
        assert!(!reports_missing_program(
            "unknown command \"\\\\(.conclusion)\" for \"gh run list\""
        ));
        // A path PowerShell could not run is no program that is missing.
        assert!(!reports_missing_program(
            "C:\\Users\\dev\\.sbx-denybin : The term 'C:\\Users\\dev\\.sbx-denybin' is not \
             recognized as the name of a cmdlet, function, script file, or operable program."
        ));
        assert!(reports_missing_program(
            "crewai : The term 'crewai' is not recognized as the name of a cmdlet, function"
        ));
        // A script with Windows line endings: the shell runs `\r` as a command.
        for not_missing in [
            ".specify/scripts/bash/setup-plan.sh: line 2: $'\\r': command not found",
            "common.sh: line 3: \\r: command not found",
        ] {
            assert!(!reports_missing_program(not_missing), "{not_missing:?}");
        }
    }

    #[test]
    fn unsafe_fixes_are_recognised() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(unsafe_fix(&words(&["--force"]), &words(&["--force-with-lease"])).is_some());
        assert!(unsafe_fix(&words(&["--no-verify"]), &[]).is_some());
        // A short flag is unsafe for the commands where it switches a check off.
        assert!(unsafe_fix_of("curl", &words(&["-k"]), &[]).is_some());
        assert!(unsafe_fix_of("git push", &words(&["-f"]), &[]).is_some());
        assert!(unsafe_fix_of("sort", &words(&["-k"]), &[]).is_none());
        assert!(unsafe_fix_of("tail", &words(&["-f"]), &[]).is_none());
        assert!(unsafe_fix_of("kubectl", &words(&["--insecure-skip-tls-verify"]), &[]).is_some());
        assert!(unsafe_fix(&[], &words(&["--force-with-lease"])).is_some());
        assert!(unsafe_fix(&words(&["--force-with-lease"]), &words(&["--force"])).is_none());
        assert!(unsafe_fix(&words(&["--quiet"]), &[]).is_none());
    }
}
