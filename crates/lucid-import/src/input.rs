//! Turning raw bytes into something the importers can walk: UTF-8 text, then either one JSON
//! document or JSON Lines.
//!
//! Shared rules live here so every format treats files alike: a UTF-8 byte-order mark is
//! skipped; blank lines (and lines of NUL bytes a crash left) are skipped; a truncated *last*
//! line (a crash mid-write) is skipped, while a bad line anywhere else is an error naming the
//! line.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ImportError, describe_json_error};
use crate::json::kind_of;

/// A transcript file after the first look.
pub(crate) enum Input<'a> {
    /// The whole file is one JSON value (an object or an array), already parsed.
    Document(Value),
    /// Several JSON values, one per line; parsed line by line by the importer.
    Lines(&'a str),
}

/// The bytes as text: BOM skipped, UTF-8 checked. An incomplete multi-byte character at the very
/// end (a write cut short) is dropped rather than rejected, like a truncated last line.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Utf16);
    }
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let (bytes, skipped) = match bytes.strip_prefix(BOM) {
        Some(rest) => (rest, BOM.len()),
        None => (bytes, 0),
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) if error.error_len().is_none() => bytes
            .get(..error.valid_up_to())
            .and_then(|valid| std::str::from_utf8(valid).ok())
            .ok_or(ImportError::NotUtf8 {
                offset: error.valid_up_to() + skipped,
            }),
        Err(error) => Err(ImportError::NotUtf8 {
            offset: error.valid_up_to() + skipped,
        }),
    }
}

/// Decides between one JSON document and JSON Lines, parsing a document once.
///
/// A file whose first value ends before the end of the file is JSON Lines — unless that first
/// value spans several lines, which means a pretty-printed document followed by junk.
pub(crate) fn read(text: &str) -> Result<Input<'_>, ImportError> {
    let body = text.trim_start();
    if body.is_empty() {
        return Err(ImportError::Empty);
    }
    let leading = text.len() - body.len();
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<Value>();
    match stream.next() {
        None => Err(ImportError::Empty),
        Some(Ok(value)) => {
            let end = stream.byte_offset();
            let rest = body.get(end..).unwrap_or("");
            if rest.trim().is_empty() {
                return Ok(Input::Document(value));
            }
            let first = body.get(..end).unwrap_or("");
            if first.contains('\n') {
                let line = 1 + text
                    .get(..leading + end)
                    .unwrap_or("")
                    .matches('\n')
                    .count();
                return Err(ImportError::Json {
                    reason: format!(
                        "unexpected data after the JSON document, at line {line} \
                         (a JSON Lines file needs one value per line)"
                    ),
                });
            }
            Ok(Input::Lines(text))
        }
        Some(Err(error)) => {
            // A broken value that started and failed on the same line is most likely a JSON Lines
            // file with a bad (or truncated) first line: let the line reader report or skip it.
            if error.line() <= 1 {
                Ok(Input::Lines(text))
            } else {
                Err(ImportError::Json {
                    reason: error.to_string(),
                })
            }
        }
    }
}

/// Calls `each` with every record of a JSON Lines text, parsed as `T`, with its 1-based line
/// number. Blank lines are skipped; so is a last line that ends mid-value.
pub(crate) fn each_line<T: DeserializeOwned>(
    text: &str,
    mut each: impl FnMut(usize, T) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut lines = record_lines(text).peekable();
    while let Some((number, line)) = lines.next() {
        let is_last = lines.peek().is_none();
        if !line.starts_with('{') {
            return Err(ImportError::Line {
                line: number,
                reason: format!("expected JSON object, found {}", describe_start(line)),
            });
        }
        match serde_json::from_str::<T>(line) {
            Ok(record) => each(number, record)?,
            Err(error) if is_last && ends_mid_value(&error, line) => break,
            Err(error) => {
                return Err(ImportError::Line {
                    line: number,
                    reason: format!("invalid JSON: {}", describe_json_error(&error)),
                });
            }
        }
    }
    Ok(())
}

/// The non-blank lines of a JSON Lines text with their 1-based numbers, trimmed. NUL bytes count
/// as blank: a crash can leave a file's tail zeroed (a Codex rollout ending in 3,772 NULs), which
/// holds no record and hides none.
pub(crate) fn record_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(index, line)| {
            (
                index + 1,
                line.trim_matches(|c: char| c.is_whitespace() || c == '\0'),
            )
        })
        .filter(|(_, line)| !line.is_empty())
}

/// Whether a parse error is what a line cut short produces: the input ran out, or a number was
/// cut after its `.`, sign or exponent mark (which the parser reports as an invalid number).
pub(crate) fn ends_mid_value(error: &serde_json::Error, line: &str) -> bool {
    error.is_eof() || (error.column() >= line.len() && line.ends_with(['.', '-', '+', 'e', 'E']))
}

/// "a string", "an array", … for the start of a line that is not an object.
fn describe_start(line: &str) -> String {
    let kind = match line.as_bytes().first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(b't' | b'f') if line.starts_with("true") || line.starts_with("false") => "a boolean",
        Some(b'n') if line.starts_with("null") => "null",
        _ => "text that is not JSON",
    };
    let preview: String = line.chars().take(40).collect();
    let ellipsis = if line.chars().nth(40).is_some() {
        "…"
    } else {
        ""
    };
    format!("{kind}: {preview}{ellipsis}")
}

/// Calls `each` with every record of a transcript that is JSON Lines, a JSON array of records,
/// or a single record object. `T` is the importer's typed record.
pub(crate) fn each_record<T: DeserializeOwned>(
    input: Input<'_>,
    format: lucid_core::TranscriptFormat,
    mut each: impl FnMut(T) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    match input {
        Input::Lines(text) => each_line(text, |_, record| each(record)),
        Input::Document(Value::Array(items)) => {
            for (index, item) in items.into_iter().enumerate() {
                each(record_from_value(item, index)?)?;
            }
            Ok(())
        }
        Input::Document(object @ Value::Object(_)) => {
            let record =
                serde_json::from_value(object).map_err(|error| ImportError::WrongShape {
                    format,
                    reason: error.to_string(),
                })?;
            each(record)
        }
        Input::Document(other) => Err(ImportError::WrongShape {
            format,
            reason: format!(
                "expected JSON Lines, an array of records or one record object, found {}",
                kind_of(&other)
            ),
        }),
    }
}

/// One element of a JSON array of records, as `T`.
pub(crate) fn record_from_value<T: DeserializeOwned>(
    item: Value,
    index: usize,
) -> Result<T, ImportError> {
    if !item.is_object() {
        return Err(ImportError::Item {
            index,
            reason: format!("expected JSON object, found {}", kind_of(&item)),
        });
    }
    serde_json::from_value(item).map_err(|error| ImportError::Item {
        index,
        reason: error.to_string(),
    })
}

/// All records of a JSON Lines text as values (for formats that are really one document, such as
/// a chat saved one message per line).
pub(crate) fn lines_to_array(text: &str) -> Result<Value, ImportError> {
    let mut items = Vec::new();
    each_line::<Value>(text, |_, value| {
        items.push(value);
        Ok(())
    })?;
    Ok(Value::Array(items))
}
