//! The one error type of the crate: why a file could not be turned into a session.
//!
//! Messages are written for a person reading an import report: they say where (line or array
//! element) and what was expected, without repeating the file name (the caller knows it).

use lucid_core::TranscriptFormat;

/// Why a transcript could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes are not UTF-8 text (after an optional byte-order mark).
    #[error("not UTF-8: invalid byte sequence at byte {offset}")]
    NotUtf8 {
        /// Where the first invalid byte is (0-based).
        offset: usize,
    },
    /// The bytes start with a UTF-16 byte-order mark.
    #[error("not UTF-8: the file is UTF-16 text; convert it to UTF-8")]
    Utf16,
    /// Nothing but whitespace.
    #[error("empty input")]
    Empty,
    /// A whole-file JSON document that does not parse.
    #[error("invalid JSON: {reason}")]
    Json {
        /// The parser's message, without its misleading "at line 1" tail.
        reason: String,
    },
    /// A line of a JSON Lines file (1-based physical line number).
    #[error("line {line}: {reason}")]
    Line {
        /// The physical line, 1-based.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// An element of a JSON array of records (0-based index).
    #[error("element [{index}]: {reason}")]
    Item {
        /// The element's position in the array, 0-based.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Auto-detection found no format it knows.
    #[error("no recognised transcript format: {reason}")]
    UnrecognisedFormat {
        /// What the content looked like instead.
        reason: String,
    },
    /// The caller asked for a format the content does not have.
    #[error("not a {} transcript: {reason}", format.as_str())]
    WrongShape {
        /// The format asked for.
        format: TranscriptFormat,
        /// How the content differs from it.
        reason: String,
    },
    /// The file parsed, but held nothing lucid keeps (no messages, tool calls or results).
    #[error("no events: the {} transcript holds no messages, tool calls or results", format.as_str())]
    NoEvents {
        /// The format the file was read as.
        format: TranscriptFormat,
    },
}

/// Renders a serde_json error without its "at line 1 column N" tail, which is misleading when
/// the text parsed was a single line of a bigger file; the column is kept.
pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) if error.column() > 0 => {
            format!(
                "{} at column {}",
                text.get(..cut).unwrap_or(&text),
                error.column()
            )
        }
        Some(cut) => text.get(..cut).unwrap_or(&text).to_string(),
        None => text,
    }
}
