//! Identifier-aware tokenisation shared by the in-process index and the service's FTS5 index.
//!
//! A raw token is a run of letters, digits and connectors (`CONNECTORS`), with connectors
//! trimmed from both ends (so `--force-with-lease` and a sentence-final `db-2.internal.` read as
//! `force-with-lease` and `db-2.internal`). A token with an inner connector or a camelCase
//! boundary is an identifier: it yields itself, lowercased and unstemmed, then each part as an
//! ordinary word. Ordinary words are lowercased, stop words dropped, and stemmed (Snowball
//! English). Identifiers are never stop-word filtered: `to-do` stays a term.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Characters that join the parts of an identifier (`db-2.internal`, `render_docx`,
/// `src/main.rs`, `user@host`, `host:5432`).
pub const CONNECTORS: &[char] = &['-', '_', '.', '/', ':', '@'];

/// The FTS5 `tokenize` option that reads [`fts_text`] back as exactly its terms: the
/// connectors are token characters, so a whole identifier stays one FTS5 token.
pub const FTS5_TOKENIZE: &str = "unicode61 remove_diacritics 0 tokenchars '-_./:@'";

/// Words too common to help retrieval.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "he", "her", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of",
    "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "to", "too", "up", "us", "was", "we", "were", "what", "when", "where",
    "which", "who", "whom", "why", "will", "with", "would", "you", "your",
];

fn is_connector(c: char) -> bool {
    CONNECTORS.contains(&c)
}

/// Index and query terms of a text, in order: identifiers whole then by part, words stemmed,
/// stop words dropped.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || is_connector(c))) {
        let token = raw.trim_matches(is_connector);
        if token.is_empty() {
            continue;
        }
        let parts = parts(token);
        if parts.len() > 1 {
            out.push(token.to_lowercase());
        }
        for part in parts {
            push_word(&mut out, part);
        }
    }
    out
}

/// A token's parts: split at connectors and at lower-to-upper case boundaries (`renderDocx`).
fn parts(token: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for piece in token.split(is_connector).filter(|p| !p.is_empty()) {
        let mut start = 0;
        let mut previous_lower = false;
        for (i, c) in piece.char_indices() {
            if c.is_uppercase() && previous_lower {
                out.push(&piece[start..i]);
                start = i;
            }
            previous_lower = c.is_lowercase();
        }
        out.push(&piece[start..]);
    }
    out
}

fn push_word(out: &mut Vec<String>, word: &str) {
    let word = word.to_lowercase();
    if STOPWORDS.contains(&word.as_str()) {
        return;
    }
    out.push(STEMMER.stem(&word).into_owned());
}

/// The text an FTS5 column stores for `text`: its [`terms`] separated by spaces (read back
/// with [`FTS5_TOKENIZE`]), so FTS5 counts the same terms the in-process index does.
pub fn fts_text(text: &str) -> String {
    terms(text).join(" ")
}

/// An FTS5 `MATCH` expression for a query: its distinct terms, each quoted (so no user text is
/// read as FTS5 syntax), joined with `OR` as BM25 expects. `None` when the query has no term.
pub fn fts_query(query: &str) -> Option<String> {
    let mut query_terms = terms(query);
    query_terms.sort();
    query_terms.dedup();
    if query_terms.is_empty() {
        return None;
    }
    Some(
        query_terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_stay_whole_and_split_into_parts() {
        assert_eq!(
            terms("host db-2.internal."),
            ["host", "db-2.internal", "db", "2", "intern"]
        );
        assert_eq!(terms("render_docx"), ["render_docx", "render", "docx"]);
        assert_eq!(
            terms("use --force-with-lease"),
            ["use", "force-with-lease", "forc", "leas"]
        );
        assert_eq!(terms("renderDocx"), ["renderdocx", "render", "docx"]);
        assert_eq!(terms("HTTPServer"), ["httpserver"]);
    }

    #[test]
    fn words_are_stemmed_lowercased_and_stop_words_dropped() {
        assert_eq!(terms("The Deployments were failing"), ["deploy", "fail"]);
        assert_eq!(terms("  ...  "), Vec::<String>::new());
        assert_eq!(terms("café naïve"), ["café", "naïv"]);
    }

    #[test]
    fn fts_query_quotes_every_term() {
        assert_eq!(
            fts_query("db-2.internal \"AND\" NEAR(x)").as_deref(),
            Some("\"2\" OR \"db\" OR \"db-2.internal\" OR \"intern\" OR \"near\" OR \"x\"")
        );
        assert_eq!(fts_query("the of"), None);
        assert_eq!(
            fts_text("render_docx files"),
            "render_docx render docx file"
        );
    }
}
