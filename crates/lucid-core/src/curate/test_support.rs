//! Inputs for the curator's unit tests: an in-memory store, sessions of what people typed, and
//! a dream over them with the default options.

use crate::digest::{EventRef, SessionDigest, Statement, StatementClass, digest_session};
use crate::model::{
    Event, EventKind, MemoryCommand, Session, SessionTrust, Store, StoreDocument, Timestamp,
    TranscriptFormat, Trust,
};

use super::{DreamOptions, DreamOutput, dream};

/// Noon UTC on 2024-03-`day`.
pub(super) fn day(day: u32) -> Timestamp {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2024, 3, day, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A store of `(path, content)` documents without times.
pub(super) fn store(documents: &[(&str, &str)]) -> Store {
    Store::new(
        documents
            .iter()
            .map(|(path, content)| StoreDocument {
                path: path.to_string(),
                content: content.to_string(),
                updated_at: None,
                as_of: None,
            })
            .collect(),
    )
}

/// The digest of a session of `agent` in which a person typed `messages`, one a minute from
/// noon on 2024-03-`on_day`.
pub(super) fn said(id: &str, agent: &str, on_day: u32, messages: &[&str]) -> SessionDigest {
    let events = messages.iter().map(|text| EventKind::UserMessage {
        text: text.to_string(),
    });
    session_of(id, agent, on_day, events.collect())
}

/// The digest of a session of `agent` that made the memory writes `commands`, one a minute from
/// noon on 2024-03-`on_day`.
pub(super) fn wrote(
    id: &str,
    agent: &str,
    on_day: u32,
    commands: Vec<MemoryCommand>,
) -> SessionDigest {
    let events = commands.into_iter().map(|command| EventKind::MemoryWrite {
        call_id: None,
        tool: "memory".to_string(),
        command,
    });
    session_of(id, agent, on_day, events.collect())
}

/// The digest of a session of `agent` whose tool results printed `outputs`, one a minute from
/// noon on 2024-03-`on_day`.
pub(super) fn printed(id: &str, agent: &str, on_day: u32, outputs: &[&str]) -> SessionDigest {
    let events = outputs.iter().map(|content| EventKind::ToolResult {
        call_id: None,
        tool: Some("Bash".to_string()),
        content: content.to_string(),
        is_error: false,
    });
    session_of(id, agent, on_day, events.collect())
}

/// The digest of a session of `agent` that made the `Bash`-style `calls` (tool, input, output),
/// each answered successfully, one event a minute from noon on 2024-03-`on_day`.
pub(super) fn ran(
    id: &str,
    agent: &str,
    on_day: u32,
    calls: &[(&str, serde_json::Value, &str)],
) -> SessionDigest {
    let mut events = Vec::new();
    for (n, (tool, input, output)) in calls.iter().enumerate() {
        let call_id = Some(format!("c{n}"));
        events.push(EventKind::ToolCall {
            call_id: call_id.clone(),
            name: tool.to_string(),
            input: input.clone(),
        });
        events.push(EventKind::ToolResult {
            call_id,
            tool: Some(tool.to_string()),
            content: output.to_string(),
            is_error: false,
        });
    }
    session_of(id, agent, on_day, events)
}

/// The digest of a Claude Code session of `agent` with `events`, one a minute from noon on
/// 2024-03-`on_day`.
pub(super) fn session_of(
    id: &str,
    agent: &str,
    on_day: u32,
    events: Vec<EventKind>,
) -> SessionDigest {
    let start = day(on_day);
    let session = Session {
        id: id.to_string(),
        agent: agent.to_string(),
        source: format!("{id}.jsonl"),
        format: TranscriptFormat::ClaudeCode,
        trust: SessionTrust::Default,
        started_in: None,
        part_of: None,
        events: events
            .into_iter()
            .enumerate()
            .map(|(i, kind)| {
                let at = start + chrono::Duration::minutes(i as i64);
                Event::new(i, Some(at), None, kind)
            })
            .collect(),
    };
    digest_session(&session)
}

/// A durable statement a person made (trusted, needing no repetition, no announced change), to
/// hand to [`stated`]; tests change its fields for other cases.
pub(super) fn statement(text: &str, class: StatementClass) -> Statement {
    // A key of the text that is never 0 (0 means "no key" to the curator).
    let key = text
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
        .max(1);
    Statement {
        class,
        text: text.to_string(),
        durable: true,
        needs_repetition: false,
        in_brief: false,
        change: false,
        key,
        evidence: EventRef {
            event: 0,
            at: None,
            trust: Trust::Trusted,
        },
    }
}

/// The digest of a session of `agent` on 2024-03-`on_day` whose gate found `statements` (the
/// curator's stages tested apart from the gate in `digest.rs`); statement `i` is event `i`, one
/// a minute from noon.
pub(super) fn stated(
    id: &str,
    agent: &str,
    on_day: u32,
    statements: Vec<Statement>,
) -> SessionDigest {
    let mut digest = said(id, agent, on_day, &[]);
    let start = day(on_day);
    digest.statements = statements
        .into_iter()
        .enumerate()
        .map(|(i, mut statement)| {
            statement.evidence.event = i;
            statement.evidence.at = Some(start + chrono::Duration::minutes(i as i64));
            statement
        })
        .collect();
    digest.events = digest.statements.len();
    digest.first_at = digest.statements.first().and_then(|s| s.evidence.at);
    digest.last_at = digest.statements.last().and_then(|s| s.evidence.at);
    digest
}

/// A dream with the default options.
pub(super) fn dream_over(store: &Store, digests: Vec<SessionDigest>) -> DreamOutput {
    match dream(store, digests, Vec::new(), &DreamOptions::default()) {
        Ok(output) => output,
        Err(error) => panic!("the dream was refused: {error}"),
    }
}

/// The draft document at `path`, or the empty string.
pub(super) fn draft_doc<'a>(output: &'a DreamOutput, path: &str) -> &'a str {
    output
        .draft
        .get(path)
        .map_or("", |doc| doc.content.as_str())
}

/// The texts of a dream's changes other than `keep`: what it wrote, merged, replaced or removed.
pub(super) fn written(output: &DreamOutput) -> Vec<&str> {
    output
        .report
        .changes
        .iter()
        .filter(|change| change.op != crate::report::Op::Keep)
        .map(|change| change.text.as_str())
        .collect()
}

/// Each change of a dream's report as its operation and text.
pub(super) fn ops(output: &DreamOutput) -> Vec<(crate::report::Op, &str)> {
    output
        .report
        .changes
        .iter()
        .map(|change| (change.op, change.text.as_str()))
        .collect()
}
