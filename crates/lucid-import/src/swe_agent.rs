//! SWE-agent trajectories (`.traj`) and mini-swe-agent trajectories (`.traj.json`).
//!
//! A SWE-agent `.traj` is one JSON object with `history` (the messages the model saw), and/or
//! `trajectory` (one step per action: `thought`, `action`, `observation`, `response`, `state`),
//! and `info` (`exit_status`, `submission`, model stats), sometimes `environment` and
//! `replay_config`. `history` is preferred when present. A retry agent's file adds `attempts`
//! (one such object per attempt) and, once an attempt is chosen, that attempt's fields at the
//! top: the chosen attempt is imported, or every attempt in order when none was chosen yet. A
//! mini-swe-agent trajectory is
//! `{"info", "messages", "trajectory_format": "mini-swe-agent-1", "instance_id"}`.
//!
//! | message | event |
//! |---|---|
//! | system prompt (`role: system`, `message_type: system_prompt`) | context `system_prompt` (harness) |
//! | demonstrations (`is_demo`, `message_type: demonstration`), whatever their role | context `demonstration` (harness) |
//! | the first other user message: the instance template with the problem statement ("We're currently solving the following issue…", `<uploaded_files>`, `<pr_description>`) | context `task` (harness) |
//! | an assistant message | its thought as agent prose, then a tool call for its action |
//! | a user or tool message after an action (the observation) | tool result answering it |
//! | a user message when no action awaits a result (a format error, a requery) | context `feedback` (harness) |
//!
//! The task template holds the problem statement, but a benchmark harness wrote it, not a person
//! talking to the agent: nothing in a trajectory is human. A tool call is named by the first word
//! of its action (`edit`, `open`, `create`, `python`, `find_file`, `submit`, …) with input
//! `{"command": <the full action>}`; `str_replace_editor` actions also carry their sub-command and
//! path (`{"command": "view", "path": …, "action": <full action>}`); function-calling
//! trajectories (`tool_calls`) keep the real tool names and arguments and their call ids.
//! Actions without ids get `step-<n>` so their observation pairs with them.
//!
//! Observations lose SWE-agent's status footer — the trailing `(Open file: …)`,
//! `(Current directory: …)` and `bash-$` lines — and a leading `OBSERVATION:`/`Observation:`
//! label: the footer
//! only restates the shell's state and would repeat in every result (`[File: … (N lines total)]`
//! headers stay, they are the tool's output). mini-swe-agent observations are unwrapped from
//! `<output>`, and their `<returncode>` decides the error flag; otherwise results have no error
//! flag and [`crate::looks_like_error`] decides.
//!
//! Times: SWE-agent records none, so events have no time (no time is invented; the curator does
//! not order untimed sessions). mini-swe-agent assistant messages carry the model response's
//! `created` time, which they keep.
//!
//! Session id: mini-swe-agent's `instance_id`, else the file stem without `.traj` (the instance
//! id). The directory the session started in: the `working_dir` of the first step's `state`.
//! Agent: the agent name in `replay_config` when it is not a default (`main`, `primary`), else
//! the [`Source`] fallbacks.

use std::collections::VecDeque;

use lucid_core::{Session, Timestamp, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::error_text::looks_like_error;
use crate::input::Input;
use crate::json::{content_text, kind_of, non_blank, parse_arguments, str_at, time_value};
use crate::session::{Builder, Origin, Speaker, file_stem};
use crate::tagged::split_tags;

const FORMAT: TranscriptFormat = TranscriptFormat::SweAgent;

type Object = Map<String, Value>;

/// Whether a JSON object is a SWE-agent or mini-swe-agent trajectory.
pub(crate) fn is_trajectory(object: &Object) -> bool {
    if str_at(object, "trajectory_format").is_some_and(|f| f.starts_with("mini-swe-agent")) {
        return true;
    }
    let info = object.get("info").and_then(Value::as_object);
    if object.get("messages").is_some_and(Value::is_array)
        && info.is_some_and(|info| info.contains_key("mini_version"))
    {
        return true;
    }
    if let Some(Value::Array(history)) = object.get("history") {
        let swe_items = history
            .iter()
            .take(16)
            .filter_map(Value::as_object)
            .any(|item| {
                item.contains_key("role")
                    && ["message_type", "is_demo", "agent"]
                        .iter()
                        .any(|key| item.contains_key(*key))
            });
        if swe_items || object.get("trajectory").is_some_and(Value::is_array) || info.is_some() {
            return true;
        }
    }
    // A retry agent's file: one trajectory per attempt.
    if let Some(Value::Array(attempts)) = object.get("attempts")
        && attempts
            .iter()
            .take(4)
            .filter_map(Value::as_object)
            .any(|attempt| attempt.contains_key("history") || attempt.contains_key("trajectory"))
    {
        return true;
    }
    match object.get("trajectory") {
        Some(Value::Array(steps)) => {
            steps
                .iter()
                .take(4)
                .filter_map(Value::as_object)
                .any(|step| {
                    step.contains_key("action")
                        && ["observation", "thought", "response"]
                            .iter()
                            .any(|key| step.contains_key(*key))
                })
        }
        _ => false,
    }
}

pub(crate) fn import(input: Input<'_>, source: &Source<'_>) -> Result<Session, ImportError> {
    let mut document = match input {
        Input::Document(Value::Object(document)) => document,
        Input::Document(other) => return Err(wrong_shape(format!("found {}", kind_of(&other)))),
        Input::Lines(_) => return Err(wrong_shape("found JSON Lines".to_string())),
    };
    let mut builder = Builder::new(FORMAT, source);
    let stem = file_stem(source.path);
    let stem = stem.strip_suffix(".traj").unwrap_or(&stem);
    builder.set_session_id(str_at(&document, "instance_id").unwrap_or(stem));
    if let Some(agent) = replay_agent(document.get("replay_config")) {
        let mut fields = Object::new();
        fields.insert("agent".into(), Value::String(agent));
        builder.offer_agent_from(&fields);
    }
    builder.offer_started_in(first_working_dir(&document).as_deref());
    if !push_attempt(&mut builder, &mut document) {
        // A retry agent's file saved before an attempt was chosen: every attempt, in order.
        let attempts = match document.remove("attempts") {
            Some(Value::Array(attempts)) => attempts,
            _ => Vec::new(),
        };
        let mut any = false;
        for attempt in attempts {
            if let Value::Object(mut attempt) = attempt {
                any |= push_attempt(&mut builder, &mut attempt);
            }
        }
        if !any {
            return Err(wrong_shape(
                "expected a non-empty `history`, `trajectory`, `messages` or `attempts` list"
                    .to_string(),
            ));
        }
    }
    builder.finish()
}

/// Adds one attempt's events — its `history` (or mini-swe-agent's `messages`), else its
/// `trajectory` — and says whether it had any.
fn push_attempt(builder: &mut Builder<'_>, attempt: &mut Object) -> bool {
    let nonempty = |value: &Option<Value>| {
        value
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|items| !items.is_empty())
    };
    let mut walk = Walk::default();
    let history = attempt.remove("history");
    let messages = attempt.remove("messages");
    let trajectory = attempt.remove("trajectory");
    if nonempty(&history) {
        walk.history(builder, history);
    } else if nonempty(&messages) {
        walk.mini = true;
        walk.history(builder, messages);
    } else if nonempty(&trajectory) {
        walk.trajectory(builder, trajectory);
    } else {
        return false;
    }
    true
}

/// The directory the first step of a SWE-agent trajectory ran in: its `state` (a JSON object,
/// or a string holding one) gives `working_dir` (`/django__django`), the repository the task
/// was checked out in.
fn first_working_dir(document: &Object) -> Option<String> {
    let steps = document.get("trajectory")?.as_array()?;
    steps.iter().find_map(|step| {
        let state = step.get("state")?;
        let parsed;
        let state = match state {
            Value::String(text) => {
                parsed = serde_json::from_str::<Value>(text).ok()?;
                &parsed
            }
            other => other,
        };
        state
            .get("working_dir")?
            .as_str()
            .and_then(non_blank)
            .map(str::to_string)
    })
}

fn wrong_shape(reason: String) -> ImportError {
    ImportError::WrongShape {
        format: FORMAT,
        reason: format!("a trajectory is one JSON object; {reason}"),
    }
}

/// The agent's name in `replay_config` (a JSON string or an object), unless it is a default.
fn replay_agent(config: Option<&Value>) -> Option<String> {
    let parsed;
    let config = match config? {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).ok()?;
            &parsed
        }
        other => other,
    };
    let name = config
        .get("agent")?
        .get("name")?
        .as_str()
        .and_then(non_blank)?;
    (!matches!(name, "main" | "primary" | "default")).then(|| name.to_string())
}

/// Calls awaiting their observation, and whether the task template was seen.
#[derive(Default)]
struct Walk {
    /// (call id, tool name), oldest first.
    pending: VecDeque<(String, String)>,
    task_seen: bool,
    /// A mini-swe-agent trajectory: command output always comes in `<returncode>` tags.
    mini: bool,
}

impl Walk {
    fn history(&mut self, builder: &mut Builder<'_>, items: Option<Value>) {
        let Some(Value::Array(items)) = items else {
            return;
        };
        for (index, item) in items.into_iter().enumerate() {
            let Value::Object(item) = item else {
                continue;
            };
            self.message(builder, index, &item);
        }
    }

    fn message(&mut self, builder: &mut Builder<'_>, index: usize, item: &Object) {
        let origin = Origin {
            at: message_time(item),
            source_id: None,
        };
        let role = str_at(item, "role").unwrap_or("user");
        let message_type = str_at(item, "message_type");
        let text = content_text(item.get("content"));
        let is_demo = item.get("is_demo").and_then(Value::as_bool) == Some(true)
            || message_type == Some("demonstration");
        if is_demo {
            return builder.text(origin, Speaker::Context("demonstration"), text);
        }
        if role == "system" || message_type == Some("system_prompt") {
            return builder.text(origin, Speaker::Context("system_prompt"), text);
        }
        if role == "assistant" {
            return self.assistant(builder, origin, index, item, &text);
        }
        let answers = match item
            .get("tool_call_ids")
            .or_else(|| item.get("tool_call_id"))
        {
            Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).next(),
            Some(Value::String(id)) => Some(id.as_str()),
            _ => None,
        };
        let answered = match answers {
            Some(id) => self
                .pending
                .iter()
                .position(|(pending, _)| pending == id)
                .and_then(|position| self.pending.remove(position))
                .or_else(|| Some((id.to_string(), String::new()))),
            None => self.pending.pop_front(),
        };
        match answered {
            // mini-swe-agent wraps every command it ran in `<returncode>`: another answer that
            // reports a problem means the harness refused to run it (a format error, a timeout
            // notice); the submission's output is the only plain answer that is not.
            Some(_)
                if self.mini
                    && !text.contains("<returncode>")
                    && (looks_like_error(&text) || text.trim_start().starts_with("Please ")) =>
            {
                builder.text(origin, Speaker::Context("feedback"), text);
            }
            Some((call_id, tool)) => {
                let from_file = answers.is_some();
                observation(builder, origin, &call_id, from_file, &tool, &text);
            }
            None if !self.task_seen => {
                self.task_seen = true;
                builder.text(origin, Speaker::Context("task"), text);
            }
            None => builder.text(origin, Speaker::Context("feedback"), text),
        }
    }

    fn assistant(
        &mut self,
        builder: &mut Builder<'_>,
        origin: Origin<'_>,
        index: usize,
        item: &Object,
        content: &str,
    ) {
        // A new turn: an earlier action nobody answered will not be answered now.
        self.pending.clear();
        let action = str_at(item, "action")
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let fenced = fenced_action(content);
        let thought = str_at(item, "thought")
            .and_then(non_blank)
            .map(str::to_string)
            .unwrap_or_else(|| match fenced {
                Some((before, _)) => before.to_string(),
                None => content.to_string(),
            });
        builder.text(origin, Speaker::Agent, thought.trim().to_string());
        let calls = match item.get("tool_calls") {
            Some(Value::Array(calls)) if !calls.is_empty() => calls.as_slice(),
            _ => &[],
        };
        for call in calls {
            let Some(call) = call.as_object() else {
                continue;
            };
            let function = call.get("function").and_then(Value::as_object);
            let name = function
                .and_then(|function| str_at(function, "name"))
                .or_else(|| str_at(call, "name"))
                .unwrap_or("function")
                .to_string();
            let input = parse_arguments(
                function
                    .and_then(|function| function.get("arguments"))
                    .or_else(|| call.get("arguments"))
                    .cloned(),
            );
            let id = str_at(call, "id")
                .and_then(non_blank)
                .map_or_else(|| format!("step-{index}"), str::to_string);
            let origin = Origin {
                source_id: Some(&id),
                ..origin
            };
            builder.tool_call(origin, Some(&id), &name, input);
            self.pending.push_back((id, name));
        }
        if !calls.is_empty() {
            return;
        }
        let Some(action) = action.or(fenced.map(|(_, action)| action)) else {
            return;
        };
        let (name, input) = action_call(action);
        let id = format!("step-{index}");
        builder.tool_call(origin, Some(&id), &name, input);
        self.pending.push_back((id, name));
    }

    fn trajectory(&mut self, builder: &mut Builder<'_>, steps: Option<Value>) {
        let Some(Value::Array(steps)) = steps else {
            return;
        };
        for (index, step) in steps.into_iter().enumerate() {
            let Value::Object(step) = step else {
                continue;
            };
            // The first step's query holds the system prompt and the task template.
            if index == 0
                && let Some(Value::Array(query)) =
                    step.get("query").or_else(|| step.get("messages"))
            {
                for message in query.iter().filter_map(Value::as_object) {
                    if str_at(message, "role") != Some("assistant") {
                        self.message(builder, 0, message);
                    }
                }
            }
            let origin = Origin::default();
            let response = str_at(&step, "response").unwrap_or("").to_string();
            let mut turn = Object::new();
            for key in ["thought", "action"] {
                if let Some(value) = step.get(key) {
                    turn.insert(key.to_string(), value.clone());
                }
            }
            self.assistant(builder, origin, index, &turn, &response);
            if let Some((call_id, tool)) = self.pending.pop_front() {
                let text = str_at(&step, "observation").unwrap_or("");
                observation(builder, origin, &call_id, false, &tool, text);
            }
        }
    }
}

/// A mini-swe-agent assistant message's time: its model response's `created`, or `timestamp`.
fn message_time(item: &Object) -> Option<Timestamp> {
    let extra = item.get("extra")?.as_object()?;
    extra
        .get("timestamp")
        .and_then(time_value)
        .or_else(|| extra.get("response")?.get("created").and_then(time_value))
}

/// The last fenced code block of a response, when it ends the text: the text before it and the
/// block's body (mini-swe-agent and SWE-agent's thought/action format).
fn fenced_action(content: &str) -> Option<(&str, &str)> {
    let trimmed = content.trim_end();
    let body_end = trimmed.strip_suffix("```")?.len();
    let before_close = trimmed.get(..body_end)?;
    let open = before_close.rfind("```")?;
    let fence_line_end = open + before_close.get(open..)?.find('\n')? + 1;
    let body = trimmed
        .get(fence_line_end..body_end)?
        .trim_end_matches('\n');
    Some((content.get(..open)?, body)).filter(|(_, body)| !body.trim().is_empty())
}

/// The tool call an action text stands for (see the module doc).
fn action_call(action: &str) -> (String, Value) {
    let mut words = action.split_whitespace();
    let name = words.next().unwrap_or("action").to_string();
    let mut input = Object::new();
    if name == "str_replace_editor" {
        if let Some(command) = words.next() {
            input.insert("command".into(), Value::String(command.to_string()));
        }
        if let Some(path) = words.next() {
            input.insert("path".into(), Value::String(path.to_string()));
        }
        input.insert("action".into(), Value::String(action.to_string()));
    } else {
        input.insert("command".into(), Value::String(action.to_string()));
    }
    (name, Value::Object(input))
}

/// Adds an observation as the result of `call_id` (`from_file`: the trajectory's own id, which
/// is then also the event's source id).
fn observation(
    builder: &mut Builder<'_>,
    origin: Origin<'_>,
    call_id: &str,
    from_file: bool,
    tool: &str,
    text: &str,
) {
    let (content, exit_code) = unwrap_mini(text);
    let content = strip_footer(&content);
    // A harness warning in place of the output ("The output of your last command was too
    // long") means the command's result never reached the agent.
    let replaced_by_warning = content.trim_start().starts_with("<warning>");
    let is_error = replaced_by_warning
        || match exit_code {
            Some(code) => code != 0,
            None => looks_like_error(&content),
        };
    let origin = Origin {
        source_id: Some(call_id).filter(|_| from_file),
        ..origin
    };
    let tool = non_blank(tool);
    builder.tool_result(origin, Some(call_id), tool, content, is_error);
}

/// mini-swe-agent's `<returncode>N</returncode><output>…</output>`: the output unwrapped and the
/// code; other text as it is.
fn unwrap_mini(text: &str) -> (String, Option<i64>) {
    let spans = split_tags(text, &["returncode", "output"]);
    let code = spans
        .iter()
        .find(|span| span.tag == Some("returncode"))
        .and_then(|span| span.inner.trim().parse::<i64>().ok());
    if code.is_none() {
        return (text.to_string(), None);
    }
    let content: String = spans
        .iter()
        .filter(|span| span.tag != Some("returncode"))
        .map(|span| match span.tag {
            Some(_) => span.inner.trim_matches('\n'),
            None => span.raw,
        })
        .collect();
    (content.trim().to_string(), code)
}

/// Removes a leading `OBSERVATION:` line and SWE-agent's trailing status footer.
fn strip_footer(text: &str) -> String {
    let mut text = text.trim_end();
    // `OBSERVATION:\n…` and `Observation: …` (the next-step templates).
    let start = text.trim_start();
    if let Some(rest) = start
        .strip_prefix("OBSERVATION:")
        .or_else(|| start.strip_prefix("Observation:"))
    {
        text = rest.strip_prefix(['\n', ' ']).unwrap_or(rest);
    }
    loop {
        let (head, last) = match text.rfind('\n') {
            Some(cut) => (
                text.get(..cut).unwrap_or(""),
                text.get(cut + 1..).unwrap_or(""),
            ),
            None => ("", text),
        };
        let last = last.trim();
        let is_footer = last == "bash-$"
            || ((last.starts_with("(Open file:")
                || last.starts_with("(Current directory:")
                || last.starts_with("(Current working directory:")
                || last.starts_with("(Interactive session:"))
                && last.ends_with(')'));
        if !is_footer || text.is_empty() {
            return text.to_string();
        }
        text = head.trim_end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_are_stripped() {
        assert_eq!(
            strip_footer(
                "[File: /r/a.py (3 lines total)]\n1:x\n(Open file: /r/a.py)\n(Current directory: /r)\nbash-$"
            ),
            "[File: /r/a.py (3 lines total)]\n1:x"
        );
        assert_eq!(strip_footer("OBSERVATION:\nhello\n"), "hello");
        assert_eq!(strip_footer("Observation: hello"), "hello");
        assert_eq!(
            strip_footer("(Open file: n/a)\n(Current directory: /r)\nbash-$"),
            ""
        );
        assert_eq!(
            strip_footer("keep (Open file: x) inline"),
            "keep (Open file: x) inline"
        );
    }

    #[test]
    fn actions_become_calls() {
        assert_eq!(
            action_call("edit 64:64\n    return x\nend_of_edit"),
            (
                "edit".to_string(),
                serde_json::json!({"command": "edit 64:64\n    return x\nend_of_edit"})
            )
        );
        let (name, input) = action_call("str_replace_editor view /testbed/a.py");
        assert_eq!(name, "str_replace_editor");
        assert_eq!(input["command"], "view");
        assert_eq!(input["path"], "/testbed/a.py");
    }

    #[test]
    fn fenced_actions_and_mini_output() {
        assert_eq!(
            fenced_action("THOUGHT: look.\n\n```bash\nls -la\n```\n"),
            Some(("THOUGHT: look.\n\n", "ls -la"))
        );
        assert_eq!(fenced_action("no block"), None);
        assert_eq!(fenced_action("```\n```"), None);
        assert_eq!(
            unwrap_mini("<returncode>1</returncode>\n<output>\nrm: cannot remove 'x'\n</output>"),
            ("rm: cannot remove 'x'".to_string(), Some(1))
        );
        assert_eq!(
            unwrap_mini("diff --git a b"),
            ("diff --git a b".to_string(), None)
        );
    }

    #[test]
    fn default_agent_names_are_ignored() {
        let config = Value::String(r#"{"agent": {"name": "main"}}"#.into());
        assert_eq!(replay_agent(Some(&config)), None);
        let config = serde_json::json!({"agent": {"name": "swe-fixer"}});
        assert_eq!(replay_agent(Some(&config)).as_deref(), Some("swe-fixer"));
    }
}
