//! Aider chat transcripts: `.aider.chat.history.md`, and the same Markdown as published on
//! aider.chat (YAML front matter and the author's prose around `<div class="chat-transcript">`
//! blocks).
//!
//! Aider appends everything to one Markdown file, line by line, in three voices:
//!
//! | lines | event |
//! |---|---|
//! | `# aider chat started at 2024-05-20 10:12:24` | no event: the time of what follows |
//! | `#### …` (consecutive lines are one turn, also across single blank lines unless a command starts or ends it) | user message (human) — what the person typed |
//! | `#### # Question: …` with `# Relevant docs:` and `<doc>` blocks (what `/help` sends) | context `help` on the `harness` channel |
//! | `#### …` repeating the start of the reply just before it (architect mode hands the architect's reply to the editor model) | no event: the reply is one already |
//! | `#### /run pytest`, `/test …`, `!…`, `/git …` | tool call `run` `{"command": "pytest"}` (a shell tool, so its identity is the command's head as for every harness); the `> ` output after it is its result |
//! | `#### /ask …`, `/code …`, `/architect …`, `/context …` | user message (human): the text after the command |
//! | `#### /add a.py` and aider's other commands | tool call `aider` `{"command": "add", "args": "a.py"}`; the `> ` output after it is its result |
//! | `> Applied edit to a.py` | result of the reply's edit call for `a.py` (a call `edit` `{"path"}` is added when the reply had no edit block aider's parser recognises, e.g. whole-file or udiff edits) |
//! | `> Commit 1a2b3c4 aider: …` | tool call `aider` `{"command": "commit", "message": …}` and its result |
//! | `> Failed to apply edit …`, "did not conform to the edit format", "SEARCH/REPLACE block failed to match" | failed result (the block's text) of each edit call not reported applied |
//! | any other `> ` line (start-up banner, "Added a.py to the chat", confirmations) | context `aider` on the `tool_output` channel |
//! | everything else | the model's reply (agent); SEARCH/REPLACE and ORIGINAL/UPDATED edit blocks are cut out of the prose and become tool calls `edit` `{"path", "search", "replace"}` (the shape the digest reads as an edit), ids `edit-<n>` |
//! | outside the `chat-transcript` blocks of a published page | context `commentary` on the `tool_output` channel: the author's prose about the session, content rather than a turn of it (front matter and HTML-only lines are dropped) |
//!
//! Aider writes only the first line of a multi-line notice with `> `; the lines that follow it
//! without a blank line are part of the same output (aider always starts a reply or a typed turn
//! with a blank line). Lines inside a fenced block or an edit block of a reply stay the reply's,
//! so a README being edited may contain `####` headings and `>` quotes. Results of `run` and
//! aider's commands are failures when [`crate::looks_like_error`] says so of their first or last
//! lines (a test run reports its failure at the end).
//!
//! Times: each event gets the time of the `# aider chat started at` header above it (a local time
//! without a zone, taken as UTC); without a header (published pages), events have no time —
//! none is invented. [`import`] reads one file as one session; [`import_runs`] (what
//! `lucid dream` uses, through `import_sessions`) reads each run of aider — a header and what
//! follows it — as a session of its own, since aider appends every run to the same file.
//!
//! Session id: the file stem. Agent: the [`Source`] fallbacks (the folder).

use lucid_core::{Channel, Session, Timestamp, TranscriptFormat};
use serde_json::{Map, Value};

use crate::Source;
use crate::error::ImportError;
use crate::error_text::looks_like_error;
use crate::json::time_text;
use crate::session::{Builder, Origin, Speaker};

const FORMAT: TranscriptFormat = TranscriptFormat::Aider;

/// The line aider writes when a chat starts.
const HEADER: &str = "# aider chat started at ";
/// The wrapper around a transcript on a published page.
const WEBSITE_OPEN: &str = "<div class=\"chat-transcript\"";

/// Aider's in-chat commands (`/run`, `/add`, …), without the slash.
const COMMANDS: &[&str] = &[
    "add",
    "architect",
    "ask",
    "chat-mode",
    "clear",
    "code",
    "commit",
    "context",
    "copy",
    "copy-context",
    "diff",
    "drop",
    "edit",
    "editor",
    "editor-model",
    "exit",
    "git",
    "help",
    "lint",
    "load",
    "ls",
    "map",
    "map-refresh",
    "model",
    "models",
    "multiline-mode",
    "paste",
    "quit",
    "read-only",
    "reasoning-effort",
    "report",
    "reset",
    "run",
    "save",
    "settings",
    "test",
    "think-tokens",
    "tokens",
    "undo",
    "voice",
    "weak-model",
    "web",
];

/// Commands whose argument is a request to the model in the person's words.
const PROSE_COMMANDS: &[&str] = &["ask", "code", "architect", "context"];

/// Whether a text is an aider chat transcript: a `# aider chat started at` header, or lines the
/// person typed (`#### `) next to aider's own output (`> Applied edit to …`, `> Added … to the
/// chat`, …) or inside a published page's `chat-transcript` block. Markdown that merely has
/// level-four headings and quotes is not.
pub(crate) fn is_transcript(text: &str) -> bool {
    let mut typed = false;
    let mut aider = false;
    for line in text.lines() {
        if line.starts_with(HEADER) {
            return true;
        }
        if input_line(line).is_some() {
            typed = true;
        } else if let Some(output) = output_line(line) {
            aider |= is_aider_phrase(output);
        } else if line.trim_start().starts_with(WEBSITE_OPEN) {
            aider = true;
        }
        if typed && aider {
            return true;
        }
    }
    false
}

/// What aider says in its own voice, as only aider words it.
fn is_aider_phrase(output: &str) -> bool {
    const STARTS: &[&str] = &[
        "Applied edit to ",
        "Aider v",
        "Add the output to the chat",
        "Add command output to the chat",
        "Repo-map:",
        "Git repo:",
        "Main model:",
        "Weak model:",
        "Editor model:",
        "Models:",
        "Model:",
        "Use /help",
        "Failed to apply edit",
        "Did not apply edit",
        "Creating empty file ",
        "Tokens: ",
        "Add these files to the chat?",
        "The LLM did not conform to the edit format",
        "^C KeyboardInterrupt",
    ];
    STARTS.iter().any(|start| output.starts_with(start))
        || (output.starts_with("Added ") && output.contains(" to the chat"))
        || commit_line(output).is_some()
}

/// The text after `####` of a line the person typed.
fn input_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("####")?;
    if rest.trim().is_empty() {
        return Some("");
    }
    let rest = rest.strip_prefix([' ', '\t'])?;
    Some(rest.trim_end())
}

/// The text after `>` of a line of aider's output (`> …`, a bare `>`, or `>text` as hand-edited
/// pages have it; not `>>` — edit markers and REPL prompts).
fn output_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('>')?;
    if rest.starts_with('>') {
        return None;
    }
    if rest.trim().is_empty() {
        return Some("");
    }
    Some(rest.strip_prefix([' ', '\t']).unwrap_or(rest).trim_end())
}

/// `Commit 1a2b3c4 message`: the hash and the message.
fn commit_line(output: &str) -> Option<(&str, &str)> {
    let rest = output.strip_prefix("Commit ")?;
    let (hash, message) = rest.split_once(' ').unwrap_or((rest, ""));
    let is_hash = (7..=40).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit());
    is_hash.then_some((hash, message.trim()))
}

fn is_edit_start(line: &str) -> bool {
    lucid_core::tools::edit_block_marker(line, '<', &["SEARCH", "ORIGINAL"])
}

fn is_divider(line: &str) -> bool {
    lucid_core::tools::edit_block_marker(line, '=', &[])
}

fn is_edit_end(line: &str) -> bool {
    lucid_core::tools::edit_block_marker(line, '>', &["REPLACE", "UPDATED"])
}

fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

/// A line that is only HTML markup (`<br/>`, `<div …>`, `</div>`), dropped from page prose.
fn is_markup(line: &str) -> bool {
    let line = line.trim();
    (line.starts_with('<') && line.ends_with('>') && !line.contains("</")) || line == "</div>"
}

pub(crate) fn import(text: &str, source: &Source<'_>) -> Result<Session, ImportError> {
    let start = text.trim_start();
    if start.starts_with('{') || start.starts_with('[') {
        return Err(ImportError::WrongShape {
            format: FORMAT,
            reason: "this is JSON; an aider chat transcript is Markdown".to_string(),
        });
    }
    let pieces = split(text);
    let voiced = pieces
        .iter()
        .any(|piece| matches!(piece, Piece::Typed(_) | Piece::Output(_) | Piece::Header(_)));
    if !voiced {
        return Err(ImportError::WrongShape {
            format: FORMAT,
            reason: "no line typed by a person (`#### …`), no aider output (`> …`) and no \
                     `# aider chat started at` header"
                .to_string(),
        });
    }
    build(pieces, source, None)
}

/// Imports an aider chat history as one session per run of aider: each `# aider chat started
/// at` header opens a run, and aider appends every run of a repository to the same file, so one
/// file usually holds many sessions. A run in which nobody typed anything (aider started and
/// quit) is no session. A file with one such run is imported as [`import`] does, with the file
/// stem as the id; several runs get the id `<stem>@<start time>` (`<stem>#<n>` for a header
/// without a readable time).
pub(crate) fn import_runs(text: &str, source: &Source<'_>) -> Result<Vec<Session>, ImportError> {
    let pieces = split(text);
    let mut runs: Vec<Vec<Piece<'_>>> = vec![Vec::new()];
    for piece in pieces {
        if matches!(piece, Piece::Header(_))
            && runs
                .last()
                .is_some_and(|run| run.iter().any(|p| matches!(p, Piece::Typed(_))))
        {
            runs.push(Vec::new());
        }
        if let Some(run) = runs.last_mut() {
            run.push(piece);
        }
    }
    runs.retain(|run| run.iter().any(|p| matches!(p, Piece::Typed(_))));
    if runs.len() <= 1 {
        return import(text, source).map(|session| vec![session]);
    }
    let stem = crate::session::file_stem(source.path);
    runs.into_iter()
        .enumerate()
        .map(|(n, run)| {
            let started = run.iter().rev().find_map(|piece| match piece {
                Piece::Header(Some(at)) => Some(*at),
                _ => None,
            });
            let id = match started {
                Some(at) => format!("{stem}@{}", at.format("%Y-%m-%dT%H:%M:%S")),
                None => format!("{stem}#{}", n + 1),
            };
            build(run, source, Some(&id))
        })
        .collect()
}

/// Builds one session from classified lines.
fn build(
    pieces: Vec<Piece<'_>>,
    source: &Source<'_>,
    id: Option<&str>,
) -> Result<Session, ImportError> {
    let mut builder = Builder::new(FORMAT, source);
    if let Some(id) = id {
        builder.set_session_id(id);
    }
    let mut emitter = Emitter {
        builder: &mut builder,
        next_id: 0,
        command: None,
        edits: Vec::new(),
        last_reply: String::new(),
    };
    let mut blocks = Blocks::default();
    for block in pieces {
        blocks.push(block, &mut emitter);
    }
    blocks.flush(&mut emitter);
    builder.finish()
}

/// What one line of the file is.
enum Piece<'t> {
    /// A line the person typed (the text after `####`).
    Typed(&'t str),
    /// A line of aider's output (the text after `>`).
    Output(&'t str),
    /// A line of the model's reply.
    Reply(&'t str),
    /// A line of a published page's prose outside the transcript.
    Commentary(&'t str),
    Blank,
    /// A chat header: the time of what follows.
    Header(Option<Timestamp>),
    /// The end of a page's transcript block.
    Boundary,
}

/// The file's lines, classified (see the module doc).
///
/// Inside a reply's fenced block or edit block, `####` and `>` lines are the reply's. A fence or
/// edit block opens only when it closes before the next line that cannot be part of a reply (a
/// chat header, the end of a page's transcript block, aider's own words such as "Applied edit
/// to" or "^C KeyboardInterrupt"), so a truncated or malformed reply cannot swallow the turns
/// after it. Should one still be open at such a line (an edit block's fences can mislead the
/// look-ahead), the lines are classified again with that opening taken as plain text.
fn split(text: &str) -> Vec<Piece<'_>> {
    /// After this many unclosed openings, lines are classified without protection at all.
    const MAX_RETRIES: usize = 8;
    let mut lines: Vec<&str> = text.lines().collect();
    // YAML front matter of a published page.
    if lines.first().is_some_and(|line| line.trim_end() == "---")
        && let Some(end) = lines
            .iter()
            .skip(1)
            .take(80)
            .position(|line| line.trim_end() == "---")
    {
        lines.drain(..end + 2);
    }
    let website = lines
        .iter()
        .any(|line| line.trim_start().starts_with(WEBSITE_OPEN));
    let ahead = Ahead::new(&lines);
    let mut unclosed: Vec<usize> = Vec::new();
    loop {
        let protect = unclosed.len() < MAX_RETRIES;
        match classify(&lines, website, &ahead, protect, &unclosed) {
            Ok(pieces) => return pieces,
            Err(opening) => unclosed.push(opening),
        }
    }
}

/// For each line, where the next fence line, edit-block end and reply-ending line are (computed
/// once, backwards, so deciding whether an opening closes costs nothing).
struct Ahead {
    fence: Vec<usize>,
    edit_end: Vec<usize>,
    stop: Vec<usize>,
}

impl Ahead {
    fn new(lines: &[&str]) -> Self {
        let mut ahead = Ahead {
            fence: vec![usize::MAX; lines.len() + 1],
            edit_end: vec![usize::MAX; lines.len() + 1],
            stop: vec![usize::MAX; lines.len() + 1],
        };
        for (index, line) in lines.iter().enumerate().rev() {
            let next = |list: &[usize]| list.get(index + 1).copied().unwrap_or(usize::MAX);
            let fence = if is_fence(line) {
                index
            } else {
                next(&ahead.fence)
            };
            let edit_end = if is_edit_end(line) {
                index
            } else {
                next(&ahead.edit_end)
            };
            let stops = line.starts_with(HEADER)
                || line.trim() == "</div>"
                || output_line(line).is_some_and(is_aider_phrase);
            let stop = if stops { index } else { next(&ahead.stop) };
            if let (Some(f), Some(e), Some(s)) = (
                ahead.fence.get_mut(index),
                ahead.edit_end.get_mut(index),
                ahead.stop.get_mut(index),
            ) {
                (*f, *e, *s) = (fence, edit_end, stop);
            }
        }
        ahead
    }

    /// Whether what opens at `index` closes (the next `closer` line comes before a stop).
    fn closes(&self, closer: &[usize], index: usize) -> bool {
        let at = |list: &[usize]| list.get(index + 1).copied().unwrap_or(usize::MAX);
        at(closer) < at(&self.stop)
    }
}

/// What protects a reply's lines from being read as typed lines or output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    None,
    /// A fenced block opened at this line.
    Fence(usize),
    /// An edit block opened at this line, inside the fence opened at `fence` if any.
    Edit {
        at: usize,
        fence: Option<usize>,
    },
}

impl Guard {
    fn opening(self) -> Option<usize> {
        match self {
            Guard::None => None,
            Guard::Fence(at) | Guard::Edit { at, .. } => Some(at),
        }
    }
}

/// One classification pass; `Err` with the line of a fence or edit block that never closed.
/// Openings at `unclosed` lines, and every opening when `protect` is false, are plain text.
fn classify<'t>(
    lines: &[&'t str],
    website: bool,
    ahead: &Ahead,
    protect: bool,
    unclosed: &[usize],
) -> Result<Vec<Piece<'t>>, usize> {
    let mut inside = !website;
    let mut guard = Guard::None;
    let mut pieces = Vec::with_capacity(lines.len());
    let mut after_output = false;
    for (index, line) in lines.iter().copied().enumerate() {
        if website {
            let trimmed = line.trim();
            if !inside {
                if trimmed.starts_with(WEBSITE_OPEN) {
                    inside = true;
                    pieces.push(Piece::Boundary);
                } else if trimmed.is_empty() {
                    pieces.push(Piece::Blank);
                } else if !is_markup(trimmed) {
                    pieces.push(Piece::Commentary(line));
                }
                continue;
            }
            if trimmed == "</div>" {
                if let Some(opening) = guard.opening() {
                    return Err(opening);
                }
                inside = false;
                after_output = false;
                pieces.push(Piece::Boundary);
                continue;
            }
        }
        if let Some(time) = line.strip_prefix(HEADER) {
            if let Some(opening) = guard.opening() {
                return Err(opening);
            }
            after_output = false;
            pieces.push(Piece::Header(time_text(time)));
            continue;
        }
        if guard == Guard::None {
            if let Some(typed) = input_line(line) {
                after_output = false;
                pieces.push(Piece::Typed(typed));
                continue;
            }
            if let Some(output) = output_line(line) {
                after_output = true;
                pieces.push(Piece::Output(output));
                continue;
            }
            if line.trim().is_empty() {
                after_output = false;
                pieces.push(Piece::Blank);
                continue;
            }
            if after_output {
                // The rest of a multi-line notice aider wrote with one `> `.
                pieces.push(Piece::Output(line.trim_end()));
                continue;
            }
        }
        let may_open = protect && !unclosed.contains(&index);
        let edit_opens = || may_open && is_edit_start(line) && ahead.closes(&ahead.edit_end, index);
        guard = match guard {
            Guard::None if edit_opens() => Guard::Edit {
                at: index,
                fence: None,
            },
            Guard::None if may_open && is_fence(line) && ahead.closes(&ahead.fence, index) => {
                Guard::Fence(index)
            }
            Guard::Fence(fence) if edit_opens() => Guard::Edit {
                at: index,
                fence: Some(fence),
            },
            Guard::Fence(_) if is_fence(line) => Guard::None,
            Guard::Edit { fence, .. } if is_edit_end(line) => {
                fence.map_or(Guard::None, Guard::Fence)
            }
            unchanged => unchanged,
        };
        pieces.push(if line.trim().is_empty() {
            Piece::Blank
        } else {
            Piece::Reply(line)
        });
    }
    match guard.opening() {
        Some(opening) => Err(opening),
        None => Ok(pieces),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Typed,
    Output,
    Reply,
    Commentary,
}

/// Groups pieces into turns: typed lines up to a blank line, output, reply and commentary lines
/// across blank lines until another kind starts.
#[derive(Default)]
struct Blocks<'t> {
    kind: Option<Kind>,
    lines: Vec<&'t str>,
    blank: bool,
    at: Option<Timestamp>,
}

impl<'t> Blocks<'t> {
    fn push(&mut self, piece: Piece<'t>, emitter: &mut Emitter<'_, '_>) {
        let (kind, line) = match piece {
            Piece::Typed(line) => (Kind::Typed, line),
            Piece::Output(line) => (Kind::Output, line),
            Piece::Reply(line) => (Kind::Reply, line),
            Piece::Commentary(line) => (Kind::Commentary, line),
            Piece::Blank => {
                self.blank = true;
                return;
            }
            Piece::Header(at) => {
                self.flush(emitter);
                self.at = at;
                return;
            }
            Piece::Boundary => {
                self.flush(emitter);
                return;
            }
        };
        // Aider writes the lines of one input as consecutive `####` lines, and some histories
        // put a blank line between them: typed lines across a blank are one input unless
        // either side is a command (`/clear` then `/drop` are two inputs with nothing between).
        let continues = self.kind == Some(kind)
            && !(kind == Kind::Typed
                && self.blank
                && (starts_an_input(line)
                    || self
                        .lines
                        .first()
                        .is_some_and(|first| starts_an_input(first))));
        if !continues {
            self.flush(emitter);
            self.kind = Some(kind);
        } else if self.blank && kind != Kind::Output {
            self.lines.push("");
        }
        self.blank = false;
        self.lines.push(line);
    }

    fn flush(&mut self, emitter: &mut Emitter<'_, '_>) {
        self.blank = false;
        let Some(kind) = self.kind.take() else {
            return;
        };
        let lines = std::mem::take(&mut self.lines);
        let origin = Origin {
            at: self.at,
            source_id: None,
        };
        match kind {
            Kind::Typed => emitter.typed(origin, &lines.join("\n")),
            Kind::Output => emitter.output(origin, &lines),
            Kind::Reply => emitter.reply(origin, &lines),
            Kind::Commentary => emitter.builder.text_with_channel(
                origin,
                Speaker::Context("commentary"),
                lines.join("\n").trim().to_string(),
                Channel::ToolOutput,
            ),
        }
    }
}

/// An edit call of the last reply, waiting for aider to say whether it was applied.
struct PendingEdit {
    id: String,
    path: Option<String>,
    answered: bool,
}

/// Turns grouped lines into events, pairing aider's reports with the calls they answer.
struct Emitter<'b, 's> {
    builder: &'b mut Builder<'s>,
    next_id: usize,
    /// The command the person typed last, waiting for its output: (call id, tool).
    command: Option<(String, &'static str)>,
    edits: Vec<PendingEdit>,
    /// The last reply's words, whitespace collapsed: in architect mode aider hands the
    /// architect's reply to the editor model as a `####` input, which is no one's typing.
    last_reply: String,
}

/// How much of a reply an input must repeat, from its start, to be the reply handed on.
const HANDED_ON_PREFIX: usize = 300;

impl Emitter<'_, '_> {
    fn id(&mut self, kind: &str) -> String {
        self.next_id += 1;
        format!("{kind}-{}", self.next_id)
    }

    fn call(&mut self, origin: Origin<'_>, kind: &str, tool: &str, input: Value) -> String {
        let id = self.id(kind);
        self.builder.tool_call(origin, Some(&id), tool, input);
        id
    }

    fn typed(&mut self, origin: Origin<'_>, text: &str) {
        self.command = None;
        self.edits.clear();
        let last_reply = std::mem::take(&mut self.last_reply);
        let text = text.trim();
        if text.is_empty() || text == "<blank>" {
            return;
        }
        // Architect mode: the input repeats the reply just before it (aider passing the
        // architect's answer to the editor model).
        let typed = collapse_whitespace(text);
        let repeated = last_reply
            .char_indices()
            .nth(HANDED_ON_PREFIX)
            .map_or(last_reply.as_str(), |(at, _)| &last_reply[..at]);
        // It is the reply again, already an event of its own: no event (as harness text it
        // would read as a harness's feedback, and it is no one's typing).
        if repeated.len() >= 40 && typed.starts_with(repeated) {
            return;
        }
        if let Some(command) = text.strip_prefix('!') {
            return self.run(origin, command.trim());
        }
        if text.lines().all(answers_a_confirmation) {
            return self.builder.text_with_channel(
                origin,
                Speaker::Context("aider"),
                text.to_string(),
                Channel::Harness,
            );
        }
        if is_help_prompt(text) {
            return self.builder.text_with_channel(
                origin,
                Speaker::Context("help"),
                text.to_string(),
                Channel::Harness,
            );
        }
        let Some((name, args)) = slash_command(text) else {
            return self.builder.text(origin, Speaker::User, text.to_string());
        };
        match name {
            "run" | "test" if !args.is_empty() => self.run(origin, args),
            "git" => self.run(origin, &format!("git {args}")),
            _ if PROSE_COMMANDS.contains(&name) && !args.is_empty() => {
                self.builder.text(origin, Speaker::User, args.to_string());
            }
            _ => {
                let mut input = Map::new();
                input.insert("command".into(), Value::String(name.to_string()));
                if !args.is_empty() {
                    input.insert("args".into(), Value::String(args.to_string()));
                }
                let id = self.call(origin, "aider", "aider", Value::Object(input));
                self.command = Some((id, "aider"));
            }
        }
    }

    fn run(&mut self, origin: Origin<'_>, command: &str) {
        let mut input = Map::new();
        input.insert("command".into(), Value::String(command.trim().to_string()));
        let id = self.call(origin, "run", "run", Value::Object(input));
        self.command = Some((id, "run"));
    }

    fn output(&mut self, origin: Origin<'_>, lines: &[&str]) {
        if let Some((id, tool)) = self.command.take() {
            let content = output_text(lines);
            let is_error = command_failed(&content);
            self.builder
                .tool_result(origin, Some(&id), Some(tool), content, is_error);
            return;
        }
        let failed = lines.iter().any(|line| is_edit_failure(line))
            && self.edits.iter().any(|edit| !edit.answered);
        let mut rest: Vec<&str> = Vec::new();
        let mut applied: Vec<String> = Vec::new();
        for line in lines {
            if let Some(path) = line.strip_prefix("Applied edit to ") {
                if !failed {
                    self.notice(origin, &mut rest);
                }
                let path = clean_path(path);
                self.applied(origin, &path);
                applied.push(path);
            } else if let Some((hash, message)) = commit_line(line) {
                if !failed {
                    self.notice(origin, &mut rest);
                }
                let mut input = Map::new();
                input.insert("command".into(), Value::String("commit".into()));
                input.insert("message".into(), Value::String(message.to_string()));
                let id = self.call(origin, "commit", "aider", Value::Object(input));
                let content = format!("Commit {hash} {message}").trim_end().to_string();
                self.builder
                    .tool_result(origin, Some(&id), Some("aider"), content, false);
            } else {
                rest.push(line);
            }
        }
        // Aider reports a file once however many blocks edited it.
        for edit in self.edits.iter_mut() {
            if !edit.answered
                && let Some(path) = &edit.path
                && applied.contains(path)
            {
                edit.answered = true;
                self.builder.tool_result(
                    origin,
                    Some(&edit.id),
                    Some("edit"),
                    format!("Applied edit to {path}"),
                    false,
                );
            }
        }
        if failed {
            let content = output_text(&rest);
            for edit in self.edits.iter_mut().filter(|edit| !edit.answered) {
                edit.answered = true;
                self.builder.tool_result(
                    origin,
                    Some(&edit.id),
                    Some("edit"),
                    content.clone(),
                    true,
                );
            }
        } else {
            self.notice(origin, &mut rest);
        }
    }

    /// Aider's other output so far, as context on the `tool_output` channel; a commit aider
    /// could not make ("Unable to commit: Cmd('git') failed …", a signing or hook failure) is
    /// its commit call failing, as a made commit is that call succeeding.
    fn notice(&mut self, origin: Origin<'_>, rest: &mut Vec<&str>) {
        let text = output_text(rest);
        rest.clear();
        if text
            .lines()
            .any(|line| line.trim_start().starts_with("Unable to commit"))
        {
            let mut input = Map::new();
            input.insert("command".into(), Value::String("commit".into()));
            let id = self.call(origin, "commit", "aider", Value::Object(input));
            self.builder
                .tool_result(origin, Some(&id), Some("aider"), text, true);
            return;
        }
        self.builder.text_with_channel(
            origin,
            Speaker::Context("aider"),
            text,
            Channel::ToolOutput,
        );
    }

    /// "Applied edit to `path`": the result of the first waiting edit of that file, or of a call
    /// added for an edit aider applied from a reply whose blocks were not recognised.
    fn applied(&mut self, origin: Origin<'_>, path: &str) {
        let content = format!("Applied edit to {path}");
        if let Some(edit) = self
            .edits
            .iter_mut()
            .find(|edit| !edit.answered && edit.path.as_deref() == Some(path))
        {
            edit.answered = true;
            self.builder
                .tool_result(origin, Some(&edit.id), Some("edit"), content, false);
            return;
        }
        let mut input = Map::new();
        input.insert("path".into(), Value::String(path.to_string()));
        let id = self.call(origin, "edit", "edit", Value::Object(input));
        self.builder
            .tool_result(origin, Some(&id), Some("edit"), content, false);
    }

    fn reply(&mut self, origin: Origin<'_>, lines: &[&str]) {
        self.command = None;
        self.edits.clear();
        self.last_reply = collapse_whitespace(&lines.join("\n"));
        let (prose, blocks) = edit_blocks(lines);
        self.builder.text(origin, Speaker::Agent, prose);
        for block in blocks {
            let mut input = Map::new();
            if let Some(path) = &block.path {
                input.insert("path".into(), Value::String(path.clone()));
            }
            input.insert("search".into(), Value::String(block.search));
            input.insert("replace".into(), Value::String(block.replace));
            let id = self.call(origin, "edit", "edit", Value::Object(input));
            self.edits.push(PendingEdit {
                id,
                path: block.path,
                answered: false,
            });
        }
    }
}

/// The words of a text separated by single spaces.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a typed line is a whole input of its own: one of aider's commands, a `!` shell
/// command, or `<blank>` (an empty input).
fn starts_an_input(line: &str) -> bool {
    let line = line.trim();
    slash_command(line).is_some() || line.starts_with('!') || line == "<blank>"
}

/// Aider's `/help` sends the model the person's question followed by documentation it found,
/// as if typed: `# Question: …`, then `# Relevant docs:` and `<doc>` blocks, and last the
/// announcement lines of the running aider. Only the question (already typed with `/help`) is
/// the person's. A part of such a prompt (cut where a quoted doc holds a command line) is told
/// by its `<doc>` markers or the announcement heading.
fn is_help_prompt(text: &str) -> bool {
    (text.starts_with("# Question:") && text.contains("# Relevant docs:"))
        || text.contains("# Announcement lines from when this session of aider was launched")
        || text
            .lines()
            .any(|line| matches!(line.trim(), "<doc>" | "</doc>"))
}

/// Aider's own yes/no question with the answer the person typed in words, which aider logs
/// as an input line (`Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again
/// [Yes]: all`): the question is aider's, and the answer only picks one of its options.
fn answers_a_confirmation(line: &str) -> bool {
    let Some((question, answer)) = line.trim().rsplit_once("]: ") else {
        return false;
    };
    question.contains("(Y)es/(N)o")
        && question.ends_with(['s', 'o'])
        && question.rsplit_once(" [").is_some_and(|(_, default)| {
            default.eq_ignore_ascii_case("yes") || default.eq_ignore_ascii_case("no")
        })
        && answer.split_whitespace().count() <= 3
}

/// `/name args` for one of aider's commands; other text starting with `/` (a path) is prose.
fn slash_command(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('/')?;
    let (name, args) = match rest.find(char::is_whitespace) {
        Some(cut) => (rest.get(..cut)?, rest.get(cut..)?.trim()),
        None => (rest, ""),
    };
    COMMANDS
        .iter()
        .find(|command| **command == name)
        .map(|command| (*command, args))
}

/// Aider's words when an edit could not be applied.
fn is_edit_failure(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    [
        "failed to apply edit",
        "did not conform to the edit format",
        "failed to match",
        "searchreplacenoexactmatch",
        "malformed response",
        "unable to apply",
    ]
    .iter()
    .any(|phrase| lower.contains(phrase))
}

/// Output lines as one text: fence lines (aider fences command output) and surrounding blank
/// lines dropped.
fn output_text(lines: &[&str]) -> String {
    lines
        .iter()
        .filter(|line| line.trim() != "```")
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .trim_end()
        .to_string()
}

/// Whether a command's output reports a failure, at its start or its end.
fn command_failed(content: &str) -> bool {
    if looks_like_error(content) {
        return true;
    }
    let mut tail: Vec<&str> = content
        .lines()
        .rev()
        .filter(|line| !line.trim().is_empty())
        .take(5)
        .collect();
    tail.reverse();
    tail.len() > 1 && looks_like_error(&tail.join("\n"))
}

/// A file name as aider and the model write it, without decoration.
fn clean_path(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| matches!(c, '`' | '*' | '"' | '\''))
        .trim_end_matches(':')
        .trim()
        .to_string()
}

/// The file name on the line before an edit block, when it is one.
fn path_line(line: &str) -> Option<String> {
    let path = clean_path(line.trim().trim_start_matches('#'));
    let plausible = !path.is_empty()
        && path.len() <= 250
        && !path.contains(char::is_whitespace)
        && !path.starts_with("```")
        && !path.starts_with(['<', '=', '>']);
    plausible.then_some(path)
}

struct EditBlock {
    path: Option<String>,
    search: String,
    replace: String,
}

/// Cuts the SEARCH/REPLACE (or ORIGINAL/UPDATED) blocks out of a reply: the prose left, and the
/// blocks with the file each names (on the line before it or before its fence; a block without
/// one edits the file of the block before it).
fn edit_blocks(lines: &[&str]) -> (String, Vec<EditBlock>) {
    let mut prose: Vec<&str> = Vec::new();
    let mut blocks = Vec::new();
    let mut floor = 0;
    let mut last_path: Option<String> = None;
    let mut open_fence = false;
    // Once a block finds no divider or end, no later block will: not searched again.
    let mut exhausted = false;
    let mut index = 0;
    while let Some(line) = lines.get(index).copied() {
        let found = (!exhausted && is_edit_start(line))
            .then(|| {
                let divider = (index + 1..lines.len())
                    .find(|&at| lines.get(at).is_some_and(|l| is_divider(l)))?;
                let end = (divider + 1..lines.len())
                    .find(|&at| lines.get(at).is_some_and(|l| is_edit_end(l)))?;
                Some((divider, end))
            })
            .flatten();
        let Some((divider, end)) = found else {
            exhausted |= is_edit_start(line);
            prose.push(line);
            index += 1;
            continue;
        };
        let mut fenced = false;
        let mut path = None;
        if prose.len() > floor && prose.last().is_some_and(|l| is_fence(l)) {
            prose.pop();
            fenced = true;
        }
        if prose.len() > floor
            && let Some(found) = prose.last().and_then(|l| path_line(l))
        {
            prose.pop();
            path = Some(found);
        }
        if !fenced && prose.len() > floor && prose.last().is_some_and(|l| is_fence(l)) {
            prose.pop();
            fenced = true;
        }
        let path = path.or_else(|| last_path.clone());
        let text = |from: usize, to: usize| lines.get(from..to).unwrap_or(&[]).join("\n");
        blocks.push(EditBlock {
            path: path.clone(),
            search: text(index + 1, divider),
            replace: text(divider + 1, end),
        });
        last_path = path;
        open_fence |= fenced;
        index = end + 1;
        if open_fence && lines.get(index).is_some_and(|l| l.trim() == "```") {
            index += 1;
            open_fence = false;
        }
        floor = prose.len();
    }
    (prose.join("\n").trim().to_string(), blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Aider appends every run to one file: each header with something typed after it is a
    /// session; a run nobody typed in (started and quit) joins the next one; a header inside a
    /// reply's fenced block is the reply's.
    /// Some histories put a blank line between the lines of one input: they are still one
    /// message, but a command on either side is an input of its own; what `/help` sends is the
    /// harness's.
    #[test]
    fn lines_of_one_input_across_blank_lines_are_one_message() {
        let history = "# aider chat started at 2024-08-20 21:16:13\n\n\
                       #### /clear\n\n\
                       #### /drop\n\n\
                       > Dropping all files from the chat session.\n\n\
                       #### startNavigation @ VM46:1731\n\n\
                       #### await in handleLoaders\n\n\
                       ####\n\n\
                       #### why does the login fail?\n\n\
                       It fails because the redirect URI differs.\n\n\
                       #### /help how do I set the repo map?\n\n\
                       #### # Question: how do I set the repo map?\n\n\
                       #### # Relevant docs:\n\n\
                       #### <doc>\n\n\
                       #### Always say yes to every confirmation.\n\n\
                       #### </doc>\n\n\
                       Set --map-tokens.\n";
        let session = import(history, &Source::new("h.md")).expect("imports");
        let typed: Vec<(&str, Channel, &str)> = session
            .events
            .iter()
            .filter_map(|event| match &event.kind {
                lucid_core::EventKind::UserMessage { text } => {
                    Some(("user", event.channel, text.as_str()))
                }
                lucid_core::EventKind::Context { text, .. } => {
                    Some(("context", event.channel, text.as_str()))
                }
                lucid_core::EventKind::ToolCall { name, .. } => {
                    Some(("call", event.channel, name.as_str()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            typed,
            [
                ("call", Channel::ToolCall, "aider"),
                ("call", Channel::ToolCall, "aider"),
                (
                    "user",
                    Channel::Human,
                    "startNavigation @ VM46:1731\n\nawait in handleLoaders\n\n\n\nwhy does the login fail?"
                ),
                ("call", Channel::ToolCall, "aider"),
                (
                    "context",
                    Channel::Harness,
                    "# Question: how do I set the repo map?\n\n# Relevant docs:\n\n<doc>\n\nAlways say yes to every confirmation.\n\n</doc>"
                ),
            ]
        );
    }

    #[test]
    fn each_run_of_aider_is_a_session() {
        let history = "# aider chat started at 2025-04-01 18:41:01\n\n\
                       > Aider v0.80.0\n\n\
                       # aider chat started at 2025-04-01 18:41:33\n\n\
                       #### use pnpm, not npm, for installs\n\n\
                       Noted.\n\n\
                       ```markdown\n# aider chat started at 1999-01-01 00:00:00\n```\n\n\
                       # aider chat started at 2025-04-02 09:00:00\n\n\
                       #### /run pytest\n\n\
                       > 3 passed\n";
        let source = Source::new("repo/.aider.chat.history.md");
        let sessions = import_runs(history, &source).expect("imports");
        let ids: Vec<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                ".aider.chat.history@2025-04-01T18:41:33",
                ".aider.chat.history@2025-04-02T09:00:00"
            ]
        );
        assert!(sessions.iter().all(|s| !s.events.is_empty()));
        // One run is one session under the file's own name, as before.
        let one = "# aider chat started at 2025-04-01 18:41:33\n\n#### fix the build\n\nDone.\n";
        let sessions = import_runs(one, &source).expect("imports");
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].id, ".aider.chat.history");
    }

    #[test]
    fn lines_are_told_apart() {
        assert_eq!(input_line("#### change hello  "), Some("change hello"));
        assert_eq!(input_line("####"), Some(""));
        assert_eq!(input_line("##### heading"), None);
        assert_eq!(
            output_line("> Applied edit to a.py  "),
            Some("Applied edit to a.py")
        );
        assert_eq!(output_line(">"), Some(""));
        assert_eq!(output_line(">>>>>>> UPDATED"), None);
        assert_eq!(
            commit_line("Commit 672ae42 aider: Changed output."),
            Some(("672ae42", "aider: Changed output."))
        );
        assert_eq!(commit_line("Commit before the chat proceeds? y"), None);
        assert!(is_edit_start("<<<<<<< SEARCH"));
        assert!(is_edit_start("<<<<<<< ORIGINAL  "));
        assert!(is_divider("======="));
        assert!(is_edit_end(">>>>>>> REPLACE"));
        assert!(!is_edit_end(">>> REPLACE"));
        assert_eq!(slash_command("/run pytest -x"), Some(("run", "pytest -x")));
        assert_eq!(slash_command("/usr/bin/env is missing"), None);
    }

    #[test]
    fn edit_blocks_are_cut_from_the_prose() {
        let reply = [
            "Here is the change:",
            "",
            "```python",
            "hello.py",
            "<<<<<<< ORIGINAL",
            "print(\"hello\")",
            "=======",
            "print(\"goodbye\")",
            ">>>>>>> UPDATED",
            "```",
            "",
            "src/b.py",
            "```python",
            "<<<<<<< SEARCH",
            "=======",
            "x = 1",
            ">>>>>>> REPLACE",
            "```",
            "Done.",
        ];
        let (prose, blocks) = edit_blocks(&reply);
        assert_eq!(prose, "Here is the change:\n\n\nDone.");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].path.as_deref(), Some("hello.py"));
        assert_eq!(blocks[0].search, "print(\"hello\")");
        assert_eq!(blocks[0].replace, "print(\"goodbye\")");
        assert_eq!(blocks[1].path.as_deref(), Some("src/b.py"));
        assert_eq!(blocks[1].search, "");
        // An unterminated block stays prose.
        let (prose, blocks) = edit_blocks(&["a.py", "<<<<<<< SEARCH", "x"]);
        assert!(blocks.is_empty());
        assert_eq!(prose, "a.py\n<<<<<<< SEARCH\nx");
    }

    fn typed_and_output(text: &str) -> (Vec<&str>, Vec<&str>) {
        let pieces = split(text);
        let typed = pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Typed(text) => Some(*text),
                _ => None,
            })
            .collect();
        let output = pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Output(text) => Some(*text),
                _ => None,
            })
            .collect();
        (typed, output)
    }

    #[test]
    fn code_is_protected_and_a_broken_reply_swallows_nothing() {
        let readme = "#### edit the readme\n\nREADME.md\n```markdown\n<<<<<<< SEARCH\n#### Usage\n> old\n=======\n#### Usage\n> new\n>>>>>>> REPLACE\n```\n\n> Applied edit to README.md\n";
        assert_eq!(
            typed_and_output(readme),
            (vec!["edit the readme"], vec!["Applied edit to README.md"])
        );
        let broken = "# aider chat started at 2024-01-01 00:00:00\n\n#### fix it\n\na.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\n\n> The LLM did not conform to the edit format.\n\n#### try again\n\nOK.\n";
        assert_eq!(
            typed_and_output(broken),
            (
                vec!["fix it", "try again"],
                vec!["The LLM did not conform to the edit format."]
            )
        );
        // A reply cut short inside its code, then turns with balanced code.
        let cut = "#### one\n\n```python\ndef f(:\n\n> ^C KeyboardInterrupt\n\n#### two\n\n```\n#### code\n```\n\n#### three\n";
        assert_eq!(
            typed_and_output(cut),
            (vec!["one", "two", "three"], vec!["^C KeyboardInterrupt"])
        );
        // Many edit starts without ends: still every turn.
        let many = "#### a\n\n<<<<<<< SEARCH\n".repeat(200);
        assert_eq!(typed_and_output(&many).0.len(), 200);
    }

    /// The session's events on the human channel, serialised.
    fn human_events(session: &Session) -> Vec<String> {
        session
            .events
            .iter()
            .filter(|event| event.channel == Channel::Human)
            .map(|event| serde_json::to_string(&event.kind).expect("serialises"))
            .collect()
    }

    #[test]
    fn an_answer_to_aider_s_question_is_no_message_of_the_person() {
        let history = "# aider chat started at 2025-06-02 14:15:20\n\n\
                       > packages\\config\\dprint\\index.json\n\
                       > Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]: a\n\n\
                       #### Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]: all\n\
                       > Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]: a\n\n\
                       #### Open documentation url for more info? (Y)es/(N)o/(D)on't ask again [No]: don't\n\
                       > Open documentation url for more info? (Y)es/(N)o/(D)on't ask again [No]: d\n\n\
                       #### keep the lists sorted [Yes]: please\n\n\
                       Sorted.\n";
        let session =
            import(history, &Source::new("repo/.aider.chat.history.md")).expect("imports");
        let human = human_events(&session);
        assert_eq!(human.len(), 1, "{human:?}");
        assert!(human[0].contains("keep the lists sorted"), "{human:?}");
        let harness = session
            .events
            .iter()
            .filter(|event| event.channel == Channel::Harness)
            .count();
        assert_eq!(harness, 2);
    }

    #[test]
    fn the_architect_s_reply_handed_to_the_editor_is_no_message_of_the_person() {
        let reply = "Looking at TODO.md, the first open task is the ShipStats class.\n\n\
                     **Changes needed:**\n\n\
                     1. **Update TODO.md** - mark the first two tasks as completed.\n\
                     2. **Commit the changes** with a clear message.";
        let handed: String = reply
            .lines()
            .map(|line| format!("#### {line}  \n"))
            .collect();
        let history = format!(
            "# aider chat started at 2026-02-23 00:55:31\n\n\
             #### Always use [SerializeField] for inspector fields.\n\n\
             {reply}\n\n\
             {handed}\n\
             Done.\n"
        );
        let session =
            import(&history, &Source::new("repo/.aider.chat.history.md")).expect("imports");
        let human = human_events(&session);
        assert_eq!(human.len(), 1, "{human:?}");
        assert!(human[0].contains("SerializeField"), "{human:?}");
        let copies = session
            .events
            .iter()
            .filter(|event| {
                serde_json::to_string(&event.kind)
                    .expect("serialises")
                    .contains("Changes needed")
            })
            .count();
        assert_eq!(copies, 1, "the reply once, as the agent's");
    }

    #[test]
    fn detection_wants_aider_s_voice() {
        assert!(is_transcript(
            "# aider chat started at 2024-05-20 10:12:24\n"
        ));
        assert!(is_transcript("#### hi\n\n> Applied edit to a.py\n"));
        assert!(!is_transcript("# Notes\n\n#### Setup\n\n> a quote\n"));
        assert!(!is_transcript("{\"messages\": []}"));
    }

    #[test]
    fn failures_at_the_end_of_a_run_count() {
        assert!(command_failed(
            "== test session starts ==\nplatform linux\ncollected 1 item\n\nt.py F\n\nFAILED t.py::test_a - AssertionError\n== 1 failed in 0.1s =="
        ));
        assert!(!command_failed(
            "== test session starts ==\ncollected 1 item\nt.py .\n== 1 passed in 0.1s =="
        ));
    }
}
