//! The service's size limits, checked before anything is stored: what is too large is a `413`
//! envelope naming the limit and the `lucid serve` flag that raises it. (The request body limit
//! itself is axum's `DefaultBodyLimit`, answered as a `413` by the extractors.)

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// Counts the bytes a value serialises to, without keeping them.
#[derive(Default)]
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The size of a JSON value as compact JSON.
pub fn json_size(value: &impl serde::Serialize) -> usize {
    let mut counter = Counter::default();
    // Writing to a counter cannot fail; a value that cannot serialise counts as what it wrote.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// Every event at most `max` bytes of JSON; `what` names the list (`events`, `initial_events`,
/// `the transcript`).
pub fn check_events(events: &[Map<String, Value>], max: usize, what: &str) -> ApiResult<()> {
    for (index, event) in events.iter().enumerate() {
        let size = json_size(event);
        if size > max {
            return Err(ApiError::too_large(format!(
                "{what}[{index}] is {size} bytes of JSON; an event may be at most {max} bytes \
                 (lucid serve --max-event-kb raises the limit)"
            )));
        }
    }
    Ok(())
}

/// An agent's system prompt at most `max` bytes.
pub fn check_system(system: Option<&str>, max: usize) -> ApiResult<()> {
    match system {
        Some(text) if text.len() > max => Err(ApiError::too_large(format!(
            "system is {} bytes; a system prompt may be at most {max} bytes (lucid serve \
             --max-system-kb raises the limit)",
            text.len()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_compact_json() {
        assert_eq!(json_size(&serde_json::json!({"a": [1, "b"]})), 13);
        let big: Map<String, Value> = serde_json::from_value(
            serde_json::json!({"type": "user.message", "text": "x".repeat(100)}),
        )
        .expect("map");
        assert!(check_events(std::slice::from_ref(&big), 200, "events").is_ok());
        let error = check_events(&[big], 50, "events").expect_err("too large");
        assert_eq!(error.status.as_u16(), 413);
        assert!(error.message.contains("events[0]"), "{}", error.message);
        assert!(check_system(Some("abc"), 2).is_err());
        assert!(check_system(None, 0).is_ok());
    }
}
