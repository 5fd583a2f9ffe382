//! Identifiers, times and content hashes, made the same way by every backend.

use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet (no I, L, O, U): ids read unambiguously and sort like their bytes.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new random id with a type prefix, e.g. `memstore_01JD8X…` (26 characters after the
/// underscore). The body is a UUID v7: 48 bits of milliseconds then 74 random bits, so ids of one
/// type sort roughly by creation time and cannot be guessed.
pub fn new_id(prefix: &str) -> String {
    let value = uuid::Uuid::now_v7().as_u128();
    let mut body = [0u8; 26];
    for (index, slot) in body.iter_mut().enumerate() {
        // 26 digits of 5 bits cover 130 bits; the first digit holds the top 3.
        let shift = 125 - 5 * index as u32;
        *slot = ALPHABET[((value >> shift) & 0x1f) as usize];
    }
    let mut id = String::with_capacity(prefix.len() + 27);
    id.push_str(prefix);
    id.push('_');
    // The alphabet is ASCII, so every byte is a char.
    id.extend(body.iter().map(|&b| b as char));
    id
}

/// Prefixes of every object type.
pub mod prefix {
    /// Workspaces: `wrkspc_…`.
    pub const WORKSPACE: &str = "wrkspc";
    /// API keys (the key's id, not its secret): `apikey_…`.
    pub const API_KEY: &str = "apikey";
    /// Memory stores: `memstore_…`.
    pub const MEMORY_STORE: &str = "memstore";
    /// Memories: `mem_…`.
    pub const MEMORY: &str = "mem";
    /// Memory versions: `memver_…`.
    pub const MEMORY_VERSION: &str = "memver";
    /// Agents: `agent_…`.
    pub const AGENT: &str = "agent";
    /// Sessions, agent logs and dream narrations alike: `sesn_…`.
    pub const SESSION: &str = "sesn";
    /// Session events whose caller gave no id: `sevt_…`.
    pub const EVENT: &str = "sevt";
    /// Dreams: `drm_…`.
    pub const DREAM: &str = "drm";
    /// Schedules: `sched_…`.
    pub const SCHEDULE: &str = "sched";
}

/// True when `id` looks like an id of the given prefix (cheap check before a lookup).
pub fn has_prefix(id: &str, prefix: &str) -> bool {
    id.len() > prefix.len() + 1
        && id.starts_with(prefix)
        && id.as_bytes().get(prefix.len()) == Some(&b'_')
}

/// The current time in lucid's canonical form: RFC 3339, UTC, microseconds, `Z`
/// (`2026-01-02T03:04:05.123456Z`). Fixed width, so text order is time order and backends can
/// compare times as strings.
pub fn now() -> String {
    format_time(&chrono::Utc::now())
}

/// Formats an instant in the canonical form (see [`now`]).
pub fn format_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses a time given by a client: RFC 3339 with any offset, or a date-time without offset
/// (taken as UTC, as Python's `datetime.isoformat()` of a naive value gives), or a bare date.
/// Returns the canonical form.
pub fn parse_time(text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(format_time(&at.with_timezone(&chrono::Utc)));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(format_time(&naive.and_utc()));
        }
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| format_time(&t.and_utc()));
    }
    None
}

/// Lowercase hex SHA-256 of the UTF-8 bytes: a memory's `content_sha256`, and how API keys are
/// stored.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(b"0123456789abcdef"[(byte >> 4) as usize]));
        out.push(char::from(b"0123456789abcdef"[(byte & 0xf) as usize]));
    }
    out
}

/// A new API key secret: `sk-lucid-` and 43 characters of base62-ish randomness (two UUID v4s,
/// 244 random bits).
pub fn new_secret() -> String {
    let mut secret = String::from("sk-lucid-");
    for _ in 0..2 {
        let mut value = uuid::Uuid::new_v4().as_u128();
        for _ in 0..21 {
            let digit = (value % 62) as u8;
            value /= 62;
            secret.push(char::from(match digit {
                0..=9 => b'0' + digit,
                10..=35 => b'a' + digit - 10,
                _ => b'A' + digit - 36,
            }));
        }
    }
    secret
}

/// Page cursors are opaque to clients: the position (a sequence number or a path) in hex.
pub fn encode_cursor(position: &str) -> String {
    let mut out = String::from("page_");
    for byte in position.as_bytes() {
        out.push(char::from(b"0123456789abcdef"[(byte >> 4) as usize]));
        out.push(char::from(b"0123456789abcdef"[(byte & 0xf) as usize]));
    }
    out
}

/// The position inside a cursor made by [`encode_cursor`]; `None` when it is not one.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    let hex = cursor.strip_prefix("page_")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes: Option<Vec<u8>> = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_fixed_length() {
        let a = new_id(prefix::MEMORY_STORE);
        let b = new_id(prefix::MEMORY_STORE);
        assert!(a.starts_with("memstore_"));
        assert_eq!(a.len(), "memstore_".len() + 26);
        assert_ne!(a, b);
        assert!(has_prefix(&a, prefix::MEMORY_STORE));
        assert!(!has_prefix(&a, prefix::MEMORY));
    }

    #[test]
    fn times_parse_into_canonical_form() {
        assert_eq!(
            parse_time("2026-01-02T03:04:05+01:00").as_deref(),
            Some("2026-01-02T02:04:05.000000Z")
        );
        assert_eq!(
            parse_time("2026-01-02T03:04:05.5").as_deref(),
            Some("2026-01-02T03:04:05.500000Z")
        );
        assert_eq!(
            parse_time("2026-01-02").as_deref(),
            Some("2026-01-02T00:00:00.000000Z")
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(now().len(), 27);
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = encode_cursor("/a/b é");
        assert_eq!(decode_cursor(&cursor).as_deref(), Some("/a/b é"));
        assert_eq!(decode_cursor("page_zz"), None);
        assert_eq!(decode_cursor("nope"), None);
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = new_secret();
        assert!(a.starts_with("sk-lucid-"));
        assert_eq!(a.len(), 9 + 42);
        assert_ne!(a, new_secret());
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}
