//! Google Antigravity step logs (`transcript.jsonl`): one JSON record per step of the
//! conversation, `{step_index, source, type, status, created_at, content, …}`.
//!
//! | step | event here |
//! |---|---|
//! | `USER_INPUT` from `USER_EXPLICIT` | the `<USER_REQUEST>` part is a user message (human); `<ADDITIONAL_METADATA>` (the local time), `<USER_SETTINGS_CHANGE>` and any other text are context `metadata` (harness) |
//! | `PLANNER_RESPONSE` from `MODEL` | agent prose (`content`; `thinking` is skipped), then one tool call per `tool_calls[]` (`name`, `args`) |
//! | any other step from `MODEL` (`RUN_COMMAND`, `VIEW_FILE`, `CODE_ACTION`, `GREP_SEARCH`, …) | the result of the oldest call of the last `PLANNER_RESPONSE` still waiting for one, its `Created At:`/`Completed At:` header cut; a failure when the step has an `error` or the status `ERROR`, or a command "failed with exit code" |
//! | `ERROR_MESSAGE` from `SYSTEM` while a call waits | that call's result, a failure: the harness could not run it ("invalid tool call") |
//! | a step from `USER_EXPLICIT` other than `USER_INPUT` (a command the person ran, a file they opened) | context `user_action` on the `tool_output` channel: what it printed is output, not words |
//! | steps from `SYSTEM` (`SYSTEM_MESSAGE`, `EPHEMERAL_MESSAGE`, `CHECKPOINT` summaries, `ERROR_MESSAGE`, `KNOWLEDGE_ARTIFACTS`, …) | context of the step's type, lowercased (harness): the harness wrote them |
//!
//! Antigravity writes every argument of a call as a JSON-encoded string (`"\"npm test\""`):
//! each is decoded, and the arguments its tools share with other harnesses get their common
//! names, so the digest reads them as it reads any other harness's calls (`CommandLine` →
//! `command`, `Cwd` → `cwd`, `TargetFile`/`AbsolutePath`/`DirectoryPath` → `path`,
//! `TargetContent`/`ReplacementContent` → `old_str`/`new_str`, `CodeContent` → `content`,
//! `Query`/`SearchPath` → `pattern`/`path`, `toolAction` → `description`; `toolSummary` is
//! dropped). A call left running in the background ("Tool is running as a background task
//! with task id: …") gets its result from the later system message that reports how the task
//! ended ("Task id "…" finished with result: …", a failure when the command failed); the
//! message stays context too, and a call still running when the log ends keeps what its step
//! said.
//!
//! Times: each step's `created_at`. Session id and agent: the [`Source`] fallbacks (the file and
//! its folder).

use std::collections::VecDeque;

use lucid_core::{Channel, Session, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::input::{Input, each_line};
use crate::json::{kind_of, non_blank, str_at, text_at, time_at};
use crate::session::{Builder, Origin, Speaker};
use crate::tagged::split_tags;

const FORMAT: TranscriptFormat = TranscriptFormat::Antigravity;

type Object = Map<String, Value>;

/// Whether one JSON Lines record is an Antigravity step: a `step_index` and an upper-case
/// `type` next to a `source`.
pub(crate) fn is_step(record: &Object) -> bool {
    record.contains_key("step_index")
        && record.contains_key("source")
        && str_at(record, "type").is_some_and(|kind| {
            !kind.is_empty()
                && kind
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        })
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    let mut steps = StepReader::default();
    match input {
        Input::Lines(text) => each_line::<Object>(text, |_, step| {
            steps.push(&mut builder, &step);
            Ok(())
        })?,
        // A log of one step is one JSON document; so is a list of steps.
        Input::Document(Value::Object(step)) => steps.push(&mut builder, &step),
        Input::Document(Value::Array(list)) => {
            for step in list.iter().filter_map(Value::as_object) {
                steps.push(&mut builder, step);
            }
        }
        Input::Document(other) => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!("expected JSON Lines of steps, found {}", kind_of(&other)),
            });
        }
    }
    steps.finish(&mut builder);
    builder.finish()
}

/// Reads steps in order, pairing each tool step with the oldest call still waiting for its
/// result.
#[derive(Default)]
struct StepReader {
    waiting: VecDeque<(String, String)>,
    calls: usize,
    /// Calls left running in the background: (task id, call id, tool, what the step said).
    running: Vec<Background>,
}

/// A call the harness left running in the background, waiting for the system message that
/// reports how it ended.
struct Background {
    task: String,
    call: String,
    tool: String,
    started: String,
    at: Option<lucid_core::Timestamp>,
}

impl StepReader {
    fn push(&mut self, builder: &mut Builder<'_>, step: &Object) {
        let origin = Origin {
            at: time_at(step, &["created_at"]),
            source_id: None,
        };
        let kind = str_at(step, "type").unwrap_or("");
        let content = text_at(step, "content");
        let source = str_at(step, "source").unwrap_or("");
        if source == "SYSTEM" && self.finish_background(builder, origin, &content) {
            return;
        }
        match (source, kind) {
            ("USER_EXPLICIT", "USER_INPUT") => push_user_input(builder, origin, &content),
            ("USER_EXPLICIT", _) => builder.text_with_channel(
                origin,
                Speaker::Context("user_action"),
                content,
                Channel::ToolOutput,
            ),
            ("MODEL", "PLANNER_RESPONSE") => {
                // A call the harness never answered is not answered by a later step.
                self.waiting.clear();
                builder.text(origin, Speaker::Agent, content);
                let calls = step.get("tool_calls").and_then(Value::as_array);
                for call in calls.into_iter().flatten().filter_map(Value::as_object) {
                    let Some(name) = str_at(call, "name").and_then(non_blank) else {
                        continue;
                    };
                    self.calls += 1;
                    let id = format!("step-call-{}", self.calls);
                    let args = common_args(call.get("args"));
                    builder.tool_call(origin, Some(&id), name, args);
                    self.waiting.push_back((id, name.to_string()));
                }
            }
            ("MODEL", _) => {
                let output = without_time_header(&content);
                let failed = step.contains_key("error")
                    || str_at(step, "status") == Some("ERROR")
                    || output.trim_start().starts_with("The command failed");
                let output = match str_at(step, "error").and_then(non_blank) {
                    Some(error) if output.trim().is_empty() => error.to_string(),
                    _ => without_command_frame(output),
                };
                match self.waiting.pop_front() {
                    // Its outcome comes later, in a system message: the result waits for it.
                    Some((id, name)) if background_task(&output).is_some() => {
                        if let Some(task) = background_task(&output) {
                            self.running.push(Background {
                                task: task.to_string(),
                                call: id,
                                tool: name,
                                started: output.clone(),
                                at: origin.at,
                            });
                        }
                    }
                    Some((id, name)) => {
                        builder.tool_result(origin, Some(&id), Some(&name), output, failed)
                    }
                    // A tool step no call asked for: output all the same, never words.
                    None => builder.text_with_channel(
                        origin,
                        Speaker::Context("step"),
                        output,
                        Channel::ToolOutput,
                    ),
                }
            }
            // The harness rejecting a call it could not run ("invalid tool call … is not a
            // valid artifact path") stands in for that call's result: its failure.
            ("SYSTEM", "ERROR_MESSAGE") if !self.waiting.is_empty() => {
                let error = match str_at(step, "error").and_then(non_blank) {
                    Some(error) => error.to_string(),
                    None => without_time_header(&content).to_string(),
                };
                if let Some((id, name)) = self.waiting.pop_front() {
                    builder.tool_result(origin, Some(&id), Some(&name), error, true);
                }
            }
            _ => {
                let text = match str_at(step, "error").and_then(non_blank) {
                    Some(error) if content.trim().is_empty() => error.to_string(),
                    _ => content,
                };
                let label = kind.to_ascii_lowercase();
                builder.text(origin, Speaker::Context(label_of(&label)), text);
            }
        }
    }
}

impl StepReader {
    /// Reads a system message that reports how a background task ended ("Task id "…/task-70"
    /// finished with result: …") as the result of the call that started it: a failure when the
    /// command failed. The message itself stays harness context. Whether it was such a report.
    fn finish_background(
        &mut self,
        builder: &mut Builder<'_>,
        origin: Origin<'_>,
        content: &str,
    ) -> bool {
        let Some((task, result)) = finished_task(content) else {
            return false;
        };
        let Some(at) = self.running.iter().position(|b| b.task == task) else {
            return false;
        };
        let call = self.running.remove(at);
        let output = without_command_frame(result);
        let failed = output.starts_with("The command failed");
        builder.tool_result(origin, Some(&call.call), Some(&call.tool), output, failed);
        builder.text(
            origin,
            Speaker::Context("system_message"),
            content.to_string(),
        );
        true
    }

    /// Calls still running when the log ends keep what their step said.
    fn finish(self, builder: &mut Builder<'_>) {
        for call in self.running {
            let origin = Origin {
                at: call.at,
                source_id: None,
            };
            builder.tool_result(
                origin,
                Some(&call.call),
                Some(&call.tool),
                call.started,
                false,
            );
        }
    }
}

/// The task id of a call the harness moved to the background ("Tool is running as a background
/// task with task id: …/task-14").
fn background_task(output: &str) -> Option<&str> {
    let rest = output
        .trim_start()
        .strip_prefix("Tool is running as a background task with task id:")?;
    let task = rest.lines().next()?.trim();
    (!task.is_empty()).then_some(task)
}

/// The task id and the result text of a system message reporting that a background task ended.
fn finished_task(content: &str) -> Option<(&str, &str)> {
    let marker = "Task id \"";
    let start = content.find(marker)? + marker.len();
    let (task, rest) = content[start..].split_once('"')?;
    let result = rest.trim_start().strip_prefix("finished with result:")?;
    let result = result.split("</SYSTEM_MESSAGE>").next().unwrap_or(result);
    Some((task, result.trim()))
}

/// The context label of a system step: its type lowercased, or `system` for an empty one.
fn label_of(kind: &str) -> &str {
    if kind.is_empty() { "system" } else { kind }
}

/// The tags Antigravity wraps around a person's request and what it adds to it.
const USER_TAGS: &[&str] = &[
    "USER_REQUEST",
    "ADDITIONAL_METADATA",
    "USER_SETTINGS_CHANGE",
];

/// A person's input: the request is theirs, the metadata around it the harness's. Input with
/// no `<USER_REQUEST>` at all is theirs whole.
fn push_user_input(builder: &mut Builder<'_>, origin: Origin<'_>, content: &str) {
    let spans = split_tags(content, USER_TAGS);
    if !spans.iter().any(|span| span.tag == Some("USER_REQUEST")) {
        builder.text(origin, Speaker::User, content.trim().to_string());
        return;
    }
    for span in spans {
        let speaker = match span.tag {
            Some("USER_REQUEST") => Speaker::User,
            _ => Speaker::Context("metadata"),
        };
        builder.text(origin, speaker, span.inner.trim().to_string());
    }
}

/// A command step's output as the harness frames it ("\t\t\t\tThe command failed with exit
/// code: 1\n\t\t\t\tOutput:\n\t\t\t\t<first line>"), without the indentation of the frame.
fn without_command_frame(output: &str) -> String {
    let output = output.trim_start();
    if !output.starts_with("The command") {
        return output.to_string();
    }
    output
        .split('\n')
        .enumerate()
        .map(|(n, line)| if n < 3 { line.trim_start() } else { line })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A tool step's text without the `Created At: …` / `Completed At: …` lines it opens with.
fn without_time_header(content: &str) -> &str {
    let mut rest = content;
    while let Some((line, after)) = rest.split_once('\n') {
        if line.starts_with("Created At:") || line.starts_with("Completed At:") {
            rest = after;
        } else {
            break;
        }
    }
    if rest.starts_with("Created At:") || rest.starts_with("Completed At:") {
        return "";
    }
    rest
}

/// A call's arguments decoded (each is a JSON-encoded string) and renamed to the names other
/// harnesses use for the same thing (see the module doc).
fn common_args(args: Option<&Value>) -> Value {
    let mut out = Map::new();
    let Some(args) = args.and_then(Value::as_object) else {
        return Value::Object(out);
    };
    for (key, value) in args {
        let decoded = match value {
            Value::String(text) => {
                serde_json::from_str::<Value>(text).unwrap_or_else(|_| value.clone())
            }
            other => other.clone(),
        };
        let name = match key.as_str() {
            "CommandLine" => "command",
            "Cwd" => "cwd",
            "TargetFile" | "AbsolutePath" | "DirectoryPath" | "SearchPath" => "path",
            "TargetContent" => "old_str",
            "ReplacementContent" => "new_str",
            "CodeContent" => "content",
            "Query" => "pattern",
            "toolAction" => "description",
            "toolSummary" => continue,
            other => other,
        };
        out.entry(name.to_string()).or_insert(decoded);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_decoded_and_get_their_common_names() {
        let args = serde_json::json!({
            "CommandLine": "\"npm test -- --run\"",
            "Cwd": "\"/work/app\"",
            "WaitMsBeforeAsync": "8000",
            "toolAction": "\"Running the tests\"",
            "toolSummary": "\"Run tests\"",
            "Odd": "not json",
        });
        assert_eq!(
            common_args(Some(&args)),
            serde_json::json!({
                "command": "npm test -- --run",
                "cwd": "/work/app",
                "WaitMsBeforeAsync": 8000,
                "description": "Running the tests",
                "Odd": "not json",
            })
        );
    }

    #[test]
    fn the_time_header_of_a_tool_step_is_cut() {
        assert_eq!(
            without_time_header(
                "Created At: 2026-07-02T14:05:15-06:00\nCompleted At: 2026-07-02T14:05:16-06:00\nok"
            ),
            "ok"
        );
        assert_eq!(without_time_header("Created At: 2026-07-02"), "");
        assert_eq!(without_time_header("plain output"), "plain output");
        assert_eq!(
            without_command_frame(
                "\n\t\t\t\tThe command failed with exit code: 1\n\t\t\t\tOutput:\n\t\t\t\tboom\n\tat main"
            ),
            "The command failed with exit code: 1\nOutput:\nboom\n\tat main"
        );
    }
}
