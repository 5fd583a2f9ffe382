//! Field rules shared by every backend and the HTTP layer, so a limit is written once. A broken
//! rule is a [`ValidationError`] naming the field and the [`Rule`], with a message for people.

use unicode_normalization::is_nfc;

use crate::Metadata;

/// The longest name [`name`] accepts (of a store or an agent), in characters.
pub const MAX_NAME_CHARS: usize = 255;
/// The longest store description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1_024;
/// The most key-value pairs an object's metadata holds.
pub const MAX_METADATA_PAIRS: usize = 16;
/// The longest metadata key, in characters (keys have at least one).
pub const MAX_METADATA_KEY_CHARS: usize = 64;
/// The longest metadata value, in characters.
pub const MAX_METADATA_VALUE_CHARS: usize = 512;
/// The largest memory content, in bytes of UTF-8 (100 KiB).
pub const MAX_CONTENT_BYTES: usize = 102_400;
/// The most segments a memory path has (`/a/b.md` has two).
pub const MAX_PATH_SEGMENTS: usize = 20;
// The engine's own limits, defined once in lucid-core: a path, a dream's instructions and its
// sessions mean the same on a folder dream and through the service.
pub use lucid_core::instructions::MAX_INSTRUCTIONS_CHARS;
pub use lucid_core::{MAX_DREAM_SESSIONS, MAX_PATH_BYTES};
/// The longest session title, in characters.
pub const MAX_TITLE_CHARS: usize = 512;

/// Which rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Empty where a value is needed.
    Required,
    /// Longer than its limit (characters or bytes).
    TooLong,
    /// More items than the limit (metadata pairs, path segments, session ids).
    TooMany,
    /// A character the field may not hold (control, format, not NFC).
    Characters,
    /// Not the field's shape (a path without its leading `/`, a `..` segment).
    Syntax,
    /// The same item twice.
    Duplicate,
}

/// A value that breaks a field's rule: the field, the rule, and the message a client reads
/// (which says what to fix). Callers branch on `field` and `rule`; the message is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    /// The field as the API names it (`name`, `metadata`, `path`, `session_ids` …).
    pub field: String,
    /// Which rule the value broke; callers branch on it, not on the message.
    pub rule: Rule,
    /// The sentence a client reads, saying what to fix; also the error's `Display`.
    pub message: String,
}

impl ValidationError {
    fn new(field: &str, rule: Rule, message: String) -> Self {
        ValidationError {
            field: field.to_string(),
            rule,
            message,
        }
    }
}

impl From<ValidationError> for String {
    fn from(error: ValidationError) -> String {
        error.message
    }
}

impl From<ValidationError> for crate::StorageError {
    fn from(error: ValidationError) -> Self {
        crate::StorageError::Invalid(error.message)
    }
}

/// A name: 1 to 255 characters, no control characters.
pub fn name(field: &str, value: &str) -> Result<(), ValidationError> {
    let chars = value.chars().count();
    if chars == 0 || value.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            Rule::Required,
            format!("{field} must not be empty"),
        ));
    }
    if chars > MAX_NAME_CHARS {
        return Err(ValidationError::new(
            field,
            Rule::TooLong,
            format!("{field} is {chars} characters long; the limit is {MAX_NAME_CHARS}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            Rule::Characters,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(())
}

/// A free-text field with a character limit.
pub fn text(field: &str, value: &str, limit: usize) -> Result<(), ValidationError> {
    let chars = value.chars().count();
    if chars > limit {
        return Err(ValidationError::new(
            field,
            Rule::TooLong,
            format!("{field} is {chars} characters long; the limit is {limit}"),
        ));
    }
    Ok(())
}

/// Metadata after a change: at most 16 pairs, keys 1 to 64 characters, values at most 512.
pub fn metadata(metadata: &Metadata) -> Result<(), ValidationError> {
    if metadata.len() > MAX_METADATA_PAIRS {
        return Err(ValidationError::new(
            "metadata",
            Rule::TooMany,
            format!(
                "metadata has {} pairs; the limit is {MAX_METADATA_PAIRS}",
                metadata.len()
            ),
        ));
    }
    for (key, value) in metadata {
        let key_chars = key.chars().count();
        if key_chars == 0 || key_chars > MAX_METADATA_KEY_CHARS {
            return Err(ValidationError::new(
                "metadata",
                if key_chars == 0 {
                    Rule::Required
                } else {
                    Rule::TooLong
                },
                format!(
                    "metadata key {key:?} must be 1 to {MAX_METADATA_KEY_CHARS} characters long"
                ),
            ));
        }
        if value.chars().count() > MAX_METADATA_VALUE_CHARS {
            return Err(ValidationError::new(
                "metadata",
                Rule::TooLong,
                format!(
                    "metadata value of {key:?} is longer than {MAX_METADATA_VALUE_CHARS} characters"
                ),
            ));
        }
    }
    Ok(())
}

/// A memory path: starts with `/`, 1 to 20 non-empty segments, no `.` or `..`, no control or
/// format characters (nor U+2028/U+2029), Unicode NFC, at most 1,024 bytes.
pub fn memory_path(path: &str) -> Result<(), ValidationError> {
    lucid_core::validate_store_path(path)
        .map_err(|message| ValidationError::new("path", Rule::Syntax, message))?;
    let segments = path[1..].split('/').count();
    if segments > MAX_PATH_SEGMENTS {
        return Err(ValidationError::new(
            "path",
            Rule::TooMany,
            format!("path has {segments} segments; the limit is {MAX_PATH_SEGMENTS}"),
        ));
    }
    if path.chars().any(is_format_char) {
        return Err(ValidationError::new(
            "path",
            Rule::Characters,
            format!("path {path:?} contains a format or line-separator character"),
        ));
    }
    if !is_nfc(path) {
        return Err(ValidationError::new(
            "path",
            Rule::Characters,
            format!("path {path:?} is not in Unicode Normalization Form C"),
        ));
    }
    Ok(())
}

/// A `path_prefix` for listing: starts and ends with `/` (a missing final `/` is added, so the
/// prefix always matches whole segments). Returns the normalised prefix.
pub fn path_prefix(prefix: &str) -> Result<String, ValidationError> {
    if !prefix.starts_with('/') {
        return Err(ValidationError::new(
            "path_prefix",
            Rule::Syntax,
            format!("path_prefix {prefix:?} must start with '/'"),
        ));
    }
    if prefix.len() > MAX_PATH_BYTES {
        return Err(ValidationError::new(
            "path_prefix",
            Rule::TooLong,
            format!("path_prefix is longer than {MAX_PATH_BYTES} bytes"),
        ));
    }
    let mut normalised = prefix.to_string();
    if !normalised.ends_with('/') {
        normalised.push('/');
    }
    if normalised != "/" {
        for segment in normalised[1..normalised.len() - 1].split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err(ValidationError::new(
                    "path_prefix",
                    Rule::Syntax,
                    format!("path_prefix {prefix:?} has an empty, '.' or '..' segment"),
                ));
            }
        }
    }
    if normalised
        .chars()
        .any(|c| c.is_control() || is_format_char(c))
    {
        return Err(ValidationError::new(
            "path_prefix",
            Rule::Characters,
            format!("path_prefix {prefix:?} contains a control character"),
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
pub fn content(content: &str) -> Result<(), ValidationError> {
    if content.len() > MAX_CONTENT_BYTES {
        return Err(ValidationError::new(
            "content",
            Rule::TooLong,
            format!(
                "content is {} bytes; the limit is {MAX_CONTENT_BYTES} bytes",
                content.len()
            ),
        ));
    }
    Ok(())
}

/// Dream instructions: 1 to 4,096 characters.
pub fn instructions(text: &str) -> Result<(), ValidationError> {
    let chars = text.chars().count();
    if chars == 0 {
        return Err(ValidationError::new(
            "instructions",
            Rule::Required,
            format!(
                "instructions must be 1 to {MAX_INSTRUCTIONS_CHARS} characters long; omit them \
                 instead of sending an empty string"
            ),
        ));
    }
    if chars > MAX_INSTRUCTIONS_CHARS {
        return Err(ValidationError::new(
            "instructions",
            Rule::TooLong,
            format!(
                "instructions are {chars} characters long; the limit is {MAX_INSTRUCTIONS_CHARS}"
            ),
        ));
    }
    Ok(())
}

/// The sessions of a dream: 1 to 100 ids, no duplicates. Returns them sorted.
pub fn dream_sessions(ids: &[String]) -> Result<Vec<String>, ValidationError> {
    if ids.is_empty() {
        return Err(ValidationError::new(
            "session_ids",
            Rule::Required,
            "a dream needs at least one session id".into(),
        ));
    }
    if ids.len() > MAX_DREAM_SESSIONS {
        return Err(ValidationError::new(
            "session_ids",
            Rule::TooMany,
            format!(
                "{} session ids given; the limit is {MAX_DREAM_SESSIONS} per dream",
                ids.len()
            ),
        ));
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    for pair in sorted.windows(2) {
        if pair[0] == pair[1] {
            return Err(ValidationError::new(
                "session_ids",
                Rule::Duplicate,
                format!("session id {} is listed twice", pair[0]),
            ));
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
        let twice = dream_sessions(&["a".into(), "a".into()]).expect_err("listed twice");
        assert_eq!(
            (twice.field.as_str(), twice.rule),
            ("session_ids", Rule::Duplicate)
        );
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(dream_sessions(&many).is_err());
    }

    #[test]
    fn instruction_limits() {
        assert!(instructions("x").is_ok());
        assert!(instructions("").is_err());
        assert!(instructions(&"x".repeat(4096)).is_ok());
        let long = instructions(&"x".repeat(4097)).expect_err("too long");
        assert_eq!(
            (long.field.as_str(), long.rule),
            ("instructions", Rule::TooLong)
        );
        assert!(long.to_string().contains("4097 characters"), "{long}");
    }
}
