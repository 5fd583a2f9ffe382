//! The operations a model may propose, their JSON schema, and forgiving parsing of answers.
//!
//! A model answers with `{"operations": [...]}` where each operation is one of
//! `merge(item_ids, text)`, `supersede(old_id, new_id)`, `update(item_ids, text,
//! evidence_ids)`, `add(kind, scope, text, evidence_ids)`, `drop(item_id, reason)` and
//! `keep(item_id)`. Parsing never fails on a single
//! bad operation: it becomes [`Proposal::Malformed`] (later a rejected operation with the
//! reason), and the others go on. Only an answer that is not a list of operations at all is a
//! malformed answer (retried once).

use serde_json::{Value, json};

use lucid_core::report::{Kind, Scope};

/// The name of the tool (Anthropic) / response format (OpenAI) carrying the operations.
pub const TOOL_NAME: &str = "record_operations";

/// One operation as proposed, not yet verified.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Replace items that say the same thing with one wording.
    Merge {
        /// Unit ids of the items to merge (`i1`, `i2`, …).
        item_ids: Vec<String>,
        /// The one wording that replaces them.
        text: String,
    },
    /// One item holds a newer value for another item's subject.
    Supersede {
        /// Unit id of the item holding the older value, which goes.
        old_id: String,
        /// Unit id of the item holding the newer value, which stays.
        new_id: String,
    },
    /// Items hold an older value of a subject that newer excerpts state differently: the
    /// items go and `text`, supported by the excerpts, takes their place. This is how a newer
    /// value that no draft item holds (a statement the built-in pass skipped) replaces the old.
    Update {
        /// Unit ids of the items that are out of date.
        item_ids: Vec<String>,
        /// The current memory that replaces them.
        text: String,
        /// Unit ids of the excerpts that state the newer value (`e1`, `e2`, …).
        evidence_ids: Vec<String>,
    },
    /// A new memory, citing the excerpts or events that support it.
    Add {
        /// What sort of memory it is.
        kind: Kind,
        /// Where it is filed: `team` (evidence from two or more agents required) or `agent`.
        scope: Scope,
        /// The memory's wording.
        text: String,
        /// Unit ids of the excerpts or session events that support it (`e1`, `e2`, …).
        evidence_ids: Vec<String>,
    },
    /// Remove an item; applied only when the engine can check a ground for it.
    Drop {
        /// Unit id of the item to remove.
        item_id: String,
        /// The model's reason, empty when it gave none; reported, never a ground on its own.
        reason: String,
    },
    /// Leave an item as it is; no other operation of the answer may then change it.
    Keep {
        /// Unit id of the item that stays.
        item_id: String,
    },
}

/// An operation of an answer: parsed, or malformed with the reason. Both keep the JSON the
/// model sent, which is what the report shows for a rejected operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposal {
    /// A well-formed operation.
    Parsed {
        /// The operation as the model sent it.
        json: Value,
        /// What it asks for.
        operation: Operation,
    },
    /// An operation that could not be read; it becomes a rejected operation.
    Malformed {
        /// The operation as the model sent it.
        json: Value,
        /// What was missing or wrong, for the report.
        reason: String,
    },
}

/// The JSON schema of an answer. The same schema serves Anthropic's tool `input_schema` and
/// OpenAI's strict `json_schema` response format: every variant lists all its properties as
/// required and forbids others, which strict mode demands.
pub fn answer_schema() -> Value {
    let ids = |description: &str| json!({"type": "array", "items": {"type": "string"}, "description": description});
    let string = |description: &str| json!({"type": "string", "description": description});
    let variant = |op: &str, properties: Value| {
        let mut props = serde_json::Map::new();
        props.insert("op".into(), json!({"type": "string", "enum": [op]}));
        let mut required = vec![json!("op")];
        if let Value::Object(map) = properties {
            for (key, value) in map {
                required.push(json!(key));
                props.insert(key, value);
            }
        }
        json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
    };
    json!({
        "type": "object",
        "properties": {
            "operations": {
                "type": "array",
                "items": {"anyOf": [
                    variant("merge", json!({
                        "item_ids": ids("two or more item ids that say the same thing"),
                        "text": string("one wording that keeps every identifier of the merged items"),
                    })),
                    variant("supersede", json!({
                        "old_id": string("the item holding the older value"),
                        "new_id": string("the item holding the newer value"),
                    })),
                    variant("update", json!({
                        "item_ids": ids("items whose value the excerpts show is out of date"),
                        "text": string("the current memory that replaces them, in the words of the cited excerpts, identifiers copied exactly"),
                        "evidence_ids": ids("the newer excerpts that state the current value"),
                    })),
                    variant("add", json!({
                        "kind": {"type": "string", "enum": ["fact", "preference", "pitfall", "workflow", "insight"]},
                        "scope": {"type": "string", "enum": ["agent", "team"]},
                        "text": string("the new memory, in the words of the excerpts or events it cites, identifiers copied exactly"),
                        "evidence_ids": ids("excerpt or event ids that support it"),
                    })),
                    variant("drop", json!({
                        "item_id": string("the item to remove"),
                        "reason": string("which ground holds: excluded by the instructions, marked temporary or one-off, or contradicted by a newer item (name it)"),
                    })),
                    variant("keep", json!({
                        "item_id": string("an item that stays as it is"),
                    })),
                ]},
            },
        },
        "required": ["operations"],
        "additionalProperties": false,
    })
}

/// Finds the list of operations in an answer: the object `{"operations": [...]}`, a bare
/// list, or either inside a Markdown code fence or surrounded by prose. `None` when there is
/// none (a malformed answer).
pub fn extract_operations(answer: &Value) -> Option<Vec<Value>> {
    match answer {
        Value::Object(map) => match map.get("operations") {
            Some(Value::Array(items)) => Some(items.clone()),
            // Some local servers double-encode the tool input.
            Some(Value::String(text)) => parse_text(text),
            Some(Value::Null) | None if map.contains_key("op") => Some(vec![answer.clone()]),
            _ => None,
        },
        Value::Array(items) => Some(items.clone()),
        Value::String(text) => parse_text(text),
        _ => None,
    }
}

/// The operations in an answer given as text (OpenAI content, a text block): JSON, JSON in a
/// code fence, or the first JSON object or list in the text.
pub fn parse_text(text: &str) -> Option<Vec<Value>> {
    let trimmed = text.trim();
    if let Ok(value) = serde_json::from_str::<Value>(trimmed)
        && !value.is_string()
    {
        return extract_operations(&value);
    }
    // A fenced block: ```json … ``` (the language tag is optional).
    if let Some(start) = trimmed.find("```") {
        let after = &trimmed[start + 3..];
        let body_start = after.find('\n').map_or(0, |n| n + 1);
        if let Some(end) = after[body_start..].find("```") {
            let body = &after[body_start..body_start + end];
            if let Ok(value) = serde_json::from_str::<Value>(body.trim()) {
                return extract_operations(&value);
            }
        }
    }
    // The first '{' or '[' that starts valid JSON.
    for (index, c) in trimmed.char_indices() {
        if c == '{' || c == '[' {
            let mut stream = serde_json::Deserializer::from_str(&trimmed[index..]).into_iter();
            if let Some(Ok(value)) = stream.next() {
                let value: Value = value;
                if let Some(ops) = extract_operations(&value) {
                    return Some(ops);
                }
            }
        }
    }
    None
}

fn field<'a>(object: &'a serde_json::Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names
        .iter()
        .find_map(|name| object.get(*name).filter(|v| !v.is_null()))
}

fn string_field(object: &serde_json::Map<String, Value>, names: &[&str]) -> Option<String> {
    match field(object, names)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn ids_field(object: &serde_json::Map<String, Value>, names: &[&str]) -> Option<Vec<String>> {
    match field(object, names)? {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Some(s.trim().to_string()),
                _ => None,
            })
            .collect(),
        // "i1, i2" or a single id.
        Value::String(s) => Some(
            s.split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

/// Reads an `add`'s kind leniently (any case, plurals, `convention` or `rule` for a preference);
/// `None` for anything else.
pub fn parse_kind(text: &str) -> Option<Kind> {
    match text.trim().to_ascii_lowercase().as_str() {
        "fact" | "facts" => Some(Kind::Fact),
        "preference" | "preferences" | "convention" | "rule" => Some(Kind::Preference),
        "pitfall" | "pitfalls" => Some(Kind::Pitfall),
        "workflow" | "workflows" => Some(Kind::Workflow),
        "insight" | "insights" => Some(Kind::Insight),
        _ => None,
    }
}

/// Reads an `add`'s scope (`agent` or `team`, any case); `None` for anything else.
pub fn parse_scope(text: &str) -> Option<Scope> {
    match text.trim().to_ascii_lowercase().as_str() {
        "agent" => Some(Scope::Agent),
        "team" => Some(Scope::Team),
        _ => None,
    }
}

/// Parses one operation, forgivingly: `op` may also be called `type` or `action`, ids may be
/// a comma-separated string, extra fields are ignored.
pub fn parse_operation(json: &Value) -> Proposal {
    let malformed = |reason: String| Proposal::Malformed {
        json: json.clone(),
        reason,
    };
    let Value::Object(object) = json else {
        return malformed("an operation must be a JSON object".into());
    };
    let Some(op) = string_field(object, &["op", "type", "action", "operation"]) else {
        return malformed("the operation has no \"op\"".into());
    };
    let operation = match op.to_ascii_lowercase().as_str() {
        "merge" => {
            let Some(item_ids) = ids_field(object, &["item_ids", "ids", "items"]) else {
                return malformed("merge needs item_ids (a list of item ids)".into());
            };
            let Some(text) = string_field(object, &["text"]) else {
                return malformed("merge needs text".into());
            };
            Operation::Merge { item_ids, text }
        }
        "supersede" => {
            let (Some(old_id), Some(new_id)) = (
                string_field(object, &["old_id", "old"]),
                string_field(object, &["new_id", "new"]),
            ) else {
                return malformed("supersede needs old_id and new_id".into());
            };
            Operation::Supersede { old_id, new_id }
        }
        "update" | "replace" => {
            let Some(item_ids) = ids_field(object, &["item_ids", "ids", "items"]) else {
                return malformed("update needs item_ids (a list of item ids)".into());
            };
            let Some(text) = string_field(object, &["text"]) else {
                return malformed("update needs text".into());
            };
            let Some(evidence_ids) = ids_field(object, &["evidence_ids", "evidence"]) else {
                return malformed("update needs evidence_ids (a list of excerpt ids)".into());
            };
            Operation::Update {
                item_ids,
                text,
                evidence_ids,
            }
        }
        "add" => {
            let Some(kind) = string_field(object, &["kind"]) else {
                return malformed("add needs kind".into());
            };
            let Some(kind) = parse_kind(&kind) else {
                return malformed(format!(
                    "add: kind {kind:?} is not fact, preference, pitfall, workflow or insight"
                ));
            };
            let scope = match string_field(object, &["scope"]) {
                Some(scope) => match parse_scope(&scope) {
                    Some(scope) => scope,
                    None => return malformed(format!("add: scope {scope:?} is not agent or team")),
                },
                None => return malformed("add needs scope".into()),
            };
            let Some(text) = string_field(object, &["text"]) else {
                return malformed("add needs text".into());
            };
            let Some(evidence_ids) = ids_field(object, &["evidence_ids", "evidence"]) else {
                return malformed("add needs evidence_ids (a list of excerpt or event ids)".into());
            };
            Operation::Add {
                kind,
                scope,
                text,
                evidence_ids,
            }
        }
        "drop" | "remove" | "delete" => {
            let Some(item_id) = string_field(object, &["item_id", "id"]) else {
                return malformed("drop needs item_id".into());
            };
            let reason = string_field(object, &["reason"]).unwrap_or_default();
            Operation::Drop { item_id, reason }
        }
        "keep" => {
            let Some(item_id) = string_field(object, &["item_id", "id"]) else {
                return malformed("keep needs item_id".into());
            };
            Operation::Keep { item_id }
        }
        other => {
            return malformed(format!(
                "unknown operation {other:?} (expected merge, supersede, update, add, drop or keep)"
            ));
        }
    };
    Proposal::Parsed {
        json: json.clone(),
        operation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_found_in_objects_lists_fences_and_prose() {
        let ops = json!([{"op": "keep", "item_id": "i1"}]);
        assert_eq!(
            extract_operations(&json!({"operations": ops})),
            Some(vec![json!({"op": "keep", "item_id": "i1"})])
        );
        assert_eq!(extract_operations(&ops).map(|o| o.len()), Some(1));
        let fenced = "Here you go:\n```json\n{\"operations\": [{\"op\": \"keep\", \"item_id\": \"i2\"}]}\n```\n";
        assert_eq!(parse_text(fenced).map(|o| o.len()), Some(1));
        let prose = "Sure. {\"operations\": []} Hope that helps.";
        assert_eq!(parse_text(prose), Some(vec![]));
        let double = json!({"operations": "[{\"op\":\"keep\",\"item_id\":\"i1\"}]"});
        assert_eq!(extract_operations(&double).map(|o| o.len()), Some(1));
        assert_eq!(parse_text("I cannot help with that."), None);
        assert_eq!(parse_text("{\"operations\": [{\"op\": \"ke"), None);
    }

    #[test]
    fn operations_parse_forgivingly() {
        let merge = parse_operation(
            &json!({"op": "merge", "item_ids": "i1, i2", "text": " X ", "confidence": 0.9}),
        );
        assert!(matches!(
            merge,
            Proposal::Parsed { operation: Operation::Merge { ref item_ids, ref text }, .. }
                if item_ids == &["i1", "i2"] && text == "X"
        ));
        let add = parse_operation(
            &json!({"type": "add", "kind": "Preferences", "scope": "team", "text": "t", "evidence": ["e1"]}),
        );
        assert!(matches!(
            add,
            Proposal::Parsed {
                operation: Operation::Add {
                    kind: Kind::Preference,
                    scope: Scope::Team,
                    ..
                },
                ..
            }
        ));
        let update = parse_operation(
            &json!({"op": "Update", "item_ids": ["i2"], "text": "t", "evidence_ids": "e1"}),
        );
        assert!(matches!(
            update,
            Proposal::Parsed { operation: Operation::Update { ref item_ids, ref evidence_ids, .. }, .. }
                if item_ids == &["i2"] && evidence_ids == &["e1"]
        ));
        for bad in [
            json!("keep i1"),
            json!({"op": "update", "item_ids": ["i1"], "text": "t"}),
            json!({"item_id": "i1"}),
            json!({"op": "explode", "item_id": "i1"}),
            json!({"op": "merge", "item_ids": ["i1"]}),
            json!({"op": "add", "kind": "gossip", "scope": "team", "text": "t", "evidence_ids": []}),
        ] {
            assert!(
                matches!(parse_operation(&bad), Proposal::Malformed { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_schema_is_strict_mode_compatible() {
        let schema = answer_schema();
        let variants = schema
            .pointer("/properties/operations/items/anyOf")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        assert_eq!(variants.len(), 6);
        for variant in variants {
            let properties = variant["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let required = variant["required"].as_array().cloned().unwrap_or_default();
            assert_eq!(properties.len(), required.len(), "{variant}");
            assert_eq!(variant["additionalProperties"], json!(false));
        }
    }
}
