//! Secret detection and redaction.
//!
//! Detection combines three layers, from most to least specific:
//!
//! 1. **Vendor formats** with a recognisable prefix (`sk-ant-`, `AKIA`,
//!    `ghp_`, `xoxb-`, …) and structural checks.
//! 2. **Contextual credentials**: private key blocks, passwords in URLs,
//!    `password=`/`"token": "…"` assignments, `Authorization` headers. These
//!    go through placeholder/code heuristics ([`crate::values`]) so that
//!    documentation and source code stay untouched.
//! 3. **High-entropy tokens** ([`crate::entropy`]) for unknown formats.
//!
//! When candidates overlap, the more specific layer wins, so
//! `OPENAI_API_KEY=sk-proj-…` is reported as `openai_api_key`, not as a
//! generic assignment.
//!
//! Every built-in pattern starts with (or contains) a literal that the regex
//! engine uses as a SIMD prefilter, so a clean text costs a handful of
//! memchr-style scans plus one byte loop for the entropy detector; nothing
//! is allocated unless a secret is found.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::Serialize;

use crate::SafetyError;
use crate::entropy::find_high_entropy;
use crate::values::{
    REDACTED, is_placeholder, plausible_assigned_secret, plausible_header_credential,
};

/// One detected secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretFinding {
    /// Stable machine name of the format, e.g. `"anthropic_api_key"`.
    pub kind: &'static str,
    /// Byte offset (inclusive) of the redacted span in the input.
    pub start: usize,
    /// Byte offset (exclusive) of the redacted span in the input.
    pub end: usize,
}

/// Result of [`Redactor::redact`].
#[derive(Debug, Clone)]
pub struct Redaction<'a> {
    /// The redacted text; borrowed (no allocation) when nothing was found.
    pub text: Cow<'a, str>,
    /// What was redacted, in input order, with offsets into the *input*.
    pub findings: Vec<SecretFinding>,
}

/// Extra structural validation applied to a regex match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// The regex alone is specific enough.
    None,
    /// Body after the prefix must contain upper, lower case and a digit.
    MixedCase,
    /// Body after the prefix must contain upper and lower case.
    UpperLower,
    /// Body must contain at least one digit.
    HasDigit,
    /// OpenAI keys: exclude other vendors' `sk-` prefixes, require mixed case.
    OpenAi,
    /// `key = value`: placeholder / code heuristics.
    Assignment,
    /// `--password value` on a command line.
    CliFlag,
    /// `scheme://user:pass@host`.
    UrlCredentials,
    /// `Authorization: <scheme> <credential>`.
    AuthHeader,
    /// Bare `Bearer <credential>`.
    Bearer,
    /// Discord bot token: first segment is base64 of a numeric user id.
    Discord,
}

struct Pattern {
    kind: &'static str,
    re: Regex,
    check: Check,
}

/// Lower number wins when candidates overlap.
const PRIO_VENDOR: u8 = 0;
const PRIO_CONTEXT: u8 = 1;
const PRIO_ASSIGNMENT: u8 = 2;
const PRIO_ENTROPY: u8 = 3;

/// Compile a built-in pattern. `\b` is rewritten to the ASCII word boundary
/// `(?-u:\b)`: Unicode word boundaries force the regex engine off its fast
/// lazy DFA as soon as the haystack contains non-ASCII text, and every
/// boundary we need is between ASCII characters anyway.
///
/// Panics only if a *constant* pattern is malformed, which the unit tests
/// exercise; user-supplied patterns go through [`Redactor::with_extra_patterns`].
fn compile(pattern: &str) -> Regex {
    let p = pattern.replace(r"\b", r"(?-u:\b)");
    #[allow(clippy::expect_used)]
    Regex::new(&p).expect("built-in secret pattern must compile")
}

fn pat(kind: &'static str, check: Check, re: &str) -> Pattern {
    Pattern { kind, re: compile(re), check }
}

/// Vendor-specific formats. Named group `s` is the span to redact (whole
/// match if absent); `p` is the non-secret vendor prefix kept visible.
static VENDOR: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    use Check::*;
    vec![
        pat("anthropic_api_key", None, r"\b(?P<s>(?P<p>sk-ant-)(?:api|admin|sid|oat|ort)[0-9]{2}-[A-Za-z0-9_\-]{20,})"),
        pat("openrouter_api_key", None, r"\b(?P<s>(?P<p>sk-or-)v[0-9]-[A-Za-z0-9]{32,})"),
        pat("openai_api_key", OpenAi, r"\b(?P<s>(?P<p>sk-(?:proj-|svcacct-|admin-|None-)?)[A-Za-z0-9_\-]{20,})"),
        pat("aws_access_key_id", None, r"\b(?P<s>(?P<p>A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|IPA|BIA|CCA))[A-Z0-9]{16})\b"),
        pat("aws_secret_access_key", MixedCase, r#"(?i)\b(?:aws_?secret_?(?:access_?)?key|aws_?secret|secret_?access_?key)\\?["']?\s{0,4}(?:=>|:=|=|:)\s{0,4}\\?["']?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#),
        pat("github_token", None, r"\b(?P<s>(?P<p>gh[pousr]_)[A-Za-z0-9]{36,251})\b"),
        pat("github_pat", None, r"\b(?P<s>(?P<p>github_pat_)[A-Za-z0-9_]{40,255})\b"),
        pat("gitlab_token", None, r"\b(?P<s>(?P<p>gl(?:pat|dt|rt|cbt|ptt|ft|imt|oas|soat|agent)-)[A-Za-z0-9_\-]{20,})"),
        pat("slack_webhook", None, r"(?P<s>(?P<p>https://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/\-]{20,})"),
        pat("slack_token", HasDigit, r"\b(?P<s>(?P<p>xox[abposer]-)[A-Za-z0-9\-]{10,})"),
        pat("slack_app_token", None, r"\b(?P<s>(?P<p>xapp-)[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]+)"),
        pat("discord_webhook", None, r"(?P<s>(?P<p>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/)[0-9]{5,}/[A-Za-z0-9_\-]{20,})"),
        pat("stripe_secret_key", None, r"\b(?P<s>(?P<p>(?:sk|rk)_(?:live|test)_)[A-Za-z0-9]{16,})\b"),
        pat("stripe_webhook_secret", None, r"\b(?P<s>(?P<p>whsec_)[A-Za-z0-9+/=]{24,})"),
        pat("google_api_key", None, r"\b(?P<s>(?P<p>AIza)[A-Za-z0-9_\-]{35})(?:[^A-Za-z0-9_\-]|$)"),
        pat("google_oauth_client_secret", None, r"\b(?P<s>(?P<p>GOCSPX-)[A-Za-z0-9_\-]{28})"),
        pat("google_oauth_token", None, r"\b(?P<s>(?P<p>ya29\.)[A-Za-z0-9_\-]{30,})"),
        pat("jwt", None, r"\b(?P<s>(?P<p>eyJ)[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})"),
        pat("npm_token", None, r"\b(?P<s>(?P<p>npm_)[A-Za-z0-9]{36})\b"),
        pat("pypi_token", None, r"\b(?P<s>(?P<p>pypi-)AgE[A-Za-z0-9_\-]{50,})"),
        pat("twilio_api_key", None, r"\b(?P<s>(?P<p>SK)[0-9a-f]{32})\b"),
        pat("sendgrid_api_key", None, r"\b(?P<s>(?P<p>SG\.)[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)"),
        pat("digitalocean_token", None, r"\b(?P<s>(?P<p>do[opr]_v1_)[a-f0-9]{64})\b"),
        pat("heroku_api_key", None, r"\b(?P<s>(?P<p>HRKU-)[A-Za-z0-9_\-]{20,})"),
        pat("huggingface_token", UpperLower, r"\b(?P<s>(?P<p>hf_)[A-Za-z0-9]{34,40})\b"),
        pat("azure_storage_key", None, r"(?i)\bAccountKey=(?P<s>[A-Za-z0-9+/]{40,}={0,2})"),
        pat("discord_bot_token", Discord, r"\b(?P<s>[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40})(?:[^A-Za-z0-9_\-.]|$)"),
        pat("mailgun_api_key", None, r"\b(?P<s>(?P<p>key-)[0-9a-f]{32})\b"),
        pat("shopify_token", None, r"\b(?P<s>(?P<p>shp(?:at|ss|ca|pa)_)[a-fA-F0-9]{32})\b"),
        pat("telegram_bot_token", None, r"(?:^|[^0-9A-Za-z]|bot)(?P<s>[0-9]{8,10}:AA[A-Za-z0-9_\-]{33})(?:[^A-Za-z0-9_\-]|$)"),
        pat("age_secret_key", None, r"\b(?P<s>(?P<p>AGE-SECRET-KEY-1)[0-9A-Z]{58})\b"),
        pat("linear_api_key", None, r"\b(?P<s>(?P<p>lin_api_)[A-Za-z0-9]{40})\b"),
        pat("postman_api_key", None, r"\b(?P<s>(?P<p>PMAK-)[a-f0-9]{24}-[a-f0-9]{34})\b"),
        pat("databricks_token", None, r"\b(?P<s>(?P<p>dapi)[a-f0-9]{32}(?:-[0-9])?)\b"),
        pat("grafana_token", None, r"\b(?P<s>(?P<p>glsa_)[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b"),
        pat("notion_token", None, r"\b(?P<s>(?P<p>ntn_)[A-Za-z0-9]{40,})\b"),
        pat("sentry_token", None, r"\b(?P<s>(?P<p>sntry[su]_)[A-Za-z0-9+/=_\-]{40,})"),
        pat("groq_api_key", None, r"\b(?P<s>(?P<p>gsk_)[A-Za-z0-9]{48,})\b"),
        pat("xai_api_key", None, r"\b(?P<s>(?P<p>xai-)[A-Za-z0-9]{60,})\b"),
        pat("atlassian_api_token", None, r"\b(?P<s>(?P<p>ATATT3)[A-Za-z0-9_\-=]{50,})"),
    ]
});

/// Contextual credentials (priority between vendor formats and assignments).
static CONTEXT: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    use Check::*;
    vec![
        pat("url_password", UrlCredentials, r#"\b(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{1,30})://(?P<user>[^\s:/?#@'"<>\[\]]{0,128}):(?P<s>[^\s/?#@'"<>]{1,256})@(?P<host>[A-Za-z0-9\[]+)"#),
        pat("authorization_header", AuthHeader, r#"(?i)\b(?:proxy-)?authorization\\?["']?\s{0,4}[:=]\s{0,4}\\?["']?\s{0,2}(?:bearer|basic|token|digest|apikey|api-key|sso-key)\s+(?P<s>[A-Za-z0-9\-._~+/]{8,}=*)"#),
        pat("bearer_token", Bearer, r"(?i)\bbearer\s+(?P<s>[A-Za-z0-9\-._~+/]{20,}=*)"),
    ]
});

/// `key = value` style assignments. The key must *end* with a credential
/// word (so `tokenizer=` or `max_tokens=` never match); the value is then
/// vetted by [`plausible_assigned_secret`].
static ASSIGNMENT: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    use Check::*;
    vec![
        pat("credential_assignment", Assignment, r#"(?i)(?P<kw>passw(?:or)?d|passphrase|pass|pwd|secret|token|api[_\-]?key|apikey|(?:access|secret|private|client|signing|encryption|master|auth)[_\-]?key|credentials?)\\?["']?\s{0,4}(?:=>|:=|=|:)\s{0,4}(?P<q>\\?["'])?(?P<s>[^\s"'\\,;(){}\[\]<>`&]{1,512})"#),
        pat("credential_assignment", CliFlag, r#"(?i)(?:^|\s)--?(?P<kw>password|passwd|pass|token|api-key|apikey|secret|client-secret|access-token|auth-token)\s+(?P<q>["'])?(?P<s>[^\s"'\\<>`\-][^\s"'\\<>`]{3,511})"#),
    ]
});

/// Headers of private key blocks we redact. Public material is left alone.
const PRIVATE_KEY_SUFFIXES: &[&str] = &["PRIVATE KEY", "PRIVATE KEY BLOCK"];

/// Internal candidate before overlap resolution.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: usize,
    end: usize,
    /// Bytes at `start` that stay visible (the vendor prefix).
    keep: usize,
    kind: &'static str,
    priority: u8,
    order: u16,
}

/// A configured secret detector. Cheap to clone conceptually (the built-in
/// patterns are process-wide statics); only user extras are owned.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    extra: Vec<Regex>,
}

impl Redactor {
    /// A redactor with the built-in patterns only.
    pub fn new() -> Redactor {
        Redactor { extra: Vec::new() }
    }

    /// Built-in patterns plus user-configured regexes. Every match of an
    /// extra pattern is redacted in full and reported as `custom_pattern`.
    pub fn with_extra_patterns(patterns: &[String]) -> Result<Redactor, SafetyError> {
        let extra = patterns
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|e| SafetyError::InvalidPattern {
                    pattern: p.clone(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Redactor { extra })
    }

    /// Redact every secret in `text`. Borrows the input when nothing is found.
    pub fn redact<'a>(&self, text: &'a str) -> Redaction<'a> {
        let cands = self.candidates(text);
        if cands.is_empty() {
            return Redaction { text: Cow::Borrowed(text), findings: Vec::new() };
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for c in &cands {
            out.push_str(&text[last..c.start]);
            out.push_str(&text[c.start..c.start + c.keep]);
            out.push_str(REDACTED);
            last = c.end;
        }
        out.push_str(&text[last..]);
        let findings = cands.iter().map(to_finding).collect();
        Redaction { text: Cow::Owned(out), findings }
    }

    /// Detect secrets without rewriting the text. Findings are sorted by
    /// offset and never overlap.
    pub fn find(&self, text: &str) -> Vec<SecretFinding> {
        self.candidates(text).iter().map(to_finding).collect()
    }

    fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut cands: Vec<Candidate> = Vec::new();
        let mut order: u16 = 0;
        for (group, prio) in [(&*VENDOR, PRIO_VENDOR), (&*CONTEXT, PRIO_CONTEXT), (&*ASSIGNMENT, PRIO_ASSIGNMENT)] {
            for p in group {
                collect_pattern(p, prio, order, text, &mut cands);
                order += 1;
            }
        }
        let public_blocks = find_pem_blocks(text, order, &mut cands);
        order += 1;
        for re in &self.extra {
            for m in re.find_iter(text) {
                if m.is_empty() {
                    continue;
                }
                cands.push(Candidate {
                    start: m.start(),
                    end: m.end(),
                    keep: 0,
                    kind: "custom_pattern",
                    priority: PRIO_VENDOR,
                    order,
                });
            }
            order += 1;
        }
        find_high_entropy(text, &public_blocks, |start, end| {
            cands.push(Candidate { start, end, keep: 0, kind: "high_entropy_token", priority: PRIO_ENTROPY, order });
        });
        // Never re-redact our own marker: this is what makes redaction idempotent.
        cands.retain(|c| !text[c.start..c.end].contains(REDACTED));
        resolve_overlaps(cands)
    }
}

fn to_finding(c: &Candidate) -> SecretFinding {
    SecretFinding { kind: c.kind, start: c.start, end: c.end }
}

/// Greedy selection by (priority, pattern order, position), then sort by
/// position. Uses an ordered map so the overlap test is O(log n).
fn resolve_overlaps(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    if cands.len() <= 1 {
        return cands;
    }
    cands.sort_by_key(|c| (c.priority, c.order, c.start, std::cmp::Reverse(c.end)));
    let mut taken: BTreeMap<usize, Candidate> = BTreeMap::new();
    for c in cands {
        let overlaps_prev = taken.range(..=c.start).next_back().is_some_and(|(_, p)| p.end > c.start);
        let overlaps_next = taken.range(c.start..).next().is_some_and(|(&s, _)| s < c.end);
        if !overlaps_prev && !overlaps_next {
            taken.insert(c.start, c);
        }
    }
    taken.into_values().collect()
}

fn collect_pattern(p: &Pattern, priority: u8, order: u16, text: &str, out: &mut Vec<Candidate>) {
    for caps in p.re.captures_iter(text) {
        let Some(s) = caps.name("s").or_else(|| caps.get(0)) else { continue };
        let keep = caps.name("p").map_or(0, |m| m.end().saturating_sub(s.start()));
        let Some(kind) = validate(p, &caps, s.as_str(), keep, text, s.end()) else { continue };
        out.push(Candidate { start: s.start(), end: s.end(), keep, kind, priority, order });
    }
}

/// Apply the pattern's structural check; returns the kind to report.
fn validate(p: &Pattern, caps: &Captures<'_>, s: &str, keep: usize, text: &str, s_end: usize) -> Option<&'static str> {
    let body = s.get(keep..).unwrap_or("");
    let has = |f: fn(&u8) -> bool| body.as_bytes().iter().any(f);
    let ok = match p.check {
        Check::None => true,
        Check::MixedCase => has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit),
        Check::UpperLower => has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase),
        Check::HasDigit => has(u8::is_ascii_digit),
        Check::OpenAi => {
            !s.starts_with("sk-ant-")
                && !s.starts_with("sk-or-")
                && (keep > 3 || body.len() >= 32)
                && has(u8::is_ascii_uppercase)
                && has(u8::is_ascii_lowercase)
                && has(u8::is_ascii_digit)
        }
        Check::Discord => discord_id_segment(s),
        Check::UrlCredentials => {
            let scheme = caps.name("scheme").map_or("", |m| m.as_str()).to_ascii_lowercase();
            if is_placeholder(s) || s.len() < 3 {
                return None;
            }
            return Some(if is_database_scheme(&scheme) { "database_connection_string" } else { "url_password" });
        }
        Check::AuthHeader => plausible_header_credential(s.trim_end_matches('='), 8),
        Check::Bearer => plausible_header_credential(s.trim_end_matches('='), 20),
        Check::Assignment | Check::CliFlag => {
            let kw = caps.name("kw").map_or("", |m| m.as_str()).to_ascii_lowercase();
            // `bypass=`, `compass:` — "pass" must start a word segment.
            if kw == "pass" || kw == "pwd" {
                let kw_start = caps.name("kw").map_or(0, |m| m.start());
                if kw_start > 0 && text.as_bytes()[kw_start - 1].is_ascii_alphabetic() {
                    return None;
                }
            }
            let quoted = caps.name("q").is_some();
            // Trailing sentence punctuation is not part of a bare value.
            let v = if quoted { s } else { s.trim_end_matches(['.', ':', '!', '?']) };
            let next = text[s_end..].chars().next();
            if !plausible_assigned_secret(v, quoted, next) {
                return None;
            }
            return Some(if kw.starts_with("pass") || kw == "pwd" { "password_assignment" } else { "secret_assignment" });
        }
    };
    ok.then_some(p.kind)
}

fn is_database_scheme(scheme: &str) -> bool {
    const DB: &[&str] = &[
        "postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "redis", "rediss",
        "amqp", "amqps", "mssql", "sqlserver", "clickhouse", "cockroachdb", "couchdb", "neo4j",
        "neo4j+s", "bolt", "cassandra", "oracle", "memcached", "snowflake", "db2",
    ];
    DB.contains(&scheme)
}

/// Discord bot tokens start with the base64 encoding of the bot's numeric
/// user id; checking that removes almost all dotted-identifier look-alikes.
fn discord_id_segment(s: &str) -> bool {
    use base64::Engine as _;
    let Some(first) = s.split('.').next() else { return false };
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    match engine.decode(first) {
        Ok(bytes) => bytes.len() >= 17 && bytes.iter().all(u8::is_ascii_digit),
        Err(_) => false,
    }
}

/// Finds `-----BEGIN … PRIVATE KEY-----` blocks (complete or truncated) and
/// pushes them as candidates. Returns the ranges of *public* PEM blocks
/// (certificates, public keys) so the entropy detector can skip them.
fn find_pem_blocks(text: &str, order: u16, out: &mut Vec<Candidate>) -> Vec<(usize, usize)> {
    let mut public = Vec::new();
    for (idx, _) in text.match_indices("-----BEGIN ") {
        let label_start = idx + "-----BEGIN ".len();
        let rest = &text[label_start..];
        let Some(close) = rest.get(..rest.len().min(48)).and_then(|h| h.find("-----")) else { continue };
        let label = &rest[..close];
        if !label.bytes().all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit()) {
            continue;
        }
        let header_end = label_start + close + 5;
        let (body_end, base64_chars) = scan_pem_body(text, header_end);
        let is_private = PRIVATE_KEY_SUFFIXES.iter().any(|s| label.ends_with(s));
        if !is_private {
            public.push((header_end, body_end));
            continue;
        }
        // A lone header (documentation: "the file starts with -----BEGIN…")
        // is not a secret, and a redacted block has no body left.
        if base64_chars < 16 {
            continue;
        }
        out.push(Candidate {
            start: idx,
            end: body_end,
            keep: header_end - idx,
            kind: "private_key",
            priority: PRIO_VENDOR,
            order,
        });
    }
    public
}

/// Consumes a PEM body after the header: base64 lines, blank space, literal
/// `\n` escapes (JSON-encoded transcripts), RFC 1421 headers such as
/// `Proc-Type: 4,ENCRYPTED`, up to and including the matching END line. If
/// the block is truncated, stops after the last base64 *line*.
///
/// Returns `(end, base64_chars)` where only runs of at least 16 contiguous
/// base64 characters count: prose after a header ("…KEY----- followed by
/// the key") has short words and is neither counted nor swallowed.
fn scan_pem_body(text: &str, from: usize) -> (usize, usize) {
    const MIN_RUN: usize = 16;
    let bytes = text.as_bytes();
    let limit = (from + 64 * 1024).min(bytes.len());
    let mut i = from;
    let mut end = from;
    let mut count = 0usize;
    let mut run = 0usize;
    let flush = |run: &mut usize, count: &mut usize, end: &mut usize, at: usize| {
        if *run >= MIN_RUN {
            *count += *run;
            *end = at;
        }
        *run = 0;
    };
    while i < limit {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=' {
            run += 1;
            i += 1;
            continue;
        }
        flush(&mut run, &mut count, &mut end, i);
        if b == b'-' && bytes[i..limit].starts_with(b"-----END ") {
            // Include the END line through its closing dashes.
            let tail = &text[i + 9..limit];
            let close = tail.get(..tail.len().min(48)).and_then(|t| t.find("-----"));
            return (close.map_or(end, |p| i + 9 + p + 5), count);
        } else if b.is_ascii_whitespace() || matches!(b, b':' | b',' | b'.' | b'-' | b'(' | b')') {
            i += 1;
        } else if b == b'\\' && i + 1 < limit && matches!(bytes[i + 1], b'n' | b'r' | b't') {
            i += 2;
        } else {
            break;
        }
    }
    flush(&mut run, &mut count, &mut end, i);
    (end, count)
}

static DEFAULT: LazyLock<Redactor> = LazyLock::new(Redactor::new);

/// Redact `text` with the built-in patterns.
pub fn redact(text: &str) -> Redaction<'_> {
    DEFAULT.redact(text)
}

/// `(start, end, visible_prefix_len)` of every secret in `text`, for callers
/// inside the crate that build their own redacted excerpts.
pub(crate) fn secret_spans(text: &str) -> Vec<(usize, usize, usize)> {
    DEFAULT.candidates(text).iter().map(|c| (c.start, c.end, c.keep)).collect()
}

/// Whether `text` contains any secret recognised by the built-in patterns.
pub fn contains_secret(text: &str) -> bool {
    !DEFAULT.candidates(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(!VENDOR.is_empty() && !CONTEXT.is_empty() && !ASSIGNMENT.is_empty());
    }

    #[test]
    fn basic_redaction() {
        let r = redact("key: sk-ant-api03-FAKEfakeFAKEfake0000000000000000000000AA done");
        assert_eq!(r.text, "key: sk-ant-…[redacted] done");
        assert_eq!(r.findings[0].kind, "anthropic_api_key");
        let r = redact("password=hunter2-Zq9 next");
        assert_eq!(r.text, "password=…[redacted] next");
        let r = redact("postgres://app:s3cr3t-Pw@db.internal:5432/app");
        assert_eq!(r.text, "postgres://app:…[redacted]@db.internal:5432/app");
        assert_eq!(r.findings[0].kind, "database_connection_string");
    }

    #[test]
    fn clean_text_borrows() {
        let r = redact("cargo build --release finished in 3.2s");
        assert!(matches!(r.text, Cow::Borrowed(_)));
    }

    #[test]
    fn extra_patterns() {
        let r = Redactor::with_extra_patterns(&["ACME-[0-9]{6}".to_string()]).map(|r| r.redact("id ACME-123456 ok").text.into_owned());
        assert_eq!(r.ok().as_deref(), Some("id …[redacted] ok"));
        assert!(Redactor::with_extra_patterns(&["(".to_string()]).is_err());
    }
}
