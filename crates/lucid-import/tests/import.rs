//! Data-driven tests of the importers.
//!
//! Every fixture under `tests/data/<format>/` is imported with format auto-detection and
//! rendered compactly (a header, then one line per event with its type and channel); the
//! rendering must equal the checked-in `<stem>.txt` beside the fixture. Run with
//! `UPDATE_EXPECT=1` to rewrite the expectations after an intended change, then review the
//! diff. Fixtures named `bad-*` must
//! fail (their expectation is the error message); all others must import and be detected as
//! the format their folder is named after.
//!
//! Further tests check specific facts (ids, agents, pairing, error flags, memory commands),
//! robustness on garbage and mutated input, and the real Claude Code transcripts in
//! `../shared/data/claude-code/` beside the repository (skipped when that folder is absent).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use lucid_core::{
    Channel, EventKind, MemoryCommand, Session, TranscriptFormat, format_timestamp, parse_timestamp,
};
use lucid_import::{
    ImportError, Source, detect_format, import_cline_task, import_session, import_session_as,
    looks_like_error, memory_command_from_tool_call,
};
use proptest::prelude::*;

const FORMATS: [TranscriptFormat; 15] = [
    TranscriptFormat::ClaudeCode,
    TranscriptFormat::ManagedAgents,
    TranscriptFormat::AnthropicMessages,
    TranscriptFormat::OpenaiChat,
    TranscriptFormat::OpenaiResponses,
    TranscriptFormat::Cline,
    TranscriptFormat::SweAgent,
    TranscriptFormat::Aider,
    TranscriptFormat::OpenHands,
    TranscriptFormat::CopilotCli,
    TranscriptFormat::OpenCode,
    TranscriptFormat::GeminiCli,
    TranscriptFormat::SpecStory,
    TranscriptFormat::Antigravity,
    TranscriptFormat::OpenClaw,
];

/// The modification time every fixture is imported with (the fallback time of formats
/// without their own).
const MODIFIED: &str = "2026-01-01T00:00:00Z";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

/// Every fixture file (anything but `.txt` expectations), sorted, as (folder, path).
fn fixtures() -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let folders = std::fs::read_dir(data_dir()).expect("tests/data exists");
    for folder in folders {
        let folder = folder.expect("readable entry").path();
        if !folder.is_dir() {
            continue;
        }
        let name = folder
            .file_name()
            .and_then(|name| name.to_str())
            .expect("UTF-8 folder name")
            .to_string();
        for file in std::fs::read_dir(&folder).expect("readable folder") {
            let path = file.expect("readable entry").path();
            if path.is_file() && path.extension().and_then(|e| e.to_str()) != Some("txt") {
                found.push((name.clone(), path));
            }
        }
    }
    found.sort();
    assert!(
        found.len() >= 30,
        "expected the fixture set, found {}",
        found.len()
    );
    found
}

fn folder_format(folder: &str) -> Option<TranscriptFormat> {
    FORMATS.into_iter().find(|format| format.as_str() == folder)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|name| name.to_str())
        .expect("UTF-8 file name")
        .to_string()
}

fn modified() -> Option<lucid_core::Timestamp> {
    parse_timestamp(MODIFIED)
}

/// Imports a fixture the way the harness does: path `<folder>/<file>`, folder name
/// `fixture-agent`, modified at [`MODIFIED`].
fn import_fixture(folder: &str, path: &Path) -> Result<Session, ImportError> {
    let bytes = std::fs::read(path).expect("readable fixture");
    let source_path = format!("{folder}/{}", file_name(path));
    let source = Source {
        path: &source_path,
        folder_name: Some("fixture-agent"),
        folder_above: None,
        modified: modified(),
    };
    import_session(&bytes, &source)
}

fn fixture(folder: &str, name: &str) -> Session {
    let path = data_dir().join(folder).join(name);
    import_fixture(folder, &path).unwrap_or_else(|error| panic!("{folder}/{name}: {error}"))
}

/// Text for one line: escaped, and cut at 160 characters.
fn quote(text: &str) -> String {
    let escaped = format!("{text:?}");
    if escaped.chars().count() > 160 {
        let cut: String = escaped.chars().take(160).collect();
        format!("{cut}…")
    } else {
        escaped
    }
}

fn render_command(command: &MemoryCommand) -> String {
    match command {
        MemoryCommand::Create { path, text } => format!("create {path} {}", quote(text)),
        MemoryCommand::StrReplace { path, old, new } => {
            format!("str_replace {path} {} -> {}", quote(old), quote(new))
        }
        MemoryCommand::Insert { path, line, text } => {
            let line = line.map_or("-".to_string(), |line| line.to_string());
            format!("insert {path} line={line} {}", quote(text))
        }
        MemoryCommand::Delete { path } => format!("delete {path}"),
        MemoryCommand::Rename { from, to } => format!("rename {from} -> {to}"),
    }
}

/// The compact rendering compared against the expectation files.
fn render(result: &Result<Session, ImportError>) -> String {
    let session = match result {
        Ok(session) => session,
        Err(error) => return format!("error: {error}\n"),
    };
    let mut out = String::new();
    let _ = writeln!(out, "format: {}", session.format.as_str());
    let _ = writeln!(out, "id: {}", session.id);
    let _ = writeln!(out, "agent: {}", session.agent);
    if let Some(parent) = &session.part_of {
        let _ = writeln!(out, "part of: {parent}");
    }
    let _ = writeln!(out, "source: {}", session.source);
    let _ = writeln!(out, "events: {}", session.events.len());
    for event in &session.events {
        let at = event.at.as_ref().map_or("-".to_string(), format_timestamp);
        let id = event
            .source_id
            .as_deref()
            .map_or(String::new(), |id| format!(" #{id}"));
        let detail = match &event.kind {
            EventKind::UserMessage { text } | EventKind::AgentMessage { text } => quote(text),
            EventKind::ToolCall {
                call_id,
                name,
                input,
            } => format!(
                "call={} {name} {}",
                call_id.as_deref().unwrap_or("-"),
                quote(&input.to_string())
            ),
            EventKind::ToolResult {
                call_id,
                tool,
                content,
                is_error,
            } => format!(
                "call={} tool={} error={is_error} {}",
                call_id.as_deref().unwrap_or("-"),
                tool.as_deref().unwrap_or("-"),
                quote(content)
            ),
            EventKind::MemoryWrite {
                call_id,
                tool,
                command,
            } => format!(
                "call={} tool={tool} {}",
                call_id.as_deref().unwrap_or("-"),
                render_command(command)
            ),
            EventKind::Context { label, text } => format!("[{label}] {}", quote(text)),
        };
        let _ = writeln!(
            out,
            "{} {} {} {at}{id} {detail}",
            event.index,
            event.kind.type_name(),
            event.channel.as_str()
        );
    }
    out
}

#[test]
fn fixtures_match_expectations() {
    let mut failures = Vec::new();
    for (folder, path) in fixtures() {
        let name = file_name(&path);
        let result = import_fixture(&folder, &path);
        let expected_bad = name.starts_with("bad-");
        match (&result, expected_bad) {
            (Ok(_), true) => failures.push(format!("{folder}/{name}: imported, expected an error")),
            (Err(error), false) => {
                failures.push(format!("{folder}/{name}: failed to import: {error}"));
            }
            _ => {}
        }
        let actual = render(&result);
        let expect_path = path.with_extension("txt");
        // Every fixture is compared (expect-test prints each diff), then all failures are
        // listed: the first mismatch does not hide the others. UPDATE_EXPECT=1 rewrites them.
        let matched = std::panic::catch_unwind(|| {
            expect_test::expect_file![expect_path.clone()].assert_eq(&actual);
        });
        if matched.is_err() {
            failures.push(format!(
                "{folder}/{name}: rendering differs from {} (diff above)",
                file_name(&expect_path)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn every_fixture_is_detected_as_its_folder_format() {
    let mut checked = 0;
    for (folder, path) in fixtures() {
        let name = file_name(&path);
        let bytes = std::fs::read(&path).expect("readable fixture");
        let detected = detect_format(&bytes);
        if let Some(format) = folder_format(&folder) {
            assert_eq!(detected, Some(format), "{folder}/{name}");
            if let Ok(session) = import_fixture(&folder, &path) {
                assert_eq!(session.format, format, "{folder}/{name}");
                // Importing with the format named gives the same session.
                let source_path = format!("{folder}/{name}");
                let source = Source {
                    path: &source_path,
                    folder_name: Some("fixture-agent"),
                    folder_above: None,
                    modified: modified(),
                };
                let forced = import_session_as(format, &bytes, &source).expect("forced import");
                assert_eq!(forced, session, "{folder}/{name}");
            }
            checked += 1;
        } else {
            // Malformed inputs: recognised only when they are a known format that is broken
            // further in (a bad line, no events); never imported.
            let expected = match name.as_str() {
                "bad-no-events.jsonl" | "bad-array-line.jsonl" => {
                    Some(TranscriptFormat::ClaudeCode)
                }
                _ => None,
            };
            assert_eq!(detected, expected, "{folder}/{name}");
            assert!(import_fixture(&folder, &path).is_err(), "{folder}/{name}");
        }
    }
    assert!(checked >= 20, "checked {checked}");
}

#[test]
fn event_indexes_are_sequential() {
    for (folder, path) in fixtures() {
        if let Ok(session) = import_fixture(&folder, &path) {
            for (position, event) in session.events.iter().enumerate() {
                assert_eq!(event.index, position, "{}", path.display());
            }
        }
    }
}

fn tool_results(session: &Session) -> Vec<(Option<&str>, Option<&str>, bool, &str)> {
    session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::ToolResult {
                call_id,
                tool,
                content,
                is_error,
            } => Some((
                call_id.as_deref(),
                tool.as_deref(),
                *is_error,
                content.as_str(),
            )),
            _ => None,
        })
        .collect()
}

fn memory_commands(session: &Session) -> Vec<(&str, &MemoryCommand)> {
    session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::MemoryWrite { tool, command, .. } => Some((tool.as_str(), command)),
            _ => None,
        })
        .collect()
}

fn count(session: &Session, type_name: &str) -> usize {
    session
        .events
        .iter()
        .filter(|event| event.kind.type_name() == type_name)
        .count()
}

#[test]
fn claude_code_session_facts() {
    let session = fixture("claude_code", "session.jsonl");
    assert_eq!(session.id, "7f1c2a9e-0b1d-4c55-9a10-3e2f5d6c7b8a");
    // Claude Code names no agent: the folder is the fallback.
    assert_eq!(session.agent, "fixture-agent");
    assert_eq!(session.source, "claude_code/session.jsonl");
    let first = &session.events[0];
    assert_eq!(first.source_id.as_deref(), Some("u1"));
    assert_eq!(first.at, parse_timestamp("2026-02-03T10:00:01Z"));
    assert!(matches!(&first.kind, EventKind::UserMessage { text } if text.starts_with("Deploy")));
    // Thinking is skipped: the agent's first event is its text.
    assert!(matches!(
        &session.events[1].kind,
        EventKind::AgentMessage { .. }
    ));

    let results = tool_results(&session);
    assert_eq!(
        results[0],
        (
            Some("toolu_bash1"),
            Some("Bash"),
            false,
            "Deployed billing@1.4.2 to staging:8443"
        )
    );
    assert_eq!(results[1].1, Some("Read"));
    assert!(results[1].2, "is_error: true must be kept");
    // The memory tool's own result still pairs with the call.
    assert_eq!(results[2].1, Some("memory"));
    // Text blocks joined; image dropped; unknown block kept as JSON.
    let write_result = results
        .iter()
        .find(|r| r.0 == Some("toolu_write2"))
        .expect("result");
    assert!(write_result.3.starts_with("Wrote notes.txt\n{"));
    assert!(!write_result.3.contains("iVBOR"));

    let memory = memory_commands(&session);
    assert_eq!(memory.len(), 3, "create + two MultiEdit edits");
    assert_eq!(
        memory[0],
        (
            "memory",
            &MemoryCommand::Create {
                path: "/deploy/staging.md".into(),
                text: "# Staging\n- billing listens on 8443\n".into()
            }
        )
    );
    assert_eq!(memory[1].0, "MultiEdit");
    assert_eq!(memory[2].0, "MultiEdit");
    // A Write outside /memories stays a plain tool call.
    assert!(session.events.iter().any(|event| matches!(
        &event.kind,
        EventKind::ToolCall { name, .. } if name == "Write"
    )));
    // isMeta, system and summary records are context.
    let labels: Vec<&str> = session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::Context { label, .. } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(labels, ["hook", "compact_boundary", "summary"]);
}

#[test]
fn claude_code_line_rules() {
    let truncated = fixture("claude_code", "truncated-last-line.jsonl");
    assert_eq!(truncated.events.len(), 4);

    let bad = import_fixture(
        "claude_code",
        &data_dir().join("claude_code").join("bad-middle-line.jsonl"),
    );
    match bad {
        Err(ImportError::Line { line, reason }) => {
            assert_eq!(line, 3);
            assert!(reason.contains("invalid JSON"), "{reason}");
        }
        other => panic!("expected a line error, got {other:?}"),
    }

    // Cut inside a number, and cut inside a string, on the last line: skipped. Trailing junk on
    // the last line is not a truncation: reported.
    let good = "{\"type\":\"user\",\"sessionId\":\"s\",\"uuid\":\"a\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n";
    for tail in [
        "{\"type\":\"user\",\"n\":12.",
        "{\"type\":\"user\",\"n\":\"ab",
        "{\"a\":tr",
    ] {
        let bytes = format!("{good}{tail}");
        let session = import_session(bytes.as_bytes(), &Source::new("s.jsonl"))
            .unwrap_or_else(|error| panic!("{tail}: {error}"));
        assert_eq!(session.events.len(), 1, "{tail}");
    }
    // Gemini CLI's prompt log (`logs.json`) holds what its chat files hold: it is no
    // session of its own, and the reason says so (it once read as an empty Claude Code one).
    let prompt_log = r#"[{"sessionId":"52c7","messageId":0,"type":"user","message":"/extensions","timestamp":"2026-04-12T01:16:13.434Z"},
        {"sessionId":"52c7","messageId":1,"type":"user","message":"Add a budget page","timestamp":"2026-04-12T01:17:02.100Z"}]"#;
    match import_session(prompt_log.as_bytes(), &Source::new("logs.json")) {
        Err(ImportError::UnrecognisedFormat { reason }) => {
            assert!(reason.contains("Gemini CLI prompt log"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let junk = format!("{good}{{\"a\":1}}x\n");
    assert!(matches!(
        import_session(junk.as_bytes(), &Source::new("s.jsonl")),
        Err(ImportError::Line { line: 2, .. })
    ));

    // A few garbled lines in a long file are left out, and named, when the caller asks for
    // that; too many garbled lines, or a line that is JSON of another shape, still reject it.
    let user_line = |i: usize| {
        format!(
            "{{\"type\":\"user\",\"sessionId\":\"s\",\"uuid\":\"u{i}\",\"message\":{{\"role\":\"user\",\"content\":\"message {i}\"}}}}"
        )
    };
    let file_with = |replaced: &[(usize, &str)]| -> String {
        (1..=12)
            .map(|line| {
                replaced
                    .iter()
                    .find(|(at, _)| *at == line)
                    .map_or_else(|| user_line(line), |(_, text)| text.to_string())
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let lenient = |text: &str| {
        lucid_import::import_sessions_leaving_out_garbled_lines(
            text.as_bytes(),
            &Source::new("s.jsonl"),
        )
    };
    let garbled = "ssage\":{\"role\":\"user\",\"content\":\"cut";
    let (sessions, left_out) = lenient(&file_with(&[(6, garbled)])).expect("one garbled line");
    assert_eq!(sessions[0].events.len(), 11);
    assert_eq!(left_out.iter().map(|l| l.line).collect::<Vec<_>>(), vec![6]);
    assert!(left_out[0].reason.contains("not JSON"), "{:?}", left_out);
    // A garbled first line too: detection reads past it.
    let (first_garbled, left_out) =
        lenient(&file_with(&[(1, garbled)])).expect("a garbled first line");
    assert_eq!(first_garbled[0].events.len(), 11);
    assert_eq!(left_out[0].line, 1);
    // The strict import still names the line.
    assert!(matches!(
        import_session(
            file_with(&[(6, garbled)]).as_bytes(),
            &Source::new("s.jsonl")
        ),
        Err(ImportError::Line { line: 6, .. })
    ));
    for (case, replaced) in [
        (
            "two garbled lines of twelve",
            vec![(4, garbled), (9, "{\"a\":")],
        ),
        (
            "a line of valid JSON that is no record",
            vec![(6, "[1, 2, 3]")],
        ),
    ] {
        assert!(
            matches!(
                lenient(&file_with(&replaced)),
                Err(ImportError::Line { .. })
            ),
            "{case}"
        );
    }
    assert!(
        lenient(
            &std::fs::read_to_string(data_dir().join("claude_code").join("bad-middle-line.jsonl"))
                .expect("fixture")
        )
        .is_err()
    );

    // A headless run's stream, as JSON Lines or as the JSON array claude-code-action logs.
    let stream = fixture("claude_code", "headless-stream.jsonl");
    assert_eq!(stream.id, "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d");
    let lines =
        std::fs::read_to_string(data_dir().join("claude_code").join("headless-stream.jsonl"))
            .expect("fixture");
    let array = format!("[{}]", lines.trim().replace('\n', ",\n"));
    let from_array = import_session(
        array.as_bytes(),
        &Source::new("claude-execution-output.json"),
    )
    .expect("an array of stream records");
    assert_eq!(from_array.format, TranscriptFormat::ClaudeCode);
    assert_eq!(from_array.events, stream.events);

    // Resumed sessions continue under the id seen last.
    let resumed = fixture("claude_code", "resumed.jsonl");
    assert_eq!(resumed.id, "7f1c2a9e-0b1d-4c55-9a10-3e2f5d6c7b8a");

    let single = fixture("claude_code", "single-record.jsonl");
    assert_eq!(single.events.len(), 1);

    let bom = fixture("claude_code", "bom-crlf.jsonl");
    assert_eq!(bom.events.len(), 2);
    assert!(
        matches!(&bom.events[0].kind, EventKind::UserMessage { text } if !text.ends_with('\r'))
    );
}

#[test]
fn managed_agents_facts() {
    let session = fixture("managed_agents", "events.jsonl");
    assert_eq!(session.id, "sesn_01HQ8ZK2");
    assert_eq!(
        session.agent, "support-bot",
        "the agent's name is preferred over its id"
    );
    assert_eq!(session.events[0].source_id.as_deref(), Some("sevt_001"));
    assert_eq!(
        session.events[0].at,
        parse_timestamp("2026-03-01T12:00:01Z")
    );
    let results = tool_results(&session);
    assert_eq!(results[0].0, Some("sevt_005"));
    assert_eq!(results[0].1, Some("bash"));
    assert_eq!(
        (results[1].1, results[1].2),
        (Some("create_ticket"), true),
        "mcp result pairs via mcp_tool_use_id and keeps is_error"
    );
    assert_eq!(results[3].1, Some("refund"), "custom tool result pairs");
    assert_eq!(
        memory_commands(&session),
        [(
            "write",
            &MemoryCommand::Create {
                path: "/customers/4411.md".into(),
                text: "Duplicate invoice INV-1 reported 2026-03-01.\n".into()
            }
        )]
    );
    let contexts: Vec<(&str, &str)> = session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::Context { label, text } => Some((label.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        contexts,
        [
            (
                "session.error",
                "model_overloaded_error: Model overloaded, retrying"
            ),
            (
                "agent.thread_message_received",
                "Sub-agent: ledger reconciled."
            ),
        ]
    );

    // The same events as a bare array give the same events.
    let array = fixture("managed_agents", "array.json");
    assert_eq!(array.events, session.events[..array.events.len()]);

    let page = fixture("managed_agents", "page.json");
    assert_eq!(page.id, "sesn_page_01");
    assert_eq!(page.agent, "policy-bot");
    let last = page.events.last().expect("events");
    assert_eq!(
        last.at,
        parse_timestamp("2026-03-02T08:00:05Z"),
        "created_at when processed_at is null"
    );
    assert!(matches!(
        memory_commands(&page)[..],
        [("edit", MemoryCommand::StrReplace { .. })]
    ));
}

#[test]
fn anthropic_messages_facts() {
    let request = fixture("anthropic_messages", "request.json");
    assert_eq!(request.id, "request", "no id in the file: the file stem");
    let at = parse_timestamp("2026-01-15T09:30:00Z");
    assert!(request.events.iter().all(|event| event.at == at));
    assert!(
        matches!(&request.events[0].kind, EventKind::Context { label, .. } if label == "system")
    );
    let results = tool_results(&request);
    assert_eq!(results[0].1, Some("git"));
    assert!(results[0].2);
    assert_eq!(
        memory_commands(&request),
        [(
            "memory",
            &MemoryCommand::StrReplace {
                path: "/releases.md".into(),
                old: "freeze: TBD".into(),
                new: "freeze: 2026-01-20".into()
            }
        )]
    );
    // `view` is a read: a plain tool call.
    assert_eq!(count(&request, "tool_call"), 2);

    let pair = fixture("anthropic_messages", "pair.json");
    assert!(
        pair.events.iter().all(|event| event.at == modified()),
        "no created_at: the file's modification time"
    );
    assert!(matches!(
        &pair.events.last().expect("events").kind,
        EventKind::AgentMessage { text } if text == "Lima."
    ));

    let plain = fixture("anthropic_messages", "plain.json");
    assert_eq!(plain.id, "conv_plain_7");
    assert_eq!(plain.agent, "trivia-bot");

    let response = fixture("anthropic_messages", "response.json");
    assert_eq!(response.id, "msg_01RESP");
    assert!(matches!(
        memory_commands(&response)[..],
        [("memory", MemoryCommand::Insert { line: Some(3), .. })]
    ));
}

#[test]
fn openai_chat_facts() {
    let session = fixture("openai_chat", "request.json");
    assert_eq!(session.agent, "ops-agent");
    let created = chrono::DateTime::from_timestamp(1_767_225_600, 0);
    assert!(session.events.iter().all(|event| event.at == created));
    let calls: Vec<(&str, &serde_json::Value)> = session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::ToolCall { name, input, .. } => Some((name.as_str(), input)),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls[0],
        (
            "restart_service",
            &serde_json::json!({"service": "queue-worker"})
        )
    );
    assert_eq!(
        calls[1],
        ("notify", &serde_json::json!("{not json")),
        "invalid arguments stay a string"
    );
    let results = tool_results(&session);
    assert_eq!(
        (results[0].1, results[0].2),
        (Some("restart_service"), true)
    );
    assert_eq!((results[1].1, results[1].2), (Some("notify"), false));
    assert_eq!(
        (results[3].1, results[3].2),
        (None, true),
        "unknown call; JSON error"
    );
    assert!(matches!(
        memory_commands(&session)[..],
        [("write_file", MemoryCommand::Create { path, .. })] if path == "/ops/queue-worker.md"
    ));

    let completion = fixture("openai_chat", "completion.json");
    assert_eq!(completion.id, "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
    assert_eq!(completion.events.len(), 1, "only the first choice is kept");

    let legacy = fixture("openai_chat", "legacy-function.json");
    let results = tool_results(&legacy);
    assert_eq!(
        (results[0].0, results[0].1, results[0].2),
        (None, Some("get_weather"), true)
    );
}

#[test]
fn openai_responses_facts() {
    let rollout = fixture("openai_responses", "rollout.jsonl");
    assert_eq!(rollout.id, "0199a6f2-1c3b-7e10-b5a4-2f9d8e7c6b5a");
    assert!(matches!(
        &rollout.events[0].kind,
        EventKind::Context { label, .. } if label == "environment_context"
    ));
    assert_eq!(
        count(&rollout, "user_message"),
        1,
        "event_msg duplicates are skipped"
    );
    let results = tool_results(&rollout);
    assert_eq!(
        results[0],
        (
            Some("call_test1"),
            Some("shell"),
            true,
            "error[E0425]: cannot find value `x`\n"
        ),
        "exit code 101; content is the inner output"
    );
    assert!(!results[1].2, "exit code 0 wins over error-looking text");
    assert!(results[2].2, "Process exited with code 1");
    assert!(!results[3].2);
    assert_eq!(results[4].1, Some("local_shell"));
    assert!(results[4].2, "no exit code: looks_like_error");
    assert_eq!(
        memory_commands(&rollout),
        [(
            "apply_patch",
            &MemoryCommand::Create {
                path: "/repo/conventions.md".into(),
                text: "Use `cargo nextest` for tests.\nNever commit target/.\n".into()
            }
        )]
    );

    let truncated = fixture("openai_responses", "rollout-truncated.jsonl");
    assert_eq!(truncated.events.len(), 2);
    // A crash that left the file's tail zeroed (a real Codex rollout ended in 3,772 NUL bytes)
    // loses nothing before it.
    let mut zeroed = std::fs::read(data_dir().join("openai_responses/rollout-truncated.jsonl"))
        .expect("fixture");
    let complete = zeroed.iter().rposition(|&b| b == b'\n').expect("a newline") + 1;
    zeroed.truncate(complete);
    zeroed.extend(std::iter::repeat_n(0u8, 3772));
    let session = import_session(&zeroed, &Source::new("rollout-zeroed.jsonl"))
        .expect("a zeroed tail is no error");
    assert_eq!(session.events.len(), 2);

    let legacy = fixture("openai_responses", "legacy-rollout.jsonl");
    assert_eq!(legacy.id, "0d5c1e2a-aaaa-bbbb-cccc-1234567890ab");
    let started = parse_timestamp("2025-06-01T08:00:00Z");
    assert!(legacy.events.iter().all(|event| event.at == started));
    assert_eq!(tool_results(&legacy)[0].1, Some("shell"));

    let response = fixture("openai_responses", "response.json");
    assert_eq!(response.id, "resp_67ccd2bed1ec8190b14f964abc054267");
    assert!(matches!(
        &response.events[0].kind,
        EventKind::Context { label, .. } if label == "instructions"
    ));
    let results = tool_results(&response);
    assert_eq!(
        (results[0].1, results[0].2),
        (Some("search_docs"), true),
        "JSON error object"
    );
    assert!(matches!(
        memory_commands(&response)[..],
        [("create_file", MemoryCommand::Create { path, .. })] if path == "/finance.md"
    ));
}

#[test]
fn source_fallbacks() {
    let bytes = br#"[{"role":"user","content":"hi"}]"#;
    let source = Source {
        path: "fleet/support-bot/s1.json",
        folder_name: Some("support-bot"),
        folder_above: None,
        modified: None,
    };
    let session = import_session(bytes, &source).expect("imports");
    assert_eq!(session.id, "s1");
    assert_eq!(session.agent, "support-bot");
    assert_eq!(session.source, "fleet/support-bot/s1.json");
    assert_eq!(session.events[0].at, None);
    let bare = import_session(bytes, &Source::new("x.json")).expect("imports");
    assert_eq!(bare.agent, "default");
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("whitespace", b" \n\t\r\n".to_vec()),
        ("bom only", b"\xEF\xBB\xBF".to_vec()),
        ("binary", (0u8..=255).collect()),
        ("nul bytes", vec![0; 64]),
        ("invalid utf-8", b"{\"a\": \"\xC3\x28\"}".to_vec()),
        ("text", b"hello world".to_vec()),
        ("null", b"null".to_vec()),
        ("true", b"true".to_vec()),
        ("string", b"\"hi\"".to_vec()),
        ("empty object", b"{}".to_vec()),
        ("empty array", b"[]".to_vec()),
        ("array of numbers", b"[1,2,3]".to_vec()),
        ("array of nulls", b"[null]".to_vec()),
        ("deep nesting", "[".repeat(100_000).into_bytes()),
        (
            "deep objects",
            "{\"a\":".repeat(50_000).into_bytes(),
        ),
        ("lines of numbers", b"1\n2\n3\n".to_vec()),
        ("unclosed", b"{\"messages\": [".to_vec()),
        ("messages null", b"{\"messages\": null}".to_vec()),
        ("data not events", b"{\"data\": [1, 2]}".to_vec()),
        ("choices junk", b"{\"choices\": 5}".to_vec()),
        ("output junk", b"{\"object\": \"response\", \"output\": 5}".to_vec()),
        ("claude no message", b"{\"type\":\"user\",\"uuid\":\"u\",\"sessionId\":\"s\"}".to_vec()),
        (
            "claude wrong types",
            b"{\"type\":\"user\",\"uuid\":5,\"sessionId\":[1],\"message\":7,\"timestamp\":{}}\n{\"type\":3}\n"
                .to_vec(),
        ),
        ("codex empty payloads", b"{\"type\":\"response_item\",\"payload\":5}\n{\"type\":\"session_meta\",\"payload\":[]}\n".to_vec()),
    ];
    for (name, bytes) in &inputs {
        let result = import_session(bytes, &Source::new("garbage.bin"));
        assert!(result.is_err(), "{name}: {result:?}");
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!message.is_empty(), "{name}");
        for format in FORMATS {
            assert!(
                import_session_as(format, bytes, &Source::new("garbage.bin")).is_err(),
                "{name} as {}",
                format.as_str()
            );
        }
    }
    assert_eq!(detect_format(b""), None);
    assert_eq!(detect_format(&(0u8..=255).collect::<Vec<u8>>()), None);
    assert_eq!(detect_format(b"{\"foo\": 1}"), None);
}

#[test]
fn error_messages_are_specific() {
    let message = |bytes: &[u8]| {
        import_session(bytes, &Source::new("x"))
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default()
    };
    assert_eq!(message(b""), "empty input");
    assert!(message(b"\xff\xfe{").starts_with("not UTF-8"));
    assert!(
        message(b"{\"a\": \"\xC3\x28\"}").starts_with("not UTF-8: invalid byte sequence at byte 7")
    );
    assert!(
        message(b"hello").starts_with(
            "no recognised transcript format: text that is not JSON and not an aider chat \
             transcript"
        ),
        "{}",
        message(b"hello")
    );
    assert_eq!(
        message(b"{hello"),
        "no recognised transcript format: line 1 is not JSON (key must be a string at column 2)"
    );
    assert_eq!(
        message(b"42"),
        "no recognised transcript format: the file's JSON is a number, not an object or array"
    );
    assert!(
        message(b"{\"foo\":1}")
            .starts_with("no recognised transcript format: a JSON object with keys foo")
    );
    let claude = b"{\"type\":\"queue-operation\",\"sessionId\":\"s\"}\n";
    assert!(message(claude).starts_with("no events"));
    let line3 = b"{\"type\":\"user\",\"sessionId\":\"s\",\"uuid\":\"a\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n\n{bad\n{\"type\":\"summary\",\"summary\":\"x\"}\n";
    assert!(
        message(line3).starts_with("line 3: invalid JSON"),
        "{}",
        message(line3)
    );
}

/// Every fixture's bytes, read once for the property tests (empty files left out: there is
/// nothing to mutate in them).
static FIXTURE_BYTES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    fixtures()
        .into_iter()
        .map(|(_, path)| std::fs::read(&path).expect("readable fixture"))
        .filter(|bytes| !bytes.is_empty())
        .collect()
});

/// A replacement byte: one of `specials` (bytes that matter to the format's syntax), each as
/// likely as an arbitrary byte.
fn replacement_byte(specials: &'static [u8]) -> impl Strategy<Value = u8> {
    let weight = u32::try_from(specials.len()).expect("a short list");
    prop_oneof![
        weight => prop::sample::select(specials),
        1 => any::<u8>(),
    ]
}

/// Replaces the byte at `position` (an index into `bytes`) with `replacement`.
fn mutate(bytes: &mut [u8], position: prop::sample::Index, replacement: u8) {
    if !bytes.is_empty() {
        bytes[position.index(bytes.len())] = replacement;
    }
}

/// Every prefix of every fixture (about 97 cuts each) imports or fails cleanly.
#[test]
fn truncated_fixtures_never_panic() {
    let mut runs = 0usize;
    for (_, path) in fixtures() {
        let bytes = std::fs::read(&path).expect("readable fixture");
        let step = (bytes.len() / 97).max(1);
        for cut in (0..=bytes.len()).step_by(step) {
            let prefix = bytes.get(..cut).expect("in range");
            let _ = import_session(prefix, &Source::new("fuzz.jsonl"));
            let _ = detect_format(prefix);
            runs += 1;
        }
    }
    assert!(runs > 1000);
}

proptest! {
    // About 200 mutations per fixture, as many as the hand-rolled generator made before.
    #![proptest_config(ProptestConfig::with_cases(8_000))]

    /// A fixture with one byte replaced imports or fails cleanly, never panics.
    #[test]
    fn mutated_fixtures_never_panic(
        fixture in any::<prop::sample::Index>(),
        position in any::<prop::sample::Index>(),
        replacement in replacement_byte(b"{\"\n}\\"),
    ) {
        let mut mutated = fixture.get(&FIXTURE_BYTES).clone();
        mutate(&mut mutated, position, replacement);
        let _ = import_session(&mutated, &Source::new("fuzz.jsonl"));
    }
}

#[test]
fn looks_like_error_through_the_public_api() {
    assert!(looks_like_error("HTTP 409 Conflict"));
    assert!(looks_like_error("ValueError: bad"));
    assert!(looks_like_error("{\"error\": \"nope\"}"));
    assert!(!looks_like_error("No errors found"));
    assert!(!looks_like_error("0 errors"));
    // Windows PowerShell refusing a chain, as Cline's `execute_command` returns it: the message
    // comes past the first lines, the record's fields after it.
    assert!(looks_like_error(
        "Command executed.\nOutput:\nAt line:1 char:11\n+ cd client && npm run start\n+           \
         ~~\nThe token '&&' is not a valid statement separator in this version.\n    + \
         CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\n    + \
         FullyQualifiedErrorId : InvalidEndOfLine"
    ));
    assert!(!looks_like_error(
        "Command executed.\nOutput:\nThe record's fields are CategoryInfo and FullyQualifiedErrorId."
    ));
}

#[test]
fn memory_command_through_the_public_api() {
    let input =
        serde_json::json!({"command": "create", "path": "/memories/a.md", "file_text": "x"});
    assert_eq!(
        memory_command_from_tool_call("memory", &input),
        Some(MemoryCommand::Create {
            path: "/a.md".into(),
            text: "x".into()
        })
    );
    let outside = serde_json::json!({"file_path": "/etc/passwd", "content": "x"});
    assert_eq!(memory_command_from_tool_call("Write", &outside), None);
}

/// The real Claude Code transcripts in `../shared/data/claude-code/` beside the repository.
fn real_claude_code_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("LUCID_CLAUDE_CODE_DATA").map(PathBuf::from),
        Some(manifest.join("../../../shared/data/claude-code")),
        // The manifest directory may be reached through a symlink.
        manifest
            .canonicalize()
            .ok()
            .map(|real| real.join("../../../shared/data/claude-code")),
    ];
    candidates.into_iter().flatten().find(|dir| dir.is_dir())
}

/// Data or a program a test needs is absent. Under CI (`CI` set) the test fails: a run that
/// passes by skipping proves nothing. Elsewhere it says so on the terminal (written past the
/// test harness's capture, so it shows without --nocapture) and the test returns.
fn absent(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set, and {what}: a CI run must not pass by skipping"
    );
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {what}");
}

#[test]
fn real_claude_code_transcripts() {
    let Some(dir) = real_claude_code_dir() else {
        absent(
            "real_claude_code_transcripts: ../shared/data/claude-code/ not found beside the \
             repository (set LUCID_CLAUDE_CODE_DATA to point at it)",
        );
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable data folder")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().and_then(|e| e.to_str()) == Some("jsonl"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        7,
        "the seven real transcripts in {}",
        dir.display()
    );
    for path in &files {
        let name = file_name(path);
        let bytes = std::fs::read(path).expect("readable transcript");
        assert_eq!(
            detect_format(&bytes),
            Some(TranscriptFormat::ClaudeCode),
            "{name}"
        );
        let source_path = format!("claude-code/{name}");
        let source = Source {
            path: &source_path,
            folder_name: Some("claude-code"),
            folder_above: None,
            modified: None,
        };
        let session =
            import_session(&bytes, &source).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(!session.events.is_empty(), "{name}");

        // The session id is the sessionId every record carries.
        let text = String::from_utf8(bytes).expect("UTF-8");
        let first: serde_json::Value =
            serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
        assert_eq!(
            Some(session.id.as_str()),
            first.get("sessionId").and_then(|v| v.as_str()),
            "{name}"
        );
        assert_eq!(session.agent, "claude-code");
        assert!(
            session.events.iter().all(|event| event.at.is_some()),
            "{name}"
        );

        // Every tool call has exactly one result naming the same tool, and vice versa.
        let mut calls = std::collections::HashMap::new();
        for event in &session.events {
            match &event.kind {
                EventKind::ToolCall { call_id, name, .. } => {
                    calls.insert(call_id.clone().expect("call id"), name.clone());
                }
                EventKind::MemoryWrite { call_id, tool, .. } => {
                    calls.insert(call_id.clone().expect("call id"), tool.clone());
                }
                _ => {}
            }
        }
        let results = tool_results(&session);
        assert_eq!(
            results.len(),
            calls.len(),
            "{name}: calls and results pair up"
        );
        for (call_id, tool, _, _) in &results {
            let call_id = call_id.expect("result call id");
            assert_eq!(
                calls.get(call_id).map(String::as_str),
                *tool,
                "{name}: result {call_id} names its tool"
            );
        }
        assert!(
            count(&session, "user_message") >= 1 && count(&session, "agent_message") >= 1,
            "{name}"
        );
        assert_no_harness_in_human(&session, &name);
        // Reminders Claude Code appends to file reads are cut off into harness events.
        for (_, _, _, content) in &results {
            assert!(
                !content.contains("<system-reminder>"),
                "{name}: {content:?}"
            );
        }
        println!(
            "{name}: {} events, {} tool calls, {} errors",
            session.events.len(),
            calls.len(),
            results.iter().filter(|r| r.2).count()
        );
    }
}

/// The texts of a session's events on `channel`.
fn texts_on(session: &Session, channel: Channel) -> Vec<String> {
    session
        .events
        .iter()
        .filter(|event| event.channel == channel)
        .map(|event| event.text())
        .collect()
}

/// The labels of a session's context events, in order.
fn context_labels(session: &Session) -> Vec<&str> {
    session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::Context { label, .. } => Some(label.as_str()),
            _ => None,
        })
        .collect()
}

/// Harness text that must never reach the `human` channel.
const HARNESS_MARKS: &[&str] = &[
    "<system-reminder>",
    "<command-name>",
    "<command-message>",
    "<local-command-stdout>",
    "<local-command-caveat>",
    "<bash-stdout>",
    "<user-prompt-submit-hook>",
    "<task-notification>",
    "[Request interrupted by user",
    "Stop hook feedback:",
    "Caveat: The messages below were generated by the user",
    "Implement the following plan:",
    "<environment_details>",
    "] Result:",
    "[ERROR] You did not use a tool",
    "[TASK RESUMPTION]",
    "<feedback>",
    "<task>",
    "(Open file:",
    "bash-$",
];

fn assert_no_harness_in_human(session: &Session, name: &str) {
    for text in texts_on(session, Channel::Human) {
        for mark in HARNESS_MARKS {
            assert!(
                !text.contains(mark),
                "{name}: human text carries harness mark {mark:?}: {text:?}"
            );
        }
    }
}

/// Every result answers an earlier call with the same id, and every call id is unique.
fn assert_results_answer_calls(session: &Session, name: &str) {
    let mut calls: Vec<&str> = Vec::new();
    for event in &session.events {
        match &event.kind {
            EventKind::ToolCall { call_id, .. } | EventKind::MemoryWrite { call_id, .. } => {
                if let Some(id) = call_id {
                    calls.push(id);
                }
            }
            EventKind::ToolResult { call_id, .. } => {
                let id = call_id
                    .as_deref()
                    .unwrap_or_else(|| panic!("{name}: a result without a call id"));
                assert!(
                    calls.contains(&id),
                    "{name}: result {id} answers no earlier call"
                );
            }
            _ => {}
        }
    }
    let mut unique = calls.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), calls.len(), "{name}: call ids are unique");
}

#[test]
fn claude_code_channels() {
    let session = fixture("claude_code", "channels.jsonl");
    assert_eq!(
        texts_on(&session, Channel::Human),
        [
            "opus for code review",
            "Always run the linter before committing.",
            "git status --short",
            "Use Decimal for money, never float."
        ]
    );
    assert_eq!(
        context_labels(&session),
        [
            "caveat",
            "command",
            "command",
            "system_reminder",
            "system_reminder",
            "interrupted",
            "bash_output",
            "hook",
            "plan",
            "hook"
        ]
    );
    assert_eq!(
        texts_on(&session, Channel::ToolOutput),
        ["     1→line-length = 100\n     2→", "M src/cart.py"],
        "the Read result without its reminder, and the shell's output"
    );
    // The split keeps the record's time and id on every part, and the order of the text.
    let c4: Vec<(&str, Channel)> = session
        .events
        .iter()
        .filter(|event| event.source_id.as_deref() == Some("c4"))
        .map(|event| (event.kind.type_name(), event.channel))
        .collect();
    assert_eq!(
        c4,
        [
            ("user_message", Channel::Human),
            ("context", Channel::Harness)
        ]
    );
    assert_no_harness_in_human(&session, "channels.jsonl");
    assert_results_answer_calls(&session, "channels.jsonl");
}

/// The Cline task folder fixture: its history, UI log and metadata.
fn cline_task() -> (Vec<u8>, Vec<u8>, PathBuf) {
    let dir = data_dir().join("cline").join("1733234405000");
    let api = std::fs::read(dir.join("api_conversation_history.json")).expect("history");
    let ui = std::fs::read(dir.join("ui_messages.json")).expect("ui messages");
    (api, ui, dir)
}

fn import_cline_fixture(api: &[u8], ui: Option<&[u8]>) -> Result<Session, ImportError> {
    let source = Source {
        path: "cline/1733234405000/api_conversation_history.json",
        folder_name: Some("1733234405000"),
        folder_above: None,
        modified: modified(),
    };
    import_cline_task(api, ui, &source)
}

/// A file the agent read is the file's text, whatever wrappers it quotes: an exported Cline
/// conversation (its `<task>`, its `<feedback>`, its `<environment_details>`) read with
/// `read_file` gives no human turn and no harness text, and the result stays one result. Cline's
/// own feedback after a result, introduced by its line about the user, is still the person's.
#[test]
fn wrappers_inside_a_file_the_agent_read_are_the_files_text() {
    let exported = "**User:**\n\n<task>\nAlways deploy from the release branch.\n</task>\n\
                    <environment_details>\n# Current Mode\nACT MODE\n</environment_details>\n\n\
                    ---\n\n**Assistant:**\n\nDone.\n\n---\n\n**User:**\n\n\
                    The user provided the following feedback:\n\
                    <feedback>\nNever skip the smoke tests.\n</feedback>\n\nMore notes follow.";
    let api = serde_json::json!([
        {"role": "user", "content": [{"type": "text", "text": "<task>\nSummarise docs/old_task.md\n</task>"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "<read_file>\n<path>docs/old_task.md</path>\n</read_file>"}]},
        {"role": "user", "content": [
            {"type": "text", "text": "[read_file for 'docs/old_task.md'] Result:"},
            {"type": "text", "text": exported},
            {"type": "text", "text": "<environment_details>\n# Current Mode\nACT MODE\n</environment_details>"}
        ]},
        {"role": "assistant", "content": [{"type": "text", "text": "<execute_command>\n<command>ls</command>\n</execute_command>"}]},
        {"role": "user", "content": [
            {"type": "text", "text": "[execute_command for 'ls'] Result:"},
            {"type": "text", "text": "Command executed.\nOutput:\ndocs\n\nThe user provided the following feedback:\n<feedback>\nUse pnpm, not npm.\n</feedback>"}
        ]}
    ])
    .to_string();
    let session = import_cline_fixture(api.as_bytes(), None).expect("imports");
    assert_eq!(
        texts_on(&session, Channel::Human),
        ["Summarise docs/old_task.md", "Use pnpm, not npm."]
    );
    let results = tool_results(&session);
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(
        results[0].3.contains("Never skip the smoke tests.") && results[0].3.contains("More notes"),
        "the whole file is the result: {:?}",
        results[0].3
    );
}

#[test]
fn cline_task_folder() {
    let (api, ui, _) = cline_task();
    let session = import_cline_fixture(&api, Some(&ui)).expect("imports");

    // Snapshot, like the other fixtures.
    let expect_path = data_dir().join("cline").join("1733234405000.txt");
    expect_test::expect_file![expect_path].assert_eq(&render(&Ok(session.clone())));

    assert_eq!(session.format, TranscriptFormat::Cline);
    assert_eq!(session.id, "1733234405000", "the task folder");
    assert_eq!(session.agent, "cline", "the folder above the task folder");
    assert_eq!(
        texts_on(&session, Channel::Human),
        [
            "Add a --dry-run flag to the deploy script. We always deploy with pnpm, never npm.",
            "Parse it as a CLI flag with commander, not a function parameter.",
            "No, just run pnpm lint.",
            "Looks good. Remember: deploys go out on Tuesdays only."
        ]
    );
    assert_no_harness_in_human(&session, "cline task");
    assert_results_answer_calls(&session, "cline task");
    let results: Vec<(Option<&str>, bool)> = tool_results(&session)
        .into_iter()
        .map(|(_, tool, is_error, _)| (tool, is_error))
        .collect();
    assert_eq!(
        results,
        [
            (Some("read_file"), false),
            (Some("replace_in_file"), true),
            (Some("execute_command"), true),
            (Some("ask_followup_question"), false),
            (Some("write_to_file"), false),
            (Some("attempt_completion"), false),
        ],
        "a denial and npm ERR! are failures; the rest succeeded"
    );
    let labels = context_labels(&session);
    assert_eq!(
        labels
            .iter()
            .filter(|l| **l == "environment_details")
            .count(),
        8
    );
    assert!(labels.contains(&"tool_use_reminder"), "{labels:?}");
    // The person's feedback ended the attempt_completion result; the framing stayed in it.
    let completion = tool_results(&session)
        .into_iter()
        .find(|r| r.1 == Some("attempt_completion"))
        .expect("completion result");
    assert!(completion.3.starts_with("The user has provided feedback"));
    assert!(!completion.3.contains("Tuesdays"));
    // The XML call's parameters; thinking is not prose.
    let calls: Vec<(&str, &serde_json::Value)> = session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::ToolCall { name, input, .. } => Some((name.as_str(), input)),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls[2],
        (
            "execute_command",
            &serde_json::json!({"command": "npm test -- deploy", "requires_approval": "false"})
        )
    );
    assert!(
        texts_on(&session, Channel::Agent)
            .iter()
            .all(|text| !text.contains("thinking") && !text.contains("need to see")),
    );

    // Times: from the UI log, starting at the task, never decreasing.
    let times: Vec<lucid_core::Timestamp> = session
        .events
        .iter()
        .map(|event| event.at.expect("every event has a time"))
        .collect();
    assert_eq!(
        times.first().copied(),
        parse_timestamp("2024-12-03T14:00:05Z")
    );
    assert!(times.windows(2).all(|pair| pair[0] <= pair[1]));
    let first_agent = session
        .events
        .iter()
        .find(|event| event.channel == Channel::Agent)
        .and_then(|event| event.at);
    assert_eq!(first_agent, parse_timestamp("2024-12-03T14:00:08Z"));

    // Without the UI log: the same events, at the file's time; detected from content.
    let bare = import_cline_fixture(&api, None).expect("imports");
    let strip =
        |s: &Session| -> Vec<EventKind> { s.events.iter().map(|e| e.kind.clone()).collect() };
    assert_eq!(strip(&bare), strip(&session));
    assert!(bare.events.iter().all(|event| event.at == modified()));
    assert_eq!(detect_format(&api), Some(TranscriptFormat::Cline));
    // A UI log that is not JSON is ignored, not an error.
    let junk = import_cline_fixture(&api, Some(b"{oops")).expect("imports");
    assert_eq!(strip(&junk), strip(&session));
}

#[test]
fn cline_roo_history_facts() {
    let session = fixture("cline", "roo-history.json");
    assert_eq!(
        session.id, "roo-history",
        "not a task folder: the file stem"
    );
    assert_eq!(session.agent, "fixture-agent");
    assert_eq!(
        texts_on(&session, Channel::Human),
        [
            "Rename the `total` helper in 'src/cart.ts' (see below for file content) and keep the old name as an alias.",
            "Also bump the package version; we use semver strictly."
        ]
    );
    let mentions = texts_on(&session, Channel::ToolOutput)
        .into_iter()
        .filter(|text| text.starts_with("<file_content"))
        .count();
    assert_eq!(
        mentions, 1,
        "the @-mentioned file is content, not the person's words"
    );
    assert_results_answer_calls(&session, "roo-history.json");
    let results = tool_results(&session);
    assert_eq!(
        results.iter().map(|r| (r.0, r.1, r.2)).collect::<Vec<_>>(),
        [
            (Some("xml-1-1"), Some("read_file"), false),
            (Some("toolu_01Search"), Some("search_files"), false),
            (Some("toolu_02Cmd"), Some("execute_command"), true),
        ]
    );
    let read = session
        .events
        .iter()
        .find_map(|event| match &event.kind {
            EventKind::ToolCall { name, input, .. } if name == "read_file" => Some(input),
            _ => None,
        })
        .expect("read_file call");
    assert_eq!(
        read["args"]["file"][1]["path"], "src/index.ts",
        "Roo's nested <args> are parsed"
    );
    // Message `ts` fields give the times when there is no UI log.
    assert_eq!(
        session.events[0].at,
        chrono::DateTime::from_timestamp_millis(1_760_000_000_000)
    );
    assert!(context_labels(&session).contains(&"task_resumption"));
}

#[test]
fn swe_agent_facts() {
    let classic = fixture("swe_agent", "django__django-11066.traj");
    assert_eq!(
        classic.id, "django__django-11066",
        "the file stem without .traj"
    );
    assert_eq!(classic.agent, "fixture-agent", "no agent name: the folder");
    assert!(
        texts_on(&classic, Channel::Human).is_empty(),
        "nothing in a trajectory is typed by a person"
    );
    assert_eq!(
        context_labels(&classic),
        ["system_prompt", "demonstration", "task", "feedback"]
    );
    assert!(
        classic.events.iter().all(|event| event.at.is_none()),
        "no invented times"
    );
    assert_results_answer_calls(&classic, "classic");
    let results = tool_results(&classic);
    assert_eq!(
        results.iter().map(|r| (r.1, r.2)).collect::<Vec<_>>(),
        [
            (Some("find_file"), false),
            (Some("open"), false),
            (Some("edit"), true),
            (Some("edit"), false),
            (Some("submit"), false),
        ],
        "the linter's rejection is a failure; the fixed edit is not"
    );
    for (_, _, _, content) in &results {
        assert!(
            !content.contains("(Open file:") && !content.ends_with("bash-$"),
            "status footer stripped: {content:?}"
        );
    }
    assert!(
        results[1].3.starts_with("[File: /django__django/"),
        "file headers stay"
    );

    let calling = fixture("swe_agent", "django__django-11728.traj");
    assert_eq!(
        calling.agent, "admindocs-fixer",
        "replay_config's agent name"
    );
    assert_results_answer_calls(&calling, "function calling");
    let calls: Vec<(Option<&str>, &str, &serde_json::Value)> = calling
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::ToolCall {
                call_id,
                name,
                input,
            } => Some((call_id.as_deref(), name.as_str(), input)),
            _ => None,
        })
        .collect();
    assert_eq!(
        (calls[0].0, calls[0].1, &calls[0].2["command"]),
        (
            Some("toolu_01View"),
            "str_replace_editor",
            &serde_json::json!("view")
        )
    );
    assert_eq!(calls[1].1, "bash");
    let results = tool_results(&calling);
    assert!(results[1].2, "a traceback is a failure");
    assert!(
        !results[0].3.starts_with("OBSERVATION:"),
        "the observation label is stripped"
    );
    assert!(matches!(
        &calling.events[1].kind,
        EventKind::Context { label, text } if label == "task" && text.contains("<pr_description>")
    ));

    let mini = fixture("swe_agent", "docs__exporter-42.traj.json");
    assert_eq!(mini.id, "docs__exporter-42", "mini-swe-agent's instance id");
    assert!(texts_on(&mini, Channel::Human).is_empty());
    let results = tool_results(&mini);
    assert_eq!(
        results.iter().map(|r| (r.1, r.2)).collect::<Vec<_>>(),
        [
            (Some("grep"), false),
            (Some("python"), true),
            (Some("echo"), false)
        ],
        "the return code decides"
    );
    assert_eq!(results[0].3, "src/export.py:12:def export_html(doc):");
    let agent_times: Vec<_> = mini
        .events
        .iter()
        .filter(|event| event.channel == Channel::Agent)
        .map(|event| event.at)
        .collect();
    assert_eq!(
        agent_times[0],
        chrono::DateTime::from_timestamp(1_763_511_194, 0)
    );
    assert!(agent_times.iter().all(Option::is_some));
}

#[test]
fn new_formats_are_told_from_look_alikes() {
    // A chat that merely mentions Cline's tags, or a `history` without SWE-agent's fields.
    let chat = br#"[{"role":"user","content":"What does the <task> tag do in Cline?"},{"role":"assistant","content":"It wraps the task."}]"#;
    assert_eq!(
        detect_format(chat),
        Some(TranscriptFormat::AnthropicMessages)
    );
    let history = br#"{"history": [{"role": "user", "content": "hi"}]}"#;
    assert_eq!(detect_format(history), None);
    let steps = br#"{"trajectory": [{"x": 1}]}"#;
    assert_eq!(detect_format(steps), None);
    // The smallest of each.
    let cline = br#"[{"role":"user","content":[{"type":"text","text":"<task>\nhi\n</task>"}]}]"#;
    assert_eq!(detect_format(cline), Some(TranscriptFormat::Cline));
    let traj = br#"{"trajectory": [{"action": "ls", "observation": "a.py", "thought": "look"}]}"#;
    assert_eq!(detect_format(traj), Some(TranscriptFormat::SweAgent));
    let session = import_session(traj, &Source::new("runs/x.traj")).expect("imports");
    assert_eq!(session.events.len(), 3);
    assert_eq!(session.id, "x");
    // A retry agent's file before an attempt was chosen: every attempt.
    let attempts = br#"{"attempts": [{"trajectory": [{"action": "ls", "observation": "a.py", "thought": "look"}]}, {"trajectory": [{"action": "cat a.py", "observation": "cat: a.py: No such file or directory", "thought": "read"}]}]}"#;
    assert_eq!(detect_format(attempts), Some(TranscriptFormat::SweAgent));
    let session = import_session(attempts, &Source::new("runs/y.traj")).expect("imports");
    assert_eq!(
        tool_results(&session)
            .iter()
            .map(|r| (r.1, r.2))
            .collect::<Vec<_>>(),
        [(Some("ls"), false), (Some("cat"), true)]
    );
    // Wrong shapes are errors naming the format.
    for (format, bytes) in [
        (TranscriptFormat::Cline, &b"{\"a\": 1}"[..]),
        (TranscriptFormat::SweAgent, &b"[1, 2]"[..]),
        (TranscriptFormat::SweAgent, &b"{\"history\": []}"[..]),
    ] {
        let error = import_session_as(format, bytes, &Source::new("x"))
            .expect_err("wrong shape")
            .to_string();
        assert!(error.contains(format.as_str()), "{error}");
    }
}

/// The Cline task folder through [`import_cline_task`], its history cut at about 61 points:
/// a session or an error, never a panic.
#[test]
fn truncated_cline_task_never_panics() {
    let (api, ui, _) = cline_task();
    let mut runs = 0;
    for cut in (0..=api.len()).step_by((api.len() / 61).max(1)) {
        let _ = import_cline_fixture(api.get(..cut).expect("in range"), Some(&ui));
        runs += 1;
    }
    assert!(runs > 60);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The Cline task folder with one byte of each file replaced: a session whose events are
    /// numbered in order, or an error — never a panic.
    #[test]
    fn mutated_cline_task_never_panics(
        api_position in any::<prop::sample::Index>(),
        api_byte in replacement_byte(b"<\"]9"),
        ui_position in any::<prop::sample::Index>(),
        ui_byte in replacement_byte(b"<\"]9"),
    ) {
        let (mut api, mut ui, _) = cline_task();
        mutate(&mut api, api_position, api_byte);
        mutate(&mut ui, ui_position, ui_byte);
        if let Ok(session) = import_cline_fixture(&api, Some(&ui)) {
            for (position, event) in session.events.iter().enumerate() {
                prop_assert_eq!(event.index, position);
            }
        }
    }
}

/// The real-transcript corpus in `tests/data/real/` of the repository, when present.
fn real_corpus_dir(source: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/real")
        .join(source)
        .join("sessions");
    dir.is_dir().then_some(dir)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable folder")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn real_corpus_channels() {
    let mut checked = 0;
    for source in [
        "claude-entire-cli",
        "claude-charming-review-tool",
        "miniswe-gemini3-swebench",
    ] {
        let Some(dir) = real_corpus_dir(source) else {
            absent(&format!(
                "{source}: tests/data/real/{source}/sessions not found"
            ));
            continue;
        };
        let mut channels = std::collections::BTreeMap::<&str, usize>::new();
        for path in files_in(&dir) {
            let name = format!("{source}/{}", file_name(&path));
            let bytes = std::fs::read(&path).expect("readable transcript");
            let source_path = path.display().to_string();
            let session = import_session(&bytes, &Source::new(&source_path))
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_no_harness_in_human(&session, &name);
            if session.format == TranscriptFormat::SweAgent {
                assert!(texts_on(&session, Channel::Human).is_empty(), "{name}");
                assert_results_answer_calls(&session, &name);
            }
            for event in &session.events {
                *channels.entry(event.channel.as_str()).or_default() += 1;
            }
            checked += 1;
        }
        println!("{source}: events per channel {channels:?}");
    }
    println!("checked {checked} real transcripts");
}

/// The tool calls of a session: (call id, name, input).
fn tool_calls(session: &Session) -> Vec<(Option<&str>, &str, &serde_json::Value)> {
    session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::ToolCall {
                call_id,
                name,
                input,
            } => Some((call_id.as_deref(), name.as_str(), input)),
            _ => None,
        })
        .collect()
}

/// The (label, channel) of a session's context events, in order.
fn contexts(session: &Session) -> Vec<(&str, Channel)> {
    session
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::Context { label, .. } => Some((label.as_str(), event.channel)),
            _ => None,
        })
        .collect()
}

#[test]
fn aider_history_facts() {
    let session = fixture("aider", "history.md");
    assert_eq!(session.id, "history", "the file stem");
    assert_eq!(session.agent, "fixture-agent", "the folder");
    assert_eq!(
        texts_on(&session, Channel::Human),
        [
            "always use type hints in this repo\nand change hello to goodbye",
            "thanks, that's all"
        ],
        "consecutive `####` lines are one turn; commands are not prose"
    );
    assert_no_harness_in_human(&session, "history.md");
    assert_results_answer_calls(&session, "history.md");
    let calls = tool_calls(&session);
    let shapes: Vec<(&str, String)> = calls
        .iter()
        .map(|(_, name, input)| (*name, lucid_core::tools::identity(name, input)))
        .collect();
    assert_eq!(
        shapes,
        [
            ("aider", "aider add".to_string()),
            ("edit", "edit".to_string()),
            ("aider", "aider commit".to_string()),
            ("run", "pytest".to_string()),
            ("edit", "edit".to_string()),
            ("edit", "edit".to_string()),
            ("run", "git status".to_string()),
        ]
    );
    assert_eq!(calls[1].2["path"], "src/greet.py");
    assert_eq!(
        calls[1].2["search"], "def greet():\n    print(\"hello\")",
        "the edit block is the call's input"
    );
    assert_eq!(
        calls[4].2["replace"], "#### Usage\n> prints goodbye",
        "`####` and `>` inside an edit block stay the reply's"
    );
    let results = tool_results(&session);
    assert_eq!(
        results
            .iter()
            .map(|(_, tool, error, _)| (*tool, *error))
            .collect::<Vec<_>>(),
        [
            (Some("aider"), false),
            (Some("edit"), false),
            (Some("aider"), false),
            (Some("run"), true),
            (Some("edit"), false),
            (Some("edit"), true),
            (Some("run"), false),
        ],
        "the test run failed at its end; the unmatched block failed"
    );
    assert_eq!(results[0].3, "Added src/greet.py to the chat");
    assert!(
        results[5].3.contains("SearchReplaceNoExactMatch"),
        "the lines aider wrote without `> ` belong to its notice: {:?}",
        results[5].3
    );
    // The reply's prose without its edit blocks.
    let replies = texts_on(&session, Channel::Agent);
    assert_eq!(replies[0], "Sure. Here is the change:");
    assert!(!replies.iter().any(|text| text.contains("<<<<<<<")));
    // Times from the headers, as UTC.
    assert_eq!(
        session.events.first().and_then(|e| e.at),
        parse_timestamp("2024-05-20T10:12:24Z")
    );
    assert_eq!(
        session.events.last().and_then(|e| e.at),
        parse_timestamp("2024-05-21T09:00:00Z")
    );
    // The start-up banner and notices are aider's output, never the person's.
    assert!(
        contexts(&session)
            .iter()
            .all(|(label, channel)| *label == "aider" && *channel == Channel::ToolOutput)
    );
}

#[test]
fn aider_published_page_facts() {
    let session = fixture("aider", "published.md");
    assert_eq!(
        contexts(&session),
        [
            ("commentary", Channel::ToolOutput),
            ("aider", Channel::ToolOutput)
        ],
        "the author's prose is content, not a turn"
    );
    let commentary = &session.events[0];
    assert!(
        commentary.text().starts_with("# Make a flask app") && !commentary.text().contains("---"),
        "front matter dropped: {:?}",
        commentary.text()
    );
    assert_eq!(
        texts_on(&session, Channel::Human),
        ["make a flask app with a /hello endpoint that returns hello world"]
    );
    let calls = tool_calls(&session);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].1, &calls[0].2["path"], &calls[0].2["search"]),
        ("edit", &serde_json::json!("app.py"), &serde_json::json!("")),
        "ORIGINAL/UPDATED blocks are edits too"
    );
    assert!(session.events.iter().all(|event| event.at.is_none()));
    assert!(
        session
            .events
            .iter()
            .all(|event| !event.text().contains("</div>") && !event.text().contains("<br/>"))
    );
}

#[test]
fn openhands_facts() {
    let session = fixture("openhands", "trajectory.json");
    assert_eq!(session.id, "trajectory");
    assert_eq!(
        texts_on(&session, Channel::Human),
        ["Fix the failing test in /workspace/app. Always run pytest with -q."],
        "the recall action repeating the prompt is not a second human turn"
    );
    assert_results_answer_calls(&session, "trajectory.json");
    let calls = tool_calls(&session);
    assert_eq!(
        calls
            .iter()
            .map(|(id, name, _)| (*id, *name))
            .collect::<Vec<_>>(),
        [
            (Some("toolu_01Run"), "execute_bash"),
            (Some("event-9"), "edit"),
            (Some("event-11"), "read"),
            (Some("toolu_01Fin"), "finish"),
        ],
        "the model's function and id when recorded, else the action and the event"
    );
    assert_eq!(
        calls[0].2,
        &serde_json::json!({"command": "cd /workspace/app && python -m pytest -q"}),
        "the arguments the model sent"
    );
    assert_eq!(
        calls[1].2,
        &serde_json::json!({
            "path": "/workspace/app/tests/test_calc.py",
            "command": "str_replace",
            "old_str": "assert add(1, 2) == 4",
            "new_str": "assert add(1, 2) == 3"
        }),
        "args without the thought and bookkeeping"
    );
    let results = tool_results(&session);
    assert_eq!(
        results.iter().map(|r| (r.1, r.2)).collect::<Vec<_>>(),
        [
            (Some("execute_bash"), true),
            (Some("edit"), false),
            (Some("read"), true),
        ],
        "exit code 1 and an error observation are failures"
    );
    assert!(
        results[0]
            .3
            .ends_with("[The command completed with exit code 1.]")
    );
    assert_eq!(
        contexts(&session),
        [
            ("system_prompt", Channel::Harness),
            ("recall", Channel::Harness),
            ("error", Channel::Harness),
            ("agent_state", Channel::Harness),
        ],
        "ordinary state changes, null observations and logged thoughts are dropped"
    );
    let prose = texts_on(&session, Channel::Agent);
    assert_eq!(
        prose,
        [
            "Let me run the tests first.",
            "The assertion shows add(1, 2) returns 3 but the test expects 4; the test is wrong.",
            "I'll fix the expectation.",
            "The test now expects 3, which is what add(1, 2) returns."
        ]
    );
    assert_eq!(
        session.events[0].at,
        parse_timestamp("2025-02-03T09:00:01.100Z"),
        "times without a zone are UTC"
    );
}

#[test]
fn opencode_facts() {
    let session = fixture("opencode", "export.json");
    assert_eq!(session.id, "ses_4a1c9e2f7ffeQx3HdT0mKb8Lzp");
    assert_eq!(
        texts_on(&session, Channel::Human),
        [
            "the checkout tests fail with a module error, fix it. We always use pnpm here, never npm."
        ]
    );
    assert_no_harness_in_human(&session, "export.json");
    assert_results_answer_calls(&session, "export.json");
    assert!(
        !session
            .events
            .iter()
            .any(|event| event.text().contains("run them first")),
        "reasoning is thinking, not imported"
    );
    let calls = tool_calls(&session);
    assert_eq!(
        calls
            .iter()
            .map(|(id, name, _)| (*id, *name))
            .collect::<Vec<_>>(),
        [
            (Some("call_01"), "bash"),
            (Some("call_02"), "bash"),
            (Some("call_03"), "bash"),
            (Some("call_04"), "webfetch"),
            (Some("call_05"), "apply_patch"),
            (Some("call_06"), "bash"),
        ]
    );
    assert_eq!(calls[0].2["command"], "pnpm test");
    let results = tool_results(&session);
    assert_eq!(
        results.iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
        [
            (Some("call_01"), true),
            (Some("call_02"), false),
            (Some("call_03"), false),
            (Some("call_04"), true),
            (Some("call_05"), false),
        ],
        "a shell's exit code 1 and an `error` status fail; a call still running has no result"
    );
    assert_eq!(results[3].3, "Error: Request failed with status code 429");
    assert_eq!(
        contexts(&session),
        [
            ("synthetic", Channel::Harness),
            ("subtask", Channel::Harness)
        ],
        "text OpenCode writes and a command's sub-agent prompt are harness"
    );
    assert_eq!(
        session.events[0].at.map(|at| at.to_rfc3339()),
        Some("2026-06-01T08:00:00+00:00".to_string())
    );
    // A sub-agent's session: the parent agent wrote its "user" turn.
    let sub = fixture("opencode", "subagent.json");
    assert!(texts_on(&sub, Channel::Human).is_empty());
    assert_eq!(contexts(&sub), [("task", Channel::Harness)]);
    // JSON Lines, or an object that is not an export, is refused with the reason.
    let lines = b"{\"info\": {\"id\": \"ses_1\"}, \"messages\": []}\n{\"a\": 1}\n";
    let error = import_session_as(TranscriptFormat::OpenCode, lines, &Source::new("x.jsonl"))
        .expect_err("not one document")
        .to_string();
    assert!(error.contains("opencode export"), "{error}");
}

/// Copilot CLI's earlier session state (`{sessionId, startTime, chatMessages, timeline}`) is an
/// OpenAI chat log, not a Claude Code transcript because it has a `sessionId`.
#[test]
fn copilot_cli_session_state_is_a_chat_log() {
    let bytes = std::fs::read(
        data_dir()
            .join("openai_chat")
            .join("copilot-session-state.json"),
    )
    .expect("fixture");
    assert_eq!(detect_format(&bytes), Some(TranscriptFormat::OpenaiChat));
    let session = fixture("openai_chat", "copilot-session-state.json");
    assert_eq!(session.id, "7c2d9e41-5b3a-4f0e-8d16-2a9b4c7e0f55");
}

#[test]
fn copilot_cli_facts() {
    let session = fixture("copilot_cli", "events.jsonl");
    assert_eq!(session.id, "5b1e0c2a-7d3f-4e8a-9c61-2f0d8a4b7e19");
    assert_eq!(
        texts_on(&session, Channel::Human),
        [
            "the checkout test fails, fix it. we deploy with make release, never push to main directly"
        ],
        "content, not transformedContent"
    );
    assert_no_harness_in_human(&session, "events.jsonl");
    assert!(
        !session
            .events
            .iter()
            .any(|event| event.text().contains("<current_datetime>")
                || event
                    .text()
                    .contains("The user wants the failing test fixed")),
        "injected text and reasoning are not imported"
    );
    assert_results_answer_calls(&session, "events.jsonl");
    let calls = tool_calls(&session);
    assert_eq!(
        calls
            .iter()
            .map(|(id, name, _)| (*id, *name))
            .collect::<Vec<_>>(),
        [
            (Some("toolu_01Test"), "bash"),
            (Some("toolu_01View"), "view"),
            (Some("toolu_01Push"), "bash"),
        ]
    );
    assert_eq!(
        calls[2].2["command"], "git push origin main",
        "string arguments are parsed"
    );
    let results = tool_results(&session);
    assert_eq!(
        results.iter().map(|r| (r.1, r.2)).collect::<Vec<_>>(),
        [
            (Some("bash"), true),
            (Some("view"), true),
            (Some("bash"), true)
        ],
        "a shell exit code 1 fails although the tool succeeded; success false fails"
    );
    assert_eq!(results[1].3, "Path does not exist");
    assert_eq!(
        contexts(&session),
        [
            ("session_start", Channel::Harness),
            ("system_prompt", Channel::Harness),
            ("hook", Channel::Harness),
            ("permission", Channel::Harness),
            ("notification", Channel::Harness),
            ("interrupted", Channel::Harness),
            ("task", Channel::Harness),
        ],
        "the repeated system prompt is kept once; successful hooks are dropped; an eval \\
         runner's prompt is harness"
    );
    assert!(session.events.iter().any(
        |event| event.text() == "permission denied-interactively-by-user: git push origin main"
    ));
    assert_eq!(
        session.events[0].text(),
        "GitHub Copilot CLI 1.0.64 in /home/dev/projects/webshop (branch main)"
    );
    assert!(session.events.iter().all(|event| event.at.is_some()));
}

#[test]
fn new_formats_are_told_from_their_look_alikes() {
    // Markdown that is not aider's: headings and quotes, no aider voice.
    let notes = b"# Notes\n\n#### Setup\n\n> a quote from the docs\n\nSome text.\n";
    assert_eq!(detect_format(notes), None);
    let error = import_session(notes, &Source::new("notes.md"))
        .expect_err("not a transcript")
        .to_string();
    assert!(error.contains("not an aider chat transcript"), "{error}");
    // The smallest aider transcripts.
    assert_eq!(
        detect_format(b"# aider chat started at 2024-05-20 10:12:24\n\n#### hi\n"),
        Some(TranscriptFormat::Aider)
    );
    assert_eq!(
        detect_format(b"#### hi\n\nhello\n\n> Applied edit to a.py\n"),
        Some(TranscriptFormat::Aider)
    );
    // Forced aider on text without its voice, or on JSON: an error naming the format.
    for bytes in [&b"hello world"[..], b"{\"a\": 1}"] {
        let error = import_session_as(TranscriptFormat::Aider, bytes, &Source::new("x.md"))
            .expect_err("no aider lines")
            .to_string();
        assert!(error.contains("aider"), "{error}");
    }

    // Gemini CLI chats: a `projectHash` and messages typed `user` / `gemini`, as one document or
    // as JSON Lines whose header has a `sessionId` like Claude Code's records.
    let gemini = br#"{"sessionId":"s1","projectHash":"ab12","messages":[
        {"id":"1","timestamp":"2026-03-11T02:09:29Z","type":"user","content":[{"text":"use pnpm, never npm"}]},
        {"id":"2","timestamp":"2026-03-11T02:09:47Z","type":"gemini","content":"I will check the lockfile."}]}"#;
    assert_eq!(detect_format(gemini), Some(TranscriptFormat::GeminiCli));
    let session = import_session(gemini, &Source::new("chats/s1.json")).expect("imports");
    assert_eq!(texts_on(&session, Channel::Human), ["use pnpm, never npm"]);
    assert_eq!(
        texts_on(&session, Channel::Agent),
        ["I will check the lockfile."]
    );
    let gemini_lines = b"{\"sessionId\":\"s2\",\"projectHash\":\"cd34\",\"startTime\":\"2026-06-10T14:42:01Z\",\"kind\":\"main\"}\n{\"$set\":{\"messages\":[{\"id\":\"1\",\"type\":\"user\",\"content\":\"hi\"}]}}\n";
    assert_eq!(
        detect_format(gemini_lines),
        Some(TranscriptFormat::GeminiCli)
    );
    // Antigravity step logs: a `step_index` and an upper-case step `type` beside a `source`.
    let antigravity = b"{\"step_index\":0,\"source\":\"USER_EXPLICIT\",\"type\":\"USER_INPUT\",\"status\":\"DONE\",\"created_at\":\"2026-07-02T09:00:00Z\",\"content\":\"<USER_REQUEST>\\nuse pnpm, never npm\\n</USER_REQUEST>\"}\n";
    assert_eq!(
        detect_format(antigravity),
        Some(TranscriptFormat::Antigravity)
    );
    let session =
        import_session(antigravity, &Source::new("brain/transcript.jsonl")).expect("imports");
    assert_eq!(texts_on(&session, Channel::Human), ["use pnpm, never npm"]);
    // A Cline task shared as its UI log alone: read from the log, the person's turns human.
    let ui_only = br#"[{"ts":1767261600000,"type":"say","say":"task","text":"fix the export"},
        {"ts":1767261601000,"type":"say","say":"text","text":"Reading the exporter."},
        {"ts":1767261602000,"type":"say","say":"api_req_started","text":"{\"request\":\"<task>fix the export</task>\"}"}]"#;
    assert_eq!(detect_format(ui_only), Some(TranscriptFormat::Cline));
    let session = import_session(
        ui_only,
        &Source::new("tasks/1767261600000/ui_messages.json"),
    )
    .expect("imports");
    assert_eq!(session.id, "1767261600000");
    assert_eq!(texts_on(&session, Channel::Human), ["fix the export"]);
    assert_eq!(
        texts_on(&session, Channel::Agent),
        ["Reading the exporter."]
    );
    // SpecStory exports: the generator comment, or turn markers of both speakers.
    let specstory = b"_**User**_\n\nuse pnpm here\n\n---\n\n_**Assistant**_\n\nOK.\n";
    assert_eq!(detect_format(specstory), Some(TranscriptFormat::SpecStory));
    let session = import_session(specstory, &Source::new("history/x.md")).expect("imports");
    assert_eq!(texts_on(&session, Channel::Human), ["use pnpm here"]);
    // A person's turn is one message, whatever rules the Markdown they pasted has.
    let ruled =
        b"_**User**_\n\nHere is the plan.\n\n---\n\nStep one.\n\n---\n\n_**Assistant**_\n\nOK.\n";
    let session = import_session(ruled, &Source::new("history/y.md")).expect("imports");
    assert_eq!(
        texts_on(&session, Channel::Human),
        ["Here is the plan.\n\n---\n\nStep one."]
    );
    assert_eq!(detect_format(b"# Notes\n\n_**User**_ guide\n"), None);
    // Messages that do not say who wrote them are never a person's text.
    let anonymous = br#"{"messages":[{"content":"I will read src/main.ts first."},{"type":"gemini","content":"Done."}]}"#;
    let session = import_session(anonymous, &Source::new("x.json")).expect("imports");
    assert!(texts_on(&session, Channel::Human).is_empty(), "{session:?}");

    // Copilot's envelope wins over the dotted types it shares with Managed Agents.
    let copilot = br#"{"type":"user.message","data":{"content":"hi"},"id":"a","timestamp":"2026-01-01T00:00:00Z","parentId":null}"#;
    assert_eq!(detect_format(copilot), Some(TranscriptFormat::CopilotCli));
    let managed =
        br#"{"type":"user.message","id":"sevt_1","content":[{"type":"text","text":"hi"}]}"#;
    assert_eq!(
        detect_format(managed),
        Some(TranscriptFormat::ManagedAgents)
    );
    let managed_data = br#"{"type":"session.status_idle","id":"sevt_2","data":{}}"#;
    assert_eq!(
        detect_format(managed_data),
        Some(TranscriptFormat::ManagedAgents),
        "a `data` field alone is not Copilot's envelope"
    );

    // OpenHands events, and arrays that merely look like them.
    let openhands = br#"[{"id":0,"source":"user","action":"message","args":{"content":"hi"}}]"#;
    assert_eq!(detect_format(openhands), Some(TranscriptFormat::OpenHands));
    let session = import_session(openhands, &Source::new("runs/t.json")).expect("imports");
    assert_eq!(texts_on(&session, Channel::Human), ["hi"]);
    // OpenHands Cloud's conversation export: metadata around the same events.
    let cloud = br#"{"exported_at":"2026-01-24T03:15:27Z","base_url":"https://app.example",
        "conversation":{"conversation_id":"c1","title":"Review"},
        "events":[{"id":4,"timestamp":"2026-01-23T11:06:54","source":"user","action":"message",
                   "args":{"content":"Review the PR; do not push."}}]}"#;
    assert_eq!(detect_format(cloud), Some(TranscriptFormat::OpenHands));
    let session = import_session(cloud, &Source::new("exports/c1.json")).expect("imports");
    assert_eq!(
        texts_on(&session, Channel::Human),
        ["Review the PR; do not push."]
    );
    let chat = br#"[{"role":"user","source":"user","action":"message","content":"hi"}]"#;
    assert_ne!(detect_format(chat), Some(TranscriptFormat::OpenHands));
    let other = br#"[{"source":"web","action":"click"}]"#;
    assert_eq!(detect_format(other), None);
    for (format, bytes) in [
        (TranscriptFormat::OpenHands, &b"{\"a\": 1}"[..]),
        (TranscriptFormat::CopilotCli, &b"[1, 2]"[..]),
    ] {
        let error = import_session_as(format, bytes, &Source::new("x"))
            .expect_err("wrong shape")
            .to_string();
        assert!(!error.is_empty());
    }
}

/// The fixtures of the formats lucid learnt to read last.
const NEW_FORMAT_FIXTURES: [(&str, &str); 6] = [
    ("aider", "history.md"),
    ("aider", "published.md"),
    ("openhands", "trajectory.json"),
    ("copilot_cli", "events.jsonl"),
    ("opencode", "export.json"),
    ("opencode", "subagent.json"),
];

static NEW_FORMAT_BYTES: LazyLock<Vec<(&'static str, Vec<u8>)>> = LazyLock::new(|| {
    NEW_FORMAT_FIXTURES
        .iter()
        .map(|&(folder, name)| {
            let bytes = std::fs::read(data_dir().join(folder).join(name)).expect("fixture");
            (name, bytes)
        })
        .collect()
});

/// Imports `bytes` as a file called `name`: a session whose events are numbered in order and
/// which digests, or an error — never a panic.
fn check_new_format(bytes: &[u8], name: &str) {
    if let Ok(session) = import_session(bytes, &Source::new(name)) {
        for (position, event) in session.events.iter().enumerate() {
            assert_eq!(event.index, position, "{name}");
        }
        let _ = lucid_core::digest_session(&session);
    }
    let _ = detect_format(bytes);
}

/// The new formats' fixtures cut at about 61 points each.
#[test]
fn truncated_new_format_fixtures_never_panic() {
    let mut runs = 0;
    for (name, bytes) in NEW_FORMAT_BYTES.iter() {
        for cut in (0..=bytes.len()).step_by((bytes.len() / 61).max(1)) {
            check_new_format(bytes.get(..cut).expect("in range"), name);
            runs += 1;
        }
    }
    assert!(runs > 240);
}

/// A whole-line edit of a fixture: which line, which other line, and what to do.
#[derive(Debug, Clone, Copy)]
enum LineEdit {
    Drop,
    Double,
    Swap,
}

proptest! {
    // 300 per fixture, as the hand-rolled generator made.
    #![proptest_config(ProptestConfig::with_cases(1_200))]

    /// The new formats' fixtures with three bytes replaced.
    #[test]
    fn mutated_new_format_fixtures_never_panic(
        fixture in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(
            (any::<prop::sample::Index>(), replacement_byte(b">#\n`<\"}")),
            3,
        ),
    ) {
        let (name, bytes) = fixture.get(&NEW_FORMAT_BYTES);
        let mut mutated = bytes.clone();
        for (position, replacement) in mutations {
            mutate(&mut mutated, position, replacement);
        }
        check_new_format(&mutated, name);
    }
}

proptest! {
    // 100 per fixture, as the hand-rolled generator made.
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The new formats' fixtures with whole lines dropped, doubled or swapped.
    #[test]
    fn line_shuffled_new_format_fixtures_never_panic(
        fixture in any::<prop::sample::Index>(),
        line in any::<prop::sample::Index>(),
        other in any::<prop::sample::Index>(),
        edit in prop_oneof![Just(LineEdit::Drop), Just(LineEdit::Double), Just(LineEdit::Swap)],
    ) {
        let (name, bytes) = fixture.get(&NEW_FORMAT_BYTES);
        let text = std::str::from_utf8(bytes).expect("UTF-8 fixture");
        let lines: Vec<&str> = text.lines().collect();
        let mut shuffled = lines.clone();
        let (a, b) = (line.index(lines.len()), other.index(lines.len()));
        match edit {
            LineEdit::Drop => {
                shuffled.remove(a);
            }
            LineEdit::Double => shuffled.insert(a, lines[b]),
            LineEdit::Swap => shuffled.swap(a, b),
        }
        check_new_format(shuffled.join("\n").as_bytes(), name);
    }
}

/// Imports every file of the three real sources lucid learnt to read last (Aider examples,
/// OpenHands replay trajectories, Copilot CLI logs): each is detected as its format, keeps a
/// human event when a person typed something, keeps a tool call when the harness ran one, and
/// pairs every result with an earlier call.
#[test]
fn real_corpus_new_formats() {
    let sources = [
        ("aider-examples", TranscriptFormat::Aider),
        ("openhands-replay-trajs", TranscriptFormat::OpenHands),
        ("copilot-agentv", TranscriptFormat::CopilotCli),
    ];
    let mut checked = 0;
    for (source, format) in sources {
        let Some(dir) = real_corpus_dir(source) else {
            absent(&format!(
                "{source}: tests/data/real/{source}/sessions not found (the real-transcript \
                 corpus is not in this checkout)"
            ));
            continue;
        };
        let mut channels = std::collections::BTreeMap::<&str, usize>::new();
        let files = files_in(&dir);
        assert!(!files.is_empty(), "{source}: no files");
        for path in files {
            let name = format!("{source}/{}", file_name(&path));
            let bytes = std::fs::read(&path).expect("readable transcript");
            assert_eq!(detect_format(&bytes), Some(format), "{name}");
            let source_path = path.display().to_string();
            let session = import_session(
                &bytes,
                &Source {
                    path: &source_path,
                    folder_name: Some(source),
                    folder_above: None,
                    modified: None,
                },
            )
            .unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(session.format, format, "{name}");
            assert_no_harness_in_human(&session, &name);
            assert_results_answer_calls(&session, &name);
            let text = String::from_utf8_lossy(&bytes);
            let (typed, ran) = what_the_file_has(format, &text);
            let humans = texts_on(&session, Channel::Human).len();
            let calls = tool_calls(&session).len();
            if typed {
                assert!(humans >= 1, "{name}: a person typed, no human event");
            }
            if ran {
                assert!(calls >= 1, "{name}: the harness ran tools, no tool call");
            }
            for event in &session.events {
                *channels.entry(event.channel.as_str()).or_default() += 1;
            }
            println!(
                "{name}: {} events, {humans} human, {calls} calls, {} failed",
                session.events.len(),
                tool_results(&session).iter().filter(|r| r.2).count()
            );
            checked += 1;
        }
        println!("{source}: events per channel {channels:?}");
    }
    println!("checked {checked} real transcripts");
}

/// Whether a real file holds text a person typed and tool runs, read from its raw shape (not
/// through the importer).
fn what_the_file_has(format: TranscriptFormat, text: &str) -> (bool, bool) {
    match format {
        TranscriptFormat::Aider => (
            text.lines()
                .any(|line| line.starts_with("#### ") && !line.starts_with("#### /")),
            text.contains("> Applied edit to ") || text.contains("#### /run"),
        ),
        TranscriptFormat::OpenHands => {
            let events: Vec<serde_json::Value> = serde_json::from_str(text).expect("JSON array");
            let typed = events
                .iter()
                .any(|e| e["source"] == "user" && e["action"] == "message");
            let ran = events.iter().any(|e| e.get("tool_call_metadata").is_some());
            (typed, ran)
        }
        _ => {
            let events: Vec<serde_json::Value> = text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(|line| serde_json::from_str(line).expect("JSON line"))
                .collect();
            // An evaluation runner's `[[ ## user_query ## ]]` prompt is not a person's.
            let typed = events.iter().any(|e| {
                e["type"] == "user.message"
                    && !e["data"]["content"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("[[ ## ")
            });
            let ran = events
                .iter()
                .any(|e| e["type"] == "tool.execution_complete");
            (typed, ran)
        }
    }
}

/// The directory a session started in, where the format records it: Claude Code's first
/// `cwd`, Codex's `session_meta.cwd`, Copilot CLI's `session.start` context, OpenCode's
/// session `directory`, the working directory Cline's and Roo Code's environment details name,
/// SWE-agent's first `state.working_dir`, Gemini CLI's workspace directory. Formats without one
/// leave it unset.
#[test]
fn the_starting_directory_is_read_where_the_format_records_it() {
    let claude = fixture("claude_code", "single-record.jsonl");
    assert_eq!(claude.started_in.as_deref(), Some("/home/dev/app"));
    let codex = fixture("openai_responses", "rollout.jsonl");
    assert_eq!(codex.started_in.as_deref(), Some("/home/dev/repo"));
    let copilot = fixture("copilot_cli", "events.jsonl");
    assert_eq!(
        copilot.started_in.as_deref(),
        Some("/home/dev/projects/webshop")
    );
    let opencode = fixture("opencode", "export.json");
    assert_eq!(opencode.started_in.as_deref(), Some("/home/dev/shop"));
    let cline = fixture("cline", "1733234405000/api_conversation_history.json");
    assert_eq!(cline.started_in.as_deref(), Some("/home/dev/shop"));
    let roo = fixture("cline", "roo-history.json");
    assert_eq!(roo.started_in.as_deref(), Some("/home/dev/cart"));
    // The shell's `cd` moves Claude Code's `cwd` later on; the first one is the start.
    let moved = "{\"type\":\"user\",\"cwd\":\"/home/dev/app\",\"sessionId\":\"s\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n\
                 {\"type\":\"user\",\"cwd\":\"/home/dev/app/web\",\"sessionId\":\"s\",\"message\":{\"role\":\"user\",\"content\":\"go on\"}}\n";
    let session = lucid_import::import_session(
        moved.as_bytes(),
        &lucid_import::Source::new("projects/app/s.jsonl"),
    )
    .expect("imports");
    assert_eq!(session.started_in.as_deref(), Some("/home/dev/app"));
    let aider = lucid_import::import_session(
        b"# aider chat started at 2025-04-01 18:41:33\n\n#### fix the build\n\nDone.\n",
        &lucid_import::Source::new("repo/.aider.chat.history.md"),
    )
    .expect("imports");
    assert_eq!(aider.started_in, None);
    // SWE-agent: the first step's state; Gemini CLI: the workspace its session context names.
    let swe = fixture("swe_agent", "django__django-11066.traj");
    assert_eq!(swe.started_in.as_deref(), Some("/django__django"));
    let gemini = lucid_import::import_session(
        br#"{"sessionId":"s1","projectHash":"ab12","messages":[
        {"id":"1","timestamp":"2026-03-11T02:09:40Z","type":"user","content":[{"text":"<session_context>\nThis is the Gemini CLI.\n- **Workspace Directories:**\n  - /home/dev/shop\n- **Directory Structure:**\n</session_context>"},{"text":"fix the build"}]},
        {"id":"2","timestamp":"2026-03-11T02:09:47Z","type":"gemini","content":"Looking."}]}"#,
        &lucid_import::Source::new("chats/session-1.json"),
    )
    .expect("imports");
    assert_eq!(gemini.started_in.as_deref(), Some("/home/dev/shop"));
}
