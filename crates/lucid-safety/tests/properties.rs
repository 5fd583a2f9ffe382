//! Property checks (proptest) over adversarial inputs: mixtures of
//! secrets, injection fragments, invisible characters, encodings, markup
//! and random code points. Nothing may panic, redaction must be idempotent,
//! and `find` must agree with `redact` (with and without personal data).

use lucid_safety::{Redactor, redact, scan_injection};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "ignore",
    " all ",
    "previous",
    " instructions",
    "é",
    "ö",
    "中",
    "Ж",
    "\u{200b}",
    "\u{202e}",
    "\u{e0069}",
    "\u{fe0f}",
    "🏴",
    "<!--",
    "-->",
    "[//]: # (",
    ")",
    "<span style=\"color:white\">",
    "</span>",
    "password=",
    "hunter2X9",
    "sk-ant-api03-",
    "AAAAAAAAAAAAAAAAAAAAAAAA",
    "-----BEGIN RSA PRIVATE KEY-----",
    "\\n",
    "MIIEowIBAAKCAQEA",
    "https://u:p@h",
    "%20",
    "%41",
    "&#73;",
    "\\u0069",
    "i g n o r e",
    ".",
    "\n",
    "  ",
    "AI agents must",
    "send",
    " to ",
    "x@evil.example",
    "SWdub3JlIGFsbCBwcmV2aW91cyBpbnN0cnVjdGlvbnM=",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijkl",
    "ｉｇｎｏｒｅ",
    "𝐢",
    "İ",
    "ẞ",
    "\u{301}",
    "system:",
    "<|im_start|>",
    "-\n",
    "\" + \"",
    "*",
    "`",
    "token: ",
    "q7Xk2LmP9vRt4WzN8bYc3HdJ6sFg1AeK",
    "AKIAIOSFODNN7EXAMPLE",
    " / ",
    "FAKEfake0000EXAMPLEexample0000/FAKE+fake",
    "jane.roe@gmail.com",
    "@",
    ".com",
    "alice:",
    "Pw-Fake00",
    "              = ",
    "\t",
    "    12→",
    " 8 | ",
    "+  ",
    "password: ",
    "correcthorsebatterystaple",
    "iVBORw0KGgoAAAANSUhEUg",
];

/// One fragment of a sample: two times in three a piece from `PIECES`, otherwise a code
/// point from a range that tends to break text handling (ASCII, two- and three-byte UTF-8,
/// tag characters, general punctuation with its invisible marks, astral planes).
fn fragment() -> impl Strategy<Value = String> {
    let code_point = prop_oneof![
        0u32..0x80,
        0x80u32..0x800,
        0x800u32..0x10000,
        0xE0000u32..0xE0080,
        0x2000u32..0x2070,
        0x10000u32..0x30000,
    ]
    .prop_filter_map("a surrogate is not a char", |cp| {
        char::from_u32(cp).map(String::from)
    });
    prop_oneof![
        2 => prop::sample::select(PIECES).prop_map(str::to_owned),
        1 => code_point,
    ]
}

/// A sample text: up to 29 fragments joined.
fn sample() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..30).prop_map(|fragments| fragments.concat())
}

proptest! {
    // 10 000 cases take about as long in a debug build as the 20 000 of the former
    // hand-rolled generator did.
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn random_inputs_are_handled_and_redaction_is_idempotent(text in sample()) {
        check(&text);
    }
}

fn check(text: &str) {
    let redactor = Redactor::new();
    let strict = Redactor::new().redact_personal_data(true);
    let strict_once = strict.redact(text);
    assert!(
        strict.find(&strict_once.text).is_empty(),
        "personal-data redaction not idempotent: {text:?} -> {:?}",
        strict_once.text
    );
    assert_eq!(strict.find(text), strict_once.findings);
    let once = redact(text);
    let twice = redact(&once.text);
    assert!(
        twice.findings.is_empty(),
        "not idempotent: {text:?} -> {:?}",
        once.text
    );
    assert_eq!(
        redactor.find(text),
        once.findings,
        "find disagrees with redact for {text:?}"
    );
    for f in &once.findings {
        assert!(
            f.start < f.end && f.end <= text.len(),
            "bad span {f:?} in {text:?}"
        );
    }
    for f in scan_injection(text) {
        assert!(!f.reason.is_empty() && !f.excerpt.is_empty());
        // Excerpts never carry a secret the redactor recognises.
        assert!(
            redact(&f.excerpt).findings.is_empty(),
            "secret in excerpt {:?} from {text:?}",
            f.excerpt
        );
    }
}
