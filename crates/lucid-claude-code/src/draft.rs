//! A dream's output written back in Claude Code's layout.
//!
//! Every document of the dream's draft store becomes one topic file: a live topic file whose
//! facts did not change is written back byte for byte; a changed one keeps its front matter
//! (name, type, other keys) with a new description and the evidence of its change; memories the
//! dream added are grouped by the store document the engine put them in (one file per kind and
//! agent or team), so related items share a file and the index stays short.
//!
//! The index (`MEMORY.md`) is rebuilt from the files, most durable type first and, within a
//! type, most recent evidence first. It never exceeds [`IndexLimits`]: the entries that do not fit
//! are listed in a `more-memories.md` topic file linked by the index's last line, and named in
//! the summary, so nothing is cut silently and everything stays one read away.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lucid_core::markdown::{Block, parse_blocks};
use lucid_core::report::{Change, Evidence, Op};
use lucid_core::text::{analyze, same_statement};
use lucid_core::{DreamOutput, Kind};
use serde::{Deserialize, Serialize};

use crate::dates;
use crate::memory::{INDEX_FILE, LiveMemory, MemoryType, Topic, one_line, split_front_matter};

/// How much of `MEMORY.md` Claude Code loads into a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexLimits {
    /// The most lines the index may have.
    pub lines: usize,
    /// The most bytes the index may have.
    pub bytes: usize,
}

impl Default for IndexLimits {
    /// Claude Code loads the first 200 lines or 25 KB; 25,000 bytes stays under either reading
    /// of "KB".
    fn default() -> Self {
        IndexLimits {
            lines: 200,
            bytes: 25_000,
        }
    }
}

/// The file that lists the topic files the index had no room for.
pub const OVERFLOW_FILE: &str = "more-memories.md";

/// The file that holds facts found written straight into the live index.
pub const INDEX_NOTES_FILE: &str = "memory-notes.md";

/// What happened to a topic file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// A live file whose facts are the same: written back byte for byte.
    Unchanged,
    /// A live file whose facts changed: a new description and evidence, its other front matter
    /// kept.
    Changed,
    /// A file the live folder did not have: added memories, or the overflow list.
    New,
}

/// One topic file of the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftFile {
    /// File name relative to the memory folder, e.g. `testing.md`.
    pub file: String,
    /// The whole file as written: front matter, then the body.
    pub content: String,
    /// The front matter's type, else the most common type of its items' kinds, else `project`.
    pub memory_type: MemoryType,
    /// The index link's text: the front matter's `name`, else one made from the file name.
    pub title: String,
    /// The index line's description: an unchanged file's own, else its first fact shortened and
    /// how many more it holds.
    pub hook: String,
    /// The newest evidence time of its items (RFC 3339), if any.
    pub newest: Option<String>,
    /// What happened to the file; it decides which list of the summary names the file.
    pub status: FileStatus,
}

/// A relative date the draft made absolute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateFix {
    /// The topic file holding the fact.
    pub file: String,
    /// The fact as the dream wrote it.
    pub before: String,
    /// The fact with its relative dates made calendar dates.
    pub after: String,
}

/// A memory the dream proposed that repeats a `CLAUDE.md` instruction: every session already
/// reads it, so it is not added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedInstruction {
    /// The memory the dream proposed.
    pub text: String,
    /// The `CLAUDE.md` statement it repeats.
    pub instruction: String,
}

/// What the draft holds, for the report (`dream.json`) and `lucid claude-code diff`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    /// Topic files written back byte for byte.
    pub files_unchanged: Vec<String>,
    /// Live topic files whose facts changed.
    pub files_changed: Vec<String>,
    /// Topic files the live folder did not have (the overflow file is not counted).
    pub files_added: Vec<String>,
    /// Live topic files with no fact left in the draft (merged, superseded or removed: the
    /// report's changes say which).
    pub files_removed: Vec<String>,
    /// Lines of the new `MEMORY.md`.
    pub index_lines: usize,
    /// Bytes of the new `MEMORY.md`.
    pub index_bytes: usize,
    /// Topic files the index had no room for: linked from `more-memories.md` instead.
    pub not_indexed: Vec<String>,
    /// Memories left out because they repeat a `CLAUDE.md` instruction.
    pub repeats_claude_md: Vec<RepeatedInstruction>,
    /// Relative dates in written facts made calendar dates.
    pub dates_made_absolute: Vec<DateFix>,
    /// Links of the live index to files that do not exist (dropped).
    pub dangling_links: Vec<String>,
    /// Sessions each change's evidence names, by id, with the transcript file they came from.
    pub sessions: BTreeMap<String, String>,
}

/// The draft folder: topic files, the index, and the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The topic files, most durable type first and newest evidence first within a type; the
    /// overflow file last, when there is one.
    pub files: Vec<DraftFile>,
    /// The new `MEMORY.md`, within the [`IndexLimits`].
    pub index: String,
    /// What the draft holds, for the report.
    pub summary: DraftSummary,
}

/// Builds the draft from the live memory and the dream's output. `instructions` are the
/// project's `CLAUDE.md` texts; `sessions` maps session ids to their transcript files.
pub fn build_draft(
    live: &LiveMemory,
    output: &DreamOutput,
    instructions: &[String],
    sessions: BTreeMap<String, String>,
    limits: IndexLimits,
) -> Draft {
    let changes: HashMap<(&str, String), &Change> = output
        .report
        .changes
        .iter()
        .filter_map(|c| Some(((c.path.as_deref()?, one_line(&c.text)), c)))
        .collect();
    let instruction_lines = instruction_statements(instructions);
    let mut summary = DraftSummary {
        dangling_links: live.dangling_links.clone(),
        sessions,
        ..DraftSummary::default()
    };
    let mut files: Vec<DraftFile> = Vec::new();
    let mut taken: BTreeSet<String> = live.topics.iter().map(|t| t.file.clone()).collect();
    taken.insert(INDEX_FILE.to_string());
    taken.insert(OVERFLOW_FILE.to_string());

    for document in &output.draft.documents {
        let file_name = document
            .path
            .strip_prefix('/')
            .unwrap_or(&document.path)
            .to_string();
        let live_topic = live.topic(&file_name);
        let mut items: Vec<Item> = Vec::new();
        for block in parse_blocks(&document.content) {
            let Block::Item(item) = block else { continue };
            if item.style == lucid_core::markdown::ItemStyle::Verbatim {
                continue;
            }
            let text = one_line(&item.text);
            let change = changes
                .get(&(document.path.as_str(), text.clone()))
                .copied();
            if let Some(change) = change
                && change.op == Op::Add
                && let Some(instruction) = repeated_instruction(&text, &instruction_lines)
            {
                summary.repeats_claude_md.push(RepeatedInstruction {
                    text,
                    instruction: instruction.to_string(),
                });
                continue;
            }
            items.push(Item::new(text, change, &file_name, &mut summary));
        }
        if items.is_empty() {
            continue;
        }
        let file = match live_topic {
            Some(topic) => topic_file(topic, &items),
            None => {
                let name = if document.path == format!("/{INDEX_FILE}") {
                    unique_name(INDEX_NOTES_FILE, &mut taken)
                } else {
                    unique_name(&slug(&document.path), &mut taken)
                };
                new_file(name, &document.path, &items)
            }
        };
        match file.status {
            FileStatus::Unchanged => summary.files_unchanged.push(file.file.clone()),
            FileStatus::Changed => summary.files_changed.push(file.file.clone()),
            FileStatus::New => summary.files_added.push(file.file.clone()),
        }
        files.push(file);
    }
    for topic in &live.topics {
        if !files.iter().any(|f| f.file == topic.file) {
            summary.files_removed.push(topic.file.clone());
        }
    }
    files.sort_by(|a, b| {
        a.memory_type
            .rank()
            .cmp(&b.memory_type.rank())
            .then_with(|| b.newest.cmp(&a.newest))
            .then_with(|| a.file.cmp(&b.file))
    });
    let (index, overflow) = build_index(&files, limits);
    if let Some(overflow) = overflow {
        summary.not_indexed = overflow.listed.clone();
        files.push(overflow.file);
    }
    summary.index_lines = index.lines().count();
    summary.index_bytes = index.len();
    Draft {
        files,
        index,
        summary,
    }
}

/// One fact of the draft with what the report says about it.
struct Item {
    text: String,
    kind: Option<Kind>,
    /// True when the dream wrote this text (added, merged or superseded into it).
    written: bool,
    evidence: Vec<String>,
    newest: Option<String>,
}

impl Item {
    fn new(text: String, change: Option<&Change>, file: &str, summary: &mut DraftSummary) -> Item {
        let written = change.is_some_and(|c| matches!(c.op, Op::Add | Op::Merge | Op::Supersede));
        let mut evidence = Vec::new();
        let mut newest: Option<String> = None;
        for e in change.map(|c| c.evidence.as_slice()).unwrap_or_default() {
            match e {
                Evidence::Event {
                    session, event, at, ..
                } => {
                    evidence.push(match at {
                        Some(at) => format!("session {session} event {event} ({at})"),
                        None => format!("session {session} event {event}"),
                    });
                    if let Some(at) = at
                        && newest.as_ref().is_none_or(|n| at > n)
                    {
                        newest = Some(at.clone());
                    }
                }
                Evidence::Store { store_path } => evidence.push(format!("memory {store_path}")),
            }
        }
        let mut text = text;
        if written && let Some(day) = newest.as_deref().and_then(dates::day_of) {
            let fixed = dates::absolutize(&text, day);
            if fixed != text {
                summary.dates_made_absolute.push(DateFix {
                    file: file.to_string(),
                    before: text.clone(),
                    after: fixed.clone(),
                });
                text = fixed;
            }
        }
        Item {
            text,
            kind: change.map(|c| c.kind),
            written,
            evidence,
            newest,
        }
    }
}

/// A live topic file in the draft: byte for byte when its facts are the same.
fn topic_file(topic: &Topic, items: &[Item]) -> DraftFile {
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let unchanged = texts == topic.items.iter().map(String::as_str).collect::<Vec<_>>();
    let memory_type = topic
        .memory_type
        .unwrap_or_else(|| majority_type(items).unwrap_or(MemoryType::Project));
    let title = topic
        .name
        .clone()
        .unwrap_or_else(|| title_from_file(&topic.file));
    let newest = items.iter().filter_map(|i| i.newest.clone()).max();
    if unchanged {
        return DraftFile {
            file: topic.file.clone(),
            content: topic.raw.clone(),
            memory_type,
            hook: topic.description.clone().unwrap_or_else(|| hook_of(items)),
            title,
            newest,
            status: FileStatus::Unchanged,
        };
    }
    let hook = hook_of(items);
    let (front, _) = split_front_matter(&topic.raw);
    let mut lines: Vec<String> = Vec::new();
    let mut in_evidence = false;
    for line in front {
        if line.starts_with("lucid_evidence:") {
            in_evidence = true;
            continue;
        }
        if in_evidence && (line.starts_with("  ") || line.starts_with("- ")) {
            continue;
        }
        in_evidence = false;
        if line.starts_with("description:") {
            continue;
        }
        lines.push(line);
    }
    if !lines.iter().any(|l| l.starts_with("name:")) {
        lines.insert(0, format!("name: {}", yaml_string(&title)));
    }
    if !lines.iter().any(|l| l.starts_with("type:")) {
        lines.push(format!("type: {}", memory_type.as_str()));
    }
    lines.push(format!("description: {}", yaml_string(&hook)));
    let content = render_file(&lines, items);
    DraftFile {
        file: topic.file.clone(),
        content,
        memory_type,
        title,
        hook,
        newest,
        status: FileStatus::Changed,
    }
}

/// A file for memories the dream added under `store_path`.
fn new_file(file: String, store_path: &str, items: &[Item]) -> DraftFile {
    let memory_type = majority_type(items).unwrap_or(MemoryType::Project);
    let title = title_from_store_path(store_path);
    let hook = hook_of(items);
    let lines = vec![
        format!("name: {}", yaml_string(&title)),
        format!("description: {}", yaml_string(&hook)),
        format!("type: {}", memory_type.as_str()),
    ];
    DraftFile {
        content: render_file(&lines, items),
        file,
        memory_type,
        title,
        hook,
        newest: items.iter().filter_map(|i| i.newest.clone()).max(),
        status: FileStatus::New,
    }
}

/// Front matter (with every written item's evidence) and the body: one fact as a paragraph,
/// several as a list.
fn render_file(front: &[String], items: &[Item]) -> String {
    let mut out = String::from("---\n");
    for line in front {
        out.push_str(line);
        out.push('\n');
    }
    let evidence: BTreeSet<&str> = items
        .iter()
        .filter(|i| i.written)
        .flat_map(|i| i.evidence.iter().map(String::as_str))
        .collect();
    if !evidence.is_empty() {
        out.push_str("lucid_evidence:\n");
        for e in evidence {
            out.push_str(&format!("  - {}\n", yaml_string(e)));
        }
    }
    out.push_str("---\n\n");
    if let [only] = items {
        out.push_str(&only.text);
        out.push('\n');
    } else {
        for item in items {
            out.push_str(&format!("- {}\n", item.text));
        }
    }
    out
}

fn majority_type(items: &[Item]) -> Option<MemoryType> {
    let mut counts: BTreeMap<MemoryType, usize> = BTreeMap::new();
    for kind in items.iter().filter_map(|i| i.kind) {
        *counts.entry(MemoryType::of_kind(kind)).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(t, _)| t)
}

/// A one-line hook: the first fact, shortened, and how many more the file holds.
fn hook_of(items: &[Item]) -> String {
    let first = items.first().map_or("", |i| i.text.as_str());
    let mut hook = shorten(first, 120);
    if items.len() > 1 {
        hook.push_str(&format!(" (+{} more)", items.len() - 1));
    }
    hook
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

fn title_from_file(file: &str) -> String {
    let stem = file.trim_end_matches(".md").replace(['-', '_', '/'], " ");
    let mut chars = stem.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect::<String>()
    })
}

/// The title of a file of added memories: `/agents/claude-code/pitfalls.md` → "Pitfalls";
/// `/team/preferences.md` → "Preferences". A Claude Code project is one agent, so the owner
/// segment says nothing; facts found in the old index are "Notes from the index".
fn title_from_store_path(path: &str) -> String {
    if path == format!("/{INDEX_FILE}") {
        return "Notes from the index".to_string();
    }
    let stem = path
        .trim_matches('/')
        .rsplit('/')
        .next()
        .map_or("memories", |s| s.trim_end_matches(".md"));
    title_from_file(stem)
}

/// A file name for a store path: its last segment (`/agents/claude-code/pitfalls.md` →
/// `pitfalls.md`), made safe; [`unique_name`] keeps it apart from live files.
fn slug(path: &str) -> String {
    let stem = path
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md");
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "{}.md",
        if cleaned.is_empty() {
            "memories"
        } else {
            &cleaned
        }
    )
}

fn unique_name(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let stem = wanted.trim_end_matches(".md");
    let mut name = wanted.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{stem}-{n}.md");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// Quoted YAML string (double quotes, escaped).
fn yaml_string(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// The statements of the `CLAUDE.md` files: list entries and paragraphs, and the sentences of
/// each.
fn instruction_statements(instructions: &[String]) -> Vec<(String, lucid_core::text::Analysis)> {
    let mut out = Vec::new();
    for text in instructions {
        for block in parse_blocks(text) {
            let Block::Item(item) = block else { continue };
            if item.style == lucid_core::markdown::ItemStyle::Verbatim {
                continue;
            }
            let line = one_line(&item.text);
            for sentence in line.split_inclusive(['.', '!', '?']) {
                let sentence = sentence.trim();
                if sentence.split_whitespace().count() >= 3 {
                    out.push((sentence.to_string(), analyze(sentence)));
                }
            }
            if line.split_whitespace().count() >= 3 {
                out.push((line.clone(), analyze(&line)));
            }
        }
    }
    out
}

/// The instruction a memory repeats, if any: the same statement, or its whole text inside one.
fn repeated_instruction<'a>(
    text: &str,
    instructions: &'a [(String, lucid_core::text::Analysis)],
) -> Option<&'a str> {
    let analysis = analyze(text);
    let normalized = normalize(text);
    instructions
        .iter()
        .find(|(line, other)| {
            same_statement(&analysis, other)
                || (normalized.len() >= 12 && normalize(line).contains(&normalized))
        })
        .map(|(line, _)| line.as_str())
}

fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The overflow file and the files it lists.
struct Overflow {
    file: DraftFile,
    listed: Vec<String>,
}

fn index_line(file: &DraftFile) -> String {
    let title = file.title.replace(['[', ']'], "");
    let hook = shorten(&one_line(&file.hook), 150);
    if hook.is_empty() {
        format!("- [{title}]({})\n", file.file)
    } else {
        format!("- [{title}]({}) — {hook}\n", file.file)
    }
}

/// The index within `limits`, and the overflow file when some entries did not fit.
fn build_index(files: &[DraftFile], limits: IndexLimits) -> (String, Option<Overflow>) {
    let lines: Vec<String> = files.iter().map(index_line).collect();
    let total_bytes: usize = lines.iter().map(String::len).sum();
    if lines.len() <= limits.lines && total_bytes <= limits.bytes {
        return (lines.concat(), None);
    }
    // Reserve room for the line that links the overflow file.
    let more_line_room = 160;
    let mut index = String::new();
    let mut count = 0;
    for line in &lines {
        if count + 1 >= limits.lines || index.len() + line.len() + more_line_room > limits.bytes {
            break;
        }
        index.push_str(line);
        count += 1;
    }
    let rest = &files[count..];
    let listed: Vec<String> = rest.iter().map(|f| f.file.clone()).collect();
    let mut body = String::from(
        "---\nname: \"More memories\"\ndescription: \"Topic files the index had no room for\"\ntype: reference\n---\n\n",
    );
    for file in rest {
        body.push_str(&index_line(file));
    }
    let overflow = DraftFile {
        file: OVERFLOW_FILE.to_string(),
        content: body,
        memory_type: MemoryType::Reference,
        title: "More memories".to_string(),
        hook: format!("{} more topic files, listed by type and date", rest.len()),
        newest: None,
        status: FileStatus::New,
    };
    index.push_str(&index_line(&overflow));
    (
        index,
        Some(Overflow {
            file: overflow,
            listed,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, hook_len: usize) -> DraftFile {
        DraftFile {
            file: format!("{name}.md"),
            content: String::new(),
            memory_type: MemoryType::Project,
            title: name.to_string(),
            hook: "x".repeat(hook_len),
            newest: None,
            status: FileStatus::Unchanged,
        }
    }

    #[test]
    fn an_index_that_fits_lists_every_file() {
        let files: Vec<DraftFile> = (0..10).map(|i| file(&format!("f{i}"), 20)).collect();
        let (index, overflow) = build_index(&files, IndexLimits::default());
        assert_eq!(index.lines().count(), 10);
        assert!(overflow.is_none());
    }

    #[test]
    fn an_index_over_the_line_limit_links_the_rest() {
        let files: Vec<DraftFile> = (0..300).map(|i| file(&format!("f{i:03}"), 20)).collect();
        let (index, overflow) = build_index(&files, IndexLimits::default());
        assert_eq!(index.lines().count(), 200);
        let overflow = overflow.expect("an overflow file");
        assert_eq!(overflow.listed.len(), 101);
        assert!(
            index.ends_with("(more-memories.md) — 101 more topic files, listed by type and date\n")
        );
        assert_eq!(overflow.file.content.matches("](f").count(), 101);
    }

    #[test]
    fn an_index_over_the_byte_limit_links_the_rest() {
        // 180 lines of about 165 bytes: under the line limit, over the byte limit.
        let files: Vec<DraftFile> = (0..180).map(|i| file(&format!("f{i:03}"), 140)).collect();
        let (index, overflow) = build_index(&files, IndexLimits::default());
        assert!(index.len() <= 25_000, "{}", index.len());
        let overflow = overflow.expect("an overflow file");
        assert_eq!(index.lines().count() - 1 + overflow.listed.len(), 180);
    }

    #[test]
    fn store_paths_name_files_and_titles() {
        assert_eq!(slug("/agents/claude-code/pitfalls.md"), "pitfalls.md");
        assert_eq!(slug("/team/pre ferences.md"), "pre-ferences.md");
        assert_eq!(
            title_from_store_path("/agents/claude-code/pitfalls.md"),
            "Pitfalls"
        );
        assert_eq!(title_from_store_path("/MEMORY.md"), "Notes from the index");
        let mut taken: BTreeSet<String> = ["pitfalls.md".to_string()].into();
        assert_eq!(unique_name("pitfalls.md", &mut taken), "pitfalls-2.md");
    }

    #[test]
    fn a_memory_that_repeats_claude_md_is_recognised() {
        let lines = instruction_statements(&[
            "# Rules\n\n- Always run `cargo fmt` before committing.\n- Use pnpm, never npm.\n"
                .to_string(),
        ]);
        assert!(
            repeated_instruction("Always run `cargo fmt` before committing.", &lines).is_some()
        );
        assert!(repeated_instruction("The staging host is db-3.internal.", &lines).is_none());
    }
}
