//! How answers are asked for, and falling back when a server refuses the way lucid asks first.
//!
//! Anthropic answers through a forced tool. OpenAI-compatible servers differ: OpenAI and vLLM
//! take `response_format: {"type": "json_schema", …}`; llama-cpp-python's server refuses it
//! (HTTP 500, "Input should be 'text' or 'json_object'") but takes
//! `{"type": "json_object", "schema": …}`; some servers take no `response_format` at all. So a
//! request the server refuses for its format is sent again in the next form — `json_schema`,
//! then `json_object` with the schema, then plain JSON with the schema in the prompt — and the
//! form that worked is remembered per server (base URL) for the rest of the dream, so later
//! requests do not pay the refused attempt again. Until a server has accepted a form, one
//! request at a time finds out which ([`FormatMemory::probe`]): requests sent at once would
//! otherwise each pay the refusal.
//!
//! What counts as a refusal of the format ([`rejects_format`]): HTTP 400, 415, 422, 500 or 501
//! whose body mentions the response format (`response_format`, `json_schema`, `json_object`,
//! `schema`, `grammar` — llama.cpp turns the schema into a grammar); and, while the server has
//! not accepted any form yet, any 400 or 422 (some servers answer a bare "Bad Request"). A 500
//! that says nothing about the format is an ordinary server error and is retried as before.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::ops;
use crate::prompt::Wire;

/// The form a request asks its answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseFormat {
    /// Anthropic: a forced tool call.
    ToolUse,
    /// `response_format: {"type": "json_schema", "json_schema": {…, "strict": true}}`.
    JsonSchema,
    /// `response_format: {"type": "json_object", "schema": …}` (llama-cpp-python, LM Studio).
    JsonObject,
    /// No `response_format`: the schema is in the system prompt and the answer is read as JSON.
    Prompt,
}

impl ResponseFormat {
    /// The name the report and the narration use.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseFormat::ToolUse => "tool_use",
            ResponseFormat::JsonSchema => "json_schema",
            ResponseFormat::JsonObject => "json_object",
            ResponseFormat::Prompt => "prompt",
        }
    }

    /// How it reads in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            ResponseFormat::ToolUse => "a forced tool call",
            ResponseFormat::JsonSchema => "the json_schema response format",
            ResponseFormat::JsonObject => "the json_object response format with the schema",
            ResponseFormat::Prompt => "plain JSON with the schema in the prompt",
        }
    }

    /// The first form tried for a wire format.
    pub fn first(wire: Wire) -> ResponseFormat {
        match wire {
            Wire::Anthropic => ResponseFormat::ToolUse,
            Wire::Openai => ResponseFormat::JsonSchema,
        }
    }

    /// The form to try when a server refuses this one.
    pub fn fallback(self) -> Option<ResponseFormat> {
        match self {
            ResponseFormat::JsonSchema => Some(ResponseFormat::JsonObject),
            ResponseFormat::JsonObject => Some(ResponseFormat::Prompt),
            ResponseFormat::ToolUse | ResponseFormat::Prompt => None,
        }
    }

    /// Whether a server may refuse a request for this form (a request without a
    /// `response_format` has nothing to refuse; Anthropic's tool use is its own API).
    pub fn can_be_refused(self) -> bool {
        matches!(
            self,
            ResponseFormat::JsonSchema | ResponseFormat::JsonObject
        )
    }
}

/// Rewrites an OpenAI request body (as [`crate::prompt::request_body`] builds it, with the
/// `json_schema` form) into another form. Anthropic bodies and the `json_schema` form are
/// returned as they are.
pub fn with_format(body: &Value, format: ResponseFormat) -> Value {
    let mut body = body.clone();
    let Some(map) = body.as_object_mut() else {
        return body;
    };
    match format {
        ResponseFormat::ToolUse | ResponseFormat::JsonSchema => {}
        ResponseFormat::JsonObject => {
            map.insert(
                "response_format".into(),
                json!({"type": "json_object", "schema": ops::answer_schema()}),
            );
        }
        ResponseFormat::Prompt => {
            map.remove("response_format");
            // The schema goes at the end of the system message, so the stable prefix stays the
            // same for every request of the dream (servers cache it).
            if let Some(Value::String(system)) = map
                .get_mut("messages")
                .and_then(|m| m.get_mut(0))
                .and_then(|m| m.get_mut("content"))
            {
                system.push_str(&format!(
                    "\n\nAnswer with one JSON object and nothing else (no prose, no code fence), \
                     valid against this JSON schema:\n{}",
                    ops::answer_schema()
                ));
            }
        }
    }
    body
}

/// Whether a server's error answer refuses the request's response format (see the module
/// documentation for the rule). `probing`: no form has been accepted by this server yet.
pub fn rejects_format(status: u16, body: &str, probing: bool) -> bool {
    const MENTIONS: [&str; 6] = [
        "response_format",
        "response format",
        "json_schema",
        "json_object",
        "schema",
        "grammar",
    ];
    let lower = body.to_lowercase();
    let mentions = MENTIONS.iter().any(|term| lower.contains(term));
    match status {
        400 | 422 => mentions || probing,
        415 | 500 | 501 => mentions,
        _ => false,
    }
}

/// The form each server accepted in this dream, and the forms it refused, keyed by base URL.
#[derive(Debug, Default)]
pub struct FormatMemory {
    accepted: Mutex<HashMap<String, ResponseFormat>>,
    /// The last form a server refused: a later probe starts after it (a probe whose request
    /// then failed for another reason, a timeout, settles nothing, but the refusal stands).
    refused: Mutex<HashMap<String, ResponseFormat>>,
    /// Held by the one request that finds out which form a server accepts.
    pub probe: tokio::sync::Mutex<()>,
}

impl FormatMemory {
    /// The form `server` accepted, if it has accepted one yet.
    pub fn accepted(&self, server: &str) -> Option<ResponseFormat> {
        self.accepted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(server)
            .copied()
    }

    /// Remembers that `server` refused `format`.
    pub fn refuse(&self, server: &str, format: ResponseFormat) {
        self.refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(server.to_string(), format);
    }

    /// The form to ask `server` in: the one it accepted, else the one after the last it
    /// refused, else `first`.
    pub fn form_for(&self, server: &str, first: ResponseFormat) -> ResponseFormat {
        if let Some(format) = self.accepted(server) {
            return format;
        }
        self.refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(server)
            .and_then(|refused| refused.fallback())
            .unwrap_or(first)
    }

    /// Remembers that `server` accepted `format`; returns whether that is news.
    pub fn remember(&self, server: &str, format: ResponseFormat) -> bool {
        let mut accepted = self.accepted.lock().unwrap_or_else(|p| p.into_inner());
        accepted.insert(server.to_string(), format) != Some(format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_of_the_format_are_told_from_other_errors() {
        // llama-cpp-python's answer to json_schema.
        let llama = r#"{"error":{"message":"1 validation error: response_format.type Input should be 'text' or 'json_object'","type":"internal_server_error"}}"#;
        assert!(rejects_format(500, llama, false));
        assert!(rejects_format(422, "Unsupported response_format", false));
        assert!(rejects_format(400, "invalid JSON schema", false));
        // An ordinary server error is retried, not taken for a refusal.
        assert!(!rejects_format(500, "oops", true));
        assert!(!rejects_format(503, "response_format", true));
        // A bare 400 counts only while no form has worked yet.
        assert!(rejects_format(400, "Bad Request", true));
        assert!(!rejects_format(400, "Bad Request", false));
        assert!(!rejects_format(401, "schema", true));
    }

    #[test]
    fn bodies_are_rewritten_into_each_form() {
        let body = json!({
            "model": "m",
            "messages": [{"role": "system", "content": "Curate."}, {"role": "user", "content": "{}"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        });
        assert_eq!(with_format(&body, ResponseFormat::JsonSchema), body);
        let object = with_format(&body, ResponseFormat::JsonObject);
        assert_eq!(object["response_format"]["type"], "json_object");
        assert_eq!(object["response_format"]["schema"], ops::answer_schema());
        let prompt = with_format(&body, ResponseFormat::Prompt);
        assert!(prompt.get("response_format").is_none());
        let system = prompt["messages"][0]["content"]
            .as_str()
            .unwrap_or_default();
        assert!(system.starts_with("Curate.\n\nAnswer with one JSON object"));
        assert!(system.contains("\"operations\""), "{system}");
        assert_eq!(prompt["messages"][1], body["messages"][1]);
        assert_eq!(
            ResponseFormat::JsonSchema.fallback(),
            Some(ResponseFormat::JsonObject)
        );
        assert_eq!(ResponseFormat::Prompt.fallback(), None);
    }

    #[test]
    fn the_accepted_form_is_remembered_per_server() {
        let memory = FormatMemory::default();
        assert_eq!(memory.accepted("http://a/v1"), None);
        assert!(memory.remember("http://a/v1", ResponseFormat::JsonObject));
        assert!(!memory.remember("http://a/v1", ResponseFormat::JsonObject));
        assert_eq!(
            memory.accepted("http://a/v1"),
            Some(ResponseFormat::JsonObject)
        );
        assert_eq!(memory.accepted("http://b/v1"), None);
        // A refusal without an accepted form yet: the next probe starts after it.
        let first = ResponseFormat::JsonSchema;
        assert_eq!(memory.form_for("http://b/v1", first), first);
        memory.refuse("http://b/v1", ResponseFormat::JsonSchema);
        assert_eq!(
            memory.form_for("http://b/v1", first),
            ResponseFormat::JsonObject
        );
        assert_eq!(
            memory.form_for("http://a/v1", first),
            ResponseFormat::JsonObject
        );
    }
}
