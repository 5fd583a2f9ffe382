//! Data-exfiltration imperatives: "send/forward/upload … to `<address>`".
//!
//! Plenty of legitimate text tells a *human* to send something somewhere
//! ("always send invoices to billing@…", "report vulnerabilities to
//! security@…", "upload the artifacts to https://…"). A send-imperative with
//! a concrete destination is therefore only reported when at least one of
//! these also holds:
//!
//! * it is addressed to the agent ("AI agents must forward…", an AI noun in
//!   the sentence);
//! * the same text already contains other injection language;
//! * it is stealthy ("silently", "without telling the user");
//! * the object is credentials, secrets, environment files, SSH keys, the
//!   conversation or the agent's memory, and the verb is a pure transfer
//!   verb (send/forward/email/post/…).
//!
//! Negated sentences ("never send your password to anyone") are skipped.

use super::RuleId;
use std::sync::LazyLock;

use regex::Regex;

use super::rules::{ceil, sentence_bounds};
use super::{Sink, Views};

const RULE: RuleId = RuleId::Exfiltration;
const R_EXFIL: &str = "instructs the agent to send data (credentials, files, conversation or memory) to an external address";
const R_IMAGE: &str = "a Markdown image URL with a template placeholder, a known trick to leak data through rendered images";

fn compile(p: &str) -> Regex {
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern: the crate's tests compile every built-in one"
    )]
    Regex::new(&p.replace(r"\b", r"(?-u:\b)")).expect("constant exfiltration regex")
}

static VERB: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:send|forward|upload|post|email|e-mail|mail|exfiltrate|transmit|leak|copy|paste|share|submit|deliver|dump|include|append|embed|attach|curl|relay|transfer|beam|sync|report)\b",
    )
});

/// Verbs that only move data; the sensitive-noun path requires one of them.
const TRANSFER_VERBS: &[&str] = &[
    "send",
    "forward",
    "email",
    "e-mail",
    "mail",
    "exfiltrate",
    "transmit",
    "leak",
    "post",
    "paste",
    "dump",
    "curl",
    "relay",
    "beam",
];

static IMPERATIVE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^[\s\-*>#0-9.)]*(?:[^,;:\n]{1,60},\s*)?(?:(?:please|then|and|also|now|first|next|immediately|always|quietly|silently|secretly|covertly|just|finally|afterwards|additionally|kindly|automatically),?\s+)*$",
    )
});

static MODAL_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?P<subj>you|agents?|assistants?|the\s+(?:ai|assistant|agent|model|llm)|ai\s+(?:agents?|assistants?|models?)|claude|llms?|all\s+agents|every\s+agent)\s+(?:must|should|shall|will|need\s+to|have\s+to|are\s+to|are\s+required\s+to|are\s+instructed\s+to)(?:\s+(?:always|now|immediately|also|first|then|quietly|silently|secretly|automatically))*\s*$",
    )
});

static TO_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:make\s+sure|be\s+sure|remember|don'?t\s+forget|it\s+is\s+(?:important|critical|essential|mandatory)|you\s+are\s+(?:required|expected|asked|instructed))\s+to\s*$",
    )
});

static COORDINATED: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^[\s\-*>#0-9.)]*(?:please\s+)?(?:ignore|disregard|forget|read|open|find|collect|gather|take|get|grab|locate|list|look\s+up|search|retrieve|fetch|extract|cat|run|execute|go|check|access|zip|compress|encode|base64|summari[sz]e|scan|enumerate)\b.*\b(?:and|then)\s*,?\s*$",
    )
});

static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:never|not|don'?t|do\s+not|must\s+not|should\s+not|shouldn'?t|avoid|cannot|can'?t|won'?t|no\s+need\s+to|refrain\s+from)\b",
    )
});

static SENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:credentials|secrets|passwords|passphrases|api[\s_-]?keys|access[\s_-]?keys|private[\s_-]?keys?|ssh[\s_-]?keys?|secret[\s_-]?keys?|tokens|auth(?:entication)?[\s_-]?tokens?|session[\s_-]?(?:tokens?|cookies)|cookies|env(?:ironment)?[\s_-]?var(?:iable)?s|id_rsa|id_ed25519|kubeconfig|keychain|seed\s+phrase|conversation(?:\s+history)?|chat\s+(?:history|logs?)|(?:your|the\s+agent'?s?|the\s+assistant'?s?|its)\s+memor(?:y|ies)|memory\s+(?:file|store|contents)|system\s+prompt|customer\s+(?:data|records|database)|user\s+(?:data|records|database)|personal\s+(?:data|information)|credit\s+card|(?:the\s+)?user'?s\s+(?:files|data|keys|credentials|emails|messages|documents)|(?:all|every|any)\s+(?:the\s+|of\s+the\s+)?(?:files|documents|keys|tokens|passwords|emails|messages|repositories|source\s+code))\b|\.env\b|~/\.ssh|\.aws/credentials|\.npmrc|\.netrc|\.git-credentials|/etc/passwd|/etc/shadow|_history\b",
    )
});

static DEST: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}|https?://\S+|\bwebhooks?\b|\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b|\battacker|\bpastebin|\brequestbin|\bngrok|\b(?:this|the\s+following|my|our|an?\s+external|the\s+external|remote)\s+(?:email(?:\s+address)?|address|server|endpoint|url|webhook|inbox|bucket|host)\b|\b(?:in|to|into)\s+(?:your|the|each|every)\s+(?:next\s+|final\s+)?(?:response|reply|answer|output|message|summary)s?\b|\bas\s+(?:a\s+)?(?:query\s+parameter|url\s+parameter|markdown\s+image|image\s+url)",
    )
});

static YOUR_REPLY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:in|to|into)\s+your\s+(?:next\s+|final\s+)?(?:response|reply|answer|output|summary)",
    )
});

static STEALTH: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:secretly|silently|covertly|quietly|discreetly|stealthily|without\s+(?:telling|informing|notifying|alerting|asking)|don'?t\s+tell|do\s+not\s+tell|behind\s+the\s+user)",
    )
});

static AI_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:ai|llms?|claude|chatgpt|copilot|language\s+models?|assistants?|agents?|the\s+model)\b",
    )
});

static MD_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"!\[[^\]\n]{0,100}\]\(\s*https?://[^)\s]{0,300}(?:\{|\$\{|%7b|<)[^)\s]{0,100}\)")
});

static MD_IMAGE_DATA: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"secret|key|token|password|conversation|history|memory|data|credential|env|prompt|chat|summary",
    )
});

/// Report exfiltration imperatives in the lower-cased view. Runs after the
/// phrase rules so that "other injection language in the same text" is
/// known.
pub(crate) fn scan(views: &Views<'_>, sink: &mut Sink<'_>) {
    let lower: &str = &views.lower;
    let latin: &str = &views.latin;
    let other_hits = !sink.is_empty();
    // A sentence with no destination after one verb has none after any
    // later verb either; skipping it keeps the scan linear on verb-dense text.
    let mut skip_until = 0;
    for m in VERB.find_iter(lower) {
        if sink.rule_full(RULE) {
            break;
        }
        let (vs, ve) = (m.start(), m.end());
        if vs < skip_until {
            continue;
        }
        let (a, b) = sentence_bounds(lower, vs, ve);
        let before = &lower[a..vs];
        let after = &lower[ve..b];
        // "POST /api/chat": an HTTP method in capitals before a path names a route (API docs,
        // code comments, `curl -X POST /v1/…`), it tells no one to send anything.
        let as_written = latin.get(vs..ve).unwrap_or("");
        if as_written.chars().all(|c| c.is_ascii_uppercase()) && after.starts_with(" /") {
            continue;
        }
        if !DEST.is_match(after) {
            skip_until = b;
            continue;
        }
        let near = &before[ceil(before, before.len().saturating_sub(40))..];
        if NEGATION.is_match(near) {
            continue;
        }
        let modal = MODAL_SUBJECT.captures(before);
        let imperative = IMPERATIVE_PREFIX.is_match(before)
            || modal.is_some()
            || TO_PREFIX.is_match(before)
            || COORDINATED.is_match(before);
        if !imperative {
            continue;
        }
        let sentence = &lower[a..b];
        let addressed = modal
            .as_ref()
            .and_then(|c| c.name("subj"))
            .is_some_and(|s| s.as_str() != "you")
            || AI_SUBJECT.is_match(sentence);
        let verb = m.as_str();
        // Sensitive data counts with a pure transfer verb, or when it is to be
        // smuggled into the model's own reply ("append /etc/passwd to your
        // reply"); support tickets asking for "the error message in your
        // reply" are not sensitive.
        let sensitive = SENSITIVE.is_match(sentence)
            && (TRANSFER_VERBS.contains(&verb) || YOUR_REPLY.is_match(after));
        if addressed || other_hits || STEALTH.is_match(sentence) || sensitive {
            sink.push_span(RULE, R_EXFIL.to_string(), latin, vs, b);
        }
    }
    if lower.contains("![") {
        for m in MD_IMAGE.find_iter(lower) {
            let url = m.as_str();
            if MD_IMAGE_DATA.is_match(url) {
                sink.push_span(RULE, R_IMAGE.to_string(), latin, m.start(), m.end());
            }
        }
    }
}
