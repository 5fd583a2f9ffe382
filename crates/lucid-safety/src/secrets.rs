//! Secret detection and redaction.
//!
//! Detection combines three layers, from most to least specific:
//!
//! 1. **Vendor formats** with a recognisable prefix (`sk-ant-`, `AKIA`,
//!    `ghp_`, `xoxb-`, …) and structural checks.
//! 2. **Contextual credentials**: private key blocks, passwords in URLs
//!    (with or without a scheme: `alice:pw@host`), `password=`/`"token": "…"`
//!    assignments, `Authorization` headers, passwords said in a sentence,
//!    an AWS secret key said next to its key id. These go through
//!    placeholder/code heuristics ([`crate::values`]) so that documentation
//!    and source code stay untouched.
//! 3. **High-entropy tokens** ([`crate::entropy`]) for unknown formats.
//!
//! An assignment is found wherever it sits on a line and however it is
//! aligned: the key is not anchored to the start of a line, so a line-number
//! prefix from a file view (`8 | `, `   12→`, `  7:\t`) or a diff marker
//! (`+  `) in front changes nothing, and any run of spaces or tabs may
//! surround the separator (`{SP}` in the patterns). Private key blocks are
//! followed across numbered lines too.
//!
//! When candidates overlap, the more specific layer wins, so
//! `OPENAI_API_KEY=sk-proj-…` is reported as `openai_api_key`, not as a
//! generic assignment.
//!
//! Cost on clean text: every pattern declares *trigger* literals that occur
//! in all of its matches (`sk-`, `AKIA`, `://`, `password`, …). Two SIMD
//! literal passes (one over the text, one over an ASCII-lower-cased copy for
//! the case-insensitive key names) decide which patterns can match at all,
//! so a typical text runs none or a few of them. The entropy detector and
//! the PEM finder are single linear passes. The output borrows the input
//! unless something was redacted.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::Serialize;

use crate::SafetyError;
use crate::entropy::{TWILIO, find_high_entropy};
use crate::personal::{PERSONAL_EMAIL, for_each_personal_email};
use crate::text::{ceil, floor};
use crate::values::{
    PassphraseContext, REDACTED, is_placeholder, plausible_assigned_secret,
    plausible_header_credential, plausible_passphrase,
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
    /// Telegram bot token: must not be glued to a preceding word.
    Telegram,
    /// `curl -u user:password`.
    CliUserPass,
    /// "the wifi password is Tr0ub4dor&3": a value that mixes kinds of characters.
    Prose,
    /// The 40 characters after an AWS access key id: a secret key has both
    /// cases and is not a path.
    AwsPair,
    /// `user:password@host` without a scheme.
    BareUserinfo,
}

struct Pattern {
    kind: &'static str,
    re: Regex,
    check: Check,
    priority: u8,
    /// Literals of which at least one occurs in every match; the pattern
    /// only runs when the trigger pass saw one of them.
    triggers: &'static [&'static str],
    /// Run over the ASCII-lower-cased copy of the text (the pattern and its
    /// triggers are written in lower case) instead of using `(?i)`, which
    /// would defeat the literal prefilter.
    lower: bool,
    /// For a pattern with no selective literal: a cheap scan of the text
    /// that decides instead of the trigger pass whether it runs.
    gate: Option<fn(&str) -> bool>,
}

/// Lower number wins when candidates overlap.
const PRIO_VENDOR: u8 = 0;
const PRIO_CONTEXT: u8 = 1;
const PRIO_ASSIGNMENT: u8 = 2;
const PRIO_ENTROPY: u8 = 3;
/// Personal data loses every overlap: a secret inside an address-shaped
/// string keeps its own kind.
const PRIO_PERSONAL: u8 = 4;

/// Horizontal space around a key's separator, written `{SP}` in the
/// patterns: any number of spaces and tabs, and JSON-escaped tabs (`\t`).
/// Column-aligned files (`terraform fmt`, aligned YAML, `.env` tables) put
/// dozens of spaces between a key and its `=`, so no bound is placed on it;
/// the regex engine is linear whatever the run length. Line breaks are not
/// spacing: a key at the end of one line and a word at the start of the
/// next are not an assignment.
const SPACING: &str = r"(?:[ \t]|\\t)*";

/// What may stand between a credential word said in a sentence and its verb, written
/// `{QUALIFIERS}`: up to two short phrases saying whose or what for ("the passphrase for
/// backups is …", "the wifi passphrase in the office: …", "the signing key for webhooks is …").
const QUALIFIERS: &str = r"(?:\s+(?:for|of|in|on|at|to)\s+(?:the\s+|our\s+|my\s+|this\s+|all\s+)?[a-z0-9_\-]+(?:\s+[a-z0-9_\-]+)?){0,2}";

/// Compile a built-in pattern. `\b` is rewritten to the ASCII word boundary
/// `(?-u:\b)`: Unicode word boundaries force the regex engine off its fast
/// lazy DFA as soon as the haystack contains non-ASCII text, and every
/// boundary we need is between ASCII characters anyway.
///
/// Panics only if a *constant* pattern is malformed, which the unit tests
/// exercise; user-supplied patterns go through [`Redactor::with_extra_patterns`].
fn compile(pattern: &str) -> Regex {
    let p = pattern
        .replace(r"\b", r"(?-u:\b)")
        .replace("{SP}", SPACING)
        .replace("{QUALIFIERS}", QUALIFIERS);
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern: the crate's tests compile every built-in one"
    )]
    Regex::new(&p).expect("built-in secret pattern must compile")
}

/// Case-sensitive pattern over the original text.
fn pat(kind: &'static str, check: Check, triggers: &'static [&'static str], re: &str) -> Pattern {
    Pattern {
        kind,
        re: compile(re),
        check,
        priority: PRIO_VENDOR,
        triggers,
        lower: false,
        gate: None,
    }
}

/// Pattern over the lower-cased text.
fn lpat(
    kind: &'static str,
    priority: u8,
    check: Check,
    triggers: &'static [&'static str],
    re: &str,
) -> Pattern {
    Pattern {
        kind,
        re: compile(re),
        check,
        priority,
        triggers,
        lower: true,
        gate: None,
    }
}

/// All built-in regex patterns, most specific first (the order breaks ties
/// between overlapping candidates of equal priority). Named group `s` is
/// the span to redact (whole match if absent); `p` is the non-secret vendor
/// prefix that stays visible.
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    use Check::*;
    let mut v = vec![
        // ---- vendor formats (original case) ----------------------------
        pat(
            "anthropic_api_key",
            None,
            &["sk-ant-"],
            r"\b(?P<s>(?P<p>sk-ant-)(?:api|admin|sid|oat|ort)[0-9]{2}-[A-Za-z0-9_\-]{20,})",
        ),
        pat(
            "openrouter_api_key",
            None,
            &["sk-or-"],
            r"\b(?P<s>(?P<p>sk-or-)v[0-9]-[A-Za-z0-9]{32,})",
        ),
        pat(
            "openai_api_key",
            OpenAi,
            &["sk-"],
            r"\b(?P<s>(?P<p>sk-(?:proj-|svcacct-|admin-|None-)?)[A-Za-z0-9_\-]{20,})",
        ),
        pat(
            "aws_access_key_id",
            None,
            &["AKIA", "ASIA"],
            r"\b(?P<s>(?P<p>A(?:KIA|SIA))[A-Z0-9]{16})\b",
        ),
        // A secret access key said next to its key id: "the credentials are
        // AKIA… / wJalr…", "AKIA…, wJalr…", "key AKIA… and secret wJalr…",
        // `AKIA…:wJalr…`. Only the secret is this pattern's span; the id is
        // redacted by the pattern above.
        pat(
            "aws_secret_access_key",
            AwsPair,
            &["AKIA", "ASIA"],
            r"\bA(?:KIA|SIA)[A-Z0-9]{16}\b[^\n]{0,60}?[^A-Za-z0-9+](?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
        ),
        pat(
            "github_token",
            None,
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
            r"\b(?P<s>(?P<p>gh[pousr]_)[A-Za-z0-9]{36,251})\b",
        ),
        pat(
            "github_pat",
            None,
            &["github_pat_"],
            r"\b(?P<s>(?P<p>github_pat_)[A-Za-z0-9_]{40,255})\b",
        ),
        pat(
            "gitlab_token",
            None,
            &["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-"],
            r"\b(?P<s>(?P<p>gl(?:pat|dt|rt|cbt|ptt)-)[A-Za-z0-9_\-]{20,})",
        ),
        pat(
            "slack_webhook",
            None,
            &["hooks.slack.com"],
            r"(?P<s>(?P<p>https://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/\-]{20,})",
        ),
        pat(
            "slack_token",
            HasDigit,
            &["xox"],
            r"\b(?P<s>(?P<p>xox[abposer]-)[A-Za-z0-9\-]{10,})",
        ),
        pat(
            "slack_app_token",
            None,
            &["xapp-"],
            r"\b(?P<s>(?P<p>xapp-)[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]+)",
        ),
        pat(
            "discord_webhook",
            None,
            &["/api/webhooks/"],
            r"(?P<s>(?P<p>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/)[0-9]{5,}/[A-Za-z0-9_\-]{20,})",
        ),
        pat(
            "stripe_secret_key",
            None,
            &["_live_", "_test_"],
            r"\b(?P<s>(?P<p>(?:sk|rk)_(?:live|test)_)[A-Za-z0-9]{16,})\b",
        ),
        pat(
            "stripe_webhook_secret",
            None,
            &["whsec_"],
            r"\b(?P<s>(?P<p>whsec_)[A-Za-z0-9+/=]{24,})",
        ),
        pat(
            "google_api_key",
            None,
            &["AIza"],
            r"\b(?P<s>(?P<p>AIza)[A-Za-z0-9_\-]{35})(?:[^A-Za-z0-9_\-]|$)",
        ),
        pat(
            "google_oauth_client_secret",
            None,
            &["GOCSPX-"],
            r"\b(?P<s>(?P<p>GOCSPX-)[A-Za-z0-9_\-]{28})",
        ),
        pat(
            "google_oauth_token",
            None,
            &["ya29."],
            r"\b(?P<s>(?P<p>ya29\.)[A-Za-z0-9_\-]{30,})",
        ),
        pat(
            "jwt",
            None,
            &["eyJ"],
            r"\b(?P<s>(?P<p>eyJ)[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})",
        ),
        pat(
            "npm_token",
            None,
            &["npm_"],
            r"\b(?P<s>(?P<p>npm_)[A-Za-z0-9]{36})\b",
        ),
        pat(
            "pypi_token",
            None,
            &["pypi-AgE"],
            r"\b(?P<s>(?P<p>pypi-)AgE[A-Za-z0-9_\-]{50,})",
        ),
        pat(
            "sendgrid_api_key",
            None,
            &["SG."],
            r"\b(?P<s>(?P<p>SG\.)[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
        ),
        pat(
            "digitalocean_token",
            None,
            &["_v1_"],
            r"\b(?P<s>(?P<p>do[opr]_v1_)[a-f0-9]{64})\b",
        ),
        pat(
            "heroku_api_key",
            None,
            &["HRKU-"],
            r"\b(?P<s>(?P<p>HRKU-)[A-Za-z0-9_\-]{20,})",
        ),
        pat(
            "huggingface_token",
            UpperLower,
            &["hf_"],
            r"\b(?P<s>(?P<p>hf_)[A-Za-z0-9]{34,40})\b",
        ),
        // Discord bot tokens have no vendor prefix; they are looked for only
        // near the words that accompany them in practice.
        pat(
            "discord_bot_token",
            Discord,
            &["discord", "Discord", "DISCORD", "login(", ".run("],
            r"\b(?P<s>[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40})(?:[^A-Za-z0-9_\-.]|$)",
        ),
        pat(
            "mailgun_api_key",
            None,
            &["key-"],
            r"\b(?P<s>(?P<p>key-)[0-9a-f]{32})\b",
        ),
        pat(
            "shopify_token",
            None,
            &["shp"],
            r"\b(?P<s>(?P<p>shp(?:at|ss|ca|pa)_)[a-fA-F0-9]{32})\b",
        ),
        pat(
            "telegram_bot_token",
            Telegram,
            &[":AA"],
            r"(?P<s>[0-9]{8,10}:AA[A-Za-z0-9_\-]{33})(?:[^A-Za-z0-9_\-]|$)",
        ),
        pat(
            "age_secret_key",
            None,
            &["AGE-SECRET-KEY-1"],
            r"\b(?P<s>(?P<p>AGE-SECRET-KEY-1)[0-9A-Z]{58})\b",
        ),
        pat(
            "linear_api_key",
            None,
            &["lin_api_"],
            r"\b(?P<s>(?P<p>lin_api_)[A-Za-z0-9]{40})\b",
        ),
        pat(
            "postman_api_key",
            None,
            &["PMAK-"],
            r"\b(?P<s>(?P<p>PMAK-)[a-f0-9]{24}-[a-f0-9]{34})\b",
        ),
        pat(
            "databricks_token",
            None,
            &["dapi"],
            r"\b(?P<s>(?P<p>dapi)[a-f0-9]{32}(?:-[0-9])?)\b",
        ),
        pat(
            "grafana_token",
            None,
            &["glsa_"],
            r"\b(?P<s>(?P<p>glsa_)[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b",
        ),
        pat(
            "notion_token",
            None,
            &["ntn_"],
            r"\b(?P<s>(?P<p>ntn_)[A-Za-z0-9]{40,})\b",
        ),
        pat(
            "sentry_token",
            None,
            &["sntry"],
            r"\b(?P<s>(?P<p>sntry[su]_)[A-Za-z0-9+/=_\-]{40,})",
        ),
        pat(
            "groq_api_key",
            None,
            &["gsk_"],
            r"\b(?P<s>(?P<p>gsk_)[A-Za-z0-9]{48,})\b",
        ),
        pat(
            "xai_api_key",
            None,
            &["xai-"],
            r"\b(?P<s>(?P<p>xai-)[A-Za-z0-9]{60,})\b",
        ),
        pat(
            "atlassian_api_token",
            None,
            &["ATATT3"],
            r"\b(?P<s>(?P<p>ATATT3)[A-Za-z0-9_\-=]{50,})",
        ),
        // ---- vendor formats keyed by a case-insensitive name -------------
        lpat(
            "aws_secret_access_key",
            PRIO_VENDOR,
            MixedCase,
            &["secret"],
            r#"\b(?:aws_?secret_?(?:access_?)?key|aws_?secret|secret_?access_?key)\\?["']?{SP}(?:=>|:=|=|:){SP}\\?["']?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        ),
        lpat(
            "azure_storage_key",
            PRIO_VENDOR,
            None,
            &["accountkey="],
            r"\baccountkey=(?P<s>[A-Za-z0-9+/]{40,}={0,2})",
        ),
        // ---- contextual credentials ---------------------------------------
        Pattern {
            priority: PRIO_CONTEXT,
            ..pat(
                "url_password",
                UrlCredentials,
                &["://"],
                r#"\b(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{1,30})://(?P<user>[^\s:/?#@'"<>\[\]]{0,128}):(?P<s>[^\s/?@'"<>]{1,256})@(?P<host>[A-Za-z0-9\[]+)"#,
            )
        },
        // `alice:Pw-2024@db.internal` with no scheme (proxy settings, `mongo`
        // and `redis-cli` arguments, scheme-relative `//user:pw@host`). `@`
        // is too common a literal to trigger on; `userinfo_gate` is the
        // prefilter.
        Pattern {
            gate: Some(userinfo_gate),
            ..lpat(
                "url_password",
                PRIO_CONTEXT,
                BareUserinfo,
                &[],
                r#"(?:^|[\s"'`(<=,/])(?P<user>[a-z0-9][a-z0-9._%+\-]{0,63}):(?P<s>[^\s:/?#@'"<>`\\=,;]{4,128})@(?P<host>(?:[a-z0-9](?:[a-z0-9\-]{0,62})\.)+[a-z]{2,24}|localhost|[0-9]{1,3}(?:\.[0-9]{1,3}){3})\b"#,
            )
        },
        lpat(
            "authorization_header",
            PRIO_CONTEXT,
            AuthHeader,
            &["authorization"],
            r#"\b(?:proxy-)?authorization\\?["']?{SP}[:=]{SP}\\?["']?{SP}(?:bearer|basic|token|digest|apikey|api-key|sso-key)\s+(?P<s>[A-Za-z0-9\-._~+/]{8,}=*)"#,
        ),
        lpat(
            "bearer_token",
            PRIO_CONTEXT,
            Bearer,
            &["bearer"],
            r"\bbearer\s+(?P<s>[A-Za-z0-9\-._~+/]{20,}=*)",
        ),
        // ---- assignments: the key must *end* with a credential word (so
        // `tokenizer=` or `max_tokens=` never match); the value is vetted by
        // `plausible_assigned_secret`.
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            Assignment,
            &["pass", "pwd", "secret", "token", "key", "credential"],
            r#"(?P<kw>passw(?:or)?d|passphrase|pass|pwd|secret|token|api[_\-]?key|apikey|(?:access|secret|private|client|signing|encryption|master|auth)[_\-]?key|credentials?)(?:[_\-](?:base|value))?\\?["']?{SP}(?:=>|:=|=|:){SP}(?P<q>\\?["'])?(?P<s>[^\s"'\\,;(){}\[\]<>`&]{1,512})"#,
        ),
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            CliUserPass,
            &["-u ", "--user"],
            r#"(?:^|[^a-z0-9_\-])(?:-u|--user)[\s=]+["']?(?P<user>[^\s:"'/@]{1,64}):(?P<s>[^\s"'@]{1,256})"#,
        ),
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            CliFlag,
            &[
                "-pass",
                "-token",
                "-api",
                "-secret",
                "-client-secret",
                "-access-token",
                "-auth-token",
            ],
            r#"(?:^|[^a-z0-9_\-])--?(?P<kw>password|passwd|pass|token|api-key|apikey|secret|client-secret|access-token|auth-token)\s+(?P<q>["'])?(?P<s>[^\s"'\\<>`\-][^\s"'\\<>`]{3,511})"#,
        ),
        // ---- passwords said in a sentence: "the password is …", "PIN set to …".
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            Prose,
            &[
                "password",
                "passphrase",
                "passcode",
                "pwd",
                "pin",
                "pass ",
                "passwd",
                "pw ",
            ],
            r#"\b(?:password|passphrase|passcode|passwd|pwd|pass|pw|pin(?:\s+code)?){QUALIFIERS}(?:\s+(?:(?:has\s+been\s+|was\s+|is\s+)?(?:set|changed|reset|updated)\s+to|is|was|remains|will\s+be|should\s+be|now|became)\s*:?|\s*:)\s+["'`]?(?P<s>[^\s"'`,;]{4,128})"#,
        ),
        // "the api key is 3f7a…", "our deploy token was rotated to …": a key or token said in a
        // sentence. The value is vetted like a password's (letters and digits, no plain word).
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            Prose,
            &["key", "token", "secret", "auth string"],
            r#"\b(?:(?:[a-z]+[\s_\-])?key|token|secret|auth\s+string){QUALIFIERS}(?:\s+(?:(?:has\s+been\s+|was\s+|is\s+)?(?:set|changed|reset|updated|rotated)\s+to|is|was|remains|will\s+be|should\s+be|now)\s*:?|\s*:)\s+["'`]?(?P<s>[^\s"'`,;\\]{8,256})"#,
        ),
        // "use this key dtn_9f86…", "paste the API token 4f9a… into …": a key or token named
        // right before its value, after a determiner. The value is vetted like a password's.
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            Prose,
            &["key", "token", "secret"],
            r#"\b(?:this|the|that|my|our|your|an?)\s+(?:(?:api|access|auth|secret|private|deploy|service|bearer)[\s_\-])?(?:key|token|secret)\s+["'`]?(?P<s>[^\s"'`,;\\]{16,256})"#,
        ),
        // A login said as a user and a password: "the staging login is admin / Fake!…",
        // "credentials are deploy:Fake-…" (a colon only between the two, not "login uses: …"),
        // "creds: ops and Fake0…". The password is vetted like any said in a sentence.
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            Prose,
            &["login", "credential", "creds", "log in as", "sign in as"],
            r#"\b(?:login|logins|credentials?|creds|(?:log|sign)\s+in\s+as)(?:\s+(?:is|are|was|were))?\s*:?\s+["'`]?(?P<user>[^\s"'`/:,;]{1,64})(?:\s*/\s*|:|\s+and\s+(?:password\s+)?|\s+with\s+(?:password\s+)?|\s+pw\s+)["'`]?(?P<s>[^\s"'`,;]{4,128})"#,
        ),
        // "log in with password Adm1n!2024", "using the passphrase …".
        lpat(
            "credential_assignment",
            PRIO_ASSIGNMENT,
            Prose,
            &["password", "passphrase", "passcode"],
            r#"\b(?:with|using|use|via)\s+(?:the\s+|a\s+)?(?:password|passphrase|passcode)\s+["'`]?(?P<s>[^\s"'`,;]{4,128})"#,
        ),
    ];
    v.shrink_to_fit();
    v
});

/// One trigger pass per case: literal → indices into [`PATTERNS`].
struct Triggers {
    re: Regex,
    map: HashMap<&'static str, Vec<u16>>,
}

fn build_triggers(lower: bool) -> Triggers {
    let mut map: HashMap<&'static str, Vec<u16>> = HashMap::new();
    for (i, p) in PATTERNS
        .iter()
        .enumerate()
        .filter(|(_, p)| p.lower == lower)
    {
        for &t in p.triggers {
            if let Ok(i) = u16::try_from(i) {
                map.entry(t).or_default().push(i);
            }
        }
    }
    // Longest first, so a literal that is a prefix of another (`sk-` and
    // `sk-ant-`) does not hide it at the same position.
    let mut lits: Vec<&str> = map.keys().copied().collect();
    lits.sort_by_key(|l| std::cmp::Reverse(l.len()));
    // A literal that *contains* another must also enable that one's patterns.
    let keys: Vec<&'static str> = map.keys().copied().collect();
    for &outer in &keys {
        let extra: Vec<u16> = keys
            .iter()
            .filter(|&&inner| inner != outer && outer.contains(inner))
            .flat_map(|inner| map.get(inner).cloned().unwrap_or_default())
            .collect();
        if let Some(v) = map.get_mut(outer) {
            v.extend(extra);
            v.sort_unstable();
            v.dedup();
        }
    }
    let alternation: Vec<String> = lits.iter().map(|l| regex::escape(l)).collect();
    Triggers {
        re: compile(&alternation.join("|")),
        map,
    }
}

static TRIGGERS: LazyLock<Triggers> = LazyLock::new(|| build_triggers(false));
static LOWER_TRIGGERS: LazyLock<Triggers> = LazyLock::new(|| build_triggers(true));

/// Whether some `@` in `text` has a `:` before it within the same run of
/// characters a `user:password` can hold: the only texts in which the
/// scheme-less userinfo pattern can match. `@` itself is everywhere in code
/// and transcripts (decorators, addresses, package versions), and one more
/// full regex pass over every such text would cost more than all other
/// contextual patterns together; this scan stops at the first blank or
/// quote before each `@`.
fn userinfo_gate(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('@').any(|(at, _)| {
        bytes[at.saturating_sub(200)..at]
            .iter()
            .rev()
            .take_while(|&&c| {
                !c.is_ascii_whitespace()
                    && !matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`' | b'/' | b'@' | b'\\')
            })
            .any(|&c| c == b':')
    })
}

/// Mark the patterns whose triggers occur in `text`.
fn mark_triggered(t: &Triggers, text: &str, active: &mut [bool]) {
    for m in t.re.find_iter(text) {
        if let Some(ids) = t.map.get(m.as_str()) {
            for &i in ids {
                if let Some(a) = active.get_mut(usize::from(i)) {
                    *a = true;
                }
            }
        }
    }
}

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
///
/// ```
/// use lucid_safety::Redactor;
///
/// let text = "ask jane.roe@gmail.com for the token=Fk29dkQpLx7";
/// // Secrets only (the default, like `lucid_safety::redact`).
/// assert_eq!(
///     Redactor::new().redact(text).text,
///     "ask jane.roe@gmail.com for the token=…[redacted]"
/// );
/// // Secrets and personal data.
/// let strict = Redactor::new().redact_personal_data(true);
/// let out = strict.redact(text);
/// assert_eq!(out.text, "ask …[redacted] for the token=…[redacted]");
/// assert_eq!(out.findings[0].kind, "personal_email");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    extra: Vec<Regex>,
    personal_data: bool,
}

impl Redactor {
    /// A redactor with the built-in patterns only.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Also redact personal data when `on`: e-mail addresses of people
    /// (see [`crate::personal_emails`] for what counts), reported with the
    /// kind `personal_email` and replaced whole. Off by default: an address
    /// is not a credential, and [`crate::redact`] and
    /// [`crate::contains_secret`] never report one.
    #[must_use]
    pub fn redact_personal_data(mut self, on: bool) -> Redactor {
        self.personal_data = on;
        self
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
        Ok(Redactor {
            extra,
            personal_data: false,
        })
    }

    /// Redact every secret in `text`. Borrows the input when nothing is found.
    pub fn redact<'a>(&self, text: &'a str) -> Redaction<'a> {
        let cands = self.settled_candidates(text);
        if cands.is_empty() {
            return Redaction {
                text: Cow::Borrowed(text),
                findings: Vec::new(),
            };
        }
        let (out, _) = apply_redactions(text, &cands);
        let findings = cands.iter().map(to_finding).collect();
        Redaction {
            text: Cow::Owned(out),
            findings,
        }
    }

    /// Detect secrets without rewriting the text. Findings are sorted by
    /// offset and never overlap; they are exactly the spans [`Self::redact`]
    /// replaces.
    pub fn find(&self, text: &str) -> Vec<SecretFinding> {
        self.settled_candidates(text)
            .iter()
            .map(to_finding)
            .collect()
    }

    /// Candidates whose redaction is stable: some checks depend on context
    /// (a token inside a URL is not a secret, a Telegram token must not be
    /// glued to a word), and redacting one secret can change the context of
    /// another. The redacted output is therefore re-checked; anything found
    /// there is mapped back to input offsets and merged, until nothing new
    /// appears (in practice one extra round). This is what guarantees that
    /// redacting twice changes nothing.
    fn settled_candidates(&self, text: &str) -> Vec<Candidate> {
        let mut cands = self.candidates(text);
        for _ in 0..4 {
            if cands.is_empty() {
                break;
            }
            let (out, edits) = apply_redactions(text, &cands);
            let more = self.candidates(&out);
            if more.is_empty() {
                break;
            }
            for m in more {
                let (start, end) = (
                    map_back(&edits, m.start, false),
                    map_back(&edits, m.end, true),
                );
                // A visible prefix only survives if that text is unchanged.
                let keep = if text.get(start..start + m.keep) == out.get(m.start..m.start + m.keep)
                {
                    m.keep
                } else {
                    0
                };
                cands.push(Candidate {
                    start,
                    end,
                    keep,
                    ..m
                });
            }
            cands = resolve_overlaps(cands);
        }
        cands
    }

    fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut cands: Vec<Candidate> = Vec::new();
        let patterns = &*PATTERNS;
        // One literal pass per case decides which patterns can match at all;
        // on clean text usually none run.
        let mut active = vec![false; patterns.len()];
        mark_triggered(&TRIGGERS, text, &mut active);
        // ASCII lower-casing keeps byte offsets, and every lower-case
        // pattern is ASCII.
        let lower: Cow<'_, str> = if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
        mark_triggered(&LOWER_TRIGGERS, &lower, &mut active);
        let mut order: u16 = 0;
        for (p, &on) in patterns.iter().zip(&active) {
            if on || p.gate.is_some_and(|gate| gate(text)) {
                let haystack: &str = if p.lower { &lower } else { text };
                collect_pattern(p, order, haystack, text, &mut cands);
            }
            order += 1;
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
        // The token-run pass also recognises Twilio keys (`SK` + 32 hex): a
        // two-letter literal trigger would fire on every "TASK" and "DISK".
        find_high_entropy(text, &public_blocks, |start, end, kind| {
            let (keep, priority) = if kind == TWILIO {
                (2, PRIO_VENDOR)
            } else {
                (0, PRIO_ENTROPY)
            };
            cands.push(Candidate {
                start,
                end,
                keep,
                kind,
                priority,
                order,
            });
        });
        if self.personal_data {
            for_each_personal_email(text, |start, end| {
                cands.push(Candidate {
                    start,
                    end,
                    keep: 0,
                    kind: PERSONAL_EMAIL,
                    priority: PRIO_PERSONAL,
                    order,
                });
            });
        }
        // Never re-redact our own marker: this is what makes redaction idempotent.
        cands.retain(|c| !text[c.start..c.end].contains(REDACTED));
        resolve_overlaps(cands)
    }
}

/// One replaced span: `(input start, input end, output start, output end)`.
type Edit = (usize, usize, usize, usize);

/// Replace each candidate span by its visible prefix plus the marker.
fn apply_redactions(text: &str, cands: &[Candidate]) -> (String, Vec<Edit>) {
    let mut out = String::with_capacity(text.len());
    let mut edits = Vec::with_capacity(cands.len());
    let mut last = 0;
    for c in cands {
        out.push_str(&text[last..c.start]);
        let out_start = out.len();
        out.push_str(&text[c.start..c.start + c.keep]);
        out.push_str(REDACTED);
        edits.push((c.start, c.end, out_start, out.len()));
        last = c.end;
    }
    out.push_str(&text[last..]);
    (out, edits)
}

/// Map an offset in the redacted output back to the input. Offsets inside
/// a replacement snap outward to the replaced span (`end` selects which
/// side), so a re-detected secret always covers what it touches.
fn map_back(edits: &[Edit], pos: usize, end: bool) -> usize {
    // Last edit starting at or before `pos` in output coordinates.
    let idx = edits.partition_point(|e| e.2 <= pos);
    if idx == 0 {
        return pos;
    }
    let (in_s, in_e, out_s, out_e) = edits[idx - 1];
    if pos < out_e || (end && pos == out_e && pos > out_s) {
        // Inside the replacement (or ending exactly at its end).
        if end { in_e } else { in_s }
    } else {
        in_e + (pos - out_e)
    }
}

fn to_finding(c: &Candidate) -> SecretFinding {
    SecretFinding {
        kind: c.kind,
        start: c.start,
        end: c.end,
    }
}

/// Merge overlapping candidates into one redaction span each.
///
/// The merged span is the *union* of everything any detector considered
/// secret (a redactor must never leave part of a detected secret behind),
/// labelled with the most specific kind (lowest priority number, then
/// pattern order). Only a vendor prefix that starts the merged span stays
/// visible. Taking the union rather than dropping the loser of an overlap
/// is also what keeps redaction idempotent: a dropped, partially overlapped
/// candidate could otherwise match on its own in the redacted output.
fn resolve_overlaps(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    if cands.len() <= 1 {
        return cands;
    }
    cands.sort_by_key(|c| (c.start, c.priority, c.order));
    let mut out: Vec<Candidate> = Vec::with_capacity(cands.len());
    for c in cands {
        match out.last_mut() {
            Some(group) if c.start < group.end => {
                group.end = group.end.max(c.end);
                if (c.priority, c.order) < (group.priority, group.order) {
                    group.kind = c.kind;
                    group.priority = c.priority;
                    group.order = c.order;
                    // A prefix is only meaningful where the span starts.
                    if c.start != group.start {
                        group.keep = 0;
                    } else {
                        group.keep = c.keep;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Run one pattern over `haystack` (the text or its lower-cased copy, with
/// identical byte offsets); spans and validation use the original `text`.
///
/// When a match is rejected, the search resumes at the start of its secret
/// group rather than after the match: in `token: %20password=hunter2` the
/// rejected `token:` match would otherwise swallow the real `password=`
/// one. Each restart still moves forward, so the scan stays linear in
/// practice.
fn collect_pattern(p: &Pattern, order: u16, haystack: &str, text: &str, out: &mut Vec<Candidate>) {
    let mut pos = 0;
    while pos <= haystack.len() {
        let Some(caps) = p.re.captures_at(haystack, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        let m = caps.name("s").unwrap_or(whole);
        let (start, end) = (m.start(), m.end());
        let keep = caps
            .name("p")
            .map_or(0, |pm| pm.end().saturating_sub(start));
        let accepted = text
            .get(start..end)
            .and_then(|s| validate(p, &caps, s, keep, text, start, end));
        // A quoted value runs to its closing quote: `db_password = "Tr0ub4dor&3-horse"` is one
        // secret although `&` ends a bare value (`token=abc&page=2`).
        let end = match (&accepted, caps.name("q")) {
            (Some(_), Some(quote)) => quoted_value_end(text, end, quote.as_str()),
            (Some(_), None) if matches!(p.check, Check::Assignment) => bare_value_end(text, end),
            _ => end,
        };
        if let Some(kind) = accepted {
            out.push(Candidate {
                start,
                end,
                keep,
                kind,
                priority: p.priority,
                order,
            });
            pos = whole.end().max(pos + 1);
        } else {
            // Resume inside the rejected value, or just past the match start.
            let next = if start > whole.start() {
                start
            } else {
                whole.start() + 1
            };
            pos = ceil(haystack, next.max(pos + 1));
        }
    }
}

/// Where a quoted value that a pattern matched up to `end` really ends: at its closing quote,
/// when that comes on the same line within 512 bytes; else `end`.
fn quoted_value_end(text: &str, end: usize, quote: &str) -> usize {
    let Some(mark) = quote.chars().last() else {
        return end;
    };
    let rest = text.get(end..).unwrap_or("");
    rest.char_indices()
        .take_while(|&(at, c)| c != '\n' && at <= 512)
        .find(|&(_, c)| c == mark)
        .map_or(end, |(at, _)| end + at)
}

/// Where a bare value that a pattern matched up to `end` really ends: `password: N0t-S3cret&42`
/// goes on past the `&`, unless what follows is a query string's next parameter (`&page=2`).
fn bare_value_end(text: &str, end: usize) -> usize {
    let rest = text.get(end..).unwrap_or("");
    if !rest.starts_with('&') {
        return end;
    }
    let run = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | ';'))
        .map_or(rest, |(at, _)| &rest[..at]);
    let run = run.trim_end_matches(['.', ':', '!', '?', ')']);
    if run.contains('=') || run.len() > 256 {
        return end;
    }
    end + run.len()
}

/// Apply the pattern's structural check; returns the kind to report.
fn validate(
    p: &Pattern,
    caps: &Captures<'_>,
    s: &str,
    keep: usize,
    text: &str,
    s_start: usize,
    s_end: usize,
) -> Option<&'static str> {
    let body = s.get(keep..).unwrap_or("");
    let has = |f: fn(&u8) -> bool| body.as_bytes().iter().any(f);
    let ok = match p.check {
        Check::None => true,
        Check::MixedCase => {
            has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)
        }
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
        // `…/bot123:AA…` or a standalone token, but not the tail of a longer
        // word or number.
        Check::Telegram => {
            let before = &text[..s_start];
            before.ends_with("bot") || !before.ends_with(|c: char| c.is_ascii_alphanumeric())
        }
        Check::UrlCredentials => {
            let scheme = caps
                .name("scheme")
                .map_or("", |m| m.as_str())
                .to_ascii_lowercase();
            // Documentation uses `user:pass@`, `abc:xyz@`, `a:b@`.
            let short_word = s.len() <= 5
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if is_placeholder(s) || s.len() < 4 || short_word {
                return None;
            }
            return Some(if is_database_scheme(&scheme) {
                "database_connection_string"
            } else {
                "url_password"
            });
        }
        Check::Prose => {
            let v = s.trim_end_matches(['.', ':', '!', '?', ')']);
            let classes = [
                v.bytes().any(|b| b.is_ascii_alphabetic()),
                v.bytes().any(|b| b.is_ascii_digit()),
                v.bytes().any(|b| b.is_ascii_punctuation()),
            ]
            .iter()
            .filter(|&&present| present)
            .count();
            let next = text[s_end..].chars().next();
            // A PIN or passcode is digits: four to twelve of them.
            let keyword = text[..s_start].to_ascii_lowercase();
            let pin = ["pin ", "pin code ", "passcode "]
                .iter()
                .any(|k| keyword.rfind(k).is_some_and(|at| s_start - at < 40));
            let digits_pin =
                pin && (4..=12).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit());
            let said = caps.get(0).map_or("", |m| m.as_str()).to_ascii_lowercase();
            let kind = if ["pass", "pin", "pwd", "pw", "login", "cred", " in as"]
                .iter()
                .any(|k| said.contains(k))
            {
                "password_assignment"
            } else {
                "secret_assignment"
            };
            // Said in a sentence, a value can be more words ("when the wrong key is
            // read/written"): no credential. (Links and stand-ins are left out for every
            // assignment, in `plausible_assigned_secret`.)
            let words_only = v
                .split(|c: char| !c.is_ascii_alphanumeric())
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()));
            if words_only && !digits_pin {
                return None;
            }
            // Letters alone, mixed case with no word structure (`eFUXhjHyRyvOkS`), are a
            // generated password as surely as letters and digits are.
            return (digits_pin
                || ((classes >= 2 || crate::values::generated_letters(v))
                    && v.len() >= 6
                    && plausible_assigned_secret(v, false, next)))
            .then_some(kind);
        }
        Check::AwsPair => {
            // A path (`/home/alice/…`) starts with a slash and is mostly
            // slashes and words; a key has a slash in one of 32 characters.
            has(u8::is_ascii_uppercase)
                && has(u8::is_ascii_lowercase)
                && !(s.starts_with(['/', '.']) && crate::entropy::looks_like_path(s))
                && s.bytes().filter(|&b| b == b'/').count() <= 4
        }
        Check::BareUserinfo => {
            let user = caps.name("user").map_or("", |m| m.as_str());
            // `mailto:`, `sip:`, `tel:`… are schemes before an address.
            const SCHEMES: &[&str] = &["mailto", "sip", "sips", "xmpp", "tel", "urn", "news"];
            let next = text[s_end..].chars().next();
            return (!SCHEMES.contains(&user) && plausible_assigned_secret(s, false, next))
                .then_some("url_password");
        }
        Check::AuthHeader => plausible_header_credential(s.trim_end_matches('='), 8),
        Check::Bearer => plausible_header_credential(s.trim_end_matches('='), 20),
        // `docker run -u 1000:1000` and `-u root:wheel` are ids and groups.
        Check::CliUserPass => {
            let next = text[s_end..].chars().next();
            return plausible_assigned_secret(s, false, next).then_some("password_assignment");
        }
        Check::Assignment | Check::CliFlag => {
            let kw = caps
                .name("kw")
                .map_or("", |m| m.as_str())
                .to_ascii_lowercase();
            // `bypass=`, `compass:` — "pass" must start a word segment.
            if kw == "pass" || kw == "pwd" {
                let kw_start = caps.name("kw").map_or(0, |m| m.start());
                if kw_start > 0 && text.as_bytes()[kw_start - 1].is_ascii_alphabetic() {
                    return None;
                }
            }
            let quoted = caps.name("q").is_some();
            // Bare `pass` is a weak key (`pass:foo` is openssl syntax, `pass:`
            // a YAML word); only `pass = …` or a quoted value counts.
            let sep_colon = trim_spacing_end(&text[..s_start]).ends_with(':');
            if kw == "pass" && sep_colon && !quoted {
                return None;
            }
            // A quoted all-lower-case word (`token: "coalesce"`) is a string
            // literal in code unless the key is a password.
            let password_key = kw.starts_with("pass") || kw == "pwd";
            if quoted && !password_key && s.bytes().all(|b| b.is_ascii_lowercase()) {
                return None;
            }
            // `field: Value,` in a struct literal or argument list.
            if !quoted && sep_colon && matches!(text[s_end..].chars().next(), Some(',' | ')' | '}'))
            {
                return None;
            }
            // Trailing sentence punctuation is not part of a bare value.
            let v = if quoted {
                s
            } else {
                s.trim_end_matches(['.', ':', '!', '?'])
            };
            let next = text[s_end..].chars().next();
            let passphrase = || {
                let kw_span = caps.name("kw").map_or(0..0, |m| m.range());
                let between = &text[kw_span.end..s_start];
                let key = &text[kw_span];
                let shape = PassphraseContext {
                    next,
                    colon: sep_colon,
                    spaced: between.contains([' ', '\t']) || between.contains("\\t"),
                    ends_line: ends_line(&text[s_end..]),
                    upper_key: !key.bytes().any(|b| b.is_ascii_lowercase()),
                };
                p.check == Check::Assignment
                    && !quoted
                    && (kw.starts_with("passw") || kw == "passphrase")
                    && plausible_passphrase(v, shape)
            };
            if !plausible_assigned_secret(v, quoted, next) && !passphrase() {
                return None;
            }
            // `TOKEN: Type = value` is a typed declaration, not a credential.
            if !quoted && sep_colon && text[s_end..].trim_start().starts_with('=') {
                return None;
            }
            return Some(if password_key {
                "password_assignment"
            } else {
                "secret_assignment"
            });
        }
    };
    ok.then_some(p.kind)
}

/// `text` without the spacing that may precede a value: blanks, quotes,
/// backslashes and JSON-escaped tabs (`\t`).
fn trim_spacing_end(text: &str) -> &str {
    let mut t = text;
    loop {
        let trimmed = t
            .trim_end_matches([' ', '\t', '"', '\'', '\\'])
            .trim_end_matches("\\t");
        if trimmed.len() == t.len() {
            return t;
        }
        t = trimmed;
    }
}

/// Whether nothing but space, a closing quote or a comment follows on the
/// line: the value is the last thing on it, as in a YAML or `.env` file.
fn ends_line(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t', '"', '\'', '`']);
    rest.is_empty()
        || rest.starts_with(['\n', '\r', '#'])
        || rest.starts_with("//")
        || rest.starts_with("\\n")
        || rest.starts_with("\\r")
}

fn is_database_scheme(scheme: &str) -> bool {
    const DB: &[&str] = &[
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongodb",
        "mongodb+srv",
        "redis",
        "rediss",
        "amqp",
        "amqps",
        "mssql",
        "sqlserver",
        "clickhouse",
        "cockroachdb",
        "couchdb",
        "neo4j",
        "neo4j+s",
        "bolt",
        "cassandra",
        "oracle",
        "memcached",
        "snowflake",
        "db2",
    ];
    DB.contains(&scheme)
}

/// Discord bot tokens start with the base64 encoding of the bot's numeric
/// user id; checking that removes almost all dotted-identifier look-alikes.
fn discord_id_segment(s: &str) -> bool {
    use base64::Engine as _;
    let Some(first) = s.split('.').next() else {
        return false;
    };
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

/// `-----BEGIN `, searched with the regex engine's SIMD substring finder.
static PEM_BEGIN: LazyLock<Regex> = LazyLock::new(|| compile("-----BEGIN "));

/// Finds `-----BEGIN … PRIVATE KEY-----` blocks (complete or truncated) and
/// pushes them as candidates. Returns the ranges of *public* PEM blocks
/// (certificates, public keys) so the entropy detector can skip them.
fn find_pem_blocks(text: &str, order: u16, out: &mut Vec<Candidate>) -> Vec<(usize, usize)> {
    let mut public = Vec::new();
    for m in PEM_BEGIN.find_iter(text) {
        let idx = m.start();
        let label_start = idx + "-----BEGIN ".len();
        let rest = &text[label_start..];
        let Some(close) = rest[..floor(rest, 48)].find("-----") else {
            continue;
        };
        let label = &rest[..close];
        if !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit())
        {
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
///
/// A key shown by a file viewer has a line number in front of every line
/// (`    12→`, `12 | `, `12:`, `12\t`); the number's separator is skipped
/// like blank space, so such a key is consumed whole.
fn scan_pem_body(text: &str, from: usize) -> (usize, usize) {
    const MIN_RUN: usize = 16;
    let bytes = text.as_bytes();
    let limit = (from + 64 * 1024).min(bytes.len());
    let mut i = from;
    let mut end = from;
    let mut count = 0usize;
    let mut run = 0usize;
    // Where the current line starts, to recognise a line-number prefix.
    let mut line_start = from;
    let numbered = |line_start: usize, at: usize| {
        let prefix = &bytes[line_start..at];
        prefix.iter().any(u8::is_ascii_digit)
            && prefix
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'\t'))
    };
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
            let close = tail[..floor(tail, 48)].find("-----");
            return (close.map_or(end, |p| i + 9 + p + 5), count);
        } else if b == b'\n' {
            i += 1;
            line_start = i;
        } else if b.is_ascii_whitespace() || matches!(b, b':' | b',' | b'.' | b'-' | b'(' | b')') {
            i += 1;
        } else if b == b'\\' && i + 1 < limit && matches!(bytes[i + 1], b'n' | b'r' | b't') {
            i += 2;
            if bytes[i - 1] == b'n' {
                line_start = i;
            }
        } else if b == b'|' && numbered(line_start, i) {
            i += 1;
        } else if bytes[i..limit].starts_with("→".as_bytes()) && numbered(line_start, i) {
            i += "→".len();
        } else if bytes[i..limit].starts_with(b"\\u2192") && numbered(line_start, i) {
            i += 6;
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
    DEFAULT
        .settled_candidates(text)
        .iter()
        .map(|c| (c.start, c.end, c.keep))
        .collect()
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
        assert!(PATTERNS.len() > 40);
        assert!(
            PATTERNS
                .iter()
                .all(|p| p.triggers.is_empty() == p.gate.is_some())
        );
        LazyLock::force(&TRIGGERS);
        LazyLock::force(&LOWER_TRIGGERS);
    }

    #[test]
    fn basic_redaction() {
        let r = redact("key: sk-ant-api03-FAKEfakeFAKEfake0000000000000000000000AA done");
        assert_eq!(r.text, "key: sk-ant-…[redacted] done");
        assert_eq!(r.findings[0].kind, "anthropic_api_key");
        for (text, secret) in [
            (
                "the wifi password is Tr0ub4dor&3xk9 for the office",
                "Tr0ub4dor&3xk9",
            ),
            ("Her PIN was set to 48213377.", "48213377"),
            ("The door PIN is 4821, do not share it.", "4821"),
            (
                "The admin password has been changed to Summer2026!",
                "Summer2026!",
            ),
        ] {
            let r = redact(text);
            assert!(!r.text.contains(secret), "{text} -> {}", r.text);
        }
        for text in [
            "The password is required for every login.",
            "Your password is too short: use at least 12 characters.",
            "The password was reset to the default by the administrator.",
            "PIN code is 4 digits.",
        ] {
            assert_eq!(redact(text).text, text);
        }
        let r = redact("password=hunter2-Zq9 next");
        assert_eq!(r.text, "password=…[redacted] next");
        let r = redact("postgres://app:s3cr3t-Pw@db.internal:5432/app");
        assert_eq!(r.text, "postgres://app:…[redacted]@db.internal:5432/app");
        assert_eq!(r.findings[0].kind, "database_connection_string");
    }

    /// A quoted value runs to its closing quote, whatever it holds (`&`, `;`, spaces); a bare
    /// value still ends at `&` (a query string's next parameter).
    #[test]
    fn a_quoted_value_is_redacted_to_its_closing_quote() {
        for (text, kept_after) in [
            (
                "  9 |   db_password     =   \"Tr0ub4dor&3-horse-battery\"\n 10 |   region = 1",
                "\"\n 10 |   region = 1",
            ),
            (
                "api_token: 'Fk29;dk(Qp) Lx&00'  # set by ops",
                "'  # set by ops",
            ),
        ] {
            let r = redact(text);
            assert!(r.text.ends_with(kept_after), "{text:?} -> {:?}", r.text);
            for piece in ["horse", "battery", "Qp)", "Lx&00"] {
                assert!(!r.text.contains(piece), "{piece} left in {:?}", r.text);
            }
        }
        let r = redact("GET /export?token=Zq9xK2mW8pLr4Tn7&page=2");
        assert!(r.text.ends_with("&page=2"), "{:?}", r.text);
        let r = redact("Login with password: N0t-S0-S3cret&42 please.");
        assert!(r.text.ends_with(" please."), "{:?}", r.text);
        assert!(!r.text.contains("&42"), "{:?}", r.text);
    }

    /// Found by trying reworded secrets on a dream: a URL password with `#` in it, and a key
    /// said in a sentence.
    #[test]
    fn url_passwords_with_a_hash_and_keys_said_in_a_sentence_are_redacted() {
        for (text, secret) in [
            (
                "Our staging DB url is postgresql://svc_app:Hx7#pq2!Lm@10.2.3.4:5432/app so use it.",
                "Hx7#pq2!Lm",
            ),
            (
                "my api key is 3f7a9c2e1b8d4f6a0c5e9b7d2a4f8c1e, remember it",
                "3f7a9c2e1b8d",
            ),
            (
                "The deploy token was rotated to Qm8vZx2LkP0rT4wy last night.",
                "Qm8vZx2LkP0rT4wy",
            ),
            // Found with reworded secrets on a dream: words between the credential and its
            // verb, a colon after them, a one-word kind of key, letters-only passwords, and
            // "was changed to".
            (
                "Remember the wifi passphrase in the office: correct-horse-battery-staple-42.",
                "correct-horse-battery-staple-42",
            ),
            (
                "Remember that the encryption passphrase for backups is \"A7AYzKtOhjcfi94ZtfhBnNzA\".",
                "A7AYzKtOhjcfi94ZtfhBnNzA",
            ),
            (
                "Remember: the staging admin account is ops-admin with password eFUXhjHyRyvOkS.",
                "eFUXhjHyRyvOkS",
            ),
            (
                "Remember that the prod DB password was changed to rapS77SuvvZ7528U yesterday.",
                "rapS77SuvvZ7528U",
            ),
            (
                "Remember that the signing key for webhooks is Zk3Lq9Wm2Xp7Rt5Yv8Bn4Cd6Fg1Hj0Ks.",
                "Zk3Lq9Wm2Xp7Rt5Yv8Bn4Cd6Fg1Hj0Ks",
            ),
            (
                "The vault unseal key is Fq93kLz0Wm2Xp7Rt5Yv8Bn4Cd6Fg1Hj0KsPa=",
                "Fq93kLz0Wm2Xp7Rt5Yv8Bn4Cd6Fg1Hj0KsPa",
            ),
            // A key in two dotted parts is no member access.
            (
                "MAILER_API_KEY=kw6zOjb7joGU.jPo09aAEg11UKBJ7gdP0flMO20X9uH",
                "jPo09aAEg11UKBJ7gdP0flMO20X9uH",
            ),
        ] {
            let r = redact(text);
            assert!(!r.text.contains(secret), "{text} -> {}", r.text);
        }
        for text in [
            "The api key is required for every request.",
            "The token is valid for 3600 seconds.",
            "The secret is out: we ship on Monday.",
            "The primary key is user_id in every table.",
            "The password for the admin account is required on first login.",
            "The key for the cache is the request path.",
            "Token in the header: always the short-lived one.",
            // Found on real transcripts: more words, a link and a stand-in after the key.
            "It fails at runtime when the wrong key is read/written.",
            "Instructions on how to get a personal API key: https://posthog.com/docs/api/overview",
            "expect(targets).toContain('api_key: \"[redacted]\"');",
            "See https://example.com/docs#section-2 for details.",
            // JSON-escaped text from a real Codex session: the word ends at the escape.
            "the bearer token is opaque\\n- only attach it to chatgpt.com",
        ] {
            assert_eq!(redact(text).text, text);
        }
    }

    #[test]
    fn clean_text_borrows() {
        let r = redact("cargo build --release finished in 3.2s");
        assert!(matches!(r.text, Cow::Borrowed(_)));
    }

    #[test]
    fn extra_patterns() {
        let r = Redactor::with_extra_patterns(&["ACME-[0-9]{6}".to_string()])
            .map(|r| r.redact("id ACME-123456 ok").text.into_owned());
        assert_eq!(r.ok().as_deref(), Some("id …[redacted] ok"));
        assert!(Redactor::with_extra_patterns(&["(".to_string()]).is_err());
    }
}
