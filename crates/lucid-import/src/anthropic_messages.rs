//! Anthropic Messages API request/response logs.
//!
//! Accepted shapes: a request `{"model", "system", "messages": […]}` (optionally with a
//! top-level `response`), a `{"request": {…}, "response": {…}}` pair, a bare response message
//! `{"type": "message", "role": "assistant", "content": […]}`, a bare array of messages, or
//! messages one per line. The system prompt becomes context, each message's blocks become
//! events, and the response's content is appended as the agent's turn.
//!
//! A message's content may be one block instead of a list, and tools that re-write Claude Code
//! sessions name block fields their own way (`tool_name`, `tool_id`, `output`; see
//! [`crate::blocks`]); a `role: "tool"` message's results are results all the same.
//!
//! Times: a message's own `timestamp` (or `created_at`) where the log keeps one per message, else
//! the document's `created_at`, else the file's modification time.

use lucid_core::{Session, Timestamp, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::blocks::push_content;
use crate::error::ImportError;
use crate::input::{Input, lines_to_array};
use crate::json::{kind_of, str_at, time_at};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::AnthropicMessages;

type Object = Map<String, Value>;

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let document = match input {
        Input::Document(value) => value,
        Input::Lines(text) => lines_to_array(text)?,
    };
    let mut builder = Builder::new(FORMAT, source);
    match document {
        Value::Array(messages) => {
            let origin = Origin {
                at: source.modified,
                source_id: None,
            };
            push_messages(&mut builder, origin, messages);
        }
        Value::Object(document) => push_document(&mut builder, source, document)?,
        other => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!(
                    "expected a JSON object or an array of messages, found {}",
                    kind_of(&other)
                ),
            });
        }
    }
    builder.finish()
}

fn push_document(
    builder: &mut Builder<'_>,
    source: &Source<'_>,
    mut document: Object,
) -> Result<(), ImportError> {
    builder.offer_session_id(str_at(&document, "id"));
    builder.offer_agent_from(&document);
    let wrapper_time = time_at(&document, TIME_KEYS);
    let (mut request, response) = if let Some(Value::Object(request)) = document.remove("request") {
        let response = document.remove("response");
        (Some(request), response)
    } else if document.contains_key("messages") || document.contains_key("system") {
        let response = document.remove("response");
        (Some(document), response)
    } else if is_response(&document) {
        (None, Some(Value::Object(document)))
    } else {
        return Err(ImportError::WrongShape {
            format: FORMAT,
            reason: "expected `messages`, a `request`/`response` pair or a response message".into(),
        });
    };
    let at = wrapper_time
        .or_else(|| document_time(request.as_ref(), response.as_ref()))
        .or(source.modified);
    let origin = Origin {
        at,
        source_id: None,
    };
    if let Some(request) = &mut request {
        builder.offer_agent_from(request);
        if let Some(system) = request.remove("system") {
            push_content(builder, origin, Speaker::Context("system"), system);
        }
        match request.remove("messages") {
            Some(Value::Array(messages)) => push_messages(builder, origin, messages),
            Some(other) => {
                return Err(ImportError::WrongShape {
                    format: FORMAT,
                    reason: format!("`messages` should be an array, found {}", kind_of(&other)),
                });
            }
            None => {}
        }
    }
    if let Some(Value::Object(mut response)) = response {
        let content = response.remove("content").unwrap_or(Value::Null);
        push_content(builder, origin, Speaker::Agent, content);
    }
    Ok(())
}

/// `{"type": "message", "role": "assistant", "content": …}`
fn is_response(document: &Object) -> bool {
    str_at(document, "role") == Some("assistant") && document.contains_key("content")
}

/// Where a log records when the exchange happened.
const TIME_KEYS: &[&str] = &["created_at", "timestamp"];

/// `created_at` on the request, else on the response.
fn document_time(request: Option<&Object>, response: Option<&Value>) -> Option<Timestamp> {
    request
        .and_then(|request| time_at(request, TIME_KEYS))
        .or_else(|| {
            response
                .and_then(Value::as_object)
                .and_then(|response| time_at(response, TIME_KEYS))
        })
}

fn push_messages(builder: &mut Builder<'_>, origin: Origin<'_>, messages: Vec<Value>) {
    for message in messages {
        let Value::Object(mut message) = message else {
            continue;
        };
        // A message that does not say who wrote it is not taken for a person's: only a `role`
        // (or a `type` naming one) of "user" makes text human.
        let role = match message.remove("role") {
            Some(Value::String(role)) => role,
            _ => match message.get("type").and_then(Value::as_str) {
                Some("user" | "human") => String::from("user"),
                Some("assistant" | "model" | "ai") => String::from("assistant"),
                _ => String::from("unattributed"),
            },
        };
        let speaker = match role.as_str() {
            "assistant" | "model" => Speaker::Agent,
            "user" => Speaker::User,
            other => Speaker::Context(other),
        };
        let content = message.remove("content").unwrap_or(Value::Null);
        // A message's own time, where the log keeps one per message.
        let at = time_at(&message, &["timestamp", "created_at"]).or(origin.at);
        push_content(builder, Origin { at, ..origin }, speaker, content);
    }
}
