//! Small text utilities shared by the secret and injection scanners.

use std::borrow::Cow;

/// Lower-case without changing any character's UTF-8 length, so byte
/// offsets stay valid between the original text and the lower-cased copy.
/// Lets the scanners use fast case-sensitive literal searches on the copy
/// while reporting spans in (and reading values from) the original.
pub(crate) fn lower_same_len(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if !s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Borrowed(s);
        }
        return Cow::Owned(s.to_ascii_lowercase());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        // ASCII runs in bulk, other characters one by one.
        let ascii_len = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let start = out.len();
        out.push_str(&rest[..ascii_len]);
        out[start..].make_ascii_lowercase();
        rest = &rest[ascii_len..];
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            let mut lc = c.to_lowercase();
            match (lc.next(), lc.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
                _ => out.push(c),
            }
            rest = chars.as_str();
        }
    }
    Cow::Owned(out)
}

/// Largest char boundary ≤ `i` (clamped to the text).
pub(crate) fn floor(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary ≥ `i` (clamped to the text).
pub(crate) fn ceil(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_keeps_offsets() {
        for s in ["ABC def", "İstanbul ÀÉ", "ẞ straße", "ΣΑΣ"] {
            assert_eq!(lower_same_len(s).len(), s.len(), "{s}");
        }
        assert_eq!(lower_same_len("HeLLo"), "hello");
    }
}
