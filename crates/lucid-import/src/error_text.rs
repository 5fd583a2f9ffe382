//! Recognising tool output that reports a failure, for formats whose tool results carry no
//! error flag (OpenAI Chat Completions, OpenAI Responses / Codex).
//!
//! The test is deliberately narrow — only text that *starts* the way errors start — because a
//! false positive marks good evidence as a failure. Normal output that merely mentions errors
//! ("No errors found", "0 errors", "Errors: 0") is not an error.

use serde_json::Value;

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

/// Whether a tool's output clearly starts like an error report.
///
/// Recognised starts (after leading whitespace): `Error:`/`error:`/`error[E…]`, `ERROR` as a
/// word, an exception name ending in `Error:` or `Exception:` (`ValueError: …`, also after
/// `Uncaught `), `Traceback (most recent call last)`, `fatal:`/`FATAL:`, `panic:`, a Rust
/// `thread '…' panicked`, `npm ERR!`, `<tool_use_error>`/`<error>`, `HTTP 4xx`/`HTTP/1.1 5xx`,
/// `HTTP Error …`, a bare `409 Conflict`-style status with its standard reason phrase,
/// `Exit code: N`/`exit status N` with N ≠ 0, and a JSON object whose top level has a non-null
/// `"error"`.
pub fn looks_like_error(text: &str) -> bool {
    let text = text.trim_start();
    if text.is_empty() {
        return false;
    }
    starts_with_error_word(text)
        || starts_with_exception_name(text)
        || starts_with_any(
            text,
            &[
                "Traceback (most recent call last)",
                "fatal:",
                "FATAL:",
                "FATAL ERROR",
                "panic:",
                "npm ERR!",
                "<tool_use_error>",
                "<error>",
            ],
        )
        || is_rust_panic(text)
        || is_http_error(text)
        || is_bare_status(text)
        || is_failed_exit(text)
        || is_json_error(text)
}

fn starts_with_any(text: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| text.starts_with(prefix))
}

/// `Error:`, `error:`, `error[E0308]:`, `ERROR` followed by a non-letter (a log level).
fn starts_with_error_word(text: &str) -> bool {
    if let Some(rest) = text
        .strip_prefix("Error")
        .or_else(|| text.strip_prefix("error"))
    {
        return rest.starts_with(':') || rest.starts_with('[');
    }
    if let Some(rest) = text.strip_prefix("ERROR") {
        // "ERROR 1045 (28000)", "ERROR - x", "ERROR: x", but not "ERRORS: 0".
        return !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
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
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
        && (name.ends_with("Error") || name.ends_with("Exception"))
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// `thread 'main' panicked at …`
fn is_rust_panic(text: &str) -> bool {
    text.starts_with("thread '")
        && text
            .lines()
            .next()
            .is_some_and(|line| line.contains("' panicked"))
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

/// `Exit code: 1`, `exit status 2`, `Process exited with code 1`.
fn is_failed_exit(text: &str) -> bool {
    let first_line = text
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    [
        "exit code:",
        "exit code",
        "exit status:",
        "exit status",
        "process exited with code",
    ]
    .iter()
    .find_map(|prefix| first_line.strip_prefix(prefix))
    .and_then(|rest| {
        rest.trim()
            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
            .next()
    })
    .and_then(|code| code.parse::<i64>().ok())
    .is_some_and(|code| code != 0)
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
mod tests {
    use super::looks_like_error;

    #[test]
    fn errors() {
        for text in [
            "Error: file not found",
            "error: could not compile `x`",
            "error[E0308]: mismatched types",
            "ERROR: relation does not exist",
            "ERROR 1045 (28000): Access denied",
            "  ValueError: invalid literal for int()",
            "TypeError: x is not a function",
            "java.lang.NullPointerException: boom",
            "Uncaught ReferenceError: foo is not defined",
            "HTTP 409 Conflict",
            "HTTP/1.1 503 Service Unavailable",
            "HTTP/2 404",
            "HTTP Error 500: Internal Server Error",
            "409 Conflict",
            "404 Not Found: /api/x",
            "500 Internal Server Error",
            "Traceback (most recent call last):\n  File \"x.py\"",
            "fatal: not a git repository",
            "<tool_use_error>File does not exist.</tool_use_error>",
            "{\"error\": {\"type\": \"not_found\", \"message\": \"no\"}}",
            "{\"error\":\"rate limited\",\"retry\":3}",
            "panic: runtime error: index out of range",
            "thread 'main' panicked at src/main.rs:2:5:",
            "npm ERR! code ENOENT",
            "Exit code: 1\nWall time: 0.2 seconds\nOutput:\nboom",
            "exit status 2",
        ] {
            assert!(looks_like_error(text), "should be an error: {text:?}");
        }
    }

    #[test]
    fn not_errors() {
        for text in [
            "",
            "   ",
            "No errors found",
            "0 errors, 2 warnings",
            "Errors: 0",
            "ERRORS: none",
            "Error handling in Rust uses Result.",
            "errors.rs compiled",
            "The ValueError: part is explained below",
            "404 files processed",
            "200 OK",
            "HTTP/1.1 200 OK",
            "HTTPS is enabled",
            "{\"error\": null, \"result\": 3}",
            "{\"errors\": []}",
            "{\"ok\": true}",
            "{not json",
            "Exit code: 0\nOutput:\nfine",
            "File created successfully at: /tmp/x",
            "Everything is fine. Error: none of the above was unexpected.",
            "MyErrorHandler: registered",
        ] {
            assert!(!looks_like_error(text), "should not be an error: {text:?}");
        }
    }
}
