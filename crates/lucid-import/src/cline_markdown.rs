//! Cline's "Export task" Markdown (`cline_task_<date>.md`): the task's API history written as
//! turns, each opened by a `**User:**` or `**Assistant:**` line and closed by a `---` line.
//!
//! The turns hold exactly the text of `api_conversation_history.json`'s messages — the person's
//! `<task>` and `<feedback>` beside the harness's `[read_file for 'a.ts'] Result:` blocks,
//! `<environment_details>` and notices in user turns, prose and XML tool calls in assistant
//! turns — so each turn becomes one message and the Cline importer reads them as it reads the
//! history (see [`crate::cline`]); the export's `[Unexpected content type]` placeholder lines
//! (blocks it could not render) are dropped. The export has no times inside, but its file name
//! does: Cline (and Roo Code, Kilo Code) name it after the task's start, `cline_task_jun-4-2025_
//! 6-58-55-am.md`, and every event takes that time — the file's modification time only when the
//! name carries none. A copied or cloned folder gives every file the same modification time, and
//! the newest value must still win.

use lucid_core::Session;
use serde_json::{Value, json};

use crate::Source;
use crate::error::ImportError;
use crate::input::Input;

const USER: &str = "**User:**";
const ASSISTANT: &str = "**Assistant:**";

/// Whether a text is a Cline task export: it opens with a `**User:**` turn and has an
/// `**Assistant:**` turn after a `---` line.
pub(crate) fn is_export(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(USER) {
        return false;
    }
    let mut after_rule = false;
    for line in lines {
        if line == ASSISTANT && after_rule {
            return true;
        }
        after_rule = line == "---";
    }
    false
}

pub(crate) fn import(text: &str, source: &Source<'_>) -> Result<Session, ImportError> {
    let named = Source {
        modified: time_in_name(source.path).or(source.modified),
        ..*source
    };
    crate::cline::import(Input::Document(Value::Array(messages(text))), &named)
}

/// The task's start in an export's file name (`roo_task_jun-4-2025_6-58-55-am.md` → 2025-06-04
/// 06:58:55), taken as UTC like other times written without a zone.
fn time_in_name(path: &str) -> Option<lucid_core::Timestamp> {
    let name = lucid_core::tools::file_name(path);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let (_, when) = stem.split_once("_task_")?;
    chrono::NaiveDateTime::parse_from_str(when, "%b-%d-%Y_%I-%M-%S-%p")
        .ok()
        .map(|naive| naive.and_utc())
}

/// The export's turns as history messages `{role, content}`, in order.
fn messages(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut role: Option<&str> = None;
    let mut body: Vec<&str> = Vec::new();
    // A turn starts at a header line that opens the file or follows a `---` line.
    let mut previous = "---";
    for line in text.lines() {
        let trimmed = line.trim();
        let header = match trimmed {
            USER => Some("user"),
            ASSISTANT => Some("assistant"),
            _ => None,
        };
        if let Some(next) = header.filter(|_| previous == "---") {
            if let Some(role) = role {
                out.push(message(role, &body));
            }
            role = Some(next);
            body.clear();
        } else if trimmed != "[Unexpected content type]" {
            body.push(line);
        }
        if !trimmed.is_empty() {
            previous = trimmed;
        }
    }
    if let Some(role) = role {
        out.push(message(role, &body));
    }
    out
}

/// One message: the turn's lines without the blank lines around them and the closing `---`.
fn message(role: &str, body: &[&str]) -> Value {
    let mut lines = body.to_vec();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.last().is_some_and(|l| l.trim() == "---") {
        lines.pop();
    }
    let text = lines.join("\n");
    json!({ "role": role, "content": text.trim() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_dates_the_export() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "exports/roo_task_jun-4-2025_6-58-55-am.md",
                Some("2025-06-04T06:58:55Z"),
            ),
            (
                "C:\\tasks\\cline_task_dec-21-2024_11-07-03-pm.md",
                Some("2024-12-21T23:07:03Z"),
            ),
            (
                "cline_task_may-30-2025_12-00-00-am.md",
                Some("2025-05-30T00:00:00Z"),
            ),
            // No date in the name, or not one this pattern writes.
            ("notes/task.md", None),
            ("cline_task_2025-06-04.md", None),
            ("roo_task_jun-31-2025_6-58-55-am.md", None),
        ];
        for (path, expected) in cases {
            let found =
                time_in_name(path).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            assert_eq!(found.as_deref(), *expected, "{path}");
        }
    }

    #[test]
    fn turns_become_messages_and_rules_inside_a_turn_stay() {
        let export = "**User:**\n\n<task>\nfix the export\n</task>\n\n---\n\n**Assistant:**\n\n\
                      [Unexpected content type]\n\nI'll read it.\n\n---\n\nMore prose.\n\n\
                      <read_file>\n<path>a.ts</path>\n</read_file>\n\n---\n\n**User:**\n\n\
                      [read_file for 'a.ts'] Result:\n\nexport {}\n";
        assert!(is_export(export));
        assert_eq!(
            messages(export),
            [
                json!({"role": "user", "content": "<task>\nfix the export\n</task>"}),
                json!({"role": "assistant", "content": "I'll read it.\n\n---\n\nMore prose.\n\n<read_file>\n<path>a.ts</path>\n</read_file>"}),
                json!({"role": "user", "content": "[read_file for 'a.ts'] Result:\n\nexport {}"}),
            ]
        );
        assert!(!is_export("**User:**\n\nhello\n"));
        assert!(!is_export(
            "# Notes\n\n**User:**\n\n---\n\n**Assistant:**\n"
        ));
    }
}
