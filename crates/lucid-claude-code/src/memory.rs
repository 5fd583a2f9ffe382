//! Reading a live Claude Code memory folder into a lucid store.
//!
//! Each topic file becomes one store document at `/<file>` whose items are the file's facts:
//! a body that is a list keeps one item per list entry; any other body (a fact, then `**Why:**`
//! and `**How to apply:**` paragraphs) is one item, its paragraphs joined. Lines of `MEMORY.md`
//! that are not links to topic files (facts written straight into the index) become the items of
//! `/MEMORY.md`. Front matter is kept aside, so an unchanged file is written back byte for byte.

use std::path::{Path, PathBuf};

use lucid_core::markdown::{Block, parse_blocks};
use lucid_core::{Store, StoreDocument};
use serde::{Deserialize, Serialize};

use crate::ClaudeCodeError;

/// The index file Claude Code loads into every session.
pub const INDEX_FILE: &str = "MEMORY.md";

/// Claude Code's memory types (front matter `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryType {
    /// About the user: who they are and what they know.
    User,
    /// How the user wants the work done; lucid's preferences land here.
    Feedback,
    /// Knowledge of the project; lucid's facts, pitfalls, workflows and insights land here.
    Project,
    /// Pointers to where to look outside the memory.
    Reference,
}

impl MemoryType {
    /// The front matter spelling: `user`, `feedback`, `project` or `reference`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryType::User => "user",
            MemoryType::Feedback => "feedback",
            MemoryType::Project => "project",
            MemoryType::Reference => "reference",
        }
    }

    /// The type a front matter value names (case and surrounding spaces ignored); `None` for any
    /// other value.
    pub fn parse(text: &str) -> Option<MemoryType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "user" => Some(MemoryType::User),
            "feedback" => Some(MemoryType::Feedback),
            "project" => Some(MemoryType::Project),
            "reference" => Some(MemoryType::Reference),
            _ => None,
        }
    }

    /// The type a lucid memory of `kind` gets: how the person wants the work done is
    /// `feedback`; everything learned about the project (facts, decisions, tool pitfalls,
    /// workflows) is `project`.
    pub fn of_kind(kind: lucid_core::Kind) -> MemoryType {
        match kind {
            lucid_core::Kind::Preference => MemoryType::Feedback,
            lucid_core::Kind::Fact
            | lucid_core::Kind::Pitfall
            | lucid_core::Kind::Workflow
            | lucid_core::Kind::Insight => MemoryType::Project,
        }
    }

    /// Durability rank for the index: guidance on how to work first, then who the user is, then
    /// project knowledge, then pointers elsewhere.
    pub fn rank(self) -> u8 {
        match self {
            MemoryType::Feedback => 0,
            MemoryType::User => 1,
            MemoryType::Project => 2,
            MemoryType::Reference => 3,
        }
    }
}

/// One topic file of the live folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// File name relative to the memory folder, e.g. `testing.md` or `notes/db.md`.
    pub file: String,
    /// The front matter's `name` (quotes removed), if any.
    pub name: Option<String>,
    /// The front matter's `description`: the hook the index shows.
    pub description: Option<String>,
    /// The front matter's `type`, when it names a known one.
    pub memory_type: Option<MemoryType>,
    /// The front matter's lines (without the `---` fences), kept to write a changed file back
    /// with its other keys intact.
    pub front_matter: Vec<String>,
    /// The text after the front matter.
    pub body: String,
    /// The whole file as read.
    pub raw: String,
    /// The file's facts, as store items.
    pub items: Vec<String>,
}

/// A line of `MEMORY.md` linking a topic file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLink {
    /// The link's text.
    pub title: String,
    /// The linked file, relative to the memory folder (a leading `./` removed).
    pub file: String,
    /// The text after the link and its dash; may be empty.
    pub hook: String,
}

/// A live memory folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveMemory {
    /// The folder read; when it does not exist, the memory is empty.
    pub dir: PathBuf,
    /// Its topic files: every `.md` file below it but its own `MEMORY.md`, hidden entries
    /// skipped, sorted by path.
    pub topics: Vec<Topic>,
    /// The index as read (None when the folder has no `MEMORY.md`).
    pub index: Option<String>,
    /// The index's links to topic files that exist.
    pub index_links: Vec<IndexLink>,
    /// Facts written straight into the index.
    pub index_notes: Vec<String>,
    /// Index links to files that do not exist.
    pub dangling_links: Vec<String>,
}

/// Reads a memory folder; a missing folder is an empty memory.
pub fn read_memory(dir: &Path) -> Result<LiveMemory, ClaudeCodeError> {
    let mut memory = LiveMemory {
        dir: dir.to_path_buf(),
        ..LiveMemory::default()
    };
    if !dir.exists() {
        return Ok(memory);
    }
    let mut files = Vec::new();
    list_markdown(dir, dir, &mut files)?;
    for (relative, path) in files {
        let raw = std::fs::read_to_string(&path)
            .map_err(|source| ClaudeCodeError::Read { path, source })?;
        if relative == INDEX_FILE {
            memory.index = Some(raw);
            continue;
        }
        memory.topics.push(parse_topic(&relative, raw));
    }
    if let Some(index) = &memory.index {
        let (links, notes) = parse_index(index);
        for link in links {
            if memory.topics.iter().any(|t| t.file == link.file) {
                memory.index_links.push(link);
            } else {
                memory.dangling_links.push(link.file);
            }
        }
        memory.index_notes = notes;
    }
    Ok(memory)
}

/// Markdown files below `dir`, as (path relative to `root` with `/`, full path), sorted; hidden
/// entries are skipped.
fn list_markdown(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), ClaudeCodeError> {
    let read_error = |source| ClaudeCodeError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_error)?
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            list_markdown(root, &path, out)?;
        } else if file_type.is_file() && name.ends_with(".md") {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, path));
        }
    }
    Ok(())
}

/// Splits a file into its front matter lines and body.
pub fn split_front_matter(raw: &str) -> (Vec<String>, &str) {
    let Some(rest) = raw
        .strip_prefix("---\n")
        .or_else(|| raw.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), raw);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let front = rest[..offset]
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>();
            return (front, &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    (Vec::new(), raw)
}

/// The value of `key:` in front matter lines (quotes removed).
pub fn front_matter_value(lines: &[String], key: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == key).then(|| {
            let v = v.trim();
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v)
                .to_string()
        })
    })
}

fn parse_topic(file: &str, raw: String) -> Topic {
    let (front_matter, body) = split_front_matter(&raw);
    let body = body.to_string();
    let items = body_items(&body);
    Topic {
        file: file.to_string(),
        name: front_matter_value(&front_matter, "name"),
        description: front_matter_value(&front_matter, "description"),
        memory_type: front_matter_value(&front_matter, "type").and_then(|t| MemoryType::parse(&t)),
        front_matter,
        body,
        raw,
        items,
    }
}

/// The facts of a topic body: one per list entry when the body is only a list (and headings);
/// otherwise the whole body as one fact, its paragraphs joined.
pub fn body_items(body: &str) -> Vec<String> {
    let blocks = parse_blocks(body);
    let items: Vec<&lucid_core::markdown::MarkdownItem> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Item(item) => Some(item),
            Block::Heading(_) => None,
        })
        .collect();
    let all_listed = !items.is_empty()
        && items
            .iter()
            .all(|i| matches!(i.style, lucid_core::markdown::ItemStyle::Bullet(_)));
    if all_listed {
        return items.iter().map(|i| one_line(&i.text)).collect();
    }
    let joined = items
        .iter()
        .map(|i| one_line(&i.text))
        .collect::<Vec<_>>()
        .join(" ");
    if joined.trim().is_empty() {
        Vec::new()
    } else {
        vec![joined]
    }
}

pub use lucid_core::text::collapse_whitespace as one_line;

/// Parses index lines: `- [Title](file.md) — hook` links, and every other non-empty,
/// non-heading line as a fact.
pub fn parse_index(index: &str) -> (Vec<IndexLink>, Vec<String>) {
    let mut links = Vec::new();
    let mut notes = Vec::new();
    for line in index.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("<!--") {
            continue;
        }
        let entry = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
            .unwrap_or(trimmed);
        if let Some(link) = parse_link(entry) {
            links.push(link);
        } else {
            notes.push(entry.to_string());
        }
    }
    (links, notes)
}

fn parse_link(entry: &str) -> Option<IndexLink> {
    let rest = entry.strip_prefix('[')?;
    let (title, rest) = rest.split_once("](")?;
    let (file, rest) = rest.split_once(')')?;
    if !file.ends_with(".md") || file.contains("://") {
        return None;
    }
    let hook = rest
        .trim()
        .trim_start_matches(['—', '–', '-', ':'])
        .trim()
        .to_string();
    Some(IndexLink {
        title: title.to_string(),
        file: file.trim_start_matches("./").to_string(),
        hook,
    })
}

impl LiveMemory {
    /// The memory as a lucid store: one document per topic file (`/<file>`), plus `/MEMORY.md`
    /// for facts written into the index.
    pub fn to_store(&self) -> Store {
        let mut documents: Vec<StoreDocument> = self
            .topics
            .iter()
            .filter(|t| !t.items.is_empty())
            .map(|t| StoreDocument {
                path: format!("/{}", t.file),
                content: render_items(&t.items),
                updated_at: None,
                as_of: None,
            })
            .collect();
        if !self.index_notes.is_empty() {
            documents.push(StoreDocument {
                path: format!("/{INDEX_FILE}"),
                content: render_items(&self.index_notes),
                updated_at: None,
                as_of: None,
            });
        }
        Store::new(documents)
    }

    /// The topic file at `file` (relative to the folder), if the folder has one.
    pub fn topic(&self, file: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.file == file)
    }
}

/// Items as a Markdown list.
pub fn render_items(items: &[String]) -> String {
    items.iter().map(|i| format!("- {i}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_file_is_one_fact_with_its_front_matter_kept_aside() {
        let raw = "---\nname: testing\ndescription: \"Integration tests hit a real DB\"\ntype: feedback\n---\n\nIntegration tests must hit a real database.\n\n**Why:** mocks hid a broken migration.\n".to_string();
        let topic = parse_topic("testing.md", raw);
        assert_eq!(topic.name.as_deref(), Some("testing"));
        assert_eq!(
            topic.description.as_deref(),
            Some("Integration tests hit a real DB")
        );
        assert_eq!(topic.memory_type, Some(MemoryType::Feedback));
        assert_eq!(
            topic.items,
            vec![
                "Integration tests must hit a real database. **Why:** mocks hid a broken migration."
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_list_body_is_one_fact_per_entry() {
        let items =
            body_items("# Hosts\n\n- The staging host is db-2.internal.\n- CI runs on arm64.\n");
        assert_eq!(
            items,
            vec![
                "The staging host is db-2.internal.".to_string(),
                "CI runs on arm64.".to_string()
            ]
        );
    }

    #[test]
    fn index_lines_are_links_or_facts() {
        let (links, notes) = parse_index(
            "# Memory\n\n- [Testing](testing.md) — real DB, no mocks\n- Deploys need a green CI.\n",
        );
        assert_eq!(
            links,
            vec![IndexLink {
                title: "Testing".into(),
                file: "testing.md".into(),
                hook: "real DB, no mocks".into()
            }]
        );
        assert_eq!(notes, vec!["Deploys need a green CI.".to_string()]);
    }
}
