//! Between the engine's sessions and the service's stored events.
//!
//! Sessions are stored as Managed Agents events (the shapes agents log through the API). An
//! imported transcript (any format the engine reads) is converted to those shapes once, at
//! import; a dream converts stored events back with the engine's own Managed Agents importer,
//! so logged and imported sessions go through the same path.
//!
//! Channels survive the trip: human text is a `user.message`, harness text a `system.message`
//! carrying its `label` (`system_reminder`, `environment_details`, `task`, …), and text whose
//! channel its event type cannot say carries a `channel` field (`"tool_output"` for a shell's
//! output echoed into a user turn, `"pasted"` for pasted text), which the importer reads back.

use lucid_core::{
    Channel, EventKind, MemoryCommand, Session, SessionTrust, TranscriptFormat, format_timestamp,
};
use lucid_import::{ImportError, Source};
use lucid_storage::{DreamSession, NewEvent, SessionUsers, ids};
use serde_json::{Map, Value, json};

/// Event types the API accepts (those of the Managed Agents API).
pub const EVENT_TYPES: &[&str] = &[
    "user.message",
    "user.interrupt",
    "user.tool_confirmation",
    "user.custom_tool_result",
    "user.define_outcome",
    "user.tool_result",
    "agent.custom_tool_use",
    "agent.message",
    "agent.thinking",
    "agent.mcp_tool_use",
    "agent.mcp_tool_result",
    "agent.tool_use",
    "agent.tool_result",
    "agent.thread_message_received",
    "agent.thread_message_sent",
    "agent.thread_context_compacted",
    "session.error",
    "session.status_rescheduled",
    "session.status_running",
    "session.status_idle",
    "session.status_terminated",
    "session.thread_created",
    "session.thread_status_running",
    "session.thread_status_idle",
    "session.thread_status_terminated",
    "session.thread_status_rescheduled",
    "session.updated",
    "session.deleted",
    "session.usage",
    "span.outcome_evaluation_start",
    "span.outcome_evaluation_end",
    "span.outcome_evaluation_ongoing",
    "span.model_request_start",
    "span.model_request_end",
    "system.message",
    "workflow_run.created",
    "workflow_run.status_running",
    "workflow_run.status_idle",
    "workflow_run.status_ended",
    "workflow_run.error",
    "workflow_run.phase_started",
    "workflow_run.phase_ended",
];

/// Checks the shape of events sent by a client: objects with a known `type`, an optional id
/// without control characters, and an optional `processed_at` time.
pub fn check_events(events: &[Map<String, Value>]) -> Result<(), String> {
    for (index, event) in events.iter().enumerate() {
        let kind = match event.get("type") {
            Some(Value::String(kind)) => kind,
            Some(_) => return Err(format!("events[{index}].type must be a string")),
            None => {
                return Err(format!(
                    "events[{index}] needs a \"type\" such as \"user.message\""
                ));
            }
        };
        if !EVENT_TYPES.contains(&kind.as_str()) {
            return Err(format!(
                "events[{index}].type {kind:?} is not a Managed Agents event type"
            ));
        }
        match event.get("id") {
            None | Some(Value::Null) => {}
            Some(Value::String(id))
                if !id.is_empty() && id.len() <= 128 && !id.chars().any(char::is_control) => {}
            Some(_) => {
                return Err(format!(
                    "events[{index}].id must be a string of 1 to 128 characters"
                ));
            }
        }
        match event.get("processed_at") {
            None | Some(Value::Null) => {}
            Some(Value::String(at)) if ids::parse_time(at).is_some() => {}
            Some(_) => {
                return Err(format!(
                    "events[{index}].processed_at must be an RFC 3339 time"
                ));
            }
        }
    }
    Ok(())
}

fn text_content(text: &str) -> Value {
    json!([{"type": "text", "text": text}])
}

fn memory_path(path: &str) -> String {
    format!("/memories{path}")
}

/// The memory tool's input for a command (so the engine's importer reads it back as the same
/// memory write).
fn memory_tool_input(command: &MemoryCommand) -> Value {
    match command {
        MemoryCommand::Create { path, text } => {
            json!({"command": "create", "path": memory_path(path), "file_text": text})
        }
        MemoryCommand::StrReplace { path, old, new } => json!({
            "command": "str_replace", "path": memory_path(path), "old_str": old, "new_str": new
        }),
        MemoryCommand::Insert { path, line, text } => json!({
            "command": "insert", "path": memory_path(path), "insert_line": line,
            "insert_text": text
        }),
        MemoryCommand::Delete { path } => json!({"command": "delete", "path": memory_path(path)}),
        MemoryCommand::Rename { from, to } => json!({
            "command": "rename", "old_path": memory_path(from), "new_path": memory_path(to)
        }),
    }
}

/// An imported session as Managed Agents events, in order, with their original times.
pub fn session_to_events(session: &Session) -> Vec<NewEvent> {
    let mut call_ids: std::collections::HashMap<String, String> = Default::default();
    let mut events = Vec::with_capacity(session.events.len());
    for event in &session.events {
        let mut out = Map::new();
        let mut tool_use = |out: &mut Map<String, Value>, call_id: &Option<String>| {
            let id = ids::new_id(ids::prefix::EVENT);
            if let Some(call) = call_id {
                call_ids.entry(call.clone()).or_insert_with(|| id.clone());
            }
            out.insert("id".into(), json!(id));
        };
        match &event.kind {
            EventKind::UserMessage { text } => {
                out.insert("type".into(), json!("user.message"));
                out.insert("content".into(), text_content(text));
                if event.channel == Channel::Pasted {
                    out.insert("channel".into(), json!(Channel::Pasted.as_str()));
                }
            }
            EventKind::AgentMessage { text } => {
                out.insert("type".into(), json!("agent.message"));
                out.insert("content".into(), text_content(text));
            }
            EventKind::ToolCall {
                call_id,
                name,
                input,
            } => {
                out.insert("type".into(), json!("agent.tool_use"));
                tool_use(&mut out, call_id);
                out.insert("name".into(), json!(name));
                out.insert("input".into(), input.clone());
            }
            EventKind::MemoryWrite {
                call_id, command, ..
            } => {
                out.insert("type".into(), json!("agent.tool_use"));
                tool_use(&mut out, call_id);
                out.insert("name".into(), json!("memory"));
                out.insert("input".into(), memory_tool_input(command));
            }
            EventKind::ToolResult {
                call_id,
                content,
                is_error,
                ..
            } => {
                out.insert("type".into(), json!("agent.tool_result"));
                let target = call_id
                    .as_ref()
                    .map(|call| call_ids.get(call).cloned().unwrap_or_else(|| call.clone()))
                    .unwrap_or_default();
                out.insert("tool_use_id".into(), json!(target));
                out.insert("content".into(), text_content(content));
                out.insert("is_error".into(), json!(is_error));
            }
            EventKind::Context { label, text } => {
                out.insert("type".into(), json!("system.message"));
                out.insert("content".into(), text_content(text));
                out.insert("label".into(), json!(label));
                if matches!(event.channel, Channel::ToolOutput | Channel::Pasted) {
                    out.insert("channel".into(), json!(event.channel.as_str()));
                }
            }
        }
        if let Some(at) = &event.at {
            out.insert("processed_at".into(), json!(format_timestamp(at)));
        }
        events.push(out);
    }
    events
}

/// Why a stored session may not feed a dream, if it may not: a quarantined session never does,
/// and a `trusted_only` dream reads only sessions pinned trusted.
pub fn skip_reason(stored: &DreamSession, trusted_only: bool) -> Option<String> {
    match stored.session.trust {
        SessionTrust::Quarantined => Some("quarantined: never feeds a dream".to_string()),
        SessionTrust::Trusted => None,
        other if trusted_only => Some(format!(
            "trust is {}, not trusted (the dream is restricted to trusted sessions)",
            lucid_storage::session_trust_str(other)
        )),
        _ => None,
    }
}

/// A stored session digested as a dream reads it, or why it is skipped (its trust, or an
/// unreadable event). One path for the workers and for a dry run's estimate.
pub fn digest(
    stored: &DreamSession,
    trusted_only: bool,
    options: &lucid_core::DigestOptions,
) -> Result<lucid_core::SessionDigest, lucid_core::report::SkippedSession> {
    let skip = |reason: String| lucid_core::report::SkippedSession {
        path: stored.session.id.clone(),
        reason,
    };
    if let Some(reason) = skip_reason(stored, trusted_only) {
        return Err(skip(reason));
    }
    lucid_core::report::SkippedSession::on_panic(&stored.session.id, || {
        match stored_to_session(stored) {
            Ok(session) => Ok(lucid_core::digest_session_with(&session, options)),
            Err(error) => Err(skip(error.to_string())),
        }
    })
}

/// A stored session as the engine's session (through the Managed Agents importer), with the
/// session's trust.
///
/// The user messages of a session whose users are `external` (a support agent's customers)
/// are not a team member's words: unless the whole session is pinned `trusted`, what the
/// importer reads as `human` goes on the `pasted` channel, so the curator treats it as the
/// untrusted content it is — scanned for injections and flagged, never a preference or fact,
/// and a memory write copying it is flagged too. Harness text in those messages stays harness.
pub fn stored_to_session(stored: &DreamSession) -> Result<Session, ImportError> {
    let mut jsonl = String::new();
    for event in &stored.events {
        jsonl.push_str(&Value::Object(event.body.clone()).to_string());
        jsonl.push('\n');
    }
    let path = format!("{}.jsonl", stored.session.id);
    let source = Source {
        path: &path,
        folder_name: Some(&stored.agent_name),
        folder_above: None,
        modified: None,
    };
    // Secrets were redacted when the events were stored; the dream still sees where they were.
    let jsonl = crate::safety::mark_redacted_secrets(&jsonl);
    let mut session = lucid_import::import_session_as(
        TranscriptFormat::ManagedAgents,
        jsonl.as_bytes(),
        &source,
    )?;
    session.id = stored.session.id.clone();
    session.agent = stored.agent_name.clone();
    session.source = stored.session.id.clone();
    session.trust = stored.session.trust;
    let source_field = |field: &str| {
        stored
            .session
            .source
            .as_ref()
            .and_then(|source| source.get(field))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    session.started_in = source_field("started_in");
    // A sub-agent's transcript names the session it ran inside. The transcript's own id does
    // not stand in for it: a format that carries none gets its file's name, and many uploads
    // may share one ("transcript.json"), which would make every session one conversation.
    session.part_of = source_field("part_of");
    if stored.session.users == SessionUsers::External
        && stored.session.trust != SessionTrust::Trusted
    {
        for event in &mut session.events {
            if matches!(event.kind, EventKind::UserMessage { .. })
                && event.channel == Channel::Human
            {
                event.channel = Channel::Pasted;
            }
        }
    }
    Ok(session)
}

/// A format name as the API spells it.
pub fn parse_format(name: &str) -> Option<TranscriptFormat> {
    match name {
        "claude_code" => Some(TranscriptFormat::ClaudeCode),
        "managed_agents" => Some(TranscriptFormat::ManagedAgents),
        "anthropic_messages" => Some(TranscriptFormat::AnthropicMessages),
        "openai_chat" => Some(TranscriptFormat::OpenaiChat),
        "openai_responses" => Some(TranscriptFormat::OpenaiResponses),
        "cline" => Some(TranscriptFormat::Cline),
        "swe_agent" => Some(TranscriptFormat::SweAgent),
        "aider" => Some(TranscriptFormat::Aider),
        "openhands" => Some(TranscriptFormat::OpenHands),
        "copilot_cli" => Some(TranscriptFormat::CopilotCli),
        "opencode" => Some(TranscriptFormat::OpenCode),
        "gemini_cli" => Some(TranscriptFormat::GeminiCli),
        "specstory" => Some(TranscriptFormat::SpecStory),
        "antigravity" => Some(TranscriptFormat::Antigravity),
        "openclaw" => Some(TranscriptFormat::OpenClaw),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lucid_storage::{SessionEvent, SessionKind};

    fn stored(events: Vec<NewEvent>) -> DreamSession {
        let session: lucid_storage::Session = serde_json::from_value(json!({
            "type": "session", "id": "sesn_1", "agent": {"name": "coder"},
            "environment_id": null, "title": null, "metadata": {}, "resources": [],
            "status": "idle", "stats": {}, "usage": {}, "outcome_evaluations": [],
            "vault_ids": [], "created_at": "2026-01-01T00:00:00.000000Z",
            "updated_at": "2026-01-01T00:00:00.000000Z", "archived_at": null,
            "kind": "agent", "source": null, "dream_id": null, "event_count": 0,
            "trust": "untrusted", "users": "team"
        }))
        .expect("session");
        assert_eq!(session.kind, SessionKind::Agent);
        DreamSession {
            session,
            agent_name: "coder".into(),
            events: events
                .into_iter()
                .enumerate()
                .map(|(i, body)| SessionEvent {
                    seq: i as i64,
                    id: format!("e{i}"),
                    event_type: String::new(),
                    processed_at: String::new(),
                    body,
                })
                .collect(),
        }
    }

    /// Every example transcript survives import → stored events → the dream's importer.
    #[test]
    fn imported_sessions_round_trip_through_stored_events() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fleet/sessions");
        let files = lucid_fs::find_transcripts(&[root]).expect("examples");
        assert!(!files.is_empty());
        for file in files {
            let bytes = std::fs::read(&file).expect("read");
            let name = file.display().to_string();
            let original =
                lucid_import::import_session(&bytes, &Source::new(&name)).expect("import");
            let events = session_to_events(&original);
            let back = stored_to_session(&stored(events)).expect("re-import");
            assert_eq!(
                back.trust,
                SessionTrust::Untrusted,
                "the stored trust is kept"
            );
            let kinds = |s: &Session| -> Vec<(String, String)> {
                s.events
                    .iter()
                    .map(|e| (e.kind.type_name().to_string(), e.text()))
                    .collect()
            };
            assert_eq!(kinds(&original), kinds(&back), "{name}");
            let times = |s: &Session| s.events.iter().map(|e| e.at).collect::<Vec<_>>();
            assert_eq!(times(&original), times(&back), "{name}");
        }
    }

    /// The directory a session started in is not an event: it is read back from the stored
    /// source, as the import route keeps it there.
    #[test]
    fn the_starting_directory_comes_back_from_the_source() {
        let line = "{\"type\":\"user\",\"cwd\":\"/home/dev/app\",\"sessionId\":\"s\",\
                    \"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n";
        let original =
            lucid_import::import_session(line.as_bytes(), &Source::new("s.jsonl")).expect("import");
        assert_eq!(original.started_in.as_deref(), Some("/home/dev/app"));
        let mut kept = stored(session_to_events(&original));
        assert_eq!(
            stored_to_session(&kept).expect("re-import").started_in,
            None
        );
        kept.session.source = Some(json!({"format": "claude_code", "started_in": "/home/dev/app"}));
        let back = stored_to_session(&kept).expect("re-import");
        assert_eq!(back.started_in.as_deref(), Some("/home/dev/app"));
    }

    /// The service stores a session under an id of its own; a sub-agent's transcript keeps the
    /// parent session it ran inside, and no other session takes its transcript's id for one.
    #[test]
    fn the_conversation_comes_back_from_the_source() {
        let line = "{\"type\":\"user\",\"sessionId\":\"s\",\
                    \"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n";
        let original =
            lucid_import::import_session(line.as_bytes(), &Source::new("s.jsonl")).expect("import");
        let mut kept = stored(session_to_events(&original));
        assert_eq!(stored_to_session(&kept).expect("re-import").part_of, None);
        kept.session.source = Some(json!({"format": "openai_chat", "session_id": "transcript"}));
        let back = stored_to_session(&kept).expect("re-import");
        assert_eq!(back.part_of, None);
        kept.session.source =
            Some(json!({"format": "claude_code", "session_id": "abc", "part_of": "parent"}));
        let back = stored_to_session(&kept).expect("re-import");
        assert_eq!(back.part_of.as_deref(), Some("parent"));
    }

    /// Cline tasks and SWE-agent trajectories (the importer's fixtures) convert, and every
    /// event comes back with its kind, text, label and channel: harness text stays harness,
    /// human text human.
    #[test]
    fn channels_survive_stored_events() {
        let data =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lucid-import/tests/data");
        let files = [
            "cline/1733234405000/api_conversation_history.json",
            "cline/roo-history.json",
            "swe_agent/django__django-11066.traj",
            "swe_agent/django__django-11728.traj",
            "swe_agent/docs__exporter-42.traj.json",
            "claude_code/channels.jsonl",
        ];
        let shape = |s: &Session| -> Vec<(String, Channel, String, String)> {
            s.events
                .iter()
                .map(|e| {
                    let label = match &e.kind {
                        EventKind::Context { label, .. } => label.clone(),
                        _ => String::new(),
                    };
                    (e.kind.type_name().to_string(), e.channel, e.text(), label)
                })
                .collect()
        };
        for file in files {
            let bytes = std::fs::read(data.join(file)).expect("fixture");
            let original = lucid_import::import_session(&bytes, &Source::new(file))
                .unwrap_or_else(|error| panic!("{file}: {error}"));
            let back = stored_to_session(&stored(session_to_events(&original))).expect(file);
            assert_eq!(shape(&original), shape(&back), "{file}");
            let channels: std::collections::BTreeSet<Channel> =
                back.events.iter().map(|e| e.channel).collect();
            assert!(channels.contains(&Channel::Harness), "{file}: {channels:?}");
        }
        assert_eq!(parse_format("cline"), Some(TranscriptFormat::Cline));
        assert_eq!(parse_format("swe_agent"), Some(TranscriptFormat::SweAgent));
    }

    #[test]
    fn event_checks() {
        let ok: Map<String, Value> =
            serde_json::from_value(json!({"type": "agent.tool_use"})).expect("map");
        assert!(check_events(&[ok]).is_ok());
        for bad in [
            json!({"content": []}),
            json!({"type": "agent.nonsense"}),
            json!({"type": 3}),
            json!({"type": "user.message", "id": ""}),
            json!({"type": "user.message", "processed_at": "yesterday"}),
        ] {
            let event: Map<String, Value> = serde_json::from_value(bad).expect("map");
            assert!(check_events(&[event]).is_err());
        }
    }
}
