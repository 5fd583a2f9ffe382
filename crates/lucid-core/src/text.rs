//! Text analysis for curation: sentences, tokens, stems, anchors and the similarity rules that
//! decide "same thing", "same slot with a new value" and "different things that look alike".
//!
//! The rules are deliberately conservative. Two items are duplicates only when they agree on every
//! *anchor* (identifier-like token: numbers, versions, hosts, paths, snake_case names) and their
//! content words overlap strongly; a substitution of a content word on both sides ("lint" vs
//! "test") keeps them apart. Paraphrases that need world knowledge are left to model-backed
//! curation, which the engine verifies.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::lexicon::{List, is_word_of, words};

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Light synonym folding for abbreviations that teams use interchangeably. Stems on the right.
const SYNONYMS: &[(&str, &str)] = &[
    ("prior", "befor"),
    ("beforehand", "befor"),
    ("afterward", "after"),
    ("afterwards", "after"),
    ("db", "databas"),
    ("repo", "repositori"),
    ("config", "configur"),
    ("conf", "configur"),
    ("env", "environ"),
    ("prod", "product"),
    ("dir", "directori"),
    ("folder", "directori"),
    ("docs", "document"),
    ("doc", "document"),
    ("pr", "pull_request"),
    ("prs", "pull_request"),
    ("msg", "messag"),
    ("auth", "authent"),
    ("creds", "credenti"),
    ("pwd", "password"),
    ("k8s", "kubernet"),
    ("app", "applic"),
    ("apps", "applic"),
    // A code fence's `sh` is the shell: "one ```sh block" is "one shell code block".
    ("sh", "shell"),
    // "max upload size" is the "maximum upload size".
    ("max", "maximum"),
    ("min", "minimum"),
    // "the upload limit" is the maximum upload size.
    ("limit", "maximum"),
    ("limits", "maximum"),
    // An address's mail is its inbox: "support mail goes to …" is "the support inbox is …".
    ("inbox", "mail"),
    ("inboxes", "mail"),
    ("mailbox", "mail"),
    ("mailboxes", "mail"),
    ("email", "mail"),
    ("emails", "mail"),
    // "edition" would stem to "edit" and fold into "change"; "ed." is its abbreviation.
    ("edition", "edition"),
    ("editions", "edition"),
    ("ed", "edition"),
    ("eds", "edition"),
];

/// Irregular past forms of verbs that instructions and notes use ("the services are built with",
/// "the report was sent"), read as their verb: a stemmer leaves them as they are, so "built
/// with Go 1.22" and "Go 1.22 … for building" would share no verb. Forms that are also other
/// words ("left", "found" as in "founded", "lead" the metal, "read" unchanged) stay out.
const IRREGULAR_VERBS: &[(&str, &str)] = &[
    ("built", "build"),
    ("rebuilt", "rebuild"),
    ("written", "write"),
    ("wrote", "write"),
    ("rewritten", "rewrite"),
    ("rewrote", "rewrite"),
    ("ran", "run"),
    ("sent", "send"),
    ("kept", "keep"),
    ("held", "hold"),
    ("chosen", "choose"),
    ("chose", "choose"),
    ("given", "give"),
    ("gave", "give"),
    ("taken", "take"),
    ("took", "take"),
    ("paid", "pay"),
    ("told", "tell"),
    ("sold", "sell"),
    ("bought", "buy"),
    ("brought", "bring"),
    ("began", "start"),
    ("begun", "start"),
    ("broke", "break"),
    ("broken", "break"),
    ("forgot", "forget"),
    ("forgotten", "forget"),
    ("hidden", "hide"),
    ("frozen", "freeze"),
    ("spent", "spend"),
    ("meant", "mean"),
    ("known", "know"),
    ("knew", "know"),
    ("thrown", "throw"),
    ("threw", "throw"),
    ("drawn", "draw"),
    ("driven", "drive"),
    ("shook", "shake"),
    ("shaken", "shake"),
    ("stood", "stand"),
    ("understood", "understand"),
    ("got", "get"),
    ("gotten", "get"),
];

/// Stems of everyday words that say the same thing in instructions and notes ("delete" /
/// "remove", "edit" / "change", "a single" / "one"), folded to one stem on the right so that a
/// reworded sentence keeps its words. Only plain English verbs and nouns whose meaning does not
/// change between technical contexts; names of commands stay apart (`make`, `print`).
const STEM_SYNONYMS: &[(&str, &str)] = &[
    ("delet", "remov"),
    ("eras", "remov"),
    ("edit", "chang"),
    ("modifi", "chang"),
    ("alter", "chang"),
    ("execut", "run"),
    ("singl", "one"),
    ("repli", "respons"),
    ("summari", "summar"),
    ("requir", "need"),
    ("display", "show"),
    ("shown", "show"),
    ("begin", "start"),
    ("linter", "lint"),
    ("formatt", "format"),
    // A noun and its verb: "citations follow X" is "cite X".
    ("citat", "cite"),
    // "push straight to main" is "push directly to main".
    ("straight", "direct"),
    ("translat", "convert"),
    ("boundari", "edg"),
    ("persist", "save"),
    // A "-tion" noun and its verb that the stemmer leaves apart: "steps to reproduce" are
    // "reproduction steps", "logs are retained" is "log retention".
    ("reproduct", "reproduc"),
    ("retent", "retain"),
    ("descript", "describ"),
    ("subscript", "subscrib"),
    ("resolut", "resolv"),
    ("introduct", "introduc"),
    // "12 characters long" is a length of 12 characters.
    ("length", "long"),
    // "Tasks end with …" (or "are closed with …") is "the agent finishes a task with …".
    ("end", "finish"),
    ("close", "finish"),
    // An agent's "finish action" is its "finish tool" (harnesses call a tool call an action).
    ("action", "tool"),
    // "Ask before deleting" is "get confirmation before removing".
    ("ask", "confirm"),
    // Python's "type annotations" are its "type hints".
    ("annot", "hint"),
];

/// Multi-word phrases that say one everyday word ("sign-off" is approval, "check … into git" is
/// committing), replaced in the lowercase text before it is split into words.
/// Each replacement is padded to its phrase's length, so offsets into the lowercase text stay
/// offsets into the original.
const PHRASE_SYNONYMS: &[(&str, &str)] = &[
    ("sign-off", "approval"),
    ("signoff", "approve"),
    ("sign off on", "approve"),
    ("signs off on", "approves"),
    ("check in ", "commit "),
    ("checked in ", "committed "),
    ("check into ", "commit "),
    ("checked into ", "committed "),
    // Hyphenated spellings of one word: "e-mail" is "email", "log-in" is "login".
    ("e-mail", "email"),
    ("e-mails", "emails"),
    ("log-in", "login"),
    ("web-site", "website"),
    ("set-up", "setup"),
    ("on-call", "oncall"),
    // A bound said in words is the bound: "at least 12 characters" is a minimum of 12.
    ("at least", "minimum"),
    ("at most", "maximum"),
    ("continuous integration", "ci"),
    // A fenced block is a code block: "one bash code block" is "a single ```bash block".
    ("code block", "block"),
    ("main branch", "main"),
    ("master branch", "master"),
    ("on your machine", "locally"),
    ("on your own machine", "locally"),
];

/// Whether a stemmed word is one of the `[temporal]` words ("now", "new", "fyi"), which situate
/// a statement in time rather than name its subject. The list is stemmed once.
fn is_temporal_stem(word: &str) -> bool {
    static STEMS: LazyLock<std::collections::HashSet<String>> =
        LazyLock::new(|| words(List::Temporal).iter().map(|t| stem(t)).collect());
    STEMS.contains(word)
}

/// `text` with every `phrase` replaced by `word` padded with spaces to the phrase's length (or
/// unchanged where the word would be longer), keeping byte offsets.
/// A lowercase text with the verbs that end an activity read as the negation they are: "stop
/// using yarn" says "not using yarn", as does "no longer use yarn" ("stop the server" stops a
/// thing and stays). The replacement is padded to the replaced length, so byte offsets into the
/// text still hold.
fn ceasing_as_negation(text: String) -> String {
    let ceasing = words(List::Ceasing);
    if !ceasing.iter().any(|verb| text.contains(verb.as_str())) && !text.contains("no longer") {
        return text;
    }
    let mut out = replace_in_place(text, "no longer", "not");
    let original = out.clone();
    for pair in raw_tokens(&original).windows(2) {
        let (verb, next) = (&pair[0], &pair[1]);
        if is_word_of(List::Ceasing, verb.text) && next.text.len() > 4 && next.text.ends_with("ing")
        {
            let padded = format!("not{}", " ".repeat(verb.text.len().saturating_sub(3)));
            out.replace_range(verb.start..verb.start + verb.text.len(), &padded);
        }
    }
    out
}

fn replace_in_place(text: String, phrase: &str, word: &str) -> String {
    if !text.contains(phrase) || word.len() > phrase.len() {
        return text;
    }
    let padded = format!("{word}{}", " ".repeat(phrase.len() - word.len()));
    text.replace(phrase, &padded)
}

static STOPWORD_SET: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| words(List::Stopword).iter().map(String::as_str).collect());

fn is_stopword(word: &str) -> bool {
    STOPWORD_SET.contains(word)
}

/// Whether a lowercase word is an ordinary English word that may open a sentence (a stopword,
/// or a word the lexicon's cue phrases start with: "always", "use", "never", "prefer", …), as
/// opposed to a name or a command that must keep its case.
pub fn is_common_word(word: &str) -> bool {
    static OPENERS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
        use crate::lexicon::{List, phrases_of};
        [
            List::Standing,
            List::Instruction,
            List::Decision,
            List::Change,
            List::Temporary,
            List::EffectiveFrom,
        ]
        .into_iter()
        .flat_map(phrases_of)
        .filter_map(|p| p.split_whitespace().next().map(str::to_string))
        .chain(
            [
                "run",
                "write",
                "cite",
                "put",
                "name",
                "add",
                "check",
                "call",
                "pass",
                "set",
                "read",
                "edit",
                "commit",
                "push",
                "test",
                "build",
                "deploy",
                "install",
                "tests",
                "builds",
                "deploys",
                "releases",
                "reviews",
                "citations",
                "all",
                "every",
                "each",
                "only",
                "production",
                "staging",
                "our",
                "your",
                // Plain imperative verbs that name no command.
                "review",
                "fix",
                "keep",
                "update",
                "ask",
                "create",
                "remove",
                "delete",
                "save",
                "document",
                "wait",
                "start",
                "stop",
                "include",
                "mention",
                "explain",
                "follow",
                "validate",
                "verify",
                "confirm",
                "squash",
                "rebase",
                "merge",
                "avoid",
                "prefer",
                "describe",
                "summarize",
                "summarise",
                "double-check",
                "wrap",
                "quote",
                "reply",
                "respond",
                "answer",
            ]
            .map(str::to_string),
        )
        .collect()
    });
    is_stopword(word) || OPENERS.contains(word)
}

pub(crate) fn is_negation(word: &str) -> bool {
    is_word_of(List::Negation, word)
}

/// A word that sets a statement's polarity rather than its subject or value: a negation, or
/// "always", "do", "no" ("Always use tabs", "Do not use tabs", "No tabs"). Frames of one rule and
/// its negation leave them out, so the two meet.
pub(crate) fn is_polarity_word(word: &str) -> bool {
    is_negation(word) || matches!(word, "always" | "do" | "no")
}

/// Stems a lowercase word, folding known abbreviations and British -ise spellings
/// ("summarises" and "summarizes" are one word).
pub fn stem(word: &str) -> String {
    for (british, american) in [
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ise", "ize"),
    ] {
        if let Some(root) = word.strip_suffix(british)
            && root.len() >= 4
        {
            return stem_plain(&format!("{root}{american}"));
        }
    }
    stem_plain(word)
}

fn stem_plain(word: &str) -> String {
    if let Some((_, folded)) = SYNONYMS.iter().find(|(w, _)| *w == word) {
        return (*folded).to_string();
    }
    if let Some((_, verb)) = IRREGULAR_VERBS.iter().find(|(w, _)| *w == word) {
        return stem_plain(verb);
    }
    let stemmed = STEMMER.stem(word);
    match STEM_SYNONYMS.iter().find(|(w, _)| *w == stemmed) {
        Some((_, folded)) => (*folded).to_string(),
        None => stemmed.into_owned(),
    }
}

/// A raw token: a maximal run of identifier characters, with surrounding punctuation trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawToken<'a> {
    /// The token as written, with sentence punctuation around it trimmed (`db-2.internal.` →
    /// `db-2.internal`).
    pub text: &'a str,
    /// Byte offset of the trimmed token in the text it was split from.
    pub start: usize,
}

fn is_token_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '_' | '-' | '.' | '/' | '@' | ':' | '\'' | '$' | '%' | '+' | '~'
        )
}

/// Splits text into raw tokens (identifier-like runs).
pub fn raw_tokens(text: &str) -> Vec<RawToken<'_>> {
    let mut tokens = Vec::new();
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_token_char(c) {
            run_start.get_or_insert(i);
        } else if let Some(s) = run_start.take() {
            push_trimmed(text, s, i, &mut tokens);
        }
    }
    if let Some(s) = run_start {
        push_trimmed(text, s, text.len(), &mut tokens);
    }
    tokens
}

/// Trims sentence punctuation around a run (`"db-2.internal."` → `db-2.internal`, `'x'` → `x`)
/// and keeps it if anything alphanumeric is left.
fn push_trimmed<'a>(text: &'a str, start: usize, end: usize, tokens: &mut Vec<RawToken<'a>>) {
    let run = &text[start..end];
    let keep_leading = |c: char| c.is_alphanumeric() || matches!(c, '/' | '$' | '~' | '-' | '.');
    let keep_trailing = |c: char| c.is_alphanumeric() || matches!(c, '/' | '%' | '+');
    let left = run.trim_start_matches(|c: char| !keep_leading(c));
    // A leading dot only survives as part of a file extension like `.pptx`.
    let left = if left.starts_with("..") {
        left.trim_start_matches('.')
    } else {
        left
    };
    let trimmed = left.trim_end_matches(|c: char| !keep_trailing(c));
    let trimmed = if trimmed.len() > 1 {
        trimmed.trim_end_matches('/')
    } else {
        trimmed
    };
    if trimmed.chars().any(char::is_alphanumeric) {
        let offset = run.len() - left.len();
        tokens.push(RawToken {
            text: trimmed,
            start: start + offset,
        });
    }
}

/// An anchor is a token that names a specific thing or value: it contains a digit, an underscore,
/// an inner dot, a slash, an `@`, an inner colon, or mixed case inside the word (camelCase).
/// Anchors must match exactly for two items to be duplicates; a changed anchor after the same
/// subject is a new value.
pub fn is_anchor(token: &str) -> bool {
    let inner = token.get(1..token.len().saturating_sub(1)).unwrap_or("");
    token.chars().any(|c| c.is_ascii_digit())
        || token.contains('_')
        || inner.contains('.')
        || token.contains('/')
        || token.contains('@')
        || inner.contains(':')
        || token.starts_with('$')
        || token.starts_with('-')
        || {
            let mut chars = token.chars();
            chars.next();
            chars.as_str().chars().any(|c| c.is_uppercase())
                && token.chars().any(|c| c.is_lowercase())
        }
}

/// Whether a token is written as a name in code: words joined by `_` (`push_sessions`), or
/// three words or more in camel case (`getUserName`, `EnsureEntireGitignore`). A product's name
/// has one inner capital at most (`AgentV`, `GitHub`, `FastAPI`), and paths, hosts and versions
/// are other anchors.
fn is_code_name(token: &str) -> bool {
    let token = token.trim_end_matches(['.', ',', ':', ';', ')']);
    if !token.chars().all(|c| c.is_alphanumeric() || c == '_')
        || !token.chars().any(char::is_alphabetic)
    {
        return false;
    }
    let joined = token
        .split('_')
        .filter(|part| part.chars().any(char::is_alphabetic))
        .count()
        >= 2;
    let humps = token
        .as_bytes()
        .windows(2)
        .filter(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
        .count();
    joined || humps >= 2
}

/// How an anchor is compared: as written (lowercase), except a time of day with a one-digit
/// hour, which is the same time with its zero ("9:00" is "09:00", "7:30:15" is "07:30:15").
fn anchor_key(token: &str) -> String {
    let bytes = token.as_bytes();
    let time_of_day = bytes.len() >= 4
        && bytes[0].is_ascii_digit()
        && bytes[1] == b':'
        && token[2..]
            .split(':')
            .all(|part| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()));
    if time_of_day {
        format!("0{token}")
    } else {
        token.to_string()
    }
}

/// The analysed form of a piece of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Stemmed content words (no stopwords, no negations), in order of first appearance.
    pub words: Vec<String>,
    /// Sorted set of content words.
    pub word_set: BTreeSet<String>,
    /// Sorted set of anchors, lowercased.
    pub anchors: BTreeSet<String>,
    /// True when the statement is negated ("never", "don't", "avoid").
    pub negated: bool,
    /// All tokens in order, lowercased (for sentence-frame comparisons).
    pub frame: Vec<String>,
    /// Backtick-quoted code spans (`make test`), lowercased with whitespace collapsed: each names
    /// one command or identifier, so two statements quoting different ones are about different
    /// things even when their words agree.
    pub code_spans: BTreeSet<String>,
    /// The code span the text opens with, normalised as [`Analysis::code_spans`] are: what a
    /// lesson is about ("`rg` (run with `shell`) fails with …").
    pub opening_code: Option<String>,
    /// The anchors written as names in code (`GetGitAuthorFromRepo`, `push_sessions`), not as a
    /// product's name (`AgentV`, `GitHub`), a path or a host: see `is_code_name`.
    pub code_names: BTreeSet<String>,
}

impl Analysis {
    /// Features for MinHash: content words and anchors.
    pub fn features(&self) -> impl Iterator<Item = &str> {
        self.word_set
            .iter()
            .map(String::as_str)
            .chain(self.anchors.iter().map(String::as_str))
    }

    /// Whether the text has neither a content word nor an anchor, so there is nothing to compare it
    /// by.
    pub fn is_empty(&self) -> bool {
        self.word_set.is_empty() && self.anchors.is_empty()
    }
}

/// `text` without an ASCII `prefix`, compared case-insensitively. Lowercasing the whole text
/// to compare would be wrong: some characters change byte length when lowercased (the Kelvin
/// sign becomes `k`), so offsets in the lowercase copy are not offsets in the text.
pub fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Removes modal lead-ins from the start of a statement (repeatedly), keeping the rest as is.
pub fn strip_modal_lead_ins(text: &str) -> &str {
    let mut rest = text.trim_start();
    'outer: loop {
        for lead in words(List::ModalLeadIn) {
            if let Some(after) = strip_prefix_ignore_case(rest, lead) {
                // Only whole words: "also" must not eat the start of "alsoran".
                if lead.ends_with([',', ':'])
                    || after.is_empty()
                    || after.starts_with([' ', ',', ':'])
                {
                    rest = after.trim_start_matches([',', ':', ' ']);
                    continue 'outer;
                }
            }
        }
        break;
    }
    // "We always …" / "We never …" is the rule "Always …" / "Never …".
    for we in ["we always ", "we never ", "we don't ", "we do not "] {
        if strip_prefix_ignore_case(rest, we).is_some() {
            return &rest[3..];
        }
    }
    rest
}

/// The backtick-quoted spans of a text, normalised. As in Markdown, a run of backticks opens a
/// span that only a run of the same length closes, and a run nothing closes is literal: "a
/// single ```bash block per reply" quotes nothing.
fn code_spans(text: &str) -> BTreeSet<String> {
    code_spans_in_order(text).into_iter().collect()
}

/// The code span `text` opens with, if it opens with one.
fn opening_code_span(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('`') {
        return None;
    }
    code_spans_in_order(trimmed).into_iter().next()
}

/// Backtick-quoted spans in the order they appear, lowercased with whitespace collapsed.
fn code_spans_in_order(text: &str) -> Vec<String> {
    let mut spans = Vec::new();
    if !text.contains('`') {
        return spans;
    }
    // Each run of backticks: where it starts, where it ends, and its length.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            let start = at;
            while at < bytes.len() && bytes[at] == b'`' {
                at += 1;
            }
            runs.push((start, at));
        } else {
            at += 1;
        }
    }
    let mut next = 0;
    while next < runs.len() {
        let (open_start, open_end) = runs[next];
        let length = open_end - open_start;
        let closer = runs[next + 1..]
            .iter()
            .position(|&(start, end)| end - start == length);
        match closer {
            Some(offset) => {
                let close_start = runs[next + 1 + offset].0;
                let span = text[open_end..close_start]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                if !span.is_empty() {
                    spans.push(span);
                }
                next += offset + 2;
            }
            None => next += 1,
        }
    }
    spans
}

/// Whether both statements quote code and no quoted span is shared, or both open with a code
/// span and not the same one: different commands ("`rg` (run with `shell`) fails with …" and
/// "`just fmt` (run with `shell`) fails with …" share `shell`, and are two lessons).
fn different_code(a: &Analysis, b: &Analysis) -> bool {
    let disjoint = !a.code_spans.is_empty()
        && !b.code_spans.is_empty()
        && a.code_spans.is_disjoint(&b.code_spans);
    let other_opening = matches!((&a.opening_code, &b.opening_code), (Some(x), Some(y)) if x != y);
    disjoint || other_opening
}

/// Analyses text: lowercases, splits identifiers, removes stopwords, stems, and collects anchors.
pub fn analyze(text: &str) -> Analysis {
    let text = strip_modal_lead_ins(text);
    let mut analysis = Analysis {
        code_spans: code_spans(text),
        opening_code: opening_code_span(text),
        ..Analysis::default()
    };
    let lower_text = text.to_lowercase();
    let mut negations = 0usize;
    let mut pending_negation = false;
    let mut has_without = false;
    // "make sure" is a modality phrase, not content: fold it into one stopword.
    let lower_text = replace_in_place(lower_text, "make sure", "makesure");
    let lower_text = PHRASE_SYNONYMS
        .iter()
        .fold(lower_text, |text, (phrase, word)| {
            replace_in_place(text, phrase, word)
        });
    let lower_text = ceasing_as_negation(lower_text);
    let lower_text = windows_separators_as_slashes(lower_text);
    // Emphasis idioms carry a "no" but negate nothing: "run it, no exceptions".
    let lower_text = words(List::EmphasisIdiom)
        .iter()
        .fold(lower_text, |text, idiom| replace_in_place(text, idiom, ""));
    // Where a contrasted alternative starts ("use X, not Y", "X instead of Y", "X rather than
    // Y"): its "not" does not negate the rule, and its words are kept apart (marked), so "use
    // tabs, not spaces" and "use spaces, not tabs" stay different.
    let contrast_at = contrast_start(&lower_text);
    // A contrast set off by commas ends at the next one: "use pnpm, not npm, for installing
    // packages" contrasts npm only; "installing packages" is the rule's again.
    let contrast_end = contrast_at.and_then(|at| {
        let rest = &lower_text[at..];
        let after_marker = rest.find(|c: char| c.is_alphanumeric())?;
        rest[after_marker..]
            .find([',', ';', ')'])
            .map(|end| at + after_marker + end)
    });
    negations += kept_out_phrases(&lower_text);
    for raw in raw_tokens(&lower_text) {
        let token = raw.text;
        let in_contrast = contrast_at.is_some_and(|at| raw.start >= at)
            && contrast_end.is_none_or(|end| raw.start < end);
        let original = text
            .get(raw.start..raw.start + token.len())
            .unwrap_or(token);
        if is_anchor(original) || is_anchor(token) {
            analysis.anchors.insert(anchor_key(token));
            if is_code_name(original) {
                analysis.code_names.insert(anchor_key(token));
            }
        }
        analysis.frame.push(token.to_string());
        // In a compound like "us-prod" every part names something: none is a stopword.
        let compound = token.contains(['-', '_', '.', '/']);
        for part in token.split(|c: char| !c.is_alphanumeric() && c != '\'') {
            let part = part.trim_matches('\'');
            if part.is_empty() {
                continue;
            }
            if in_contrast {
                let marker_word = matches!(part, "instead" | "rather" | "than");
                if !is_negation(part) && !is_stopword(part) && !marker_word {
                    let marked = format!("¬{}", stem(part));
                    if analysis.word_set.insert(marked.clone()) {
                        analysis.words.push(marked);
                    }
                }
                continue;
            }
            if is_negation(part) || part.ends_with("n't") {
                negations += 1;
                pending_negation = true;
                continue;
            }
            if part == "without" {
                has_without = true;
            }
            // A negated negative verb is a positive rule: cancel both.
            if pending_negation && is_word_of(List::NegativeVerb, part) {
                negations -= 1;
                pending_negation = false;
                continue;
            }
            if !compound && is_stopword(part) {
                continue;
            }
            pending_negation = false;
            // Numbers are anchors already; a lone digit run adds nothing as a word.
            if part.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let stemmed = stem(part);
            if !compound && is_stopword(&stemmed) {
                continue;
            }
            if analysis.word_set.insert(stemmed.clone()) {
                analysis.words.push(stemmed);
            }
        }
    }
    // "Never … without X" is "always … with X".
    if has_without && negations % 2 == 1 {
        negations += 1;
    }
    analysis.negated = negations % 2 == 1;
    analysis
}

/// A Windows path spelled with `/` (`docs\Roadmap.docx` → `docs/Roadmap.docx`): the same file
/// is one anchor however a harness or a person wrote its separators, and a backslash is no
/// token character. Only a backslash between path characters is one (`C:\repo`, `a\b.txt`),
/// not an escape that opens a word (`\n`).
fn windows_separators_as_slashes(text: String) -> String {
    if !text.contains('\\') {
        return text;
    }
    let path_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-');
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(at, &c)| {
            let between_path_chars = at > 0
                && (path_char(chars[at - 1]) || chars[at - 1] == ':')
                && chars.get(at + 1).is_some_and(|&next| path_char(next));
            if c == '\\' && between_path_chars {
                '/'
            } else {
                c
            }
        })
        .collect()
}

/// How many times lowercase text says that something is kept away from a place ("keep secrets
/// out of logs", "local config stays out of commits"): each is a negated rule, the same as
/// "never put secrets in logs".
fn kept_out_phrases(lower: &str) -> usize {
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .enumerate()
        .filter(|(at, pair)| {
            pair[0] == "out"
                && pair[1] == "of"
                && words[at.saturating_sub(6)..*at]
                    .iter()
                    .any(|w| is_word_of(List::Keeping, w))
        })
        .count()
}

/// The byte offset where a contrasted alternative starts in lowercase text: the word after ",
/// not", "; not", "instead of" or "rather than", when some rule comes before it.
fn contrast_start(lower: &str) -> Option<usize> {
    let markers = [", not ", "; not ", " instead of ", " rather than "];
    markers
        .iter()
        .filter_map(|marker| {
            lower
                .find(marker)
                .filter(|&at| lower[..at].chars().any(char::is_alphanumeric))
                // The marker's own words ("not", "instead of") belong to the contrast.
                .map(|at| at + 1)
        })
        .min()
}

/// If two token sequences are the same sentence with one short span swapped ("the staging
/// host" / "the production host"), the swapped spans.
pub fn small_substitution<'a>(
    a: &'a [String],
    b: &'a [String],
) -> Option<(&'a [String], &'a [String])> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mid_a = &a[prefix..a.len() - suffix];
    let mid_b = &b[prefix..b.len() - suffix];
    let small = !mid_a.is_empty() && !mid_b.is_empty() && mid_a.len() <= 3 && mid_b.len() <= 3;
    (small && prefix + suffix >= 2).then_some((mid_a, mid_b))
}

/// The text with every run of whitespace (line breaks included) made one space, trimmed: how
/// an item is compared with the same item written on several lines.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Jaccard similarity of two sets.
pub fn jaccard<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    inter as f64 / union as f64
}

/// Whether two analysed texts say the same thing (duplicates to merge).
///
/// Rules: same polarity; the same anchors; and either one's content words contain the other's
/// (with real overlap), or they overlap very strongly. Both sides having words of their own
/// means a content word was substituted, which usually means a different subject.
pub fn same_statement(a: &Analysis, b: &Analysis) -> bool {
    if a.negated != b.negated || a.anchors != b.anchors || different_code(a, b) {
        return false;
    }
    if a.word_set == b.word_set {
        return !a.is_empty();
    }
    let inter = a.word_set.intersection(&b.word_set).count();
    let only_a = a.word_set.len() - inter;
    let only_b = b.word_set.len() - inter;
    let j = jaccard(&a.word_set, &b.word_set);
    if only_a == 0 || only_b == 0 {
        // One says a subset of the other ("Run make lint before pushing" vs "make lint before
        // push"): a duplicate when the shared part is substantial — half the words, or four
        // words and a third of them (a person restating in fewer words a rule the store gives
        // in full with its reason: the longer one says all the shorter one does).
        let shared_with_anchors = inter + a.anchors.len();
        return (shared_with_anchors >= 2 && j >= 0.5)
            || (inter >= 4 && j >= MIN_PREFERENCE_JACCARD);
    }
    // Both sides have words of their own. The same sentence with one span swapped is about a
    // different subject ("staging" vs "production"): never a duplicate.
    if small_substitution(&a.frame, &b.frame).is_some() {
        return false;
    }
    // Differently built sentences about the same identifier (the same anchors) that share a
    // good part of their words are paraphrases; without an identifier, demand near-identity.
    // A shared two-word phrase ("partial refund", "ticket number") with three shared words is
    // also enough then: the identifier says what the sentence is about, the phrase says what
    // is said about it.
    if !a.anchors.is_empty() {
        return (j >= 0.5 && inter >= 2) || (j >= 0.4 && inter >= 3 && shares_phrase(a, b));
    }
    // Without an identifier, a reworded sentence must still share most of its words.
    j >= 0.6 && inter >= 3
}

/// Whether two analyses share two content words that follow each other in both.
fn shares_phrase(a: &Analysis, b: &Analysis) -> bool {
    let pairs = |words: &[String]| -> BTreeSet<(String, String)> {
        words
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect()
    };
    let in_a = pairs(&a.words);
    b.words
        .windows(2)
        .any(|w| in_a.contains(&(w[0].clone(), w[1].clone())))
}

/// Whether two instructions people gave in *different sessions* are the same preference in
/// other words ("Offer store credit before a cash refund" / "Always suggest store credit first
/// and a cash refund second"). Looser than [`same_statement`], so the curator only asks it for
/// preferences from different sessions, where a missed merge costs the team scope (two agents)
/// or the second session an unmarked instruction needs: same identifiers and polarity, three
/// shared words of which two form a shared phrase, and a third of all words shared. The same
/// sentence with one span swapped is still never one.
pub fn same_preference(a: &Analysis, b: &Analysis) -> bool {
    if same_statement(a, b) {
        return true;
    }
    if a.negated != b.negated || a.anchors != b.anchors || different_code(a, b) {
        return false;
    }
    if small_substitution(&a.frame, &b.frame).is_some() {
        return false;
    }
    let inter = a.word_set.intersection(&b.word_set).count();
    inter >= 3 && jaccard(&a.word_set, &b.word_set) >= MIN_PREFERENCE_JACCARD && shares_phrase(a, b)
}

/// Whether a memory an agent wrote in a session records a rule a person gave in that session,
/// in its own words ("I MUST add a comment to EVERY SINGLE LINE of code I write" after "can you
/// also add a comment to each line …"): same identifiers and polarity, four shared words of
/// which two form a shared phrase, and not the same sentence with one span swapped. The
/// curator asks it only of such a pair from one session; either side may be `a`.
pub fn records_rule(a: &Analysis, b: &Analysis) -> bool {
    const MIN_SHARED_WORDS: usize = 4;
    if a.negated != b.negated || a.anchors != b.anchors || different_code(a, b) {
        return false;
    }
    if small_substitution(&a.frame, &b.frame).is_some() {
        return false;
    }
    a.word_set.intersection(&b.word_set).count() >= MIN_SHARED_WORDS && shares_phrase(a, b)
}

/// How rare each word is among a dream's items: a shared rare word ("Pygments", "stash") says
/// more about two sentences being one than a shared common one ("use", "file").
#[derive(Debug, Clone, Default)]
pub struct WordWeights {
    document_frequency: std::collections::HashMap<String, usize>,
    documents: usize,
}

impl WordWeights {
    /// Counts, for each content word and anchor, how many of the analyses (one per item) hold it.
    pub fn new<'a>(analyses: impl Iterator<Item = &'a Analysis>) -> WordWeights {
        let mut weights = WordWeights::default();
        for analysis in analyses {
            weights.documents += 1;
            // An identifier is both a word and an anchor (`getgitauthorfromrepo`): one item
            // holds it once.
            let features: BTreeSet<&str> = analysis.features().collect();
            for feature in features {
                *weights
                    .document_frequency
                    .entry(feature.to_string())
                    .or_default() += 1;
            }
        }
        weights
    }

    /// Inverse document frequency, smoothed (a word seen once weighs most).
    pub fn weight(&self, feature: &str) -> f64 {
        let df = self.document_frequency.get(feature).copied().unwrap_or(0) as f64;
        ((1.0 + self.documents as f64) / (1.0 + df)).ln() + 1.0
    }

    /// How many of the items hold a content word or anchor.
    pub fn items_holding(&self, feature: &str) -> usize {
        self.document_frequency.get(feature).copied().unwrap_or(0)
    }

    /// A word in at most a fifth of the items (and at most 50 of them).
    pub fn is_rare(&self, feature: &str) -> bool {
        let df = self.document_frequency.get(feature).copied().unwrap_or(0);
        df <= 50 && df * 5 <= self.documents.max(20)
    }
}

/// Whether two items of a store say the same thing in other words: same polarity, no quoted
/// code that differs, not the same sentence with one span swapped, identifiers of one among
/// the other's, and most of their weight shared — at least three words, two of them rare. Or
/// both describe a name in code only they name, in much the same words
/// (see `about_one_identifier`), whatever other identifiers each gives.
pub fn paraphrase(a: &Analysis, b: &Analysis, weights: &WordWeights) -> bool {
    if a.negated != b.negated || different_code(a, b) || counts_on_one_side(a, b) {
        return false;
    }
    if small_substitution(&a.frame, &b.frame).is_some() {
        return false;
    }
    if !(anchors_cover(&a.anchors, &b.anchors) || anchors_cover(&b.anchors, &a.anchors)) {
        return about_one_identifier(a, b, weights);
    }
    let features =
        |x: &Analysis| -> BTreeSet<String> { x.features().map(str::to_string).collect() };
    let (fa, fb) = (features(a), features(b));
    let shared: Vec<&String> = fa.intersection(&fb).collect();
    let rare_shared = shared.iter().filter(|f| weights.is_rare(f)).count();
    // Words, not features: an identifier counts once even though it is also an anchor.
    let shared_words = a.word_set.intersection(&b.word_set).count();
    if shared_words < 3 || rare_shared < 2 {
        return false;
    }
    let weight =
        |set: &mut dyn Iterator<Item = &String>| -> f64 { set.map(|f| weights.weight(f)).sum() };
    let shared_weight = weight(&mut shared.iter().copied());
    let union_weight = weight(&mut fa.union(&fb));
    let (weight_a, weight_b) = (weight(&mut fa.iter()), weight(&mut fb.iter()));
    let (smaller, shorter, longer) = if weight_a <= weight_b {
        (weight_a, &fa, &fb)
    } else {
        (weight_b, &fb, &fa)
    };
    // Much of the combined weight shared, or most of the shorter item's when the shorter one
    // adds no rare word of its own: "After resuming, AgentV deletes the merged branch" shares
    // most of its words with "AgentV detects the merge … before it resumes", but its own word
    // ("deletes") is what it says.
    let shorter_adds_nothing_rare = shorter.difference(longer).all(|f| !weights.is_rare(f));
    let alike = shared_weight / union_weight >= 0.4
        || (shared_words >= 4
            && smaller > 0.0
            && shared_weight / smaller >= 0.6
            && shorter_adds_nothing_rare);
    // Checked last: it stems the sentences' tokens, and most pairs are decided above.
    (alike && !contrasting_modifiers(a, b)) || about_one_identifier(a, b, weights)
}

/// Whether one item counts what it describes in words and the other gives no count: "Put
/// exactly one bash block in every reply" says how many blocks, "Put a short explanation before
/// the bash block in every reply" says something else of the block, in most of the same words.
fn counts_on_one_side(a: &Analysis, b: &Analysis) -> bool {
    let counts = |x: &Analysis| x.word_set.iter().any(|word| number_word(word).is_some());
    counts(a) != counts(b)
}

/// Whether two items are about one name in code no other item of the dream names
/// (`GetGitAuthorFromRepo`, `EnsureEntireGitignore`; a product's name such as `AgentV` is in too
/// many statements that say different things of it) and say much the same of it in other words:
/// five content words shared at least (the identifier's own among them), and a third of the
/// shorter item's. A store written in two sittings describes the same function twice, each time
/// with details of its own, so neither the identifiers nor the weights of the rest agree, and a
/// word may be qualified differently in each ("the local git config" / "the local repo
/// config"); two different facts about one function rarely share four words besides its name.
fn about_one_identifier(a: &Analysis, b: &Analysis, weights: &WordWeights) -> bool {
    let only_these_two = a
        .code_names
        .intersection(&b.code_names)
        .any(|anchor| weights.items_holding(anchor) <= 2);
    let shared = a.word_set.intersection(&b.word_set).count();
    let shorter = a.word_set.len().min(b.word_set.len());
    only_these_two && shared >= 5 && shared * 3 >= shorter
}

/// Whether every anchor of `fewer` is one of `more`'s, a path counting as the same file when
/// one ends with the other at a separator (`Roadmap.docx` and `docs/Roadmap.docx`: a store
/// written in two sittings names a file from the project root once and by its name once).
fn anchors_cover(fewer: &BTreeSet<String>, more: &BTreeSet<String>) -> bool {
    let same_file = |x: &str, y: &str| {
        let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
        long.strip_suffix(short)
            .is_some_and(|head| head.ends_with('/'))
            && file_extension_of(short).is_some()
    };
    fewer
        .iter()
        .all(|x| more.contains(x) || more.iter().any(|y| same_file(x, y)))
}

/// The extension of a file name (`roadmap.docx` → `docx`), when it has one of letters and
/// digits after its last dot.
fn file_extension_of(name: &str) -> Option<&str> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let (stem, extension) = file.rsplit_once('.')?;
    (!stem.is_empty()
        && !extension.is_empty()
        && extension.len() <= 5
        && extension.chars().all(|c| c.is_ascii_alphanumeric()))
    .then_some(extension)
}

/// Whether a word both statements share is qualified differently in each: "the unit tests" and
/// "the integration tests" — in both, the token right before it is a content word, a different
/// one, which the other statement does not have at all. Only the adjacent token counts, so a
/// verb or a preposition before the word ("stage explicit paths" / "by explicit path") is not a
/// qualifier, and a statement's first word has none.
fn contrasting_modifiers(a: &Analysis, b: &Analysis) -> bool {
    // Each word's modifier at its first occurrence, with every token stemmed once.
    let modifiers = |x: &Analysis| -> std::collections::HashMap<String, Option<String>> {
        let stems: Vec<String> = x.frame.iter().map(|t| stem(t)).collect();
        let mut out = std::collections::HashMap::new();
        for (at, word) in stems.iter().enumerate() {
            out.entry(word.clone()).or_insert_with(|| {
                (at >= 2 && x.word_set.contains(&stems[at - 1])).then(|| stems[at - 1].clone())
            });
        }
        out
    };
    let (of_a, of_b) = (modifiers(a), modifiers(b));
    a.word_set
        .intersection(&b.word_set)
        .any(|shared| match (of_a.get(shared), of_b.get(shared)) {
            (Some(Some(ma)), Some(Some(mb))) => {
                ma != mb && !b.word_set.contains(ma) && !a.word_set.contains(mb)
            }
            _ => false,
        })
}

/// The word overlap [`same_preference`] needs at least (the curator's candidate join uses it).
pub const MIN_PREFERENCE_JACCARD: f64 = 0.34;

/// Whether two items of a memory document differ in what they say about their subject even
/// when their words agree: one rules something out and the other does not ("No automatic
/// re-embedding" / "Automatic re-embedding when the provider changes", "❌ Options trading" /
/// "Derivatives: options, futures trading"), or both carry a status and the statuses differ
/// ("✅ City matching" / "🐛 City name matching failures", `[x] …` / `[ ] …`). Such items are
/// never duplicates, however many words they share.
pub fn differ_in_stance(a_text: &str, a: &Analysis, b_text: &str, b: &Analysis) -> bool {
    let (status_a, status_b) = (status_of(a_text), status_of(b_text));
    let rules_out = |text: &str, analysis: &Analysis| {
        let opening = opening_words(text);
        let says_no = matches!(opening.as_str(), "no" | "not" | "without" | "none");
        analysis.negated ^ says_no ^ (status_of(text) == Some(Status::Excluded))
    };
    // The same item with another status ("[ ] X" planned, "[x] X" done) is one item that
    // moved on: a duplicate, whose done copy is kept (see `marks_done`).
    let same_item = without_status(a_text).eq_ignore_ascii_case(without_status(b_text));
    let statuses_differ = matches!((status_a, status_b), (Some(x), Some(y)) if x != y);
    // Items that open with a bold label name their subject with it: "**Hidden single**: …" and
    // "**Naked single**: …" are two solver rules however much of the rest they share.
    let labels_differ = match (bold_label(a_text), bold_label(b_text)) {
        (Some(x), Some(y)) => {
            let (x, y) = (analyze(x), analyze(y));
            !x.is_empty() && !y.is_empty() && (x.word_set != y.word_set || x.anchors != y.anchors)
        }
        _ => false,
    };
    !same_item && (statuses_differ || labels_differ || rules_out(a_text, a) != rules_out(b_text, b))
}

/// The bold label an item opens with (`**Torre API base URL**: …` → `Torre API base URL`), after
/// its list mark: up to eight words.
fn bold_label(text: &str) -> Option<&str> {
    let rest = strip_list_marker(text).strip_prefix("**")?;
    let (label, _) = rest.split_once("**")?;
    let words = label.split_whitespace().count();
    (1..=8).contains(&words).then_some(label)
}

/// Whether an item is marked done (`✅`, `[x]`, `✔`).
pub fn marks_done(text: &str) -> bool {
    status_of(text) == Some(Status::Done)
}

/// An item's text after its list mark and status mark.
fn without_status(text: &str) -> &str {
    let text = text.trim_start().trim_start_matches(['-', '*', '+', ' ']);
    let rest = match status_of(text) {
        Some(_) => {
            let mark_len = ["[x]", "[X]", "[ ]"]
                .iter()
                .find(|mark| text.starts_with(**mark))
                .map_or_else(
                    || text.chars().next().map_or(0, char::len_utf8),
                    |mark| mark.len(),
                );
            &text[mark_len..]
        }
        None => text,
    };
    // An emoji's variation selector (`⚠️`) belongs to the mark.
    rest.trim_start_matches('\u{fe0f}').trim()
}

/// The status a list item opens with, in the marks memory documents use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Done,
    Excluded,
    Open,
    Bug,
    Warning,
    InProgress,
}

fn status_of(text: &str) -> Option<Status> {
    let text = text.trim_start().trim_start_matches(['-', '*', '+', ' ']);
    const MARKS: &[(&str, Status)] = &[
        ("✅", Status::Done),
        ("✔", Status::Done),
        ("✓", Status::Done),
        ("☑", Status::Done),
        ("[x]", Status::Done),
        ("[X]", Status::Done),
        ("❌", Status::Excluded),
        ("✗", Status::Excluded),
        ("✘", Status::Excluded),
        ("🚫", Status::Excluded),
        ("⬜", Status::Open),
        ("☐", Status::Open),
        ("[ ]", Status::Open),
        ("🐛", Status::Bug),
        ("⚠", Status::Warning),
        ("🚧", Status::InProgress),
        ("⏳", Status::InProgress),
        ("🔄", Status::InProgress),
    ];
    MARKS
        .iter()
        .find(|(mark, _)| text.starts_with(mark))
        .map(|&(_, status)| status)
}

/// The first word of a text, lowercase, after list marks, status marks and emphasis.
fn opening_words(text: &str) -> String {
    text.trim_start()
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_lowercase()
}

/// Whether an item only introduces what follows it ("**List-level hooks** additionally
/// receive:", "**Files:**", "Built-in fields:"): it says nothing of its own, and merging it
/// with another item would move its list's heading.
pub fn introduces_what_follows(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['*', '_', '`', ' '])
        .ends_with(':')
}

/// Whether two statements are the same sentence about different things: each has words of its
/// own and the sentences differ only by one short swapped span ("Run `make lint` before
/// pushing" / "Run `make test` before pushing"). Such items are never merged, not even through
/// a chain of paraphrases.
pub fn look_alike(a: &Analysis, b: &Analysis) -> bool {
    if different_code(a, b) {
        return true;
    }
    let own_a = a.word_set.difference(&b.word_set).next().is_some()
        || a.anchors.difference(&b.anchors).next().is_some();
    let own_b = b.word_set.difference(&a.word_set).next().is_some()
        || b.anchors.difference(&a.anchors).next().is_some();
    own_a && own_b && small_substitution(&a.frame, &b.frame).is_some()
}

/// A similarity score in [0, 1] used to rank candidates (not to decide).
pub fn similarity(a: &Analysis, b: &Analysis) -> f64 {
    let words = jaccard(&a.word_set, &b.word_set);
    let anchors = jaccard(&a.anchors, &b.anchors);
    if a.anchors.is_empty() && b.anchors.is_empty() {
        words
    } else {
        0.7 * words + 0.3 * anchors
    }
}

/// Splits text into sentences. Dots inside tokens (`db-2.internal`, `3.11`, `e.g.`) do not end a
/// sentence; a terminator must be followed by whitespace and the next sentence, or the end. Lines
/// are also boundaries, and Markdown list markers are stripped.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = strip_list_marker(line.trim());
        if line.is_empty() {
            continue;
        }
        let bytes = line.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if matches!(c, b'.' | b'!' | b'?') {
                let next = bytes.get(i + 1).copied();
                // A sentence that ends inside emphasis: "**Codex correction received.** Updated
                // to …" is two sentences; the closing `**` belongs to the first.
                let emphasis_end = bytes[i + 1..]
                    .iter()
                    .take_while(|b| matches!(b, b'*' | b'_'))
                    .count();
                if emphasis_end > 0 && bytes.get(i + 1 + emphasis_end).is_none_or(|b| *b == b' ') {
                    let end = i + 1 + emphasis_end;
                    let sentence = line[start..end].trim();
                    if !sentence.is_empty() {
                        out.push(sentence);
                    }
                    start = end;
                    i = start;
                    continue;
                }
                // The word the mark closes, read only where a space or a closing quote follows
                // (not for every dot of a file name).
                let last_word = || {
                    line[start..i]
                        .rsplit([' ', '('])
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                };
                // An abbreviation followed by a word in lower case or a number goes on with the
                // sentence ("the Bluebook (21st ed.) in every brief", "vol. 3").
                let goes_on = |word: &str, after: usize| {
                    c == b'.'
                        && matches!(
                            word,
                            "ed" | "eds"
                                | "vol"
                                | "vols"
                                | "pp"
                                | "fig"
                                | "al"
                                | "no"
                                | "nos"
                                | "inc"
                                | "corp"
                                | "ltd"
                                | "ch"
                                | "sec"
                                | "ver"
                                | "rev"
                        )
                        && line[after.min(line.len())..]
                            .trim_start()
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
                };
                let ends = match next {
                    None => true,
                    Some(b' ') | Some(b'\t') => {
                        // Not after common abbreviations like "e.g." or "i.e.".
                        let word = last_word();
                        let abbreviation = matches!(
                            word.as_str(),
                            "e.g" | "i.e" | "etc" | "vs" | "mr" | "dr" | "ms" | "approx" | "cf"
                        );
                        !(abbreviation || goes_on(&word, i + 1))
                    }
                    Some(b'"') | Some(b'\'') | Some(b')') => {
                        bytes.get(i + 2).is_none_or(|b| *b == b' ') && !goes_on(&last_word(), i + 2)
                    }
                    _ => false,
                };
                if ends {
                    let end = if matches!(next, Some(b'"') | Some(b'\'') | Some(b')')) {
                        i + 2
                    } else {
                        i + 1
                    };
                    let sentence = line[start..end.min(line.len())].trim();
                    if !sentence.is_empty() {
                        out.push(sentence);
                    }
                    start = end.min(line.len());
                    i = start;
                    continue;
                }
            }
            i += 1;
        }
        let rest = line[start..].trim();
        if !rest.is_empty() {
            out.push(rest);
        }
    }
    out
}

/// Shortest line a terminal or an editor wraps: a sentence broken over two lines shorter than
/// this was more likely typed as two lines (a person's "always use pnpm" / "also lint first").
const MIN_WRAPPED_LINE_CHARS: usize = 60;

/// Whether `sentence` (one of [`sentences`]`(text)`) is a piece of a sentence that `text` wraps
/// over lines — a long line that stops on a word, continued by a line that opens in lower case
/// (a plan pasted from a terminal: "… and embed() calls" / "embedder.embed(self.content) —
/// always text."). Either piece alone is a fragment, never a statement of its own.
pub fn wrapped_piece(text: &str, sentence: &str) -> bool {
    let start = (sentence.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    let end = start.saturating_add(sentence.len());
    // Not a slice of `text` (a caller's mistake): no piece of it.
    if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return false;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |at| end + at);
    let line = &text[line_start..line_end];
    // A harness cut the text right after it ("…Tax Status Cert\n<truncated 2045 bytes>"):
    // what followed is gone, so the sentence may stop anywhere.
    let closes_line = text[end..line_end].trim().is_empty();
    let next_line = text[line_end..].lines().find(|l| !l.trim().is_empty());
    if closes_line && !ends_sentence(line) && next_line.is_some_and(marks_a_cut) {
        return true;
    }
    // Lower case opens a continuation only for a writer who capitalises: someone who types
    // "the build is green\nso the next step is…" writes each line as it comes.
    let capitalises = text
        .chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_uppercase);
    if !capitalises {
        return false;
    }
    // A line stops mid-sentence when it is long and ends on a word or a comma.
    let stops_on_word = |line: &str| {
        let line = line.trim();
        line.chars().count() >= MIN_WRAPPED_LINE_CHARS
            && line
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == ',')
    };
    // A line continues the one before when it opens in lower case and is not a list item.
    let continues = |line: &str| {
        let trimmed = line.trim();
        strip_list_marker(trimmed) == trimmed
            && trimmed.chars().next().is_some_and(|c| c.is_lowercase())
    };
    // …or when it is indented under a list item it carries on ("- All migrations must be safe
    // for existing deployed\n  DBs — do not recreate tables"), whatever its first letter.
    let indent = |line: &str| line.len() - line.trim_start().len();
    let hangs_under = |item: &str, next: &str| {
        let item_trimmed = item.trim_start();
        let next_trimmed = next.trim_start();
        strip_list_marker(item_trimmed) != item_trimmed
            && strip_list_marker(next_trimmed) == next_trimmed
            && indent(next) > indent(item)
    };
    let opens_line = text[line_start..start].trim().is_empty()
        || strip_list_marker(text[line_start..start].trim_start()).is_empty();
    if opens_line {
        let previous = text[..line_start.saturating_sub(1)]
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty());
        if previous.is_some_and(|p| stops_on_word(p) && (continues(line) || hangs_under(p, line))) {
            return true;
        }
    }
    if closes_line && stops_on_word(line) {
        let next = text[line_end..].lines().find(|l| !l.trim().is_empty());
        if next.is_some_and(|n| continues(n) || hangs_under(line, n)) {
            return true;
        }
    }
    false
}

/// Whether a line ends as a sentence does (a full stop, a question or exclamation mark, a
/// closing quote or bracket after one).
fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .trim_end_matches(['"', '\'', ')', ']', '*', '`', '\u{201D}'])
        .ends_with(['.', '!', '?', ':'])
}

/// Whether a line is a harness's note that text was cut there: Antigravity's `<truncated 2045
/// bytes>`, OpenHands' `[... Observation truncated due to length ...]`, Codex's `…12 tokens
/// truncated…`, `[truncated]`.
fn marks_a_cut(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    let inner = lower.trim_matches(|c: char| {
        matches!(
            c,
            '<' | '>' | '[' | ']' | '(' | ')' | '.' | '\u{2026}' | ' '
        )
    });
    lower.len() <= 80
        && (inner.starts_with("truncated")
            || inner.ends_with("truncated")
            || inner.contains(" truncated ")
            || inner.contains("truncated due to"))
}

/// The line that introduces the list or the paragraph holding the line at byte `at` of
/// `text`: "Rules for this session:" above "- Prefer repo-local files only.", or "Ask:" above
/// the lines of a task brief ("Create a dupe of …" / "New url: …"). For a list item, other
/// items, indented continuations and blank lines between are passed over; for a plain line,
/// the paragraph's first line is the lead-in. Either way it ends with a colon and is not the
/// line itself.
pub fn lead_in(text: &str, at: usize) -> Option<&str> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |newline| newline + 1);
    let line = text[line_start..].lines().next()?;
    let above = text[..line_start].lines().rev();
    if is_list_item(line) {
        for above in above {
            let trimmed = above.trim();
            if trimmed.is_empty() || is_list_item(above) || above.starts_with(char::is_whitespace) {
                continue;
            }
            return trimmed.ends_with(':').then_some(trimmed);
        }
        return None;
    }
    let first = above.take_while(|above| !above.trim().is_empty()).last()?;
    let first = first.trim();
    (first.ends_with(':') && first.split_whitespace().count() <= MAX_LEAD_IN_WORDS).then_some(first)
}

/// The most words a paragraph's first line has when it introduces the lines under it ("Rules
/// for this session:", "Ask:"); a longer one ending with a colon is a sentence of its own.
const MAX_LEAD_IN_WORDS: usize = 6;

/// Whether a line opens with a Markdown list marker.
fn is_list_item(line: &str) -> bool {
    strip_list_marker(line).len() != line.trim_start().len()
}

/// Removes a leading Markdown list marker (`- `, `* `, `1. `).
pub fn strip_list_marker(line: &str) -> &str {
    let trimmed = line.trim_start();
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < 4 {
        let rest = &trimmed[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return rest.trim_start();
        }
    }
    trimmed
}

/// Whether text is marked as work in progress: it opens with `TODO`, `FIXME` or `WIP` (any
/// case: "todo: drop the shim"), or carries one of them in capitals ("keep the shim (TODO)").
/// A lowercase "todo" inside a sentence is the noun ("create a todo for each finding").
pub fn marks_work_in_progress(text: &str) -> bool {
    const MARKERS: [&str; 3] = ["TODO", "FIXME", "WIP"];
    let mut words = text
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty());
    let opens = words
        .next()
        .is_some_and(|first| MARKERS.iter().any(|m| first.eq_ignore_ascii_case(m)));
    opens || words.any(|word| MARKERS.contains(&word))
}

/// Text without the terminal's escape sequences: colours and styles (`ESC[31m`), cursor moves
/// and window titles (`ESC]0;…BEL`). A tool's output keeps them when it was captured from a
/// terminal; left in, an error quoted from it reads `[31m✘ [41;31m[ERROR…`. A window title
/// whose ESC the harness dropped (Cline: `;Windows PowerShell` and a BEL before `Error: …`)
/// goes too: what a line holds before its last BEL.
pub fn without_terminal_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    let text = without_escape_sequences(text);
    if !text.contains('\u{7}') {
        return text;
    }
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.rsplit_once('\u{7}').map_or(line, |(_, after)| after))
        .collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// Text without the sequences that open with ESC (see [`without_terminal_escapes`]).
fn without_escape_sequences(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // A control sequence ends with its first byte in `@`..=`~`.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // An operating-system command ends with BEL or `ESC \\`.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                }
            }
            // Any other escape is two characters long.
            _ => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `haystack` (already lowercase) ends with `phrase` as whole words: "one more thing"
/// ends "oh, one more thing", "this" does not end "mathis".
pub fn ends_with_word(haystack: &str, phrase: &str) -> bool {
    haystack.strip_suffix(phrase).is_some_and(|before| {
        before
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_')
    })
}

/// Finds `word` in `haystack` (already lowercase) at word boundaries.
pub fn contains_word(haystack: &str, word: &str) -> bool {
    find_word(haystack, word).is_some()
}

/// Byte offset of `phrase` in `haystack` at word boundaries (both already lowercase).
pub fn find_word(haystack: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(phrase) {
        let start = from + pos;
        let end = start + phrase.len();
        let before_ok = haystack[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let after_ok = haystack[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        if before_ok && after_ok {
            return Some(start);
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// A statement split into a subject and the value given for it: "The staging database host is
/// db-2.internal" → subject {stage, databas, host}, value "db-2.internal".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Content words of the subject (stemmed, without temporal words).
    pub subject: BTreeSet<String>,
    /// Anchors of the subject (identifier-like tokens, lowercased): two slots are about one subject
    /// only when these agree too.
    pub subject_anchors: BTreeSet<String>,
    /// The value as written (trimmed).
    pub value: String,
    /// The value analysed like any text: its anchors' shapes and its words decide whether two
    /// values of one subject conflict.
    pub value_analysis: Analysis,
}

/// Predicates that separate a subject from its value, longest first so "is now" wins over "is".
const PREDICATES: &[&str] = &[
    " has been moved to ",
    " has been changed to ",
    " has been switched to ",
    " has moved to ",
    " has changed to ",
    " was moved to ",
    " was changed to ",
    " is now set to ",
    " is set to ",
    " are set to ",
    " should be set to ",
    " has been migrated to ",
    " was migrated to ",
    " migrated to ",
    " has been updated to ",
    " was updated to ",
    " updated to ",
    " moved to ",
    " changed to ",
    " switched to ",
    " is now ",
    " are now ",
    " now lives at ",
    " now lives on ",
    " now lives in ",
    " lives at ",
    " lives on ",
    " lives in ",
    " now points to ",
    " points to ",
    " now runs on ",
    " runs on ",
    " defaults to ",
    " should be ",
    " must be ",
    " will be ",
    " is ",
    " are ",
    " = ",
    ": ",
    " -> ",
    " → ",
];

/// The statement after an opener that repeats it ("Again, …", "As I said, …"), if it has one.
///
/// The openers are the lexicon's `[repeat_opener]` list, longest first; one must be followed by a
/// comma or a colon, so "again" ending a request ("run the tests again") is not one.
pub fn strip_repeat_opener(text: &str) -> Option<&str> {
    static OPENERS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut openers = crate::lexicon::phrases_of(crate::lexicon::List::RepeatOpener);
        openers.sort_by_key(|opener| std::cmp::Reverse(opener.len()));
        openers
    });
    let text = text.trim_start();
    OPENERS.iter().find_map(|opener| {
        let rest = strip_prefix_ignore_case(text, opener)?;
        let after = rest.strip_prefix([',', ':'])?.trim_start();
        (!after.is_empty()).then_some(after)
    })
}

/// Removes a lead-in such as "FYI:" or "Heads up," from the start of a statement.
pub fn strip_lead_in(text: &str) -> &str {
    // Lead-ins stack ("Just so you know for the future: …", "Heads up, FYI: …"): each is
    // stripped in turn.
    let mut rest = text;
    while let Some(shorter) = strip_one_lead_in(rest) {
        rest = shorter;
    }
    rest
}

fn strip_one_lead_in(text: &str) -> Option<&str> {
    static LEADS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        // Longest first, so "note that" wins over "note".
        let mut leads: Vec<&str> = words(List::LeadIn).iter().map(String::as_str).collect();
        leads.sort_by_key(|l| std::cmp::Reverse(l.len()));
        leads
    });
    // "Starting this quarter, …", "As of today …": the evidence keeps the date, the memory
    // states the value. (Byte offsets of the lower-case text are the text's when lowering kept
    // every length.)
    let lower = text.to_lowercase();
    if lower.len() == text.len()
        && let Some(when) = takes_effect(&lower).filter(|when| when.start == 0)
        && let Some(rest) = text.get(when.end..)
        && rest.starts_with([':', ',', '-', '—', '!', ' '])
    {
        let trimmed = rest.trim_start_matches([':', ',', '-', '—', '!', ' ']);
        if !trimmed.is_empty() {
            return Some(trimmed);
        }
    }
    for &lead in LEADS.iter() {
        if let Some(rest) = strip_prefix_ignore_case(text, lead) {
            // A word that also opens a sentence as its verb or subject ("Update the exporter
            // to …", "Change the port to 8080", "Note templates live in …") is a lead-in only
            // with punctuation after it ("Update: …", "Note, …").
            let needs_punctuation = is_word_of(List::VerbLeadIn, lead);
            let punctuated = rest.trim_start().starts_with([':', ',', '-', '—', '!']);
            if needs_punctuation && !punctuated {
                continue;
            }
            let trimmed = rest.trim_start_matches([':', ',', '-', '—', '!', ' ']);
            if trimmed.len() < rest.len() && rest.starts_with([':', ',', '-', '—', '!', ' ']) {
                return Some(trimmed);
            }
        }
    }
    None
}

/// Extracts a subject/value slot, if the statement has that shape.
pub fn slot(text: &str) -> Option<Slot> {
    let line = strip_lead_in(strip_list_marker(text.trim()));
    let line = line.trim_end_matches(['.', '!']);
    if let Some(slot) = verb_first_slot(line) {
        return Some(slot);
    }
    let (pos, predicate_len, predicate) = earliest_predicate(line)?;
    // "Quick update: the X is Y": a colon before a sentence that has its own predicate opens
    // the statement rather than naming its subject.
    if predicate == ": " {
        let rest = &line[pos + 2..];
        if earliest_predicate(rest).is_some_and(|(_, _, p)| p != ": ")
            || verb_first_slot(rest).is_some()
        {
            return slot(rest);
        }
    }
    let subject_text = line.get(..pos)?;
    let value = line.get(pos + predicate_len..)?;
    // The value ends with its clause: "is now Priya Raman; Dana Whitfield has left" names
    // Priya Raman, and the rest is another statement.
    let value = value
        .split_once("; ")
        .map_or(value, |(first, _)| first)
        .trim();
    if value.is_empty() || subject_text.trim().is_empty() {
        return None;
    }
    // Strip a lead-in such as "FYI," or "Heads up:".
    let subject_text = subject_text
        .rsplit([',', ';'])
        .next()
        .unwrap_or(subject_text);
    // "Bob Smith is our new security lead": the name is the value of the role it takes.
    let (subject_text, value) = match new_role(subject_text, value, predicate) {
        Some(role) => (role, subject_text.trim()),
        None => (subject_text, value),
    };
    // "Constantly updated to stay in tune …": an adverb alone names nothing; the sentence has
    // lost its subject (a fragment of a feature list).
    if subject_text
        .split_whitespace()
        .all(|word| word.len() > 4 && word.to_lowercase().ends_with("ly"))
    {
        return None;
    }
    let subject_analysis = analyze(subject_text);
    let subject: BTreeSet<String> = subject_analysis
        .word_set
        .iter()
        .filter(|w| !is_temporal_stem(w))
        .cloned()
        .collect();
    if subject.is_empty() && subject_analysis.anchors.is_empty() {
        return None;
    }
    // A subject of more than eight words is a sentence, not a name.
    if subject.len() + subject_analysis.anchors.len() > 8 {
        return None;
    }
    let value_analysis = analyze(value);
    if value_analysis.is_empty() {
        return None;
    }
    Some(Slot {
        subject,
        subject_anchors: subject_analysis.anchors,
        value: value.to_string(),
        value_analysis,
    })
}

/// For "<Name> is our new <role>" (also "the new", "are our new", "is the", "is now the"): the
/// role. The name is one to three capitalised words, so "The build is our new bottleneck" names
/// no one.
fn new_role<'a>(subject: &str, value: &'a str, predicate: &str) -> Option<&'a str> {
    if !matches!(predicate, " is " | " are " | " is now ") {
        return None;
    }
    // "Marco is the on-call lead (now)", "Marco is now the on-call lead": a name that is the
    // one holder of a role is that role's value too.
    let role = ["our new ", "the new ", "our newest ", "the "]
        .into_iter()
        .find_map(|opening| strip_prefix_ignore_case(value, opening))?;
    let role = role.strip_suffix(" from now on").unwrap_or(role);
    let role = role.strip_suffix(" now").unwrap_or(role).trim_end();
    let words: Vec<&str> = subject.split_whitespace().collect();
    let name = (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        })
        && !matches!(
            words[0],
            "The" | "This" | "That" | "It" | "We" | "Our" | "Your"
        );
    name.then_some(role)
}

/// The earliest predicate in a statement; among predicates at the same position, the longest:
/// its position, its length, and which predicate it is. Besides the fixed ones, a verb of change
/// before "to" is one, with its auxiliaries ("was raised to", "has been extended to", "went up
/// to"), read as [`CHANGED_TO`].
fn earliest_predicate(line: &str) -> Option<(usize, usize, &'static str)> {
    let lower = line.to_lowercase();
    let mut best: Option<(usize, usize, &'static str)> = None;
    let mut consider = |pos: usize, len: usize, predicate: &'static str| {
        let better = match best {
            None => true,
            Some((p, l, _)) => pos < p || (pos == p && len > l),
        };
        if better {
            best = Some((pos, len, predicate));
        }
    };
    for predicate in PREDICATES {
        if let Some(pos) = lower.find(predicate) {
            consider(pos, predicate.len(), predicate);
        }
    }
    if let Some((pos, len)) = changed_to(&lower) {
        consider(pos, len, CHANGED_TO);
    }
    best
}

/// What [`earliest_predicate`] reports for a verb of change before "to".
const CHANGED_TO: &str = " changed to ";

/// The first " <aux> <verb of change> [up|down] to " of a lowercase statement, with its
/// auxiliaries ("has been", "was", "got"): its position and length. The verb is a past form of
/// `[change_verb]` or "went"/"gone" with "up" or "down" ("the budget went up to $500").
fn changed_to(lower: &str) -> Option<(usize, usize)> {
    const AUXILIARIES: [&str; 9] = [
        " has been",
        " have been",
        " had been",
        " was",
        " were",
        " got",
        " has",
        " have",
        " is",
    ];
    lower.match_indices(" to ").find_map(|(to, _)| {
        let before = &lower[..to];
        let (before, moved) = match before
            .strip_suffix(" up")
            .or_else(|| before.strip_suffix(" down"))
        {
            Some(rest) => (rest, true),
            None => (before, false),
        };
        let verb_at = before.rfind(' ')?;
        let verb = &before[verb_at + 1..];
        let past = verb.ends_with("ed") || matches!(verb, "set" | "cut");
        let is_change = (past && crate::lexicon::is_word_of(List::ChangeVerb, verb))
            || (moved && matches!(verb, "went" | "gone"));
        if !is_change {
            return None;
        }
        let start = AUXILIARIES
            .iter()
            .find_map(|aux| before[..verb_at].strip_suffix(aux).map(str::len))
            .unwrap_or(verb_at);
        // A subject must come before it.
        (start > 0).then_some((start, to + " to ".len() - start))
    })
}

/// Whether a statement announces a change in the first person ("I moved the X to Y").
pub fn announces_change(text: &str) -> bool {
    verb_first_slot(text).is_some()
}

/// A slot from a verb-first statement: "(we|I|they) (have) switched the X to Y".
fn verb_first_slot(line: &str) -> Option<Slot> {
    let lower = line.to_lowercase();
    let mut rest: &str = &lower;
    for subject in ["we ", "i ", "they ", "ops ", "the team "] {
        if let Some(r) = rest.strip_prefix(subject) {
            rest = r;
            break;
        }
    }
    for aux in ["have ", "'ve ", "just ", "now "] {
        if let Some(r) = rest.strip_prefix(aux) {
            rest = r;
        }
    }
    let verb = words(List::AnnouncingVerb)
        .iter()
        .find(|v| rest.starts_with(v.as_str()) && rest[v.len()..].starts_with(' '))?;
    let after_verb = &rest[verb.len()..];
    let to = after_verb.rfind(" to ")?;
    let subject_lower = after_verb[..to].trim().trim_end_matches(" over");
    // Offsets in `lower` map to `line` because lowercasing ASCII-only keeps lengths; fall back
    // to the lowercase value when it does not.
    let value_start = lower.len() - after_verb.len() + to + 4;
    let value = line
        .get(value_start..)
        .unwrap_or(&after_verb[to + 4..])
        .trim();
    if subject_lower.is_empty() || value.is_empty() {
        return None;
    }
    let subject_analysis = analyze(subject_lower);
    let subject: BTreeSet<String> = subject_analysis
        .word_set
        .iter()
        .filter(|w| !is_temporal_stem(w))
        .cloned()
        .collect();
    if subject.is_empty() || subject.len() + subject_analysis.anchors.len() > 8 {
        return None;
    }
    let value_analysis = analyze(value);
    if value_analysis.anchors.is_empty() {
        return None;
    }
    Some(Slot {
        subject,
        subject_anchors: subject_analysis.anchors,
        value: value.to_string(),
        value_analysis,
    })
}

/// Whether two slots give different values for the same subject (a contradiction to resolve in
/// favour of the newer one). Values of different shapes ("is flaky" vs "is in /scripts") are
/// different attributes, not a contradiction.
pub fn conflicting_slots(a: &Slot, b: &Slot) -> bool {
    if a.subject != b.subject || a.subject_anchors != b.subject_anchors {
        return false;
    }
    let va = &a.value_analysis;
    let vb = &b.value_analysis;
    if va.anchors == vb.anchors && va.word_set == vb.word_set && va.negated == vb.negated {
        return false; // same value
    }
    let a_has_anchor = !va.anchors.is_empty();
    let b_has_anchor = !vb.anchors.is_empty();
    // The subject must be named explicitly: one bare word ("nvcc: …") names a topic, not an
    // attribute, unless both values are the same kind of thing (two ports, two hosts).
    let explicit_subject = a.subject.len() + a.subject_anchors.len() >= 2;
    if a_has_anchor && b_has_anchor {
        let shapes = |v: &Analysis| -> BTreeSet<AnchorShape> {
            v.anchors.iter().map(|t| anchor_shape(t)).collect()
        };
        if shapes(va) != shapes(vb) {
            return false;
        }
        return va.anchors != vb.anchors;
    }
    if !explicit_subject {
        return false;
    }
    if a_has_anchor != b_has_anchor {
        return false;
    }
    // Plain-word values: only short ones are comparable ("Tuesday" vs "Thursday").
    va.word_set.len() <= 3 && vb.word_set.len() <= 3
}

/// Whether two statements give one subject different values ("The billing contact at Acme
/// Corp is Dana Whitfield." / "Acme Corp's billing contact is now Priya Raman."): an update,
/// never a duplicate, however many words they share.
pub fn states_another_value(a: &str, b: &str) -> bool {
    let slots = match (slot(a), slot(b)) {
        (Some(x), Some(y)) => conflicting_slots(&x, &y),
        _ => false,
    };
    // The same sentence with one value for another, a tool named in lower case included ("Lint
    // JavaScript with eslint" / "We lint JavaScript with biome"); a negation added is a change
    // of stance, which `differ_in_stance` reads.
    let swapped =
        || frame_swap(a, b).is_some_and(|swap| !swap.old.is_empty() && !swap.new.is_empty());
    slots
        || opposite_words(a, b)
        || other_closed_set_value(a, b).is_some()
        || trades_one_name(a, b)
        || swapped()
}

/// Whether each statement names one thing the other does not mention at all ("Always write
/// commit messages in English" / "Commit messages should be written in German", "Our deploys
/// go through ArgoCD" / "We deploy through Flux now"): two sentences that agree on everything
/// but the name are two values of one subject, however differently they are built. Names are
/// those of [`frame_tokens_marked`], compared in lower case ("GitHub" and "Github" are one).
fn trades_one_name(a: &str, b: &str) -> bool {
    let names = |text: &str| -> BTreeSet<String> {
        frame_tokens_marked(text)
            .into_iter()
            .filter_map(|token| token.written)
            .filter(|name| name.chars().count() >= 3 && name.chars().all(char::is_alphabetic))
            .map(|name| name.to_lowercase())
            .collect()
    };
    let mentions = |text: &str| -> BTreeSet<String> {
        raw_tokens(text)
            .iter()
            .map(|token| token.text.to_lowercase())
            .collect()
    };
    let alone = |names: &BTreeSet<String>, other: &str| -> usize {
        let other = mentions(other);
        names.iter().filter(|name| !other.contains(*name)).count()
    };
    alone(&names(a), b) == 1 && alone(&names(b), a) == 1
}

/// The values of closed sets a statement names (see [`value_family`]): each with its set, in
/// lower case and singular ("Tuesdays" → `tuesday`). Digits are left out: they are identifiers,
/// compared as anchors.
fn closed_set_values(text: &str) -> BTreeSet<(&'static str, String)> {
    let tokens = raw_tokens(text);
    let mut values: BTreeSet<(&'static str, String)> = assignments(text)
        .into_iter()
        .map(|(key, value)| (SETTING, format!("{key}={value}")))
        .collect();
    // `make migrate` and `just migrate`: one command run by another program.
    for span in code_spans(text) {
        if let Some((program, arguments)) = span.split_once(' ')
            && !program.is_empty()
            && !arguments.trim().is_empty()
            && !program.contains('=')
        {
            values.insert((RUNNER, format!("{}={program}", arguments.trim())));
        }
    }
    let mut at = 0;
    while at < tokens.len() {
        // A cadence said as "every …" is one frequency, its count included ("every two
        // weeks" is the value that "weekly" replaces, not the count two).
        if let Some((cadence, used)) = cadence_at(&tokens[at..]) {
            values.insert(("frequency", cadence));
            at += used;
            continue;
        }
        // "30 days", "two weeks", "500 ms": an amount of time is one value.
        if let Some(duration) = duration_at(&tokens[at..]) {
            values.insert(("duration", duration));
            at += 2;
            continue;
        }
        let token = tokens[at].text;
        at += 1;
        if token.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if let Some(family) = value_family(token) {
            let lower = token.to_lowercase();
            let value = match family {
                "frequency" => frequency_word(&lower).unwrap_or(&lower).to_string(),
                // "the single place" and "one function" give one count.
                "count" => match lower.as_str() {
                    "single" | "once" => "1".to_string(),
                    "twice" => "2".to_string(),
                    _ => number_word(&lower).map_or(lower.clone(), |n| n.to_string()),
                },
                _ => lower.strip_suffix('s').unwrap_or(&lower).to_string(),
            };
            values.insert((family, value));
        }
    }
    values
}

/// The closed set of one setting's values: `MAX_WORKERS=4` and `MAX_WORKERS=8` are two values
/// of the set `MAX_WORKERS`, which `TIMEOUT=30` is not in (compared by key, see
/// [`other_closed_set_value`]).
const SETTING: &str = "setting";

/// The closed set of the programs that run one command: `make migrate` and `just migrate` are
/// two values of the set "migrate"; `cargo test` and `cargo clippy` are two commands. Keyed by
/// the arguments, as [`SETTING`] is by the key.
const RUNNER: &str = "program";

/// The `KEY=value` assignments a text writes (`MAX_WORKERS=4`, `log_level=debug`), the key
/// lowercased: an identifier of two characters or more right before a lone `=`, and the word
/// right after it. Comparisons (`==`, `<=`, `=>`) assign nothing.
fn assignments(text: &str) -> Vec<(String, String)> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let mut out = Vec::new();
    for (at, _) in text.match_indices('=') {
        let before = &text[..at];
        let after = &text[at + 1..];
        if before.ends_with(['=', '<', '>', '!', ' '])
            || after.starts_with(['=', '>', ' '])
            || after.is_empty()
        {
            continue;
        }
        let key_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| key_char(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let key = &before[key_start..];
        let value: String = after
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '`' | '"' | '\'' | ',' | ';' | ')'))
            .collect();
        let value = value.trim_end_matches(['.', ':']);
        let identifier = key.len() >= 2
            && key
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if identifier && !value.is_empty() {
            out.push((key.to_ascii_lowercase(), value.to_string()));
        }
    }
    out
}

/// Whether a word is a count: digits, or a number spelled out ("zero" to "twelve").
pub(crate) fn is_count(word: &str) -> bool {
    let lower = word.to_lowercase();
    (!lower.is_empty() && lower.chars().all(|c| c.is_ascii_digit()))
        || number_word(&lower).is_some()
}

/// The number a lowercase word spells, from "zero" to "twelve".
fn number_word(lower: &str) -> Option<u32> {
    const NUMBERS: &[&str] = &[
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    NUMBERS
        .iter()
        .position(|word| *word == lower)
        .and_then(|n| u32::try_from(n).ok())
}

/// Words that name how often something happens, each with the value it names ("fortnightly" is
/// "biweekly").
const FREQUENCY_WORDS: &[(&str, &str)] = &[
    ("hourly", "hourly"),
    ("daily", "daily"),
    ("nightly", "nightly"),
    ("weekly", "weekly"),
    ("biweekly", "biweekly"),
    ("bi-weekly", "biweekly"),
    ("fortnightly", "biweekly"),
    ("monthly", "monthly"),
    ("bimonthly", "bimonthly"),
    ("bi-monthly", "bimonthly"),
    ("quarterly", "quarterly"),
    ("yearly", "yearly"),
    ("annually", "yearly"),
    ("annual", "yearly"),
];

/// The frequency a lowercase word names ("fortnightly" → `biweekly`), if it names one.
fn frequency_word(lower: &str) -> Option<&'static str> {
    FREQUENCY_WORDS
        .iter()
        .find(|(word, _)| *word == lower)
        .map(|(_, value)| *value)
}

/// An amount of time at the start of `tokens`: a number (digits or a count word) and a unit of
/// time ("30 days", "two weeks", "500 ms"), as the number and the singular unit.
fn duration_at(tokens: &[RawToken<'_>]) -> Option<String> {
    const UNITS: &[(&str, &str)] = &[
        ("ms", "millisecond"),
        ("millisecond", "millisecond"),
        ("sec", "second"),
        ("second", "second"),
        ("min", "minute"),
        ("minute", "minute"),
        ("hour", "hour"),
        ("hr", "hour"),
        ("day", "day"),
        ("week", "week"),
        ("month", "month"),
        ("year", "year"),
    ];
    let number = tokens.first()?.text.to_lowercase();
    let counted = (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.'))
        || value_family(&number) == Some("count");
    if !counted {
        return None;
    }
    let unit = tokens.get(1)?.text.to_lowercase();
    let singular = unit.strip_suffix('s').unwrap_or(&unit);
    let (_, unit) = UNITS.iter().find(|(written, _)| *written == singular)?;
    Some(format!("{number} {unit}"))
}

/// A cadence said as "every [count] unit" at the start of `tokens` ("every day", "every two
/// weeks", "every other week", "every 3 months"), as the value a frequency word names where
/// there is one ("every day" is `daily`), with how many tokens it took.
fn cadence_at(tokens: &[RawToken<'_>]) -> Option<(String, usize)> {
    const UNITS: &[&str] = &[
        "minute", "hour", "day", "night", "week", "month", "quarter", "year", "sprint",
    ];
    if !tokens.first()?.text.eq_ignore_ascii_case("every") {
        return None;
    }
    let lower = |at: usize| tokens.get(at).map(|t| t.text.to_lowercase());
    let unit_of = |word: &str| -> Option<&'static str> {
        let singular = word.strip_suffix('s').unwrap_or(word);
        UNITS.iter().find(|unit| **unit == singular).copied()
    };
    let second = lower(1)?;
    if let Some(unit) = unit_of(&second) {
        let named = match unit {
            "hour" => "hourly",
            "day" => "daily",
            "night" => "nightly",
            "week" => "weekly",
            "month" => "monthly",
            "quarter" => "quarterly",
            "year" => "yearly",
            other => return Some((format!("every {other}"), 2)),
        };
        return Some((named.to_string(), 2));
    }
    let count = match second.as_str() {
        "other" | "second" => 2,
        word => word.parse::<u32>().ok().or_else(|| number_word(word))?,
    };
    let unit = unit_of(&lower(2)?)?;
    let value = match (count, unit) {
        (1, "week") => "weekly".to_string(),
        (1, "day") => "daily".to_string(),
        (1, "month") => "monthly".to_string(),
        (2, "week") => "biweekly".to_string(),
        (2, "month") => "bimonthly".to_string(),
        (count, unit) => format!("every {count} {unit}"),
    };
    Some((value, 3))
}

/// The closed sets a statement names values of.
pub fn value_families(text: &str) -> BTreeSet<&'static str> {
    closed_set_values(text)
        .into_iter()
        .map(|(family, _)| family)
        .collect()
}

/// Whether `newer`, said as a change, gives `older`'s subject another value of a closed set:
/// each names values of one set and they share none, and one side's remaining content words
/// (without those values and words like "now") are all among the other's, at least one of
/// them shared. Returns those shared subject words (stemmed) and the set.
pub fn closed_set_change(older: &str, newer: &str) -> Option<(Vec<String>, &'static str)> {
    let family = other_closed_set_value(older, newer)?;
    let rest = |text: &str| -> BTreeSet<String> {
        // The values themselves, and the words only quoted code says (`npm` of `npm test` is
        // the value a program family compares; "test" of "the test command" is the subject).
        let quoted: String = code_spans(text).into_iter().collect::<Vec<_>>().join(" ");
        let unquoted: String = text.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let said_outside = analyze(&unquoted).word_set;
        let valued: BTreeSet<String> = raw_tokens(text)
            .into_iter()
            .filter(|token| value_family(token.text).is_some())
            .map(|token| stem(&token.text.to_lowercase()))
            .chain(
                analyze(&quoted)
                    .word_set
                    .into_iter()
                    .filter(|word| !said_outside.contains(word)),
            )
            .collect();
        analyze(text)
            .word_set
            .into_iter()
            .filter(|word| !valued.contains(word))
            .filter(|word| !is_temporal_stem(word))
            .filter(|word| !is_word_of(List::FrameFiller, word))
            .collect()
    };
    let (a, b) = (rest(older), rest(newer));
    let (small, large) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if small.is_empty() || !small.is_subset(large) {
        return None;
    }
    // The newer side may leave out a qualifier the older gives, never add one: "Admin session
    // timeout: 5 minutes" is not every session's timeout.
    let shared: Vec<String> = small.iter().cloned().collect();
    let newer_analysis = analyze(newer);
    if b.difference(&a)
        .any(|word| qualifies_subject(&newer_analysis, &shared, word))
    {
        return None;
    }
    Some((shared, family))
}

/// Whether `newer`, said as a change, gives `older`'s subject another value of one anchor
/// shape or another name, in other words than `older`'s: "The API rate limit is 100 requests
/// per minute" / "Rate limit is 250 requests per minute as of today", "The primary contact at
/// Globex is Mark Fields" / "Our contact at Globex changed: it's Jenna Ortiz now". Each holds a
/// value of a shape (a number, a host, a version …) the other lacks, or a capitalised name the
/// other does not write, and their other content words (values, "now",
/// time words and verbs of change left out) are one subject: two or more of them shared, and
/// either the smaller side all among the larger's, with at most three words more, or each side
/// with one word of its own. A word qualified differently in each ("the staging database" /
/// "the production database") is two subjects. Returns the shared subject words (stemmed).
pub fn anchor_change(older: &str, newer: &str) -> Option<Vec<String>> {
    // When something happened ("… to eu-west-2 last week") says nothing of what it is about.
    let (a, b) = (
        analyze(&without_moments(older)),
        analyze(&without_moments(newer)),
    );
    if a.negated != b.negated {
        return None;
    }
    let shapes_of = |x: &Analysis| -> BTreeMap<AnchorShape, BTreeSet<String>> {
        let mut out: BTreeMap<AnchorShape, BTreeSet<String>> = BTreeMap::new();
        for anchor in &x.anchors {
            out.entry(anchor_shape(anchor))
                .or_default()
                .insert(anchor.clone());
        }
        out
    };
    let (sa, sb) = (shapes_of(&a), shapes_of(&b));
    // The shapes whose values changed: both sides hold some, none shared. Anchors of other
    // shapes ("gRPC" in "the gRPC port") name the subject, like words.
    // Each side holds a value of the shape the other lacks ("+1 555 0100" / "+1 555 0199"):
    // "Node 18 and Node 20 are supported" is not updated by "Node 20 is now the default".
    let changed: BTreeSet<AnchorShape> = sa
        .iter()
        .filter(|(shape, values)| {
            sb.get(*shape)
                .is_some_and(|new| !new.is_subset(values) && !values.is_subset(new))
        })
        .map(|(shape, _)| *shape)
        .collect();
    let another_anchor = !changed.is_empty();
    // A value's own words too: "finance@example.com" is also the words finance, example, com.
    let value_words: BTreeSet<String> = a
        .anchors
        .iter()
        .chain(&b.anchors)
        .filter(|anchor| changed.contains(&anchor_shape(anchor)))
        .flat_map(|anchor| {
            analyze(&anchor.replace(['@', '.', '/', ':', '-', '_'], " "))
                .word_set
                .into_iter()
                .chain(std::iter::once(anchor.clone()))
        })
        .collect();
    // A word both sentences also say outside their values names the subject even when a value
    // holds it too ("New VPN gateway: vpn-2.corp.example.com" for "The VPN gateway address is
    // vpn-1.corp.example.com").
    let said_outside = |text: &str, x: &Analysis| -> BTreeSet<String> {
        let mut rest = text.to_lowercase();
        for anchor in x
            .anchors
            .iter()
            .filter(|a| changed.contains(&anchor_shape(a)))
        {
            rest = rest.replace(&anchor.to_lowercase(), " ");
        }
        analyze(&rest).word_set
    };
    let (outside_a, outside_b) = (said_outside(older, &a), said_outside(newer, &b));
    let is_value = |word: &str| {
        value_words.contains(word) && !(outside_a.contains(word) && outside_b.contains(word))
    };
    // Names written capitalised inside the sentence: those both say name the subject ("the
    // contact at Globex"), those only one says are its values ("Mark Fields", "Jenna Ortiz").
    let (na, nb) = (inner_names(older), inner_names(newer));
    let another_name = na.iter().any(|n| !nb.contains(n)) && nb.iter().any(|n| !na.contains(n));
    if !another_anchor && !another_name {
        return instrument_change(&a, &b);
    }
    // When a number, a version or a host changed, the names say whose it is ("the pinned
    // Kubernetes version" / "the pinned Python version"): subject words, not values. Names are
    // the values only when nothing else changed (one contact for another).
    let empty = BTreeSet::new();
    let (na, nb) = if another_anchor {
        (empty.clone(), empty)
    } else {
        (na, nb)
    };
    let rest = |x: &Analysis, names: &BTreeSet<String>, other: &BTreeSet<String>| {
        x.word_set
            .iter()
            .filter(|word| !is_value(word))
            .filter(|word| !names.contains(*word) || other.contains(*word))
            .filter(|word| !is_temporal_stem(word))
            .filter(|word| !is_word_of(List::FrameFiller, word))
            .filter(|word| !CHANGE_STEMS.contains(word.as_str()))
            .cloned()
            .collect::<BTreeSet<String>>()
    };
    let (ra, rb) = (rest(&a, &na, &nb), rest(&b, &nb, &na));
    let shared: Vec<String> = ra.intersection(&rb).cloned().collect();
    if shared.len() < 2 {
        return None;
    }
    let (small, large) = if ra.len() <= rb.len() {
        (&ra, &rb)
    } else {
        (&rb, &ra)
    };
    // A word of one side only that comes before the last shared word qualifies the subject
    // ("the reporting-api gRPC port", "the staging database port"); one after it is said of
    // the subject ("Chat support is open …" / "Chat support hours are …").
    let qualifies = |x: &Analysis, word: &str| qualifies_subject(x, &shared, word);
    let extra_a: Vec<&String> = ra.difference(&rb).collect();
    let extra_b: Vec<&String> = rb.difference(&ra).collect();
    // The newer side may leave out a qualifier the older gives ("rate limit" for "the API rate
    // limit"), never add one: "the staging database port is now 5433" is another database's.
    let narrower = small.is_subset(large)
        && large.len() - small.len() <= 3
        && !extra_b.iter().any(|word| qualifies(&b, word));
    let reworded = extra_a.len() <= 1
        && extra_b.len() <= 1
        && !extra_a.iter().any(|word| qualifies(&a, word))
        && !extra_b.iter().any(|word| qualifies(&b, word));
    let one_subject = narrower || reworded;
    // The values themselves qualify nothing ("the L1 team" / "the L2 team"): only words
    // outside them can make two subjects.
    let without_values = |x: &Analysis, names: &BTreeSet<String>| -> Analysis {
        let mut x = x.clone();
        x.word_set
            .retain(|word| !is_value(word) && !names.contains(word));
        x
    };
    let contrasting = contrasting_modifiers(&without_values(&a, &na), &without_values(&b, &nb));
    (one_subject && !contrasting).then_some(shared)
}

/// Whether `b`, said as a change, gives `a`'s subject another tool or means, named in
/// lower case as tools often are: "Dependencies are managed with poetry" / "We now manage
/// dependencies with uv", "Always use tabs for indentation in this repo" / "switch this repo to
/// spaces for indentation from now on". Their
/// content words (time words, fillers and verbs of change left out) share two or more, and each
/// has one word of its own that it names as what is used (right after "with", "using", "use",
/// "via", "through" or "to"). Returns the shared subject words (stemmed).
fn instrument_change(a: &Analysis, b: &Analysis) -> Option<Vec<String>> {
    let rest = |x: &Analysis| -> BTreeSet<String> {
        x.word_set
            .iter()
            .filter(|word| !is_temporal_stem(word))
            .filter(|word| !is_word_of(List::FrameFiller, word))
            .filter(|word| !CHANGE_STEMS.contains(word.as_str()))
            .cloned()
            .collect()
    };
    let (ra, rb) = (rest(a), rest(b));
    let shared: Vec<String> = ra.intersection(&rb).cloned().collect();
    let (only_a, only_b): (Vec<&String>, Vec<&String>) =
        (ra.difference(&rb).collect(), rb.difference(&ra).collect());
    let ([old], [new]) = (only_a.as_slice(), only_b.as_slice()) else {
        return None;
    };
    // The word right before the value in the sentence says it is what is used (or what one
    // moves to: "switch … to spaces").
    let used_after = |x: &Analysis, word: &str| -> Option<()> {
        x.frame
            .windows(2)
            .any(|pair| (names_what_is_used(&pair[0]) || pair[0] == "to") && stem(&pair[1]) == word)
            .then_some(())
    };
    // Two shared words at least: "Run the tests with jest" and "Going forward, run the tests
    // with coverage" share one ("run" is no content word), and coverage is no test runner.
    (shared.len() >= 2
        && used_after(a, old).is_some()
        && used_after(b, new).is_some()
        && !contrasting_modifiers(a, b))
    .then_some(shared)
}

/// `text` without the moments it names when something happened or takes effect ("last week",
/// "yesterday", "two days ago", "this morning", "starting next month"): what a statement is
/// about, for comparing subjects. Moments are matched in lower case; `text` keeps its case
/// elsewhere (a text whose lower case has other byte offsets is returned as it is).
pub fn without_moments(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return text.to_string();
    }
    let mut spans: Vec<std::ops::Range<usize>> = Vec::new();
    if let Some(when) = takes_effect(&lower) {
        spans.push(when);
    }
    let tokens = raw_tokens(&lower);
    for (i, token) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1);
        let is_unit = |word: &str| {
            let singular = word.strip_suffix('s').unwrap_or(word);
            singular == "day" || is_word_of(List::Period, singular) || WEEKDAYS.contains(&singular)
        };
        let end_of = |t: &RawToken| t.start + t.text.len();
        match token.text {
            "yesterday" => spans.push(token.start..end_of(token)),
            "last" | "this" if next.is_some_and(|n| is_unit(n.text)) => {
                if let Some(next) = next {
                    spans.push(token.start..end_of(next));
                }
            }
            // "two days ago", "3 weeks ago".
            "ago" if i >= 2 && is_unit(tokens[i - 1].text) => {
                spans.push(tokens[i - 2].start..end_of(token));
            }
            _ => {}
        }
    }
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    spans.sort_by_key(|span| span.start);
    for span in spans {
        if span.start >= at {
            out.push_str(&text[at..span.start]);
            at = span.end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// Whether a word only one of two statements has qualifies their subject: it stands right
/// before a word they share, or in one token with it ("the staging database port", "the
/// reporting-api gRPC port"). The verb an instruction opens with ("Send quarterly reports to
/// …") qualifies nothing, and neither does a word before a value ("Chat support is open 9am
/// …", "we're now available 8:00 to 20:00").
fn qualifies_subject(x: &Analysis, shared: &[String], word: &str) -> bool {
    let stems_of = |token: &str| -> Vec<String> {
        token
            .split(|c: char| !c.is_alphanumeric())
            .filter(|part| !part.is_empty())
            .map(stem)
            .collect()
    };
    let names_shared = |stems: &[String]| stems.iter().any(|s| shared.contains(s));
    let opening_verb = x.frame.first().is_some_and(|first| stem(first) == word)
        && crate::lexicon::Cues::scan(&x.frame.join(" ")).opens_with(List::Request);
    if opening_verb {
        return false;
    }
    x.frame.iter().enumerate().any(|(at, token)| {
        let stems = stems_of(token);
        stems.iter().any(|s| s == word)
            && (names_shared(&stems)
                || x.frame
                    .get(at + 1)
                    .is_some_and(|next| names_shared(&stems_of(next))))
    })
}

/// The stems of the names a sentence writes capitalised after its first word (not after a
/// sentence's end inside it), function words left out: "Globex", "Mark", "Fields".
fn inner_names(text: &str) -> BTreeSet<String> {
    raw_tokens(text)
        .iter()
        .enumerate()
        .filter(|(at, token)| {
            // A name may open with digits: "1Password", "37signals" is not one (lower case).
            let letters = token.text.trim_start_matches(|c: char| c.is_ascii_digit());
            *at > 0
                && token.text.len() > 1
                && letters.chars().next().is_some_and(char::is_uppercase)
                && letters.chars().any(char::is_lowercase)
                && !text[..token.start]
                    .trim_end()
                    .ends_with(['.', ':', '!', '?'])
                && !is_word_of(List::Stopword, &token.text.to_lowercase())
        })
        .map(|(_, token)| stem(&token.text.to_lowercase()))
        .collect()
}

/// Stems of the verbs and nouns that say a value changed ("after the port change", "since the
/// migration", "went up to"): words of the announcement, not of its subject.
static CHANGE_STEMS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    words(List::ChangeVerb)
        .iter()
        .map(|verb| stem(verb))
        // "went" and "gone" of "went up to" (`[measured_movement]`).
        .chain(["chang", "migrat", "switch", "mov", "went", "gone"].map(String::from))
        .collect()
});

/// The closed set (a weekday, a month, a count) in which both statements name values and share
/// none: "… every Monday" and "… every Wednesday" are two values, never one statement in other
/// words.
fn other_closed_set_value(a: &str, b: &str) -> Option<&'static str> {
    let (va, vb) = (closed_set_values(a), closed_set_values(b));
    let of = |set: &BTreeSet<(&'static str, String)>, family: &str| -> BTreeSet<String> {
        set.iter()
            .filter(|(f, _)| *f == family)
            .map(|(_, value)| value.clone())
            .collect()
    };
    let families: BTreeSet<&'static str> = va.iter().map(|(family, _)| *family).collect();
    families.into_iter().find(|&family| {
        let (fa, fb) = (of(&va, family), of(&vb, family));
        if family == SETTING || family == RUNNER {
            // One setting given another value: the same key, none of its values shared.
            let key = |assignment: &String| assignment.split_once('=').map(|(k, _)| k.to_string());
            return fa.iter().filter_map(key).any(|k| {
                let values = |set: &BTreeSet<String>| -> BTreeSet<String> {
                    set.iter()
                        .filter(|a| key(a).as_deref() == Some(k.as_str()))
                        .cloned()
                        .collect()
                };
                let (xa, xb) = (values(&fa), values(&fb));
                !xb.is_empty() && xa.is_disjoint(&xb)
            });
        }
        !fb.is_empty() && fa.is_disjoint(&fb)
    })
}

/// Words whose opposite says another value of the same setting ("telemetry is enabled by
/// default" / "… disabled by default"): two statements that differ by such a pair are an old
/// and a new value, never duplicates.
const OPPOSITES: &[(&str, &str)] = &[
    ("enabled", "disabled"),
    ("enable", "disable"),
    ("allowed", "forbidden"),
    ("allowed", "disallowed"),
    ("required", "optional"),
    ("public", "private"),
    ("synchronous", "asynchronous"),
    ("sync", "async"),
    ("mandatory", "optional"),
    ("visible", "hidden"),
    ("included", "excluded"),
    ("true", "false"),
    ("tabs", "spaces"),
    ("tab", "space"),
];

/// Whether a lowercase word is one side of a known pair of opposite values (`enabled`, `tabs`).
pub fn is_opposite(word: &str) -> bool {
    OPPOSITES.iter().any(|&(x, y)| word == x || word == y)
}

/// Whether one statement has a word (and not its opposite) whose opposite the other has: "…
/// disabled by default instead of enabled" still says another value than "… enabled …".
fn opposite_words(a: &str, b: &str) -> bool {
    let words = |text: &str| -> BTreeSet<String> {
        raw_tokens(&text.to_lowercase())
            .into_iter()
            .map(|token| {
                token
                    .text
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_string()
            })
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    let only =
        |set: &BTreeSet<String>, word: &str, not: &str| set.contains(word) && !set.contains(not);
    OPPOSITES.iter().any(|&(x, y)| {
        (only(&wa, x, y) && wb.contains(y))
            || (only(&wa, y, x) && wb.contains(x))
            || (only(&wb, x, y) && wa.contains(y))
            || (only(&wb, y, x) && wa.contains(x))
    })
}

/// What kind of value an anchor is: values of different kinds are different attributes, not
/// an old and a new value ("installed at /usr/local/cuda/bin" vs "no C23 timeline").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnchorShape {
    /// Contains `/` or `\` and is no URL, e-mail address or flag (`src/main.rs`, `/usr/local/bin`).
    Path,
    /// Contains `://` (`https://status.example.com`).
    Url,
    /// Contains `@` and `.` (`dana@example.com`).
    Email,
    /// Dotted, with letters and no underscore (`db-2.internal`).
    Host,
    /// Digits with `.`, `,`, `%` or `:` only (`8080`, `3.5`, `10:30`).
    Number,
    /// At most three letters, then digits and dots (`v0.41`, `c17`, `py311`).
    Version,
    /// Starts with `-` (`--force-with-lease`).
    Flag,
    /// Any other anchor (`render_docx`, `api_v2`).
    Identifier,
}

/// The shape of an anchor token.
pub fn anchor_shape(token: &str) -> AnchorShape {
    let t = token.trim_matches(|c: char| c == '`' || c == '\'' || c == '"');
    if t.contains("://") {
        return AnchorShape::Url;
    }
    if t.contains('@') && t.contains('.') {
        return AnchorShape::Email;
    }
    if t.starts_with('-') {
        return AnchorShape::Flag;
    }
    if t.contains('/') || t.contains('\\') {
        return AnchorShape::Path;
    }
    if t.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | ':'))
    {
        return AnchorShape::Number;
    }
    let letters = t.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = &t[letters..];
    if letters <= 3 && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return AnchorShape::Version;
    }
    if t.contains('.') && t.chars().any(|c| c.is_ascii_alphabetic()) && !t.contains('_') {
        return AnchorShape::Host;
    }
    AnchorShape::Identifier
}

/// Whether two statements are the same sentence frame with a different value in one place:
/// "Use Python 3.11 for scripts" vs "Use Python 3.12 for scripts", or "Always use tabs" vs
/// "Never use tabs". Used for statements that have no subject/value shape.
pub fn same_frame_new_value(a: &str, b: &str) -> bool {
    frame_new_value(a, b).is_some()
}

/// The spans [`same_frame_new_value`] found swapped (`a`'s, then `b`'s), as normalised tokens;
/// a negation added to one side is that side's span, the other's is empty.
///
/// A rule negated with its reason after it ("Stop using yarn for installs; we moved to pnpm")
/// still negates the rule: when the whole sentences differ in more, their first clauses (up to
/// a `;`) are compared for a negation alone. A value swapped in a first clause is not taken:
/// "Use X for A; use Y for B" says more than "Use Z for A" replaces.
pub fn frame_new_value(a: &str, b: &str) -> Option<(String, String)> {
    frame_swap(a, b).map(|swap| (swap.old, swap.new))
}

/// What [`frame_new_value`] found swapped, and whether it is only a name for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSwap {
    /// `a`'s span (empty when `b` only adds a negation), names as written.
    pub old: String,
    /// `b`'s span.
    pub new: String,
    /// The spans are capitalised names and nothing else says they are values ("drafted in
    /// Word" / "… in Google Docs"): two tools can serve one purpose side by side ("We use
    /// Postgres for the API" / "We use Redis for the API"), so only an announced change makes
    /// such a swap an update.
    pub names_only: bool,
}

/// [`frame_new_value`] with what kind of swap it is.
pub fn frame_swap(a: &str, b: &str) -> Option<FrameSwap> {
    frame_tokens_new_value(&frame_tokens_marked(a), &frame_tokens_marked(b), false).or_else(|| {
        let (ca, cb) = (first_clause(a), first_clause(b));
        if ca.len() == a.len() && cb.len() == b.len() {
            return None;
        }
        frame_tokens_new_value(&frame_tokens_marked(ca), &frame_tokens_marked(cb), true)
    })
}

/// A statement up to its first `;` (the whole statement when it has none).
pub fn first_clause(text: &str) -> &str {
    text.split_once(';').map_or(text, |(first, _)| first)
}

/// [`frame_new_value`] on tokens; with `negation_only`, only a negation added to one side
/// counts.
fn frame_tokens_new_value(
    marked_a: &[FrameToken],
    marked_b: &[FrameToken],
    negation_only: bool,
) -> Option<FrameSwap> {
    let ta: Vec<String> = marked_a.iter().map(|t| t.text.clone()).collect();
    let tb: Vec<String> = marked_b.iter().map(|t| t.text.clone()).collect();
    if ta == tb || ta.len() < 2 || tb.len() < 2 {
        return None;
    }
    let prefix = ta.iter().zip(&tb).take_while(|(x, y)| x == y).count();
    let suffix = ta[prefix..]
        .iter()
        .rev()
        .zip(tb[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mid_a = &ta[prefix..ta.len() - suffix];
    let mid_b = &tb[prefix..tb.len() - suffix];
    // A name for a name ("drafted in Word" / "drafted in Google Docs"): every word of both
    // spans written as a name.
    let named_a = &marked_a[prefix..ta.len() - suffix];
    let named_b = &marked_b[prefix..tb.len() - suffix];
    let all_named =
        |span: &[FrameToken]| !span.is_empty() && span.iter().all(|t| t.written.is_some());
    let names = all_named(named_a) && all_named(named_b);
    // Names are shown as written ("Google Docs", "Monday"), other values as compared.
    let shown = |span: &[FrameToken], mid: &[String]| {
        if names {
            span.iter()
                .filter_map(|t| t.written.as_deref())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            mid.join(" ")
        }
    };
    if mid_a.len() > 3 || mid_b.len() > 3 || prefix + suffix < 2 {
        return None;
    }
    let polarity = |mid: &[String]| mid.iter().all(|t| is_polarity_word(t));
    // The same sentence with a negation added: "Use tabs for indentation" / "Do not use tabs
    // for indentation", "Ask before migrating" / "No need to ask before migrating". Only words
    // that negate count: "Always use tabs" says what "Use tabs" says.
    let negates = |mid: &[String]| {
        polarity(mid)
            && mid
                .iter()
                .any(|t| is_negation(t) || matches!(t.as_str(), "never" | "don't"))
    };
    if mid_a.is_empty() != mid_b.is_empty() {
        let added = if mid_a.is_empty() { mid_b } else { mid_a };
        if !negates(added) {
            return None;
        }
        // The side without the negation has no value of its own: an empty span.
        let negation = added.join(" ");
        let (old, new) = if mid_a.is_empty() {
            (String::new(), negation)
        } else {
            (negation, String::new())
        };
        return Some(FrameSwap {
            old,
            new,
            names_only: false,
        });
    }
    if mid_a.is_empty() || mid_b.is_empty() || negation_only {
        return None;
    }
    let all_values = |mid: &[String]| mid.iter().all(|t| is_anchor(t));
    // One word of a closed set for another: a weekday, a month, a count, or a word and its
    // opposite ("on Thursdays" / "on Tuesdays", "one approval" / "two approvals", "tabs" /
    // "spaces").
    let one_value_for_another = match (mid_a, mid_b) {
        ([x], [y]) => {
            value_family(x).is_some_and(|family| value_family(y) == Some(family))
                || OPPOSITES
                    .iter()
                    .any(|&(p, q)| (x == p && y == q) || (x == q && y == p))
        }
        _ => false,
    };
    let values = (all_values(mid_a) && all_values(mid_b))
        || (polarity(mid_a) && polarity(mid_b))
        || one_value_for_another;
    // One plain word for another as what is used ("Use yarn to install dependencies" / "Use
    // pnpm to install dependencies"): a tool named in lower case, a name as much as "Word" is;
    // like names, only an announced change makes it an update.
    let tool_for_tool = match (mid_a, mid_b) {
        ([x], [y]) => {
            // A name may open with digits ("11ty", "1password"), not be digits only.
            // An option (`--fix`) says how the tool runs, not which tool.
            let plain = |w: &str| {
                w.len() >= 2
                    && !w.starts_with('-')
                    && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && w.chars().any(|c| c.is_ascii_alphabetic())
            };
            prefix > 0
                && names_what_is_used(&ta[prefix - 1])
                && plain(x)
                && plain(y)
                && !is_polarity_word(x)
                && !is_polarity_word(y)
                && !names_no_tool(x)
                && !names_no_tool(y)
        }
        _ => false,
    };
    (values || ((names || tool_for_tool) && !negation_only)).then(|| FrameSwap {
        old: shown(named_a, mid_a),
        new: shown(named_b, mid_b),
        names_only: !values,
    })
}

/// Whether a frame word (stemmed, as frames compare them) is a `[not_a_tool]` word: after "with"
/// it says how the work runs ("with coverage", "with care"), not which tool runs it.
fn names_no_tool(stemmed: &str) -> bool {
    crate::lexicon::words(List::NotATool)
        .iter()
        .any(|word| word == stemmed || stem(word) == stemmed)
}

/// Whether a frame word introduces what is used ("use yarn", "deploy via flyctl", "built with
/// 11ty"): the word after it may be a tool named in lower case, a value slot like a name.
pub fn names_what_is_used(word: &str) -> bool {
    matches!(word, "use" | "using" | "via" | "through" | "with")
}

/// The days of the week, in lower case.
pub(crate) const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The months, in lower case.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Where lower-case text says from when what it states holds: a word of `[effective_from]`
/// ("starting", "as of", "effective", "beginning"; "from" opening the text or with "on" after
/// the moment) and the moment
/// after it — today, tomorrow, now, immediately (after "effective"), this, next or last of a
/// `[period]` or a weekday, a weekday, a month (with its day), a date, a quarter, a year, a
/// version ("starting with v5") — with a closing "on" or "onwards". The byte range of the whole
/// phrase: "Starting this quarter, the password rotates every 30 days" and "Rotation is monthly
/// as of Q3" announce a value that holds from then on. A moment that is itself owned ("next
/// week's plan") or a head with no moment after it ("starting the server") is none.
pub fn takes_effect(lower: &str) -> Option<std::ops::Range<usize>> {
    let heads = words(List::EffectiveFrom);
    heads
        .iter()
        .flat_map(|head| {
            lower
                .match_indices(head.as_str())
                .map(move |(at, _)| (at, head.as_str()))
        })
        .filter(|&(at, _)| {
            lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
        .filter_map(|(at, head)| {
            let moment_at = at + head.len();
            let rest = lower[moment_at..].strip_prefix(' ')?;
            let moment = moment_length(rest, head)?;
            let end = moment_at + 1 + moment;
            // "from today on", "starting Monday onwards".
            let closing = [" onwards", " onward", " on", " forward"]
                .iter()
                .find(|closing| {
                    lower[end..].starts_with(**closing)
                        && lower[end + closing.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !c.is_alphanumeric())
                })
                .map_or(0, |closing| closing.len());
            // "From" inside a sentence is as often where something comes from ("a photo from
            // today", "the logs from last week"): only with "on" after the moment ("… from today
            // on") does it say when.
            if head == "from" && at > 0 && closing == 0 {
                return None;
            }
            Some(at..end + closing)
        })
        .min_by_key(|range| range.start)
}

/// The length of the moment `rest` opens with, after the word `head` of [`takes_effect`].
fn moment_length(rest: &str, head: &str) -> Option<usize> {
    let words: Vec<(usize, &str)> = rest
        .split_inclusive(' ')
        .scan(0, |at, piece| {
            let start = *at;
            *at += piece.len();
            Some((start, piece.trim_end()))
        })
        .take(4)
        .collect();
    let word = |i: usize| {
        words
            .get(i)
            .map(|(_, w)| w.trim_end_matches([',', '.', ';', ':', '!']))
    };
    // The end of the i-th word, when nothing but punctuation closing a clause follows it there:
    // "next week's" owns what follows, it sets no start.
    let end_of = |i: usize| -> Option<usize> {
        let (start, raw) = words.get(i)?;
        let bare = raw.trim_end_matches([',', '.', ';', ':', '!', ')']);
        (!bare.ends_with("'s") && !bare.ends_with("’s") && !bare.is_empty())
            .then_some(start + bare.len())
    };
    let is_month = |w: &str| MONTHS.contains(&w) || is_month_abbreviation(w);
    let is_day = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.len() <= 2
            && digits.chars().all(|c| c.is_ascii_digit())
            && matches!(&w[digits.len()..], "" | "st" | "nd" | "rd" | "th")
    };
    let is_year = |w: &str| {
        w.len() == 4
            && (w.starts_with("19") || w.starts_with("20"))
            && w.chars().all(|c| c.is_ascii_digit())
    };
    let is_date = |w: &str| {
        let parts: Vec<&str> = w.split(['-', '/', '.']).collect();
        parts.len() >= 2
            && parts.len() <= 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    };
    let is_quarter = |w: &str| matches!(w, "q1" | "q2" | "q3" | "q4");
    let is_version = |w: &str| {
        let digits = w.strip_prefix('v').unwrap_or(w);
        digits.chars().next().is_some_and(|c| c.is_ascii_digit())
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && (w.starts_with('v') || digits.contains('.'))
    };
    let first = word(0)?;
    let mut last = match first {
        "today" | "tomorrow" | "tonight" | "now" => 0,
        "immediately" if head == "effective" => 0,
        "this" | "next" | "last" => {
            let second = word(1)?;
            (is_word_of(List::Period, second) || WEEKDAYS.contains(&second)).then_some(1)?
        }
        "the" if word(1) == Some("next") => is_word_of(List::Period, word(2)?).then_some(2)?,
        // "Starting in January", "beginning in 2027", "starting with v5".
        "in" if head != "from" => {
            let second = word(1)?;
            (is_month(second) || is_year(second) || is_quarter(second)).then_some(1)?
        }
        "with" if matches!(head, "starting" | "beginning") => is_version(word(1)?).then_some(1)?,
        w if WEEKDAYS.contains(&w) || is_date(w) || is_quarter(w) || is_year(w) => 0,
        w if is_month(w) => 0,
        w if is_day(w) && word(1).is_some_and(is_month) => 1,
        w if is_version(w) && head != "from" => 0,
        _ => return None,
    };
    // "March 1", "March 1st, 2027", "1 March 2027", "Q3 2027".
    let calendar = word(last).is_some_and(|w| is_month(w) || is_quarter(w));
    if calendar && word(last + 1).is_some_and(is_day) {
        last += 1;
    }
    if (calendar || word(last).is_some_and(is_day)) && word(last + 1).is_some_and(is_year) {
        last += 1;
    }
    // "From 2019 to 2021", "starting Monday through Friday": a span of the past or a range,
    // not the moment a change starts.
    let after = word(last + 1);
    if matches!(after, Some("to" | "until" | "till" | "through" | "thru")) {
        return None;
    }
    end_of(last)
}

/// Whether a lower-case word is a month's usual abbreviation ("jan", "sept.").
fn is_month_abbreviation(word: &str) -> bool {
    matches!(
        word.trim_end_matches('.'),
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    )
}

/// The closed set a word names one value of, if any: a weekday, a month, a count or a frequency
/// (plurals and abbreviations folded: "Tuesdays", "Tue"; "fortnightly" is "biweekly").
pub fn value_family(word: &str) -> Option<&'static str> {
    // "single", "once" and "twice" count too, though they are no numbers.
    const OTHER_COUNTS: &[&str] = &["single", "once", "twice"];
    let lower = word.to_lowercase();
    let singular = lower.strip_suffix('s').unwrap_or(&lower);
    if WEEKDAYS.contains(&singular) {
        Some("weekday")
    } else if MONTHS.contains(&lower.as_str()) && lower != "may" && lower != "march" {
        // "may" and "march" are also a verb and a noun: only the unambiguous months count.
        Some("month")
    } else if number_word(&lower).is_some()
        || OTHER_COUNTS.contains(&lower.as_str())
        || lower.chars().all(|c| c.is_ascii_digit())
    {
        Some("count")
    } else if frequency_word(&lower).is_some() {
        Some("frequency")
    } else if is_time_of_day(&lower) {
        Some("time of day")
    } else {
        None
    }
}

/// Whether a lowercase word is a time of day: `9:30`, `10:00`, `14:45`, `9am`, `10:30pm`,
/// `noon`, `midnight`.
fn is_time_of_day(lower: &str) -> bool {
    if matches!(lower, "noon" | "midnight") {
        return true;
    }
    let clock = lower
        .strip_suffix("am")
        .or_else(|| lower.strip_suffix("pm"))
        .unwrap_or(lower);
    let meridiem = clock.len() != lower.len();
    let digits = |part: &str, max: u32| {
        (1..=2).contains(&part.len())
            && part.chars().all(|c| c.is_ascii_digit())
            && part.parse::<u32>().is_ok_and(|n| n <= max)
    };
    match clock.split_once(':') {
        Some((hours, minutes)) => digits(hours, 23) && minutes.len() == 2 && digits(minutes, 59),
        None => meridiem && digits(clock, 12),
    }
}

/// A statement's tokens for frame comparison: lowercase, stemmed, without articles, "please",
/// a lead-in ("From now on, …") or a trailing "from now on" / "going forward".
pub fn frame_tokens(text: &str) -> Vec<String> {
    frame_tokens_marked(text)
        .into_iter()
        .map(|token| token.text)
        .collect()
}

/// A token of a sentence frame: normalised as [`frame_tokens`] does, and whether it was
/// written as a name (capitalised, not opening the statement: "Google Docs", "HashiCorp
/// Vault", "AWS").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameToken {
    /// The token, lowercased; stemmed unless it is a value or a polarity word.
    pub text: String,
    /// The name as written, when the token is capitalised past the statement's first word.
    pub written: Option<String>,
}

/// [`frame_tokens`], each marked with whether it is a name.
pub fn frame_tokens_marked(text: &str) -> Vec<FrameToken> {
    let text = strip_modal_lead_ins(strip_lead_in(text.trim()));
    // Names as written: a capitalised word past the first ("contracts are drafted in Google
    // Docs"). A word written both ways is a name only where the sentence capitalises it, but
    // the frame compares lower-cased words, so any capitalised use counts.
    let raw = raw_tokens(text);
    // A shouted or title-cased line ("DO NOT CHANGE OTHER MODE") capitalises words that are no
    // names: it has none, so two such lines never swap a value.
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    let lower_words = raw
        .iter()
        .skip(1)
        .filter(|t| t.text.chars().next().is_some_and(char::is_lowercase))
        .count();
    let written_in_prose = upper * 2 < letters.len() && lower_words >= 2;
    let names: BTreeMap<String, String> = raw
        .iter()
        .skip(1)
        .filter(|_| written_in_prose)
        .filter(|t| t.text.chars().next().is_some_and(char::is_uppercase))
        .map(|t| (t.text.to_lowercase(), t.text.to_string()))
        .filter(|(t, _)| {
            !is_negation(t) && !matches!(t.as_str(), "always" | "never" | "do" | "don't")
        })
        .collect();
    // The opening word is capitalised as any first word is: its first use is no name, even when
    // the sentence names it later ("Secrets are stored in AWS Secrets Manager").
    let mut opener = raw.first().map(|t| t.text.to_lowercase());
    let lower = text.to_lowercase();
    let mut lower = lower.trim_end_matches(['.', '!']).trim_end().to_string();
    for trailer in [" from now on", " going forward", " now"] {
        if let Some(rest) = lower.strip_suffix(trailer) {
            lower = rest.to_string();
        }
    }
    // "We use pnpm to install dependencies" states the rule "Use pnpm to install dependencies"
    // states: the team speaking is no word of the frame.
    if let Some(rest) = lower.strip_prefix("we ") {
        lower = rest.to_string();
    }
    // "… as of today", "… starting next month": when the value holds is no part of it.
    if let Some(when) =
        takes_effect(&lower).filter(|when| when.start > 0 && when.end == lower.len())
    {
        lower.truncate(when.start);
        lower.truncate(lower.trim_end_matches([' ', ',']).len());
    }
    // A waiver lifts the rule it names: "No need to ask before X" reads "Don't ask before X".
    if let Some(waiver) = crate::lexicon::opening(List::Waiver, &lower) {
        lower = format!("don't{}", &lower[waiver.len()..]);
    }
    let lower = ceasing_as_negation(lower);
    raw_tokens(&lower)
        .into_iter()
        .map(|t| t.text.to_string())
        .filter(|t| !matches!(t.as_str(), "the" | "a" | "an" | "please"))
        .filter(|t| !is_word_of(List::FrameFiller, t))
        .map(|t| {
            // Values and polarity words are compared as written.
            let keep = is_anchor(&t)
                || value_family(&t).is_some()
                || is_negation(&t)
                || matches!(t.as_str(), "always" | "never" | "do" | "don't" | "dont");
            let opens = opener.as_ref() == Some(&t);
            if opens {
                opener = None;
            }
            let written = names.get(&t).filter(|_| !opens).cloned();
            let text = if keep { t } else { stem(&t) };
            FrameToken { text, written }
        })
        .collect()
}

/// The text with every UUID (`8521e3ab-d00f-4fdc-b013-609c00860cc3`) replaced by `…`: a
/// session's or a request's id, which a later session never meets again.
pub fn without_uuids(text: &str) -> std::borrow::Cow<'_, str> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    const LENGTH: usize = 36;
    let bytes = text.as_bytes();
    let is_uuid_at = |at: usize| {
        if at + LENGTH > bytes.len() {
            return false;
        }
        let mut pos = at;
        for (n, &len) in GROUPS.iter().enumerate() {
            if !bytes[pos..pos + len].iter().all(u8::is_ascii_hexdigit) {
                return false;
            }
            pos += len;
            if n < GROUPS.len() - 1 {
                if bytes[pos] != b'-' {
                    return false;
                }
                pos += 1;
            }
        }
        // Whole: no hex digit or letter runs on at either end.
        let bounded = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
        bounded(at.checked_sub(1).and_then(|i| bytes.get(i))) && bounded(bytes.get(at + LENGTH))
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if is_uuid_at(at) {
            out.push_str(&text[copied..at]);
            out.push('…');
            at += LENGTH;
            copied = at;
        } else {
            at += 1;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// The text with the user's name in home-directory paths replaced by `…` (`/Users/cysp/Library`
/// → `/Users/…/Library`, `/home/dev/app`, `C:\\Users\\jande\\AppData`, Git Bash's
/// `/c/Users/jande`): what a tool printed on one machine names its user, and a memory the team
/// shares needs neither the name nor that machine's layout.
pub fn without_user_names(text: &str) -> std::borrow::Cow<'_, str> {
    const HOMES: [&str; 2] = ["Users", "home"];
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let is_separator = |b: u8| b == b'/' || b == b'\\';
        // A home folder opens an absolute path: `/home`, `C:\\Users`, `/c/Users`,
        // `/mnt/c/Users` — not a route such as `/api/home/feed`.
        let opens_a_path = |at: usize| {
            let before = &text[..at - 1];
            let token = before
                .rfind(|c: char| c.is_whitespace() || "'\"`(=,<>[".contains(c))
                .map_or(before, |end| &before[end + 1..]);
            let drive = |t: &str| {
                let b = t.as_bytes();
                b.len() == 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
            };
            let letter_folder = |t: &str| {
                let b = t.as_bytes();
                b.len() >= 2 && b[b.len() - 2] == b'/' && b[b.len() - 1].is_ascii_alphabetic()
            };
            token.is_empty()
                || drive(token)
                || (letter_folder(token)
                    && (token.len() == 2 || token[..token.len() - 2].ends_with("/mnt")))
        };
        let home = HOMES.iter().find(|home| {
            text.is_char_boundary(at)
                && text[at..].starts_with(**home)
                && at > 0
                && is_separator(bytes[at - 1])
                && bytes
                    .get(at + home.len())
                    .copied()
                    .is_some_and(is_separator)
                && opens_a_path(at)
        });
        let Some(home) = home else {
            at += 1;
            continue;
        };
        let name_start = at + home.len() + 1;
        let name_end = text[name_start..]
            .find(|c: char| c == '/' || c == '\\' || c.is_whitespace() || "'\"`),;:".contains(c))
            .map_or(text.len(), |end| name_start + end);
        let name = &text[name_start..name_end];
        if !name.is_empty() && name != "…" && !name.starts_with(['$', '%', '<', '{', '~']) {
            out.push_str(&text[copied..name_start]);
            out.push('…');
            copied = name_end;
        }
        at = name_end.max(at + 1);
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_left_out() {
        assert_eq!(
            without_uuids(
                "Temp/claude/D--omp/8521e3ab-d00f-4fdc-b013-609c00860cc3/run.sh: No such file"
            ),
            "Temp/claude/D--omp/…/run.sh: No such file"
        );
        assert_eq!(
            without_uuids(
                "session 0199A6F2-1C3B-7E10-B5A4-2F9D8E7C6B5A and 0199a6f2-1c3b-7e10-b5a4-2f9d8e7c6b5a"
            ),
            "session … and …"
        );
        // Not a UUID: a run of hex too long, one group short, or a non-hex letter in it.
        for kept in [
            "x8521e3ab-d00f-4fdc-b013-609c00860cc3",
            "8521e3ab-d00f-4fdc-b013-609c00860cc",
            "8521e3ab-d00f-4fdc-b013-609c00860ccz",
            "commit 672ae42",
            "é8521e3ab-d00f",
        ] {
            assert_eq!(without_uuids(kept), kept);
        }
    }

    #[test]
    fn user_names_in_home_paths_are_left_out() {
        for (printed, shown) in [
            (
                "open '/Users/cysp/Library/Preferences/.wrangler/logs/x.log'",
                "open '/Users/…/Library/Preferences/.wrangler/logs/x.log'",
            ),
            (
                "module '/home/entity/projects/agentv/dist/index.js'",
                "module '/home/…/projects/agentv/dist/index.js'",
            ),
            (
                "bash: C:/Program Files/Git/mnt/c/Users/jande/AppData/Local/run.sh: No such file",
                "bash: C:/Program Files/Git/mnt/c/Users/…/AppData/Local/run.sh: No such file",
            ),
            ("C:\\Users\\jande\\repo", "C:\\Users\\…\\repo"),
            (
                "cd /home/dev && ls /home/dev/app",
                "cd /home/… && ls /home/…/app",
            ),
            ("« /home/zoë/é »", "« /home/…/é »"),
        ] {
            assert_eq!(without_user_names(printed), shown, "{printed}");
        }
        // No home path, a variable for the user, or a word that only looks like one.
        for kept in [
            "`pnpm test` fails",
            "/home/$USER/app",
            "Users/ and home/ folders",
            "the homepage/users list",
            "GET /api/home/feed",
            "src/Users/List.tsx",
        ] {
            assert_eq!(without_user_names(kept), kept);
        }
    }

    #[test]
    fn terminal_escapes_are_removed_and_the_text_kept() {
        assert_eq!(
            without_terminal_escapes(
                "\u{1b}[31m\u{2718} \u{1b}[41;31m[\u{1b}[41;97mERROR\u{1b}[41;31m]\u{1b}[0m \u{1b}[1mFailed\u{1b}[0m"
            ),
            "\u{2718} [ERROR] Failed"
        );
        assert_eq!(without_terminal_escapes("\u{1b}]0;title\u{7}done"), "done");
        // A title whose ESC the harness dropped (a real Cline result).
        assert_eq!(
            without_terminal_escapes(
                "Starting the development server...\n;Windows PowerShell\u{7}Error: unsupported"
            ),
            "Starting the development server...\nError: unsupported"
        );
        assert_eq!(
            without_terminal_escapes("plain [31m text"),
            "plain [31m text"
        );
    }

    #[test]
    fn a_contrasted_alternative_neither_negates_nor_blends_in() {
        let plain = analyze("Compensate customers with `issue_store_credit`.");
        let contrasted =
            analyze("Make sure to compensate customers with `issue_store_credit`, not by hand.");
        assert!(!contrasted.negated, "{contrasted:?}");
        assert!(
            same_statement(&plain, &contrasted),
            "{plain:?} {contrasted:?}"
        );
        // The excluded alternative is kept apart: swapping it is a different rule.
        let tabs = analyze("Indent with tabs, not spaces.");
        let spaces = analyze("Indent with spaces, not tabs.");
        assert!(!same_statement(&tabs, &spaces), "{tabs:?} {spaces:?}");
        let instead = analyze("Use ripgrep instead of grep.");
        let reverse = analyze("Use grep instead of ripgrep.");
        assert!(!instead.negated && !same_statement(&instead, &reverse));
        // A leading "not" is still a negation.
        assert!(analyze("Do not push on Fridays.").negated);
        assert!(analyze("Never, not even once, push on Fridays.").negated);
    }

    #[test]
    fn different_quoted_commands_are_different_rules() {
        let make = analyze("Always run `make test` before merging to main.");
        let bazel = analyze("Run `bazel test //...` prior to merging to main, no exceptions.");
        assert!(!same_statement(&make, &bazel));
        assert!(
            look_alike(&make, &bazel),
            "never linked, not even through a chain"
        );
        // One side quoting and the other not is still a paraphrase.
        let quoted = analyze("Run `make lint` before pushing.");
        let plain = analyze("Always lint (make lint) prior to a push.");
        assert!(same_statement(&quoted, &plain));
        assert!(!look_alike(&quoted, &plain));
    }

    #[test]
    fn emphasis_idioms_do_not_negate() {
        assert!(!analyze("Run `make lint` prior to merging to main, no exceptions.").negated);
        assert!(!analyze("Without exception, tag every release.").negated);
        assert!(analyze("No exceptions: never deploy on Fridays.").negated);
        assert!(analyze("Do not deploy on Fridays, no matter what.").negated);
    }

    /// The moment a change takes effect, in any of the ways people name one; a head word with
    /// no moment after it, a moment owned by a noun, "from" saying where something comes from,
    /// and a span of the past are none.
    #[test]
    fn takes_effect_finds_when_a_change_starts() {
        fn when(text: &str) -> Option<&str> {
            takes_effect(text).map(|range| &text[range])
        }
        for (text, phrase) in [
            (
                "starting this quarter, rotate keys monthly",
                "starting this quarter",
            ),
            (
                "beginning next monday, standup is at 10:15",
                "beginning next monday",
            ),
            ("rotation is monthly as of q3", "as of q3"),
            (
                "effective immediately: no deploys on fridays",
                "effective immediately",
            ),
            (
                "from 1 march 2027, invoices go to ap@example.com",
                "from 1 march 2027",
            ),
            ("from monday, standups are at 10", "from monday"),
            ("jun park owns the rotation from today on.", "from today on"),
            ("the api is v2 starting with v2.3", "starting with v2.3"),
            (
                "uploads are capped at 50 mb starting in january",
                "starting in january",
            ),
            ("as of 2027-01-15 the limit is 200", "as of 2027-01-15"),
            ("from today on, use pnpm", "from today on"),
            (
                "starting the next sprint, we pair on reviews",
                "starting the next sprint",
            ),
        ] {
            assert_eq!(when(text), Some(phrase), "{text}");
        }
        for text in [
            "starting the server takes 30 seconds",
            "the logs from today show a spike",
            "here's a photo from today.",
            "here's an example from last friday.",
            "we reviewed next week's plan starting monday's meeting early",
            "from 2019 to 2021 we hosted the docs on readthedocs",
            "at the beginning of the project we used make",
            "an effective way to test is to run it twice",
            "copy the files from monday into the archive",
            "the data from today onboarding runs is missing",
        ] {
            assert_eq!(when(text), None, "{text}");
        }
    }

    /// What a statement is about, without when it happened.
    #[test]
    fn moments_are_no_part_of_the_subject() {
        assert_eq!(
            without_moments("We moved to eu-west-2 last week, so it is our region now."),
            "We moved to eu-west-2 , so it is our region now."
        );
        assert_eq!(
            without_moments("Yesterday the limit went up two days ago."),
            " the limit went up ."
        );
        assert_eq!(
            without_moments("The week starts on Monday."),
            "The week starts on Monday."
        );
    }

    /// A Windows path is the same anchor as its `/` spelling; an escape opening a word is no
    /// path.
    #[test]
    fn windows_paths_are_anchors_with_forward_slashes() {
        let cases: &[(&str, &[&str])] = &[
            ("Build output goes to client\\build.", &["client/build"]),
            (
                "The project root is C:\\Users\\dev\\repo.",
                &["c:/users/dev/repo"],
            ),
            ("Read docs\\Plan.docx first.", &["docs/plan.docx"]),
            ("Split lines on \\n only.", &[]),
        ];
        for (sentence, anchors) in cases {
            let analysis = analyze(sentence);
            let found: Vec<&str> = analysis.anchors.iter().map(String::as_str).collect();
            assert_eq!(found, *anchors, "{sentence}");
        }
    }

    #[test]
    fn a_shared_identifier_and_phrase_make_a_paraphrase() {
        let a = analyze("Manager approval is required for partial refunds larger than $340.");
        let b = analyze("Always get manager sign-off for partial refunds above $340.");
        assert!(same_statement(&a, &b), "{a:?} {b:?}");
        // Without the shared phrase, three shared words are not enough at this overlap.
        let c = analyze("Managers review refunds that are partial and larger than $340 weekly.");
        assert!(!same_statement(&b, &c), "{b:?} {c:?}");
        // A different amount is a different rule.
        let d = analyze("Always get manager sign-off for partial refunds above $500.");
        assert!(!same_statement(&b, &d));
    }

    /// A change said in other words that names another tool in lower case, as what is used:
    /// the subject is what both share, the tool the value. Another subject, or a word of the
    /// newer side that is no tool, is no change of the older.
    #[test]
    fn a_tool_named_in_lower_case_is_the_value_a_change_gives() {
        for (older, newer, subject) in [
            // One shared word is too little: coverage is no test runner.
            (
                "Run the tests with jest.",
                "Going forward, run the tests with coverage.",
                None,
            ),
            (
                "Dependencies are managed with poetry.",
                "We now manage dependencies with uv.",
                Some(vec!["depend", "manag"]),
            ),
            (
                "Always use tabs for indentation in this repo.",
                "Actually, let's switch this repo to spaces for indentation from now on.",
                Some(vec!["indent", "repositori"]),
            ),
            (
                "Run the tests with jest.",
                "We now run the linter with ruff.",
                None,
            ),
            (
                "Dependencies are managed with poetry.",
                "We now manage dependencies with care and review every bump.",
                None,
            ),
        ] {
            assert_eq!(
                anchor_change(older, newer),
                subject.map(|words| words.into_iter().map(String::from).collect::<Vec<_>>()),
                "{older} / {newer}"
            );
        }
    }

    #[test]
    fn a_name_for_a_name_in_one_sentence_is_another_value() {
        for (old, new, values) in [
            (
                "Contracts are drafted in Word.",
                "From now on, contracts are drafted in Google Docs.",
                ("Word", "Google Docs"),
            ),
            (
                "Secrets are stored in AWS Secrets Manager.",
                "Secrets are stored in HashiCorp Vault now.",
                ("AWS Secrets Manager", "HashiCorp Vault"),
            ),
            (
                "Refunds are approved by Maria.",
                "Refunds are approved by Kevin.",
                ("Maria", "Kevin"),
            ),
        ] {
            assert_eq!(
                frame_new_value(old, new),
                Some((values.0.to_string(), values.1.to_string())),
                "{old} / {new}"
            );
        }
        // A name for a name is flagged as such (an update only when said as a change); a
        // weekday is a value whatever its case.
        assert_eq!(
            frame_swap("We use Postgres for the API.", "We use Redis for the API.")
                .map(|swap| swap.names_only),
            Some(true)
        );
        assert_eq!(
            frame_swap(
                "Deploys go out on Thursdays.",
                "Deploys go out on Tuesdays."
            )
            .map(|swap| (swap.old, swap.new, swap.names_only)),
            Some(("Thursdays".to_string(), "Tuesdays".to_string(), false))
        );
        // What is used, named in lower case, is a name too ("use yarn" / "use pnpm"); a plain
        // word elsewhere is not ("lint" / "format" is another task).
        assert_eq!(
            frame_swap(
                "Use yarn to install dependencies.",
                "Please use pnpm to install dependencies from now on."
            )
            .map(|swap| (swap.old, swap.new, swap.names_only)),
            Some(("yarn".to_string(), "pnpm".to_string(), true))
        );
        assert_eq!(
            frame_swap("Deploy via heroku.", "Deploy via flyctl.").map(|swap| swap.names_only),
            Some(true)
        );
        // The team's "we use …" is the rule's "use …"; a trailing "now" is no word of it.
        assert_eq!(
            frame_swap(
                "Use yarn to install dependencies.",
                "We use pnpm to install dependencies now."
            )
            .map(|swap| (swap.old, swap.new, swap.names_only)),
            Some(("yarn".to_string(), "pnpm".to_string(), true))
        );
        assert_eq!(
            frame_swap(
                "Format Python code using black.",
                "Lint Python code using black."
            ),
            None
        );
        for (old, new) in [
            // The opening word is capitalised as every first word is: no name.
            ("Alice reviews backend PRs.", "Bob reviews backend PRs."),
            // A shouted line capitalises words that are no names.
            ("DO NOT CHANGE OTHER FEATURES.", "DO NOT CHANGE OTHER MODE."),
            // A name added beside the old one is no swap.
            (
                "The design team uses Figma.",
                "The design team uses Figma and FigJam.",
            ),
            // A plain word for a name is another subject.
            (
                "Deploys are announced in Slack.",
                "Deploys are announced in person.",
            ),
            // A way of running is no tool: coverage adds to jest, it does not replace it.
            (
                "Run the tests with jest.",
                "Going forward, run the tests with coverage.",
            ),
            (
                "Build the images with docker.",
                "Build the images with caching.",
            ),
            (
                "Run the linter with ruff.",
                "Going forward, run the linter with --fix.",
            ),
        ] {
            assert_eq!(frame_new_value(old, new), None, "{old} / {new}");
        }
    }

    #[test]
    fn values_of_a_closed_set_make_two_statements_two_values() {
        for (word, family) in [
            ("Tuesdays", Some("weekday")),
            ("monday", Some("weekday")),
            ("October", Some("month")),
            ("may", None),
            ("two", Some("count")),
            ("twice", Some("count")),
            ("deploys", None),
        ] {
            assert_eq!(value_family(word), family, "{word}");
        }
        // The same sentence with another weekday, count or opposite, "now" and "from now on"
        // aside: one setting given a new value.
        for (old, new) in [
            (
                "The on-call rotation changes every Monday.",
                "The on-call rotation now changes every Wednesday.",
            ),
            (
                "PR reviews need one approval.",
                "From now on, PR reviews need two approvals.",
            ),
            (
                "Use tabs for indentation in Go files.",
                "Use spaces for indentation in Go files from now on.",
            ),
        ] {
            assert!(same_frame_new_value(old, new), "{old} / {new}");
            assert!(states_another_value(old, new), "{old} / {new}");
        }
        // A plain word swapped is another subject, not a value.
        assert!(!same_frame_new_value(
            "Run the unit tests before pushing.",
            "Run the integration tests before pushing."
        ));
        // In other words: the subject's words of one are among the other's.
        assert_eq!(
            closed_set_change("Deploys go out on Thursdays.", "We deploy on Tuesdays now."),
            Some((vec!["deploy".to_string()], "weekday"))
        );
        for (old, new) in [
            // Hotfixes are not all deploys.
            (
                "Deploys go out on Thursdays.",
                "We now deploy hotfixes on Tuesdays.",
            ),
            (
                "Backups run on Sundays.",
                "We now run the load tests on Saturdays.",
            ),
            // Both days named: no other value.
            (
                "Stand-ups are on Mondays.",
                "Stand-ups are on Mondays and Thursdays now.",
            ),
        ] {
            assert_eq!(closed_set_change(old, new), None, "{old} / {new}");
        }
    }

    #[test]
    fn code_spans_follow_markdown_backtick_runs() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Run `make test` before `git push`.",
                &["make test", "git push"],
            ),
            // A fence marker inside a sentence, closed by nothing, quotes nothing.
            (
                "Put a single ```bash block in every reply; two get it rejected.",
                &[],
            ),
            ("Use ``a `b` c`` here.", &["a `b` c"]),
            ("An odd ` backtick and `one span`.", &["backtick and"]),
            ("No code at all.", &[]),
        ];
        for (text, expected) in cases {
            let spans: Vec<String> = code_spans(text).into_iter().collect();
            let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
            expected.sort();
            assert_eq!(spans, expected, "{text}");
        }
    }

    /// A real re-dream of its own draft (Codex sessions): two lessons about different missing
    /// programs share their shell's span and most words; what each opens with tells them apart.
    #[test]
    fn lessons_about_different_commands_are_never_one() {
        let rg = analyze(
            "`rg` (run with `shell`) fails with `bash: line 1: rg: command not found`; `find` or \
             `grep` worked instead.",
        );
        let just = analyze(
            "`just fmt` (run with `shell`) fails with `bash: line 1: just: command not found`; \
             `cargo test` worked instead.",
        );
        assert_eq!(rg.opening_code.as_deref(), Some("rg"));
        assert!(!same_statement(&rg, &just));
        // The same lesson worded again still is one.
        let rg_again = analyze(
            "`rg` (run with `shell`) fails with `bash: line 1: rg: command not found`; `find` \
             worked instead.",
        );
        assert!(same_statement(&rg, &rg_again));
    }

    #[test]
    fn an_identifier_counts_once_per_item_in_word_weights() {
        // `GetGitAuthorFromRepo` is both a content word and an anchor of each item.
        let items = [
            analyze("GetGitAuthorFromRepo reads the local config first."),
            analyze("GetGitAuthorFromRepo falls back to defaults."),
            analyze("Telemetry is off by default."),
        ];
        let weights = WordWeights::new(items.iter());
        // Two of three items hold it: its weight is ln(4/3) + 1, not that of four holders.
        let expected = (4.0f64 / 3.0).ln() + 1.0;
        assert!((weights.weight("getgitauthorfromrepo") - expected).abs() < 1e-9);
    }

    #[test]
    fn everyday_synonyms_keep_a_reworded_sentence_the_same() {
        for (a, b) in [
            (
                "Delete the generated fixtures after the run.",
                "Remove the generated fixtures after the run.",
            ),
            (
                "Aider can only edit files that have been added to the chat.",
                "Aider can only change files added to the chat.",
            ),
            (
                "Execute the migration script before deploying.",
                "Run the migration script before deploying.",
            ),
            (
                "Translate the field names at the API boundary.",
                "Convert the field names at the API edge.",
            ),
            (
                "Persist the session state in SQLite.",
                "Save the session state in SQLite.",
            ),
            (
                "Never push directly to main.",
                "Don't ever push straight to main.",
            ),
        ] {
            let (a, b) = (analyze(a), analyze(b));
            assert!(same_statement(&a, &b), "{a:?} {b:?}");
        }
        for (a, b) in [
            (
                "Run the linter before every push.",
                "Always lint before pushing.",
            ),
            (
                "Customer refunds over $500 require manager approval.",
                "Refunds above $500 need a manager's sign-off.",
            ),
            ("Never commit .env files.", "Do not check in .env files."),
        ] {
            let (a, b) = (analyze(a), analyze(b));
            assert!(same_statement(&a, &b), "{a:?} {b:?}");
        }
        // A different verb is still a different statement.
        let a = analyze("Delete the generated fixtures after the run.");
        let b = analyze("Commit the generated fixtures after the run.");
        assert!(!same_statement(&a, &b));
    }

    #[test]
    fn keeping_something_out_of_a_place_is_a_negated_rule() {
        for text in [
            "Tracker runtime state and local config stay out of commits.",
            "Keep API keys out of the logs.",
            "Leave generated files out of the review.",
        ] {
            assert!(analyze(text).negated, "{text}");
        }
        for text in [
            "Check out the release branch before tagging.",
            "Run out of disk space and the build fails.",
        ] {
            assert!(!analyze(text).negated, "{text}");
        }
        let never = analyze("Never commit tracker runtime state or local coordination config.");
        let stay_out =
            analyze("Tracker runtime state and local coordination config stay out of commits.");
        assert_eq!(never.negated, stay_out.negated);
    }

    #[test]
    fn a_count_said_in_words_is_its_number() {
        // "single" and "one" are one count, so the two are no values of one subject.
        assert!(!states_another_value(
            "The single place that writes the ignore file is EnsureIgnore.",
            "The ignore file is written by one function, EnsureIgnore."
        ));
        assert!(states_another_value(
            "The backup job runs once a day.",
            "The backup job runs twice a day."
        ));
    }

    #[test]
    fn two_items_about_one_name_in_code_are_paraphrases_only_when_it_is_theirs_alone() {
        // Each names identifiers the other does not (`CHANGELOG.md`; `release_notes.txt`), so
        // only the shared name in code can say they are one item.
        let store = [
            "ParseReleaseNotes reads the CHANGELOG.md headings, takes the newest version section \
             and drops empty bullet lines.",
            "The newest version section of the changelog is what ParseReleaseNotes writes to \
             release_notes.txt; empty bullet lines are dropped from the headings.",
            "The release workflow publishes the npm packages.",
            "Pull requests need one approving review before merge.",
            "Staging runs in eu-west-1.",
        ]
        .map(analyze);
        let weights = WordWeights::new(store.iter());
        assert!(
            !anchors_cover(&store[0].anchors, &store[1].anchors)
                && !anchors_cover(&store[1].anchors, &store[0].anchors)
        );
        assert!(about_one_identifier(&store[0], &store[1], &weights));
        assert!(paraphrase(&store[0], &store[1], &weights));
        // The same pair when a third item names the function too: it is no longer what only
        // these two are about, and they share too little weight otherwise.
        let mut crowded = store.to_vec();
        crowded.push(analyze("ParseReleaseNotes lives in scripts/release.go."));
        let weights = WordWeights::new(crowded.iter());
        assert!(!about_one_identifier(&store[0], &store[1], &weights));
        // A product's name is no name in code.
        assert!(is_code_name("GetGitAuthorFromRepo") && is_code_name("push_sessions"));
        assert!(!is_code_name("AgentV") && !is_code_name("GitHub") && !is_code_name("v1_2"));
    }

    #[test]
    fn a_shorter_item_with_a_rare_word_of_its_own_is_not_contained() {
        let store = [
            "After the user merges the sync branch, AgentV detects the merge automatically \
             (squash-safe ancestor or tree-equality check) before it resumes syncing.",
            "After resuming, AgentV deletes the merged sync branch itself.",
            "Run bundles live in disjoint directories and are append-only.",
            "Before any repo change, run git fetch origin.",
            "The Entire hooks for Copilot CLI are configured in .github/hooks/entire.json.",
        ]
        .map(analyze);
        let weights = WordWeights::new(store.iter());
        assert!(!paraphrase(&store[0], &store[1], &weights));
        // The same shorter item without a word of its own is contained in the longer one.
        let contained = analyze("After resuming, AgentV merges the sync branch.");
        assert!(paraphrase(&store[0], &contained, &weights));
    }

    #[test]
    fn preferences_in_other_words_share_a_phrase() {
        for (a, b) in [
            (
                "Offer store credit before a cash refund.",
                "Always suggest store credit first and a cash refund second.",
            ),
            (
                "Put the ticket number in the reply subject.",
                "Include the ticket number in the subject line of replies.",
            ),
            (
                "Request two reviewers on infrastructure pull requests.",
                "Get two reviewers for any infrastructure change every time.",
            ),
        ] {
            let (a, b) = (analyze(a), analyze(b));
            assert!(same_preference(&a, &b), "{a:?} {b:?}");
            assert!(!same_statement(&a, &b), "the strict rule stays strict");
        }
        for (a, b) in [
            // One span swapped: different preferences.
            (
                "Include the ticket number in the subject line.",
                "Include the customer name in the subject line.",
            ),
            // A shared phrase but little else.
            (
                "Run integration tests before merging to main.",
                "Run integration tests nightly on the main branch at 2am.",
            ),
            // Opposite polarity.
            (
                "Offer store credit before a cash refund.",
                "Never offer store credit before a cash refund.",
            ),
        ] {
            let (a, b) = (analyze(a), analyze(b));
            assert!(!same_preference(&a, &b), "{a:?} {b:?}");
        }
    }

    #[test]
    fn everyday_synonyms_make_store_items_paraphrases() {
        let same = [
            // "exactly one" and "a single"; a reply is a response; a fenced block is a code block.
            (
                "Each reply must contain exactly one shell code block.",
                "Put a single ```sh block in every response; more than one gets rejected.",
            ),
            // Ending and closing a task are finishing it; a harness's action is a tool.
            (
                "The agent finishes a task by calling the submit tool with a summary.",
                "Tasks end with a submit action that summarizes the changes.",
            ),
            // Asking first is getting a confirmation.
            (
                "The agent must ask before deleting any file.",
                "Always get confirmation from the user before removing files.",
            ),
            // An app is an application; on your machine is locally.
            (
                "Run the app locally with docker compose up.",
                "To start the application on your machine, use `docker compose up`.",
            ),
            // CI is continuous integration.
            (
                "The CI pipeline runs on GitHub Actions.",
                "Continuous integration is done with GitHub Actions workflows.",
            ),
            // The main branch is main; "against" is a preposition.
            (
                "Never force-push to main.",
                "Do not run git push --force against the main branch.",
            ),
        ];
        let different = [
            // One counts the blocks, the other says what goes before the block.
            (
                "Put exactly one bash block in every reply.",
                "Put a short explanation before the bash block in every reply.",
            ),
            (
                "End every reply with a one-line summary.",
                "Start every reply with a one-line summary.",
            ),
            (
                "Tasks are closed with the finish action.",
                "Tasks are assigned with the assign action.",
            ),
        ];
        let fillers = [
            "The staging cluster runs in us-east-2.",
            "Release notes are written by the on-call engineer.",
        ];
        for ((a, b), expected) in same
            .iter()
            .map(|pair| (pair, true))
            .chain(different.iter().map(|pair| (pair, false)))
        {
            let (x, y) = (analyze(a), analyze(b));
            let others: Vec<Analysis> = fillers.iter().map(|f| analyze(f)).collect();
            let weights = WordWeights::new([&x, &y].into_iter().chain(others.iter()));
            let merged = same_statement(&x, &y) || paraphrase(&x, &y, &weights);
            assert_eq!(merged, expected, "{a} / {b}: {x:?} {y:?}");
        }
    }

    #[test]
    fn paraphrases_of_one_rule_are_duplicates() {
        let a = analyze("Run `make lint` before pushing.");
        let b = analyze("Always lint (make lint) prior to a push.");
        let c = analyze("Linting via make lint is required before push.");
        assert!(same_statement(&a, &b), "{a:?} {b:?}");
        assert!(same_statement(&a, &c), "{a:?} {c:?}");
        assert!(same_statement(&b, &c));
    }

    #[test]
    fn one_word_in_another_form_is_the_same_word() {
        for (a, b) in [
            // An irregular past form is its verb.
            (
                "The Go services are built with Go 1.22.",
                "Go 1.22 is the toolchain for building the Go services.",
            ),
            (
                "Release notes are written in Notion.",
                "We write the release notes in Notion.",
            ),
            // A bound in words is the bound; a length is how long.
            (
                "Passwords must be at least 12 characters long.",
                "The minimum password length is 12 characters.",
            ),
            // A time with or without its leading zero.
            (
                "The nightly export starts at 9:00 UTC.",
                "The nightly export starts at 09:00 UTC.",
            ),
            // A "-tion" noun is its verb.
            (
                "Bug reports need steps to reproduce.",
                "Every bug report must include reproduction steps.",
            ),
        ] {
            let (x, y) = (analyze(a), analyze(b));
            assert!(same_statement(&x, &y), "{a} / {b}: {x:?} {y:?}");
        }
        for (a, b) in [
            (
                "Passwords must be at least 12 characters long.",
                "Passwords must be at most 12 characters long.",
            ),
            (
                "The nightly export starts at 9:00 UTC.",
                "The nightly export starts at 19:00 UTC.",
            ),
        ] {
            assert!(!same_statement(&analyze(a), &analyze(b)), "{a} / {b}");
        }
    }

    #[test]
    fn stacked_lead_ins_are_all_stripped() {
        for (said, statement) in [
            (
                "Just so you know for the future: bug reports need steps to reproduce.",
                "bug reports need steps to reproduce.",
            ),
            ("Heads up, FYI: staging is down.", "staging is down."),
            (
                "Note templates live in docs/.",
                "Note templates live in docs/.",
            ),
            // A point's number in a list said as prose; "first" as the rule's own word stays.
            (
                "First, resume should be scoped to the current repo by default.",
                "resume should be scoped to the current repo by default.",
            ),
            (
                "First run the tests, then push.",
                "First run the tests, then push.",
            ),
        ] {
            assert_eq!(strip_lead_in(said), statement, "{said}");
        }
    }

    #[test]
    fn look_alikes_about_different_things_are_not_duplicates() {
        let lint = analyze("Run `make lint` before pushing.");
        let test = analyze("Run `make test` before pushing.");
        assert!(!same_statement(&lint, &test));
        let staging = analyze("The staging database host is db-1.internal");
        let prod = analyze("The production database host is db-1.internal");
        assert!(!same_statement(&staging, &prod));
        let v1 = analyze("The staging database host is db-1.internal");
        let v2 = analyze("The staging database host is db-2.internal");
        assert!(!same_statement(&v1, &v2));
        let always = analyze("Always use tabs for indentation");
        let never = analyze("Never use tabs for indentation");
        assert!(!same_statement(&always, &never));
    }

    #[test]
    fn anchors_are_identifier_like_tokens() {
        let a = analyze("Set `slug_suffix` to -2 on db-2.internal for publishPage v3");
        for anchor in ["slug_suffix", "db-2.internal", "publishpage", "v3"] {
            assert!(
                a.anchors.contains(anchor),
                "{anchor} missing from {:?}",
                a.anchors
            );
        }
        assert!(!a.anchors.contains("set"));
    }

    #[test]
    fn a_name_is_the_value_of_the_new_role_it_takes() {
        let new = slot("Bob Smith is our new security lead.").expect("a slot");
        let old = slot("The security lead is Alice Jones.").expect("a slot");
        assert_eq!(new.subject, old.subject);
        assert_eq!(new.value, "Bob Smith");
        assert!(conflicting_slots(&old, &new));
        // No name before "is our new": the subject stays what it is.
        let build = slot("The build is our new bottleneck.").expect("a slot");
        assert_eq!(build.value, "our new bottleneck");
    }

    #[test]
    fn pieces_of_a_sentence_wrapped_over_lines_are_found() {
        let plan = "Review this plan.\n\n  1. Document class (libs/agno/knowledge/document/base.py) has \
                    content and embed() calls\n  embedder.embed(self.content) — always text.\n  2. \
                    Insert accepts path, url, text_content — no media params.";
        let pieces: Vec<(&str, bool)> = sentences(plan)
            .into_iter()
            .map(|s| (s, wrapped_piece(plan, s)))
            .collect();
        assert_eq!(
            pieces,
            [
                ("Review this plan.", false),
                (
                    "Document class (libs/agno/knowledge/document/base.py) has content and \
                     embed() calls",
                    true
                ),
                ("embedder.embed(self.content) — always text.", true),
                (
                    "Insert accepts path, url, text_content — no media params.",
                    false
                ),
            ]
        );
        // A list item carried on under its own indentation (a real OpenCode spec), whatever
        // the next line opens with.
        let spec = "Constraints:\n- All schema migrations must be additive and safe for existing deployed \n  \
                    DBs — do not recreate tables\n- Do not rename existing migration files.";
        let pieces: Vec<(&str, bool)> = sentences(spec)
            .into_iter()
            .map(|s| (s, wrapped_piece(spec, s)))
            .filter(|(s, _)| s.contains("migration"))
            .collect();
        assert!(
            pieces
                .iter()
                .all(|(s, wrapped)| *wrapped == s.contains("schema")),
            "{pieces:?}"
        );
        // Short lines are typed as lines: each is a statement of its own.
        let typed = "always use pnpm\nalso run the linter before you commit";
        for sentence in sentences(typed) {
            assert!(!wrapped_piece(typed, sentence), "{sentence}");
        }
        // A long line that ends its sentence, or one followed by a capitalised line, is whole.
        let whole = "Run the integration tests with the race detector before every push.\nthen \
                     tag the release.\nThe staging cluster runs on Kubernetes 1.29 in eu-west-1 now\n\
                     Deploys go through Argo CD.";
        for sentence in sentences(whole) {
            assert!(!wrapped_piece(whole, sentence), "{sentence}");
        }
        // Nor are the lines of a writer who does not capitalise.
        let lower = "the app is ready but the page should look closer to the original one at \
                     https://example.com/p/159183\nso which assets can i share with you for it?";
        for sentence in sentences(lower) {
            assert!(!wrapped_piece(lower, sentence), "{sentence}");
        }
        // A sentence from another string is never a piece of this one.
        assert!(!wrapped_piece(typed, "always use pnpm"));
        // A line the harness cut after (from a real Antigravity log, and the markers of other
        // harnesses) is a piece; a whole sentence before a cut, or a line about truncation,
        // is not.
        for marker in [
            "<truncated 2045 bytes>",
            "[... Observation truncated due to length ...]",
            "\u{2026}1203 tokens truncated\u{2026}",
            "[truncated]",
        ] {
            let cut = format!(
                "## Detection\n- Run automatically every time Articles of Incorporation OR Tax \
                 Status Cert\n{marker}\nenalty)"
            );
            let first = sentences(&cut)
                .into_iter()
                .find(|s| s.starts_with("Run"))
                .expect("the cut sentence");
            assert!(wrapped_piece(&cut, first), "{marker}");
        }
        let whole_before_cut = "Always run the linter before pushing.\n<truncated 80 bytes>";
        assert!(!wrapped_piece(
            whole_before_cut,
            "Always run the linter before pushing."
        ));
        let about_truncation = "Never keep logs that were truncated\nby the collector.";
        for sentence in sentences(about_truncation) {
            assert!(!wrapped_piece(about_truncation, sentence), "{sentence}");
        }
    }

    #[test]
    fn a_line_knows_the_line_that_introduces_its_list_or_paragraph() {
        let text = "Known failure:\r\n- invalid line number\r\n\r\nRules for this session:\r\n\
                    - Do not rely on resumed chat state.\r\n  (cached, that is)\r\n\
                    - Prefer repo-local files only.\r\n\r\nYour first task is a diagnosis.\r\n\
                    1. Confirm the settings.";
        let of = |item: &str| lead_in(text, text.find(item).unwrap());
        assert_eq!(
            of("Prefer repo-local"),
            Some("Rules for this session:"),
            "past another item and its indented continuation"
        );
        assert_eq!(of("invalid line"), Some("Known failure:"));
        // The paragraph above the numbered item introduces nothing; a paragraph's first line
        // has no lead-in.
        assert_eq!(of("Confirm the settings"), None);
        assert_eq!(of("Your first task"), None);
        assert_eq!(lead_in("- a lone item", 2), None);
        // The lines of a paragraph under a short first line ending with a colon.
        let brief = "Business case:\nWe saw success with a gif hero.\n\nAsk:\n\
                     Create a dupe of the page.\nNew url: https://shop.example.com/hero\n";
        assert_eq!(lead_in(brief, brief.find("New url").unwrap()), Some("Ask:"));
        assert_eq!(lead_in(brief, brief.find("Ask:").unwrap()), None);
        let long = "Here is what I found after reading the logs carefully:\nThe job times out.";
        assert_eq!(lead_in(long, long.find("The job").unwrap()), None);
    }

    #[test]
    fn sentences_do_not_split_inside_hosts_or_versions() {
        let got = sentences(
            "Heads up: the host is db-2.internal now. Use Python 3.12, e.g. for scripts! Why?\n- item one",
        );
        assert_eq!(
            got,
            vec![
                "Heads up: the host is db-2.internal now.",
                "Use Python 3.12, e.g. for scripts!",
                "Why?",
                "item one"
            ]
        );
        // A sentence that ends inside emphasis (a real Codex session's "**Codex correction
        // received and integrated.** Updated to …").
        assert_eq!(
            sentences("**Correction received.** Updated to the new SDK. Done _now._"),
            vec![
                "**Correction received.**",
                "Updated to the new SDK.",
                "Done _now._"
            ]
        );
        // An abbreviation followed by a word in lower case or a number goes on; one that ends
        // the sentence before a capital does not.
        assert_eq!(
            sentences(
                "Cite the Bluebook (21st ed.) in every brief. See vol. 3 for forms. Ask Acme Inc. Then wait."
            ),
            vec![
                "Cite the Bluebook (21st ed.) in every brief.",
                "See vol. 3 for forms.",
                "Ask Acme Inc.",
                "Then wait."
            ]
        );
    }

    #[test]
    fn slots_find_subject_and_value() {
        let a = slot("The staging database host is db-1.internal").expect("slot");
        let b = slot("Heads up: the staging DB host is now db-2.internal.").expect("slot");
        assert_eq!(a.subject, b.subject);
        assert!(conflicting_slots(&a, &b));
        let c = slot("Staging database host: db-2.internal").expect("slot");
        let d = slot("Quick update: the staging database host is now set to db-9.internal.")
            .expect("slot");
        assert_eq!(d.subject, a.subject);
        let e = slot("We switched the staging database host to db-5.internal.").expect("slot");
        assert_eq!(e.subject, a.subject);
        assert_eq!(e.value, "db-5.internal");
        assert!(conflicting_slots(&a, &c));
        assert!(!conflicting_slots(&b, &c), "same value is not a conflict");
        let prod = slot("The production database host is db-3.internal").expect("slot");
        assert!(!conflicting_slots(&a, &prod));
        let flaky = slot("The staging database host is flaky on Mondays and slow").expect("slot");
        assert!(!conflicting_slots(&a, &flaky));
    }

    /// A rule and the same rule negated contradict, whichever way the negation is said: a
    /// "do not", a waiver ("no need to"), a verb that ends the activity ("stop using", "no
    /// longer"), or after the rule's first clause with its reason following. An emphasis
    /// ("always") negates nothing, and "stop" with a thing rather than an activity is an action.
    #[test]
    fn a_rule_and_its_negation_contradict() {
        // (older, newer, whether the newer negates the older)
        let cases: &[(&str, &str, bool)] = &[
            (
                "Use tabs for indentation.",
                "Do not use tabs for indentation.",
                true,
            ),
            (
                "Run the linter before every commit.",
                "Never run the linter before every commit.",
                true,
            ),
            (
                "Ask before running database migrations.",
                "You don't need to ask before running database migrations.",
                true,
            ),
            (
                "Ask before running database migrations.",
                "There is no need to ask before running database migrations.",
                true,
            ),
            (
                "Use yarn for installs.",
                "Stop using yarn for installs.",
                true,
            ),
            (
                "Use yarn for installs.",
                "No longer use yarn for installs.",
                true,
            ),
            (
                "Use yarn for installs.",
                "Stop using yarn for installs; we moved to pnpm.",
                true,
            ),
            (
                "The staging API is public.",
                "The staging API is not public.",
                true,
            ),
            (
                "Use tabs for indentation.",
                "Always use tabs for indentation.",
                false,
            ),
            (
                "Stop the dev server before deploying.",
                "Stop the dev server.",
                false,
            ),
            (
                "Use tabs for indentation.",
                "Do not use tabs for comments.",
                false,
            ),
            // A value swapped in a first clause is not taken: the second rule would be lost.
            (
                "Use npm for installs; use make for builds.",
                "Use pnpm for installs.",
                false,
            ),
        ];
        for (older, newer, negates) in cases {
            assert_eq!(
                frame_new_value(older, newer).is_some(),
                *negates,
                "{older} / {newer}: {:?}",
                frame_new_value(older, newer)
            );
        }
        assert!(analyze("Stop using yarn for installs.").negated);
        assert!(analyze("We no longer deploy on Fridays.").negated);
        assert!(!analyze("Stop the dev server before deploying.").negated);
        // "Stopped working" says "does not work".
        assert!(analyze("The build stopped working after the upgrade.").negated);
    }

    /// Values people change without naming a closed set: one setting's value (`KEY=value`),
    /// an amount of time, the program that runs a command, the holder of a role said either
    /// way round. Another key, another command or another role is another statement.
    #[test]
    fn settings_durations_runners_and_roles_are_values() {
        for (a, b, another) in [
            (
                "Set `MAX_WORKERS=4` in production.",
                "Production now uses `MAX_WORKERS=8`.",
                true,
            ),
            (
                "Set `MAX_WORKERS=4` in production.",
                "Set `TIMEOUT=30` in production.",
                false,
            ),
            (
                "Logs are kept for 30 days.",
                "Logs are kept for 90 days.",
                true,
            ),
            (
                "Logs are kept for 30 days.",
                "Logs are kept for 30 days.",
                false,
            ),
            (
                "Run migrations with `make migrate`.",
                "Run migrations with `just migrate`.",
                true,
            ),
            (
                "Run `cargo clippy` in CI.",
                "Run `cargo test` in CI.",
                false,
            ),
            (
                "The on-call lead is Priya.",
                "Marco is the on-call lead now.",
                true,
            ),
            (
                "Priya is the on-call lead.",
                "Marco is now the on-call lead.",
                true,
            ),
            (
                "Priya is the on-call lead.",
                "Marco is the release manager.",
                false,
            ),
            // Built differently, but one name traded for another.
            (
                "Always write commit messages in English.",
                "Going forward, commit messages should be written in German.",
                true,
            ),
            (
                "Our deploys go through ArgoCD.",
                "We deploy through Flux now.",
                true,
            ),
            // The same name in other case, or a name only one of them gives.
            (
                "Open pull requests on GitHub.",
                "Pull requests are opened on Github.",
                false,
            ),
            (
                "Never commit tracker runtime state or machine-local coordination config.",
                "Tracker runtime state and local coordination config stay out of commits.",
                false,
            ),
        ] {
            assert_eq!(states_another_value(a, b), another, "{a} / {b}");
        }
        // Said as a change in other words: the subject is what both say outside the quoted
        // code ("test", "migrations"), whatever the code itself says.
        for (older, newer, changes) in [
            (
                "The test command is `npm test`.",
                "Use `pnpm test` to run the tests from now on.",
                true,
            ),
            (
                "Run migrations with `make migrate`.",
                "Migrations now run with `just migrate`.",
                true,
            ),
            (
                "Run `cargo clippy` in CI.",
                "We now run `cargo test` in CI.",
                false,
            ),
        ] {
            assert_eq!(
                closed_set_change(older, newer).is_some(),
                changes,
                "{older} / {newer}"
            );
        }
        assert_eq!(
            assignments("export MAX_WORKERS=4; if [ $a == 1 ]; x => y, a<=b, log_level=debug."),
            vec![
                ("max_workers".to_string(), "4".to_string()),
                ("log_level".to_string(), "debug".to_string())
            ]
        );
    }

    /// How often and at what time: a cadence said as a word or as "every …" is one value of a
    /// set, and so is a time of day, so a cadence or a time said anew is another value, never a
    /// duplicate ("Releases are now cut weekly" is not "Releases are cut every two weeks").
    #[test]
    fn cadences_and_times_of_day_are_values_of_a_set() {
        for (word, family) in [
            ("weekly", Some("frequency")),
            ("Fortnightly", Some("frequency")),
            ("9:30", Some("time of day")),
            ("14:45", Some("time of day")),
            ("9am", Some("time of day")),
            ("noon", Some("time of day")),
            ("25:00", None),
            ("9:3", None),
            ("weeks", None),
        ] {
            assert_eq!(value_family(word), family, "{word}");
        }
        for (a, b, another) in [
            (
                "Releases are cut every two weeks.",
                "Releases are now cut weekly.",
                true,
            ),
            (
                "Releases are cut every other week.",
                "Releases are cut fortnightly.",
                false,
            ),
            ("Backups run every day.", "Backups run daily.", false),
            (
                "Backups run nightly.",
                "Backups now run every 6 hours.",
                true,
            ),
            ("The standup is at 9:30.", "The standup is at 10:00.", true),
            // A tool named in lower case for another in the same sentence: two values, never
            // one statement merged into the older wording.
            (
                "Lint JavaScript with eslint.",
                "We lint JavaScript with biome.",
                true,
            ),
            (
                "Lint JavaScript with eslint.",
                "Always lint JavaScript with eslint.",
                false,
            ),
        ] {
            assert_eq!(states_another_value(a, b), another, "{a} / {b}");
        }
    }

    #[test]
    fn frames_with_a_changed_value_are_detected() {
        assert!(same_frame_new_value(
            "Use Python 3.11 for all scripts",
            "Use Python 3.12 for all scripts"
        ));
        assert!(same_frame_new_value("Always use tabs", "Never use tabs"));
        assert!(!same_frame_new_value(
            "Use Python 3.11 for all scripts",
            "Use Node 20 for all scripts"
        ));
    }

    #[test]
    fn word_search_respects_boundaries() {
        assert!(contains_word("always lint first", "lint"));
        assert!(!contains_word("linting first", "lint"));
        assert_eq!(find_word("for now, disable", "for now"), Some(0));
    }
}

#[cfg(test)]
mod paraphrase_tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        same_statement(&analyze(a), &analyze(b))
    }

    #[test]
    fn light_verbs_and_lead_ins_do_not_separate_paraphrases() {
        assert!(
            same(
                "Keep stored timestamps timezone-aware.",
                "Always store timestamps as timezone-aware values."
            ),
            "{:?} {:?}",
            analyze("Keep stored timestamps timezone-aware."),
            analyze("Always store timestamps as timezone-aware values.")
        );
        assert!(same(
            "`make lint` must pass before deploying to production.",
            "Never skip `make lint` before deploying to production."
        ));
        assert!(same(
            "As a rule, we never use SELECT * in queries.",
            "Never use SELECT * in queries."
        ));
        assert!(same(
            "You should always follow conventional commits for commit titles.",
            "Remember: format commit titles as conventional commits."
        ));
        assert!(!same(
            "Always run the unit tests before merging to main.",
            "Always run the integration tests before merging to main."
        ));
    }

    /// A person restating, in fewer words, a rule the store already gives in full: every word of
    /// the short one is in the long one, which loses nothing when it stands for both.
    #[test]
    fn a_shorter_restatement_inside_a_longer_item_is_the_same_rule() {
        let long = "Do not regenerate the fixtures unless the maintainer explicitly asks; \
                    regenerating has twice overwritten hand-edited expected outputs.";
        assert!(same(
            "Do not regenerate fixtures unless I explicitly ask.",
            long
        ));
        // Too few shared words to say the short one is that rule rather than a part of it.
        assert!(!same("Do not regenerate fixtures.", long));
        // The same words with the opposite polarity stay apart.
        assert!(!same(
            "Regenerate the fixtures whenever the maintainer explicitly asks.",
            long
        ));
    }
}

#[cfg(test)]
mod unicode_tests {
    use super::*;

    #[test]
    fn characters_that_change_length_when_lowercased_do_not_break_prefixes() {
        // U+212A KELVIN SIGN lowercases to an ASCII 'k'; U+0130 grows when lowercased.
        for text in [
            "\u{212A}eep going forward",
            "\u{130}\u{130} as a rule, x",
            "Note that \u{212A} is 1",
        ] {
            let _ = strip_modal_lead_ins(text);
            let _ = strip_lead_in(text);
            let _ = slot(text);
            let _ = slot(&format!("{text} is our new {text} lead"));
            let _ = wrapped_piece(text, text);
            let _ = analyze(text);
        }
        assert_eq!(
            strip_prefix_ignore_case("As a rule, x", "as a rule,"),
            Some(" x")
        );
        assert_eq!(strip_prefix_ignore_case("\u{212A}x", "kx"), None);
    }
}

#[cfg(test)]
mod property_tests {
    use super::*;
    use proptest::prelude::*;

    /// Words of memory-like statements: content words, negations, hedges, anchors (commands,
    /// paths, hosts, numbers, versions) and code.
    const VOCABULARY: &[&str] = &[
        "always",
        "never",
        "don't",
        "not",
        "run",
        "use",
        "prefer",
        "avoid",
        "the",
        "a",
        "before",
        "after",
        "pushing",
        "merging",
        "tests",
        "lint",
        "unit",
        "integration",
        "staging",
        "production",
        "database",
        "host",
        "is",
        "to",
        "main",
        "branch",
        "deploy",
        "`make lint`",
        "`make test`",
        "`cargo test`",
        "src/lib.rs",
        "db-1.internal",
        "db-2.internal",
        "8080",
        "v2",
        "3.11",
        "Python",
        "TypeScript",
        "must",
        "should",
        "instead",
        "of",
        "for",
        "now",
        "API",
        "key",
        "config",
        "CI",
    ];

    /// A statement, and a variant of it with some words replaced and perhaps one dropped: near
    /// duplicates as often as unrelated pairs.
    fn statement_pair() -> impl Strategy<Value = (String, String)> {
        let words = prop::collection::vec(prop::sample::select(VOCABULARY), 1..12);
        let edits = prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                prop::sample::select(VOCABULARY),
            ),
            0..3,
        );
        (
            words,
            edits,
            proptest::option::of(any::<prop::sample::Index>()),
        )
            .prop_map(|(words, edits, dropped)| {
                let mut variant = words.clone();
                for (position, word) in edits {
                    variant[position.index(words.len())] = word;
                }
                if let Some(position) = dropped
                    && variant.len() > 1
                {
                    variant.remove(position.index(variant.len()));
                }
                (words.join(" "), variant.join(" "))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whether two texts say the same thing does not depend on which is asked about first.
        #[test]
        fn same_statement_is_symmetric((a, b) in statement_pair()) {
            let (x, y) = (analyze(&a), analyze(&b));
            prop_assert_eq!(same_statement(&x, &y), same_statement(&y, &x));
        }
    }

    /// The pairs the symmetry property draws hold duplicates as well as different statements,
    /// so the property is checked on both answers.
    #[test]
    fn statement_pairs_include_duplicates_and_different_statements() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = statement_pair();
        let duplicates = (0..1_000)
            .filter(|_| {
                let (a, b) = strategy
                    .new_tree(&mut runner)
                    .expect("the pair strategy never rejects")
                    .current();
                same_statement(&analyze(&a), &analyze(&b))
            })
            .count();
        assert!((100..900).contains(&duplicates), "{duplicates} of 1000");
    }
}
