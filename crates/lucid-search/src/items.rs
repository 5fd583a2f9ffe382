//! Splits a Markdown memory document into searchable items with their line numbers.
//!
//! An item is a list entry (`- `, `* `, `+ `, `1. `, `1) `) with its continuation lines, a
//! paragraph, or a fenced code block. Nested list entries are items of their own, so a search
//! points at the line that matched. Headings are not items (they name a topic, not a fact);
//! front matter contributes its `description:` line (Claude Code topic files keep the one-line
//! summary there). This is a search view only: curation reads documents with
//! `lucid_core::markdown`, which keeps every byte for round trips.

/// One searchable unit of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The document's path in its store.
    pub path: String,
    /// 1-based line of the item's first line.
    pub line: usize,
    /// The text without the list marker; continuation lines joined with `\n`.
    pub text: String,
}

/// The items of one document, in document order.
pub fn items(path: &str, content: &str) -> Vec<Item> {
    let lines: Vec<&str> = content.lines().collect();
    let mut out = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    let mut i = 0;

    let flush = |current: &mut Option<(usize, Vec<String>)>, out: &mut Vec<Item>| {
        if let Some((line, text)) = current.take() {
            let text = text.join("\n").trim().to_string();
            if !text.is_empty() {
                out.push(Item {
                    path: path.to_string(),
                    line,
                    text,
                });
            }
        }
    };

    if lines.first().map(|l| l.trim_end()) == Some("---")
        && let Some(end) = lines.iter().skip(1).position(|l| l.trim_end() == "---")
    {
        for (n, line) in lines.iter().enumerate().take(end + 1).skip(1) {
            if let Some(value) = line.trim().strip_prefix("description:") {
                let value = value.trim().trim_matches(['"', '\'']).trim();
                if !value.is_empty() {
                    out.push(Item {
                        path: path.to_string(),
                        line: n + 1,
                        text: value.to_string(),
                    });
                }
            }
        }
        i = end + 2;
    }

    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() || is_heading(trimmed) {
            flush(&mut current, &mut out);
            i += 1;
            continue;
        }
        if let Some(fence) = fence(trimmed) {
            flush(&mut current, &mut out);
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with(fence) {
                body.push(lines[i].to_string());
                i += 1;
            }
            current = Some((start + 1, body));
            flush(&mut current, &mut out);
            i += 1;
            continue;
        }
        if let Some(text) = list_entry(trimmed) {
            flush(&mut current, &mut out);
            current = Some((i + 1, vec![text.to_string()]));
        } else {
            match &mut current {
                // A continuation (indented or lazy) of the open item or paragraph.
                Some((_, text)) => text.push(trimmed.to_string()),
                None => current = Some((i + 1, vec![trimmed.to_string()])),
            }
        }
        i += 1;
    }
    flush(&mut current, &mut out);
    out
}

fn is_heading(trimmed: &str) -> bool {
    let hashes = trimmed.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes) && trimmed[hashes..].chars().next().is_none_or(|c| c == ' ')
}

fn fence(trimmed: &str) -> Option<&'static str> {
    if trimmed.starts_with("```") {
        Some("```")
    } else if trimmed.starts_with("~~~") {
        Some("~~~")
    } else {
        None
    }
}

/// The text after a list marker, if the line is a list entry.
fn list_entry(trimmed: &str) -> Option<&str> {
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return Some(rest.trim());
        }
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &trimmed[digits..];
        for delimiter in [". ", ") "] {
            if let Some(rest) = rest.strip_prefix(delimiter) {
                return Some(rest.trim());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_carry_their_first_line() {
        let doc = "---\nname: db\ndescription: Database hosts\ntype: project\n---\n\
                   # Hosts\n\n- prod is db-2.internal\n  (moved in May)\n- staging:\n  \
                   - db-3.internal\n\nA paragraph\nthat wraps.\n\n```sh\npsql -h db-2\n```\n";
        let got: Vec<(usize, String)> = items("/db.md", doc)
            .into_iter()
            .map(|i| (i.line, i.text))
            .collect();
        assert_eq!(
            got,
            [
                (3, "Database hosts".to_string()),
                (8, "prod is db-2.internal\n(moved in May)".to_string()),
                (10, "staging:".to_string()),
                (11, "db-3.internal".to_string()),
                (13, "A paragraph\nthat wraps.".to_string()),
                (16, "psql -h db-2".to_string()),
            ]
        );
    }

    #[test]
    fn empty_and_heading_only_documents_have_no_items() {
        assert!(items("/a.md", "").is_empty());
        assert!(items("/a.md", "# Title\n\n## Sub\n").is_empty());
        assert_eq!(items("/a.md", "#hashtag note")[0].text, "#hashtag note");
    }
}
