//! Cline / Roo Code task folders: `api_conversation_history.json` (the messages sent to the
//! model), with times from the sibling `ui_messages.json` when the caller passes it.
//!
//! The history is a JSON array of Anthropic-style messages `{role, content, ts?}` whose content
//! is a string or a list of blocks. Cline speaks to the model through user turns, so a user
//! turn mixes what the person typed with what the harness added; it is split, in order:
//!
//! | part of a user turn | event |
//! |---|---|
//! | `<task>`, `<feedback>`, `<answer>`, `<user_message>` (what the person typed) | user message (human) |
//! | `[read_file for 'a.ts'] Result:` / `[attempt_completion] Result:` followed by content, a `<function_results>` block, a native `tool_result` block | tool result answering the assistant's matching call |
//! | `<environment_details>` | context `environment_details` (harness) |
//! | `<task_progress>`, `<explicit_instructions>` | context `task_progress` / `instructions` (harness) |
//! | `<file_content>`, `<folder_content>`, `<url_content>`, `<terminal_output>`, `<workspace_diagnostics>`, `<git_working_changes>`, `<git_commit>` (an @-mention expanded) | context `mention` on the `tool_output` channel |
//! | "[ERROR] You did not use a tool…", "[TASK RESUMPTION]…", "[Response interrupted…", "# TODO LIST…", "New instructions for task continuation:", plan-mode instructions, "Tool [x] was not executed…", any other text outside the wrappers | context (harness), labelled by kind (`notice` when unknown) |
//!
//! Text inside an open tool result stays in the result (so the framing of "The user has provided
//! feedback on the results…" is tool output), but a human wrapper inside it ends the result: the
//! person's words become their own user message. The only unwrapped text taken as human is the
//! first user turn of a task that has no wrapper at all (very old versions sent the task bare).
//!
//! Assistant turns: prose is the agent's; `<thinking>…</thinking>` is skipped; XML tool calls
//! (`<read_file><path>a.ts</path></read_file>`, `<execute_command>…`, `<replace_in_file>`, …, for
//! the tool names Cline and Roo Code define) become tool calls `{param: value}` (repeated
//! parameters become a list; Roo's `<args>` is parsed into nested objects); native `tool_use`
//! blocks become tool calls with their ids. XML calls have no ids: each gets `xml-<message>-<n>`
//! so its result pairs with it. Results have no error flag beyond a native block's `is_error`:
//! [`crate::looks_like_error`] decides ("The user denied this operation.", `<error>`, …).
//!
//! Times: with `ui_messages.json`, message *k* gets the earliest `ts` of the UI messages Cline
//! recorded with `conversationHistoryIndex` *k − 1* (those written while message *k* was being
//! produced); without that field, user turns take the times of successive `api_req_started`
//! UI messages (the first one the `task` message) and assistant turns the first UI message
//! after them. Without a UI file, a message's own `ts` (Roo Code writes one); else the file's
//! modification time. Times never decrease and, with a UI file, are never before the task
//! started.
//!
//! Session id: the task folder (the folder holding the file), else the file stem. Agent: the
//! folder above the task folder (`cline`/`roo-code`/`kilo-code` when that is the extensions'
//! `tasks` folder), else the [`Source`] fallbacks.
//!
//! Cline's "Export task" Markdown writes this history as `**User:**` / `**Assistant:**` turns;
//! [`crate::cline_markdown`] turns it back into messages and reads them here.
//!
//! A task shared as its `ui_messages.json` alone (no history beside it) is read from the UI log
//! itself, `{ts, type: say|ask, say|ask, text}` entries in order:
//!
//! | entry | event here |
//! |---|---|
//! | `say: task`, `say: user_feedback` | user message (human) |
//! | `say: text`, `say: completion_result` | agent prose |
//! | `ask: followup` | agent prose (its `question`) |
//! | `say`/`ask: tool` (JSON naming the `tool`) | a tool call with its parameters, and the `content` it showed as the result |
//! | `say`/`ask: command` | a call `execute_command` `{command}`; the `command_output` entries after it are its result ([`crate::looks_like_error`] decides a failure) |
//! | `say: error`, `error_retry`, `diff_error` | context `error` (harness) |
//! | `api_req_started` (the request Cline built, harness text included), reasoning, checkpoints, `task_progress`, resumptions and the rest | dropped |
//!
//! Times: each entry's `ts`. Session id: the folder holding the file.

use std::collections::HashMap;

use lucid_core::{Channel, Session, Timestamp, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::blocks::{is_tool_result, is_tool_use, render_result_content};
use crate::error::ImportError;
use crate::error_text::looks_like_error;
use crate::input::{self, Input, lines_to_array};
use crate::json::{kind_of, millis_time, non_blank, str_at};
use crate::session::{Builder, Origin, Speaker};
use crate::tagged::split_tags;

const FORMAT: TranscriptFormat = TranscriptFormat::Cline;

type Object = Map<String, Value>;

/// Tool names of Cline, Roo Code and Kilo Code, as XML tags in assistant text.
const TOOLS: &[&str] = &[
    "access_mcp_resource",
    "act_mode_respond",
    "apply_diff",
    "apply_patch",
    "ask_followup_question",
    "attempt_completion",
    "browser_action",
    "codebase_search",
    "condense",
    "edit_file",
    "execute_command",
    "fetch_instructions",
    "focus_chain",
    "generate_image",
    "insert_content",
    "list_code_definition_names",
    "list_files",
    "list_files_recursive",
    "list_files_top_level",
    "load_mcp_documentation",
    "new_rule",
    "new_task",
    "plan_mode_respond",
    "plan_mode_response",
    "read_file",
    "replace_in_file",
    "report_bug",
    "run_slash_command",
    "search_and_replace",
    "search_files",
    "search_replace",
    "simple_read_file",
    "summarize_task",
    "switch_mode",
    "update_todo_list",
    "use_mcp_tool",
    "view_source_code_definitions_top_level",
    "web_fetch",
    "web_search",
    "write_to_file",
];

/// Wrappers around what the person typed.
const HUMAN_TAGS: &[&str] = &["task", "feedback", "answer", "user_message"];
/// Wrappers around harness text, with their labels.
const HARNESS_TAGS: &[(&str, &str)] = &[
    ("environment_details", "environment_details"),
    ("task_progress", "task_progress"),
    ("explicit_instructions", "instructions"),
];
/// Wrappers around content an @-mention pulled in (files, pages, terminal output).
const MENTION_TAGS: &[&str] = &[
    "file_content",
    "folder_content",
    "url_content",
    "terminal_output",
    "workspace_diagnostics",
    "git_working_changes",
    "git_commit",
];

/// Every wrapper a user turn is split at.
const USER_TAGS: &[&str] = &[
    "task",
    "feedback",
    "answer",
    "user_message",
    "environment_details",
    "task_progress",
    "explicit_instructions",
    "file_content",
    "folder_content",
    "url_content",
    "terminal_output",
    "workspace_diagnostics",
    "git_working_changes",
    "git_commit",
];

/// Imports a Cline / Roo Code task: the bytes of its `api_conversation_history.json` and, when
/// there is one, of the sibling `ui_messages.json` (used for times only; a UI file that does not
/// parse is ignored). See the module documentation for the mapping.
pub fn import_cline_task(
    api: &[u8],
    ui: Option<&[u8]>,
    source: &Source,
) -> Result<Session, ImportError> {
    let text = input::decode(api)?;
    let input = input::read(text)?;
    let ui = ui.and_then(read_ui_messages);
    import_with_ui(input, ui.as_deref(), source)
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    import_with_ui(input, None, source)
}

fn import_with_ui(
    input: Input<'_>,
    ui: Option<&[UiMessage]>,
    source: &Source<'_>,
) -> Result<Session, ImportError> {
    let document = match input {
        Input::Document(value) => value,
        Input::Lines(text) => lines_to_array(text)?,
    };
    let messages = match document {
        Value::Array(items) if ui.is_none() && is_ui_log(&items) => {
            return import_ui_log(items, source);
        }
        Value::Array(messages) => messages,
        other => {
            return Err(ImportError::WrongShape {
                format: FORMAT,
                reason: format!(
                    "expected a JSON array of messages (api_conversation_history.json), found {}",
                    kind_of(&other)
                ),
            });
        }
    };
    let times = message_times(&messages, ui, source.modified);
    let mut builder = Builder::new(FORMAT, source);
    let (task, agent) = task_and_agent(source.path);
    if let Some(task) = task {
        builder.set_session_id(task);
    }
    if let Some(agent) = agent {
        let mut fields = Object::new();
        fields.insert("agent".into(), Value::String(agent));
        builder.offer_agent_from(&fields);
    }
    let mut turns = Turns::default();
    for (index, message) in messages.into_iter().enumerate() {
        let Value::Object(mut message) = message else {
            continue;
        };
        let origin = Origin {
            at: times.get(index).copied().flatten(),
            source_id: None,
        };
        let content = message.remove("content").unwrap_or(Value::Null);
        match str_at(&message, "role") {
            Some("assistant") => turns.assistant(&mut builder, origin, index, content),
            Some("user") | None => turns.user(&mut builder, origin, content),
            Some(other) => {
                let text = render_result_content(content);
                builder.text(origin, Speaker::Context(other), text);
            }
        }
    }
    builder.finish()
}

/// Whether a JSON array is a Cline UI log (`ui_messages.json`): entries with a `ts` and a
/// `type` of `say` or `ask`.
pub(crate) fn is_ui_log(items: &[Value]) -> bool {
    let sample: Vec<&Object> = items.iter().take(8).filter_map(Value::as_object).collect();
    !sample.is_empty()
        && sample.iter().all(|item| {
            item.contains_key("ts") && matches!(str_at(item, "type"), Some("say" | "ask"))
        })
}

/// A task read from its UI log alone (see the module doc).
fn import_ui_log(items: Vec<Value>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    let mut folders = source
        .path
        .split(['/', '\\'])
        .rev()
        .filter(|s| !s.is_empty());
    if folders.next().is_some_and(|name| UI_FILES.contains(&name))
        && let Some(task) = folders.next()
    {
        builder.set_session_id(task);
    }
    // The command whose output entries follow: its call id and the output so far.
    let mut command: Option<(String, Origin<'static>, String)> = None;
    let mut calls = 0usize;
    let finish_command =
        |builder: &mut Builder<'_>, command: &mut Option<(String, Origin<'static>, String)>| {
            if let Some((id, origin, output)) = command.take() {
                let failed = looks_like_error(&output);
                builder.tool_result(origin, Some(&id), None, output, failed);
            }
        };
    for item in items.iter().filter_map(Value::as_object) {
        let origin = Origin {
            at: item.get("ts").and_then(millis_time),
            source_id: None,
        };
        let text = str_at(item, "text").unwrap_or("").to_string();
        let kind = (
            str_at(item, "type"),
            str_at(item, "say").or(str_at(item, "ask")),
        );
        let (_, Some(what)) = kind else { continue };
        if matches!(what, "command_output") {
            if let Some((_, _, output)) = command.as_mut() {
                if !output.is_empty() {
                    output.push('\n');
                }
                output.push_str(&text);
            }
            continue;
        }
        finish_command(&mut builder, &mut command);
        match what {
            "task" | "user_feedback" => builder.text(origin, Speaker::User, text),
            "text" | "completion_result" => builder.text(origin, Speaker::Agent, text),
            "followup" => {
                let question = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| {
                        v.get("question")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .unwrap_or(text);
                builder.text(origin, Speaker::Agent, question);
            }
            "tool" => {
                let Ok(Value::Object(mut call)) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                let Some(name) = str_at(&call, "tool").map(str::to_string) else {
                    continue;
                };
                calls += 1;
                let id = format!("ui-{calls}");
                let shown = call.remove("content");
                call.remove("tool");
                builder.tool_call(origin, Some(&id), &name, Value::Object(call));
                if let Some(Value::String(content)) = shown {
                    let failed = looks_like_error(&content);
                    builder.tool_result(origin, Some(&id), None, content, failed);
                }
            }
            "command" => {
                calls += 1;
                let id = format!("ui-{calls}");
                let mut input = Object::new();
                input.insert("command".into(), Value::String(text));
                builder.tool_call(origin, Some(&id), "execute_command", Value::Object(input));
                command = Some((
                    id,
                    Origin {
                        at: origin.at,
                        source_id: None,
                    },
                    String::new(),
                ));
            }
            "error" | "error_retry" | "diff_error" => {
                builder.text(origin, Speaker::Context("error"), text);
            }
            _ => {}
        }
    }
    finish_command(&mut builder, &mut command);
    builder.finish()
}

/// The file name Cline gives a task's history.
pub const HISTORY_FILE: &str = "api_conversation_history.json";

/// The names of the UI log beside it, newest first (`claude_messages.json` in early versions).
pub const UI_FILES: &[&str] = &["ui_messages.json", "claude_messages.json"];

/// The task id (the folder holding the file) and the agent (see the module doc) from a path;
/// neither for a file not named [`HISTORY_FILE`] (a history saved elsewhere is no task folder).
fn task_and_agent(path: &str) -> (Option<&str>, Option<String>) {
    let mut segments = path.split(['/', '\\']).rev().filter(|s| !s.is_empty());
    if segments.next() != Some(HISTORY_FILE) {
        return (None, None);
    }
    let mut folders = segments;
    let task = folders.next().and_then(non_blank);
    let agent = match folders.next() {
        Some("tasks") => folders.next().and_then(extension_agent),
        Some(folder) => non_blank(folder).map(str::to_string),
        None => None,
    };
    (task, agent)
}

/// The agent a VS Code extension's storage folder stands for.
fn extension_agent(folder: &str) -> Option<String> {
    let folder = folder.to_ascii_lowercase();
    let agent = match folder.as_str() {
        "saoudrizwan.claude-dev" | ".cline" | "cline" => "cline",
        "rooveterinaryinc.roo-cline" | "roo-code" => "roo-code",
        "kilocode.kilo-code" | "kilo-code" => "kilo-code",
        _ => return None,
    };
    Some(agent.to_string())
}

/// Whether a JSON array is a Cline / Roo Code conversation history: role-bearing messages, and
/// a user turn with one of Cline's own marks (a `<task>` or `<environment_details>` wrapper, a
/// `[tool] Result:` header, or a `<feedback>`/`<answer>`/`<user_message>` wrapper opening a
/// text block). Plain chat logs have none of these.
pub(crate) fn is_cline_history(items: &[Value]) -> bool {
    items
        .iter()
        .take(64)
        .filter_map(Value::as_object)
        .filter(|message| str_at(message, "role") == Some("user"))
        .any(|message| user_texts(message).any(has_cline_mark))
}

fn user_texts(message: &Object) -> impl Iterator<Item = &str> {
    let blocks: &[Value] = match message.get("content") {
        Some(Value::Array(blocks)) => blocks,
        Some(content @ Value::String(_)) => std::slice::from_ref(content),
        _ => &[],
    };
    blocks.iter().filter_map(|block| match block {
        Value::String(text) => Some(text.as_str()),
        Value::Object(block) if str_at(block, "type").is_none_or(|kind| kind == "text") => {
            str_at(block, "text")
        }
        _ => None,
    })
}

fn has_cline_mark(text: &str) -> bool {
    let start = text.trim_start();
    ["<task>", "<feedback>", "<answer>", "<user_message>"]
        .iter()
        .any(|tag| start.starts_with(tag))
        || (text.contains("<environment_details>") && text.contains("</environment_details>"))
        || result_header(text).is_some()
}

/// `[read_file for 'src/a.ts'] Result:` (and `[attempt_completion] Result:`): the tool's name
/// and whatever follows the header line. The header ends at the first `] Result:` that ends a
/// line (a malformed call can put a newline inside the quoted parameter), within the first
/// [`HEADER_LIMIT`] bytes.
fn result_header(text: &str) -> Option<(&str, &str)> {
    const MARK: &str = "] Result:";
    let text = text.trim_start();
    let inside = text.strip_prefix('[')?;
    let window = inside
        .get(..inside.len().min(HEADER_LIMIT))
        .unwrap_or(inside);
    let end = window.match_indices(MARK).map(|(at, _)| at).find(|&at| {
        inside
            .get(at + MARK.len()..)
            .is_some_and(|after| after.is_empty() || after.starts_with(['\n', '\r']))
    })?;
    let header = inside.get(..end)?;
    let rest = inside.get(end + MARK.len()..)?;
    let rest = rest.strip_prefix('\r').unwrap_or(rest);
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    let name_end = header
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(header.len());
    let name = header.get(..name_end)?;
    let after = header.get(name_end..)?;
    (!name.is_empty() && (after.is_empty() || after.starts_with(' '))).then_some((name, rest))
}

/// How far into a text block a result header may end.
const HEADER_LIMIT: usize = 2048;

/// The conversation walk: calls awaiting results, and the result being collected.
#[derive(Default)]
struct Turns {
    /// Calls of the last assistant turn not answered yet: (call id, tool name).
    pending: Vec<(String, String)>,
    /// Whether a user turn was seen (the first one may be a bare task).
    seen_user: bool,
}

/// A tool result being collected from a user turn's blocks.
struct OpenResult {
    call_id: Option<String>,
    /// Whether the call id is the file's own (a native block's), not one given to an XML call.
    native_id: bool,
    tool: Option<String>,
    content: String,
    flagged_error: bool,
}

impl Turns {
    fn assistant(
        &mut self,
        builder: &mut Builder<'_>,
        origin: Origin<'_>,
        index: usize,
        content: Value,
    ) {
        self.pending.clear();
        let blocks = match content {
            Value::Array(blocks) => blocks,
            other => vec![other],
        };
        let mut xml_calls = 0usize;
        for block in blocks {
            match block {
                Value::String(text) => {
                    self.assistant_text(builder, origin, index, &mut xml_calls, &text);
                }
                Value::Object(mut block) => {
                    let kind = str_at(&block, "type").unwrap_or("text").to_string();
                    if kind == "text" {
                        if let Some(Value::String(text)) = block.remove("text") {
                            self.assistant_text(builder, origin, index, &mut xml_calls, &text);
                        }
                    } else if is_tool_use(&kind) {
                        let name = str_at(&block, "name").unwrap_or(&kind).to_string();
                        let id = str_at(&block, "id").map(str::to_string);
                        let input = block.remove("input").unwrap_or(Value::Null);
                        let origin = Origin {
                            source_id: id.as_deref(),
                            ..origin
                        };
                        builder.tool_call(origin, id.as_deref(), &name, input);
                        if let Some(id) = id {
                            self.pending.push((id, name));
                        }
                    }
                    // thinking, reasoning, images: nothing to keep.
                }
                _ => {}
            }
        }
    }

    fn assistant_text(
        &mut self,
        builder: &mut Builder<'_>,
        origin: Origin<'_>,
        index: usize,
        xml_calls: &mut usize,
        text: &str,
    ) {
        for part in parse_assistant_text(text) {
            match part {
                AssistantPart::Prose(prose) => {
                    builder.text(origin, Speaker::Agent, prose.trim().to_string());
                }
                AssistantPart::Call(name, input) => {
                    *xml_calls += 1;
                    let id = format!("xml-{index}-{xml_calls}");
                    builder.tool_call(origin, Some(&id), name, Value::Object(input));
                    self.pending.push((id, name.to_string()));
                }
            }
        }
    }

    fn user(&mut self, builder: &mut Builder<'_>, origin: Origin<'_>, content: Value) {
        let first = !self.seen_user;
        self.seen_user = true;
        let blocks = match content {
            Value::Array(blocks) => blocks,
            other => vec![other],
        };
        // The directory the task ran in, from the first environment details that name it.
        for text in blocks.iter().filter_map(block_text) {
            builder.offer_started_in(working_directory(text));
        }
        // A first turn with no wrapper and no result is a bare task: the person's.
        let bare_task = first
            && !blocks.iter().any(|block| {
                block_text(block).is_some_and(|text| {
                    result_header(text).is_some()
                        || split_tags(text, USER_TAGS)
                            .iter()
                            .any(|span| span.tag.is_some())
                }) || block
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(is_tool_result)
            });
        let mut turn = UserTurn {
            builder,
            origin,
            pending: &mut self.pending,
            open: None,
            bare_task,
        };
        for block in blocks {
            turn.block(block);
        }
        turn.flush();
    }
}

/// The directory `<environment_details>` names: Cline's `# Current Working Directory (/home/dev/shop)
/// Files`, Roo Code's `# Current Workspace Directory (…)`.
fn working_directory(text: &str) -> Option<&str> {
    let details = &text[text.find("<environment_details>")?..];
    [
        "# Current Working Directory (",
        "# Current Workspace Directory (",
    ]
    .iter()
    .find_map(|heading| {
        let start = details.find(heading)? + heading.len();
        let rest = &details[start..];
        let end = rest.find(") Files").or_else(|| rest.find(')'))?;
        Some(rest[..end].trim()).filter(|dir| !dir.is_empty() && !dir.contains('\n'))
    })
}

fn block_text(block: &Value) -> Option<&str> {
    match block {
        Value::String(text) => Some(text),
        Value::Object(block) if str_at(block, "type").is_none_or(|kind| kind == "text") => {
            str_at(block, "text")
        }
        _ => None,
    }
}

/// One user turn being split into events.
struct UserTurn<'a, 'b, 'o> {
    builder: &'a mut Builder<'b>,
    origin: Origin<'o>,
    pending: &'a mut Vec<(String, String)>,
    open: Option<OpenResult>,
    bare_task: bool,
}

impl UserTurn<'_, '_, '_> {
    fn block(&mut self, block: Value) {
        let mut block = match block {
            Value::String(text) => return self.text_block(&text),
            Value::Object(block) => block,
            _ => return,
        };
        let kind = str_at(&block, "type").unwrap_or("text").to_string();
        if kind == "text" {
            if let Some(Value::String(text)) = block.remove("text") {
                self.text_block(&text);
            }
        } else if is_tool_result(&kind) {
            self.flush();
            let call_id = str_at(&block, "tool_use_id").map(str::to_string);
            let flagged = block.get("is_error").and_then(Value::as_bool) == Some(true);
            let content = render_result_content(block.remove("content").unwrap_or(Value::Null));
            self.open_result(call_id.as_deref(), None, flagged);
            self.text(&content);
            self.flush();
        }
        // images and documents: nothing to keep.
    }

    fn text_block(&mut self, text: &str) {
        if let Some((tool, rest)) = result_header(text) {
            self.flush();
            self.open_result(None, Some(tool), false);
            self.text(rest);
        } else if let Some(inner) = text
            .trim()
            .strip_prefix("<function_results>")
            .and_then(|rest| rest.strip_suffix("</function_results>"))
        {
            self.flush();
            self.open_result(None, None, false);
            self.text(inner);
        } else {
            self.text(text);
        }
    }

    /// Starts collecting a result, paired with the pending call it answers: by id, else the
    /// first pending call of the named tool, else (no name) the first pending call.
    fn open_result(&mut self, call_id: Option<&str>, tool: Option<&str>, flagged_error: bool) {
        let position = match (call_id, tool) {
            (Some(id), _) => self.pending.iter().position(|(pending, _)| pending == id),
            (None, Some(tool)) => self.pending.iter().position(|(_, name)| name == tool),
            (None, None) => (!self.pending.is_empty()).then_some(0),
        };
        let answered = position.map(|position| self.pending.remove(position));
        let native_id = call_id.is_some();
        let (call_id, tool) = match answered {
            Some((id, name)) => (Some(id), Some(name)),
            None => (call_id.map(str::to_string), tool.map(str::to_string)),
        };
        self.open = Some(OpenResult {
            call_id,
            native_id,
            tool,
            content: String::new(),
            flagged_error,
        });
    }

    /// Ends the result being collected, if any.
    fn flush(&mut self) {
        let Some(result) = self.open.take() else {
            return;
        };
        let content = result.content.trim().to_string();
        let is_error = result.flagged_error || looks_like_error(&content);
        let origin = Origin {
            source_id: result.call_id.as_deref().filter(|_| result.native_id),
            ..self.origin
        };
        self.builder.tool_result(
            origin,
            result.call_id.as_deref(),
            result.tool.as_deref(),
            content,
            is_error,
        );
    }

    /// Text of a user turn outside result headers: split at the wrappers. Inside a result, only
    /// the wrappers Cline itself adds end it (see [`closes_result`]): a file the agent read
    /// may hold `<task>` or a whole exported conversation, which is the file's text, not the
    /// person's words or the harness's.
    fn text(&mut self, text: &str) {
        let spans = split_tags(text, USER_TAGS);
        for (n, span) in spans.iter().enumerate() {
            if let (Some(tag), Some(open)) = (span.tag, &mut self.open) {
                let last = spans[n + 1..]
                    .iter()
                    .all(|later| later.tag.is_none() && later.raw.trim().is_empty());
                if !closes_result(tag, &open.content, last) {
                    open.content.push_str(span.raw);
                    continue;
                }
            }
            match span.tag {
                Some(tag) if HUMAN_TAGS.contains(&tag) => {
                    self.flush();
                    self.human(span.inner);
                }
                Some(tag) if MENTION_TAGS.contains(&tag) => {
                    self.flush();
                    self.mention(span.raw);
                }
                Some(tag) => {
                    self.flush();
                    let label = HARNESS_TAGS
                        .iter()
                        .find(|(name, _)| *name == tag)
                        .map_or("harness", |(_, label)| label);
                    self.builder.text(
                        self.origin,
                        Speaker::Context(label),
                        span.inner.trim().to_string(),
                    );
                }
                None => {
                    if let Some(open) = &mut self.open {
                        if !open.content.is_empty() {
                            open.content.push('\n');
                        }
                        open.content.push_str(span.inner);
                    } else if !span.inner.trim().is_empty() {
                        let plain = span.inner.trim().to_string();
                        match notice_label(&plain) {
                            None if self.bare_task => {
                                self.builder.text(self.origin, Speaker::User, plain)
                            }
                            label => self.builder.text(
                                self.origin,
                                Speaker::Context(label.unwrap_or("notice")),
                                plain,
                            ),
                        }
                    }
                }
            }
        }
    }

    /// What the person typed; @-mentions expanded inside it are content, not their words.
    fn human(&mut self, text: &str) {
        for span in split_tags(text, MENTION_TAGS) {
            match span.tag {
                Some(_) => self.mention(span.raw),
                None => {
                    self.builder
                        .text(self.origin, Speaker::User, span.inner.trim().to_string())
                }
            }
        }
    }

    fn mention(&mut self, raw: &str) {
        self.builder.text_with_channel(
            self.origin,
            Speaker::Context("mention"),
            raw.trim().to_string(),
            Channel::ToolOutput,
        );
    }
}

/// Whether a wrapper met inside a tool result is Cline's own, ending the result. Cline adds
/// them last, after what the tool returned: the person's words (`<feedback>`, `<answer>`)
/// opening the result or right after Cline's line introducing them ("The user provided the
/// following feedback:", "The user has provided feedback on the results. …"), and the
/// `<environment_details>` after everything. Any other wrapper, or one with more of the
/// result after it, is part of what the tool returned (a file that quotes a task, an exported
/// conversation the agent read, with its own feedback turns).
fn closes_result(tag: &str, result_so_far: &str, last_in_text: bool) -> bool {
    if !last_in_text {
        return false;
    }
    if HUMAN_TAGS.contains(&tag) {
        let before = result_so_far.trim_end();
        let introduced = before
            .lines()
            .next_back()
            .is_some_and(|line| line.to_ascii_lowercase().contains("the user"));
        return before.is_empty() || introduced;
    }
    tag == "environment_details"
}

/// The label of a notice Cline writes into user turns, when the text is one.
fn notice_label(text: &str) -> Option<&'static str> {
    const NOTICES: &[(&str, &str)] = &[
        ("[ERROR]", "tool_use_reminder"),
        ("# Reminder: Instructions for Tool Use", "tool_use_reminder"),
        ("[TASK RESUMPTION]", "task_resumption"),
        ("New instructions for task continuation", "task_resumption"),
        (
            "New message to respond to with plan_mode_respond",
            "task_resumption",
        ),
        ("(The user did not provide a new message", "task_resumption"),
        ("[Response interrupted", "interrupted"),
        ("# TODO LIST", "todo_list"),
        ("# task_progress", "task_progress"),
        ("The user has provided feedback", "feedback_framing"),
        (
            "The user provided the following feedback",
            "feedback_framing",
        ),
        (
            "You seem to be having trouble proceeding",
            "feedback_framing",
        ),
        (
            "In this mode you should focus on information gathering",
            "plan_mode",
        ),
        ("Tool [", "tool_skipped"),
        ("Skipping tool", "tool_skipped"),
        ("[NOTE]", "notice"),
        ("[[NOTE]", "notice"),
    ];
    NOTICES
        .iter()
        .find(|(prefix, _)| text.starts_with(prefix))
        .map(|(_, label)| *label)
}

/// A piece of assistant text.
#[derive(Debug, PartialEq)]
enum AssistantPart<'t> {
    Prose(&'t str),
    Call(&'static str, Object),
}

/// Splits assistant text into prose and XML tool calls; `<thinking>` is dropped. A call cut off
/// before its closing tag (a truncated turn) keeps the parameters that were complete.
fn parse_assistant_text(text: &str) -> Vec<AssistantPart<'_>> {
    let mut parts = Vec::new();
    let mut prose_start = 0;
    let mut cursor = 0;
    while let Some(found) = text.get(cursor..).and_then(|rest| rest.find('<')) {
        let open = cursor + found;
        let rest = text.get(open..).unwrap_or("");
        let (part, end) = if rest.starts_with("<thinking>") {
            let end = rest
                .find("</thinking>")
                .map_or(text.len(), |close| open + close + "</thinking>".len());
            (None, end)
        } else if let Some(tool) = TOOLS.iter().copied().find(|tool| {
            rest.get(1..)
                .and_then(|after| after.strip_prefix(tool))
                .is_some_and(|after| after.starts_with('>'))
        }) {
            let (input, end) = parse_params(text, open + tool.len() + 2, tool);
            (Some(AssistantPart::Call(tool, input)), end)
        } else {
            cursor = open + 1;
            continue;
        };
        push_prose(&mut parts, text.get(prose_start..open));
        parts.extend(part);
        prose_start = end;
        cursor = end;
    }
    push_prose(&mut parts, text.get(prose_start..));
    parts
}

fn push_prose<'t>(parts: &mut Vec<AssistantPart<'t>>, prose: Option<&'t str>) {
    if let Some(prose) = prose
        && !prose.trim().is_empty()
    {
        parts.push(AssistantPart::Prose(prose));
    }
}

/// Parses `<param>value</param>` children from `start` up to the tool's closing tag; returns the
/// parameters and where the call ends. Text between parameters is ignored; a parameter's value
/// ends at its first closing tag (so a closing tag of the tool inside a file's content does not
/// end the call).
fn parse_params(text: &str, start: usize, tool: &str) -> (Object, usize) {
    let closing = format!("</{tool}>");
    let mut input = Object::new();
    let mut cursor = start;
    loop {
        let Some(rest) = text.get(cursor..) else {
            return (input, text.len());
        };
        let Some(lt) = rest.find('<') else {
            return (input, text.len());
        };
        let at = cursor + lt;
        let here = text.get(at..).unwrap_or("");
        if here.starts_with(&closing) {
            return (input, at + closing.len());
        }
        let name_end = here
            .get(1..)
            .and_then(|after| after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .map(|end| end + 1);
        let param = name_end
            .filter(|&end| end > 1 && here.get(end..).is_some_and(|after| after.starts_with('>')))
            .and_then(|end| here.get(1..end));
        let Some(param) = param else {
            cursor = at + 1;
            continue;
        };
        let value_start = at + param.len() + 2;
        let param_close = format!("</{param}>");
        let Some(value_len) = text
            .get(value_start..)
            .and_then(|rest| rest.find(&param_close))
        else {
            // An unclosed parameter: the turn was cut off here.
            return (input, text.len());
        };
        let raw = text.get(value_start..value_start + value_len).unwrap_or("");
        let value = param_value(param, raw);
        match input.get_mut(param) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => {
                let first = first.take();
                input.insert(param.to_string(), Value::Array(vec![first, value]));
            }
            None => {
                input.insert(param.to_string(), value);
            }
        }
        cursor = value_start + value_len + param_close.len();
    }
}

/// A parameter's value: file contents and diffs lose one newline at each end, other values are
/// trimmed; Roo's `<args>` is parsed into nested objects.
fn param_value(param: &str, raw: &str) -> Value {
    match param {
        "content" | "diff" => {
            let value = raw.strip_prefix('\n').unwrap_or(raw);
            let value = value.strip_suffix('\n').unwrap_or(value);
            Value::String(value.to_string())
        }
        "args" => {
            nested(raw, 0).map_or_else(|| Value::String(raw.trim().to_string()), Value::Object)
        }
        _ => Value::String(raw.trim().to_string()),
    }
}

/// How deep `<args>` are parsed into objects; deeper elements stay text.
const MAX_NESTING: usize = 8;

/// `<file><path>a</path></file><file>…</file>` as `{"file": [{"path": "a"}, …]}`; `None` when
/// the text is not only elements.
fn nested(raw: &str, depth: usize) -> Option<Object> {
    let mut object = Object::new();
    let mut rest = raw.trim();
    while !rest.is_empty() {
        let after = rest.strip_prefix('<')?;
        let name_end = after.find('>')?;
        let name = after.get(..name_end)?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let body = after.get(name_end + 1..)?;
        let close = format!("</{name}>");
        let body_end = body.find(&close)?;
        let inner = body.get(..body_end)?;
        let value = if depth < MAX_NESTING && inner.trim_start().starts_with('<') {
            nested(inner, depth + 1)
                .map_or_else(|| Value::String(inner.trim().to_string()), Value::Object)
        } else {
            Value::String(inner.trim().to_string())
        };
        match object.get_mut(name) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => {
                let first = first.take();
                object.insert(name.to_string(), Value::Array(vec![first, value]));
            }
            None => {
                object.insert(name.to_string(), value);
            }
        }
        rest = body.get(body_end + close.len()..)?.trim_start();
    }
    (!object.is_empty()).then_some(object)
}

/// The fields of a `ui_messages.json` entry that times need.
#[derive(Debug, Clone, PartialEq)]
struct UiMessage {
    at: Timestamp,
    say: Option<String>,
    /// `conversationHistoryIndex`: the index of the last history message when this was written.
    history_index: Option<i64>,
}

/// The UI messages with a usable time, in file order; `None` when the bytes are not a JSON array.
fn read_ui_messages(bytes: &[u8]) -> Option<Vec<UiMessage>> {
    let text = input::decode(bytes).ok()?;
    let Value::Array(items) = serde_json::from_str::<Value>(text.trim_start()).ok()? else {
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|item| {
                let at = item.get("ts").and_then(millis_time)?;
                Some(UiMessage {
                    at,
                    say: str_at(item, "say").map(str::to_string),
                    history_index: item.get("conversationHistoryIndex").and_then(Value::as_i64),
                })
            })
            .collect(),
    )
}

/// One time per history message (see the module doc), never decreasing.
fn message_times(
    messages: &[Value],
    ui: Option<&[UiMessage]>,
    modified: Option<Timestamp>,
) -> Vec<Option<Timestamp>> {
    let raw: Vec<Option<Timestamp>> = match ui.filter(|ui| !ui.is_empty()) {
        Some(ui) if ui.iter().any(|message| message.history_index.is_some()) => {
            let mut earliest: HashMap<i64, Timestamp> = HashMap::new();
            for message in ui {
                if let Some(index) = message.history_index {
                    let slot = earliest.entry(index).or_insert(message.at);
                    *slot = (*slot).min(message.at);
                }
            }
            (0..messages.len())
                .map(|k| earliest.get(&(k as i64 - 1)).copied())
                .collect()
        }
        Some(ui) => times_by_requests(messages, ui),
        None => messages
            .iter()
            .map(|message| message.get("ts").and_then(millis_time).or(modified))
            .collect(),
    };
    let start = ui.and_then(|ui| ui.iter().map(|message| message.at).min());
    let mut last = start;
    raw.into_iter()
        .map(|at| {
            let at = match (at, last) {
                (Some(at), Some(last)) => Some(at.max(last)),
                (at, last) => at.or(last),
            };
            last = at;
            at
        })
        .collect()
}

/// Times from the order of API requests: the *j*-th user turn was sent with the *j*-th
/// `api_req_started` (the first one typed at the `task` message), and the *j*-th assistant turn
/// began with the first UI message after that request.
fn times_by_requests(messages: &[Value], ui: &[UiMessage]) -> Vec<Option<Timestamp>> {
    let requests: Vec<usize> = ui
        .iter()
        .enumerate()
        .filter(|(_, message)| message.say.as_deref() == Some("api_req_started"))
        .map(|(position, _)| position)
        .collect();
    let task = ui
        .iter()
        .find(|message| message.say.as_deref() == Some("task"))
        .map(|message| message.at);
    let (mut users, mut assistants) = (0usize, 0usize);
    messages
        .iter()
        .map(|message| {
            if message.get("role").and_then(Value::as_str) == Some("assistant") {
                let request = requests.get(assistants).copied();
                assistants += 1;
                let after = request.and_then(|position| {
                    ui.get(position + 1..)?
                        .iter()
                        .find(|message| message.say.as_deref() != Some("api_req_started"))
                        .map(|message| message.at)
                });
                let next_request = requests
                    .get(assistants)
                    .and_then(|p| ui.get(*p))
                    .map(|m| m.at);
                match (after, next_request) {
                    (Some(after), Some(next)) if after > next => Some(next),
                    (Some(after), _) => Some(after),
                    (None, _) => request.and_then(|p| ui.get(p)).map(|m| m.at),
                }
            } else {
                let at = match (users, task) {
                    (0, Some(task)) => Some(task),
                    _ => requests.get(users).and_then(|p| ui.get(*p)).map(|m| m.at),
                };
                users += 1;
                at
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn result_headers() {
        assert_eq!(
            result_header("[read_file for 'src/a.ts'] Result:"),
            Some(("read_file", ""))
        );
        assert_eq!(
            result_header("[execute_command for 'npm test'] Result:\nok"),
            Some(("execute_command", "ok"))
        );
        assert_eq!(
            result_header("[attempt_completion] Result:"),
            Some(("attempt_completion", ""))
        );
        assert_eq!(result_header("[x] Result: inline"), None);
        assert_eq!(result_header("[] Result:"), None);
        assert_eq!(result_header("See [docs] Result:"), None);
        assert_eq!(result_header("[a.b] Result:"), None);
        assert_eq!(
            result_header(
                "[read_file for 'a.py>\n</read_file>'] Result:\nThe tool execution failed"
            ),
            Some(("read_file", "The tool execution failed")),
            "a header broken over lines by a malformed call"
        );
        assert_eq!(
            result_header("[read_file] Result:\n<!DOCTYPE html>"),
            Some(("read_file", "<!DOCTYPE html>"))
        );
    }

    #[test]
    fn xml_calls_and_prose() {
        let text = "<thinking>Need the file.</thinking>\nLet me read it.\n\n<read_file>\n<path>src/a.ts</path>\n</read_file>";
        let parts = parse_assistant_text(text);
        assert_eq!(parts.len(), 2);
        assert!(matches!(parts[0], AssistantPart::Prose(p) if p.trim() == "Let me read it."));
        assert_eq!(
            parts[1],
            AssistantPart::Call(
                "read_file",
                json!({"path": "src/a.ts"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            )
        );
    }

    #[test]
    fn file_content_keeps_tags_and_newlines() {
        let text = "<write_to_file>\n<path>a.html</path>\n<content>\n<read_file><path>x</path></read_file>\n</write_to_file>\n</content>\n</write_to_file>";
        let parts = parse_assistant_text(text);
        assert_eq!(parts.len(), 1);
        let AssistantPart::Call(name, input) = &parts[0] else {
            panic!("a call: {parts:?}");
        };
        assert_eq!(*name, "write_to_file");
        assert_eq!(
            input.get("content").and_then(Value::as_str),
            Some("<read_file><path>x</path></read_file>\n</write_to_file>")
        );
    }

    #[test]
    fn roo_args_nest_and_repeat() {
        let text = "<read_file><args><file><path>a.rs</path></file><file><path>b.rs</path><line_range>1-9</line_range></file></args></read_file>";
        let parts = parse_assistant_text(text);
        let AssistantPart::Call(_, input) = &parts[0] else {
            panic!("a call");
        };
        assert_eq!(
            Value::Object(input.clone()),
            json!({"args": {"file": [{"path": "a.rs"}, {"path": "b.rs", "line_range": "1-9"}]}})
        );
    }

    #[test]
    fn deep_args_stay_text_past_the_limit() {
        let deep = format!("{}x{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let text = format!("<read_file><args>{deep}</args></read_file>");
        let parts = parse_assistant_text(&text);
        assert!(
            matches!(&parts[0], AssistantPart::Call("read_file", input) if input.contains_key("args"))
        );
    }

    #[test]
    fn truncated_and_unknown_tags() {
        let parts = parse_assistant_text("Running.\n<execute_command>\n<command>npm te");
        assert_eq!(parts.len(), 2);
        assert!(
            matches!(&parts[1], AssistantPart::Call("execute_command", input) if input.is_empty())
        );
        let parts = parse_assistant_text("Use <div> and <read_files>x</read_files>.");
        assert_eq!(
            parts,
            [AssistantPart::Prose(
                "Use <div> and <read_files>x</read_files>."
            )]
        );
    }

    #[test]
    fn task_and_agent_from_paths() {
        assert_eq!(
            task_and_agent(
                "/h/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1712/api_conversation_history.json"
            ),
            (Some("1712"), Some("cline".to_string()))
        );
        assert_eq!(
            task_and_agent("fleet/web-bot/1712/api_conversation_history.json"),
            (Some("1712"), Some("web-bot".to_string()))
        );
        assert_eq!(
            task_and_agent("1712/api_conversation_history.json"),
            (Some("1712"), None)
        );
        assert_eq!(
            task_and_agent("api_conversation_history.json"),
            (None, None)
        );
        assert_eq!(
            task_and_agent("x/tasks/1/api_conversation_history.json"),
            (Some("1"), None)
        );
        assert_eq!(task_and_agent("fleet/bot/history.json"), (None, None));
    }

    #[test]
    fn times_follow_history_indexes_and_never_decrease() {
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms);
        let ui = |ms: i64, say: &str, index: Option<i64>| UiMessage {
            at: at(ms).unwrap_or_default(),
            say: Some(say.to_string()),
            history_index: index,
        };
        let messages: Vec<Value> = (0..4)
            .map(|k| json!({"role": if k % 2 == 0 { "user" } else { "assistant" }}))
            .collect();
        let indexed = [
            ui(1000, "task", Some(-1)),
            ui(1100, "api_req_started", Some(-1)),
            ui(2000, "text", Some(0)),
            ui(3000, "tool", Some(1)),
            ui(2500, "api_req_started", Some(1)),
        ];
        assert_eq!(
            message_times(&messages, Some(&indexed), None),
            [at(1000), at(2000), at(2500), at(2500)],
            "message 3 has no UI message: the time before it"
        );
        let ordered = [
            ui(1000, "task", None),
            ui(1100, "api_req_started", None),
            ui(1500, "text", None),
            ui(2000, "api_req_started", None),
            ui(2600, "completion_result", None),
        ];
        assert_eq!(
            message_times(&messages, Some(&ordered), None),
            [at(1000), at(1500), at(2000), at(2600)]
        );
        let own: Vec<Value> = vec![
            json!({"role": "user", "ts": 5000}),
            json!({"role": "assistant", "ts": 4000}),
        ];
        assert_eq!(message_times(&own, None, None), [at(5000), at(5000)]);
    }
}
