//! OpenCode sessions as `opencode export <session-id>` writes them: one JSON document
//! `{info, messages}`.
//!
//! `info` is the session (`id` `ses_…`, `directory`, `version`, `parentID` for a sub-agent's
//! session, `title`); each message is `{info, parts}`, where `info` has `role` (`user` or
//! `assistant`), `id` and `time.created` (milliseconds since the epoch), and `parts` are what
//! the message holds, in order:
//!
//! | part | event here |
//! |---|---|
//! | `text` in a user message | user message (human); in a sub-agent's session (`parentID` set) the parent agent wrote it: context `task` (harness) |
//! | `text` in an assistant message | agent prose |
//! | `text` marked `synthetic` or `ignored` | context `synthetic` (harness): OpenCode wrote it ("Summarize the task tool output above and continue…") |
//! | `tool` | a tool call (`callID`, `tool`, `state.input`), then — once the call ended — its result: `state.output`, or `state.error` when `state.status` is `error` |
//! | `subtask` | context `subtask` (harness): the prompt a command hands to a sub-agent |
//! | `reasoning` | skipped (thinking) |
//! | `step-start`, `step-finish`, `patch`, `snapshot`, `file`, `agent`, `compaction`, `retry` | dropped: bookkeeping, attachments and file hashes (the edit itself is the `apply_patch`/`edit` call) |
//!
//! A result is a failure when `state.status` is `error` or a shell's `metadata.exit` is not 0.
//! A call still `pending` or `running` when the export was taken has no result.
//!
//! Times: the message's `time.created`, a tool's `state.time.start`. Session id: `info.id`.
//! Agent: the [`Source`] fallbacks (the folder; OpenCode's `agent` field names a mode such as
//! `build` or `plan`, not who ran the session). A file of JSON Lines is not an export.

use lucid_core::{Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::input::Input;
use crate::json::{kind_of, millis_time, non_blank, str_at, text_at};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::OpenCode;

type Object = Map<String, Value>;

/// Whether a JSON document is an OpenCode export: a session `info` with an `id`, and
/// `messages` whose elements are `{info, parts}`.
pub(crate) fn is_export(object: &Object) -> bool {
    let Some(Value::Object(info)) = object.get("info") else {
        return false;
    };
    let Some(Value::Array(messages)) = object.get("messages") else {
        return false;
    };
    str_at(info, "id").is_some()
        && messages.iter().take(8).any(|message| {
            message.get("info").is_some_and(Value::is_object)
                && message.get("parts").is_some_and(Value::is_array)
        })
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let wrong = |reason: String| ImportError::WrongShape {
        format: FORMAT,
        reason,
    };
    let document = match input {
        Input::Document(Value::Object(document)) => document,
        Input::Document(other) => {
            return Err(wrong(format!(
                "expected a JSON object `{{info, messages}}` (an `opencode export`), found {}",
                kind_of(&other)
            )));
        }
        Input::Lines(_) => {
            return Err(wrong(
                "an `opencode export` is one JSON document, not JSON Lines".to_string(),
            ));
        }
    };
    let empty = Object::new();
    let info = document
        .get("info")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut builder = Builder::new(FORMAT, source);
    builder.offer_session_id(str_at(info, "id"));
    builder.offer_started_in(str_at(info, "directory"));
    // A sub-agent's session: its "user" turns are the parent agent's prompt, not a person.
    let parent = str_at(info, "parentID").and_then(non_blank);
    let sub_agent = parent.is_some();
    builder.offer_part_of(parent);
    let Some(Value::Array(messages)) = document.get("messages") else {
        return Err(wrong("no `messages` array".to_string()));
    };
    for message in messages {
        let Some(message) = message.as_object() else {
            continue;
        };
        let message_info = message
            .get("info")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let user = str_at(message_info, "role") == Some("user");
        let origin = Origin {
            at: created_at(message_info),
            source_id: str_at(message_info, "id"),
        };
        let parts = message.get("parts").and_then(Value::as_array);
        for part in parts.into_iter().flatten().filter_map(Value::as_object) {
            push_part(&mut builder, origin, part, user, sub_agent);
        }
    }
    builder.finish()
}

/// `time.created` of a message or session.
fn created_at(info: &Object) -> Option<lucid_core::Timestamp> {
    info.get("time")
        .and_then(Value::as_object)
        .and_then(|time| time.get("created"))
        .and_then(millis_time)
}

fn push_part(
    builder: &mut Builder<'_>,
    origin: Origin<'_>,
    part: &Object,
    user: bool,
    sub_agent: bool,
) {
    let origin = Origin {
        source_id: str_at(part, "id").or(origin.source_id),
        ..origin
    };
    match str_at(part, "type").unwrap_or_default() {
        "text" => {
            let written_by_opencode = [part.get("synthetic"), part.get("ignored")]
                .into_iter()
                .flatten()
                .any(|flag| flag.as_bool() == Some(true));
            let speaker = if written_by_opencode {
                Speaker::Context("synthetic")
            } else if user && sub_agent {
                Speaker::Context("task")
            } else if user {
                Speaker::User
            } else {
                Speaker::Agent
            };
            builder.text(origin, speaker, text_at(part, "text"));
        }
        "subtask" => builder.text(origin, Speaker::Context("subtask"), text_at(part, "prompt")),
        "tool" => push_tool(builder, origin, part),
        _ => {}
    }
}

fn push_tool(builder: &mut Builder<'_>, origin: Origin<'_>, part: &Object) {
    let Some(name) = str_at(part, "tool").and_then(non_blank) else {
        return;
    };
    let empty = Object::new();
    let state = part
        .get("state")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let started = state
        .get("time")
        .and_then(Value::as_object)
        .and_then(|time| time.get("start"))
        .and_then(millis_time);
    let origin = Origin {
        at: started.or(origin.at),
        ..origin
    };
    let call_id = str_at(part, "callID");
    let input = state
        .get("input")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    builder.tool_call(origin, call_id, name, input);
    let exit_code = state
        .get("metadata")
        .and_then(Value::as_object)
        .and_then(|metadata| metadata.get("exit"))
        .and_then(Value::as_i64);
    let (content, is_error) = match str_at(state, "status") {
        Some("completed") => (text_at(state, "output"), exit_code.is_some_and(|c| c != 0)),
        Some("error") => (text_at(state, "error"), true),
        // Still running when the session was exported: no result yet.
        _ => return,
    };
    builder.tool_result(origin, call_id, Some(name), content, is_error);
}
