//! The session builder every importer feeds: numbers events, pairs tool results with the calls
//! they answer, turns memory-writing tool calls into `MemoryWrite` events, gives every event its
//! [`Channel`], and settles the session id and agent with the documented fallbacks.
//!
//! Channels: a text event's channel follows its [`Speaker`] (a person → `human`, the model →
//! `agent`, harness text → `harness`, pasted text → `pasted`); [`Builder::text_with_channel`]
//! overrides it where an importer knows better (a shell's output echoed into a user turn is
//! `tool_output` although it is stored as context). What a person typed inside a tool result
//! (an answer to the agent's question, feedback on a declined call) is added after the result
//! as their message ([`crate::answers`]).

use std::collections::HashMap;

use lucid_core::{Channel, Event, EventKind, Session, SessionTrust, Timestamp, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::json::non_blank;
use crate::memory::memory_commands_from_tool_call;

/// Who a piece of text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Speaker<'a> {
    /// Typed by a person (channel `human`).
    User,
    /// The model's own prose (channel `agent`).
    Agent,
    /// Not a conversational turn: system prompts, summaries, reminders, hook feedback and other
    /// text the harness injects (an `EventKind::Context` with this label, channel `harness`).
    Context(&'a str),
    /// A log, stack trace or code a person pasted into their message (a user message on the
    /// `pasted` channel: untrusted content, never a preference).
    Pasted,
}

/// Where an event came from in the file.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Origin<'a> {
    pub at: Option<Timestamp>,
    /// The record's own id (`uuid`, `sevt_…`), when it has one.
    pub source_id: Option<&'a str>,
}

pub(crate) struct Builder<'s> {
    format: TranscriptFormat,
    path: &'s str,
    folder_name: Option<&'s str>,
    folder_above: Option<&'s str>,
    events: Vec<Event>,
    /// Tool names by call id, so a result can say which tool produced it.
    tool_names: HashMap<String, String>,
    /// The options a question-asking call offered, by call id (see [`crate::answers`]).
    offered: HashMap<String, Vec<String>>,
    session_id: Option<String>,
    agent: Option<String>,
    started_in: Option<String>,
    part_of: Option<String>,
}

impl<'s> Builder<'s> {
    pub(crate) fn new(format: TranscriptFormat, source: &Source<'s>) -> Self {
        Builder {
            format,
            path: source.path,
            folder_name: source.folder_name,
            folder_above: source.folder_above,
            events: Vec::new(),
            tool_names: HashMap::new(),
            offered: HashMap::new(),
            session_id: None,
            agent: None,
            started_in: None,
            part_of: None,
        }
    }

    /// Records the directory the session started in, unless one is already known (the first
    /// one a format names; Claude Code's `cwd` follows the shell's `cd`s after it).
    pub(crate) fn offer_started_in(&mut self, dir: Option<&str>) {
        if self.started_in.is_none() {
            self.started_in = dir.and_then(non_blank).map(str::to_string);
        }
    }

    /// Records the session this sub-agent transcript ran inside, unless one is already known.
    pub(crate) fn offer_part_of(&mut self, parent: Option<&str>) {
        if self.part_of.is_none() {
            self.part_of = parent.and_then(non_blank).map(str::to_string);
        }
    }

    /// Sets the session id, replacing an earlier one (used where the last id seen is the right
    /// one, as in resumed Claude Code sessions).
    pub(crate) fn set_session_id(&mut self, id: &str) {
        if let Some(id) = non_blank(id)
            && self.session_id.as_deref() != Some(id)
        {
            self.session_id = Some(id.to_string());
        }
    }

    /// Sets the session id unless one is already known.
    pub(crate) fn offer_session_id(&mut self, id: Option<&str>) {
        if self.session_id.is_none()
            && let Some(id) = id
        {
            self.set_session_id(id);
        }
    }

    /// Takes the agent from an object's `agent_name`, `agent` (a string, or an object with
    /// `name`/`id`) or `agent_id` field, unless an agent is already known. Names are preferred
    /// over ids because the folder-name fallback is a name too.
    pub(crate) fn offer_agent_from(&mut self, object: &Map<String, Value>) {
        if self.agent.is_some() {
            return;
        }
        let from_object = |value: &Value| -> Option<String> {
            match value {
                Value::String(text) => non_blank(text).map(str::to_string),
                Value::Object(agent) => ["name", "id"]
                    .iter()
                    .filter_map(|key| agent.get(*key).and_then(Value::as_str))
                    .find_map(non_blank)
                    .map(str::to_string),
                _ => None,
            }
        };
        self.agent = ["agent_name", "agent", "agent_id"]
            .iter()
            .filter_map(|key| object.get(*key))
            .find_map(from_object);
    }

    /// Appends an event with the next index; its channel follows from its kind.
    pub(crate) fn push(&mut self, origin: Origin<'_>, kind: EventKind) {
        let channel = Channel::of_kind(&kind);
        self.push_on(origin, kind, channel);
    }

    /// Appends an event with the next index on an explicit channel.
    pub(crate) fn push_on(&mut self, origin: Origin<'_>, kind: EventKind, channel: Channel) {
        let mut event = Event::new(
            self.events.len(),
            origin.at,
            origin.source_id.map(str::to_string),
            kind,
        );
        event.channel = channel;
        self.events.push(event);
    }

    /// Appends a text event for `speaker`; blank text is dropped (it carries nothing).
    pub(crate) fn text(&mut self, origin: Origin<'_>, speaker: Speaker<'_>, text: String) {
        let channel = match speaker {
            Speaker::User => Channel::Human,
            Speaker::Agent => Channel::Agent,
            Speaker::Context(_) => Channel::Harness,
            Speaker::Pasted => Channel::Pasted,
        };
        self.text_with_channel(origin, speaker, text, channel);
    }

    /// Appends a text event for `speaker` on an explicit channel (e.g. command output a harness
    /// echoes into a user turn: context on the `tool_output` channel). Blank text is dropped.
    pub(crate) fn text_with_channel(
        &mut self,
        origin: Origin<'_>,
        speaker: Speaker<'_>,
        text: String,
        channel: Channel,
    ) {
        if text.trim().is_empty() {
            return;
        }
        let kind = match speaker {
            Speaker::User | Speaker::Pasted => EventKind::UserMessage { text },
            Speaker::Agent => EventKind::AgentMessage { text },
            Speaker::Context(label) => EventKind::Context {
                label: label.to_string(),
                text,
            },
        };
        self.push_on(origin, kind, channel);
    }

    /// Appends a tool call, or — when it writes to memory — one `MemoryWrite` per command
    /// instead (a multi-edit yields several, all with the call's id).
    pub(crate) fn tool_call(
        &mut self,
        origin: Origin<'_>,
        call_id: Option<&str>,
        name: &str,
        input: Value,
    ) {
        let call_id = call_id.and_then(non_blank).map(str::to_string);
        if let Some(id) = &call_id {
            self.tool_names.insert(id.clone(), name.to_string());
            let offered = crate::answers::offered_options(name, &input);
            if !offered.is_empty() {
                self.offered.insert(id.clone(), offered);
            }
        }
        let commands = memory_commands_from_tool_call(name, &input);
        if commands.is_empty() {
            self.push(
                origin,
                EventKind::ToolCall {
                    call_id,
                    name: name.to_string(),
                    input,
                },
            );
            return;
        }
        for command in commands {
            self.push(
                origin,
                EventKind::MemoryWrite {
                    call_id: call_id.clone(),
                    tool: name.to_string(),
                    command,
                },
            );
        }
    }

    /// Appends a tool result. The tool is the name of the earlier call with the same id; where
    /// the format names the tool on the result itself (`known_tool`), that is the fallback.
    pub(crate) fn tool_result(
        &mut self,
        origin: Origin<'_>,
        call_id: Option<&str>,
        known_tool: Option<&str>,
        content: String,
        is_error: bool,
    ) {
        let call_id = call_id.and_then(non_blank).map(str::to_string);
        let tool = call_id
            .as_ref()
            .and_then(|id| self.tool_names.get(id).cloned())
            .or_else(|| known_tool.and_then(non_blank).map(str::to_string));
        let offered = call_id
            .as_ref()
            .and_then(|id| self.offered.get(id))
            .map_or(&[][..], Vec::as_slice);
        let split =
            crate::answers::split_person_words(tool.as_deref(), &content, is_error, offered);
        let (content, person_words) = match split {
            Some(split) => (split.harness, Some(split.words)),
            None => (content, None),
        };
        self.push(
            origin,
            EventKind::ToolResult {
                call_id,
                tool,
                content,
                is_error,
            },
        );
        // An answer the person typed to the agent's question, or their feedback on a declined
        // call, is theirs although the harness files it as tool output.
        if let Some(words) = person_words {
            self.text(origin, Speaker::User, words);
        }
    }

    /// The finished session; an error when nothing was kept.
    pub(crate) fn finish(self) -> Result<Session, ImportError> {
        if self.events.is_empty() {
            return Err(ImportError::NoEvents {
                format: self.format,
            });
        }
        let id = self.session_id.unwrap_or_else(|| file_stem(self.path));
        let agent = self
            .agent
            .or_else(|| self.folder_name.and_then(non_blank).map(str::to_string))
            .or_else(|| {
                self.started_in
                    .as_deref()
                    .and_then(crate::agent_name::project_of)
                    .map(str::to_string)
            })
            .or_else(|| self.folder_above.and_then(non_blank).map(str::to_string))
            .unwrap_or_else(|| "default".to_string());
        Ok(Session {
            id,
            agent,
            source: self.path.to_string(),
            format: self.format,
            trust: SessionTrust::Default,
            events: self.events,
            started_in: self.started_in,
            part_of: self.part_of,
        })
    }
}

/// The file name without directories and without its last extension: `a/b/s1.jsonl` → `s1`.
pub(crate) fn file_stem(path: &str) -> String {
    let name = lucid_core::tools::file_name(path);
    let stem = match name.rfind('.') {
        Some(dot) if dot > 0 => name.get(..dot).unwrap_or(name),
        _ => name,
    };
    match non_blank(stem) {
        Some(stem) => stem.to_string(),
        None => non_blank(path).unwrap_or("session").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("fleet/support-bot/s1.jsonl"), "s1");
        assert_eq!(file_stem("s1"), "s1");
        assert_eq!(file_stem("C:\\x\\y.json"), "y");
        assert_eq!(file_stem(".hidden"), ".hidden");
        assert_eq!(file_stem("dir/"), "dir/");
        assert_eq!(file_stem(""), "session");
    }
}
