//! The service's limits. Sizes are checked before anything is stored: what is too large is a
//! `413` envelope naming the limit and the `lucid serve` flag that raises it (the request body
//! limit itself is axum's `DefaultBodyLimit`, answered as a `413` by the extractors).
//! [`Limits`] holds the rest — connections, timeouts, event streams and request rates — which
//! the config file's `[server]` section sets.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// A token bucket's settings: `per_second` tokens are added each second up to `burst`; a
/// request takes one. `per_second` 0 turns the bucket off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens added per second; 0 or less turns the bucket off.
    pub per_second: f64,
    /// The most tokens the bucket holds: how many requests may arrive at once after a quiet spell.
    pub burst: f64,
}

impl Rate {
    /// No limit.
    pub const OFF: Rate = Rate {
        per_second: 0.0,
        burst: 0.0,
    };

    /// Whether the bucket limits nothing (`per_second` is 0 or less).
    pub fn is_off(&self) -> bool {
        self.per_second <= 0.0
    }
}

/// Connection, stream and rate limits (`[server]` in the config file; the keys are named on each
/// field). The defaults are generous for a team's service and tight enough that one client
/// cannot exhaust it.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// `max_connections` (1024): open connections at once; beyond it a new connection gets a
    /// `503` envelope and is closed.
    pub max_connections: usize,
    /// `header_timeout_seconds` (30): a request's head (request line and headers) must arrive
    /// within this time, and an idle kept-alive connection is closed after it.
    pub header_timeout: Duration,
    /// `body_timeout_seconds` (30): the longest pause while a request body arrives.
    pub body_timeout: Duration,
    /// `shutdown_seconds` (30): after SIGINT/SIGTERM, requests and running dreams get this long;
    /// then open connections are closed (a second signal exits at once).
    pub shutdown_timeout: Duration,
    /// `max_streams_per_key` (64): event streams one key (or, in open mode, the whole server)
    /// may hold open; beyond it, `429`. 0: no cap.
    pub max_streams_per_key: usize,
    /// `max_uri_kb` (8 KiB): a longer request URI is a `414` envelope.
    pub max_uri_bytes: usize,
    /// `max_header_kb` (32 KiB): larger request headers are a `431` envelope.
    pub max_header_bytes: usize,
    /// `rate_per_key` / `burst_per_key` (100/s, burst 1000): requests per presented API key
    /// (valid or not); beyond it, `429` with `retry-after`.
    pub key_rate: Rate,
    /// `rate_per_address` / `burst_per_address` (200/s, burst 2000): requests per client IP
    /// address (behind a proxy: the proxy's address).
    pub address_rate: Rate,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
            max_streams_per_key: 64,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            key_rate: Rate {
                per_second: 100.0,
                burst: 1000.0,
            },
            address_rate: Rate {
                per_second: 200.0,
                burst: 2000.0,
            },
        }
    }
}

impl Limits {
    /// No rate limits and no stream cap (benchmarks that measure the engine, not the limits).
    pub fn unlimited_rates(self) -> Limits {
        Limits {
            key_rate: Rate::OFF,
            address_rate: Rate::OFF,
            max_streams_per_key: 0,
            ..self
        }
    }
}

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
