//! Recognising tool calls that write to an agent's memory directory.
//!
//! Agents write memory through the Anthropic memory tool, through the text-editor tool, or
//! through ordinary file tools pointed at `/memories/` (or `/mnt/memory/` in Managed Agents).
//! A call counts as a memory write only when its path is inside one of those directories; the
//! path is then mapped into the store with [`lucid_core::memory_path_to_store_path`]. Reads
//! (`view`) and anything outside the memory directories are not writes.

use lucid_core::{MemoryCommand, memory_path_to_store_path};
use serde_json::{Map, Value};

use crate::json::first_str;

const PATH_KEYS: &[&str] = &["path", "file_path", "filePath", "filename", "file"];
const CONTENT_KEYS: &[&str] = &["content", "file_text", "text", "contents"];
const OLD_KEYS: &[&str] = &["old_string", "old_str", "oldText", "old_text", "old"];
const NEW_KEYS: &[&str] = &["new_string", "new_str", "newText", "new_text", "new"];
const FROM_KEYS: &[&str] = &["old_path", "source", "from", "src", "source_path"];
const TO_KEYS: &[&str] = &["new_path", "destination", "to", "dest", "target_path"];

/// The memory command a tool call performs, if it is a memory write.
///
/// Recognised: the memory tool (`memory`: `create`, `str_replace`, `insert`, `delete`, `rename`;
/// `view` is a read), the text-editor tools (`str_replace_based_edit_tool`, `str_replace_editor`,
/// same command shape), and file tools (`Write`/`write`/`write_file`/`write_to_file`/`create_file` with a path and
/// content; `Edit`/`edit`/`edit_file`/`MultiEdit` with old/new strings; `delete_file`,
/// `move_file`/`rename_file`; Codex `apply_patch`) — only for paths under `/memories/` or
/// `/mnt/memory/` — and Gemini CLI's `save_memory` (`{"fact": …}`), appended to
/// [`SAVED_MEMORIES`]. MCP-prefixed names (`mcp__fs__write_file`) are matched by their last part.
///
/// A call that makes several edits (`MultiEdit`, a patch touching several hunks) returns its
/// first command here; the importers use [`memory_commands_from_tool_call`] and emit one
/// `MemoryWrite` event per command.
pub fn memory_command_from_tool_call(name: &str, input: &Value) -> Option<MemoryCommand> {
    memory_commands_from_tool_call(name, input)
        .into_iter()
        .next()
}

/// Every memory command a tool call performs, in order (empty when it is not a memory write).
///
/// An edit whose old text is empty (Claude Code's way of creating a file with `Edit`) becomes a
/// `Create`. A rename out of the memory directories becomes a `Delete`; one into them is not
/// recognised (the content is unknown).
pub fn memory_commands_from_tool_call(name: &str, input: &Value) -> Vec<MemoryCommand> {
    // An `apply_patch` call, or a shell command running one (lucid-core finds the patch).
    if let Some(patch) = lucid_core::tools::applied_patch(name, input) {
        return patch_commands(patch);
    }
    let base = lucid_core::tools::base_name(name);
    let Some(input) = input.as_object() else {
        return Vec::new();
    };
    match base.as_str() {
        "memory" | "str_replace_based_edit_tool" | "str_replace_editor" | "text_editor" => {
            editor_command(input).into_iter().collect()
        }
        "write" | "write_file" | "write_to_file" | "create_file" | "writefile" | "createfile" => {
            create_command(input).into_iter().collect()
        }
        "edit" | "edit_file" | "multiedit" | "multi_edit" | "editfile" | "str_replace"
        | "replace" => edit_commands(input),
        "delete_file" | "remove_file" | "deletefile" => document_path(input)
            .map(|path| MemoryCommand::Delete { path })
            .into_iter()
            .collect(),
        // Gemini CLI's memory tool appends one fact to its memory file (`GEMINI.md`): a path
        // of its own in the store.
        "save_memory" => first_str(input, &["fact", "memory", "text"])
            .map(str::trim)
            .filter(|fact| !fact.is_empty())
            .map(|fact| MemoryCommand::Insert {
                path: SAVED_MEMORIES.to_string(),
                line: None,
                text: format!("- {fact}\n"),
            })
            .into_iter()
            .collect(),
        "move_file" | "rename_file" | "movefile" | "renamefile" => {
            rename_command(first_str(input, FROM_KEYS), first_str(input, TO_KEYS))
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Where facts saved with a harness's own memory tool (Gemini CLI's `save_memory`) go in the
/// store.
pub const SAVED_MEMORIES: &str = "/saved-memories.md";

/// A path inside the memory directories, mapped into the store.
fn store_path(path: &str) -> Option<String> {
    memory_path_to_store_path(path.trim())
}

/// A store path that names a document (not the memory root itself).
fn document_store_path(path: &str) -> Option<String> {
    store_path(path).filter(|path| path != "/")
}

fn document_path(input: &Map<String, Value>) -> Option<String> {
    first_str(input, PATH_KEYS).and_then(document_store_path)
}

/// The memory tool and text-editor command shape: `{command, path, file_text, old_str, …}`.
fn editor_command(input: &Map<String, Value>) -> Option<MemoryCommand> {
    let command = input.get("command").and_then(Value::as_str)?;
    let text_of = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| input.get(*key).and_then(Value::as_str))
            .map(str::to_string)
    };
    match command {
        "create" => Some(MemoryCommand::Create {
            path: document_path(input)?,
            text: text_of(&["file_text", "content", "text"]).unwrap_or_default(),
        }),
        "str_replace" => Some(MemoryCommand::StrReplace {
            path: document_path(input)?,
            old: text_of(&["old_str", "old_string"])?,
            new: text_of(&["new_str", "new_string"]).unwrap_or_default(),
        }),
        "insert" => Some(MemoryCommand::Insert {
            path: document_path(input)?,
            line: input.get("insert_line").and_then(line_number),
            text: text_of(&["insert_text", "new_str", "text"]).unwrap_or_default(),
        }),
        // Deleting a directory (or the whole memory) is meaningful, so the root is allowed.
        "delete" => Some(MemoryCommand::Delete {
            path: first_str(input, PATH_KEYS).and_then(store_path)?,
        }),
        "rename" => rename_command(first_str(input, FROM_KEYS), first_str(input, TO_KEYS)),
        _ => None,
    }
}

/// A line number given as a number or a numeric string.
fn line_number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn create_command(input: &Map<String, Value>) -> Option<MemoryCommand> {
    let path = document_path(input)?;
    let text = CONTENT_KEYS
        .iter()
        .find_map(|key| input.get(*key).and_then(Value::as_str))?;
    Some(MemoryCommand::Create {
        path,
        text: text.to_string(),
    })
}

/// `Edit {old_string,new_string}`, `MultiEdit {edits:[…]}`, MCP `edit_file {edits:[{oldText,newText}]}`.
fn edit_commands(input: &Map<String, Value>) -> Vec<MemoryCommand> {
    let Some(path) = document_path(input) else {
        return Vec::new();
    };
    let one = |edit: &Map<String, Value>| -> Option<MemoryCommand> {
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|key| edit.get(*key).and_then(Value::as_str))
        };
        let old = text(OLD_KEYS)?;
        let new = text(NEW_KEYS).unwrap_or_default();
        Some(if old.is_empty() {
            MemoryCommand::Create {
                path: path.clone(),
                text: new.to_string(),
            }
        } else {
            MemoryCommand::StrReplace {
                path: path.clone(),
                old: old.to_string(),
                new: new.to_string(),
            }
        })
    };
    match input.get("edits").and_then(Value::as_array) {
        Some(edits) => edits
            .iter()
            .filter_map(Value::as_object)
            .filter_map(one)
            .collect(),
        None => one(input).into_iter().collect(),
    }
}

fn rename_command(from: Option<&str>, to: Option<&str>) -> Option<MemoryCommand> {
    let from = store_path(from?).filter(|path| path != "/")?;
    match to.and_then(document_store_path) {
        Some(to) => Some(MemoryCommand::Rename { from, to }),
        // Moved out of memory: from the store's point of view the document is gone.
        None => Some(MemoryCommand::Delete { path: from }),
    }
}

/// The memory commands of a Codex patch (`*** Begin Patch` … `*** End Patch`): an added file is
/// a `Create`, a deleted one a `Delete`, each hunk of an updated file a `StrReplace` (context
/// and removed lines → old, context and added lines → new; a hunk with no old text is an
/// `Insert` without a line), and `*** Move to:` a `Rename` after the file's hunks.
fn patch_commands(patch: &str) -> Vec<MemoryCommand> {
    enum Section {
        None,
        Add {
            path: Option<String>,
            text: String,
        },
        Update {
            path: Option<String>,
            old: Vec<String>,
            new: Vec<String>,
            move_to: Option<String>,
        },
    }

    fn flush_hunk(section: &mut Section, commands: &mut Vec<MemoryCommand>) {
        if let Section::Update {
            path: Some(path),
            old,
            new,
            ..
        } = section
        {
            if old.is_empty() && new.is_empty() {
                return;
            }
            let old_text = old.join("\n");
            let new_text = new.join("\n");
            commands.push(if old_text.is_empty() {
                MemoryCommand::Insert {
                    path: path.clone(),
                    line: None,
                    text: new_text,
                }
            } else {
                MemoryCommand::StrReplace {
                    path: path.clone(),
                    old: old_text,
                    new: new_text,
                }
            });
        }
        if let Section::Update { old, new, .. } = section {
            old.clear();
            new.clear();
        }
    }

    fn finish(section: Section, commands: &mut Vec<MemoryCommand>) {
        let mut section = section;
        flush_hunk(&mut section, commands);
        match section {
            Section::Add {
                path: Some(path),
                text,
            } => {
                commands.push(MemoryCommand::Create { path, text });
            }
            Section::Update {
                path: Some(from),
                move_to: Some(to),
                ..
            } => {
                commands.push(match document_store_path(&to) {
                    Some(to) => MemoryCommand::Rename { from, to },
                    None => MemoryCommand::Delete { path: from },
                });
            }
            _ => {}
        }
    }

    let mut commands = Vec::new();
    let mut section = Section::None;
    for line in patch.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(path) = line.strip_prefix("*** Add File:") {
            finish(
                std::mem::replace(&mut section, Section::None),
                &mut commands,
            );
            section = Section::Add {
                path: document_store_path(path),
                text: String::new(),
            };
        } else if let Some(path) = line.strip_prefix("*** Update File:") {
            finish(
                std::mem::replace(&mut section, Section::None),
                &mut commands,
            );
            section = Section::Update {
                path: document_store_path(path),
                old: Vec::new(),
                new: Vec::new(),
                move_to: None,
            };
        } else if let Some(path) = line.strip_prefix("*** Delete File:") {
            finish(
                std::mem::replace(&mut section, Section::None),
                &mut commands,
            );
            if let Some(path) = document_store_path(path) {
                commands.push(MemoryCommand::Delete { path });
            }
        } else if let Some(path) = line.strip_prefix("*** Move to:") {
            if let Section::Update { move_to, .. } = &mut section {
                *move_to = Some(path.trim().to_string());
            }
        } else if line.starts_with("*** ") {
            // *** Begin Patch, *** End Patch, *** End of File
            if line.starts_with("*** End Patch") {
                finish(
                    std::mem::replace(&mut section, Section::None),
                    &mut commands,
                );
            }
        } else if line.starts_with("@@") {
            flush_hunk(&mut section, &mut commands);
        } else {
            match &mut section {
                Section::Add { text, .. } => {
                    text.push_str(line.strip_prefix('+').unwrap_or(line));
                    text.push('\n');
                }
                Section::Update { old, new, .. } => {
                    if let Some(rest) = line.strip_prefix('-') {
                        old.push(rest.to_string());
                    } else if let Some(rest) = line.strip_prefix('+') {
                        new.push(rest.to_string());
                    } else {
                        let rest = line.strip_prefix(' ').unwrap_or(line);
                        old.push(rest.to_string());
                        new.push(rest.to_string());
                    }
                }
                Section::None => {}
            }
        }
    }
    finish(section, &mut commands);
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(name: &str, input: Value) -> Option<MemoryCommand> {
        memory_command_from_tool_call(name, &input)
    }

    #[test]
    fn memory_tool_commands() {
        assert_eq!(
            one(
                "memory",
                json!({"command": "create", "path": "/memories/a.md", "file_text": "hi"})
            ),
            Some(MemoryCommand::Create {
                path: "/a.md".into(),
                text: "hi".into()
            })
        );
        assert_eq!(
            one(
                "memory",
                json!({"command": "str_replace", "path": "/memories/a.md", "old_str": "x", "new_str": "y"})
            ),
            Some(MemoryCommand::StrReplace {
                path: "/a.md".into(),
                old: "x".into(),
                new: "y".into()
            })
        );
        assert_eq!(
            one(
                "memory",
                json!({"command": "insert", "path": "/memories/a.md", "insert_line": 2, "insert_text": "z"})
            ),
            Some(MemoryCommand::Insert {
                path: "/a.md".into(),
                line: Some(2),
                text: "z".into()
            })
        );
        assert_eq!(
            one(
                "memory",
                json!({"command": "delete", "path": "/memories/old"})
            ),
            Some(MemoryCommand::Delete {
                path: "/old".into()
            })
        );
        assert_eq!(
            one(
                "memory",
                json!({"command": "rename", "old_path": "/memories/a.md", "new_path": "/memories/b/a.md"})
            ),
            Some(MemoryCommand::Rename {
                from: "/a.md".into(),
                to: "/b/a.md".into()
            })
        );
        assert_eq!(
            one("memory", json!({"command": "view", "path": "/memories"})),
            None
        );
        // The memory tool outside the memory directory is not a store write.
        assert_eq!(
            one(
                "memory",
                json!({"command": "create", "path": "/tmp/a.md", "file_text": "x"})
            ),
            None
        );
        // Creating the root itself names no document.
        assert_eq!(
            one(
                "memory",
                json!({"command": "create", "path": "/memories", "file_text": "x"})
            ),
            None
        );
    }

    #[test]
    fn gemini_save_memory_appends_a_fact() {
        assert_eq!(
            one(
                "save_memory",
                json!({"fact": "  Always run pnpm, never npm. "})
            ),
            Some(MemoryCommand::Insert {
                path: SAVED_MEMORIES.into(),
                line: None,
                text: "- Always run pnpm, never npm.\n".into()
            })
        );
        assert_eq!(one("save_memory", json!({"fact": "  "})), None);
        assert_eq!(one("save_memory", json!({"scope": "project"})), None);
    }

    #[test]
    fn file_tools_under_memory_only() {
        // Cline's XML tool, as its importer passes it.
        assert_eq!(
            one(
                "write_to_file",
                json!({"path": "/memories/cline.md", "content": "- use pnpm"})
            ),
            Some(MemoryCommand::Create {
                path: "/cline.md".into(),
                text: "- use pnpm".into()
            })
        );
        assert_eq!(
            one(
                "Write",
                json!({"file_path": "/mnt/memory/team/x.md", "content": "c"})
            ),
            Some(MemoryCommand::Create {
                path: "/team/x.md".into(),
                text: "c".into()
            })
        );
        assert_eq!(
            one(
                "Write",
                json!({"file_path": "/home/me/x.md", "content": "c"})
            ),
            None
        );
        assert_eq!(
            one(
                "Edit",
                json!({"file_path": "/memories/x.md", "old_string": "a", "new_string": "b"})
            ),
            Some(MemoryCommand::StrReplace {
                path: "/x.md".into(),
                old: "a".into(),
                new: "b".into()
            })
        );
        assert_eq!(
            one(
                "Edit",
                json!({"file_path": "/memories/new.md", "old_string": "", "new_string": "b"})
            ),
            Some(MemoryCommand::Create {
                path: "/new.md".into(),
                text: "b".into()
            })
        );
        assert_eq!(
            one(
                "mcp__fs__write_file",
                json!({"path": "/memories/m.md", "content": "c"})
            ),
            Some(MemoryCommand::Create {
                path: "/m.md".into(),
                text: "c".into()
            })
        );
        assert_eq!(
            one(
                "str_replace_based_edit_tool",
                json!({"command": "create", "path": "/memories/t.md", "file_text": "t"})
            ),
            Some(MemoryCommand::Create {
                path: "/t.md".into(),
                text: "t".into()
            })
        );
        assert_eq!(one("Read", json!({"file_path": "/memories/x.md"})), None);
        assert_eq!(one("Write", json!("not an object")), None);
    }

    #[test]
    fn multi_edit_yields_every_edit() {
        let input = json!({"file_path": "/memories/x.md", "edits": [
            {"old_string": "a", "new_string": "b"},
            {"old_string": "c", "new_string": "d"}
        ]});
        let commands = memory_commands_from_tool_call("MultiEdit", &input);
        assert_eq!(commands.len(), 2);
        assert_eq!(
            memory_command_from_tool_call("MultiEdit", &input),
            Some(MemoryCommand::StrReplace {
                path: "/x.md".into(),
                old: "a".into(),
                new: "b".into()
            })
        );
    }

    #[test]
    fn codex_patches() {
        let patch = "*** Begin Patch\n*** Add File: /memories/new.md\n+line one\n+line two\n\
                     *** Update File: /memories/old.md\n@@\n keep\n-gone\n+added\n\
                     *** Delete File: /memories/dead.md\n*** Update File: src/main.rs\n@@\n-a\n+b\n\
                     *** End Patch\n";
        let commands = memory_commands_from_tool_call("apply_patch", &Value::String(patch.into()));
        assert_eq!(
            commands,
            vec![
                MemoryCommand::Create {
                    path: "/new.md".into(),
                    text: "line one\nline two\n".into()
                },
                MemoryCommand::StrReplace {
                    path: "/old.md".into(),
                    old: "keep\ngone".into(),
                    new: "keep\nadded".into()
                },
                MemoryCommand::Delete {
                    path: "/dead.md".into()
                },
            ]
        );
        let shell = json!({"command": ["apply_patch", patch]});
        assert_eq!(memory_commands_from_tool_call("shell", &shell).len(), 3);
        let ls = json!({"command": ["ls", "/memories"]});
        assert!(memory_commands_from_tool_call("shell", &ls).is_empty());
    }
}
