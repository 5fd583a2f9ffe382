//! Generic detector for random-looking tokens (unknown vendor API keys,
//! session secrets, base64-encoded credentials).
//!
//! The hard part is not finding random strings but *not* finding the many
//! long strings that transcripts are full of: git commit SHAs, sha256
//! digests, UUIDs, file paths, URLs, snake_case / camelCase identifiers,
//! SRI integrity hashes, SSH public keys, message ids. A token is reported
//! only when **all** of these hold:
//!
//! * it is a standalone run of ≥ 32 base64 / base64url characters that is
//!   not part of a URL (query-string values excepted);
//! * it mixes upper case, lower case and digits (rules out hex digests,
//!   UUIDs and most identifiers);
//! * its character classes alternate like random data rather than like
//!   words (`getUserAccount2024` switches class only at word boundaries,
//!   random base62 switches on ~60 % of adjacent pairs);
//! * its Shannon entropy is high;
//! * it is not introduced by a hash / digest / public-key context.
//!
//! The scan is a single pass over the bytes with no allocation.

/// Minimum token length considered.
const MIN_LEN: usize = 32;

/// Prefix words that make a typed identifier (`msg_…`, `chatcmpl-…`) a
/// potential secret rather than a harmless object id.
const SECRETISH_PREFIXES: &[&str] = &[
    "sk", "rk", "key", "secret", "token", "tok", "pat", "api", "apikey", "access", "auth",
    "private", "priv", "pass", "pwd", "session", "sess", "bearer", "refresh",
];

/// Words that, shortly before a token, mark it as a digest or public material.
const BENIGN_CONTEXT: &[&str] = &[
    "sha1", "sha-1", "sha256", "sha-256", "sha384", "sha512", "md5", "blake", "integrity",
    "checksum", "digest", "hash", "h1:", "etag", "signature", "ssh-rsa", "ssh-ed25519",
    "ssh-dss", "ecdsa-sha2", "fingerprint", "commit", "revision", "nonce",
];

/// Lookup table for the base64 / base64url alphabet (`A-Za-z0-9+/_-`):
/// the byte loops below run over every input byte, and a table lookup is
/// markedly faster than a chain of range comparisons.
pub(crate) static TOKEN_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'_' || b == b'-';
        i += 1;
    }
    t
};

#[inline]
pub(crate) fn is_token_byte(b: u8) -> bool {
    TOKEN_BYTE[usize::from(b)]
}

/// Calls `emit(start, end)` for every high-entropy token in `text`. Ranges
/// in `skip` (sorted, non-overlapping) are public material (certificates,
/// public keys) and are ignored.
pub(crate) fn find_high_entropy(text: &str, skip: &[(usize, usize)], mut emit: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        if !is_token_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_token_byte(bytes[i]) {
            i += 1;
        }
        let mut end = i;
        // Cheap length test first: most runs are short words.
        if end - start < MIN_LEN {
            continue;
        }
        // Include base64 padding in the span (but not in the analysis).
        let body_end = end;
        while end < n && bytes[end] == b'=' && end - body_end < 3 {
            end += 1;
        }
        if end < n && is_token_byte(bytes[end]) {
            // `a=b` style: the '=' was a separator, not padding.
            end = body_end;
        }
        if skip.iter().any(|&(s, e)| start >= s && start < e) {
            continue;
        }
        if is_random_token(text, start, body_end) {
            emit(start, end);
        }
    }
}

fn is_random_token(text: &str, start: usize, end: usize) -> bool {
    let tok = &text[start..end];
    let b = tok.as_bytes();
    let (mut upper, mut lower, mut digit) = (false, false, false);
    for &c in b {
        upper |= c.is_ascii_uppercase();
        lower |= c.is_ascii_lowercase();
        digit |= c.is_ascii_digit();
    }
    if !(upper && lower && digit) {
        return false;
    }
    if in_url(text, start) {
        return false;
    }
    if benign_context(text, start) {
        return false;
    }
    if typed_id_prefix(tok) {
        return false;
    }
    if looks_like_path(tok) {
        return false;
    }
    let rate = transition_rate(b);
    let random_shape = rate >= 0.42 || (rate >= 0.28 && wordy_ratio(b) <= 0.5);
    random_shape && shannon_entropy(b) >= 3.6
}

/// Mixed-case text whose character classes alternate like random data
/// (`ZmFrZTpleGFt`) rather than like words (`TokenAuthentication`).
pub(crate) fn looks_random(b: &[u8]) -> bool {
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    upper && lower && transition_rate(b) >= 0.42
}

/// True when the token sits inside a URL (scheme found earlier in the same
/// whitespace-delimited word) and is not a query-string / fragment value.
fn in_url(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    if start > 0 && matches!(bytes[start - 1], b'=' | b'#') {
        return false;
    }
    let lo = start.saturating_sub(512);
    let mut j = start;
    while j > lo {
        let c = bytes[j - 1];
        if c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'(' | b'`') {
            break;
        }
        if c == b'/' && j >= 3 && &bytes[j - 3..j] == b"://" {
            return true;
        }
        j -= 1;
    }
    false
}

fn benign_context(text: &str, start: usize) -> bool {
    let mut lo = start.saturating_sub(40);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let ctx = text[lo..start].to_ascii_lowercase();
    BENIGN_CONTEXT.iter().any(|w| ctx.contains(w))
}

/// `chatcmpl-…`, `msg_…`, `toolu_…`: object ids, unless the prefix word
/// itself says "secret".
fn typed_id_prefix(tok: &str) -> bool {
    let b = tok.as_bytes();
    let word_len = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    if !(2..=12).contains(&word_len) || word_len >= b.len() {
        return false;
    }
    if !matches!(b[word_len], b'_' | b'-') {
        return false;
    }
    let word = &tok[..word_len];
    !SECRETISH_PREFIXES.contains(&word)
}

/// Slash-separated segments that are short or word-like: a file path.
fn looks_like_path(tok: &str) -> bool {
    let slashes = tok.bytes().filter(|&c| c == b'/').count();
    if slashes < 2 {
        return false;
    }
    let segs: Vec<&str> = tok.split('/').filter(|s| !s.is_empty()).collect();
    let pathy = segs
        .iter()
        .filter(|s| s.len() <= 24 && (s.len() < 6 || wordy_ratio(s.as_bytes()) > 0.5 || transition_rate(s.as_bytes()) < 0.3))
        .count();
    pathy * 4 >= segs.len() * 3
}

#[inline]
fn class(c: u8) -> u8 {
    if c.is_ascii_uppercase() {
        1
    } else if c.is_ascii_lowercase() {
        2
    } else if c.is_ascii_digit() {
        3
    } else {
        0
    }
}

/// Fraction of adjacent alphanumeric pairs whose character class differs.
/// Identifiers change class only at word boundaries; random data changes
/// class on most pairs.
fn transition_rate(b: &[u8]) -> f64 {
    let (mut pairs, mut changes) = (0u32, 0u32);
    for w in b.windows(2) {
        let (x, y) = (class(w[0]), class(w[1]));
        if x != 0 && y != 0 {
            pairs += 1;
            if x != y {
                changes += 1;
            }
        }
    }
    if pairs == 0 {
        0.0
    } else {
        f64::from(changes) / f64::from(pairs)
    }
}

/// Fraction of the token covered by pronounceable word segments (camelCase /
/// snake_case pieces of ≥ 3 letters with a vowel and no long consonant run).
fn wordy_ratio(b: &[u8]) -> f64 {
    if b.is_empty() {
        return 0.0;
    }
    let mut covered = 0usize;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        // Segment: optional leading capital followed by lower case, or a run
        // of capitals (acronym), ending at a case change.
        let s = i;
        if b[i].is_ascii_uppercase() {
            i += 1;
            if i < b.len() && b[i].is_ascii_lowercase() {
                while i < b.len() && b[i].is_ascii_lowercase() {
                    i += 1;
                }
            } else {
                while i < b.len()
                    && b[i].is_ascii_uppercase()
                    && !(i + 1 < b.len() && b[i + 1].is_ascii_lowercase())
                {
                    i += 1;
                }
            }
        } else {
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
        }
        if is_wordy(&b[s..i]) {
            covered += i - s;
        }
    }
    covered as f64 / b.len() as f64
}

fn is_wordy(seg: &[u8]) -> bool {
    if seg.len() < 3 {
        return false;
    }
    let mut consonant_run = 0;
    let mut vowel = false;
    for &c in seg {
        if matches!(c.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
            vowel = true;
            consonant_run = 0;
        } else {
            consonant_run += 1;
            if consonant_run >= 4 {
                return false;
            }
        }
    }
    vowel
}

fn shannon_entropy(b: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &c in b {
        counts[usize::from(c)] += 1;
    }
    let n = b.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        find_high_entropy(text, &[], |s, e| v.push(&text[s..e]));
        v
    }

    #[test]
    fn flags_random_tokens() {
        assert_eq!(found("key aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3 end").len(), 1);
        assert_eq!(found("x=ZmFrZS1zZWNyZXQtdmFsdWUtMTIzNDU2Nzg5MA==").len(), 1);
    }

    #[test]
    fn ignores_identifiers_and_digests() {
        for t in [
            "ThisIsAVeryLongIdentifierNameForTesting",
            "this_is_a_long_snake_case_identifier_name_v2",
            "/usr/lib/x86_64-linux-gnu/libLLVM-17.so",
            "getUserAccountSettingsFromDatabase2024",
            "HTTPServerRequestHandlerV2ForOAuth2Login",
            "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
            "123e4567-e89b-12d3-a456-426614174000",
            "integrity sha512-Kq5sNclPz7QV2+lfQIuUSEXAMPLEnbTTPtd98XgpLpNpS4aUwXvRjENO3V0XzXdA2dY==",
            "https://github.com/org/repo/blob/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3/file.rs",
            "chatcmpl-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }
}
