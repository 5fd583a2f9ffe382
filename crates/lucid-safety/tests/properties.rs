//! Property checks over pseudo-random adversarial inputs: mixtures of
//! secrets, injection fragments, invisible characters, encodings, markup
//! and random code points. Nothing may panic, redaction must be idempotent,
//! and `find` must agree with `redact` (with and without personal data).

use lucid_safety::{Redactor, redact, scan_injection};

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

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sample(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(30) {
        if rng.below(3) == 0 {
            let r = rng.next() >> 8;
            let cp = match r % 6 {
                0 => r % 0x80,
                1 => 0x80 + r % 0x780,
                2 => 0x800 + r % 0xF800,
                3 => 0xE0000 + r % 0x80,
                4 => 0x2000 + r % 0x70,
                _ => 0x10000 + r % 0x20000,
            };
            if let Some(c) = u32::try_from(cp).ok().and_then(char::from_u32) {
                s.push(c);
            }
        } else {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
    }
    s
}

#[test]
fn random_inputs_are_handled_and_redaction_is_idempotent() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let redactor = Redactor::new();
    let strict = Redactor::new().redact_personal_data(true);
    for _ in 0..20_000 {
        let text = sample(&mut rng);
        let strict_once = strict.redact(&text);
        assert!(
            strict.find(&strict_once.text).is_empty(),
            "personal-data redaction not idempotent: {text:?} -> {:?}",
            strict_once.text
        );
        assert_eq!(strict.find(&text), strict_once.findings);
        let once = redact(&text);
        let twice = redact(&once.text);
        assert!(
            twice.findings.is_empty(),
            "not idempotent: {text:?} -> {:?}",
            once.text
        );
        assert_eq!(
            redactor.find(&text),
            once.findings,
            "find disagrees with redact for {text:?}"
        );
        for f in &once.findings {
            assert!(
                f.start < f.end && f.end <= text.len(),
                "bad span {f:?} in {text:?}"
            );
        }
        for f in scan_injection(&text) {
            assert!(!f.reason.is_empty() && !f.excerpt.is_empty());
            // Excerpts never carry a secret the redactor recognises.
            assert!(
                redact(&f.excerpt).findings.is_empty(),
                "secret in excerpt {:?} from {text:?}",
                f.excerpt
            );
        }
    }
}
