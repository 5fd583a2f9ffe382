//! Where a Claude Code project's transcripts and memory live.
//!
//! The config folder is `CLAUDE_CONFIG_DIR`, else `~/.claude`. A project's folder under
//! `projects/` is named by its absolute path with every `/` and `.` replaced by `-`
//! (`/home/ana/src/shop` → `-home-ana-src-shop`); some Claude Code versions replace every
//! character that is not a letter or a digit, so both spellings are looked for.

use std::path::{Path, PathBuf};

use crate::ClaudeCodeError;

/// A Claude Code project: its working folder and its folder under the config folder.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project's working folder (absolute).
    pub dir: PathBuf,
    /// Claude Code's config folder (`~/.claude` or `CLAUDE_CONFIG_DIR`).
    pub config_dir: PathBuf,
    /// `<config>/projects/<key>`: transcripts and the `memory*` folders.
    pub folder: PathBuf,
}

/// The project key: the absolute path with `/` and `.` replaced by `-`.
pub fn project_key(dir: &Path) -> String {
    dir.to_string_lossy()
        .chars()
        .map(|c| if c == '/' || c == '.' { '-' } else { c })
        .collect()
}

/// The key spelled the other way: every character but ASCII letters and digits replaced.
fn strict_project_key(dir: &Path) -> String {
    dir.to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The config folder: `explicit`, else `CLAUDE_CONFIG_DIR`, else `$HOME/.claude`.
pub fn config_dir(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, ClaudeCodeError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = env("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".claude"))
        .ok_or(ClaudeCodeError::NoConfigDir)
}

impl Project {
    /// Finds the project folder of `dir` under `config_dir`. `dir` is made absolute (without
    /// resolving symlinks, as Claude Code names the folder after the path it was started in).
    pub fn locate(dir: &Path, config_dir: &Path) -> Result<Project, ClaudeCodeError> {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|source| ClaudeCodeError::Read {
                    path: dir.to_path_buf(),
                    source,
                })?
                .join(dir)
        };
        let dir = normalize(&dir);
        let projects = config_dir.join("projects");
        let candidates = [project_key(&dir), strict_project_key(&dir)];
        for key in &candidates {
            let folder = projects.join(key);
            if folder.is_dir() {
                return Ok(Project {
                    dir,
                    config_dir: config_dir.to_path_buf(),
                    folder,
                });
            }
        }
        Err(ClaudeCodeError::NoProject {
            project: dir,
            looked_for: projects.join(&candidates[0]).display().to_string(),
        })
    }

    /// The live memory folder Claude Code reads.
    pub fn memory_dir(&self) -> PathBuf {
        self.folder.join("memory")
    }

    /// Where a dream writes its draft.
    pub fn draft_dir(&self) -> PathBuf {
        self.folder.join("memory.draft")
    }

    /// The memory folder before the last promote (what a rollback restores).
    pub fn previous_dir(&self) -> PathBuf {
        self.folder.join("memory.prev")
    }

    /// lucid's own files for this project: the state, the last report, the lock.
    pub fn lucid_dir(&self) -> PathBuf {
        self.folder.join("memory.lucid")
    }

    /// The last dream's report.
    pub fn report_path(&self) -> PathBuf {
        self.lucid_dir().join("dream.json")
    }

    /// The project's transcripts, newest first (by modification time, then name).
    pub fn transcripts(&self) -> Result<Vec<TranscriptFile>, ClaudeCodeError> {
        let read_error = |source| ClaudeCodeError::Read {
            path: self.folder.clone(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&self.folder).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if !metadata.is_file() {
                continue;
            }
            let modified = metadata
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            files.push(TranscriptFile {
                name: entry.file_name().to_string_lossy().into_owned(),
                path,
                bytes: metadata.len(),
                modified,
            });
        }
        files.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
        Ok(files)
    }

    /// The texts of the project's `CLAUDE.md` files (unreadable ones left out): read-only
    /// context a memory must not repeat.
    pub fn instruction_texts(&self) -> Vec<String> {
        self.instruction_files()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// The project's `CLAUDE.md` files that exist.
    pub fn instruction_files(&self) -> Vec<PathBuf> {
        [
            self.dir.join("CLAUDE.md"),
            self.dir.join(".claude").join("CLAUDE.md"),
            self.dir.join("CLAUDE.local.md"),
            self.config_dir.join("CLAUDE.md"),
        ]
        .into_iter()
        .filter(|p| p.is_file())
        .collect()
    }
}

/// One transcript file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptFile {
    /// The file name (`<session id>.jsonl`): what the state records it by.
    pub name: String,
    /// The full path.
    pub path: PathBuf,
    /// The size in bytes: a transcript that grew since a dream read it is read again.
    pub bytes: u64,
    /// Modification time, seconds since the epoch.
    pub modified: u64,
}

/// Removes `.` and resolves `..` lexically, so `./shop/../shop` names the same key as `shop`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_replaces_slashes_and_dots() {
        assert_eq!(
            project_key(Path::new("/home/ana/src/shop")),
            "-home-ana-src-shop"
        );
        assert_eq!(
            project_key(Path::new("/home/ana/my.site")),
            "-home-ana-my-site"
        );
    }

    #[test]
    fn the_config_dir_follows_the_environment() {
        let env = |name: &str| match name {
            "CLAUDE_CONFIG_DIR" => Some("/tmp/cc".to_string()),
            "HOME" => Some("/home/ana".to_string()),
            _ => None,
        };
        assert_eq!(config_dir(None, &env).ok(), Some(PathBuf::from("/tmp/cc")));
        let home_only = |name: &str| (name == "HOME").then(|| "/home/ana".to_string());
        assert_eq!(
            config_dir(None, &home_only).ok(),
            Some(PathBuf::from("/home/ana/.claude"))
        );
        assert!(config_dir(None, &|_| None).is_err());
    }

    #[test]
    fn a_project_is_found_under_either_spelling_of_its_key() {
        let home = tempfile::tempdir().expect("temp dir");
        let strict = home.path().join("projects").join("-home-ana-my-site-v2");
        std::fs::create_dir_all(&strict).expect("mkdir");
        let project = Project::locate(Path::new("/home/ana/my_site.v2"), home.path())
            .expect("found by the strict key");
        assert_eq!(project.folder, strict);
        let missing = Project::locate(Path::new("/elsewhere"), home.path());
        assert!(matches!(missing, Err(ClaudeCodeError::NoProject { .. })));
    }
}
