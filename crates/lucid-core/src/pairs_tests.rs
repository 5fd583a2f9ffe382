//! The labelled statement pairs of `tests/data/pairs.toml` (written from real transcripts, not
//! from the generator), checked against the curator's duplicate, paraphrase and update rules.
//! A unit test of the crate (not an integration test) so that the update rules stay private.

use std::path::Path;

use serde::Deserialize;

use crate::text::{self, WordWeights};
use crate::updates;

#[derive(Deserialize)]
struct Pairs {
    pair: Vec<Pair>,
}

#[derive(Deserialize)]
struct Pair {
    a: String,
    b: String,
    relation: String,
    source: String,
    #[serde(default)]
    known_miss: Option<String>,
}

/// Whether the curator would merge the two (the exact duplicate rule, or the store paraphrase
/// rule with words weighted over every pair's text), unless they give one subject two values or
/// differ in stance (one rules out what the other states, or their statuses differ).
fn merges(a: &str, b: &str, weights: &WordWeights) -> bool {
    let (x, y) = (text::analyze(a), text::analyze(b));
    (text::same_statement(&x, &y) || text::paraphrase(&x, &y, weights))
        && !text::states_another_value(a, b)
        && !text::differ_in_stance(a, &x, b, &y)
}

/// Whether `newer` updates `older`: an announced change of value applies to it, or the two give
/// one subject different values.
fn updates(older: &str, newer: &str) -> bool {
    let announced = updates::from_sentence(newer)
        .iter()
        .any(|sub| updates::apply(sub, older).is_some());
    let slots = match (text::slot(older), text::slot(newer)) {
        (Some(a), Some(b)) => text::conflicting_slots(&a, &b),
        _ => false,
    };
    // The same sentence with another value, or a change announced in other words that gives
    // the subject another value of a closed set (the curator asks the latter only of a
    // sentence the gate saw announce a change).
    let frame = text::same_frame_new_value(older, newer);
    let closed_set = crate::worthiness::announces_change(newer)
        && text::closed_set_change(older, newer).is_some();
    announced || slots || frame || closed_set
}

#[test]
fn labelled_pairs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/pairs.toml");
    let text = std::fs::read_to_string(&path).expect("tests/data/pairs.toml");
    let pairs: Pairs = toml::from_str(&text).expect("pairs.toml parses");
    let analyses: Vec<text::Analysis> = pairs
        .pair
        .iter()
        .flat_map(|p| [text::analyze(&p.a), text::analyze(&p.b)])
        .collect();
    let weights = WordWeights::new(analyses.iter());
    let mut failures = Vec::new();
    for pair in &pairs.pair {
        let merged = merges(&pair.a, &pair.b, &weights);
        let updated = updates(&pair.a, &pair.b);
        let right = match pair.relation.as_str() {
            "same" => merged,
            "different" => !merged,
            "update" => updated && !merged,
            "unrelated" => !merged && !updated && !updates(&pair.b, &pair.a),
            other => panic!("unknown relation {other:?} ({})", pair.source),
        };
        // A known miss must still be a miss: when a rule starts getting it right, the mark goes.
        let expected = pair.known_miss.is_none();
        if right != expected {
            failures.push(format!(
                "{} [{}] {:?} / {:?}: merged={merged} updated={updated}{}",
                pair.relation,
                pair.source,
                pair.a,
                pair.b,
                pair.known_miss
                    .as_deref()
                    .map(|why| format!(" (marked known miss: {why}; now right, remove the mark)"))
                    .unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
