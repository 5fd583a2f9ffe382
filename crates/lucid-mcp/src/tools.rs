//! The tools: their names, JSON schemas and model-facing descriptions, and what each does over
//! a [`MemoryBackend`]. The wording of results and errors follows Anthropic's memory tool, so a
//! model trained on it reads them as it expects.

use serde_json::{Map, Value, json};

use crate::paths::{folder_prefix, normalize};
use crate::{MemoryBackend, ToolError};

/// What a tool returns: text for the model and, for search, the results as data.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// What the model reads.
    pub text: String,
    /// The same results as data (`structuredContent`), for search.
    pub structured: Option<Value>,
}

impl ToolOutput {
    fn text(text: impl Into<String>) -> ToolOutput {
        ToolOutput {
            text: text.into(),
            structured: None,
        }
    }
}

/// A tool's definition.
pub struct ToolSpec {
    /// The tool's name, as clients call it.
    pub name: &'static str,
    /// What the model is told the tool does.
    pub description: &'static str,
    /// The JSON Schema of its arguments.
    pub schema: Value,
    /// It changes nothing (the `readOnlyHint` annotation).
    pub read_only: bool,
}

const PATH_HELP: &str = "Path of a file or folder in the memory store, from its root: \
                         /notes.md, /team/deploys.md (a leading /memories is accepted and means \
                         the root).";

/// The tools a backend offers, in the order they are listed.
pub fn specs(dreams: bool) -> Vec<ToolSpec> {
    let mut specs = vec![
        ToolSpec {
            name: "memory_view",
            description: "Show a memory folder or file. A folder lists its files and \
                subfolders (two levels deep) with sizes; a file is shown with line numbers \
                (use view_range to see part of a long file). Start here: view / to see what \
                the store holds before reading or writing.",
            schema: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": PATH_HELP},
                    "view_range": {
                        "type": "array", "items": {"type": "integer"},
                        "minItems": 2, "maxItems": 2,
                        "description": "Optional [first, last] line numbers of a file (1-based, inclusive; last -1 means the end)."
                    }
                },
                "required": ["path"]
            }),
            read_only: true,
        },
        ToolSpec {
            name: "memory_create",
            description: "Create a new memory file with the given text. Refuses to overwrite \
                an existing file: change one with memory_str_replace or memory_insert. Keep one \
                topic per file and one fact per line (`- fact`).",
            schema: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": PATH_HELP},
                    "file_text": {"type": "string", "description": "The whole content of the new file."}
                },
                "required": ["path", "file_text"]
            }),
            read_only: false,
        },
        ToolSpec {
            name: "memory_str_replace",
            description: "Replace text in a memory file. old_str must appear exactly once in \
                the file, character for character (whitespace included); otherwise nothing \
                changes and the error says how many times it appears. An empty new_str deletes \
                the text.",
            schema: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": PATH_HELP},
                    "old_str": {"type": "string", "description": "The exact text to replace; must occur exactly once."},
                    "new_str": {"type": "string", "description": "The replacement (may be empty)."}
                },
                "required": ["path", "old_str", "new_str"]
            }),
            read_only: false,
        },
        ToolSpec {
            name: "memory_insert",
            description: "Insert text into a memory file after a given line (0 inserts at the \
                top). Use it to add a fact to an existing topic file.",
            schema: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": PATH_HELP},
                    "insert_line": {"type": "integer", "minimum": 0, "description": "Insert after this line; 0 for the beginning."},
                    "insert_text": {"type": "string", "description": "The text to insert (a trailing newline is added if missing)."}
                },
                "required": ["path", "insert_line", "insert_text"]
            }),
            read_only: false,
        },
        ToolSpec {
            name: "memory_delete",
            description: "Delete a memory file, or a folder with everything in it. Use it for \
                memories that are wrong or obsolete; the store's root cannot be deleted.",
            schema: json!({
                "type": "object",
                "properties": {"path": {"type": "string", "description": PATH_HELP}},
                "required": ["path"]
            }),
            read_only: false,
        },
        ToolSpec {
            name: "memory_rename",
            description: "Rename or move a memory file or folder. Refuses to overwrite an \
                existing destination.",
            schema: json!({
                "type": "object",
                "properties": {
                    "old_path": {"type": "string", "description": PATH_HELP},
                    "new_path": {"type": "string", "description": "The new path, from the store's root."}
                },
                "required": ["old_path", "new_path"]
            }),
            read_only: false,
        },
        ToolSpec {
            name: "memory_search",
            description: "Search the memory store for items (lines of memory files) relevant \
                to a query, best first, each with its file path and line number. Ranks by \
                shared words (BM25 with stemming); identifiers such as db-2.internal, \
                render_docx or --force-with-lease match whole and by part. Use it before \
                answering from memory or before adding a fact that may already be there; \
                then memory_view the file for context.",
            schema: json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Words or identifiers to look for; no operators."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "How many items to return (default 10)."}
                },
                "required": ["query"]
            }),
            read_only: true,
        },
    ];
    if dreams {
        specs.push(ToolSpec {
            name: "dream_create",
            description: "Start a dream of this memory store: lucid reads the store's most \
                recent sessions and writes a curated draft store plus a report (nothing in this \
                store changes until a person promotes the draft). Returns the dream's id; poll \
                it with dream_status.",
            schema: json!({
                "type": "object",
                "properties": {
                    "sessions": {"type": "integer", "minimum": 1, "maximum": 100, "description": "How many of the store's most recent sessions to read (default 20)."},
                    "model": {"type": "string", "description": "The curator model id (default lucid-builtin)."}
                }
            }),
            read_only: false,
        });
        specs.push(ToolSpec {
            name: "dream_status",
            description: "The status of a dream started with dream_create: pending, running, \
                completed (with its output store and counts), failed (with the reason) or \
                canceled.",
            schema: json!({
                "type": "object",
                "properties": {"dream_id": {"type": "string", "description": "The id dream_create returned (drm_…)."}},
                "required": ["dream_id"]
            }),
            read_only: true,
        });
    }
    specs
}

fn string<'a>(args: &'a Map<String, Value>, name: &str) -> Result<&'a str, ToolError> {
    match args.get(name) {
        Some(Value::String(value)) => Ok(value),
        Some(other) => Err(ToolError::Invalid(format!(
            "`{name}` must be a string, not {other}"
        ))),
        None => Err(ToolError::Invalid(format!("`{name}` is required"))),
    }
}

fn integer(args: &Map<String, Value>, name: &str) -> Result<Option<i64>, ToolError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| ToolError::Invalid(format!("`{name}` must be an integer, not {value}"))),
    }
}

/// Runs a tool. Unknown tools and bad arguments are [`ToolError::Invalid`].
pub fn call(
    backend: &dyn MemoryBackend,
    name: &str,
    args: &Map<String, Value>,
) -> Result<ToolOutput, ToolError> {
    match name {
        "memory_view" => view(backend, args),
        "memory_create" => {
            let path = file_path(string(args, "path")?)?;
            backend.create(&path, string(args, "file_text")?)?;
            Ok(ToolOutput::text(format!(
                "File created successfully at: {path}"
            )))
        }
        "memory_str_replace" => str_replace(backend, args),
        "memory_insert" => insert(backend, args),
        "memory_delete" => delete(backend, args),
        "memory_rename" => rename(backend, args),
        "memory_search" => search(backend, args),
        "dream_create" if backend.dreams() => {
            let sessions = integer(args, "sessions")?.unwrap_or(20);
            if !(1..=100).contains(&sessions) {
                return Err(ToolError::Invalid("`sessions` must be 1 to 100".into()));
            }
            let model = match args.get("model") {
                None | Some(Value::Null) => None,
                Some(_) => Some(string(args, "model")?),
            };
            let dream = backend.dream_create(sessions as usize, model)?;
            Ok(ToolOutput {
                text: format!(
                    "Dream {} started ({}); poll it with dream_status.",
                    dream["id"].as_str().unwrap_or("?"),
                    dream["status"].as_str().unwrap_or("pending")
                ),
                structured: Some(dream),
            })
        }
        "dream_status" if backend.dreams() => {
            let dream = backend.dream_status(string(args, "dream_id")?)?;
            Ok(ToolOutput {
                text: serde_json::to_string_pretty(&dream).unwrap_or_default(),
                structured: Some(dream),
            })
        }
        other => Err(ToolError::Invalid(format!(
            "there is no tool {other:?}; the tools are {}",
            specs(backend.dreams())
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A path that must name a file (not the root).
fn file_path(raw: &str) -> Result<String, ToolError> {
    let path = normalize(raw)?;
    if path == "/" {
        return Err(ToolError::Invalid(
            "the path names the store's root folder; give a file path such as /notes.md".into(),
        ));
    }
    Ok(path)
}

fn read_file(backend: &dyn MemoryBackend, path: &str) -> Result<String, ToolError> {
    match backend.read(path)? {
        Some(content) => Ok(content),
        None if !backend.list(&folder_prefix(path))?.is_empty() => Err(ToolError::Invalid(
            format!("{path} is a folder, not a file; memory_view it to see its files"),
        )),
        None => Err(ToolError::NotFound(format!(
            "the file {path} does not exist; memory_view / to see the store's files"
        ))),
    }
}

fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes}")
    } else if bytes < 1024 * 1024 {
        format!("{:.1}K", bytes as f64 / 1024.0)
    } else {
        format!("{:.1}M", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn view(backend: &dyn MemoryBackend, args: &Map<String, Value>) -> Result<ToolOutput, ToolError> {
    let path = normalize(string(args, "path")?)?;
    let content = if path == "/" {
        None
    } else {
        backend.read(&path)?
    };
    let Some(content) = content else {
        return view_folder(backend, &path);
    };
    let lines: Vec<&str> = content.lines().collect();
    let (first, last) = match args.get("view_range") {
        None | Some(Value::Null) => (1, lines.len()),
        Some(Value::Array(range)) if range.len() == 2 => {
            let bound = |v: &Value| {
                v.as_i64().ok_or_else(|| {
                    ToolError::Invalid("view_range must be two integers [first, last]".into())
                })
            };
            let (first, last) = (bound(&range[0])?, bound(&range[1])?);
            let last = if last == -1 { lines.len() as i64 } else { last };
            if first < 1 || first > lines.len().max(1) as i64 || last < first {
                return Err(ToolError::Invalid(format!(
                    "invalid view_range [{}, {}]: {path} has {} lines; use 1 ≤ first ≤ last ≤ {} \
                     (last -1 for the end)",
                    range[0],
                    range[1],
                    lines.len(),
                    lines.len()
                )));
            }
            (first as usize, (last as usize).min(lines.len()))
        }
        Some(_) => {
            return Err(ToolError::Invalid(
                "view_range must be two integers [first, last]".into(),
            ));
        }
    };
    let mut text = format!("Here's the content of {path} with line numbers:\n");
    for (n, line) in lines.iter().enumerate().take(last).skip(first - 1) {
        text.push_str(&format!("{:>6}\t{line}\n", n + 1));
    }
    Ok(ToolOutput::text(text))
}

fn view_folder(backend: &dyn MemoryBackend, path: &str) -> Result<ToolOutput, ToolError> {
    let prefix = folder_prefix(path);
    let files = backend.list(&prefix)?;
    if files.is_empty() && path != "/" {
        return Err(ToolError::NotFound(format!(
            "{path} does not exist; memory_view / to see the store's files"
        )));
    }
    // Files and folders up to two levels below `path`, folders with the size of their files.
    let mut entries: std::collections::BTreeMap<String, u64> = Default::default();
    for file in &files {
        let relative = &file.path[prefix.len()..];
        let segments: Vec<&str> = relative.split('/').collect();
        for depth in 1..=segments.len().min(2) {
            let mut entry = format!("{prefix}{}", segments[..depth].join("/"));
            if depth < segments.len() {
                entry.push('/');
            }
            *entries.entry(entry).or_default() += file.size;
        }
    }
    let total: u64 = files.iter().map(|f| f.size).sum();
    let mut text = format!(
        "Here're the files and directories up to 2 levels deep in {path}, excluding hidden \
         items:\n{}\t{path}\n",
        human_size(total)
    );
    for (entry, size) in &entries {
        text.push_str(&format!("{}\t{entry}\n", human_size(*size)));
    }
    if files.is_empty() {
        text.push_str("(the store is empty: create a file with memory_create)\n");
    }
    Ok(ToolOutput::text(text))
}

/// Lines (1-based) where `needle` starts in `haystack`.
fn match_lines(haystack: &str, needle: &str) -> Vec<usize> {
    haystack
        .match_indices(needle)
        .map(|(at, _)| haystack[..at].matches('\n').count() + 1)
        .collect()
}

fn str_replace(
    backend: &dyn MemoryBackend,
    args: &Map<String, Value>,
) -> Result<ToolOutput, ToolError> {
    let path = file_path(string(args, "path")?)?;
    let old = string(args, "old_str")?;
    let new = string(args, "new_str")?;
    if old.is_empty() {
        return Err(ToolError::Invalid(
            "old_str is empty; give the exact text to replace (memory_insert adds text)".into(),
        ));
    }
    let content = read_file(backend, &path)?;
    let lines = match_lines(&content, old);
    match lines.len() {
        1 => {}
        0 => {
            return Err(ToolError::Invalid(format!(
                "No replacement was performed: old_str appears 0 times in {path} (it must \
                 appear exactly once, verbatim, whitespace included). memory_view the file and \
                 copy the text exactly."
            )));
        }
        n => {
            return Err(ToolError::Invalid(format!(
                "No replacement was performed: old_str appears {n} times in {path} (lines {}); \
                 it must appear exactly once. Include more of the surrounding text to make it \
                 unique.",
                lines
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let updated = content.replacen(old, new, 1);
    backend.update(&path, &content, &updated)?;
    Ok(ToolOutput::text(format!(
        "The memory file {path} has been edited (line {}).",
        lines[0]
    )))
}

fn insert(backend: &dyn MemoryBackend, args: &Map<String, Value>) -> Result<ToolOutput, ToolError> {
    let path = file_path(string(args, "path")?)?;
    let line = integer(args, "insert_line")?
        .ok_or_else(|| ToolError::Invalid("`insert_line` is required".into()))?;
    let text = string(args, "insert_text")?;
    let content = read_file(backend, &path)?;
    let mut lines: Vec<&str> = content.lines().collect();
    if line < 0 || line as usize > lines.len() {
        return Err(ToolError::Invalid(format!(
            "invalid insert_line {line}: {path} has {} lines, so it must be within [0, {}] \
             (0 inserts at the top)",
            lines.len(),
            lines.len()
        )));
    }
    let new_lines: Vec<&str> = text.lines().collect();
    let at = line as usize;
    lines.splice(at..at, new_lines);
    let mut updated = lines.join("\n");
    updated.push('\n');
    backend.update(&path, &content, &updated)?;
    Ok(ToolOutput::text(format!(
        "The text has been inserted after line {line} of {path}."
    )))
}

fn delete(backend: &dyn MemoryBackend, args: &Map<String, Value>) -> Result<ToolOutput, ToolError> {
    let path = normalize(string(args, "path")?)?;
    if path == "/" {
        return Err(ToolError::Invalid(
            "the store's root cannot be deleted; delete its files or folders one by one".into(),
        ));
    }
    if backend.read(&path)?.is_some() {
        backend.delete(&path)?;
        return Ok(ToolOutput::text(format!("Successfully deleted {path}")));
    }
    let files = backend.list(&folder_prefix(&path))?;
    if files.is_empty() {
        return Err(ToolError::NotFound(format!(
            "{path} does not exist; memory_view / to see the store's files"
        )));
    }
    for file in &files {
        backend.delete(&file.path)?;
    }
    Ok(ToolOutput::text(format!(
        "Successfully deleted the folder {path} ({} files)",
        files.len()
    )))
}

fn rename(backend: &dyn MemoryBackend, args: &Map<String, Value>) -> Result<ToolOutput, ToolError> {
    let from = file_path(string(args, "old_path")?)?;
    let to = file_path(string(args, "new_path")?)?;
    if from == to {
        return Err(ToolError::Invalid(format!(
            "old_path and new_path are both {from}"
        )));
    }
    if backend.read(&to)?.is_some() || !backend.list(&folder_prefix(&to))?.is_empty() {
        return Err(ToolError::Conflict(format!(
            "{to} already exists; choose another new_path or delete it first"
        )));
    }
    if backend.read(&from)?.is_some() {
        backend.rename(&from, &to)?;
        return Ok(ToolOutput::text(format!(
            "Successfully renamed {from} to {to}"
        )));
    }
    if to.starts_with(&folder_prefix(&from)) {
        return Err(ToolError::Invalid(format!(
            "cannot move the folder {from} into itself ({to})"
        )));
    }
    let prefix = folder_prefix(&from);
    let files = backend.list(&prefix)?;
    if files.is_empty() {
        return Err(ToolError::NotFound(format!(
            "{from} does not exist; memory_view / to see the store's files"
        )));
    }
    for file in &files {
        let target = format!("{to}/{}", &file.path[prefix.len()..]);
        backend.rename(&file.path, &target)?;
    }
    Ok(ToolOutput::text(format!(
        "Successfully renamed the folder {from} to {to} ({} files)",
        files.len()
    )))
}

fn search(backend: &dyn MemoryBackend, args: &Map<String, Value>) -> Result<ToolOutput, ToolError> {
    let query = string(args, "query")?;
    let limit = integer(args, "limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ToolError::Invalid("`limit` must be 1 to 100".into()));
    }
    if lucid_search::terms(query).is_empty() {
        return Err(ToolError::Invalid(format!(
            "the query {query:?} has no searchable word (common words like 'the' are ignored)"
        )));
    }
    let hits = backend.search(query, limit as usize)?;
    let mut text = if hits.is_empty() {
        format!("No memory matched {query:?}.")
    } else {
        format!("{} items matched {query:?}, best first:\n", hits.len())
    };
    for hit in &hits {
        text.push_str(&format!(
            "{}:{} (score {:.2})\n  {}\n",
            hit.path,
            hit.line,
            hit.score,
            hit.text.replace('\n', "\n  ")
        ));
    }
    let results: Vec<Value> = hits
        .iter()
        .map(|h| json!({"path": h.path, "line": h.line, "text": h.text, "score": h.score}))
        .collect();
    Ok(ToolOutput {
        text,
        structured: Some(json!({ "results": results })),
    })
}
