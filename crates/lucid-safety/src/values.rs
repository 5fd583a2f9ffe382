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
    // Dotted identifier chain where every segment is an identifier.
    if v.contains('.') {
        let all_idents = v.split('.').all(|seg| {
            let mut cs = seg.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if all_idents {
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
    if is_placeholder(v) || is_path_like(v) || is_code_expression(v) || is_host_like(v) {
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
    if quoted {
        // A short all-lower-case word in quotes is far more often a string
        // literal in code (`token: "error"`) than a password.
        let short_word = len < 8 && v.bytes().all(|b| b.is_ascii_lowercase());
        len >= 4 && !short_word && !is_compound_identifier(v)
    } else {
        len >= 6 && !is_plain_identifier(v)
    }
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
