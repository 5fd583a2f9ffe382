//! Recognising tool output that reports a failure, for formats whose tool results carry no
//! error flag (OpenAI Chat Completions, OpenAI Responses / Codex, Cline, SWE-agent).
//!
//! The first five non-blank lines are read (the first kilobyte of each), because a failure is often announced
//! after a line of preamble (`Command executed.` / `Output:`, a `Compiling …` line, a linter's
//! banner); the rest of the output is not, because a long listing or file that merely contains
//! the word "error" further down says nothing about this call. A false positive marks good
//! evidence as a failure, so every rule wants a shape errors have — a line that *starts* like an
//! error, a compiler's `path:line: error:`, a linter code, a rejection the harness words one way
//! — and normal output that merely mentions errors ("No errors found", "0 errors", "Errors: 0",
//! `error.rs` in a listing, a test named `test_error_handling`) stays clean. Lines that quote
//! other text — numbered file lines (`12:`, `12→`) and search hits (`src/a.py:12:`, `Line 12:`)
//! — are only checked for a compiler's located error.

use serde_json::Value;

/// How many non-blank lines of an output are read.
const LINES: usize = 5;

/// How much of each line is read: an error announces itself early in its line, and a
/// megabyte-long line (minified output) is not scanned whole.
const LINE_BYTES: usize = 1024;

/// The first [`LINE_BYTES`] of a line, cut at a character boundary.
fn head(line: &str) -> &str {
    if line.len() <= LINE_BYTES {
        return line;
    }
    let mut end = LINE_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line.get(..end).unwrap_or(line)
}

/// Standard HTTP reason phrases of 4xx/5xx statuses, so that "409 Conflict" is an error while
/// "404 files processed" is not.
const REASON_PHRASES: &[&str] = &[
    "bad request",
    "unauthorized",
    "payment required",
    "forbidden",
    "not found",
    "method not allowed",
    "not acceptable",
    "proxy authentication required",
    "request timeout",
    "conflict",
    "gone",
    "length required",
    "precondition failed",
    "payload too large",
    "content too large",
    "request entity too large",
    "uri too long",
    "unsupported media type",
    "range not satisfiable",
    "expectation failed",
    "i'm a teapot",
    "misdirected request",
    "unprocessable entity",
    "unprocessable content",
    "locked",
    "failed dependency",
    "too early",
    "upgrade required",
    "precondition required",
    "too many requests",
    "request header fields too large",
    "unavailable for legal reasons",
    "internal server error",
    "not implemented",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "http version not supported",
    "insufficient storage",
    "loop detected",
    "network authentication required",
];

/// Whether a tool's output reports a failure.
///
/// Recognised, on any of the first five non-blank lines (indentation aside):
/// - a line starting like an error: `Error:`/`error:`/`error[E…]`/`Error [ERR_…]:` (not
///   `Error::`, not a bare `error: null` setting), `ERROR` as a word (also after a `[task]`
///   tag), `[ERROR]`, an exception name ending in `Error:` or `Exception:` (`ValueError: …`, also
///   after `Uncaught `), `Traceback (most recent call last)`, `fatal:`/`FATAL:`, `panic:`, a Rust
///   `thread '…' panicked`, `npm ERR!`/`npm error`, `<tool_use_error>`/`<error>`,
///   `FAIL`/`--- FAIL:`, `Failed to …`, `CONFLICT (…)`, `❌`/`✗`; past the first line, the
///   error words and exception names only when not indented (indented, they are code or data);
/// - a program's complaint: `rm: cannot remove …`, `ls: cannot access …`;
/// - a located compiler or tool error: `src/a.rs:3:5: error: …`, `a.c:1: fatal error:`,
///   `src/a.ts(3,5): error TS2304: …`, `prog: error: …`;
/// - a linter code: `E999 IndentationError …`, `E111 …`, `F821 undefined name …` at the start of
///   a line, after `- ` or after a `path:line:col:` prefix;
/// - a rejection or failure worded the usual way: "Your proposed edit has introduced new syntax
///   error(s)", "File has not been read yet", "… but replace_all is false", "String to replace
///   not found", "command not found", "No such file or directory", "Permission denied",
///   "The user denied this operation", "The tool execution failed", "Segmentation fault",
///   "Cannot find module", "No module named", "Exception in thread", "returned non-zero exit
///   status", "File … not found"/"File does not exist", …;
/// - a non-zero exit: "exit code 1", "exited with code 2", "Exit status: 1", "Exit code: 1";
/// - `FAILED` as an upper-case word (not "0 FAILED"), a pytest `= FAILURES =` banner or an
///   `= 1 failed … =` summary;
/// - on the first line only: `HTTP 4xx`/`HTTP/1.1 5xx`, `HTTP Error …`, a bare `409 Conflict`
///   status with its standard reason phrase;
///
/// and for the whole text: a JSON object whose top level has a non-null `"error"`, or a short
/// `Usage:` reply (at most four lines, or next to "invalid", "missing", "unrecognized", …),
/// which is what a wrong invocation gets back.
pub fn looks_like_error(text: &str) -> bool {
    let text = text.trim_start();
    if text.is_empty() {
        return false;
    }
    if is_json_error(text) || is_powershell_error_record(text) || has_stack_trace(text) {
        return true;
    }
    let lines: Vec<&str> = text
        .lines()
        .map(|line| head(line).trim_end())
        .filter(|line| !line.trim().is_empty())
        .take(LINES)
        .collect();
    lines
        .iter()
        .enumerate()
        .any(|(position, line)| line_is_error(line, position == 0))
        || is_usage_reply(text, &lines)
}

/// Whether one line reports a failure (see [`looks_like_error`]).
fn line_is_error(line: &str, first: bool) -> bool {
    let indented = line.starts_with(char::is_whitespace);
    let body = line.trim_start();
    if is_located_error(body) {
        return true;
    }
    if quotes_other_text(body) {
        return false;
    }
    // Past the first line, an indented `error:` is a key in quoted code or data.
    ((first || !indented) && starts_with_error_word(body))
        || tagged_line(body).is_some_and(starts_with_error_word)
        || ((first || !indented) && starts_with_exception_name(body))
        || starts_with_any(body, ERROR_STARTS)
        || is_rust_panic(body)
        || (first && (is_http_error(body) || is_bare_status(body)))
        || has_lint_code(body)
        || ERROR_PHRASES.iter().any(|phrase| body.contains(phrase))
        || is_missing_file(body)
        || is_cannot(body)
        || is_failed_exit(body)
        || has_failed_word(body)
        || is_pytest_failure_banner(body)
        || is_failed_count(body)
        || is_failed_status(body)
        || is_killed(body)
        || is_missing_from_dash(body)
}

/// A test runner's summary counting failures first: jest's `Tests: 2 failed, 14 passed`,
/// vitest's `Test Files  1 failed | 3 passed (4)`, `pytest -q`'s `1 failed, 3 passed in 0.4s`.
/// (`0 failed` is no failure.)
fn is_failed_count(line: &str) -> bool {
    let rest = ["Test Suites:", "Tests:", "Test Files", "Tests"]
        .iter()
        .find_map(|label| line.strip_prefix(label))
        .unwrap_or(line)
        .trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest.get(..digits)
        .and_then(|count| count.parse::<u64>().ok())
        .is_some_and(|count| count > 0)
        && rest
            .get(digits..)
            .is_some_and(|after| after.starts_with(" failed"))
}

/// A check's status line that pads its name with dots to a verdict: pre-commit's
/// `trim trailing whitespace.......Failed`.
fn is_failed_status(line: &str) -> bool {
    line.strip_suffix("Failed")
        .is_some_and(|before| before.ends_with("..."))
}

/// The shell reporting its child killed (`Killed` by the out-of-memory killer, `Terminated`).
fn is_killed(line: &str) -> bool {
    matches!(line.trim_end(), "Killed" | "Terminated")
}

/// dash's missing command: `/bin/sh: 1: pytest: not found`.
fn is_missing_from_dash(line: &str) -> bool {
    line.ends_with(": not found")
        && (line.starts_with("sh: ") || line.starts_with("/bin/sh: ") || line.starts_with("dash: "))
}

/// Line starts that announce an error.
const ERROR_STARTS: &[&str] = &[
    "Traceback (most recent call last)",
    "fatal:",
    "FATAL:",
    "FATAL ERROR",
    "panic:",
    "npm ERR!",
    "npm error ",
    "<tool_use_error>",
    "<error>",
    "[ERROR]",
    "--- FAIL:",
    "FAIL ",
    "FAIL\t",
    "Failed to ",
    "failed to ",
    "Segmentation fault",
    "CONFLICT (",
    "❌",
    "✖ ",
    "✗ ",
    // git refusing a push: ` ! [rejected]        main -> main (fetch first)`.
    "! [rejected]",
    "! [remote rejected]",
    // GNU make's failure marker: `make: *** [Makefile:12: lint] Error 1`, `make: *** No rule …`.
    "make: *** ",
    // pnpm's error codes: `ERR_PNPM_OUTDATED_LOCKFILE  Cannot install …`.
    "ERR_PNPM_",
    "Timed out after",
];

/// Wordings of failures and rejections, anywhere in a line.
const ERROR_PHRASES: &[&str] = &[
    "Your proposed edit has introduced new syntax error(s)",
    "File has not been read yet",
    "but replace_all is false",
    "String to replace not found",
    "command not found",
    "No such file or directory",
    "Permission denied",
    "Traceback (most recent call last)",
    "The user denied this operation",
    "The user doesn't want to proceed with this tool use",
    "The tool execution failed",
    "Missing value for required parameter",
    "is blocked by the .clineignore",
    "is not recognized as an internal or external command",
    "Segmentation fault",
    "core dumped",
    "Cannot find module",
    "No module named",
    "Exception in thread",
    "returned non-zero exit status",
    "No file open. Use the",
    "hook error",
    "exceeds maximum allowed tokens",
    "parse error near",
    "syntax error near unexpected token",
    "contained syntax errors and was NOT executed",
    "was cancelled because it took more than",
    // A command-line parser refusing an option: Go's cobra / pflag (`unknown shorthand flag:
    // 'd' in -d`), GNU (`ls: invalid option -- 'z'`, `grep: unrecognized option '--foo'`) and
    // BSD (`ls: illegal option -- z`).
    "unknown shorthand flag:",
    "unknown flag: -",
    ": invalid option -- ",
    ": illegal option -- ",
    ": unrecognized option ",
    "Connection refused",
    "Failed to connect to ",
    "Error response from daemon",
    "Build failed",
    "because it is being used by another process",
];

/// Windows PowerShell's error record (`At line:1 char:11`, the command marked `+ ~~`, the
/// message, then `+ CategoryInfo : ParserError: …` and `+ FullyQualifiedErrorId : …`): its
/// message comes after the lines marking where, so past the first lines read for a failure
/// (Cline puts `Command executed.` and `Output:` before it too).
fn is_powershell_error_record(text: &str) -> bool {
    const RECORD_LINES: usize = 20;
    text.lines()
        .take(RECORD_LINES)
        .map(str::trim_start)
        .any(|line| {
            ["+ CategoryInfo", "+ FullyQualifiedErrorId"]
                .iter()
                .any(|field| {
                    line.strip_prefix(field)
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                })
        })
}

/// An exception thrown and not caught, anywhere in a command's first lines: a line naming it
/// (`Error: error:0308010C:digital envelope routines::unsupported`, `TypeError: …`) followed
/// by the stack frames a runtime prints under it (`    at new Hash (node:internal/…)`), or
/// Python's `Traceback (most recent call last):` and its `  File "…", line N` frames. A dev
/// server prints a page of progress before it crashes, so the first lines read for other
/// failures do not reach it.
fn has_stack_trace(text: &str) -> bool {
    const TRACE_LINES: usize = 200;
    const FRAMES: usize = 2;
    let lines: Vec<&str> = text.lines().take(TRACE_LINES).map(head).collect();
    let is_frame = |line: &str| {
        let trimmed = line.trim_start();
        let indented = trimmed.len() < line.len();
        indented
            && ((trimmed.starts_with("at ") && trimmed.contains(['(', ':']))
                || (trimmed.starts_with("File \"") && trimmed.contains("\", line ")))
    };
    lines.iter().enumerate().any(|(at, line)| {
        let trimmed = line.trim();
        // After a console's control characters (`;Windows PowerShell\u{7}Error: …`).
        let message = trimmed
            .rsplit(|c: char| c.is_control())
            .next()
            .unwrap_or(trimmed);
        // Python prints each frame's source line under it: one frame says enough.
        let frames = if message.starts_with("Traceback (most recent call last)") {
            1
        } else if starts_with_exception_name(message) {
            FRAMES
        } else {
            return false;
        };
        lines
            .get(at + 1..at + 1 + frames)
            .is_some_and(|next| next.iter().all(|l| is_frame(l)))
    })
}

fn starts_with_any(text: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| text.starts_with(prefix))
}

/// The rest of a line after a bracketed tag of a task runner or logger (`[lint] ERROR task
/// failed`, `[2026-01-01 10:00] error: …`).
fn tagged_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find("] ").filter(|&close| close <= 40)?;
    rest.get(close + 2..)
}

/// `rm: cannot remove 'x': …`, `ls: cannot access …`, `go: cannot find main module …`: a
/// program's name, then "cannot".
fn is_cannot(line: &str) -> bool {
    line.split_once(": cannot ").is_some_and(|(program, _)| {
        !program.is_empty()
            && program.len() <= 40
            && program.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '/' | '.' | '-' | '_')
            })
    })
}

/// A numbered line of a file (`12:x`, `    12→x`, `12\tx`) or a search hit (`src/a.py:12:x`,
/// `src/a.py-12-x`, `Line 12: x`): text quoted from elsewhere, not the tool speaking.
fn quotes_other_text(line: &str) -> bool {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0
        && line
            .get(digits..)
            .is_some_and(|rest| rest.starts_with([':', '→', '|', '\t', '-']))
    {
        return true;
    }
    if let Some(rest) = line.strip_prefix("Line ")
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return true;
    }
    // A search tool's header names what was searched for: `Found 3 matches for "…" in /r:`.
    if line.starts_with("Found ") && line.contains(" matches for ") {
        return true;
    }
    // `path:12:` / `path-12-`: a token without spaces, then a line number.
    let token_end = line.find([':', ' ', '\t']).unwrap_or(line.len());
    let after = line.get(token_end..).unwrap_or("");
    token_end > 0
        && after.starts_with(':')
        && after
            .get(1..)
            .is_some_and(|rest| line_number_then(rest, &[':', '-']))
}

/// Whether `text` starts with digits followed by one of `ends`.
fn line_number_then(text: &str, ends: &[char]) -> bool {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0
        && text
            .get(digits..)
            .is_some_and(|rest| rest.starts_with(ends))
}

/// `src/a.rs:3:5: error: …`, `a.c:1:10: fatal error: …`, `src/a.ts(3,5): error TS2304: …`,
/// `mypy.py:12: error: …`, `prog: error: …` (argparse), `path:3:1: E999 …`.
fn is_located_error(line: &str) -> bool {
    for marker in [": error", ": fatal error", "): error"] {
        let mut from = 0;
        while let Some(found) = line.get(from..).and_then(|rest| rest.find(marker)) {
            let at = from + found;
            let prefix = line
                .get(..at + usize::from(marker.starts_with(')')))
                .unwrap_or("");
            let after = line.get(at + marker.len()..).unwrap_or("");
            let word_ends = after.starts_with([':', '[']) || starts_with_error_code(after);
            if word_ends && !prefix.is_empty() && !prefix.contains(char::is_whitespace) {
                return true;
            }
            from = at + marker.len();
        }
    }
    // `path:3:1: E999 IndentationError: …` (flake8).
    let token_end = line.find(char::is_whitespace).unwrap_or(line.len());
    let token = line.get(..token_end).unwrap_or("");
    token.ends_with(':')
        && token.matches(':').count() >= 2
        && line
            .get(token_end..)
            .is_some_and(|rest| is_lint_code(rest.trim_start()))
}

/// ` TS2304: …`, ` C2065: …`, ` CS0103: …`: a space, then an error code (capital letters and
/// digits) and a colon.
fn starts_with_error_code(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(' ') else {
        return false;
    };
    let letters = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .len();
    let digits_start = rest.get(letters..).unwrap_or("");
    let digits = digits_start.len()
        - digits_start
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    letters > 0
        && digits > 0
        && digits_start
            .get(digits..)
            .is_some_and(|r| r.starts_with(':'))
}

/// `E999 IndentationError …`, `E111 …`, `F821 …` at the start of the line or after `- `.
fn has_lint_code(line: &str) -> bool {
    is_lint_code(line) || line.strip_prefix("- ").is_some_and(is_lint_code)
}

/// Text starting with a pyflakes/pycodestyle error code (`E1xx`, `E9xx`, `F8xx` and the other
/// `E` codes) and a word.
fn is_lint_code(text: &str) -> bool {
    let bytes = text.as_bytes();
    let letter = bytes.first().copied();
    let code_ok = match letter {
        Some(b'E') => bytes
            .get(1..4)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit)),
        Some(b'F') => {
            bytes.get(1) == Some(&b'8')
                && bytes
                    .get(2..4)
                    .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        }
        _ => false,
    };
    code_ok && bytes.get(4) == Some(&b' ') && bytes.get(5).is_some_and(u8::is_ascii_alphabetic)
}

/// `Error:`, `error:`, `error[E0308]:`, `ERROR` followed by a non-letter (a log level). Not a
/// Rust path (`Error::new`) nor a setting whose value is empty (`error: null`).
fn starts_with_error_word(text: &str) -> bool {
    if let Some(rest) = text
        .strip_prefix("Error")
        .or_else(|| text.strip_prefix("error"))
    {
        // `error[E0308]: …`, and Node's `Error [ERR_MODULE_NOT_FOUND]: …`.
        if rest.starts_with('[') || rest.starts_with(" [") && rest.contains("]:") {
            return true;
        }
        let Some(value) = rest.strip_prefix(':') else {
            return false;
        };
        if value.starts_with(':') {
            return false;
        }
        let value = value.trim();
        return !matches!(
            value.to_ascii_lowercase().as_str(),
            "" | "null" | "none" | "nil" | "false" | "0" | "~" | "[]" | "{}" | "''" | "\"\""
        );
    }
    if let Some(rest) = text.strip_prefix("ERROR") {
        // "ERROR 1045 (28000)", "ERROR - x", "ERROR: x", but not "ERRORS: 0" nor "ERROR = 3".
        return !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            && !rest.trim_start().starts_with(['=', ',', ')', '.']);
    }
    false
}

/// `ValueError: …`, `java.io.IOException: …`, `Uncaught TypeError: …`.
fn starts_with_exception_name(text: &str) -> bool {
    let text = text.strip_prefix("Uncaught ").unwrap_or(text);
    let Some(colon) = text.find(':') else {
        return false;
    };
    let Some(name) = text.get(..colon) else {
        return false;
    };
    // `Error::new(…)` is a Rust path, not a report.
    if text
        .get(colon + 1..)
        .is_some_and(|rest| rest.starts_with(':'))
    {
        return false;
    }
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
        && (name.ends_with("Error") || name.ends_with("Exception"))
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// `thread 'main' panicked at …`
fn is_rust_panic(text: &str) -> bool {
    text.starts_with("thread '") && text.contains("' panicked")
}

/// `HTTP 404`, `HTTP/1.1 503 Service Unavailable`, `HTTP Error 500: …`.
fn is_http_error(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("HTTP") else {
        return false;
    };
    let lower_rest = rest.trim_start().to_ascii_lowercase();
    if lower_rest.starts_with("error") {
        return true;
    }
    // Skip an optional "/1.1" or "/2" version.
    let rest = match rest.strip_prefix('/') {
        Some(version) => version.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.'),
        None => rest,
    };
    if !rest.starts_with(char::is_whitespace) {
        return false;
    }
    status_code(rest.trim_start()).is_some()
}

/// A 4xx/5xx status code at the start of `text`, followed by a non-digit.
fn status_code(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if !(first == b'4' || first == b'5') {
        return None;
    }
    if !bytes.get(1..3)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.get(3).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    text.get(3..)
}

/// `409 Conflict`, `500 Internal Server Error`: a status and its standard reason phrase.
fn is_bare_status(text: &str) -> bool {
    let Some(rest) = status_code(text) else {
        return false;
    };
    if !rest.starts_with(' ') {
        return false;
    }
    let rest = rest.trim_start().to_ascii_lowercase();
    REASON_PHRASES.iter().any(|phrase| {
        rest.strip_prefix(phrase)
            .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
    })
}

/// `File foo.py not found`, `File does not exist.`, `Directory /x not found`.
fn is_missing_file(line: &str) -> bool {
    let subject = ["File ", "File:", "Path ", "Directory ", "Folder "]
        .iter()
        .any(|subject| line.starts_with(subject));
    let trimmed = line.trim_end_matches(['.', '!']);
    subject && (trimmed.ends_with(" not found") || trimmed.contains("does not exist"))
}

/// `Exit code: 1`, `exit code 1`, `exit status 2`, `Exit status: 1`, `Process exited with code 1`,
/// `Command failed with exit code 127`: a marker followed by a non-zero number.
fn is_failed_exit(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    ["exit code", "exit status", "exited with code"]
        .iter()
        .any(|marker| {
            lower.match_indices(marker).any(|(at, _)| {
                let rest = lower.get(at + marker.len()..).unwrap_or("");
                let rest = rest.trim_start_matches([':', ' ', '=', '\t']);
                let rest = rest.strip_prefix("is ").unwrap_or(rest);
                let end = rest
                    .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                    .unwrap_or(rest.len());
                // A symbolic code (`exit code ERR_DLOPEN_FAILED`, Node's name for a failed
                // native module load) is a failure too; it is upper case in the original line.
                let original = line.get(at + marker.len()..).unwrap_or("");
                let symbol: String = original
                    .trim_start_matches([':', ' ', '=', '\t'])
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                let symbolic = symbol.len() >= 3 && symbol.contains('_');
                symbolic
                    || rest
                        .get(..end)
                        .and_then(|code| code.parse::<i64>().ok())
                        .is_some_and(|code| code != 0)
            })
        })
}

/// `FAILED` as a word — `FAILED tests/a.py::t`, `test result: FAILED.`, `FAILED (failures=1)` —
/// unless it counts zero (`0 FAILED`, `FAILED: 0`).
fn has_failed_word(line: &str) -> bool {
    line.match_indices("FAILED").any(|(at, word)| {
        let before = line.get(..at).unwrap_or("");
        let after = line.get(at + word.len()..).unwrap_or("");
        let is_word = !before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
            && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        let zero_before = before.trim_end().ends_with(" 0") || before.trim_end() == "0";
        let counted = after.trim_start_matches([':', '=', ' ']);
        let zero_after = counted.starts_with('0')
            && !counted
                .get(1..2)
                .is_some_and(|c| c.chars().all(|c| c.is_ascii_digit()));
        is_word && !zero_before && !zero_after
    })
}

/// pytest's `===== FAILURES =====` / `===== ERRORS =====` banners and `=== 2 failed, 3 passed
/// in 0.1s ===` summaries.
fn is_pytest_failure_banner(line: &str) -> bool {
    if !line.starts_with('=') {
        return false;
    }
    if line.contains(" FAILURES ") || line.contains(" ERRORS ") {
        return true;
    }
    line.match_indices(" failed").any(|(at, _)| {
        line.get(..at)
            .and_then(|before| before.rsplit([' ', '=']).next())
            .and_then(|count| count.parse::<u64>().ok())
            .is_some_and(|count| count > 0)
    })
}

/// A short `Usage:` reply: what a command prints when it was called wrongly (a long one is
/// `--help` output, which is not a failure).
fn is_usage_reply(text: &str, lines: &[&str]) -> bool {
    let starts_with_usage = lines
        .first()
        .is_some_and(|line| starts_with_any(line.trim_start(), &["Usage:", "usage:", "USAGE:"]));
    if !starts_with_usage {
        return false;
    }
    let short = text.lines().filter(|line| !line.trim().is_empty()).count() <= 4;
    let complaint = lines.iter().any(|line| {
        let lower = line.to_ascii_lowercase();
        [
            "invalid",
            "unrecognized",
            "unknown option",
            "missing",
            "requires",
            "required",
            "expected",
            "too many",
            "too few",
            "must be",
        ]
        .iter()
        .any(|word| lower.contains(word))
    });
    short || complaint
}

/// `{"error": …}` with a non-null, non-false, non-empty value.
fn is_json_error(text: &str) -> bool {
    if !text.starts_with('{') {
        return false;
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        error: Option<Value>,
    }
    match serde_json::from_str::<Probe>(text.trim_end()) {
        Ok(Probe { error: Some(error) }) => match error {
            Value::Null | Value::Bool(false) => false,
            Value::String(text) => !text.trim().is_empty(),
            Value::Object(object) => !object.is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => true,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests;
