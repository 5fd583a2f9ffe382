//! Writing a draft folder, promoting it, rolling back — all by rename.
//!
//! A draft is written into a temporary sibling and renamed to `memory.draft/`, so a crash never
//! leaves half a draft. Promote renames `memory/` to `memory.prev/` and the draft to `memory/`;
//! rollback exchanges `memory/` and `memory.prev/` (a second rollback re-applies the promote).
//! Claude Code opens memory files by path when a session starts or reads one, so a running
//! session keeps working: it sees the old folder or the new one, never a mix.

use std::path::{Path, PathBuf};

use crate::ClaudeCodeError;
use crate::draft::Draft;
use crate::memory::INDEX_FILE;

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> ClaudeCodeError + '_ {
    move |source| ClaudeCodeError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the draft to `target` (replacing an older draft there) through a temporary sibling.
pub fn write_draft(draft: &Draft, target: &Path) -> Result<(), ClaudeCodeError> {
    let staging = sibling(target, &format!("tmp-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(write_error(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(write_error(&staging))?;
    let result = (|| {
        for file in &draft.files {
            let path = staging.join(&file.file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(write_error(parent))?;
            }
            std::fs::write(&path, &file.content).map_err(write_error(&path))?;
        }
        let index = staging.join(INDEX_FILE);
        std::fs::write(&index, &draft.index).map_err(write_error(&index))?;
        if target.exists() {
            std::fs::remove_dir_all(target).map_err(write_error(target))?;
        }
        std::fs::rename(&staging, target).map_err(write_error(target))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// `memory.draft` → `memory`, the live folder kept as `memory.prev` (an older `memory.prev` is
/// replaced). Returns the folder the live memory was moved to, if there was one.
pub fn promote(
    memory: &Path,
    draft: &Path,
    previous: &Path,
) -> Result<Option<PathBuf>, ClaudeCodeError> {
    if !draft.is_dir() {
        return Err(ClaudeCodeError::NoDraft {
            path: draft.to_path_buf(),
        });
    }
    let kept = if memory.exists() {
        if previous.exists() {
            std::fs::remove_dir_all(previous).map_err(write_error(previous))?;
        }
        std::fs::rename(memory, previous).map_err(write_error(memory))?;
        Some(previous.to_path_buf())
    } else {
        None
    };
    if let Err(error) = std::fs::rename(draft, memory) {
        // Put the live folder back: a failed promote changes nothing.
        if kept.is_some() {
            let _ = std::fs::rename(previous, memory);
        }
        return Err(write_error(memory)(error));
    }
    Ok(kept)
}

/// Exchanges `memory` and `memory.prev`.
pub fn rollback(memory: &Path, previous: &Path) -> Result<(), ClaudeCodeError> {
    if !previous.is_dir() {
        return Err(ClaudeCodeError::NoPrevious {
            path: previous.to_path_buf(),
        });
    }
    let parked = sibling(memory, "rollback");
    if parked.exists() {
        std::fs::remove_dir_all(&parked).map_err(write_error(&parked))?;
    }
    let had_live = memory.exists();
    if had_live {
        std::fs::rename(memory, &parked).map_err(write_error(memory))?;
    }
    if let Err(error) = std::fs::rename(previous, memory) {
        if had_live {
            let _ = std::fs::rename(&parked, memory);
        }
        return Err(write_error(memory)(error));
    }
    if had_live {
        std::fs::rename(&parked, previous).map_err(write_error(previous))?;
    }
    Ok(())
}

/// `memory.draft` + suffix → `memory.draft.<suffix>`: still a `memory*` name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::DraftSummary;

    fn read(dir: &Path, file: &str) -> String {
        std::fs::read_to_string(dir.join(file)).unwrap_or_default()
    }

    #[test]
    fn promote_and_rollback_swap_folders() {
        let root = tempfile::tempdir().expect("temp dir");
        let memory = root.path().join("memory");
        let draft_dir = root.path().join("memory.draft");
        let previous = root.path().join("memory.prev");
        std::fs::create_dir_all(&memory).expect("mkdir");
        std::fs::write(memory.join(INDEX_FILE), "old\n").expect("write");
        let draft = Draft {
            files: Vec::new(),
            index: "new\n".into(),
            summary: DraftSummary::default(),
        };
        write_draft(&draft, &draft_dir).expect("draft written");
        assert_eq!(read(&draft_dir, INDEX_FILE), "new\n");

        promote(&memory, &draft_dir, &previous).expect("promoted");
        assert_eq!(read(&memory, INDEX_FILE), "new\n");
        assert_eq!(read(&previous, INDEX_FILE), "old\n");
        assert!(!draft_dir.exists());

        rollback(&memory, &previous).expect("rolled back");
        assert_eq!(read(&memory, INDEX_FILE), "old\n");
        assert_eq!(read(&previous, INDEX_FILE), "new\n");
        let names: Vec<_> = std::fs::read_dir(root.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn promote_without_a_draft_changes_nothing() {
        let root = tempfile::tempdir().expect("temp dir");
        let memory = root.path().join("memory");
        std::fs::create_dir_all(&memory).expect("mkdir");
        let result = promote(
            &memory,
            &root.path().join("memory.draft"),
            &root.path().join("memory.prev"),
        );
        assert!(matches!(result, Err(ClaudeCodeError::NoDraft { .. })));
        assert!(memory.is_dir());
    }
}
