//! Anthropic Managed Agents session events: JSON Lines with one event per line, a page of the
//! events list endpoint (`{"data": [...], "next_page": …}`), or a bare JSON array of events.
//!
//! Each event has an `id` (`sevt_…`), a dotted `type` and `processed_at`. Conversation events
//! carry Anthropic content blocks; tool events carry the call itself (the event id is the call
//! id results refer to). Thinking is skipped; any other event (`session.error`,
//! `agent.thread_message_received`, …) is kept as context when it carries text.
//!
//! lucid's service stores every imported session in these shapes and reads them back here, so
//! two optional fields keep what the shapes cannot say: `label` names a context event
//! (`system.message` with `"label": "system_reminder"`), and `channel` lowers an event's channel —
//! `"pasted"` on a `user.message`, `"tool_output"` or `"pasted"` on a context event. A `channel`
//! that would raise trust (`human`, `agent`) is ignored.

use lucid_core::{Channel, Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::blocks::{push_content, render_result_content};
use crate::error::ImportError;
use crate::input::{Input, each_record};
use crate::json::{first_str, str_at, time_at};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::ManagedAgents;

type Object = Map<String, Value>;

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    let input = match input {
        // A list-endpoint page: session and agent may be named on the page itself.
        Input::Document(Value::Object(mut page))
            if page.get("data").is_some_and(Value::is_array) =>
        {
            builder.offer_session_id(str_at(&page, "session_id"));
            builder.offer_agent_from(&page);
            Input::Document(page.remove("data").unwrap_or(Value::Null))
        }
        other => other,
    };
    each_record::<Object>(input, FORMAT, |event| {
        push_event(&mut builder, event);
        Ok(())
    })?;
    builder.finish()
}

fn push_event(builder: &mut Builder<'_>, mut event: Object) {
    builder.offer_session_id(str_at(&event, "session_id"));
    builder.offer_agent_from(&event);
    let id = str_at(&event, "id").map(str::to_string);
    let origin = Origin {
        // processed_at is null for events still queued; created_at is the fallback.
        at: time_at(&event, &["processed_at", "created_at"]),
        source_id: id.as_deref(),
    };
    let kind = match event.remove("type") {
        Some(Value::String(kind)) => kind,
        _ => return,
    };
    match kind.as_str() {
        "user.message" => {
            let content = event.remove("content").unwrap_or(Value::Null);
            let speaker = match str_at(&event, "channel") {
                Some("pasted") => Speaker::Pasted,
                _ => Speaker::User,
            };
            push_content(builder, origin, speaker, content);
        }
        "agent.message" => {
            let content = event.remove("content").unwrap_or(Value::Null);
            push_content(builder, origin, Speaker::Agent, content);
        }
        "agent.thinking" => {}
        "agent.tool_use" | "agent.mcp_tool_use" | "agent.custom_tool_use" => {
            let name = str_at(&event, "name").unwrap_or(kind.as_str()).to_string();
            let input = event.remove("input").unwrap_or(Value::Null);
            builder.tool_call(origin, id.as_deref(), &name, input);
        }
        "agent.tool_result" | "agent.mcp_tool_result" | "user.custom_tool_result" => {
            let call_id = first_str(
                &event,
                &["tool_use_id", "mcp_tool_use_id", "custom_tool_use_id"],
            )
            .map(str::to_string);
            let is_error = event.get("is_error").and_then(Value::as_bool) == Some(true);
            let content = render_result_content(event.remove("content").unwrap_or(Value::Null));
            builder.tool_result(origin, call_id.as_deref(), None, content, is_error);
        }
        _ => {
            if let Some(text) = event_text(&mut event) {
                let label = str_at(&event, "label")
                    .filter(|label| !label.trim().is_empty())
                    .unwrap_or(&kind);
                let channel = match str_at(&event, "channel") {
                    Some("tool_output") => Channel::ToolOutput,
                    Some("pasted") => Channel::Pasted,
                    _ => Channel::Harness,
                };
                builder.text_with_channel(origin, Speaker::Context(label), text, channel);
            }
        }
    }
}

/// The readable text of an event of another type: its content blocks, `text`, `message`,
/// an `error` (object with `message`, or string), or `summary`.
fn event_text(event: &mut Object) -> Option<String> {
    if let Some(content) = event.remove("content") {
        let text = render_result_content(content);
        if !text.trim().is_empty() {
            return Some(text);
        }
    }
    if let Some(text) = first_str(event, &["text", "message", "summary"]) {
        return Some(text.to_string());
    }
    match event.get("error") {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.clone()),
        Some(Value::Object(error)) => {
            let message = first_str(error, &["message", "detail"])?;
            Some(match str_at(error, "type") {
                Some(kind) => format!("{kind}: {message}"),
                None => message.to_string(),
            })
        }
        _ => None,
    }
}
