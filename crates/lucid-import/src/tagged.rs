//! Splitting text at the XML-like tags harnesses wrap around what they inject into a user turn
//! (`<system-reminder>…</system-reminder>`, `<environment_details>…</environment_details>`,
//! `<feedback>…</feedback>`, …), so each part can go to its own channel.
//!
//! Only the tags a caller names are recognised, an opening tag may carry attributes
//! (`<file_content path="a.rs">`), and a tag without its closing tag is plain text: a person who
//! types `<task>` in prose keeps their words.

/// A stretch of text: outside every recognised tag (`tag` is `None`), or the inside of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span<'t> {
    pub tag: Option<&'static str>,
    /// The text inside the tag (or the plain text).
    pub inner: &'t str,
    /// The whole span, tags included.
    pub raw: &'t str,
}

/// Splits `text` at recognised `<tag …>…</tag>` pairs, in order; plain stretches between them
/// are kept (empty ones are dropped). Tags do not nest: the first closing tag of the kind that
/// opened ends the span.
pub(crate) fn split_tags<'t>(text: &'t str, tags: &[&'static str]) -> Vec<Span<'t>> {
    let mut spans = Vec::new();
    let mut plain_start = 0;
    let mut cursor = 0;
    // Tags with no closing tag after some point have none after any later point either: not
    // searched again, so text full of unclosed tags is still read in linear time.
    let mut unclosed: Vec<&'static str> = Vec::new();
    while let Some(found) = text.get(cursor..).and_then(|rest| rest.find('<')) {
        let open = cursor + found;
        match tag_at(text, open, tags, &unclosed) {
            Opening::Closed {
                tag,
                inner_start,
                inner_end,
                end,
            } => {
                if let Some(plain) = text.get(plain_start..open)
                    && !plain.is_empty()
                {
                    spans.push(Span {
                        tag: None,
                        inner: plain,
                        raw: plain,
                    });
                }
                spans.push(Span {
                    tag: Some(tag),
                    inner: text.get(inner_start..inner_end).unwrap_or(""),
                    raw: text.get(open..end).unwrap_or(""),
                });
                plain_start = end;
                cursor = end;
            }
            Opening::Unclosed(tag) => {
                unclosed.push(tag);
                cursor = open + 1;
            }
            Opening::None => cursor = open + 1,
        }
    }
    if let Some(plain) = text.get(plain_start..)
        && !plain.is_empty()
    {
        spans.push(Span {
            tag: None,
            inner: plain,
            raw: plain,
        });
    }
    spans
}

/// What starts at a `<`.
enum Opening {
    /// A recognised tag and its closing tag: where its inside starts and ends, and where the
    /// closing tag ends.
    Closed {
        tag: &'static str,
        inner_start: usize,
        inner_end: usize,
        end: usize,
    },
    /// A recognised tag that is never closed.
    Unclosed(&'static str),
    /// Anything else.
    None,
}

fn tag_at(text: &str, open: usize, tags: &[&'static str], unclosed: &[&'static str]) -> Opening {
    let Some(after) = text.get(open + 1..) else {
        return Opening::None;
    };
    let Some(tag) = tags.iter().copied().find(|tag| {
        after.starts_with(tag)
            && after
                .get(tag.len()..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|next| next == '>' || next.is_whitespace())
    }) else {
        return Opening::None;
    };
    if unclosed.contains(&tag) {
        return Opening::None;
    }
    let Some(head_end) = after.find('>').map(|at| open + 1 + at + 1) else {
        return Opening::Unclosed(tag);
    };
    let closing = format!("</{tag}>");
    match text.get(head_end..).and_then(|rest| rest.find(&closing)) {
        Some(at) => Opening::Closed {
            tag,
            inner_start: head_end,
            inner_end: head_end + at,
            end: head_end + at + closing.len(),
        },
        None => Opening::Unclosed(tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, tags: &[&'static str]) -> Vec<(Option<&'static str>, String)> {
        split_tags(text, tags)
            .into_iter()
            .map(|span| (span.tag, span.inner.to_string()))
            .collect()
    }

    #[test]
    fn splits_known_tags_in_order() {
        let text = "a <x>one</x> b <y k=\"v\">two</y><x>three</x>";
        assert_eq!(
            render(text, &["x", "y"]),
            [
                (None, "a ".to_string()),
                (Some("x"), "one".to_string()),
                (None, " b ".to_string()),
                (Some("y"), "two".to_string()),
                (Some("x"), "three".to_string()),
            ]
        );
    }

    #[test]
    fn unknown_unclosed_and_prefix_tags_are_plain() {
        assert_eq!(
            render("<xy>no</xy> <x>open", &["x"]),
            [(None, "<xy>no</xy> <x>open".to_string())]
        );
        assert_eq!(render("", &["x"]), []);
        assert_eq!(render("<", &["x"]), [(None, "<".to_string())]);
        assert_eq!(
            render("é<x>ü</x>é", &["x"])[1],
            (Some("x"), "ü".to_string())
        );
    }

    #[test]
    fn many_unclosed_tags_stay_linear() {
        let text = "<x> ".repeat(200_000);
        let started = std::time::Instant::now();
        let spans = split_tags(&text, &["x"]);
        assert_eq!(spans.len(), 1);
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn raw_keeps_the_tags() {
        let spans = split_tags("<x a=1>in</x>", &["x"]);
        assert_eq!(spans[0].raw, "<x a=1>in</x>");
        assert_eq!(spans[0].inner, "in");
    }
}
