//! Normalised views of untrusted text.
//!
//! Attackers hide instructions from naive keyword filters with Unicode
//! look-alikes (`ignоre` with a Cyrillic `о`), fullwidth or mathematical
//! letters (`ｉｇｎｏｒｅ`, `𝐢𝐠𝐧𝐨𝐫𝐞`), invisible characters (`ig\u{200b}nore`),
//! letter spacing (`i g n o r e`), markup (`**ignore** all`), HTML entities
//! (`&#105;gnore`), JSON escapes, hyphenation and string concatenation. The
//! rules never look at the raw text; they run over these views instead:
//!
//! * [`Views::latin`] — entities/escapes decoded, NFKD, accents and
//!   format characters removed, homoglyphs folded to ASCII, markup and
//!   spacing tricks undone. Case is preserved for excerpts.
//! * [`Views::lower`] — `latin` lower-cased with *identical byte offsets*,
//!   so a match in `lower` maps directly to an excerpt in `latin`. All
//!   English and Latin-script rules run here, which lets their regexes be
//!   case-sensitive literals (fast prefilters).
//! * [`Views::native`] — NFKC only (no folding), for rules in scripts whose
//!   letters the homoglyph fold would destroy (Cyrillic, CJK, Arabic, …).
//!   Only built for non-ASCII input.
//!
//! Pure-ASCII text without markup tricks takes a zero-copy fast path.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

pub(crate) use crate::text::lower_same_len;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Normalised views of one input text.
pub(crate) struct Views<'a> {
    pub latin: Cow<'a, str>,
    pub lower: Cow<'a, str>,
    /// `(case-preserved, lower-cased)` NFKC view, offsets aligned.
    pub native: Option<(String, String)>,
    /// Letter-spaced runs with all spaces removed (`ignoreallpreviousinstructions`).
    pub squashed: Vec<String>,
    /// Whether normalisation undid a disguise (look-alike letters,
    /// invisible characters, fullwidth/math letters, numeric entities or
    /// escapes, letter spacing). Plain accents and Markdown emphasis do not
    /// count. Used to tell the reader *why* a match was not visible.
    pub disguised: bool,
}

impl<'a> Views<'a> {
    pub(super) fn build(text: &'a str) -> Views<'a> {
        let ascii = text.is_ascii();
        let mut disguised = false;
        let mut latin: Cow<'a, str> = Cow::Borrowed(text);
        if let Some((s, tricky)) = decode_escapes(&latin) {
            latin = Cow::Owned(s);
            disguised |= tricky;
        }
        if !ascii {
            let (s, tricky) = fold_unicode(&latin);
            latin = Cow::Owned(s);
            disguised |= tricky;
        }
        if let Some(s) = undo_markup(&latin) {
            latin = Cow::Owned(s);
        }
        let mut squashed = Vec::new();
        if let Some(s) = collapse_spacing(&latin, &mut squashed) {
            latin = Cow::Owned(s);
            disguised = true;
        }
        let lower: Cow<'a, str> = match &latin {
            Cow::Borrowed(t) => lower_same_len(t),
            Cow::Owned(t) => Cow::Owned(lower_same_len(t).into_owned()),
        };
        let native = (!ascii && has_native_script(text)).then(|| {
            let n = native_view(text);
            let l = lower_same_len(&n).into_owned();
            (n, l)
        });
        Views {
            latin,
            lower,
            native,
            squashed,
            disguised,
        }
    }
}

/// Zero-width, bidi, tag and other invisible formatting characters. They
/// are removed from every view (the hidden-text rules report them from the
/// raw text).
pub(crate) fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                // soft hyphen
        | '\u{034F}'              // combining grapheme joiner
        | '\u{061C}'              // arabic letter mark
        | '\u{115F}' | '\u{1160}' // hangul fillers
        | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' // mongolian selectors / vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM/RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings / overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}' // bidi isolates, deprecated format chars
        | '\u{3164}'              // hangul filler
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}'              // BOM / zero-width no-break space
        | '\u{FFA0}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}' // tag characters
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
    )
}

/// Cyrillic, Greek, Armenian and other characters that render like Latin
/// letters, plus typographic punctuation, mapped to ASCII.
fn fold_homoglyph(c: char) -> char {
    match c {
        'а' | 'ɑ' | 'α' => 'a',
        'в' | 'Ь' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' | 'ε' | 'є' => 'e',
        'ɡ' | 'ց' => 'g',
        'һ' | 'հ' => 'h',
        'і' | 'ї' | 'ı' | 'ι' | 'ɩ' | 'ӏ' => 'i',
        'ј' | 'ȷ' | 'ϳ' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'ո' | 'η' | 'п' => 'n',
        'о' | 'ο' | 'օ' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' | 'ս' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' | 'ү' => 'y',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' | 'Ϲ' => 'C',
        'Е' | 'Ё' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ї' | 'Ι' | 'Ӏ' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' | 'Օ' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'У' | 'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        'Ԝ' => 'W',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
        | '\u{FF07}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        _ => c,
    }
}

/// Compatibility-decompose (NFKD), drop format characters and combining
/// marks (accents, strike-through overlays), fold homoglyphs.
///
/// Decomposition is done per character: canonical reordering would only
/// reorder combining marks, which are all dropped, so the result equals
/// full NFKD + filtering at a fraction of the cost, and ASCII is copied
/// through untouched.
fn fold_unicode(s: &str) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    let mut tricky = false;
    let push = |c: char, out: &mut String, tricky: &mut bool| {
        if is_format_char(c) {
            *tricky = true;
            return;
        }
        if is_combining_mark(c) {
            return;
        }
        let f = fold_homoglyph(c);
        *tricky |= f != c && f.is_ascii_alphabetic();
        // Unicode spaces (NBSP is already mapped by NFKD; this catches the rest).
        if !f.is_ascii() && f.is_whitespace() {
            out.push(' ');
        } else {
            out.push(f);
        }
    };
    let mut rest = s;
    while !rest.is_empty() {
        let ascii_len = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        out.push_str(&rest[..ascii_len]);
        rest = &rest[ascii_len..];
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            if passes_through(c) {
                out.push(c);
            } else {
                // Fullwidth / mathematical / enclosed letters decompose to
                // ASCII; accented Latin (below U+0250) is ordinary text.
                let styled = u32::from(c) >= 0x2100;
                decompose_compatible(c, |d| {
                    tricky |= styled && d.is_ascii_alphanumeric();
                    push(d, &mut out, &mut tricky);
                });
            }
            rest = chars.as_str();
        }
    }
    (out, tricky)
}

/// Characters that neither decompose to Latin look-alikes nor hide text:
/// CJK, kana, Hangul, box drawing, arrows, dingbats, most emoji. Copying
/// them directly skips the decomposition table lookups, which dominate the
/// cost on non-Latin text.
fn passes_through(c: char) -> bool {
    matches!(c,
        '\u{2190}'..='\u{245F}'     // arrows, math operators, technical, control pictures
        | '\u{2500}'..='\u{27BF}'   // box drawing, blocks, shapes, dingbats
        | '\u{2E80}'..='\u{2FFF}'   // CJK radicals
        | '\u{3040}'..='\u{31FF}'   // kana, bopomofo
        | '\u{3400}'..='\u{9FFF}'   // CJK ideographs
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
        | '\u{1F300}'..='\u{1FAFF}' // emoji
    )
}

/// Scripts covered by the native-view rules (CJK, kana, Hangul, Cyrillic,
/// Arabic). Other non-ASCII text (accents, emoji, box drawing) skips the view.
fn has_native_script(s: &str) -> bool {
    // Byte-level test on UTF-8 lead bytes: Cyrillic (D0–D3), Arabic
    // (D8–DB), kana/CJK/Hangul (E3–ED) and fullwidth forms (EF BC/BD).
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        matches!(c, 0xD0..=0xD3 | 0xD8..=0xDB | 0xE3..=0xED)
            || (c == 0xEF && matches!(b.get(i + 1), Some(0xBC | 0xBD)))
    })
}

/// Native-script view: format characters removed, fullwidth ASCII and
/// ideographic space mapped to ASCII, everything else kept as written (no
/// homoglyph folding, which would destroy Cyrillic).
fn native_view(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_format_char(c))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// `&` or `\\`: where an entity or escape may start. A regex is used as a
/// SIMD byte finder (`memchr2`), much faster than a byte loop.
static ESCAPE_START: LazyLock<Regex> = LazyLock::new(|| constant_regex(r"[&\\]"));

/// Markup that `undo_markup` rewrites: emphasis / code markers, line-end
/// hyphenation, and the `+` of string concatenation.
static MARKUP: LazyLock<Regex> = LazyLock::new(|| constant_regex(r"[*`+]|-\n"));

/// Four single-letter tokens in a row (`i g n o`) or a dotted word
/// (`i.g.n.o`). ASCII-only classes keep this on the fast DFA path; it runs
/// over every text.
static SPACED: LazyLock<Regex> = LazyLock::new(|| {
    constant_regex(
        r"(?-u:(?:^|[\t\n\r ])[A-Za-z][ \t]{1,4}[A-Za-z][ \t]{1,4}[A-Za-z][ \t]{1,4}[A-Za-z](?:[\t\n\r ]|$)|\b[A-Za-z][.\-_][A-Za-z][.\-_][A-Za-z][.\-_][A-Za-z])",
    )
});

/// Branch-free pre-check for `SPACED` that the compiler vectorises: four
/// letters each followed by the same single separator (` `, `.`, `-`,
/// `_`). Runs over every text, so it must be much faster than the regex.
fn maybe_spaced(b: &[u8]) -> bool {
    #[inline(always)]
    fn alpha(c: u8) -> bool {
        (c | 0x20).wrapping_sub(b'a') < 26
    }
    #[inline(always)]
    fn sep(c: u8) -> bool {
        c == b' ' || c == b'.' || c == b'-' || c == b'_'
    }
    b.windows(7).fold(false, |hit, w| {
        hit | (alpha(w[0])
            & sep(w[1])
            & alpha(w[2])
            & (w[3] == w[1])
            & alpha(w[4])
            & (w[5] == w[1])
            & alpha(w[6]))
    })
}

fn constant_regex(p: &str) -> Regex {
    #[expect(
        clippy::expect_used,
        reason = "a constant pattern: the crate's tests compile every built-in one"
    )]
    Regex::new(p).expect("constant normalisation regex")
}

/// Decode HTML character references and JSON/JS string escapes, which both
/// appear in scraped pages and JSON-encoded tool results.
fn decode_escapes(s: &str) -> Option<(String, bool)> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    // Numeric references and \u / \x escapes are how text hides words;
    // `&amp;` or `\n` are just encoding.
    let mut tricky = false;
    for m in ESCAPE_START.find_iter(s) {
        let i = m.start();
        if i < copied {
            continue;
        }
        let rest = &s[i..];
        let decoded: Option<(char, usize)> = if b[i] == b'&' {
            html_entity(rest)
        } else {
            match b.get(i + 1) {
                Some(b'n' | b't' | b'r') => Some((' ', 2)),
                Some(b'u') => rest
                    .get(2..6)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .map(|c| (c, 6)),
                Some(b'x') => rest
                    .get(2..4)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .filter(u8::is_ascii)
                    .map(|c| (char::from(c), 4)),
                _ => None,
            }
        };
        if let Some((ch, used)) = decoded {
            tricky |= ch.is_ascii_alphanumeric()
                && (rest.starts_with("&#") || rest.starts_with("\\u") || rest.starts_with("\\x"));
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..i]);
            o.push(ch);
            copied = i + used;
        }
    }
    let mut o = out?;
    o.push_str(&s[copied..]);
    Some((o, tricky))
}

fn html_entity(s: &str) -> Option<(char, usize)> {
    let end = s[..crate::text::floor(s, 12)].find(';')?;
    let name = &s[1..end];
    let ch = match name {
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "shy" | "zwj" | "zwnj" | "lrm" | "rlm" => '\u{200B}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse::<u32>().ok()?
            };
            char::from_u32(code)?
        }
    };
    Some((ch, end + 1))
}

/// Undo markup that splits or decorates words without changing meaning:
/// Markdown emphasis/code markers, soft line-break hyphenation
/// (`prev-\nious`), and string concatenation (`"ignore all " + "previous"`).
fn undo_markup(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    for m in MARKUP.find_iter(s) {
        let i = m.start();
        if i < copied {
            continue;
        }
        // (start of the replaced range, end of it, replacement)
        let edit: Option<(usize, usize, &str)> = match b[i] {
            b'*' | b'`' => Some((i, i + 1, " ")),
            b'-' => {
                // "prev-\n  ious": join when letters surround the break.
                let mut j = i + 2;
                while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                    j += 1;
                }
                let letters = i > 0
                    && b[i - 1].is_ascii_alphabetic()
                    && j < b.len()
                    && b[j].is_ascii_alphabetic();
                letters.then_some((i, j, ""))
            }
            _ => {
                // `"a" + "b"`: drop the closing quote, the plus and the opening quote.
                let mut q1 = i;
                while q1 > copied && b[q1 - 1] == b' ' {
                    q1 -= 1;
                }
                let mut q2 = i + 1;
                while q2 < b.len() && b[q2] == b' ' {
                    q2 += 1;
                }
                let quote = q1 > copied && matches!(b[q1 - 1], b'"' | b'\'');
                // Lazily: with no quote before the plus, `q1` may be 0.
                (quote && q2 < b.len() && b[q2] == b[q1 - 1]).then(|| (q1 - 1, q2 + 1, ""))
            }
        };
        if let Some((from, to, with)) = edit {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..from]);
            o.push_str(with);
            copied = to;
        }
    }
    let mut o = out?;
    o.push_str(&s[copied..]);
    Some(o)
}

/// Collapse letter-spaced words (`i g n o r e   a l l`) and dotted letters
/// (`i.g.n.o.r.e`). A gap of two or more spaces inside a run is kept as a
/// word break; runs spaced uniformly are also recorded, without any spaces,
/// in `squashed` for the compact phrase check.
fn collapse_spacing(s: &str, squashed: &mut Vec<String>) -> Option<String> {
    if !maybe_spaced(s.as_bytes()) || !SPACED.is_match(s) {
        return None;
    }
    let b = s.as_bytes();
    // Tokens = maximal runs of non-whitespace bytes.
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let mut any_candidate = false;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let st = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        if st < i {
            if i - st == 1 || is_dotted_word(&b[st..i]) {
                any_candidate = true;
            }
            tokens.push((st, i));
        }
    }
    if !any_candidate {
        return None;
    }
    let single = |t: (usize, usize)| t.1 - t.0 == 1 && b[t.0].is_ascii_alphanumeric();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut changed = false;
    let mut k = 0;
    while k < tokens.len() {
        let t = tokens[k];
        if is_dotted_word(&b[t.0..t.1]) {
            out.push_str(&s[copied..t.0]);
            out.extend(
                b[t.0..t.1]
                    .iter()
                    .filter(|c| c.is_ascii_alphabetic())
                    .map(|&c| char::from(c)),
            );
            copied = t.1;
            changed = true;
            k += 1;
            continue;
        }
        if !single(t) {
            k += 1;
            continue;
        }
        // Extend the run of single-character tokens separated by short gaps.
        let mut e = k;
        while e + 1 < tokens.len() && single(tokens[e + 1]) {
            let gap = &s[tokens[e].1..tokens[e + 1].0];
            if gap.len() > 4 || gap.contains("\n\n") {
                break;
            }
            e += 1;
        }
        if e - k + 1 >= 3 {
            out.push_str(&s[copied..t.0]);
            let mut flat = String::new();
            let mut uniform = true;
            for m in k..=e {
                if m > k {
                    let gap = tokens[m].0 - tokens[m - 1].1;
                    if gap >= 2 {
                        out.push(' ');
                        uniform = false;
                    }
                }
                let ch = char::from(b[tokens[m].0]);
                out.push(ch);
                flat.push(ch.to_ascii_lowercase());
            }
            if uniform && flat.len() >= 6 {
                squashed.push(flat);
            }
            copied = tokens[e].1;
            changed = true;
        }
        k = e + 1;
    }
    if !changed {
        return None;
    }
    out.push_str(&s[copied..]);
    Some(out)
}

/// `i.g.n.o.r.e` / `i-g-n-o-r-e`: ≥ 4 letters each followed by the same
/// separator.
fn is_dotted_word(t: &[u8]) -> bool {
    if t.len() < 7 {
        return false;
    }
    let sep = t[1];
    if !matches!(sep, b'.' | b'-' | b'_') {
        return false;
    }
    t.iter().enumerate().all(|(i, &c)| {
        if i % 2 == 0 {
            c.is_ascii_alphabetic()
        } else {
            c == sep
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(s: &str) -> String {
        Views::build(s).lower.into_owned()
    }

    #[test]
    fn folds_tricks() {
        assert_eq!(lower("Ignоre аll"), "ignore all");
        assert_eq!(lower("ｉｇｎｏｒｅ"), "ignore");
        assert_eq!(lower("ig\u{200b}nore"), "ignore");
        assert_eq!(lower("**Ignore** all"), "  ignore   all");
        assert_eq!(lower("i g n o r e  a l l"), "ignore all");
        assert_eq!(lower("i.g.n.o.r.e"), "ignore");
        assert_eq!(lower("&#105;gnore"), "ignore");
        assert_eq!(lower("prev-\n  ious"), "previous");
        assert_eq!(
            lower("\"ignore all \" + \"previous\""),
            "\"ignore all previous\""
        );
        assert_eq!(lower("précédentes"), "precedentes");
    }

    #[test]
    fn squashes_uniform_spacing() {
        let v = Views::build("i g n o r e a l l p r e v i o u s");
        assert_eq!(v.squashed, vec!["ignoreallprevious".to_string()]);
    }
}
