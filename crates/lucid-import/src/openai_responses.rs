//! OpenAI Responses API items, as written by the Codex CLI and by the API itself.
//!
//! Accepted shapes:
//! - Codex rollout JSON Lines: `{"timestamp", "type": "response_item", "payload": {item}}`, plus
//!   `session_meta` (its `payload.id` is the session id), `turn_context` and `event_msg` (skipped:
//!   event messages repeat the response items) and `compacted` (kept as context);
//! - older Codex rollouts: a bare session-meta line `{"id", "timestamp", …}` followed by bare
//!   items; their events get the session's start time;
//! - a Responses API object `{"object": "response", "output": […]}`, optionally with the request's
//!   `instructions` and `input` (alone, or as a `{"request", "response"}` pair), whose events get
//!   its `created_at`, else the file's modification time;
//! - a bare JSON array of items or of rollout lines.
//!
//! Items: `message` (by role; Codex's injected `<environment_context>`, `<user_instructions>`
//! and AGENTS.md user turns become context), `function_call` (its `arguments` JSON string
//! parsed), `custom_tool_call`, `local_shell_call` and other `*_call` items become tool calls;
//! `*_call_output` items become results; `mcp_call` is both; `reasoning` is skipped. Results carry
//! no error flag: a Codex exit code decides when there is one, else [`crate::looks_like_error`].
//!
//! Lines are deserialized into a typed struct, so the bulky fields nobody reads (encrypted
//! reasoning, repeated command output in event messages) are skipped without being built.

use lucid_core::{Session, Timestamp, TranscriptFormat};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Source;
use crate::blocks::render_result_content;
use crate::error::ImportError;
use crate::error_text::looks_like_error;
use crate::input::{Input, each_line, record_from_value};
use crate::json::{Lenient, kind_of, lenient_string, parse_arguments, time_at};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::OpenaiResponses;

/// A rollout line, an item, or a session-meta payload: the union of the fields lucid reads.
#[derive(Deserialize, Default)]
struct Item {
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    role: Option<String>,
    #[serde(default)]
    content: Option<Value>,
    #[serde(default, deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<Value>,
    #[serde(default, deserialize_with = "lenient_string")]
    call_id: Option<String>,
    #[serde(default)]
    output: Option<Value>,
    #[serde(default)]
    input: Option<Value>,
    #[serde(default)]
    action: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
    /// `compacted` lines.
    #[serde(default, deserialize_with = "lenient_string")]
    message: Option<String>,
    #[serde(default)]
    agent: Option<Value>,
    #[serde(default)]
    agent_id: Option<Value>,
    #[serde(default)]
    agent_name: Option<Value>,
    /// `session_meta`: what started the session (`"cli"`, `"vscode"`, or `{"subagent": …}` for a
    /// thread another agent spawned).
    #[serde(default)]
    source: Option<Value>,
    /// `session_meta` of a spawned thread: the thread that spawned it (also inside `source`).
    #[serde(default, deserialize_with = "lenient_string")]
    parent_thread_id: Option<String>,
    /// `session_meta`: the directory the session started in.
    #[serde(default, deserialize_with = "lenient_string")]
    cwd: Option<String>,
    #[serde(default)]
    payload: Lenient<Box<Item>>,
}

impl Item {
    /// The agent fields, for [`Builder::offer_agent_from`].
    fn agent_fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        for (key, value) in [
            ("agent", &self.agent),
            ("agent_id", &self.agent_id),
            ("agent_name", &self.agent_name),
        ] {
            if let Some(value) = value {
                fields.insert(key.to_string(), value.clone());
            }
        }
        fields
    }
}

/// State carried across the lines of a rollout.
struct Rollout<'b, 's> {
    builder: &'b mut Builder<'s>,
    /// A sub-agent's thread whose first message, the task its parent agent wrote, is still to
    /// come: that message is the parent's, not a person's (a person may write later ones).
    brief_pending: bool,
    /// A thread the harness runs without a person (an approval reviewer, a code review, a
    /// compaction): every message in its user turns is what the parent thread sent it.
    unattended: bool,
    /// The start time of an older rollout, whose items have no times of their own.
    started: Option<Timestamp>,
    modified: Option<Timestamp>,
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    match input {
        Input::Lines(text) => {
            let mut rollout = Rollout {
                builder: &mut builder,
                brief_pending: false,
                unattended: false,
                started: None,
                modified: source.modified,
            };
            each_line::<Item>(text, |_, line| {
                rollout.push_line(line);
                Ok(())
            })?;
        }
        Input::Document(Value::Array(items)) => {
            let mut rollout = Rollout {
                builder: &mut builder,
                brief_pending: false,
                unattended: false,
                started: None,
                modified: source.modified,
            };
            for (index, item) in items.into_iter().enumerate() {
                rollout.push_line(record_from_value(item, index)?);
            }
        }
        Input::Document(Value::Object(document)) => {
            if is_rollout_line(&document) {
                let line: Item = record_from_value(Value::Object(document), 0)?;
                let mut rollout = Rollout {
                    builder: &mut builder,
                    brief_pending: false,
                    unattended: false,
                    started: None,
                    modified: source.modified,
                };
                rollout.push_line(line);
            } else {
                push_response_document(&mut builder, source, document)?;
            }
        }
        Input::Document(other) => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!(
                    "expected JSON Lines, a response object or an array of items, found {}",
                    kind_of(&other)
                ),
            });
        }
    }
    builder.finish()
}

/// A single line of a rollout (a one-line file) rather than a Responses API object.
fn is_rollout_line(document: &Map<String, Value>) -> bool {
    document.contains_key("payload")
        || matches!(
            document.get("type").and_then(Value::as_str),
            Some(kind) if is_item_type(kind)
        )
}

/// Types of items a bare line of an older rollout (or an array) may hold.
fn is_item_type(kind: &str) -> bool {
    kind == "message"
        || kind == "reasoning"
        || kind.ends_with("_call")
        || kind.ends_with("_call_output")
}

impl Rollout<'_, '_> {
    fn push_line(&mut self, line: Item) {
        let at = line
            .timestamp
            .as_deref()
            .and_then(lucid_core::parse_timestamp);
        match line.kind.as_deref() {
            Some("session_meta") => {
                if let Some(meta) = line.payload.0 {
                    self.builder.offer_session_id(meta.id.as_deref());
                    self.builder.offer_started_in(meta.cwd.as_deref());
                    self.builder.offer_agent_from(&meta.agent_fields());
                    let spawned_by = meta
                        .source
                        .as_ref()
                        .and_then(|source| source.get("subagent"));
                    self.brief_pending = spawned_by.is_some();
                    // Only a spawned thread can be opened and written to by a person;
                    // `{"subagent": "review"}` or `{"other": "guardian"}` run on their own.
                    self.unattended =
                        spawned_by.is_some_and(|source| source.get("thread_spawn").is_none());
                    if let Some(spawned_by) = spawned_by {
                        let parent = meta.parent_thread_id.as_deref().or_else(|| {
                            spawned_by
                                .pointer("/thread_spawn/parent_thread_id")
                                .and_then(Value::as_str)
                        });
                        self.builder.offer_part_of(parent);
                    }
                }
            }
            Some("response_item") => {
                if let Some(item) = line.payload.0 {
                    let at = at.or(self.started).or(self.modified);
                    if self.unattended && is_person_message(&item) {
                        push_message(self.builder, at, *item, Speaker::Context("subagent_task"));
                    } else if self.brief_pending && is_person_message(&item) {
                        self.brief_pending = false;
                        push_message(self.builder, at, *item, Speaker::Context("subagent_task"));
                    } else {
                        push_item(self.builder, at, *item);
                    }
                }
            }
            Some("compacted") => {
                if let Some(text) = line.payload.0.and_then(|payload| payload.message) {
                    let origin = Origin {
                        at,
                        source_id: None,
                    };
                    self.builder
                        .text(origin, Speaker::Context("compacted"), text);
                }
            }
            // turn_context: settings; event_msg: UI events that repeat the items.
            Some("turn_context" | "event_msg") => {}
            Some(kind) if is_item_type(kind) => {
                let at = at.or(self.started).or(self.modified);
                push_item(self.builder, at, line);
            }
            // An older rollout's first line: the session's id and start time, no type.
            None if line.id.is_some() && line.role.is_none() => {
                self.builder.offer_session_id(line.id.as_deref());
                self.builder.offer_agent_from(&line.agent_fields());
                if self.started.is_none() {
                    self.started = at;
                }
            }
            // An input message given without `type` (`{"role": "user", "content": "hi"}`).
            None if line.role.is_some() => {
                let at = at.or(self.started).or(self.modified);
                push_item(self.builder, at, line);
            }
            // record_type "state" lines and anything newer.
            _ => {}
        }
    }
}

/// A Responses API object, alone or as a `{"request", "response"}` pair.
fn push_response_document(
    builder: &mut Builder<'_>,
    source: &Source<'_>,
    mut document: Map<String, Value>,
) -> Result<(), ImportError> {
    builder.offer_session_id(document.get("id").and_then(Value::as_str));
    builder.offer_agent_from(&document);
    const TIME_KEYS: &[&str] = &["created_at", "created", "timestamp"];
    let mut request = match document.remove("request") {
        Some(Value::Object(request)) => Some(request),
        _ => None,
    };
    let mut response = match document.remove("response") {
        Some(Value::Object(response)) => Some(response),
        _ => None,
    };
    let at = time_at(&document, TIME_KEYS)
        .or_else(|| response.as_ref().and_then(|r| time_at(r, TIME_KEYS)))
        .or_else(|| request.as_ref().and_then(|r| time_at(r, TIME_KEYS)))
        .or(source.modified);
    let mut take = |key: &str| {
        request
            .as_mut()
            .and_then(|request| request.remove(key))
            .or_else(|| response.as_mut().and_then(|response| response.remove(key)))
            .or_else(|| document.remove(key))
    };
    let instructions = take("instructions");
    let input = take("input");
    let output = response
        .as_mut()
        .and_then(|response| response.remove("output"))
        .or_else(|| document.remove("output"));
    if input.is_none() && output.is_none() {
        return Err(ImportError::WrongShape {
            format: FORMAT,
            reason: "expected `output` items (a response object), `input` items, or rollout lines"
                .into(),
        });
    }
    let origin = Origin {
        at,
        source_id: None,
    };
    if let Some(Value::String(instructions)) = instructions {
        builder.text(origin, Speaker::Context("instructions"), instructions);
    }
    for items in [input, output].into_iter().flatten() {
        match items {
            // `input` may be plain text: the user's message.
            Value::String(text) => builder.text(origin, Speaker::User, text),
            Value::Array(items) => {
                for (index, item) in items.into_iter().enumerate() {
                    push_item(builder, at, record_from_value(item, index)?);
                }
            }
            other => {
                return Err(ImportError::WrongShape {
                    format: FORMAT,
                    reason: format!(
                        "`input`/`output` should be an array, found {}",
                        kind_of(&other)
                    ),
                });
            }
        }
    }
    Ok(())
}

/// One response item.
fn push_item(builder: &mut Builder<'_>, at: Option<Timestamp>, item: Item) {
    let kind = item.kind.as_deref().unwrap_or("message");
    let source_id = item.id.as_deref().or(item.call_id.as_deref());
    let origin = Origin { at, source_id };
    match kind {
        "message" => push_message(builder, at, item, Speaker::User),
        "reasoning" => {}
        "function_call" => {
            let name = item.name.as_deref().unwrap_or("function");
            let input = parse_arguments(item.arguments);
            builder.tool_call(origin, item.call_id.as_deref(), name, input);
        }
        "custom_tool_call" => {
            let name = item.name.as_deref().unwrap_or("custom_tool");
            let input = item.input.unwrap_or(Value::Null);
            builder.tool_call(origin, item.call_id.as_deref(), name, input);
        }
        "mcp_call" => {
            // Call and result in one item.
            let name = item.name.as_deref().unwrap_or("mcp");
            let call_id = item.id.as_deref();
            builder.tool_call(origin, call_id, name, parse_arguments(item.arguments));
            if item.output.is_some() || item.error.is_some() {
                let failed = item.error.as_ref().is_some_and(|error| !error.is_null());
                let content = match (item.output, item.error) {
                    (Some(output), _) if !output.is_null() => render_result_content(output),
                    (_, Some(error)) => render_result_content(error),
                    _ => String::new(),
                };
                builder.tool_result(origin, call_id, None, content, failed);
            }
        }
        kind if kind.ends_with("_call_output") => {
            let (content, failed) = render_output(item.output);
            let is_error = failed.unwrap_or_else(|| looks_like_error(&content));
            builder.tool_result(origin, item.call_id.as_deref(), None, content, is_error);
        }
        kind if kind.ends_with("_call") => {
            // local_shell_call, web_search_call, computer_call, file_search_call, …
            let base = kind.strip_suffix("_call").unwrap_or(kind);
            let name = item.name.as_deref().unwrap_or(base);
            let input = item
                .action
                .or(item.input)
                .or(item
                    .arguments
                    .map(|arguments| parse_arguments(Some(arguments))))
                .unwrap_or(Value::Null);
            let call_id = item.call_id.as_deref().or(item.id.as_deref());
            builder.tool_call(origin, call_id, name, input);
        }
        _ => {}
    }
}

/// Whether an item is a user message that is not harness material Codex injects (the
/// `<environment_context>`, the instruction files).
fn is_person_message(item: &Item) -> bool {
    let user_message = item.kind.as_deref().is_none_or(|kind| kind == "message")
        && item.role.as_deref().is_none_or(|role| role == "user");
    let text = match &item.content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .cloned()
            .filter_map(block_text)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    user_message && !text.trim().is_empty() && injected_context(&text).is_none()
}

/// A `message` item: one event per text block, by role; a user's blocks as `user` says (the
/// person, or the parent agent's task in a sub-agent's thread).
fn push_message(
    builder: &mut Builder<'_>,
    at: Option<Timestamp>,
    item: Item,
    user: Speaker<'static>,
) {
    let origin = Origin {
        at,
        source_id: item.id.as_deref(),
    };
    let role = item.role.as_deref().unwrap_or("user");
    let speaker = match role {
        "assistant" => Speaker::Agent,
        "user" => user,
        other => Speaker::Context(other),
    };
    let texts: Vec<String> = match item.content {
        Some(Value::String(text)) => vec![text],
        Some(Value::Array(blocks)) => blocks.into_iter().filter_map(block_text).collect(),
        _ => Vec::new(),
    };
    for text in texts {
        let speaker = match speaker {
            Speaker::User => injected_context(&text).map_or(Speaker::User, Speaker::Context),
            other => other,
        };
        builder.text(origin, speaker, text);
    }
}

/// The text of an `input_text`/`output_text`/`text`/`refusal` block; images and files skipped.
fn block_text(block: Value) -> Option<String> {
    let Value::Object(mut block) = block else {
        return block.as_str().map(str::to_string);
    };
    let key = match block.get("type").and_then(Value::as_str) {
        Some("input_text" | "output_text" | "text") | None => "text",
        Some("refusal") => "refusal",
        _ => return None,
    };
    match block.remove(key) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// Codex sends harness material as user turns; label it so it is not taken for the person.
fn injected_context(text: &str) -> Option<&'static str> {
    let text = text.trim_start();
    if text.starts_with("<environment_context>") {
        Some("environment_context")
    } else if text.starts_with("<user_instructions>")
        || text.starts_with("# AGENTS.md instructions")
    {
        Some("user_instructions")
    } else {
        None
    }
}

/// A call output's text and, where the output says so, whether it failed.
///
/// Codex writes shell results as a JSON string `{"output": "…", "metadata": {"exit_code": 1}}`
/// (the text is the inner output; a non-zero exit code is a failure) or as text headed by
/// `Exit code: N` / `Process exited with code N` lines before an `Output:` line. The API's
/// object form `{"content": …, "success": false}` and lists of content items are read too.
fn render_output(output: Option<Value>) -> (String, Option<bool>) {
    match output {
        None | Some(Value::Null) => (String::new(), None),
        Some(Value::String(text)) => {
            if text.trim_start().starts_with('{')
                && let Some((inner, code)) = codex_exec_output(&text)
            {
                return (inner, code.map(|code| code != 0));
            }
            let code = header_exit_code(&text);
            (text, code.map(|code| code != 0))
        }
        Some(Value::Object(mut object)) => {
            let failed = object.get("success").and_then(Value::as_bool).map(|ok| !ok);
            let body = object
                .remove("content")
                .or_else(|| object.remove("output"))
                .unwrap_or(Value::Object(object));
            (render_result_content(body), failed)
        }
        Some(other) => (render_result_content(other), None),
    }
}

/// `{"output": "…", "metadata": {"exit_code": N, …}}` → (output, exit code).
fn codex_exec_output(text: &str) -> Option<(String, Option<i64>)> {
    #[derive(Deserialize)]
    struct Exec {
        output: String,
        #[serde(default)]
        metadata: Lenient<Metadata>,
    }
    #[derive(Deserialize)]
    struct Metadata {
        #[serde(default)]
        exit_code: Option<Value>,
    }
    let exec: Exec = serde_json::from_str(text).ok()?;
    let code = exec
        .metadata
        .0
        .and_then(|metadata| metadata.exit_code)
        .and_then(|code| code.as_i64());
    Some((exec.output, code))
}

/// The exit code in the header lines Codex puts before `Output:`.
fn header_exit_code(text: &str) -> Option<i64> {
    let header: Vec<&str> = text
        .lines()
        .take(8)
        .take_while(|line| line.trim() != "Output:")
        .collect();
    if header.len() == text.lines().take(8).count() {
        return None; // no "Output:" line: not a Codex header
    }
    header.iter().find_map(|line| {
        let line = line.trim();
        line.strip_prefix("Exit code:")
            .or_else(|| line.strip_prefix("Process exited with code"))
            .and_then(|code| code.trim().parse().ok())
    })
}
