//! Who said what inside one message: a person's prose, what they pasted, and what the harness
//! wrapped around it.
//!
//! Importers give every event a [`Channel`], but a message a person sends often carries more
//! than their words: harnesses append `<environment_details>`, `<system-reminder>` or a
//! repository's instruction file to the user turn, and people paste logs, stack traces, diffs and
//! code. Those must never become preferences. [`segments`] splits a message's text into
//! channel-labelled segments, format-independently:
//!
//! - a block wrapped in a tag that is not HTML (`<environment_context>…</environment_context>`,
//!   `<INSTRUCTIONS>…`, `<command-name>…`) is **harness** (a Markdown heading right above such a
//!   block belongs to it);
//! - a fenced code block, and runs of lines that look like logs, stack traces, compiler
//!   diagnostics, shell prompts, diffs, tables or code, are **pasted**;
//! - everything else is the person's own prose (**human**).
//!
//! Templates are caught across sessions instead (see [`sentence_key`]): the same sentences in
//! the same place in many sessions are harness text whatever the importer said.

use crate::model::Channel;

/// A piece of a message with the channel it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    /// `harness` for a tag-wrapped block, `pasted` for code and log-like runs, `human` for the
    /// rest.
    pub channel: Channel,
    /// Why: the wrapper tag (`environment_details`), `code`, or the kind of pasted line.
    pub label: &'a str,
    /// A slice of the message, exactly as written (a harness block with its tags and the heading
    /// above it).
    pub text: &'a str,
}

/// HTML element names: a person may write `<div>` in prose; these never mark harness blocks.
const HTML_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "code",
    "details",
    "div",
    "em",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "img",
    "input",
    "kbd",
    "label",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "script",
    "section",
    "select",
    "small",
    "span",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "th",
    "thead",
    "title",
    "tr",
    "u",
    "ul",
    "svg",
    "path",
    "template",
    "slot",
    "video",
    "audio",
    "source",
    "canvas",
    "iframe",
];

/// Splits a message into segments in order. Blank text between segments is dropped.
pub(crate) fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let (mut rest_start, mut position) = (0, 0);
    if let Some(end) = ide_context_end(text) {
        out.push(Segment {
            channel: Channel::Harness,
            label: "ide_context",
            text: &text[..end],
        });
        (rest_start, position) = (end, end);
    }
    while position < text.len() {
        let Some(found) = next_wrapped_block(text, position) else {
            break;
        };
        let (start, end, tag) = found;
        push_prose_and_pasted(&text[rest_start..start], &mut out);
        out.push(Segment {
            channel: Channel::Harness,
            label: tag,
            text: &text[start..end],
        });
        rest_start = end;
        position = end;
    }
    push_prose_and_pasted(&text[rest_start..], &mut out);
    out.retain(|s| !s.text.trim().is_empty());
    out
}

/// Where an editor extension's context preamble ends, when the message opens with one: the
/// Codex IDE extension sends `# Context from my IDE setup:` with `## Active file:`,
/// `## Open tabs:` and selection sections, then `## My request for Codex:` before what the
/// person typed. The preamble (through the request heading) is the harness's; without a
/// request heading the whole message is.
fn ide_context_end(text: &str) -> Option<usize> {
    let body = text.trim_start();
    let first_line = body.lines().next()?.trim().to_ascii_lowercase();
    if !(first_line.starts_with('#') && first_line.contains("context from my ide")) {
        return None;
    }
    let mut offset = text.len() - body.len();
    for line in body.split_inclusive('\n') {
        offset += line.len();
        let heading = line.trim().to_ascii_lowercase();
        if heading.starts_with("## my request") {
            return Some(offset);
        }
    }
    Some(text.len())
}

/// The next harness-wrapped block at or after `from`: `(start, end, tag)`. The block opens with
/// `<tag …>` at the start of a line and closes with `</tag>`; a Markdown heading line right above
/// the opening tag is included.
fn next_wrapped_block(text: &str, from: usize) -> Option<(usize, usize, &str)> {
    let mut search = from;
    while let Some(offset) = text[search..].find('<') {
        let open = search + offset;
        search = open + 1;
        let line_start = text[..open].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..open].trim().is_empty() {
            continue;
        }
        let after = &text[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        let tag = &after[..name_len];
        if tag.is_empty()
            || !tag.starts_with(|c: char| c.is_ascii_alphabetic())
            || HTML_TAGS.contains(&tag.to_ascii_lowercase().as_str())
            || !after[name_len..].starts_with(['>', ' ', '\n'])
        {
            continue;
        }
        let close = format!("</{tag}>");
        let Some(close_at) = text[open..].find(&close) else {
            continue;
        };
        let end = open + close_at + close.len();
        // A heading that introduces the block ("# AGENTS.md instructions for …").
        let mut start = line_start;
        let before = text[from..line_start].trim_end();
        if !before.is_empty() {
            let heading_start = before.rfind('\n').map_or(0, |i| i + 1);
            if before[heading_start..].starts_with('#') {
                start = from + heading_start;
            }
        }
        return Some((start.max(from), end, tag));
    }
    None
}

/// Splits text outside harness blocks into human prose and pasted runs.
fn push_prose_and_pasted<'a>(text: &'a str, out: &mut Vec<Segment<'a>>) {
    let first = out.len();
    let mut run_start = 0;
    let mut run_channel: Option<(Channel, &'static str)> = None;
    let mut in_fence = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let kind = if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            Some((Channel::Pasted, "code"))
        } else if in_fence {
            Some((Channel::Pasted, "code"))
        } else if trimmed.is_empty() {
            None
        } else {
            Some(match pasted_line(line) {
                Some(label) => (Channel::Pasted, label),
                None => (Channel::Human, "prose"),
            })
        };
        match (kind, run_channel) {
            // Blank lines continue the current run.
            (None, _) => {}
            (Some((channel, label)), Some((current, _))) if channel == current => {
                let _ = label;
            }
            (Some(next), current) => {
                if current.is_some() {
                    push(out, text, run_start, offset, current);
                }
                run_start = offset;
                run_channel = Some(next);
            }
        }
        offset += line.len();
    }
    if run_channel.is_some() {
        push(out, text, run_start, text.len(), run_channel);
    }
    absorb_prose_islands(text, first, out);
}

/// Output people paste holds lines that read like prose ("await in handleLoaders", a console
/// message after its source location): a line or two of "prose" with program output (log,
/// trace or diagnostic lines) right above and below is part of the paste, unless the person
/// speaks in it (a first-person word, or it ends with `:` or `?` to introduce or ask about what
/// follows). Prose between code blocks stays the person's: they fenced the code themselves.
/// Segments from `first` on are the ones just split from `text`; neighbours are joined into
/// one pasted segment.
fn absorb_prose_islands<'a>(text: &'a str, first: usize, out: &mut Vec<Segment<'a>>) {
    const MAX_ISLAND_LINES: usize = 2;
    let speaks = |prose: &str| {
        let trimmed = prose.trim_end();
        trimmed.ends_with([':', '?'])
            || trimmed
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .any(|word| {
                    matches!(
                        word.to_ascii_lowercase().as_str(),
                        "i" | "i'm"
                            | "i've"
                            | "i'd"
                            | "me"
                            | "my"
                            | "we"
                            | "we're"
                            | "our"
                            | "us"
                            | "you"
                            | "your"
                            | "please"
                    )
                })
    };
    let output_like = |segment: &Segment<'_>| {
        segment.channel == Channel::Pasted
            && matches!(
                segment.label,
                "log" | "trace" | "diagnostic" | "file view" | "symbols" | "blob"
            )
    };
    let mut at = first + 1;
    while at + 1 < out.len() {
        let (before, island, after) = (&out[at - 1], &out[at], &out[at + 1]);
        let lines = island.text.lines().filter(|l| !l.trim().is_empty()).count();
        let absorbed = output_like(before)
            && output_like(after)
            && island.channel == Channel::Human
            && lines <= MAX_ISLAND_LINES
            && !island.text.lines().any(speaks);
        if !absorbed {
            at += 1;
            continue;
        }
        // The three are contiguous slices of `text`: one segment from the first's start to the
        // last's end.
        let start = before.text.as_ptr() as usize - text.as_ptr() as usize;
        let end = after.text.as_ptr() as usize - text.as_ptr() as usize + after.text.len();
        let label = before.label;
        out.splice(
            at - 1..=at + 1,
            [Segment {
                channel: Channel::Pasted,
                label,
                text: &text[start..end],
            }],
        );
    }
}

fn push<'a>(
    out: &mut Vec<Segment<'a>>,
    text: &'a str,
    start: usize,
    end: usize,
    kind: Option<(Channel, &'static str)>,
) {
    if let Some((channel, label)) = kind {
        out.push(Segment {
            channel,
            label,
            text: &text[start..end],
        });
    }
}

/// Why a line looks pasted rather than typed as prose, if it does.
pub(crate) fn pasted_line(line: &str) -> Option<&'static str> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return None;
    }
    // Indented four spaces or a tab: code or tool output (list continuations are indented
    // less, and a list marker after the indent is still prose).
    let indent = line.len() - line.trim_start().len();
    let starts_list = trimmed.starts_with(['-', '*', '+']) || starts_numbered(trimmed);
    if (line.starts_with('\t') || indent >= 4) && !starts_list {
        return Some("indented");
    }
    let lower = trimmed.to_lowercase();
    // Shell prompts.
    if ["$ ", "❯ ", "➜ ", "> $", ">>> ", "% ", "# $", "ps c:\\"]
        .iter()
        .any(|p| trimmed.starts_with(p) || lower.starts_with(p))
        || trimmed.contains("$ ") && trimmed.split("$ ").next().is_some_and(prompt_prefix)
    {
        return Some("shell");
    }
    // A quoted block (email/review text pasted with `>`).
    if trimmed.starts_with('>') {
        return Some("quote");
    }
    // A status glyph opens a line of a tool's output (Next.js' `⚠ The "middleware" file
    // convention is deprecated`, `▲ Next.js 16`, `✓ Compiled`, `⨯ Failed`, a tree's `└─`):
    // people do not open their sentences with them.
    if trimmed.starts_with([
        '⚠', '▲', '✓', '✔', '✗', '✖', '⨯', '○', '●', '◇', '│', '└', '├', '╭', '╰',
    ]) {
        return Some("log");
    }
    // Logs: a leading date-time or level.
    let bytes = trimmed.as_bytes();
    let dated = bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && matches!(bytes[4], b'-' | b'/')
        && bytes[5..7].iter().all(u8::is_ascii_digit);
    let clock = bytes.len() >= 8
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2] == b':'
        && bytes[3..5].iter().all(u8::is_ascii_digit);
    // A process-manager prefix: Docker Compose's `api-1  | …`, foreman's `web.1  | …` (a
    // service name ending in its replica number, or padded, before a bar).
    let service_prefixed = trimmed.split_once('|').is_some_and(|(name, _)| {
        let padded = name.ends_with("  ");
        let name = name.trim_end();
        !name.is_empty()
            && !name.contains(' ')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@'))
            && (padded || name.ends_with(|c: char| c.is_ascii_digit()))
    });
    if dated
        || clock
        || service_prefixed
        || [
            "[info", "[debug", "[warn", "[error", "[trace", "info:", "debug:", "warn:", "trace:",
            "error:", "warning:", "fatal:", "panic:", "npm err!", "npm warn",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some("log");
    }
    // A browser console's repeated message (`14[Deprecation] …`) and a request line
    // (`GET https://… 400 (Bad Request)`).
    let count = trimmed.chars().take_while(char::is_ascii_digit).count();
    let http_method = [
        "GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS ",
    ]
    .iter()
    .any(|method| {
        trimmed
            .strip_prefix(method)
            .is_some_and(|rest| rest.starts_with(['/', 'h']) && !rest.contains(". "))
    });
    if (count > 0 && trimmed[count..].starts_with('[')) || http_method {
        return Some("log");
    }
    // Stack traces and diagnostics.
    if is_source_location(trimmed)
        || trimmed
            .rsplit_once(" @ ")
            .is_some_and(|(_, location)| is_source_location(location))
        || lower.starts_with("traceback (")
        || lower.starts_with("file \"")
        || (lower.starts_with("at ") && trimmed.ends_with(')'))
        || lower.starts_with("goroutine ")
        || lower.contains("panicked at")
        || trimmed.chars().all(|c| c == '^' || c == '~' || c == ' ')
        || crate::diagnostics::after_location(trimmed).is_some()
    {
        return Some("trace");
    }
    // A checker's finding in any of the shapes checkers print (`Line 8:29:  'x' is assigned a
    // value but never used  no-unused-vars`).
    if !crate::diagnostics::findings(trimmed).is_empty() {
        return Some("diagnostic");
    }
    // Line-number prefixes from file views: `12 |`, `45→`, `  7:`.
    let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits <= 6 {
        let after = trimmed[digits..].trim_start();
        if after.starts_with(['|', '→']) || (after.starts_with(':') && !after.starts_with(": ")) {
            return Some("file view");
        }
    }
    // Diffs and tables.
    // `+code` or `+    code` is a diff line; `- item` (one space) is a list item.
    if (trimmed.starts_with('+') || trimmed.starts_with('-'))
        && trimmed.len() > 1
        && (!trimmed[1..].starts_with(' ') || trimmed[1..].starts_with("  "))
        && !trimmed.starts_with("--")
    {
        return Some("diff");
    }
    if trimmed.starts_with("@@") || trimmed.starts_with("diff --git") {
        return Some("diff");
    }
    if trimmed.starts_with('|') && trimmed.ends_with('|') {
        return Some("table");
    }
    if looks_like_code_line(trimmed) {
        return Some("code");
    }
    // Mostly symbols, or one long unbroken token (hashes, base64, minified code).
    let letters = trimmed.chars().filter(|c| c.is_alphabetic()).count();
    let visible = trimmed.chars().filter(|c| !c.is_whitespace()).count();
    if visible >= 8 && letters * 2 < visible {
        return Some("symbols");
    }
    if trimmed.len() > 80 && !trimmed.contains(' ') {
        return Some("blob");
    }
    None
}

/// A source location alone: `VM46:2327`, `trekkie.identity.min.js:1`, `app.js:12:5` (a name
/// without spaces, then a line and maybe a column).
fn is_source_location(text: &str) -> bool {
    let mut parts = text.trim().rsplitn(3, ':');
    let numbers: Vec<&str> = parts.by_ref().take(2).collect();
    let name = parts.next();
    let numeric = |part: &&str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    match (numbers.as_slice(), name) {
        // `name:line:column`
        ([column, line], Some(name)) if numeric(column) && numeric(line) => plain_name(name),
        // `name:line`
        ([line, name], _) if numeric(line) => plain_name(name),
        _ => false,
    }
}

/// A file or script name: no spaces, at least one letter, no URL scheme.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(char::is_whitespace)
        && !name.contains("//")
        && name.chars().any(char::is_alphabetic)
}

fn starts_numbered(text: &str) -> bool {
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && digits < 4 && text[digits..].starts_with(['.', ')'])
}

/// `user@host:~/dir` or `dir (branch)` before a `$`.
fn prompt_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && !prefix.contains(". ")
        && (prefix.contains('@') || prefix.contains(":~") || prefix.ends_with(')'))
}

/// A line of program text: starts with a keyword, ends with a brace or semicolon, or is an
/// assignment whose left side is one identifier.
pub(crate) fn looks_like_code_line(line: &str) -> bool {
    let t = line.trim();
    const STARTS: &[&str] = &[
        "def ",
        "fn ",
        "let ",
        "const ",
        "var ",
        "import ",
        "from ",
        "#include",
        "#define",
        "return ",
        "//",
        "/*",
        "*/",
        "class ",
        "pub ",
        "impl ",
        "package ",
        "func ",
        "}",
        "{",
        "elif ",
        "else:",
        "try:",
        "except",
        "async def ",
        "export ",
        "public ",
        "private ",
        "static ",
        "using ",
        "namespace ",
        "#!/",
    ];
    if STARTS.iter().any(|s| t.starts_with(s)) {
        return true;
    }
    if t.ends_with(';') || t.ends_with('{') || t.ends_with("};") || t.ends_with("):") {
        return true;
    }
    if t.ends_with(')') && !t.contains(' ') && t.contains('(') {
        return true;
    }
    if !t.contains('`')
        && let Some((left, right)) = t.split_once(" = ").or_else(|| t.split_once(" := "))
    {
        let left = left.trim();
        let identifier = !left.is_empty()
            && left
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '$'));
        let right = right.trim();
        if identifier
            && (right.ends_with([')', ']', '}', ';'])
                || right.starts_with(['"', '\'', '[', '{'])
                || right.parse::<f64>().is_ok()
                || matches!(right, "true" | "false" | "null" | "None" | "nil"))
        {
            return true;
        }
    }
    false
}

/// A normalised key of a sentence for spotting templates across sessions: lowercase words and
/// punctuation, digits collapsed (so a template's counters and ids do not hide it).
pub(crate) fn sentence_key(sentence: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut last_digit = false;
    for c in sentence.trim().chars() {
        if c.is_ascii_digit() {
            if !last_digit {
                '0'.hash(&mut hasher);
            }
            last_digit = true;
            continue;
        }
        last_digit = false;
        if c.is_whitespace() {
            ' '.hash(&mut hasher);
        } else {
            c.to_lowercase().for_each(|l| l.hash(&mut hasher));
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channels(text: &str) -> Vec<(Channel, String)> {
        segments(text)
            .into_iter()
            .map(|s| (s.channel, s.text.trim().to_string()))
            .collect()
    }

    /// A browser console pasted as it prints: source locations, stack frames, request lines and
    /// counted messages are output, and so are the prose-like lines between them, unless the
    /// person speaks there; prose between fenced code blocks stays theirs.
    #[test]
    fn console_output_is_pasted_with_the_prose_like_lines_inside_it() {
        let console = "the login page fails:\n\
                       GET https://shop.example.com/auth/authorize?client_id=x 400 (Bad Request)\n\
                       startRedirectNavigation @ VM46:2327\n\
                       await in handleLoaders\n\
                       handleLoaders @ VM46:1963\n\
                       authorize:1 The Content Security Policy directive is ignored in a report-only policy.\n\
                       14[Deprecation]-ms-high-contrast is in the process of being deprecated.\n\
                       trekkie.identity.min.js:1\n\
                       I think the redirect URI is wrong.\n";
        let got = channels(console);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            (Channel::Human, "the login page fails:".to_string())
        );
        assert_eq!(got[1].0, Channel::Pasted);
        assert!(got[1].1.contains("await in handleLoaders"), "{got:?}");
        assert!(got[1].1.contains("authorize:1 The Content"), "{got:?}");
        assert_eq!(
            got[2],
            (
                Channel::Human,
                "I think the redirect URI is wrong.".to_string()
            )
        );
        // The person speaking between two log lines is still the person.
        let spoken =
            "ERROR: build failed\nwe saw this on Fridays only\nERROR: build failed again\n";
        assert_eq!(channels(spoken)[1].0, Channel::Human);
        // Prose between code blocks the person fenced is theirs.
        let fenced = "```\nlet a = 1;\n```\nThis breaks on Windows.\n```\nlet b = 2;\n```\n";
        assert_eq!(
            channels(fenced)[1],
            (Channel::Human, "This breaks on Windows.".to_string())
        );
        for line in [
            "VM46:2327",
            "app.js:12:5",
            "i @ trekkie.identity.min.js:1",
            "POST https://api.example.com/v1/events net::ERR_BLOCKED_BY_CLIENT",
            "3[Violation] 'click' handler took 150ms",
        ] {
            assert!(pasted_line(line).is_some(), "{line}");
        }
        for line in [
            "Use port 3000 for the dev server.",
            "Get the logs first, then restart.",
            "The ratio is 16:9 on every screen.",
        ] {
            assert!(pasted_line(line).is_none(), "{line}");
        }
    }

    /// A deploy log pasted as the build service prints it: a clock on a line of its own, then
    /// the message; the last message, a status glyph's warning, is output too.
    #[test]
    fn a_build_log_with_clock_lines_and_status_glyphs_is_pasted() {
        let log = "17:04:04.128 \r\nRunning build in Washington, D.C., USA (East) – iad1\r\n\
                   17:04:04.129 \r\nBuild machine configuration: 2 cores, 8 GB\r\n\
                   17:04:15.300 \r\n▲ Next.js 16.2.7 (Turbopack)\r\n17:04:15.312 \r\n\
                   ⚠ The \"middleware\" file convention is deprecated. Please use \"proxy\" instead.";
        let got = channels(log);
        assert!(got.iter().all(|(c, _)| *c == Channel::Pasted), "{got:?}");
        for line in [
            "✓ Compiled successfully in 2.1s",
            "⨯ Failed to compile",
            "└─ src/app",
        ] {
            assert_eq!(pasted_line(line), Some("log"), "{line}");
        }
    }

    #[test]
    fn harness_wrappers_are_split_out() {
        let text = "# AGENTS.md instructions for /repo\n\n<INSTRUCTIONS>\nUse bun.\n</INSTRUCTIONS>\nplease fix the build\n<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>";
        let got = channels(text);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, Channel::Harness);
        assert!(got[0].1.starts_with("# AGENTS.md"));
        assert_eq!(got[1], (Channel::Human, "please fix the build".to_string()));
        assert_eq!(got[2].0, Channel::Harness);
    }

    #[test]
    fn an_editor_extensions_context_preamble_is_harness() {
        let text = "# Context from my IDE setup:\n\n## Active file: README.md\n\n## Open tabs:\n- client.ts: packages/client/src/client.ts\n\n## My request for Codex:\nAlways run pnpm lint before committing.\n";
        let got = channels(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, Channel::Harness);
        assert!(got[0].1.ends_with("## My request for Codex:"), "{got:?}");
        assert_eq!(
            got[1],
            (
                Channel::Human,
                "Always run pnpm lint before committing.".to_string()
            )
        );
        // Context alone (no request heading) is all harness; a heading elsewhere is prose.
        let only = channels("# Context from my IDE setup:\n\n## Active file: a.rs\n");
        assert!(only.iter().all(|(c, _)| *c == Channel::Harness), "{only:?}");
        let later = channels("Please read this.\n# Context from my IDE setup:\n");
        assert_eq!(later[0].0, Channel::Human);
    }

    #[test]
    fn html_in_prose_is_not_harness() {
        let got = channels("Wrap the list in a <div> element.\n<div>\nhi\n</div>");
        assert!(got.iter().all(|(c, _)| *c != Channel::Harness), "{got:?}");
    }

    #[test]
    fn pasted_logs_and_code_are_split_from_prose() {
        let text = "I'm getting this error on CI:\n  Running [/home/runner/golangci-lint config path] in [/repo] ...\ncmd/entire/cli/a_test.go:76:31: invalid operation: x != y\n\nAlways run the linter before pushing.\n```\nfn main() {}\n```\n";
        let got = channels(text);
        let kinds: Vec<Channel> = got.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            kinds,
            vec![
                Channel::Human,
                Channel::Pasted,
                Channel::Human,
                Channel::Pasted
            ],
            "{got:?}"
        );
        assert_eq!(got[2].1, "Always run the linter before pushing.");
    }

    #[test]
    fn pasted_line_cases() {
        let pasted = [
            "2026/04/29 09:22:50 The proxy has started on port 8080",
            "    let x = compute();",
            "45 |   // Always fetch public data.",
            "   12→fn main() {",
            "$ npm run build",
            "➜  agentv git:(main) ✗ git push origin main",
            "Traceback (most recent call last):",
            "  File \"a.py\", line 3, in <module>",
            "src/lib.rs:12:5: error[E0425]: cannot find value",
            "Obj = dict()",
            "+    new_line()",
            "| name | value |",
            "ERROR: could not connect",
            "> The test suite should include invalid IDs.",
            "api-1  | Error: Configuring Next.js via 'next.config.ts' is not supported.",
            "web.1  | Listening on port 5000",
            "worker  | Retrying the job in 5 seconds.",
            "Line 8:29:  'setAnimationDuration' is assigned a value but never used  no-unused-vars",
            "  12:5  error  'x' is defined but never used  no-unused-vars",
        ];
        for line in pasted {
            assert!(pasted_line(line).is_some(), "should be pasted: {line:?}");
        }
        let prose = [
            "Always run the linter before pushing.",
            "- Use tabs, not spaces.",
            "1. Read the file first.",
            "we use go-git explicitly in other places",
            "The staging host is db-2.internal.",
            "Set `retries = 3` in the config.",
            "Don't use cuFFT.",
            "Use the `a | b` pipe form only in scripts.",
            "Pipe it: grep foo | sort.",
            "Line length stays under 100 columns (rustfmt's default).",
        ];
        for line in prose {
            assert_eq!(pasted_line(line), None, "should be prose: {line:?}");
        }
    }

    #[test]
    fn sentence_keys_ignore_counters_and_case() {
        assert_eq!(
            sentence_key("Step 3 of 12: run the tests."),
            sentence_key("step 4 of 9: Run the tests.")
        );
        assert_ne!(
            sentence_key("run the tests"),
            sentence_key("run the linter")
        );
    }
}
