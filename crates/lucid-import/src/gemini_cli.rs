//! Gemini CLI chat logs (`~/.gemini/tmp/<project>/chats/session-….json`), in both shapes the CLI
//! has written:
//!
//! - one JSON document `{sessionId, projectHash, startTime, lastUpdated, messages}`;
//! - JSON Lines: a header `{sessionId, projectHash, startTime, lastUpdated, kind}`, then records
//!   that either replace the whole message list (`{"$set": {"messages": […]}}`) or add one
//!   message (`{id, timestamp, type, content, …}`; a message with a known `id` replaces it).
//!
//! Each message is `{id, timestamp, type, content}`:
//!
//! | message | event here |
//! |---|---|
//! | `type: "user"` | user message (human): `content` as a string or the `text` of its parts; harness tags inside (`<session_context>`) are split off as every message's are. When `displayContent` differs (a `/init` expanded into its prompt, `@file` references with the files' text, a "System: Please continue." the CLI sent after a tool's answer), the text of `displayContent` is what the person typed (none for a tool's answer) and `content` is context `sent by the CLI`: `tool_output` when it is the typed text with material appended, harness otherwise |
//! | `type: "gemini"` | agent prose (`content`), then one tool call per `toolCalls[]` (`id`, `name`, `args`) and its result: the `output` (or `error`) of `result[].functionResponse.response`, or `resultDisplay`; a failure when `status` is `error` or the response has an `error`; `thoughts` are thinking and skipped |
//! | `type: "info"`, `"warning"`, `"error"` | context of that name (harness): what the CLI itself said |
//!
//! Times: each message's `timestamp`. Session id: `sessionId`. Agent: the [`Source`] fallbacks
//! (the folder). Nothing else becomes human text: a message of an unknown `type` is context.
//!
//! Headless runs (`gemini -p … --output-format stream-json`) write a third shape, JSON Lines of
//! events in the order they happened:
//!
//! | event | event here |
//! |---|---|
//! | `init` (`session_id`, `model`) | the session id |
//! | `message`, `role: "user"` | user message (human) |
//! | `message`, `role: "assistant"` | agent prose; consecutive `delta` chunks are one message |
//! | `tool_use` (`tool_name`, `tool_id`, `parameters`) | tool call |
//! | `tool_result` (`tool_id`, `status`, `output`, `error.message`) | its result; a failure when `status` is `error` |
//! | `error` (`severity`, `message`), `result` with `status: "error"` | context `error` (harness) |
//!
//! Times: `timestamp` (or `ts`, which evaluation runners add).

use lucid_core::{Channel, Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::blocks::render_result_content;
use crate::error::ImportError;
use crate::input::{Input, each_line};
use crate::json::{content_text, kind_of, non_blank, str_at, time_at};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::GeminiCli;

type Object = Map<String, Value>;

/// Whether a JSON document is a Gemini CLI chat: a `projectHash` and a `messages` list.
pub(crate) fn is_chat(object: &Object) -> bool {
    object.contains_key("projectHash") && object.get("messages").is_some_and(Value::is_array)
}

/// Whether one JSON Lines record belongs to a Gemini CLI chat log: its header (a `projectHash`)
/// or a replacement of its message list (`$set`); or to a headless run's event stream: its
/// `init` (a `session_id` and a `model`) or a `tool_use` (`tool_name`, `tool_id`,
/// `parameters`).
pub(crate) fn is_record(record: &Object) -> bool {
    record.contains_key("projectHash")
        || record
            .get("$set")
            .and_then(Value::as_object)
            .is_some_and(|set| set.contains_key("messages"))
        || is_stream_event(record)
}

/// Whether a JSON array is Gemini CLI's prompt log (`~/.gemini/tmp/<project>/logs.json`):
/// `{sessionId, messageId, type, message, timestamp}` for each prompt a person typed, which the
/// chat files beside it (`chats/`) hold too, with the replies. Read as well, each prompt would
/// count twice.
pub(crate) fn is_prompt_log(items: &[Value]) -> bool {
    !items.is_empty()
        && items.iter().take(64).all(|item| {
            item.as_object().is_some_and(|entry| {
                entry.get("messageId").is_some_and(Value::is_u64)
                    && entry.contains_key("sessionId")
                    && entry.get("message").is_some_and(Value::is_string)
                    && !entry.contains_key("uuid")
            })
        })
}

/// A headless run's `init` or `tool_use` event (the ones no other format writes).
fn is_stream_event(record: &Object) -> bool {
    match str_at(record, "type") {
        Some("init") => record.contains_key("session_id") && record.contains_key("model"),
        Some("tool_use") => {
            record.contains_key("tool_name")
                && record.contains_key("tool_id")
                && record.contains_key("parameters")
        }
        _ => false,
    }
}

/// The event types of a headless run's stream (`error` only with its `severity`: a chat log's
/// `error` messages have `content`).
fn is_stream_record(record: &Object) -> bool {
    match str_at(record, "type") {
        Some("init" | "message" | "tool_use" | "tool_result" | "result") => {
            !record.contains_key("id")
        }
        Some("error") => record.contains_key("severity"),
        _ => false,
    }
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    let mut messages: Vec<Object> = Vec::new();
    let mut stream: Vec<Object> = Vec::new();
    match input {
        Input::Document(Value::Object(mut chat)) => {
            builder.offer_session_id(str_at(&chat, "sessionId"));
            if let Some(Value::Array(list)) = chat.remove("messages") {
                messages = objects(list);
            }
        }
        Input::Document(other) => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!(
                    "expected a JSON object with `messages` or JSON Lines, found {}",
                    kind_of(&other)
                ),
            });
        }
        Input::Lines(text) => each_line::<Object>(text, |_, mut record| {
            if is_stream_record(&record) {
                stream.push(record);
            } else if let Some(Value::Object(mut set)) = record.remove("$set") {
                if let Some(Value::Array(list)) = set.remove("messages") {
                    messages = objects(list);
                }
            } else if record.contains_key("projectHash") {
                builder.offer_session_id(str_at(&record, "sessionId"));
            } else if record.contains_key("type") {
                let id = str_at(&record, "id").map(str::to_string);
                match messages
                    .iter()
                    .position(|m| id.is_some() && str_at(m, "id") == id.as_deref())
                {
                    Some(at) => messages[at] = record,
                    None => messages.push(record),
                }
            }
            Ok(())
        })?,
    }
    for message in &messages {
        push_message(&mut builder, message);
    }
    push_stream(&mut builder, &stream);
    builder.finish()
}

/// A headless run's events, in order; an assistant's `delta` chunks are joined into one
/// message.
fn push_stream(builder: &mut Builder<'_>, events: &[Object]) {
    let mut reply: Option<(Origin<'_>, String)> = None;
    let flush = |builder: &mut Builder<'_>, reply: &mut Option<(Origin<'_>, String)>| {
        if let Some((origin, text)) = reply.take() {
            builder.text(origin, Speaker::Agent, text);
        }
    };
    for event in events {
        let origin = Origin {
            at: time_at(event, &["timestamp", "ts"]),
            source_id: None,
        };
        let kind = str_at(event, "type").unwrap_or("");
        let role = str_at(event, "role").unwrap_or("");
        if kind == "message" && role == "assistant" {
            let text = content_text(event.get("content"));
            match &mut reply {
                Some((_, so_far)) if event.get("delta").and_then(Value::as_bool) == Some(true) => {
                    so_far.push_str(&text);
                }
                _ => {
                    flush(builder, &mut reply);
                    reply = Some((origin, text));
                }
            }
            continue;
        }
        flush(builder, &mut reply);
        match kind {
            "init" => builder.offer_session_id(str_at(event, "session_id")),
            "message" if role == "user" => {
                builder.text(origin, Speaker::User, content_text(event.get("content")));
            }
            "message" => {
                builder.text(
                    origin,
                    Speaker::Context("message"),
                    content_text(event.get("content")),
                );
            }
            "tool_use" => {
                let Some(name) = str_at(event, "tool_name").and_then(non_blank) else {
                    continue;
                };
                let arguments = event
                    .get("parameters")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new()));
                builder.tool_call(origin, str_at(event, "tool_id"), name, arguments);
            }
            "tool_result" => {
                let failed = str_at(event, "status") == Some("error");
                let error = event
                    .get("error")
                    .and_then(|error| error.get("message"))
                    .and_then(Value::as_str);
                let output = match (event.get("output"), error) {
                    (Some(output), _) if !output.is_null() => render_result_content(output.clone()),
                    (_, Some(error)) => error.to_string(),
                    _ => String::new(),
                };
                builder.tool_result(origin, str_at(event, "tool_id"), None, output, failed);
            }
            "error" => {
                let text = str_at(event, "message").unwrap_or("").to_string();
                builder.text(origin, Speaker::Context("error"), text);
            }
            "result" if str_at(event, "status") == Some("error") => {
                let text = event
                    .get("error")
                    .and_then(|error| error.get("message"))
                    .and_then(Value::as_str)
                    .unwrap_or("the run failed")
                    .to_string();
                builder.text(origin, Speaker::Context("error"), text);
            }
            _ => {}
        }
    }
    flush(builder, &mut reply);
}

fn objects(list: Vec<Value>) -> Vec<Object> {
    list.into_iter()
        .filter_map(|value| match value {
            Value::Object(object) => Some(object),
            _ => None,
        })
        .collect()
}

fn push_message(builder: &mut Builder<'_>, message: &Object) {
    let origin = Origin {
        at: time_at(message, &["timestamp"]),
        source_id: str_at(message, "id"),
    };
    let text = content_text(message.get("content"));
    match str_at(message, "type").unwrap_or("") {
        "user" => {
            builder.offer_started_in(workspace_directory(&text));
            // What the person typed, when the CLI sent something else: `/init` expanded into its
            // prompt, `@file` references with the files' text appended, or a "System: Please
            // continue." it sent on its own after a tool's answer (shown as that answer).
            match message
                .get("displayContent")
                .map(|shown| content_text(Some(shown)))
            {
                Some(shown) if shown.trim() == text.trim() => {
                    builder.text(origin, Speaker::User, text)
                }
                Some(shown) => {
                    // The typed text with material appended (the files `@` referenced) is
                    // content, read as untrusted as a tool's output; a text sent instead of
                    // what was typed is the CLI's own.
                    let appended =
                        !shown.trim().is_empty() && text.trim().starts_with(shown.trim());
                    builder.text(origin, Speaker::User, shown);
                    builder.text_with_channel(
                        origin,
                        Speaker::Context("sent by the CLI"),
                        text,
                        if appended {
                            Channel::ToolOutput
                        } else {
                            Channel::Harness
                        },
                    );
                }
                None => builder.text(origin, Speaker::User, text),
            }
        }
        "gemini" | "model" | "assistant" => {
            builder.text(origin, Speaker::Agent, text);
            if let Some(Value::Array(calls)) = message.get("toolCalls") {
                for call in calls.iter().filter_map(Value::as_object) {
                    push_call(builder, origin, call);
                }
            }
        }
        "info" => builder.text(origin, Speaker::Context("info"), text),
        "warning" => builder.text(origin, Speaker::Context("warning"), text),
        "error" => builder.text(origin, Speaker::Context("error"), text),
        _ => builder.text(origin, Speaker::Context("message"), text),
    }
}

fn push_call(builder: &mut Builder<'_>, origin: Origin<'_>, call: &Object) {
    let Some(name) = str_at(call, "name").and_then(non_blank) else {
        return;
    };
    let id = str_at(call, "id");
    let args = call
        .get("args")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let at = time_at(call, &["timestamp"]).or(origin.at);
    let call_origin = Origin { at, ..origin };
    builder.tool_call(call_origin, id, name, args);
    let responses: Vec<&Object> = match call.get("result") {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| part.get("functionResponse")?.get("response")?.as_object())
            .collect(),
        _ => Vec::new(),
    };
    let mut output = String::new();
    let mut failed = str_at(call, "status") == Some("error");
    for response in &responses {
        if let Some(error) = response.get("error") {
            failed = true;
            output.push_str(&render_result_content(error.clone()));
        } else if let Some(value) = response.get("output") {
            output.push_str(&render_result_content(value.clone()));
        }
    }
    if let Some((plain, shell_failed)) = plain_shell_report(&output) {
        output = plain;
        failed |= shell_failed;
    }
    if output.trim().is_empty()
        && let Some(display) = call.get("resultDisplay")
    {
        output = render_result_content(display.clone());
    }
    if responses.is_empty() && output.trim().is_empty() && !failed {
        // No result was recorded: the call never finished.
        return;
    }
    builder.tool_result(call_origin, id, Some(name), output, failed);
}

/// The directory the session works in, from the context Gemini CLI puts before the first
/// prompt: `- **Workspace Directories:**` and its first `  - C:\\…` line, or the older "I'm
/// currently working in the directory: /home/…".
fn workspace_directory(text: &str) -> Option<&str> {
    let context = &text[text.find("<session_context>")?..];
    let line = if let Some(at) = context.find("Workspace Directories:") {
        context[at..].lines().nth(1)?.trim().strip_prefix("- ")?
    } else {
        let marker = "currently working in the directory:";
        let at = context.find(marker)? + marker.len();
        context[at..].lines().next()?
    };
    Some(line.trim()).filter(|dir| !dir.is_empty() && !dir.starts_with('*'))
}

/// `run_shell_command`'s report as what the command printed, followed by the trailer lines that
/// say something (`Exit Code: 1`, an error other than `(none)`, a signal), and whether those say
/// it failed. Its versions word it differently: `Command: …`, `Directory: …`, `Output: …` (or
/// `Stdout: …` and `Stderr: …`), then `Error: …`, `Exit Code: …`, `Signal: …`, `Background
/// PIDs: …`, `Process Group PGID: …`; the newest only `Output: …` and the lines that apply. The
/// call itself succeeds whatever the command did, so the trailer is the only failure flag; and a
/// lesson quoting `Error: (none)` as the error would say nothing.
fn plain_shell_report(output: &str) -> Option<(String, bool)> {
    let lines: Vec<&str> = output.lines().collect();
    // Signal `0` is what a command that exited on its own reports in some versions.
    let set = |value: &str| !matches!(value.trim(), "" | "(none)" | "0");
    // The trailer, read from the end up to its `Error:` line: the command's own output above it
    // may print anything.
    let mut trailer = lines.len();
    let mut said = Vec::new();
    let mut failed = false;
    let mut has_trailer = false;
    for at in (0..lines.len()).rev() {
        let line = lines[at];
        if let Some(code) = line.strip_prefix("Exit Code: ") {
            if code.trim().parse::<i64>().is_ok_and(|code| code != 0) {
                failed = true;
                said.push(line);
            }
        } else if let Some(signal) = line.strip_prefix("Signal: ") {
            if set(signal) {
                failed = true;
                said.push(line);
            }
        } else if let Some(error) = line.strip_prefix("Error: ") {
            if set(error) {
                failed = true;
                said.push(line);
            }
            trailer = at;
            has_trailer = true;
            break;
        } else if line.starts_with("Background PIDs: ") || line.starts_with("Process Group PGID: ")
        {
        } else if line.trim().is_empty() && at + 1 == lines.len() {
            continue;
        } else {
            break;
        }
        trailer = at;
        has_trailer = true;
    }
    let mut start = 0;
    while start < trailer
        && (lines[start].starts_with("Command: ") || lines[start].starts_with("Directory: "))
    {
        start += 1;
    }
    let labelled = start < trailer
        && (lines[start].starts_with("Output: ") || lines[start].starts_with("Stdout: "));
    // A `Command:` header, or a labelled output with a trailer: a report, not output that
    // happens to open with "Output:".
    let headed = start > 0 && (labelled || start == trailer);
    if !(headed || (labelled && has_trailer)) {
        return None;
    }
    let mut printed: Vec<&str> = lines[start..trailer].to_vec();
    if let Some(first) = printed.first_mut() {
        *first = first
            .strip_prefix("Output: ")
            .or_else(|| first.strip_prefix("Stdout: "))
            .unwrap_or(first);
    }
    if let Some(stderr) = printed
        .iter()
        .rposition(|line| line.starts_with("Stderr: "))
    {
        printed[stderr] = printed[stderr]
            .strip_prefix("Stderr: ")
            .unwrap_or(printed[stderr]);
    }
    printed.retain(|line| line.trim() != "(empty)");
    said.reverse();
    let text = printed
        .into_iter()
        .chain(said)
        .collect::<Vec<_>>()
        .join("\n");
    Some((text, failed))
}

#[cfg(test)]
mod shell_report_tests {
    use super::plain_shell_report;

    #[test]
    fn the_workspace_directory_is_read_from_the_session_context() {
        let newer = "<session_context>\nThis is the Gemini CLI.\nMy operating system is: win32\n- \
                     **Workspace Directories:**\n  - C:\\Users\\dev\\shop\n- **Directory \
                     Structure:**\n</session_context>";
        assert_eq!(
            super::workspace_directory(newer),
            Some("C:\\Users\\dev\\shop")
        );
        let older = "<session_context>\nToday's date is Monday.\nI'm currently working in the \
                     directory: /home/dev/shop\nHere is the folder structure:\n</session_context>";
        assert_eq!(super::workspace_directory(older), Some("/home/dev/shop"));
        assert_eq!(super::workspace_directory("fix the build"), None);
    }

    #[test]
    fn a_shell_report_is_what_the_command_printed_and_its_failure() {
        let failed = "Command: pytest -q\nDirectory: (root)\nOutput: bash: line 1: pytest: command \
                      not found\nError: (none)\nExit Code: 127\nSignal: (none)\nBackground PIDs: \
                      (none)\nProcess Group PGID: 4242";
        assert_eq!(
            plain_shell_report(failed),
            Some((
                "bash: line 1: pytest: command not found\nExit Code: 127".to_string(),
                true
            ))
        );
        // The command's own output may print an `Error:` line; only the trailer's counts.
        let worked = "Command: grep -rn Error: src\nDirectory: (root)\nOutput: src/a.py:3: Error: x\n\
                      Error: bad\nError: (none)\nExit Code: 0\nSignal: (none)\nProcess Group PGID: 7";
        assert_eq!(
            plain_shell_report(worked),
            Some(("src/a.py:3: Error: x\nError: bad".to_string(), false))
        );
        let empty =
            "Command: true\nDirectory: (root)\nOutput: (empty)\nError: (none)\nExit Code: 0";
        assert_eq!(plain_shell_report(empty), Some((String::new(), false)));
        assert_eq!(plain_shell_report("just output"), None);
        // Other versions: `Stdout:` / `Stderr:`, `Signal: 0` for a command that exited on its
        // own, and only `Output:` with the lines that apply.
        let split = "Command: make\nDirectory: (root)\nStdout: (empty)\nStderr: make: *** No rule \
                     to make target 'x'.  Stop.\nError: (none)\nExit Code: 2\nSignal: (none)\n\
                     Background PIDs: (none)\nProcess Group PGID: 9";
        assert_eq!(
            plain_shell_report(split),
            Some((
                "make: *** No rule to make target 'x'.  Stop.\nExit Code: 2".to_string(),
                true
            ))
        );
        let signal_zero = "Command: nc -w 3 localhost 5000\nDirectory: (root)\nOutput: hi\nError: \
                           (none)\nExit Code: 0\nSignal: 0\nBackground PIDs: (none)\nProcess Group \
                           PGID: 129418";
        assert_eq!(
            plain_shell_report(signal_zero),
            Some(("hi".to_string(), false))
        );
        assert_eq!(
            plain_shell_report("Output: hello\nProcess Group PGID: 2075"),
            Some(("hello".to_string(), false))
        );
        assert_eq!(
            plain_shell_report("Output: boom\nExit Code: 1\nProcess Group PGID: 2075"),
            Some(("boom\nExit Code: 1".to_string(), true))
        );
    }
}
