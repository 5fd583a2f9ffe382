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
/// or a replacement of its message list (`$set`).
pub(crate) fn is_record(record: &Object) -> bool {
    record.contains_key("projectHash")
        || record
            .get("$set")
            .and_then(Value::as_object)
            .is_some_and(|set| set.contains_key("messages"))
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    let mut messages: Vec<Object> = Vec::new();
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
            if let Some(Value::Object(mut set)) = record.remove("$set") {
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
    builder.finish()
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
