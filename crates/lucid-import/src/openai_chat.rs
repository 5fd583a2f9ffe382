//! OpenAI Chat Completions logs: `{"messages": […]}` requests, chat completion responses
//! (`choices[].message`), `{"request", "response"}` pairs, bare arrays of messages, or messages
//! one per line.
//!
//! System and developer messages become context; assistant `tool_calls` become tool calls (their
//! `arguments` JSON string parsed, or kept as a string when it is not JSON); `tool` messages (and
//! legacy `function` messages) become results. The format has no error flag, so results are
//! judged with [`crate::looks_like_error`]. There are no per-message times: every event gets the
//! document's `created_at`/`created`, else the file's modification time.
//!
//! Of a response with several `choices`, only the first is kept: the others are alternative
//! completions of the same turn, not a continuation of the conversation.
//!
//! GitHub Copilot CLI's earlier session state (`{sessionId, startTime, chatMessages, timeline}`)
//! is such a log too: its `chatMessages` are the messages, `sessionId` names the session and
//! `startTime` dates it; the `<reminder>` the CLI appends to each person's message is harness
//! text (see `lucid_core::channels`).

use lucid_core::{Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::blocks::render_result_content;
use crate::error::ImportError;
use crate::error_text::looks_like_error;
use crate::input::{Input, lines_to_array};
use crate::json::{kind_of, parse_arguments, str_at, time_at};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::OpenaiChat;

/// Where a log records when the exchange happened: RFC 3339 text or Unix seconds.
const TIME_KEYS: &[&str] = &["created_at", "created", "timestamp", "startTime"];

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
            for message in messages {
                push_message(&mut builder, origin, message);
            }
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
    builder.offer_session_id(str_at(&document, "id").or_else(|| str_at(&document, "sessionId")));
    builder.offer_agent_from(&document);
    let mut request = match document.remove("request") {
        Some(Value::Object(request)) => Some(request),
        _ => None,
    };
    let mut response = match document.remove("response") {
        Some(Value::Object(response)) => Some(response),
        _ => None,
    };
    let at = time_at(&document, TIME_KEYS)
        .or_else(|| request.as_ref().and_then(|r| time_at(r, TIME_KEYS)))
        .or_else(|| response.as_ref().and_then(|r| time_at(r, TIME_KEYS)))
        .or(source.modified);
    let origin = Origin {
        at,
        source_id: None,
    };
    let messages = request
        .as_mut()
        .and_then(|request| request.remove("messages"))
        .or_else(|| document.remove("messages"))
        .or_else(|| document.remove("chatMessages"));
    let choices = response
        .as_mut()
        .and_then(|response| response.remove("choices"))
        .or_else(|| document.remove("choices"));
    if messages.is_none() && choices.is_none() {
        return Err(ImportError::WrongShape {
            format: FORMAT,
            reason: "expected `messages` or `choices`".into(),
        });
    }
    match messages {
        Some(Value::Array(messages)) => {
            for message in messages {
                push_message(builder, origin, message);
            }
        }
        Some(other) => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!("`messages` should be an array, found {}", kind_of(&other)),
            });
        }
        None => {}
    }
    if let Some(Value::Array(choices)) = choices
        && let Some(Value::Object(mut choice)) = choices.into_iter().next()
        && let Some(message) = choice.remove("message")
    {
        push_message(builder, origin, message);
    }
    Ok(())
}

fn push_message(builder: &mut Builder<'_>, origin: Origin<'_>, message: Value) {
    let Value::Object(mut message) = message else {
        return;
    };
    let role = match message.remove("role") {
        Some(Value::String(role)) => role,
        _ => String::from("user"),
    };
    match role.as_str() {
        "tool" | "function" => {
            let call_id = str_at(&message, "tool_call_id").map(str::to_string);
            let name = str_at(&message, "name").map(str::to_string);
            let content = render_result_content(message.remove("content").unwrap_or(Value::Null));
            let is_error = looks_like_error(&content);
            let origin = Origin {
                source_id: call_id.as_deref(),
                ..origin
            };
            builder.tool_result(
                origin,
                call_id.as_deref(),
                name.as_deref(),
                content,
                is_error,
            );
        }
        "assistant" => {
            push_text(builder, origin, Speaker::Agent, message.remove("content"));
            if let Some(Value::String(refusal)) = message.remove("refusal") {
                builder.text(origin, Speaker::Agent, refusal);
            }
            if let Some(Value::Array(calls)) = message.remove("tool_calls") {
                for call in calls {
                    push_tool_call(builder, origin, call);
                }
            }
            // The legacy single `function_call` has no id; its result names the function.
            if let Some(Value::Object(mut call)) = message.remove("function_call") {
                let name = str_at(&call, "name").unwrap_or("function").to_string();
                let input = parse_arguments(call.remove("arguments"));
                builder.tool_call(origin, None, &name, input);
            }
        }
        "user" => push_text(builder, origin, Speaker::User, message.remove("content")),
        other => push_text(
            builder,
            origin,
            Speaker::Context(other),
            message.remove("content"),
        ),
    }
}

/// One event per text part of a message's `content` (a string or a list of parts); images,
/// audio and files are skipped.
fn push_text(
    builder: &mut Builder<'_>,
    origin: Origin<'_>,
    speaker: Speaker<'_>,
    content: Option<Value>,
) {
    match content {
        Some(Value::String(text)) => builder.text(origin, speaker, text),
        Some(Value::Array(parts)) => {
            for part in parts {
                match part {
                    Value::String(text) => builder.text(origin, speaker, text),
                    Value::Object(mut part) => {
                        let is_text = matches!(
                            str_at(&part, "type"),
                            Some("text" | "input_text" | "output_text") | None
                        );
                        let key = if str_at(&part, "type") == Some("refusal") {
                            "refusal"
                        } else if is_text {
                            "text"
                        } else {
                            continue;
                        };
                        if let Some(Value::String(text)) = part.remove(key) {
                            builder.text(origin, speaker, text);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// `{"id", "type": "function", "function": {"name", "arguments"}}`, or a custom tool call
/// `{"id", "type": "custom", "custom": {"name", "input"}}`.
fn push_tool_call(builder: &mut Builder<'_>, origin: Origin<'_>, call: Value) {
    let Value::Object(mut call) = call else {
        return;
    };
    let call_id = str_at(&call, "id").map(str::to_string);
    let origin = Origin {
        source_id: call_id.as_deref(),
        ..origin
    };
    let (name, input) = match (call.remove("function"), call.remove("custom")) {
        (Some(Value::Object(mut function)), _) => {
            let name = str_at(&function, "name").unwrap_or("function").to_string();
            (name, parse_arguments(function.remove("arguments")))
        }
        (_, Some(Value::Object(mut custom))) => {
            let name = str_at(&custom, "name").unwrap_or("custom").to_string();
            (name, custom.remove("input").unwrap_or(Value::Null))
        }
        _ => return,
    };
    builder.tool_call(origin, call_id.as_deref(), &name, input);
}
