//! A Markdown folder as a memory store.
//!
//! Every path is resolved inside the folder and checked after resolving symlinks: the deepest
//! existing ancestor of the target (the target itself when it exists) must canonicalise to a
//! place inside the folder, so a symlink pointing out is refused before anything is touched.
//! Writes go to a hidden temporary sibling first: a new file is hard-linked into place (which
//! fails rather than overwrite a file created meanwhile), a changed file is renamed over the
//! old one, so a reader never sees half a file. Search rebuilds the in-process index on each
//! query: folders are small, and the files may change under us (an editor, Claude Code).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{FileEntry, Hit, MemoryBackend, ToolError};

/// A folder served as a store.
pub struct FolderBackend {
    root: PathBuf,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_error(what: &str, path: &str, error: std::io::Error) -> ToolError {
    ToolError::Backend(format!("cannot {what} {path}: {error}"))
}

impl FolderBackend {
    /// Serves `root`, which must be an existing folder.
    pub fn open(root: &Path) -> Result<FolderBackend, ToolError> {
        let root = root.canonicalize().map_err(|error| {
            ToolError::NotFound(format!(
                "the folder {} cannot be opened: {error}",
                root.display()
            ))
        })?;
        if !root.is_dir() {
            return Err(ToolError::Invalid(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        Ok(FolderBackend { root })
    }

    /// The store folder every path is resolved inside.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file-system path of a store path, after checking it stays inside the folder.
    fn resolve(&self, path: &str) -> Result<PathBuf, ToolError> {
        let target = self.root.join(path.trim_start_matches('/'));
        let mut existing = target.as_path();
        loop {
            if std::fs::symlink_metadata(existing).is_ok() {
                break;
            }
            existing = existing.parent().unwrap_or(&self.root);
        }
        let real = existing
            .canonicalize()
            .map_err(|error| io_error("resolve", path, error))?;
        if !real.starts_with(&self.root) {
            return Err(ToolError::Invalid(format!(
                "{path} leads outside the memory store (through a symbolic link); nothing was \
                 changed"
            )));
        }
        Ok(target)
    }

    fn temp_path(&self, target: &Path) -> PathBuf {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        target.with_file_name(format!(".{name}.lucid-tmp-{}-{n}", std::process::id()))
    }

    fn write_temp(&self, path: &str, target: &Path, content: &str) -> Result<PathBuf, ToolError> {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| io_error("create the folder of", path, e))?;
        }
        let temp = self.temp_path(target);
        std::fs::write(&temp, content).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io_error("write", path, e)
        })?;
        Ok(temp)
    }

    /// Removes folders left empty by a delete or a move, up to the root.
    fn prune_empty(&self, mut dir: Option<&Path>) {
        while let Some(d) = dir {
            if d == self.root || !d.starts_with(&self.root) || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }

    fn walk(&self, dir: &Path, out: &mut Vec<FileEntry>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            // Symlinks are followed only when they stay inside the folder.
            let Ok(real) = path.canonicalize() else {
                continue;
            };
            if !real.starts_with(&self.root) {
                continue;
            }
            let metadata = std::fs::metadata(&path)?;
            if metadata.is_dir() {
                self.walk(&path, out)?;
            } else if metadata.is_file() {
                let relative = path.strip_prefix(&self.root).unwrap_or(&path);
                let store_path = format!(
                    "/{}",
                    relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                );
                out.push(FileEntry {
                    path: store_path,
                    size: metadata.len(),
                });
            }
        }
        Ok(())
    }
}

impl MemoryBackend for FolderBackend {
    fn describe(&self) -> String {
        format!("the folder {}", self.root.display())
    }

    fn list(&self, prefix: &str) -> Result<Vec<FileEntry>, ToolError> {
        let dir = self.resolve(prefix.trim_end_matches('/'))?;
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        self.walk(&dir, &mut out)
            .map_err(|e| io_error("list", prefix, e))?;
        Ok(out)
    }

    fn read(&self, path: &str) -> Result<Option<String>, ToolError> {
        let target = self.resolve(path)?;
        if !target.is_file() {
            return Ok(None);
        }
        let bytes = std::fs::read(&target).map_err(|e| io_error("read", path, e))?;
        String::from_utf8(bytes).map(Some).map_err(|_| {
            ToolError::Invalid(format!("{path} is not UTF-8 text; memory files hold text"))
        })
    }

    fn create(&self, path: &str, content: &str) -> Result<(), ToolError> {
        let target = self.resolve(path)?;
        if std::fs::symlink_metadata(&target).is_ok() {
            return Err(ToolError::Conflict(format!(
                "{path} already exists; change it with memory_str_replace or memory_insert, \
                 or delete it first"
            )));
        }
        let temp = self.write_temp(path, &target, content)?;
        // A hard link never replaces an existing file: two creates racing cannot both win.
        let linked = std::fs::hard_link(&temp, &target);
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(
                ToolError::Conflict(format!("{path} already exists (created meanwhile)")),
            ),
            Err(error) => Err(io_error("create", path, error)),
        }
    }

    fn update(&self, path: &str, expected: &str, content: &str) -> Result<(), ToolError> {
        let target = self.resolve(path)?;
        match self.read(path)? {
            Some(current) if current == expected => {}
            Some(_) => {
                return Err(ToolError::Conflict(format!(
                    "{path} changed while it was being edited; memory_view it and try again"
                )));
            }
            None => {
                return Err(ToolError::NotFound(format!("{path} does not exist")));
            }
        }
        let temp = self.write_temp(path, &target, content)?;
        std::fs::rename(&temp, &target).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io_error("write", path, e)
        })
    }

    fn delete(&self, path: &str) -> Result<(), ToolError> {
        let target = self.resolve(path)?;
        std::fs::remove_file(&target).map_err(|e| io_error("delete", path, e))?;
        self.prune_empty(target.parent());
        Ok(())
    }

    fn rename(&self, from: &str, to: &str) -> Result<(), ToolError> {
        let source = self.resolve(from)?;
        let target = self.resolve(to)?;
        if std::fs::symlink_metadata(&target).is_ok() {
            return Err(ToolError::Conflict(format!("{to} already exists")));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error("create the folder of", to, e))?;
        }
        std::fs::rename(&source, &target).map_err(|e| io_error("move", from, e))?;
        self.prune_empty(source.parent());
        Ok(())
    }

    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, ToolError> {
        let mut documents = Vec::new();
        for file in self.list("/")? {
            // Binary files are not memories; they are skipped rather than failing the search.
            if let Ok(Some(content)) = self.read(&file.path) {
                documents.push((file.path, content));
            }
        }
        let index = lucid_search::MemoryIndex::build(
            documents.iter().map(|(p, c)| (p.as_str(), c.as_str())),
        );
        Ok(index.search(query, limit))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::tools;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("read_dir").flatten() {
                let p = entry.path();
                let meta = std::fs::symlink_metadata(&p).expect("meta");
                if meta.is_dir() {
                    stack.push(p);
                } else if meta.is_file() {
                    out.push((p.clone(), std::fs::read(&p).expect("read")));
                } else {
                    out.push((p, Vec::new()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn paths_outside_the_folder_are_refused_and_nothing_is_touched() {
        let base = tempfile::tempdir().expect("tempdir");
        let store = base.path().join("store");
        let outside = base.path().join("outside");
        std::fs::create_dir_all(store.join("notes")).expect("mkdir");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::write(outside.join("secret.md"), "- secret\n").expect("write");
        std::fs::write(store.join("notes/a.md"), "- alpha\n").expect("write");
        std::os::unix::fs::symlink(&outside, store.join("escape")).expect("symlink");
        std::os::unix::fs::symlink(outside.join("secret.md"), store.join("link.md"))
            .expect("symlink");
        let backend = FolderBackend::open(&store).expect("open");
        let before = (snapshot(&store), snapshot(&outside));

        let attempts = [
            ("memory_view", json!({"path": "/escape/secret.md"})),
            ("memory_view", json!({"path": "/link.md"})),
            ("memory_view", json!({"path": "../outside/secret.md"})),
            (
                "memory_create",
                json!({"path": "/escape/new.md", "file_text": "x"}),
            ),
            (
                "memory_create",
                json!({"path": "/../outside/new.md", "file_text": "x"}),
            ),
            (
                "memory_str_replace",
                json!({"path": "/link.md", "old_str": "secret", "new_str": "x"}),
            ),
            (
                "memory_insert",
                json!({"path": "/escape/secret.md", "insert_line": 0, "insert_text": "x"}),
            ),
            ("memory_delete", json!({"path": "/escape/secret.md"})),
            ("memory_delete", json!({"path": "/link.md"})),
            ("memory_delete", json!({"path": "/escape"})),
            ("memory_delete", json!({"path": "/"})),
            (
                "memory_rename",
                json!({"old_path": "/notes/a.md", "new_path": "/escape/a.md"}),
            ),
            (
                "memory_rename",
                json!({"old_path": "/link.md", "new_path": "/mine.md"}),
            ),
            (
                "memory_rename",
                json!({"old_path": "/notes/a.md", "new_path": "../a.md"}),
            ),
        ];
        for (tool, arguments) in attempts {
            let result = tools::call(&backend, tool, &args(arguments.clone()));
            assert!(result.is_err(), "{tool} {arguments} must fail: {result:?}");
        }
        assert_eq!((snapshot(&store), snapshot(&outside)), before);
        // The escaping links are not listed either.
        let listing =
            tools::call(&backend, "memory_view", &args(json!({"path": "/"}))).expect("view");
        assert!(listing.text.contains("/notes/a.md"), "{}", listing.text);
        assert!(!listing.text.contains("secret") && !listing.text.contains("link.md"));
    }

    #[test]
    fn the_memory_tool_commands_work_on_a_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let backend = FolderBackend::open(dir.path()).expect("open");
        let call = |tool: &str, arguments: Value| tools::call(&backend, tool, &args(arguments));

        call("memory_create", json!({"path": "/memories/infra.md", "file_text": "# Infra\n- db is db-2.internal\n- db is slow\n"}))
            .expect("create");
        assert!(matches!(
            call(
                "memory_create",
                json!({"path": "/infra.md", "file_text": "x"})
            ),
            Err(ToolError::Conflict(_))
        ));
        let error = call(
            "memory_str_replace",
            json!({"path": "/infra.md", "old_str": "db is", "new_str": "x"}),
        )
        .expect_err("two matches");
        assert!(
            error.to_string().contains("appears 2 times")
                && error.to_string().contains("lines 2, 3"),
            "{error}"
        );
        let error = call(
            "memory_str_replace",
            json!({"path": "/infra.md", "old_str": "nope", "new_str": "x"}),
        )
        .expect_err("no match");
        assert!(error.to_string().contains("appears 0 times"), "{error}");
        call(
            "memory_str_replace",
            json!({"path": "/infra.md", "old_str": "db-2", "new_str": "db-3"}),
        )
        .expect("replace");
        call(
            "memory_insert",
            json!({"path": "/infra.md", "insert_line": 1, "insert_text": "- cache is redis-1"}),
        )
        .expect("insert");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("infra.md")).expect("read"),
            "# Infra\n- cache is redis-1\n- db is db-3.internal\n- db is slow\n"
        );
        let view = call(
            "memory_view",
            json!({"path": "/infra.md", "view_range": [2, 3]}),
        )
        .expect("view");
        assert_eq!(
            view.text,
            "Here's the content of /infra.md with line numbers:\n     2\t- cache is redis-1\n     3\t- db is db-3.internal\n"
        );
        let hits = call("memory_search", json!({"query": "db-3.internal"})).expect("search");
        assert_eq!(
            hits.structured
                .as_ref()
                .map(|s| s["results"][0]["line"].clone()),
            Some(json!(3))
        );
        call(
            "memory_rename",
            json!({"old_path": "/infra.md", "new_path": "/team/infra.md"}),
        )
        .expect("rename");
        assert!(dir.path().join("team/infra.md").is_file());
        call("memory_delete", json!({"path": "/team"})).expect("delete folder");
        assert!(!dir.path().join("team").exists());
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).expect("read_dir").count(), 0);
        assert!(matches!(
            call("memory_view", json!({"path": "/gone.md"})),
            Err(ToolError::NotFound(_))
        ));
    }
}
