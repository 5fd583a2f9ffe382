//! BM25 retrieval over short documents: memory items (with their evidence) or raw turns.
//!
//! Okapi BM25 with the usual defaults (k1 = 1.2, b = 0.75), English stemming and a small stop
//! list. The index is built once and is read-only; scoring walks the posting lists of the query
//! terms only, so a query costs time proportional to the documents that share a term with it.
//!
//! Use it to find which memories bear on a question. Do not use it for anything that needs
//! meaning beyond shared words (paraphrases score zero): that is what model-backed curation is
//! for.

use std::collections::HashMap;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Words too common to help retrieval.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "he", "her", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of",
    "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "to", "too", "up", "us", "was", "we", "were", "what", "when", "where",
    "which", "who", "whom", "why", "will", "with", "would", "you", "your",
];

/// Lowercased, stemmed terms of a text, without stop words.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(|w| STEMMER.stem(&w).into_owned())
        .collect()
}

/// BM25 parameters.
#[derive(Debug, Clone, Copy)]
pub struct Bm25Params {
    pub k1: f32,
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
    /// term → (document, term frequency)
    postings: HashMap<String, Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average_length: f32,
}

impl Index {
    pub fn new<S: AsRef<str>>(documents: &[S]) -> Index {
        Index::with_params(documents, Bm25Params::default())
    }

    pub fn with_params<S: AsRef<str>>(documents: &[S], params: Bm25Params) -> Index {
        let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(documents.len());
        for (id, document) in documents.iter().enumerate() {
            let doc_terms = terms(document.as_ref());
            lengths.push(doc_terms.len() as u32);
            let mut counts: HashMap<String, u32> = HashMap::new();
            for term in doc_terms {
                *counts.entry(term).or_default() += 1;
            }
            for (term, count) in counts {
                postings.entry(term).or_default().push((id as u32, count));
            }
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

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// The `k` best documents for a query, best first, as `(document, score)`. Ties are broken
    /// by document number so results are deterministic.
    pub fn search(&self, query: &str, k: usize) -> Vec<(usize, f32)> {
        let n = self.lengths.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let mut query_terms = terms(query);
        query_terms.sort();
        query_terms.dedup();
        for term in &query_terms {
            let Some(posting) = self.postings.get(term) else {
                continue;
            };
            let df = posting.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in posting {
                let tf = tf as f32;
                let length = self.lengths[doc as usize] as f32;
                let norm = self.params.k1
                    * (1.0 - self.params.b + self.params.b * length / self.average_length);
                *scores.entry(doc).or_default() += idf * tf * (self.params.k1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(usize, f32)> = scores
            .into_iter()
            .map(|(doc, score)| (doc as usize, score))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
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
    }
}
