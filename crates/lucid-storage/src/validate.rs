//! Field rules shared by every backend and the HTTP layer, so a limit is written once.

use unicode_normalization::is_nfc;

use crate::Metadata;

pub const MAX_NAME_CHARS: usize = 255;
pub const MAX_DESCRIPTION_CHARS: usize = 1_024;
pub const MAX_METADATA_PAIRS: usize = 16;
pub const MAX_METADATA_KEY_CHARS: usize = 64;
pub const MAX_METADATA_VALUE_CHARS: usize = 512;
pub const MAX_CONTENT_BYTES: usize = 102_400;
pub const MAX_PATH_SEGMENTS: usize = 20;
// The engine's own limits, defined once in lucid-core: a path, a dream's instructions and its
// sessions mean the same on a folder dream and through the service.
pub use lucid_core::instructions::MAX_INSTRUCTIONS_CHARS;
pub use lucid_core::{MAX_DREAM_SESSIONS, MAX_PATH_BYTES};
pub const MAX_TITLE_CHARS: usize = 512;

/// A name: 1 to 255 characters, no control characters.
pub fn name(field: &str, value: &str) -> Result<(), String> {
    let chars = value.chars().count();
    if chars == 0 || value.trim().is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if chars > MAX_NAME_CHARS {
        return Err(format!(
            "{field} is {chars} characters long; the limit is {MAX_NAME_CHARS}"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(())
}

/// A free-text field with a character limit.
pub fn text(field: &str, value: &str, limit: usize) -> Result<(), String> {
    let chars = value.chars().count();
    if chars > limit {
        return Err(format!(
            "{field} is {chars} characters long; the limit is {limit}"
        ));
    }
    Ok(())
}

/// Metadata after a change: at most 16 pairs, keys 1 to 64 characters, values at most 512.
pub fn metadata(metadata: &Metadata) -> Result<(), String> {
    if metadata.len() > MAX_METADATA_PAIRS {
        return Err(format!(
            "metadata has {} pairs; the limit is {MAX_METADATA_PAIRS}",
            metadata.len()
        ));
    }
    for (key, value) in metadata {
        let key_chars = key.chars().count();
        if key_chars == 0 || key_chars > MAX_METADATA_KEY_CHARS {
            return Err(format!(
                "metadata key {key:?} must be 1 to {MAX_METADATA_KEY_CHARS} characters long"
            ));
        }
        if value.chars().count() > MAX_METADATA_VALUE_CHARS {
            return Err(format!(
                "metadata value of {key:?} is longer than {MAX_METADATA_VALUE_CHARS} characters"
            ));
        }
    }
    Ok(())
}

/// A memory path: starts with `/`, 1 to 20 non-empty segments, no `.` or `..`, no control or
/// format characters (nor U+2028/U+2029), Unicode NFC, at most 1,024 bytes.
pub fn memory_path(path: &str) -> Result<(), String> {
    lucid_core::validate_store_path(path)?;
    let segments = path[1..].split('/').count();
    if segments > MAX_PATH_SEGMENTS {
        return Err(format!(
            "path has {segments} segments; the limit is {MAX_PATH_SEGMENTS}"
        ));
    }
    if path.chars().any(is_format_char) {
        return Err(format!(
            "path {path:?} contains a format or line-separator character"
        ));
    }
    if !is_nfc(path) {
        return Err(format!(
            "path {path:?} is not in Unicode Normalization Form C"
        ));
    }
    Ok(())
}

/// A `path_prefix` for listing: starts and ends with `/` (a missing final `/` is added, so the
/// prefix always matches whole segments). Returns the normalised prefix.
pub fn path_prefix(prefix: &str) -> Result<String, String> {
    if !prefix.starts_with('/') {
        return Err(format!("path_prefix {prefix:?} must start with '/'"));
    }
    if prefix.len() > MAX_PATH_BYTES {
        return Err(format!("path_prefix is longer than {MAX_PATH_BYTES} bytes"));
    }
    let mut normalised = prefix.to_string();
    if !normalised.ends_with('/') {
        normalised.push('/');
    }
    if normalised != "/" {
        for segment in normalised[1..normalised.len() - 1].split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err(format!(
                    "path_prefix {prefix:?} has an empty, '.' or '..' segment"
                ));
            }
        }
    }
    if normalised
        .chars()
        .any(|c| c.is_control() || is_format_char(c))
    {
        return Err(format!(
            "path_prefix {prefix:?} contains a control character"
        ));
    }
    Ok(normalised)
}

/// Unicode format characters (category Cf) likely in text, and the line/paragraph separators.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Memory content: at most 100 kB of UTF-8.
pub fn content(content: &str) -> Result<(), String> {
    if content.len() > MAX_CONTENT_BYTES {
        return Err(format!(
            "content is {} bytes; the limit is {MAX_CONTENT_BYTES} bytes",
            content.len()
        ));
    }
    Ok(())
}

/// Dream instructions: 1 to 4,096 characters.
pub fn instructions(text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars == 0 {
        return Err("instructions must be 1 to 4096 characters long; omit them instead of sending an empty string".into());
    }
    if chars > MAX_INSTRUCTIONS_CHARS {
        return Err(format!(
            "instructions are {chars} characters long; the limit is {MAX_INSTRUCTIONS_CHARS}"
        ));
    }
    Ok(())
}

/// The sessions of a dream: 1 to 100 ids, no duplicates. Returns them sorted.
pub fn dream_sessions(ids: &[String]) -> Result<Vec<String>, String> {
    if ids.is_empty() {
        return Err("a dream needs at least one session id".into());
    }
    if ids.len() > MAX_DREAM_SESSIONS {
        return Err(format!(
            "{} session ids given; the limit is {MAX_DREAM_SESSIONS} per dream",
            ids.len()
        ));
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    for pair in sorted.windows(2) {
        if pair[0] == pair[1] {
            return Err(format!("session id {} is listed twice", pair[0]));
        }
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(memory_path("/a/b.md").is_ok());
        assert!(memory_path("/a/../b.md").is_err());
        assert!(memory_path("/a/./b.md").is_err());
        assert!(memory_path("a.md").is_err());
        assert!(memory_path("/a\u{2028}b").is_err());
        assert!(memory_path("/e\u{0301}.md").is_err(), "not NFC");
        assert!(memory_path(&"/a".repeat(21)).is_err());
        assert!(memory_path(&format!("/{}", "x".repeat(1024))).is_err());
    }

    #[test]
    fn prefixes() {
        assert_eq!(path_prefix("/notes").as_deref(), Ok("/notes/"));
        assert_eq!(path_prefix("/").as_deref(), Ok("/"));
        assert!(path_prefix("notes/").is_err());
        assert!(path_prefix("/a/../").is_err());
    }

    #[test]
    fn sessions() {
        let ids: Vec<String> = vec!["b".into(), "a".into()];
        assert_eq!(dream_sessions(&ids), Ok(vec!["a".into(), "b".into()]));
        assert!(dream_sessions(&[]).is_err());
        assert!(dream_sessions(&["a".into(), "a".into()]).is_err());
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(dream_sessions(&many).is_err());
    }

    #[test]
    fn instruction_limits() {
        assert!(instructions("x").is_ok());
        assert!(instructions("").is_err());
        assert!(instructions(&"x".repeat(4096)).is_ok());
        assert!(instructions(&"x".repeat(4097)).is_err());
    }
}
