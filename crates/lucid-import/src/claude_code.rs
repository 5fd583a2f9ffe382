//! Claude Code session transcripts (`~/.claude/projects/<project>/<session>.jsonl`).
//!
//! One JSON record per line. `user` and `assistant` records carry an Anthropic Messages API
//! `message` whose content blocks become events (tool results arrive in `user` records);
//! `summary` and `system` records become context; bookkeeping records
//! (`queue-operation`, `file-history-snapshot`, …) and unknown types are skipped.
//!
//! Records are deserialized into a typed struct so the large bookkeeping fields Claude Code
//! adds (`toolUseResult` repeats every tool output, snapshots hold whole files) are skipped
//! without being built as JSON values.

use lucid_core::{Session, TranscriptFormat, parse_timestamp};
use serde::Deserialize;
use serde_json::Value;

use crate::Source;
use crate::blocks::push_content;
use crate::error::ImportError;
use crate::input::{Input, each_record};
use crate::json::{Lenient, lenient_bool, lenient_string};
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::ClaudeCode;

/// The Anthropic message a `user`/`assistant` record carries; usage and model are skipped.
#[derive(Deserialize)]
struct Message {
    #[serde(default, deserialize_with = "lenient_string")]
    role: Option<String>,
    #[serde(default)]
    content: Option<Value>,
}

/// The fields of a record that lucid uses; everything else is skipped while parsing.
#[derive(Deserialize)]
struct Record {
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    uuid: Option<String>,
    #[serde(rename = "sessionId", default, deserialize_with = "lenient_string")]
    session_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    timestamp: Option<String>,
    /// Harness-injected user turns (hook feedback, command caveats): not the person speaking.
    #[serde(rename = "isMeta", default, deserialize_with = "lenient_bool")]
    is_meta: bool,
    /// The summary that opens a compacted conversation, sent as a user turn.
    #[serde(
        rename = "isCompactSummary",
        default,
        deserialize_with = "lenient_bool"
    )]
    is_compact_summary: bool,
    /// A synthetic assistant turn reporting an API failure, not something the model said.
    #[serde(
        rename = "isApiErrorMessage",
        default,
        deserialize_with = "lenient_bool"
    )]
    is_api_error_message: bool,
    #[serde(default)]
    message: Lenient<Message>,
    /// `summary` records.
    #[serde(default, deserialize_with = "lenient_string")]
    summary: Option<String>,
    /// `system` records.
    #[serde(default, deserialize_with = "lenient_string")]
    content: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    subtype: Option<String>,
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    each_record::<Record>(input, FORMAT, |record| {
        push_record(&mut builder, record);
        Ok(())
    })?;
    builder.finish()
}

fn push_record(builder: &mut Builder<'_>, record: Record) {
    // A resumed session's file starts with the history copied from the earlier session under
    // that session's id; the id seen last is the one this file continues under.
    if let Some(id) = &record.session_id {
        builder.set_session_id(id);
    }
    let origin = Origin {
        at: record.timestamp.as_deref().and_then(parse_timestamp),
        source_id: record.uuid.as_deref(),
    };
    match record.kind.as_deref() {
        Some(kind @ ("user" | "assistant")) => {
            let Some(message) = record.message.0 else {
                return;
            };
            let is_agent = match message.role.as_deref() {
                Some(role) => role == "assistant",
                None => kind == "assistant",
            };
            let speaker = if record.is_compact_summary {
                Speaker::Context("compact_summary")
            } else if record.is_meta {
                Speaker::Context("meta")
            } else if record.is_api_error_message {
                Speaker::Context("api_error")
            } else if is_agent {
                Speaker::Agent
            } else {
                Speaker::User
            };
            push_content(
                builder,
                origin,
                speaker,
                message.content.unwrap_or(Value::Null),
            );
        }
        Some("summary") => {
            if let Some(summary) = record.summary {
                builder.text(origin, Speaker::Context("summary"), summary);
            }
        }
        Some("system") => {
            if let Some(content) = record.content {
                let label = record.subtype.as_deref().unwrap_or("system");
                builder.text(origin, Speaker::Context(label), content);
            }
        }
        // queue-operation, file-history-snapshot, progress, attachments, future types.
        _ => {}
    }
}
