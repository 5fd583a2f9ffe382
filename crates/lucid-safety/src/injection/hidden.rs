//! Hidden-text rules: instructions a human reviewer would not see.
//!
//! * Invisible Unicode in the raw text: zero-width characters that split
//!   words or form runs (used to dodge keyword filters or to encode data),
//!   bidi overrides (Trojan Source), Unicode *tag* characters (an invisible
//!   copy of ASCII that models still read), and variation-selector runs.
//!   Legitimate uses — emoji ZWJ sequences, BOMs, Persian ZWNJ, RTL text
//!   with isolates, flag emoji tag sequences — are exempt.
//! * Hidden containers: HTML comments, Markdown link-reference comments and
//!   HTML elements styled invisible (white text, `display:none`, zero font
//!   size). Their content is flagged only when it speaks to an AI or trips
//!   a phrase rule; `<!-- TODO -->` and white button labels stay clean.

use super::RuleId;
use std::sync::LazyLock;

use regex::Regex;

use super::{Sink, Views, rules, scan_level};

const R_ZERO_WIDTH: &str = "zero-width characters split words or encode hidden data, a common way to smuggle instructions past filters";
const R_BIDI: &str =
    "bidirectional override characters make the displayed text differ from what the model reads";
const R_TAGS: &str =
    "invisible Unicode tag characters carry hidden text that models read but humans cannot see";
const R_SELECTORS: &str = "a run of variation selectors encodes hidden data";
const R_HTML_COMMENT: &str = "an HTML comment hides instructions addressed to the AI";
const R_MD_COMMENT: &str = "a Markdown comment hides instructions addressed to the AI";
const R_STYLED: &str = "invisibly styled HTML (white, zero-size or hidden text) contains instructions addressed to the AI";

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
    )
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

fn is_rtl_letter(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Byte-level pre-check for the UTF-8 encodings of the characters this
/// module cares about, so ordinary non-ASCII text (accents, box drawing,
/// typographic quotes, emoji) skips the per-character walk.
fn has_hidden_code_points(b: &[u8]) -> bool {
    let mut i = 0;
    while i + 2 < b.len() {
        match (b[i], b[i + 1], b[i + 2]) {
            // U+180E
            (0xE1, 0xA0, 0x8E)
            // U+200B..U+200D, U+202A..U+202E
            | (0xE2, 0x80, 0x8B..=0x8D | 0xAA..=0xAE)
            // U+2060..U+2064, U+2066..U+2069
            | (0xE2, 0x81, 0xA0..=0xA9)
            // U+FE00..U+FE0F, U+FEFF
            | (0xEF, 0xB8, 0x80..=0x8F)
            | (0xEF, 0xBB, 0xBF)
            // U+E0000..U+E01EF (tags, variation selectors supplement)
            | (0xF3, 0xA0, 0x80..=0x87) => return true,
            _ => i += 1,
        }
    }
    false
}

/// Report invisible Unicode in the raw text.
pub(crate) fn scan_unicode(text: &str, depth: u8, sink: &mut Sink<'_>) {
    if text.is_ascii() || !has_hidden_code_points(text.as_bytes()) {
        return;
    }
    let mut zw_hits = 0usize;
    let mut zw_first: Option<usize> = None;
    let mut zw_run = 0usize;
    let mut vs_run = 0usize;
    let mut vs_first: Option<usize> = None;
    let mut bidi_override = 0usize;
    let mut bidi_other = 0usize;
    let mut bidi_first: Option<usize> = None;
    let mut has_rtl = false;
    let mut tag_runs: Vec<(usize, usize, String)> = Vec::new();
    let mut tag_start: Option<(usize, bool)> = None;
    let mut tag_text = String::new();

    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        has_rtl |= is_rtl_letter(c);
        if is_zero_width(c) && !(c == '\u{FEFF}' && i == 0) {
            zw_run += 1;
            let in_word = matches!(prev, Some(p) if p.is_ascii_alphanumeric())
                && matches!(next, Some(n) if n.is_ascii_alphanumeric());
            if in_word || zw_run == 3 {
                zw_hits += 1;
                zw_first.get_or_insert(i);
            }
        } else {
            zw_run = 0;
        }
        if is_variation_selector(c) {
            vs_run += 1;
            if vs_run == 4 {
                vs_first.get_or_insert(i);
            }
        } else {
            vs_run = 0;
        }
        match c {
            '\u{202D}' | '\u{202E}' => {
                bidi_override += 1;
                bidi_first.get_or_insert(i);
            }
            '\u{202A}'..='\u{202C}' | '\u{2066}'..='\u{2069}' => {
                bidi_other += 1;
                bidi_first.get_or_insert(i);
            }
            _ => {}
        }
        if ('\u{E0000}'..='\u{E007F}').contains(&c) {
            if tag_start.is_none() {
                // Flag emoji (🏴 + tag letters + cancel tag) are legitimate.
                tag_start = Some((i, prev == Some('\u{1F3F4}')));
                tag_text.clear();
            }
            let code = u32::from(c) - 0xE0000;
            if (0x20..0x7F).contains(&code)
                && let Some(ch) = char::from_u32(code)
            {
                tag_text.push(ch);
            }
        } else if let Some((start, emoji)) = tag_start.take()
            && (!emoji || tag_text.len() > 7)
        {
            tag_runs.push((start, i, std::mem::take(&mut tag_text)));
        }
        // Invisible characters do not break the "previous visible char".
        if !is_zero_width(c) {
            prev = Some(c);
        }
    }
    if let Some((start, emoji)) = tag_start
        && (!emoji || tag_text.len() > 7)
    {
        tag_runs.push((start, text.len(), tag_text));
    }

    if let Some(pos) = zw_first {
        sink.push_span(
            RuleId::HiddenUnicode,
            format!("{R_ZERO_WIDTH} ({zw_hits} found)"),
            text,
            pos,
            pos,
        );
    }
    if let Some(pos) = vs_first {
        sink.push_span(
            RuleId::HiddenUnicode,
            R_SELECTORS.to_string(),
            text,
            pos,
            pos,
        );
    }
    if (bidi_override > 0 || (bidi_other > 0 && !has_rtl))
        && let Some(pos) = bidi_first
    {
        sink.push_span(RuleId::BidiControl, R_BIDI.to_string(), text, pos, pos);
    }
    for (_, _, decoded) in tag_runs {
        // One or two stray tag characters (Unicode test data) cannot carry
        // an instruction.
        if decoded.trim().len() < 3 {
            continue;
        }
        sink.push(RuleId::UnicodeTags, R_TAGS.to_string(), &decoded);
        if depth == 0 {
            // The hidden text is what the model reads: scan it like any other.
            let mut inner = Sink::new(&decoded);
            scan_level(&decoded, depth + 1, &mut inner);
            for f in inner.findings {
                let reason = format!(
                    "{} (hidden in Unicode tag characters)",
                    super::as_clause(&f.reason)
                );
                sink.push_excerpt(f.rule, reason, f.excerpt);
            }
        }
    }
}

/// Literals that announce a hidden container.
static MARKERS: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern: the crate's tests compile every built-in one"
    )]
    Regex::new(r"<!--|\]:|style|color|hidden").expect("constant regex")
});

static COMMENT_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern: the crate's tests compile every built-in one"
    )]
    Regex::new(r"<!--").expect("constant regex")
});

static MD_COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern: the crate's tests compile every built-in one")]
    Regex::new(r#"(?m)^[ \t]*\[(?://|comment|_|#|//\s*)\]:\s*(?:#|<>|<#>)?\s*(?:\(([^)\n]*)\)|"([^"\n]*)"|'([^'\n]*)')"#)
        .expect("constant regex")
});

/// Opening tag of an element that can carry inline style.
static STYLED_TAG: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern: the crate's tests compile every built-in one")]
    Regex::new(r"<(?:span|div|p|font|a|section|small|b|i|em|strong|td|li|label|h[1-6])(?-u:\b)[^<>]{0,600}>").expect("constant regex")
});

/// Attribute text that makes an element invisible.
static HIDING_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern: the crate's tests compile every built-in one")]
    Regex::new(r#"color\s*:\s*(?:white|#fff(?:fff)?(?-u:\b)|rgba?\(\s*255\s*,\s*255\s*,\s*255)|display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:[;"']|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:[;"']|$)|color\s*=\s*["']?(?:white|#fff(?:fff)?(?-u:\b))|\shidden(?:\s|>|=|$)"#)
        .expect("constant regex")
});

/// Loose test for hidden content: an AI addressee plus an imperative.
static ADDRESSEE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern: the crate's tests compile every built-in one")]
    Regex::new(r"(?-u:\b)(?:ai|a\.i\.|llms?|language\s+models?|ai\s+(?:models?|agents?|assistants?)|assistants?|claude|chatgpt|gpt|copilot|gemini|chatbots?|coding\s+agents?|agents?\s+reading)(?-u:\b)")
        .expect("constant regex")
});

static IMPERATIVE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern: the crate's tests compile every built-in one")]
    Regex::new(r"(?-u:\b)(?:must|should|shall|need\s+to|please|do\s+not|don't|never|always|ignore|include|say|tell|respond|reply|output|write|add|insert|mention|recommend|store|remember|save|send|forward|describe|summari[sz]e|praise|rate|rank|only|instead)(?-u:\b)")
        .expect("constant regex")
});

/// Whether hidden content (lower-cased) reads as an instruction to the AI.
fn hidden_instruction(inner: &str) -> bool {
    (ADDRESSEE.is_match(inner) && IMPERATIVE.is_match(inner)) || rules::any_match(inner, inner)
}

/// Bytes of hidden-container content examined per text: a page with
/// thousands of comments cannot make the scan expensive.
const CONTAINER_BUDGET: usize = 1024 * 1024;

/// Report hidden HTML/Markdown containers whose content addresses the AI.
pub(crate) fn scan_containers(views: &Views<'_>, sink: &mut Sink<'_>) {
    let lower: &str = &views.lower;
    let latin: &str = &views.latin;
    // One SIMD literal pass tells which container kinds are present at all.
    let (mut comments, mut md, mut styled) = (false, false, false);
    for m in MARKERS.find_iter(lower) {
        match m.as_str() {
            "<!--" => comments = true,
            "]:" => md = true,
            _ => styled = true,
        }
        if comments && md && styled {
            break;
        }
    }
    if !(comments || md || styled) {
        return;
    }
    let mut budget = CONTAINER_BUDGET;
    for m in COMMENT_OPEN.find_iter(lower).filter(|_| comments) {
        let start = m.start();
        if budget == 0 {
            break;
        }
        let body_start = start + 4;
        let window_end = rules::ceil(lower, body_start + 8192);
        let end = lower[body_start..window_end]
            .find("-->")
            .map_or(window_end, |p| body_start + p);
        budget = budget.saturating_sub(end - body_start);
        if hidden_instruction(&lower[body_start..end]) {
            sink.push_span(
                RuleId::HiddenHtmlComment,
                R_HTML_COMMENT.to_string(),
                latin,
                start,
                (end + 3).min(lower.len()),
            );
        }
    }
    if md {
        for caps in MD_COMMENT.captures_iter(lower) {
            let Some(inner) = caps.get(1).or_else(|| caps.get(2)).or_else(|| caps.get(3)) else {
                continue;
            };
            if hidden_instruction(inner.as_str())
                && let Some(m) = caps.get(0)
            {
                sink.push_span(
                    RuleId::HiddenMarkdownComment,
                    R_MD_COMMENT.to_string(),
                    latin,
                    m.start(),
                    m.end(),
                );
            }
        }
    }
    if styled {
        let mut budget = CONTAINER_BUDGET;
        for tag in STYLED_TAG.find_iter(lower) {
            if !HIDING_ATTR.is_match(tag.as_str()) {
                continue;
            }
            // Text content up to the next tag.
            let start = tag.end();
            let window = rules::ceil(lower, start + 2000);
            let end = lower[start..window].find('<').map_or(window, |p| start + p);
            budget = budget.saturating_sub(end - start);
            if budget == 0 {
                break;
            }
            let inner = &lower[start..end];
            if !inner.trim().is_empty() && hidden_instruction(inner) {
                sink.push_span(
                    RuleId::HiddenStyledText,
                    R_STYLED.to_string(),
                    latin,
                    tag.start(),
                    end,
                );
            }
        }
    }
}
