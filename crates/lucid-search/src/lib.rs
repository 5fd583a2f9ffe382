//! BM25 retrieval over short documents: memory items (with their evidence) or raw turns.
//!
//! Okapi BM25 with the usual defaults (k1 = 1.2, b = 0.75), English stemming and a small stop
//! list. The index is built once and is read-only; scoring walks the posting lists of the query
//! terms only, so a query costs time proportional to the documents that share a term with it.
//!
//! Tokens are identifier-aware ([`terms`]): `db-2.internal`, `render_docx`, `renderDocx` and
//! `--force-with-lease` are kept whole *and* split into their parts, so a query for the whole
//! identifier ranks exact mentions first while a query for one part still finds them.
//!
//! [`items`] splits a Markdown memory document into searchable items with their line numbers,
//! and [`MemoryIndex`] searches a whole store; [`fts_text`] and [`fts_query`] give the same
//! terms to an SQLite FTS5 index (the service's persistent index), so the service and the
//! in-process index tokenise alike. The crate does no I/O and nothing async.
//!
//! Use it to find which memories bear on a question. Do not use it for anything that needs
//! meaning beyond shared words (paraphrases score zero): that is what model-backed curation is
//! for.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

mod items;
mod tokens;

use std::collections::HashMap;

pub use items::{Item, items};
pub use tokens::{CONNECTORS, FTS5_TOKENIZE, fts_query, fts_text, terms};

/// BM25 parameters.
#[derive(Debug, Clone, Copy)]
pub struct Bm25Params {
    /// Term-frequency saturation: how fast repeats of a term stop adding to the score.
    pub k1: f32,
    /// Length normalisation: 0 ignores a document's length, 1 normalises by it fully.
    pub b: f32,
}

impl Default for Bm25Params {
    fn default() -> Self {
        Bm25Params { k1: 1.2, b: 0.75 }
    }
}

/// A read-only BM25 index over documents numbered `0..n` in the order given.
pub struct Index {
    params: Bm25Params,
    /// term → (document, term frequency), documents ascending.
    postings: HashMap<String, Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average_length: f32,
}

impl Index {
    /// Indexes `documents` with the usual parameters (k1 1.2, b 0.75).
    pub fn new<S: AsRef<str>>(documents: &[S]) -> Index {
        Index::with_params(documents, Bm25Params::default())
    }

    /// Indexes `documents` with the given BM25 parameters.
    pub fn with_params<S: AsRef<str>>(documents: &[S], params: Bm25Params) -> Index {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(documents.len());
        let mut counts: HashMap<String, u32> = HashMap::new();
        for (id, document) in documents.iter().enumerate() {
            let doc_terms = terms(document.as_ref());
            lengths.push(doc_terms.len() as u32);
            counts.clear();
            for term in doc_terms {
                *counts.entry(term).or_default() += 1;
            }
            for (term, count) in counts.drain() {
                postings.entry(term).or_default().push((id as u32, count));
            }
        }
        for posting in postings.values_mut() {
            posting.shrink_to_fit();
        }
        let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        let average_length = if lengths.is_empty() {
            1.0
        } else {
            (total as f32 / lengths.len() as f32).max(1.0)
        };
        Index {
            params,
            postings,
            lengths,
            average_length,
        }
    }

    /// How many documents are indexed.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// No documents are indexed.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// The `k` best documents for a query, best first, as `(document, score)`. Ties are broken
    /// by document number so results are deterministic.
    pub fn search(&self, query: &str, k: usize) -> Vec<(usize, f32)> {
        let n = self.lengths.len() as f32;
        let mut query_terms = terms(query);
        query_terms.sort();
        query_terms.dedup();
        let postings: Vec<&Vec<(u32, u32)>> = query_terms
            .iter()
            .filter_map(|term| self.postings.get(term))
            .collect();
        if postings.is_empty() || k == 0 {
            return Vec::new();
        }
        // A dense accumulator: one zeroed allocation is cheaper than hashing every posting
        // once the matching documents number in the thousands (the 100k-item benchmark).
        let mut scores = vec![0f32; self.lengths.len()];
        let mut touched: Vec<u32> = Vec::new();
        for posting in postings {
            let df = posting.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in posting {
                let tf = tf as f32;
                let length = self.lengths[doc as usize] as f32;
                let norm = self.params.k1
                    * (1.0 - self.params.b + self.params.b * length / self.average_length);
                let slot = &mut scores[doc as usize];
                if *slot == 0.0 {
                    touched.push(doc);
                }
                *slot += idf * tf * (self.params.k1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(usize, f32)> = touched
            .into_iter()
            .map(|doc| (doc as usize, scores[doc as usize]))
            .collect();
        let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k - 1, order);
            ranked.truncate(k);
        }
        ranked.sort_by(order);
        ranked
    }
}

/// One search result: where the item is and how well it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document's path in the store (`/team/infra.md`).
    pub path: String,
    /// 1-based line of the item's first line.
    pub line: usize,
    /// The item's text, without its list marker.
    pub text: String,
    /// BM25 score; higher is better. Only comparable within one query.
    pub score: f32,
}

/// A BM25 index over every item of a store's documents.
pub struct MemoryIndex {
    items: Vec<Item>,
    index: Index,
}

impl MemoryIndex {
    /// Indexes `(path, content)` documents.
    pub fn build<'a>(documents: impl IntoIterator<Item = (&'a str, &'a str)>) -> MemoryIndex {
        let items: Vec<Item> = documents
            .into_iter()
            .flat_map(|(path, content)| items(path, content))
            .collect();
        MemoryIndex::from_items(items)
    }

    /// Indexes items already split.
    pub fn from_items(items: Vec<Item>) -> MemoryIndex {
        let index = Index::new(&items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>());
        MemoryIndex { items, index }
    }

    /// How many items are indexed.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// No items are indexed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `limit` best items for `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        self.index
            .search(query, limit)
            .into_iter()
            .filter_map(|(doc, score)| {
                let item = self.items.get(doc)?;
                Some(Hit {
                    path: item.path.clone(),
                    line: item.line,
                    text: item.text.clone(),
                    score,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_matching_documents_first() {
        let docs = [
            "Caroline went to the LGBTQ support group on 7 May",
            "Melanie painted a sunrise last year",
            "The weather was nice and they talked about painting",
        ];
        let index = Index::new(&docs);
        let hits = index.search("When did Caroline go to the support group?", 3);
        assert_eq!(hits[0].0, 0);
        let hits = index.search("Who painted the sunrise?", 3);
        assert_eq!(hits[0].0, 1);
        assert!(index.search("zebra", 3).is_empty());
    }

    #[test]
    fn empty_index_and_query_are_fine() {
        let index = Index::new::<&str>(&[]);
        assert!(index.search("anything", 5).is_empty());
        let index = Index::new(&["one doc"]);
        assert!(index.search("", 5).is_empty());
        assert!(index.search("one", 0).is_empty());
    }

    #[test]
    fn top_k_is_the_best_k_in_order() {
        let docs: Vec<String> = (0..50)
            .map(|i| format!("deploy {}", "deploy ".repeat(i % 7)))
            .collect();
        let index = Index::new(&docs);
        let all = index.search("deploy", 50);
        let top = index.search("deploy", 5);
        assert_eq!(top, all[..5].to_vec());
        assert!(top.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn identifiers_match_whole_and_by_part() {
        let store = MemoryIndex::build([
            (
                "/infra.md",
                "# Infra\n\n- The production database host is db-2.internal\n\
                 - Staging runs on db-3 in another region\n",
            ),
            (
                "/git.md",
                "- Never push with --force; use --force-with-lease\n\
                 - Leases on the office expire in May\n",
            ),
            (
                "/code.md",
                "- render_docx needs LibreOffice installed\n- Rendering is slow\n",
            ),
        ]);
        let hit = &store.search("db-2.internal", 5)[0];
        assert_eq!((hit.path.as_str(), hit.line), ("/infra.md", 3));
        assert!(hit.text.starts_with("The production database host"));
        // A part alone finds the identifier.
        assert_eq!(store.search("internal", 5)[0].path, "/infra.md");
        assert_eq!(store.search("docx", 5)[0].path, "/code.md");
        // The whole identifier outranks an item sharing only a part ("lease").
        let hits = store.search("--force-with-lease", 5);
        assert_eq!(
            hits[0].text,
            "Never push with --force; use --force-with-lease"
        );
        // Stemming: "render" finds "Rendering" and render_docx.
        let hits = store.search("render", 5);
        assert_eq!(hits.len(), 2);
        assert!(hits.iter().all(|h| h.path == "/code.md"));
    }
}
