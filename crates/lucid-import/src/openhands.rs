//! OpenHands trajectories: the event stream of a conversation exported as a top-level JSON
//! array of events, or as OpenHands Cloud's conversation export (`{exported_at, base_url,
//! conversation, events}`), whose `events` are the same.
//!
//! Each event has `id`, `timestamp` (ISO 8601, usually without a zone), `source` (`user`,
//! `agent` or `environment`) and `message`, and either an `action` with `args` or an
//! `observation` with `content`, `extras` and `cause` (the id of the action it answers). Actions
//! the model chose carry `tool_call_metadata` (`function_name`, `tool_call_id`, and the raw
//! `model_response` holding the call's arguments).
//!
//! | event | event here |
//! |---|---|
//! | `message` action from the `user` | user message (human) |
//! | `message` action from the `agent`, `think` (`args.thought`) | agent prose |
//! | `message` action from the `environment` | context `message` (harness) |
//! | `system` action (the system prompt) | context `system_prompt` (harness) |
//! | any other action (`run`, `edit`, `read`, `write`, `browse`, `finish`, `delegate`, MCP calls, …) | its `args.thought` as agent prose, then a tool call: the function the model called with the arguments it sent (from `tool_call_metadata`), else the action with its `args` (bookkeeping fields dropped); id `tool_call_id`, else `event-<id>` |
//! | observation whose `cause` is a call's event | tool result of that call |
//! | `error` observation answering no call (a stuck loop, a model error) | context `error` (harness) |
//! | `recall` observation (workspace context and micro-agent knowledge OpenHands adds) | context `recall` (harness) |
//! | other observations answering no call | context named by the observation on the `tool_output` channel (a `think` action's "Your thought has been logged." is dropped) |
//! | `agent_state_changed` with a `reason`, or into `error` | context `agent_state` (harness); other state changes, `change_agent_state`, `recall` actions and `null` observations are dropped |
//!
//! A `finish` action's own message is the model's last word: it is kept as prose when the action
//! has no thought. A result is a failure when its `exit_code` (in `extras.metadata`, or
//! `extras`) is not 0, when it is an `error` observation, when `success` is false, or — without
//! any of these — when [`crate::looks_like_error`] says so; a failed command keeps OpenHands'
//! explanation (`metadata.suffix`, e.g. "The command has no new output after 30 seconds").
//!
//! Times: each event's `timestamp`; one without a zone is taken as UTC. Session id: the file
//! stem. Agent: the [`Source`] fallbacks (the folder).

use std::collections::HashMap;

use lucid_core::{Channel, Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::error_text::looks_like_error;
use crate::input::{Input, lines_to_array};
use crate::json::{kind_of, non_blank, parse_arguments, str_at, time_text};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::OpenHands;

type Object = Map<String, Value>;

/// Sources of OpenHands events.
const SOURCES: &[&str] = &["user", "agent", "environment"];

/// Action arguments that describe how OpenHands ran a call, not what was asked.
const BOOKKEEPING: &[&str] = &[
    "thought",
    "impl_source",
    "translated_ipython_code",
    "confirmation_state",
    "security_risk",
    "blocking",
    "hidden",
    "is_input",
    "wait_for_response",
    "image_urls",
    "is_confirmed",
    "kernel_init_code",
    "include_extra",
];

/// Whether a JSON array is a list of OpenHands events: an element with a `source` OpenHands
/// names and an `action` or `observation`, and none of chat messages' `role`.
pub(crate) fn is_event_list(items: &[Value]) -> bool {
    let sample = items.iter().take(64).filter_map(Value::as_object);
    let mut any = false;
    for item in sample {
        if item.contains_key("role") {
            return false;
        }
        any |= str_at(item, "source").is_some_and(|source| SOURCES.contains(&source))
            && (str_at(item, "action").is_some() || str_at(item, "observation").is_some());
    }
    any
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let document = match input {
        Input::Document(value) => value,
        Input::Lines(text) => lines_to_array(text)?,
    };
    let events = match document {
        Value::Array(events) => events,
        // OpenHands Cloud's export wraps the same events with the conversation's metadata.
        Value::Object(mut export) if export.get("events").is_some_and(Value::is_array) => {
            match export.remove("events") {
                Some(Value::Array(events)) => events,
                _ => Vec::new(),
            }
        }
        other => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!(
                    "expected a JSON array of events (an OpenHands trajectory) or an export with an `events` list, found {}",
                    kind_of(&other)
                ),
            });
        }
    };
    let mut builder = Builder::new(FORMAT, source);
    // Call ids by the id of the action event that made the call.
    let mut calls: HashMap<String, (String, String)> = HashMap::new();
    for event in events {
        let Value::Object(event) = event else {
            continue;
        };
        let id = event_id(&event);
        let origin = Origin {
            at: str_at(&event, "timestamp").and_then(time_text),
            source_id: id.as_deref(),
        };
        if let Some(action) = str_at(&event, "action") {
            push_action(
                &mut builder,
                &mut calls,
                origin,
                id.as_deref(),
                action,
                &event,
            );
        } else if let Some(observation) = str_at(&event, "observation") {
            push_observation(&mut builder, &calls, origin, observation, &event);
        }
    }
    builder.finish()
}

/// An event's id (a number in OpenHands' exports) as text.
fn event_id(event: &Object) -> Option<String> {
    match event.get("id")? {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => non_blank(text).map(str::to_string),
        _ => None,
    }
}

fn text_of(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn push_action(
    builder: &mut Builder<'_>,
    calls: &mut HashMap<String, (String, String)>,
    origin: Origin<'_>,
    id: Option<&str>,
    action: &str,
    event: &Object,
) {
    let empty = Object::new();
    let args = event
        .get("args")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let source = str_at(event, "source").unwrap_or("agent");
    let message = || {
        let content = text_of(args.get("content"));
        if content.is_empty() {
            text_of(event.get("message"))
        } else {
            content
        }
    };
    match action {
        "message" => match source {
            "user" => builder.text(origin, Speaker::User, message()),
            "environment" => builder.text(origin, Speaker::Context("message"), message()),
            _ => builder.text(origin, Speaker::Agent, message()),
        },
        "system" => builder.text(origin, Speaker::Context("system_prompt"), message()),
        "think" => builder.text(origin, Speaker::Agent, text_of(args.get("thought"))),
        "recall" | "change_agent_state" | "null" | "" => {}
        "condensation" => {
            builder.text(
                origin,
                Speaker::Context("summary"),
                text_of(args.get("summary")),
            );
        }
        _ => {
            let mut thought = text_of(args.get("thought"));
            if thought.is_empty() && action == "finish" {
                thought = text_of(args.get("final_thought"));
                if thought.is_empty() {
                    thought = text_of(event.get("message"));
                }
            }
            let prose = if source == "user" {
                Speaker::User
            } else {
                Speaker::Agent
            };
            builder.text(origin, prose, thought);
            let (call_id, name, input) = call_of(id, action, args, event);
            builder.tool_call(origin, Some(&call_id), &name, input);
            if let Some(id) = id {
                calls.insert(id.to_string(), (call_id, name));
            }
        }
    }
}

/// The call an action stands for: (call id, tool name, input).
fn call_of(
    id: Option<&str>,
    action: &str,
    args: &Object,
    event: &Object,
) -> (String, String, Value) {
    let metadata = event.get("tool_call_metadata").and_then(Value::as_object);
    let call_id = metadata
        .and_then(|m| str_at(m, "tool_call_id"))
        .and_then(non_blank)
        .map(str::to_string)
        .unwrap_or_else(|| format!("event-{}", id.unwrap_or("?")));
    let function = metadata
        .and_then(|m| str_at(m, "function_name"))
        .and_then(non_blank);
    let sent = metadata.and_then(|m| sent_arguments(m, &call_id));
    let name = function.unwrap_or(action).to_string();
    let input = sent.unwrap_or_else(|| {
        let kept: Object = args
            .iter()
            .filter(|(key, value)| !BOOKKEEPING.contains(&key.as_str()) && !value.is_null())
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Value::Object(kept)
    });
    (call_id, name, input)
}

/// The arguments the model sent for `call_id`, from the raw response OpenHands kept.
fn sent_arguments(metadata: &Object, call_id: &str) -> Option<Value> {
    let choices = metadata.get("model_response")?.get("choices")?.as_array()?;
    choices
        .iter()
        .filter_map(|choice| choice.get("message")?.get("tool_calls")?.as_array())
        .flatten()
        .find(|call| call.get("id").and_then(Value::as_str) == Some(call_id))
        .and_then(|call| call.get("function")?.get("arguments").cloned())
        .map(|arguments| parse_arguments(Some(arguments)))
}

fn push_observation(
    builder: &mut Builder<'_>,
    calls: &HashMap<String, (String, String)>,
    origin: Origin<'_>,
    observation: &str,
    event: &Object,
) {
    let empty = Object::new();
    let extras = event
        .get("extras")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    match observation {
        "null" | "" => return,
        "agent_state_changed" => {
            let state = str_at(extras, "agent_state").unwrap_or("");
            let reason = str_at(extras, "reason").and_then(non_blank);
            if state == "error" || reason.is_some() {
                let text = match reason {
                    Some(reason) => format!("agent state: {state}: {reason}"),
                    None => format!("agent state: {state}"),
                };
                builder.text(origin, Speaker::Context("agent_state"), text);
            }
            return;
        }
        _ => {}
    }
    let cause = match event.get("cause") {
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(Value::String(text)) => non_blank(text).map(str::to_string),
        _ => None,
    };
    let mut content = text_of(event.get("content"));
    let metadata = extras.get("metadata").and_then(Value::as_object);
    let exit_code = metadata
        .and_then(|m| m.get("exit_code"))
        .or_else(|| extras.get("exit_code"))
        .and_then(Value::as_i64);
    let Some((call_id, tool)) = cause.and_then(|cause| calls.get(&cause)) else {
        if content.is_empty() {
            content = text_of(event.get("message"));
        }
        if observation == "think" {
            // "Your thought has been logged."
        } else if observation == "error" || observation == "recall" {
            builder.text(origin, Speaker::Context(observation), content);
        } else {
            builder.text_with_channel(
                origin,
                Speaker::Context(observation),
                content,
                Channel::ToolOutput,
            );
        }
        return;
    };
    if exit_code.is_some_and(|code| code != 0)
        && let Some(suffix) = metadata
            .and_then(|m| str_at(m, "suffix"))
            .and_then(non_blank)
    {
        if !content.is_empty() {
            content.push('\n');
        }
        content.push_str(suffix);
    }
    let is_error = observation == "error"
        || observation == "user_rejected"
        || event.get("success").and_then(Value::as_bool) == Some(false)
        || match exit_code {
            Some(code) => code != 0,
            None => looks_like_error(&content),
        };
    builder.tool_result(origin, Some(call_id), Some(tool), content, is_error);
}
