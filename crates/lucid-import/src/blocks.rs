//! Anthropic content blocks, shared by the Claude Code, Managed Agents and Messages API
//! importers: a message's `content` is a string or a list of blocks (`text`, `tool_use`,
//! `tool_result`, `thinking`, `image`, …), and each kept block becomes one event.

use serde_json::{Map, Value};

use crate::json::str_at;
use crate::session::{Builder, Origin, Speaker};

/// How a format's text and tool results are added: by default as they are; a format whose
/// harness injects text into user turns or tool results (Claude Code) splits it first.
pub(crate) trait Rules {
    /// Adds a text block of `speaker`'s turn.
    fn text(
        &self,
        builder: &mut Builder<'_>,
        origin: Origin<'_>,
        speaker: Speaker<'_>,
        text: String,
    ) {
        builder.text(origin, speaker, text);
    }

    /// Adds a tool result.
    fn result(
        &self,
        builder: &mut Builder<'_>,
        origin: Origin<'_>,
        call_id: Option<&str>,
        content: String,
        is_error: bool,
    ) {
        builder.tool_result(origin, call_id, None, content, is_error);
    }
}

/// Text and results as they are.
pub(crate) struct AsIs;

impl Rules for AsIs {}

/// Adds one event per kept block of a message's `content`.
///
/// Text goes to `speaker`. `tool_use`-like blocks become tool calls and `tool_result`-like
/// blocks tool results, whoever's turn holds them (server tools put both in the assistant's
/// turn). Thinking, images, documents and unknown blocks are skipped.
pub(crate) fn push_content(
    builder: &mut Builder<'_>,
    origin: Origin<'_>,
    speaker: Speaker<'_>,
    content: Value,
) {
    push_content_with(&AsIs, builder, origin, speaker, content);
}

/// [`push_content`] with a format's own [`Rules`] for text and results.
pub(crate) fn push_content_with(
    rules: &dyn Rules,
    builder: &mut Builder<'_>,
    origin: Origin<'_>,
    speaker: Speaker<'_>,
    content: Value,
) {
    match content {
        Value::String(text) => rules.text(builder, origin, speaker, text),
        Value::Array(blocks) => {
            for block in blocks {
                push_block(rules, builder, origin, speaker, block);
            }
        }
        // Some writers store a lone block instead of a one-element list.
        block @ Value::Object(_) => push_block(rules, builder, origin, speaker, block),
        _ => {}
    }
}

fn push_block(
    rules: &dyn Rules,
    builder: &mut Builder<'_>,
    origin: Origin<'_>,
    speaker: Speaker<'_>,
    block: Value,
) {
    let mut block = match block {
        Value::Object(block) => block,
        Value::String(text) => return rules.text(builder, origin, speaker, text),
        _ => return,
    };
    // Taken out (not borrowed) so the block's other fields can be moved out below.
    let kind = match block.remove("type") {
        Some(Value::String(kind)) => kind,
        _ => "text".to_string(),
    };
    let kind = kind.as_str();
    if kind == "text" {
        if let Some(Value::String(text)) = block.remove("text") {
            rules.text(builder, origin, speaker, text);
        }
    } else if is_tool_use(kind) {
        // Re-writers of Claude Code sessions name the fields their own way (`tool_name`,
        // `tool_id`, `output`).
        let call_id = str_at(&block, "id")
            .or_else(|| str_at(&block, "tool_id"))
            .map(str::to_string);
        let name = str_at(&block, "name")
            .or_else(|| str_at(&block, "tool_name"))
            .unwrap_or(kind)
            .to_string();
        let input = block.remove("input").unwrap_or(Value::Null);
        // Blocks in a Messages API request have no record id; the call id names them.
        let source_id = origin.source_id.or(call_id.as_deref());
        builder.tool_call(
            Origin {
                source_id,
                ..origin
            },
            call_id.as_deref(),
            &name,
            input,
        );
    } else if is_tool_result(kind) {
        let call_id = str_at(&block, "tool_use_id")
            .or_else(|| str_at(&block, "tool_id"))
            .map(str::to_string);
        let is_error = block.get("is_error").and_then(Value::as_bool) == Some(true);
        let content = block
            .remove("content")
            .or_else(|| block.remove("output"))
            .unwrap_or(Value::Null);
        let content = render_result_content(content);
        let source_id = origin.source_id.or(call_id.as_deref());
        rules.result(
            builder,
            Origin {
                source_id,
                ..origin
            },
            call_id.as_deref(),
            content,
            is_error,
        );
    }
    // thinking, redacted_thinking, image, document, container_upload, …: nothing to keep.
}

/// `tool_use`, `server_tool_use`, `mcp_tool_use`, …
pub(crate) fn is_tool_use(kind: &str) -> bool {
    kind == "tool_use" || kind.ends_with("_tool_use")
}

/// `tool_result`, `mcp_tool_result`, `web_search_tool_result`, …
pub(crate) fn is_tool_result(kind: &str) -> bool {
    kind == "tool_result" || kind.ends_with("_tool_result")
}

/// A tool result's content as text: a string as is; a list of blocks as its text blocks joined
/// with newlines (images and documents dropped, other blocks as compact JSON); any other JSON as
/// compact JSON.
pub(crate) fn render_result_content(content: Value) -> String {
    match content {
        Value::Null => String::new(),
        Value::String(text) => text,
        Value::Array(items) => {
            let mut parts: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(text) => parts.push(text),
                    Value::Object(mut block) => {
                        if let Some(text) = block_text(&mut block) {
                            parts.push(text);
                        } else if !is_media(&block) {
                            parts.push(Value::Object(block).to_string());
                        }
                    }
                    other => parts.push(other.to_string()),
                }
            }
            parts.join("\n")
        }
        other => other.to_string(),
    }
}

/// The text of a text-like block (`text`, and OpenAI's `input_text`/`output_text`).
pub(crate) fn block_text(block: &mut Map<String, Value>) -> Option<String> {
    let is_text = matches!(
        str_at(block, "type"),
        Some("text" | "input_text" | "output_text") | None
    );
    if !is_text {
        return None;
    }
    match block.remove("text") {
        Some(Value::String(text)) => Some(text),
        Some(other) => {
            block.insert("text".to_string(), other);
            None
        }
        None => None,
    }
}

/// Images, documents and files: skipped rather than dumped as (often base64) JSON.
fn is_media(block: &Map<String, Value>) -> bool {
    matches!(
        str_at(block, "type"),
        Some(
            "image"
                | "document"
                | "file"
                | "input_image"
                | "input_file"
                | "image_url"
                | "input_audio"
                | "container_upload"
        )
    )
}
