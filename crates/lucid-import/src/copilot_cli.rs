//! GitHub Copilot CLI session logs (`~/.copilot/session-state/<id>/events.jsonl`).
//!
//! One event per line: `{type, data, id, timestamp, parentId}`, `type` dotted like
//! `assistant.message`. The dotted types overlap Managed Agents' (`session.…`, `user.message`),
//! so detection looks at the envelope: a `data` object with a `parentId` (or Copilot's
//! `producer`, or a domain only Copilot uses: `assistant.`, `tool.execution_`, `hook.`).
//!
//! | event | event here |
//! |---|---|
//! | `session.start` | session id `data.sessionId`; context `session_start` (harness): version, `context.cwd` and branch |
//! | `system.message` | context `system_prompt` (`developer` for that role; harness); Copilot logs it again before every turn, and an unchanged one is not repeated |
//! | `user.message` | `data.content`, what the person typed, as a user message (human); `transformedContent` (the same text with `<current_datetime>` and `<system_reminder>` added) is not used |
//! | `user.message` whose content opens with a `[[ ## field ## ]]` marker | context `task` (harness): a prompt a program wrote (an evaluation runner's DSPy-style template), not a person |
//! | `assistant.message` | `data.content` as agent prose, then one tool call per `data.toolRequests[]` (`toolCallId`, `name`, `arguments`); `reasoningText` is thinking and skipped |
//! | `tool.execution_start` | nothing, unless no assistant message requested that call (then the call, from `toolName`/`arguments`) |
//! | `tool.execution_complete` | tool result of `toolCallId`: `result.content` (`error.message` when it failed); a failure when `success` is false or the shell's `<shellId: N completed with exit code K>` trailer has K ≠ 0 |
//! | `hook.end` that failed | context `hook` (harness) with the hook type and its error; `hook.start` and successful hooks are dropped (their inputs repeat the prompt and the calls) |
//! | `system.notification` | context `notification` (harness) |
//! | `permission.completed` not approved | context `permission` (harness) naming the command |
//! | `abort` | context `interrupted` (harness) |
//! | `session.error` | context `session.error` (harness) |
//! | turn markers, `session.model_change`, `session.info`, `session.shutdown`, usage, approved permissions | dropped |
//!
//! Times: each event's `timestamp`. Agent: the [`Source`] fallbacks (the folder).

use std::collections::{HashMap, HashSet};

use lucid_core::{Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::input::{Input, each_record};
use crate::json::{non_blank, parse_arguments, str_at, text_at, time_at};
use crate::session::{Builder, Origin, Speaker};
use crate::tagged::split_tags;

const FORMAT: TranscriptFormat = TranscriptFormat::CopilotCli;

type Object = Map<String, Value>;

/// Whether one record is a Copilot CLI event (see the module doc).
pub(crate) fn is_event(record: &Object) -> bool {
    let Some(kind) = str_at(record, "type") else {
        return false;
    };
    let Some(Value::Object(data)) = record.get("data") else {
        return false;
    };
    record.contains_key("parentId")
        || str_at(data, "producer") == Some("copilot-agent")
        || kind.starts_with("assistant.")
        || kind.starts_with("tool.execution_")
        || kind.starts_with("hook.")
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    let mut walk = Walk::default();
    each_record::<Object>(input, FORMAT, |event| {
        walk.event(&mut builder, &event);
        Ok(())
    })?;
    builder.finish()
}

#[derive(Default)]
struct Walk {
    /// Call ids an assistant message requested.
    requested: HashSet<String>,
    /// Commands of permission requests, by request id.
    permissions: HashMap<String, String>,
    /// The system prompt last kept.
    last_system: Option<String>,
}

impl Walk {
    fn event(&mut self, builder: &mut Builder<'_>, event: &Object) {
        let Some(kind) = str_at(event, "type") else {
            return;
        };
        let empty = Object::new();
        let data = event
            .get("data")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let origin = Origin {
            at: time_at(event, &["timestamp"]),
            source_id: str_at(event, "id"),
        };
        match kind {
            "session.start" => {
                if let Some(id) = str_at(data, "sessionId") {
                    builder.set_session_id(id);
                }
                let context = data.get("context").and_then(Value::as_object);
                if let Some(cwd) = context.and_then(|c| str_at(c, "cwd")).and_then(non_blank) {
                    builder.offer_started_in(Some(cwd));
                    let mut text = String::from("GitHub Copilot CLI");
                    if let Some(version) = str_at(data, "copilotVersion").and_then(non_blank) {
                        text.push(' ');
                        text.push_str(version);
                    }
                    text.push_str(" in ");
                    text.push_str(cwd);
                    if let Some(branch) = context
                        .and_then(|c| str_at(c, "branch"))
                        .and_then(non_blank)
                    {
                        text.push_str(&format!(" (branch {branch})"));
                    }
                    builder.text(origin, Speaker::Context("session_start"), text);
                }
            }
            "system.message" => {
                let label = if str_at(data, "role") == Some("developer") {
                    "developer"
                } else {
                    "system_prompt"
                };
                let content = text_at(data, "content");
                // Copilot logs the system prompt again before every turn.
                if self.last_system.as_deref() != Some(content.as_str()) {
                    self.last_system = Some(content.clone());
                    builder.text(origin, Speaker::Context(label), content);
                }
            }
            "user.message" => {
                let content = text_at(data, "content");
                let speaker = if is_program_prompt(&content) {
                    Speaker::Context("task")
                } else {
                    Speaker::User
                };
                builder.text(origin, speaker, content);
            }
            "assistant.message" => self.assistant(builder, origin, data),
            "tool.execution_start" => {
                let Some(id) = str_at(data, "toolCallId").and_then(non_blank) else {
                    return;
                };
                if self.requested.contains(id) {
                    return;
                }
                let name = str_at(data, "toolName").unwrap_or("tool");
                let input = parse_arguments(data.get("arguments").cloned());
                self.requested.insert(id.to_string());
                builder.tool_call(origin, Some(id), name, input);
            }
            "tool.execution_complete" => result(builder, origin, data),
            "hook.end" => {
                let error = data.get("error");
                let failed = data.get("success").and_then(Value::as_bool) == Some(false)
                    || error.is_some_and(|e| !e.is_null());
                if failed {
                    let hook = str_at(data, "hookType").unwrap_or("a");
                    let reason = error.map(error_text).unwrap_or_default();
                    let text = if reason.is_empty() {
                        format!("{hook} hook failed")
                    } else {
                        format!("{hook} hook failed: {reason}")
                    };
                    builder.text(origin, Speaker::Context("hook"), text);
                }
            }
            "system.notification" => {
                let content = text_at(data, "content");
                let inner = split_tags(&content, &["system_notification"])
                    .iter()
                    .map(|span| span.inner)
                    .collect::<String>();
                builder.text(
                    origin,
                    Speaker::Context("notification"),
                    inner.trim().to_string(),
                );
            }
            "permission.requested" => {
                let request = data.get("permissionRequest").and_then(Value::as_object);
                if let (Some(id), Some(command)) = (
                    str_at(data, "requestId"),
                    request.and_then(|r| {
                        str_at(r, "fullCommandText").or_else(|| str_at(r, "intention"))
                    }),
                ) {
                    self.permissions.insert(id.to_string(), command.to_string());
                }
            }
            "permission.completed" => {
                let outcome = data
                    .get("result")
                    .and_then(|r| r.get("kind"))
                    .and_then(Value::as_str)
                    .unwrap_or("unknown");
                if outcome.starts_with("approved") {
                    return;
                }
                let command = str_at(data, "requestId")
                    .and_then(|id| self.permissions.get(id))
                    .map(|command| format!(": {command}"))
                    .unwrap_or_default();
                builder.text(
                    origin,
                    Speaker::Context("permission"),
                    format!("permission {outcome}{command}"),
                );
            }
            "abort" => {
                let reason = str_at(data, "reason")
                    .and_then(non_blank)
                    .unwrap_or("aborted");
                builder.text(
                    origin,
                    Speaker::Context("interrupted"),
                    format!("aborted: {reason}"),
                );
            }
            "session.error" => {
                let message = str_at(data, "message")
                    .or_else(|| str_at(data, "errorType"))
                    .unwrap_or("")
                    .trim()
                    .to_string();
                builder.text(origin, Speaker::Context("session.error"), message);
            }
            _ => {}
        }
    }

    fn assistant(&mut self, builder: &mut Builder<'_>, origin: Origin<'_>, data: &Object) {
        builder.text(origin, Speaker::Agent, text_at(data, "content"));
        let Some(Value::Array(requests)) = data.get("toolRequests") else {
            return;
        };
        for request in requests.iter().filter_map(Value::as_object) {
            let id = str_at(request, "toolCallId").and_then(non_blank);
            let name = str_at(request, "name")
                .and_then(non_blank)
                .unwrap_or("tool");
            let input = parse_arguments(request.get("arguments").cloned());
            if let Some(id) = id {
                self.requested.insert(id.to_string());
            }
            builder.tool_call(origin, id, name, input);
        }
    }
}

/// A tool's result and whether it failed.
fn result(builder: &mut Builder<'_>, origin: Origin<'_>, data: &Object) {
    let id = str_at(data, "toolCallId");
    let success = data.get("success").and_then(Value::as_bool) != Some(false);
    let output = data.get("result").and_then(Value::as_object).map(|result| {
        let content = text_at(result, "content");
        if content.is_empty() {
            text_at(result, "detailedContent")
        } else {
            content
        }
    });
    let error = data.get("error").map(error_text).unwrap_or_default();
    let content = match (success, output) {
        (true, Some(output)) => output,
        (false, Some(output)) if !output.is_empty() && !error.is_empty() => {
            format!("{error}\n{output}")
        }
        (false, Some(output)) if error.is_empty() => output,
        _ => error,
    };
    let is_error = !success || shell_exit_code(&content).is_some_and(|code| code != 0);
    builder.tool_result(origin, id, str_at(data, "toolName"), content, is_error);
}

/// An error value's message: a string, or an object's `message` (with its `code`).
fn error_text(error: &Value) -> String {
    match error {
        Value::String(text) => text.trim().to_string(),
        Value::Object(error) => text_at(error, "message"),
        _ => String::new(),
    }
}

/// The exit code in the trailer Copilot's shell tool appends: `<shellId: 0 completed with exit
/// code 1>`, or `<detached command with shellId: 9 completed with exit code 1>` when a read of
/// a background shell returns its outcome.
fn shell_exit_code(content: &str) -> Option<i64> {
    let last = content
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())?
        .trim();
    let inner = last.strip_prefix('<')?.strip_suffix('>')?;
    // Other builds end a command with `<exited with exit code 1>`, or with a symbolic code when
    // the shell could not start (`<exited with exit code ERR_DLOPEN_FAILED>`).
    if let Some(code) = inner.strip_prefix("exited with exit code ") {
        return Some(code.trim().parse().unwrap_or(-1));
    }
    let (before, after) = inner.split_once("shellId:")?;
    if !(before.is_empty() || before.ends_with("command with ")) {
        return None;
    }
    let (_, code) = after.rsplit_once(" completed with exit code ")?;
    code.trim().parse().ok()
}

/// A prompt a program wrote: it opens with a DSPy-style `[[ ## field ## ]]` marker.
fn is_program_prompt(content: &str) -> bool {
    let first = content.lines().find(|line| !line.trim().is_empty());
    first.is_some_and(|line| {
        let line = line.trim();
        line.starts_with("[[ ## ") && line.ends_with(" ## ]]")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_trailers() {
        assert_eq!(
            shell_exit_code("ok\n<shellId: 0 completed with exit code 0>"),
            Some(0)
        );
        assert_eq!(
            shell_exit_code("x\n<shellId: 3 completed with exit code 128>\n"),
            Some(128)
        );
        assert_eq!(
            shell_exit_code(
                "Output:\nstreamlit : The term 'streamlit' is not recognized\n<detached command \
                 with shellId: 9 completed with exit code 1>"
            ),
            Some(1)
        );
        assert_eq!(
            shell_exit_code("<command with shellId: 27 is still running>"),
            None
        );
        assert_eq!(shell_exit_code("plain"), None);
        assert_eq!(shell_exit_code("x\n<exited with exit code 2>"), Some(2));
        assert_eq!(shell_exit_code("<exited with exit code 0>"), Some(0));
        assert_eq!(
            shell_exit_code("<exited with exit code ERR_DLOPEN_FAILED>"),
            Some(-1)
        );
    }

    #[test]
    fn program_prompts() {
        assert!(is_program_prompt("[[ ## user_query ## ]]\n\nWhat is 2+2?"));
        assert!(!is_program_prompt("What is [[ ## this ## ]]?"));
    }
}
