//! Store paths as the tools accept them, normalised and confined.
//!
//! A path names a file or folder of the store: `/notes/a.md`, `notes/a.md` and (as Anthropic's
//! memory tool writes them) `/memories/notes/a.md` are the same file; `/`, `/memories` and the
//! empty path are the root. `..` is refused rather than resolved, so no spelling of a path
//! leaves the store; hidden segments (`.git`, `.lucid-tmp…`) and control characters are
//! refused too. Folder backends add the symlink check (see `folder`).

use crate::ToolError;

/// The prefix Anthropic's memory tool puts before every path.
const MEMORIES_ROOT: &str = "/memories";

/// `/a/b.md` for a file or folder, `/` for the root.
pub fn normalize(raw: &str) -> Result<String, ToolError> {
    let trimmed = raw.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(ToolError::Invalid(format!(
            "the path {raw:?} contains control characters"
        )));
    }
    let with_slash = if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    };
    let relative = match with_slash.strip_prefix(MEMORIES_ROOT) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => with_slash.as_str(),
    };
    let mut segments = Vec::new();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                return Err(ToolError::Invalid(format!(
                    "the path {raw:?} contains '..': paths are confined to the memory store; \
                     name files from its root, e.g. /notes.md"
                )));
            }
            hidden if hidden.starts_with('.') => {
                return Err(ToolError::Invalid(format!(
                    "the path {raw:?} names a hidden file or folder ({hidden}); memory files \
                     have visible names"
                )));
            }
            segment => segments.push(segment),
        }
    }
    Ok(format!("/{}", segments.join("/")))
}

/// The prefix that lists a folder's files (`/` or `/dir/`).
pub fn folder_prefix(path: &str) -> String {
    if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_within_the_store() {
        assert_eq!(normalize("/a/b.md").as_deref(), Ok("/a/b.md"));
        assert_eq!(normalize("a//./b.md").as_deref(), Ok("/a/b.md"));
        assert_eq!(normalize("/memories/a.md").as_deref(), Ok("/a.md"));
        assert_eq!(normalize("/memories").as_deref(), Ok("/"));
        assert_eq!(normalize("").as_deref(), Ok("/"));
        assert_eq!(normalize("/memoriesx.md").as_deref(), Ok("/memoriesx.md"));
        // An absolute path names a file of the store, never of the machine.
        assert_eq!(normalize("/etc/passwd").as_deref(), Ok("/etc/passwd"));
    }

    #[test]
    fn escapes_and_hidden_names_are_refused() {
        for bad in [
            "../x.md",
            "/a/../../etc/passwd",
            "/memories/..",
            "a/.git/config",
            "a\0b",
        ] {
            let error = normalize(bad).expect_err(bad);
            assert!(matches!(error, ToolError::Invalid(_)), "{bad}: {error:?}");
        }
    }
}
