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
//! | `type: "user"` | user message (human): `content` as a string or the `text` of its parts; harness tags inside (`<session_context>`) are split off as every message's are |
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

use lucid_core::{Session, TranscriptFormat};
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
        "user" => builder.text(origin, Speaker::User, text),
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
