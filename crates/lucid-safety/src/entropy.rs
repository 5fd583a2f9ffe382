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

use std::sync::LazyLock;

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
    "sha1",
    "sha-1",
    "sha256",
    "sha-256",
    "sha384",
    "sha512",
    "md5",
    "blake",
    "integrity",
    "checksum",
    "digest",
    "hash",
    "h1:",
    "etag",
    "signature",
    "ssh-rsa",
    "ssh-ed25519",
    "ssh-dss",
    "ecdsa-sha2",
    "fingerprint",
    "commit",
    "revision",
    "nonce",
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

/// Kind reported for generic random tokens.
pub(crate) const HIGH_ENTROPY: &str = "high_entropy_token";
/// Kind reported for Twilio API key SIDs, recognised during the same pass.
pub(crate) const TWILIO: &str = "twilio_api_key";

/// `SK` followed by exactly 32 lower-case hex digits.
fn is_twilio_key(run: &[u8]) -> bool {
    run.len() == 34
        && run.starts_with(b"SK")
        && run[2..]
            .iter()
            .all(|&c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// Calls `emit(start, end, kind)` for every high-entropy token (and Twilio
/// key) in `text`. Ranges in `skip` are public material (certificates,
/// public keys) and are ignored.
pub(crate) fn find_high_entropy(
    text: &str,
    skip: &[(usize, usize)],
    mut emit: impl FnMut(usize, usize, &'static str),
) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    for_each_token_run(bytes, MIN_LEN, |start, body_end| {
        if is_twilio_key(&bytes[start..body_end]) {
            emit(start, body_end, TWILIO);
            return;
        }
        // Include base64 padding in the span (but not in the analysis).
        let mut end = body_end;
        while end < n && bytes[end] == b'=' && end - body_end < 3 {
            end += 1;
        }
        if end < n && is_token_byte(bytes[end]) {
            // `a=b` style: the '=' was a separator, not padding.
            end = body_end;
        }
        if skip.iter().any(|&(s, e)| start >= s && start < e) {
            return;
        }
        if media_payload(text, start) {
            return;
        }
        if is_random_token(text, start, body_end) {
            emit(start, end, HIGH_ENTROPY);
        }
    });
}

/// Calls `f(start, end)` for every maximal run of base64-alphabet bytes
/// of at least `min` bytes. The loop keeps the common path branch-free
/// (a table lookup and a conditional move per byte): most runs are short
/// words, and a data-dependent branch per byte mispredicts constantly.
pub(crate) fn for_each_token_run(bytes: &[u8], min: usize, mut f: impl FnMut(usize, usize)) {
    let mut run = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        let prev = run;
        // All-ones for alphabet bytes, zero otherwise: `run` resets without
        // a branch.
        run = (run + 1) & TOKEN_MASK[usize::from(b)];
        if u8::from(prev >= min) & u8::from(run == 0) != 0 {
            f(i - prev, i);
        }
    }
    if run >= min {
        f(bytes.len() - run, bytes.len());
    }
}

/// [`TOKEN_BYTE`] as masks for the branch-free run counter.
static TOKEN_MASK: [usize; 256] = {
    let mut t = [0usize; 256];
    let mut i = 0;
    while i < 256 {
        if TOKEN_BYTE[i] {
            t[i] = usize::MAX;
        }
        i += 1;
    }
    t
};

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
    // Hex digests and UUIDs, even when written in mixed case.
    if b.iter().all(|&c| c.is_ascii_hexdigit() || c == b'-') {
        return false;
    }
    if in_url(text, start) {
        return false;
    }
    if benign_context(text, start) {
        return false;
    }
    if typed_id_prefix(tok) || mangled_symbol(b) || words_and_hashes(tok) {
        return false;
    }
    if looks_like_path(tok) {
        return false;
    }
    // Calibrated on synthetic data: random base62/base64 has a transition
    // rate ≥ 0.42 and a wordy ratio ≤ 0.56 in 99 % of 32-char samples, while
    // PascalCase identifiers made of short words (`FlushL1DCacheOnContext…`)
    // alternate just as often but are ≥ 0.67 wordy.
    //
    // Identifiers built from words and abbreviations also use common
    // English letter pairs; random text rarely does (see `BIGRAM_LIMIT`).
    transition_rate(b) >= 0.3
        && wordy_ratio(b) <= 0.62
        && bigram_score(b) < BIGRAM_LIMIT
        && shannon_entropy(b) >= 3.6
}

/// Base64 of a picture, sound or font: a `data:image/…;base64,` URI, or a
/// run that decodes to a PNG, JPEG, GIF or WebP header (transcripts carry
/// screenshots as bare base64 in JSON). Media is not a credential, and
/// redacting it would mark every session with a screenshot as leaking a
/// secret.
fn media_payload(text: &str, start: usize) -> bool {
    let tok = &text.as_bytes()[start..];
    const MAGIC: &[&[u8]] = &[b"iVBORw0KGgo", b"/9j/", b"R0lGODlh", b"R0lGODdh"];
    if MAGIC.iter().any(|m| tok.starts_with(m))
        || (tok.starts_with(b"UklG") && tok.get(12..16) == Some(b"RUJQ".as_slice()))
    {
        return true;
    }
    let before = &text.as_bytes()[start.saturating_sub(64)..start];
    if !before.ends_with(b";base64,") {
        return false;
    }
    let Some(at) = before
        .windows(5)
        .rposition(|w| w.eq_ignore_ascii_case(b"data:"))
    else {
        return false;
    };
    let mime = &before[at + 5..];
    [b"image/".as_slice(), b"font/", b"audio/", b"video/"]
        .iter()
        .any(|m| mime.len() >= m.len() && mime[..m.len()].eq_ignore_ascii_case(m))
}

/// Letters only, but with no word structure: `KqXvTzPwLmNbRcYdHs` or
/// `qzjxkvwpfmbdtrlg`. A credential of letters assigned to a key
/// (`api_key=…`) is still a credential; a word or a camelCase name is not.
pub(crate) fn random_letters(b: &[u8]) -> bool {
    let single_case = b.iter().all(u8::is_ascii_lowercase) || b.iter().all(u8::is_ascii_uppercase);
    b.len() >= 16
        && b.iter().all(u8::is_ascii_alphabetic)
        && bigram_score(b) < BIGRAM_LIMIT
        && shannon_entropy(b) >= 3.5
        && (single_case || looks_random(b))
}

/// Lower-case letters and digits with no word structure, twenty or more of them: the random
/// part of a typed key (`dtn_` + 64 hex digits), never a part of a snake_case name
/// (`_bindgen_ty_7`, `user_id_2`).
pub(crate) fn random_lowercase(b: &[u8]) -> bool {
    b.len() >= 20
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 3
        && b.iter().filter(|c| c.is_ascii_lowercase()).count() >= 3
        && shannon_entropy(b) >= 3.5
}

/// Mixed-case text whose character classes alternate like random data
/// (`ZmFrZTpleGFt`) rather than like words (`TokenAuthentication`).
pub(crate) fn looks_random(b: &[u8]) -> bool {
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    upper && lower && transition_rate(b) >= 0.42
}

/// A part of a dotted value that is random data, not a name (`jPo09aAEg11UKBJ7gdP0`, not
/// `getAccessToken` or `v2`): ten or more characters with upper case, lower case and digits that
/// alternate like random data's and are not made of words.
pub(crate) fn random_segment(b: &[u8]) -> bool {
    b.len() >= 10
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().any(u8::is_ascii_digit)
        && transition_rate(b) >= 0.3
        && wordy_ratio(b) <= 0.62
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

/// Itanium C++ / legacy Rust (`_ZN…`) and Rust v0 (`_R…`) mangled symbol
/// names, common in stack traces and linker errors.
fn mangled_symbol(b: &[u8]) -> bool {
    b.len() > 3
        && b[0] == b'_'
        && matches!(b[1], b'Z' | b'R')
        && (b[2].is_ascii_uppercase() || b[2].is_ascii_digit())
}

/// Identifiers made of plain words and hex/decimal chunks separated by `_`
/// or `-` (`NODE_SEA_FUSE_fce680ab…`, `build-2024-x86_64-3f2a9c1e`): a
/// name plus a hash, not a credential. Random base64url rarely splits into
/// such clean pieces.
fn words_and_hashes(tok: &str) -> bool {
    let (mut parts, mut total, mut plain) = (0usize, 0usize, 0usize);
    for seg in tok.split(['_', '-']).filter(|s| !s.is_empty()) {
        parts += 1;
        total += seg.len();
        let b = seg.as_bytes();
        // Single-case pieces (`NODE`, `fce680ab`, `pc58ag80`) or camelCase
        // words (`pbeWithSHA1And128BitRC2`).
        let single_case = b
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            || b.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if single_case || wordy_ratio(b) > 0.5 {
            plain += seg.len();
        }
    }
    // Two pieces must both be plain; longer names may contain odd pieces
    // (`SN_id_GostR3410_94_CryptoPro_XchA_ParamSet`) as long as most of
    // the text is plain.
    match parts {
        0 | 1 => false,
        2 => plain == total,
        _ => plain * 5 >= total * 3,
    }
}

/// Slash-separated segments that are short or word-like: a file path.
pub(crate) fn looks_like_path(tok: &str) -> bool {
    let slashes = tok.bytes().filter(|&c| c == b'/').count();
    if slashes < 2 {
        return false;
    }
    let segs: Vec<&str> = tok.split('/').filter(|s| !s.is_empty()).collect();
    let pathy = segs
        .iter()
        .filter(|s| {
            s.len() <= 24
                && (s.len() < 6
                    || wordy_ratio(s.as_bytes()) > 0.5
                    || transition_rate(s.as_bytes()) < 0.3)
        })
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

/// The 128 most frequent English letter bigrams (from running text and
/// programming identifiers). About 19 % of random letter pairs fall in
/// this set; in identifiers built from words and common abbreviations
/// (`PtpV2OverUdpIPv4EventMsgReceiveHw`) half or more do.
const COMMON_BIGRAMS: [&[u8; 2]; 128] = [
    b"th", b"he", b"in", b"er", b"an", b"re", b"on", b"at", b"en", b"nd", b"ti", b"es", b"or",
    b"te", b"of", b"ed", b"is", b"it", b"al", b"ar", b"st", b"to", b"nt", b"ng", b"se", b"ha",
    b"as", b"ou", b"io", b"le", b"ve", b"co", b"me", b"de", b"hi", b"ri", b"ro", b"ic", b"ne",
    b"ea", b"ra", b"ce", b"li", b"ch", b"ll", b"be", b"ma", b"si", b"om", b"ur", b"ca", b"el",
    b"ta", b"la", b"ns", b"di", b"fo", b"ho", b"pe", b"ec", b"pr", b"no", b"ct", b"us", b"ac",
    b"ot", b"il", b"tr", b"ly", b"nc", b"et", b"ut", b"ss", b"so", b"rs", b"un", b"lo", b"wa",
    b"ge", b"ie", b"wh", b"ee", b"wi", b"em", b"ad", b"ol", b"rt", b"po", b"we", b"na", b"ul",
    b"ni", b"ts", b"mo", b"ow", b"pa", b"im", b"mi", b"ai", b"sh", b"ir", b"su", b"id", b"os",
    b"iv", b"ia", b"am", b"fi", b"ci", b"vi", b"pl", b"ig", b"tu", b"ev", b"ld", b"ry", b"mp",
    b"fe", b"bl", b"ab", b"ty", b"op", b"ex", b"ke", b"ag", b"ap", b"ms", b"sg",
];

/// Tokens at or above this bigram score read as words. Random 32-char
/// base62 stays below it in 99.8 % of samples.
const BIGRAM_LIMIT: f64 = 0.5;

/// Share of adjacent letter pairs (case-folded) that are common English
/// bigrams.
fn bigram_score(b: &[u8]) -> f64 {
    static TABLE: LazyLock<[bool; 676]> = LazyLock::new(|| {
        let mut t = [false; 676];
        for bg in COMMON_BIGRAMS {
            t[usize::from(bg[0] - b'a') * 26 + usize::from(bg[1] - b'a')] = true;
        }
        t
    });
    let (mut pairs, mut common) = (0u32, 0u32);
    for w in b.windows(2) {
        if w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic() {
            pairs += 1;
            let i = usize::from(w[0].to_ascii_lowercase() - b'a') * 26
                + usize::from(w[1].to_ascii_lowercase() - b'a');
            if TABLE[i] {
                common += 1;
            }
        }
    }
    if pairs == 0 {
        0.0
    } else {
        f64::from(common) / f64::from(pairs)
    }
}

/// Fraction of the token covered by pronounceable word segments (camelCase /
/// snake_case pieces of ≥ 3 letters with a vowel and no run of five consonants).
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
        if matches!(
            c.to_ascii_lowercase(),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
        ) {
            vowel = true;
            consonant_run = 0;
        } else {
            consonant_run += 1;
            // "Constraint" has four consonants in a row; five are rare in words.
            if consonant_run >= 5 {
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
        find_high_entropy(text, &[], |s, e, _| v.push(&text[s..e]));
        v
    }

    #[test]
    fn flags_random_tokens() {
        assert_eq!(found("key aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3 end").len(), 1);
        assert_eq!(found("x=ZmFrZS1zZWNyZXQtdmFsdWUtMTIzNDU2Nzg5MA==").len(), 1);
    }

    /// `count` tokens of `len` characters drawn uniformly from `alphabet` by proptest's
    /// deterministic runner (the same tokens on every run). These tests measure rates over a
    /// sample rather than a property of each value, so they draw values without `proptest!`.
    fn random_tokens(alphabet: &'static [u8], len: usize, count: usize) -> Vec<Vec<u8>> {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let token = proptest::collection::vec(proptest::sample::select(alphabet), len);
        (0..count)
            .map(|_| {
                token
                    .new_tree(&mut runner)
                    .expect("a vector of fixed length from a non-empty alphabet never rejects")
                    .current()
            })
            .collect()
    }

    #[test]
    fn random_tokens_are_detected_reliably() {
        const B62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let (mut total, mut hit) = (0, 0);
        for alphabet in [B62, B64] {
            for len in [32usize, 40, 48, 64, 100] {
                for bytes in random_tokens(alphabet, len, 2000) {
                    let tok = String::from_utf8(bytes).expect("the alphabets are ASCII");
                    let b = tok.as_bytes();
                    let classes = b.iter().any(u8::is_ascii_uppercase)
                        && b.iter().any(u8::is_ascii_lowercase)
                        && b.iter().any(u8::is_ascii_digit);
                    if !classes {
                        continue; // by design, single-class tokens are not flagged
                    }
                    total += 1;
                    if !found(&format!("x {tok} y")).is_empty() {
                        hit += 1;
                    }
                }
            }
        }
        let rate = f64::from(hit) / f64::from(total);
        assert!(rate > 0.985, "detection rate {rate}");
    }

    #[test]
    fn bigram_score_separates_random_from_words() {
        const B62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut v: Vec<f64> = random_tokens(B62, 32, 10_000)
            .iter()
            .map(|tok| bigram_score(tok))
            .collect();
        v.sort_by(f64::total_cmp);
        assert!(v[9900] < BIGRAM_LIMIT, "random p99 {}", v[9900]);
        for t in [
            "FlushL1DCacheOnContextSwitchOutOfTask",
            "sqlite3ExprIsSingleTableConstraint",
            "PKCS1v15SignatureVerificationWithSHA256Digest",
        ] {
            assert!(bigram_score(t.as_bytes()) >= BIGRAM_LIMIT, "{t}");
        }
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
            "FlushL1DCacheOnContextSwitchOutOfTask",
            "XMLHttpRequestEventTargetUploadProgress2",
            "test_parse_utf8_with_bom_and_crlf_line_endings_v2",
            "ConfigureAwsSdkV3ClientForS3BucketInUsEast1",
            "Base64UrlSafeNoPaddingEncoderForJwtHeaders",
            "PKCS1v15SignatureVerificationWithSHA256Digest",
            "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
            "_ZGTtNSt11logic_errorC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE",
            "_ZN4core3fmt5write17h3f2a9c1e8b7d6a5fE",
            "XCN_OID_PKCS_12_pbeWithSHA1And128BitRC2",
            "936DA01f9abd4d9d80c702af85c822a8",
            "sqlite3ExprIsSingleTableConstraint",
            "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
            "NID_id_GostR3411_94_TestParamSet",
            "SN_id_GostR3410_94_CryptoPro_XchA_ParamSet",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }
}
