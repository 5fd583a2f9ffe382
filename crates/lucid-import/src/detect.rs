//! Recognising a transcript's format from its content (never from the file name).
//!
//! JSON Lines files are recognised by their first records (up to [`SAMPLE_LINES`]): Claude Code
//! records carry `sessionId`/`parentUuid` or Claude Code record types, Managed Agents events
//! dotted types like `agent.message` or `sevt_` ids, Codex rollouts `response_item`/`session_meta`
//! envelopes (or bare Responses items). Single documents are recognised by their top level.
//!
//! `{"messages": […]}` is both an Anthropic Messages and an OpenAI Chat request. It is OpenAI
//! Chat when a message has role `tool`/`system`/`developer`/`function`, `tool_calls`,
//! `function_call` or `tool_call_id`, or a content part of an OpenAI type (`image_url`,
//! `input_text`, …), or the top level has `created`/`choices`; it is Anthropic when a content
//! block is `tool_use`/`tool_result`/`thinking`-like (which wins over the OpenAI markers). Plain
//! text with no marker either way is taken as Anthropic Messages — it imports the same events
//! either way, only the recorded format differs.
//!
//! A bare array of messages is a Cline / Roo Code `api_conversation_history.json` when a user
//! turn carries Cline's own marks (`<task>`, `<environment_details>`, `[tool] Result:`, …; see
//! the `cline` module); an object is a SWE-agent trajectory when it has a `history` of
//! SWE-agent messages (`message_type`, `is_demo`, `agent`) or next to `trajectory`/`info`, a
//! `trajectory` of steps with `action`, or is a mini-swe-agent trajectory (`trajectory_format`
//! `mini-swe-agent-…`, or `messages` with an `info.mini_version`). A bare array of events with
//! OpenHands' `source` (`user`/`agent`/`environment`) and an `action` or `observation` is an
//! OpenHands trajectory. JSON Lines records in Copilot CLI's `{type, data, parentId}` envelope
//! are Copilot CLI events, checked before Managed Agents because the dotted types overlap.
//!
//! Text that is not JSON is an aider chat transcript when it has aider's header or typed lines
//! next to aider's own output (see the `aider` module); any other text is no transcript.

use lucid_core::TranscriptFormat;
use serde_json::{Map, Value};

use crate::error::{ImportError, describe_json_error};
use crate::input::{self, Input};
use crate::json::{kind_of, str_at};

type Object = Map<String, Value>;

/// How many records of a JSON Lines file are looked at.
const SAMPLE_LINES: usize = 64;

/// The format of a transcript, recognised from its content; `None` when it is not one lucid
/// reads (or not text at all).
pub fn detect_format(bytes: &[u8]) -> Option<TranscriptFormat> {
    let text = input::decode(bytes).ok()?;
    if crate::specstory::is_transcript(text) {
        return Some(TranscriptFormat::SpecStory);
    }
    if crate::cline_markdown::is_export(text) {
        return Some(TranscriptFormat::Cline);
    }
    if crate::aider::is_transcript(text) {
        return Some(TranscriptFormat::Aider);
    }
    let input = input::read(text).ok()?;
    detect_input(&input).ok()
}

/// A clearer reason for text that is not JSON at all (Markdown notes, logs) — a file read as JSON
/// Lines whose first character is not `{` or `[`: it is neither a JSON transcript nor an aider
/// chat transcript, the one text format lucid reads.
pub(crate) fn explain_text(text: &str, error: ImportError) -> ImportError {
    let json_like = text.trim_start().starts_with(['{', '[']);
    match error {
        ImportError::UnrecognisedFormat { .. } if !json_like => ImportError::UnrecognisedFormat {
            reason: "text that is not JSON and not an aider chat transcript (Markdown is read \
                     only as aider's chat history: `#### ` lines typed by a person next to \
                     aider's `> ` output, or a `# aider chat started at` header; as a \
                     SpecStory export; or as Cline's task export)"
                .to_string(),
        },
        other => other,
    }
}

/// The format of parsed input, or why none was recognised.
pub(crate) fn detect_input(input: &Input<'_>) -> Result<TranscriptFormat, ImportError> {
    let unrecognised = |reason: String| ImportError::UnrecognisedFormat { reason };
    match input {
        Input::Document(document) => detect_document(document).map_err(unrecognised),
        Input::Lines(text) => detect_lines(text),
    }
}

/// Lines that are not JSON which format detection reads past before it gives up.
const MAX_GARBLED_SAMPLED: usize = 2;

fn detect_lines(text: &str) -> Result<TranscriptFormat, ImportError> {
    let mut sampled: Vec<Value> = Vec::new();
    let mut failure = None;
    let mut garbled = 0usize;
    let mut lines = input::record_lines(text).peekable();
    while let Some((number, line)) = lines.next() {
        if sampled.len() >= SAMPLE_LINES {
            break;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(record)) => {
                if let Some(format) = detect_record(&record) {
                    return Ok(format);
                }
                sampled.push(Value::Object(record));
            }
            Ok(other) => {
                failure = Some(format!(
                    "line {number} is {}, not a JSON object",
                    kind_of(&other)
                ));
                break;
            }
            // A truncated last line is no evidence either way.
            Err(error) if lines.peek().is_none() && input::ends_mid_value(&error, line) => break,
            Err(error) => {
                // A garbled line or two (a crash, a bad copy) hides nothing: the records after
                // it may still say the format, and the importer then names the line.
                garbled += 1;
                failure.get_or_insert_with(|| {
                    format!(
                        "line {number} is not JSON ({})",
                        describe_json_error(&error)
                    )
                });
                if garbled > MAX_GARBLED_SAMPLED {
                    break;
                }
            }
        }
    }
    // Chat messages saved one per line.
    if !sampled.is_empty() && sampled.iter().all(|record| record.get("role").is_some()) {
        return Ok(chat_or_messages(&sampled, None));
    }
    let reason = match (sampled.first().and_then(Value::as_object), failure) {
        (None, Some(failure)) => failure,
        (Some(first), _) => format!(
            "JSON Lines whose records match no known format (first record has {})",
            describe_keys(first)
        ),
        (None, None) => "JSON Lines with no complete record".to_string(),
    };
    Err(ImportError::UnrecognisedFormat { reason })
}

/// The format a single record (a JSON Lines line or an array element) belongs to, when it says.
fn detect_record(record: &Object) -> Option<TranscriptFormat> {
    // Before Copilot CLI: OpenClaw's `custom` records have a `{type, data, parentId}` envelope
    // too; its session header and `message` records do not.
    if crate::openclaw::is_record(record) {
        return Some(TranscriptFormat::OpenClaw);
    }
    // Before Managed Agents: Copilot's dotted types (`session.start`, `user.message`) overlap
    // theirs, its `{type, data, parentId}` envelope does not.
    if crate::copilot_cli::is_event(record) {
        return Some(TranscriptFormat::CopilotCli);
    }
    if crate::antigravity::is_step(record) {
        return Some(TranscriptFormat::Antigravity);
    }
    // Before Claude Code: a Gemini CLI log's header has a `sessionId` too.
    if crate::gemini_cli::is_record(record) {
        return Some(TranscriptFormat::GeminiCli);
    }
    let kind = str_at(record, "type");
    if record.contains_key("payload")
        && matches!(
            kind,
            Some("session_meta" | "response_item" | "turn_context" | "event_msg" | "compacted")
        )
    {
        return Some(TranscriptFormat::OpenaiResponses);
    }
    if record.contains_key("sessionId")
        || record.contains_key("parentUuid")
        || record.contains_key("leafUuid")
        || matches!(kind, Some("file-history-snapshot" | "queue-operation"))
        || (kind == Some("summary") && record.contains_key("summary"))
        || (matches!(kind, Some("user" | "assistant" | "system")) && record.contains_key("uuid"))
        // A headless run's stream (`claude -p --output-format stream-json`, also what
        // claude-code-action logs): snake_case `session_id` on every record.
        || (matches!(kind, Some("user" | "assistant" | "system" | "result"))
            && record.contains_key("session_id")
            && (record.contains_key("message") || record.contains_key("subtype")))
    {
        return Some(TranscriptFormat::ClaudeCode);
    }
    if let Some(kind) = kind
        && let Some((domain, action)) = kind.split_once('.')
        && matches!(domain, "user" | "agent" | "session" | "span")
        && !action.is_empty()
    {
        return Some(TranscriptFormat::ManagedAgents);
    }
    if str_at(record, "id").is_some_and(|id| id.starts_with("sevt_")) {
        return Some(TranscriptFormat::ManagedAgents);
    }
    if let Some(kind) = kind
        && (kind == "reasoning"
            || kind.ends_with("_call")
            || kind.ends_with("_call_output")
            || (kind == "message" && has_block_of(record, RESPONSES_BLOCKS)))
    {
        return Some(TranscriptFormat::OpenaiResponses);
    }
    // An older Codex rollout: first line is the bare session meta, later lines bare items.
    if kind.is_none()
        && record.contains_key("id")
        && record.contains_key("timestamp")
        && (record.contains_key("instructions") || record.contains_key("git"))
    {
        return Some(TranscriptFormat::OpenaiResponses);
    }
    if record.get("record_type").is_some() {
        return Some(TranscriptFormat::OpenaiResponses);
    }
    None
}

/// Content block types only the Responses API uses.
const RESPONSES_BLOCKS: &[&str] = &["input_text", "output_text", "input_image", "input_file"];

/// Content block types only Anthropic uses.
const ANTHROPIC_BLOCKS: &[&str] = &[
    "tool_use",
    "tool_result",
    "thinking",
    "redacted_thinking",
    "server_tool_use",
    "mcp_tool_use",
    "mcp_tool_result",
    "web_search_tool_result",
    "document",
];

/// Content part types only OpenAI uses.
const OPENAI_PARTS: &[&str] = &[
    "image_url",
    "input_text",
    "output_text",
    "input_audio",
    "input_image",
    "input_file",
    "file",
    "refusal",
];

fn has_block_of(message: &Object, kinds: &[&str]) -> bool {
    let of_kind = |block: &Value| {
        block
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| kinds.contains(&kind))
    };
    match message.get("content") {
        Some(Value::Array(blocks)) => blocks.iter().any(of_kind),
        // Some writers store a lone block instead of a one-element list.
        Some(block @ Value::Object(_)) => of_kind(block),
        _ => false,
    }
}

fn detect_document(document: &Value) -> Result<TranscriptFormat, String> {
    match document {
        Value::Array(items) => detect_items(items),
        Value::Object(object) => detect_object(object),
        other => Err(format!(
            "the file's JSON is {}, not an object or array",
            kind_of(other)
        )),
    }
}

fn detect_items(items: &[Value]) -> Result<TranscriptFormat, String> {
    if items.is_empty() {
        return Err("an empty JSON array".to_string());
    }
    if crate::cline::is_cline_history(items) || crate::cline::is_ui_log(items) {
        return Ok(TranscriptFormat::Cline);
    }
    if crate::openhands::is_event_list(items) {
        return Ok(TranscriptFormat::OpenHands);
    }
    // Before Claude Code, whose records carry a `sessionId` too.
    if crate::gemini_cli::is_prompt_log(items) {
        return Err(
            "a Gemini CLI prompt log (`logs.json`): the prompts alone, which the chat \
                    files under `chats/` hold with the replies; not read, so that no prompt \
                    counts twice"
                .to_string(),
        );
    }
    let sample = items.iter().take(SAMPLE_LINES);
    if let Some(format) = sample
        .clone()
        .filter_map(Value::as_object)
        .find_map(detect_record)
    {
        return Ok(format);
    }
    if sample.clone().any(|item| item.get("role").is_some()) {
        return Ok(chat_or_messages(items, None));
    }
    Err(match items.first() {
        Some(Value::Object(first)) => format!(
            "a JSON array whose elements match no known format (first element has {})",
            describe_keys(first)
        ),
        Some(other) => format!("a JSON array of {}", plural_kind(other)),
        None => "an empty JSON array".to_string(),
    })
}

fn detect_object(object: &Object) -> Result<TranscriptFormat, String> {
    // Before `messages`: a mini-swe-agent trajectory has a `messages` list too.
    if crate::swe_agent::is_trajectory(object) {
        return Ok(TranscriptFormat::SweAgent);
    }
    // A page of the Managed Agents events list.
    if let Some(Value::Array(data)) = object.get("data") {
        let is_events = data
            .iter()
            .take(SAMPLE_LINES)
            .filter_map(Value::as_object)
            .any(|event| detect_record(event) == Some(TranscriptFormat::ManagedAgents));
        if is_events || (data.is_empty() && object.contains_key("next_page")) {
            return Ok(TranscriptFormat::ManagedAgents);
        }
    }
    // A Responses API object.
    if str_at(object, "object") == Some("response")
        || object.get("output").is_some_and(Value::is_array)
    {
        return Ok(TranscriptFormat::OpenaiResponses);
    }
    // A request/response pair: the response says the most.
    if let Some(Value::Object(request)) = object.get("request") {
        if let Some(Value::Object(response)) = object.get("response") {
            if response.contains_key("choices") {
                return Ok(TranscriptFormat::OpenaiChat);
            }
            if str_at(response, "object") == Some("response") || response.contains_key("output") {
                return Ok(TranscriptFormat::OpenaiResponses);
            }
            if str_at(response, "type") == Some("message") || response.contains_key("stop_reason") {
                return Ok(TranscriptFormat::AnthropicMessages);
            }
        }
        return detect_object(request);
    }
    if object.contains_key("choices") || str_at(object, "object") == Some("chat.completion") {
        return Ok(TranscriptFormat::OpenaiChat);
    }
    // OpenHands Cloud's conversation export: the conversation's metadata and its events.
    if let Some(Value::Array(events)) = object.get("events")
        && crate::openhands::is_event_list(events)
    {
        return Ok(TranscriptFormat::OpenHands);
    }
    // Before `messages`: a Gemini CLI chat's messages carry a `type`, not a `role`.
    if crate::gemini_cli::is_chat(object) {
        return Ok(TranscriptFormat::GeminiCli);
    }
    // Before `messages`: an OpenCode export's messages are `{info, parts}`, not chat messages.
    if crate::opencode::is_export(object) {
        return Ok(TranscriptFormat::OpenCode);
    }
    // GitHub Copilot CLI's earlier session state (`history-session-state/session_<id>_<ms>.json`,
    // 2025): OpenAI chat messages under `chatMessages`, beside `sessionId` and `startTime`.
    if let Some(Value::Array(messages)) = object.get("chatMessages") {
        return Ok(chat_or_messages(messages, Some(object)));
    }
    if let Some(messages) = object.get("messages") {
        return match messages {
            Value::Array(messages) => Ok(chat_or_messages(messages, Some(object))),
            other => Err(format!("`messages` is {}, not an array", kind_of(other))),
        };
    }
    // A Responses API request.
    if object.contains_key("input")
        && (object.contains_key("model") || object.contains_key("instructions"))
    {
        return Ok(TranscriptFormat::OpenaiResponses);
    }
    // A one-record JSON Lines file.
    if let Some(format) = detect_record(object) {
        return Ok(format);
    }
    // A bare Anthropic response message.
    if str_at(object, "type") == Some("message") && str_at(object, "role") == Some("assistant") {
        return Ok(TranscriptFormat::AnthropicMessages);
    }
    Err(format!("a JSON object with {}", describe_keys(object)))
}

/// Anthropic Messages or OpenAI Chat, for a list of role-bearing messages (see the module doc).
fn chat_or_messages(messages: &[Value], top: Option<&Object>) -> TranscriptFormat {
    let mut openai = top.is_some_and(|top| {
        top.contains_key("created")
            || top.contains_key("choices")
            || str_at(top, "object") == Some("chat.completion")
    });
    for message in messages.iter().filter_map(Value::as_object) {
        if has_block_of(message, ANTHROPIC_BLOCKS) {
            return TranscriptFormat::AnthropicMessages;
        }
        openai = openai
            || matches!(
                str_at(message, "role"),
                Some("tool" | "system" | "developer" | "function")
            )
            || message.contains_key("tool_calls")
            || message.contains_key("function_call")
            || message.contains_key("tool_call_id")
            || has_block_of(message, OPENAI_PARTS);
    }
    if openai {
        TranscriptFormat::OpenaiChat
    } else {
        TranscriptFormat::AnthropicMessages
    }
}

/// "keys a, b, c" (at most eight), for error messages.
fn describe_keys(object: &Object) -> String {
    if object.is_empty() {
        return "no keys".to_string();
    }
    let mut keys: Vec<&str> = object.keys().take(8).map(String::as_str).collect();
    if object.len() > 8 {
        keys.push("…");
    }
    format!("keys {}", keys.join(", "))
}

fn plural_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nulls",
        Value::Bool(_) => "booleans",
        Value::Number(_) => "numbers",
        Value::String(_) => "strings",
        Value::Array(_) => "arrays",
        Value::Object(_) => "objects",
    }
}
