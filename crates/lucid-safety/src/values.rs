//! Heuristics that decide whether a *value* found next to a credential-like
//! key (`password=…`, `"token": "…"`, `Authorization: Bearer …`, the password
//! part of a URL) is a real secret or merely a placeholder, a reference or a
//! piece of code.
//!
//! Documentation, examples and source code mention `password=` and `token:`
//! constantly; flagging `password=<your-password>` or `token=${TOKEN}` would
//! drown the real findings and mangle perfectly good memories. The rules here
//! are deliberately biased towards *not* flagging anything that looks like a
//! template, a variable reference or an identifier.
//!
//! What counts as a placeholder (never redacted): template syntax
//! (`<password>`, `{{ … }}`), references to variables and environment
//! (`$PASSWORD`, `${PASSWORD}`, `%PASSWORD%`, `$env:PASSWORD`, `YOUR_API_KEY`,
//! `os.environ[…]`, `var.db_password`), masks (`***`, `xxx`, `••••`),
//! illustrative words (`your-password-here`, `replace_me`, `example`) and
//! well-known defaults such as `changeme`. The last is a deliberate choice: a
//! default that every installation guide prints protects nothing by being
//! hidden, and redacting it would mangle those guides in memory.
//!
//! After a *password* key, any other value is a secret whatever its
//! characters (`password=correcthorsebatterystaple`, see
//! [`plausible_passphrase`]); after other credential keys a bare word is an
//! identifier unless its letters look random.

/// Marker inserted in place of a secret. Part of the public redacted format.
pub(crate) const REDACTED: &str = "…[redacted]";

/// Exact (lower-cased) values that are conventional placeholders.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "key",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "placeholder",
    "redacted",
    "removed",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "undefined",
    "example",
    "sample",
    "test",
    "testing",
    "dummy",
    "default",
    "required",
    "optional",
    "string",
    "str",
    "value",
    "empty",
    "hidden",
    "masked",
    "secure",
    "todo",
    "tbd",
    "foo",
    "bar",
    "baz",
    "foobar",
    "admin",
    "root",
    "user",
    "username",
    "bearer",
    "basic",
    "xxx",
    "abc",
    "abc123",
    "qwerty",
    "letmein",
];

/// Substrings (lower-cased) that mark a templated or illustrative value.
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "your.",
    "my_",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%s",
    "%(",
    "xxxx",
    "****",
    "....",
    "…",
    "[redacted]",
    "[hidden]",
    "[masked]",
    "replace_",
    "replace-",
    "replaceme",
    "insert_",
    "insert-",
    "enter_",
    "enter-",
    "put_",
    "_here",
    "-here",
    "placeholder",
    "changeme",
    "dummy",
    "redacted",
];

/// True for values that are placeholders, masks, template syntax or
/// references to a variable rather than a literal secret.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    if v.is_empty() {
        return true;
    }
    // Variable references: $TOKEN, $env:TOKEN, %TOKEN%, @token, :token (Ruby symbols).
    if matches!(
        v.as_bytes()[0],
        b'$' | b'%' | b'@' | b':' | b'&' | b'*' | b'=' | b'!'
    ) {
        return true;
    }
    // Masks such as ****, xxxxxx, ......, ••••, ######, 000000.
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    if v.chars()
        .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '#' | '•' | '-' | '_' | '?' | '…'))
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_FRAGMENTS.iter().any(|f| lower.contains(f)) {
        return true;
    }
    // ALL_CAPS_SNAKE names (`YOUR_API_KEY`, `OPENAI_API_KEY`) are references
    // to environment variables or constants, not values.
    if is_constant_name(v) {
        return true;
    }
    false
}

/// `FOO_BAR`, `API_KEY`, `TOKEN` — an upper-case constant / env var name.
fn is_constant_name(v: &str) -> bool {
    let bytes = v.as_bytes();
    let letters = bytes.iter().filter(|b| b.is_ascii_uppercase()).count();
    if letters == 0 {
        return false;
    }
    let shape_ok = bytes
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    if !shape_ok {
        return false;
    }
    // Require an underscore or an all-letter word: `AKIA…` style keys have
    // digits and no underscores and must not be mistaken for a name.
    bytes.contains(&b'_') || letters == bytes.len()
}

/// Values that are file system paths or file names (`./key.pem`, `~/.ssh/id_rsa`).
pub(crate) fn is_path_like(v: &str) -> bool {
    if v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.starts_with("file:")
    {
        return true;
    }
    let b = v.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    {
        return true;
    }
    const FILE_EXTS: &[&str] = &[
        ".pem", ".key", ".json", ".txt", ".yaml", ".yml", ".toml", ".env", ".p12", ".pfx", ".crt",
        ".cfg", ".conf", ".ini", ".gpg", ".asc",
    ];
    let lower = v.to_ascii_lowercase();
    FILE_EXTS.iter().any(|e| lower.ends_with(e))
}

/// Values that are code rather than literals: calls, indexing, dotted member
/// access (`getpass.getpass`, `os.environ`, `self._password`, `args.token`).
pub(crate) fn is_code_expression(v: &str) -> bool {
    if v.contains(['(', ')', '[', ']', '{', '}']) || v.contains("->") || v.contains("::") {
        return true;
    }
    // ABNF repetition (`token = 1*tchar`, `*( "," OWS )`) in RFC grammars.
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    if v[digits..].starts_with('*')
        && v[digits + 1..]
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return true;
    }
    // Dotted identifier chain where every segment is an identifier — and none is random data
    // (`kw6zOjb7joGU.jPo09aAEg11UKBJ7gdP0`, a key in two parts, is no member access).
    if v.contains('.') {
        let all_idents = v.split('.').all(|seg| {
            let mut cs = seg.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let random_part = v
            .split('.')
            .any(|seg| crate::entropy::random_segment(seg.as_bytes()));
        if all_idents && !random_part {
            return true;
        }
    }
    false
}

/// Letters plus `_`/`-` only, i.e. a word or identifier such as `incorrect`,
/// `passwordInput`, `client_secret`.
pub(crate) fn is_plain_identifier(v: &str) -> bool {
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
}

/// `snake_case` identifier containing an underscore (digits allowed).
fn is_snake_identifier(v: &str) -> bool {
    v.contains('_')
        && v.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !v.bytes().any(|b| b.is_ascii_uppercase())
        // `dtn_3f9c…` (a prefix, then 64 hex digits): a typed key, not a name.
        && !v.split('_').any(|part| crate::entropy::random_lowercase(part.as_bytes()))
}

/// An identifier that is clearly code-shaped: snake_case or camelCase.
fn is_compound_identifier(v: &str) -> bool {
    if !is_plain_identifier(v) {
        return false;
    }
    let has_sep = v.contains(['_', '-']);
    let b = v.as_bytes();
    let camel = b
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    has_sep || camel
}

/// Decide whether a value assigned to a credential-like key is a real secret.
///
/// `quoted` tells whether the value was inside quotes; quoted literals are a
/// much stronger signal than bare words after a colon, which are often prose
/// ("Password: incorrect").
pub(crate) fn plausible_assigned_secret(v: &str, quoted: bool, next: Option<char>) -> bool {
    // A link is no credential (one inside a URL is `url_password`'s: "API key:
    // https://…/docs" names where to get one).
    if is_placeholder(v)
        || is_path_like(v)
        || is_code_expression(v)
        || is_host_like(v)
        || v.contains("://")
    {
        return false;
    }
    // Identifiers in code: `_bindgen_ty_7`, `user_id_2`, `__init__`.
    if !quoted && is_snake_identifier(v) {
        return false;
    }
    // `password=getpass(` or `token=tokens[0]` — the value continues as code.
    if matches!(next, Some('(' | '[' | '.')) {
        return false;
    }
    if v.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        // Counts, ports, versions, dates: `max_token=4096`.
        return false;
    }
    let len = v.chars().count();
    // Letters with no word structure are a credential, not a name.
    let random = crate::entropy::random_letters(v.as_bytes()) || generated_letters(v);
    if quoted {
        // A short all-lower-case word in quotes is far more often a string
        // literal in code (`token: "error"`) than a password.
        let short_word = len < 8 && v.bytes().all(|b| b.is_ascii_lowercase());
        len >= 4 && !short_word && (random || !is_compound_identifier(v))
    } else {
        len >= 6 && (random || !is_plain_identifier(v))
    }
}

/// Letters only, ten or more, whose case changes like random data's (`eFUXhjHyRyvOkS`), not
/// like a camelCase name's (`getAccessToken`): a generated password too short for
/// [`crate::entropy::random_letters`]' statistics.
pub(crate) fn generated_letters(v: &str) -> bool {
    v.len() >= 10
        && v.bytes().all(|b| b.is_ascii_alphabetic())
        && crate::entropy::looks_random(v.as_bytes())
}

/// Bare words that describe a password, a field or a type rather than
/// being a password: `Password: incorrect`, `password: string`,
/// `password = hashed`.
const DESCRIPTIVE_WORDS: &[&str] = &[
    "incorrect",
    "invalid",
    "wrong",
    "expired",
    "expires",
    "missing",
    "mismatch",
    "mismatched",
    "unset",
    "disabled",
    "enabled",
    "protected",
    "unprotected",
    "forbidden",
    "denied",
    "accepted",
    "rejected",
    "weak",
    "strong",
    "changed",
    "unchanged",
    "reset",
    "updated",
    "provided",
    "generated",
    "unknown",
    "hashed",
    "encrypted",
    "unencrypted",
    "stored",
    "saved",
    "visible",
    "valid",
    "correct",
    "matches",
    "blank",
    "same",
    "different",
    "sensitive",
    "insensitive",
    "prompt",
    "prompted",
    "interactive",
    "inherit",
    "inherited",
    "environment",
    "keyring",
    "keychain",
    "vault",
    "stdin",
    "login",
    "authentication",
    "boolean",
    "number",
    "integer",
    "float",
    "double",
    "bytes",
    "object",
    "secretstr",
    "secretstring",
    "nullable",
    "omitted",
    "ignored",
    "unused",
    "plaintext",
    "cleartext",
    "random",
    "automatic",
    "manual",
    "supplied",
    "specified",
    "configured",
    "needed",
    "necessary",
    "mandatory",
];

/// A passphrase of letters assigned to a password key:
/// `password=correcthorsebatterystaple`, `PASSWORD=CorrectHorse`,
/// `password: battery-staple-horse` at the end of a YAML line.
///
/// [`plausible_assigned_secret`] rejects bare words because `token=` and
/// `secret:` are followed by identifiers in code all the time; after a
/// *password* key a word is usually the password itself. What still rules
/// it out: placeholders and descriptive words (`Password: incorrect`), code
/// shapes (`password=passwordInput`, `password=user_pw`, a word followed by
/// `,` `)` `;` or `.` as in an argument list or a statement), and prose
/// (after a `:` the word must end its line).
///
/// `spaced` says whether space surrounds the separator: `password = result`
/// is a variable assigned in Python or Ruby far more often than a literal,
/// so a spaced lower-case word must be long (≥ 12 letters; code names that
/// long carry `_` or capitals) unless the key is an `UPPER_CASE` setting.
pub(crate) fn plausible_passphrase(v: &str, shape: PassphraseContext) -> bool {
    let len = v.len();
    if len < 6
        || !v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
        || v.starts_with('-')
        || v.ends_with('-')
        || is_placeholder(v)
    {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if DESCRIPTIVE_WORDS.contains(&lower.as_str()) {
        return false;
    }
    let b = v.as_bytes();
    let camel = b
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    if camel && !shape.upper_key {
        return false;
    }
    if !matches!(
        shape.next,
        None | Some(' ' | '\t' | '\r' | '\n' | '"' | '\'' | '`' | '&' | '\\')
    ) {
        return false;
    }
    if shape.colon && !shape.ends_line {
        return false;
    }
    !shape.spaced || shape.upper_key || shape.colon || len >= 12 || v.contains('-')
}

/// Where a bare word sits, for [`plausible_passphrase`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PassphraseContext {
    /// The character right after the value.
    pub next: Option<char>,
    /// The separator was `:` (YAML, prose) rather than `=`.
    pub colon: bool,
    /// Space or tabs around the separator.
    pub spaced: bool,
    /// Only space or a comment follows the value on its line.
    pub ends_line: bool,
    /// The key is written in capitals (`DB_PASSWORD=`): a setting, not code.
    pub upper_key: bool,
}

/// `example.com:1234/foo`, `db.internal`: a host name, not a secret.
fn is_host_like(v: &str) -> bool {
    let host = v.split(['/', ':']).next().unwrap_or(v);
    let mut labels = host.split('.');
    let tld_ok = host
        .rsplit('.')
        .next()
        .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
    host.contains('.')
        && tld_ok
        && labels
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && (v.len() == host.len() || v[host.len()..].starts_with([':', '/']))
}

/// Credential carried in an `Authorization`/`Bearer` header.
pub(crate) fn plausible_header_credential(v: &str, min_len: usize) -> bool {
    if v.len() < min_len || is_placeholder(v) {
        return false;
    }
    let has_digit = v.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = v.bytes().any(|b| b.is_ascii_alphabetic());
    if has_digit && has_alpha {
        return true;
    }
    // Letters only: base64 `Basic` credentials often have no digit; accept
    // them when the case pattern looks random rather than like words.
    has_alpha && crate::entropy::looks_random(v.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "<your-password>",
            "${TOKEN}",
            "****",
            "YOUR_API_KEY",
            "",
            "$DB_PASSWORD",
            "%API_KEY%",
            "changeme",
            "xxxxxxxx",
            "your-token-here",
            "…[redacted]",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for s in ["hunter2-Zq9", "AKIAIOSFODNN7EXAMPLE", "S3cr3t!Pass"] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn passphrases() {
        let eq = PassphraseContext::default();
        let spaced = PassphraseContext { spaced: true, ..eq };
        let yaml = PassphraseContext {
            colon: true,
            spaced: true,
            ends_line: true,
            ..eq
        };
        for (value, ctx, secret) in [
            ("correcthorsebatterystaple", eq, true),
            ("correct-horse-battery", yaml, true),
            ("hunterhunter", yaml, true),
            ("changeme", eq, false),
            ("incorrect", yaml, false),
            ("boolean", yaml, false),
            // `password = result` is a variable in Python or Ruby…
            ("result", spaced, false),
            // …unless the word is too long to be a plain variable name.
            ("trustnoonefakelong", spaced, true),
            ("passwordInput", eq, false),
            (
                "CorrectHorse",
                PassphraseContext {
                    upper_key: true,
                    ..eq
                },
                true,
            ),
            (
                "dbpassword",
                PassphraseContext {
                    next: Some(')'),
                    ..eq
                },
                false,
            ),
            (
                "bitwarden",
                PassphraseContext {
                    ends_line: false,
                    ..yaml
                },
                false,
            ),
        ] {
            assert_eq!(plausible_passphrase(value, ctx), secret, "{value} {ctx:?}");
        }
    }

    #[test]
    fn assigned_values() {
        assert!(plausible_assigned_secret("hunter2", false, None));
        assert!(!plausible_assigned_secret("incorrect", false, None));
        assert!(!plausible_assigned_secret("4096", false, None));
        assert!(!plausible_assigned_secret(
            "getpass.getpass",
            false,
            Some('(')
        ));
        assert!(!plausible_assigned_secret("/home/user", false, None));
        assert!(plausible_assigned_secret("mypassword", true, None));
        assert!(!plausible_assigned_secret("passwordInput", true, None));
    }
}
