//! Finding near-duplicate pairs without comparing all pairs.
//!
//! This is a set-similarity join with *prefix filtering* (Bayardo et al., "Scaling up all pairs
//! similarity search", 2007): features are ordered globally from rarest to most common, and each
//! set indexes only its first `|s| - ceil(t·|s|) + 1` features. Two sets with Jaccard ≥ t must
//! share a feature in those prefixes, so candidate generation is exact (no missed pair) and only
//! touches the short posting lists of rare features. Identical sets are grouped first, so a
//! statement repeated in thousands of sessions costs one entry.

use std::collections::HashMap;

/// Returns pairs `(i, j)` with `i < j` whose feature sets have Jaccard similarity at least
/// `threshold` (0 < threshold ≤ 1). Each set must be sorted and deduplicated. Identical sets are
/// reported as a star (each copy paired with the first), and similar groups through their first
/// members, so the connected components are exactly those of the full pair list while the
/// output stays linear in the number of copies.
pub fn similar_pairs(sets: &[Vec<u32>], threshold: f64) -> Vec<(usize, usize)> {
    let threshold = threshold.clamp(0.01, 1.0);
    // Group identical sets: every pair inside a group qualifies trivially.
    let mut groups: HashMap<&[u32], Vec<usize>> = HashMap::new();
    for (i, set) in sets.iter().enumerate() {
        if !set.is_empty() {
            groups.entry(set.as_slice()).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    let mut representatives: Vec<(usize, &[u32])> = Vec::with_capacity(groups.len());
    for (set, members) in &groups {
        // Identical sets are linked to their first member only: a star keeps the pairs linear
        // (thousands of copies of one sentence) and still joins them all.
        for &j in &members[1..] {
            pairs.push((members[0].min(j), members[0].max(j)));
        }
        representatives.push((members[0], set));
    }
    representatives.sort_unstable_by_key(|(i, _)| *i);

    // Global feature frequency over representatives; rarer features come first in a prefix.
    let mut frequency: HashMap<u32, u32> = HashMap::new();
    for (_, set) in &representatives {
        for f in set.iter() {
            *frequency.entry(*f).or_default() += 1;
        }
    }
    let ordered: Vec<Vec<u32>> = representatives
        .iter()
        .map(|(_, set)| {
            let mut v = set.to_vec();
            v.sort_unstable_by_key(|f| (frequency.get(f).copied().unwrap_or(0), *f));
            v
        })
        .collect();

    // Process sets by increasing size so the length filter can prune: a set of size n can only
    // match sets of size ≥ t·n among those already indexed.
    let mut by_size: Vec<usize> = (0..ordered.len()).collect();
    by_size.sort_unstable_by_key(|&r| (ordered[r].len(), r));
    let mut index: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut seen_stamp: Vec<usize> = vec![usize::MAX; ordered.len()];
    for &r in &by_size {
        let set = &ordered[r];
        let n = set.len();
        let prefix = n - (threshold * n as f64).ceil() as usize + 1;
        let min_len = (threshold * n as f64).ceil() as usize;
        for f in &set[..prefix.min(n)] {
            if let Some(posting) = index.get(f) {
                for &other in posting {
                    if seen_stamp[other] == r {
                        continue;
                    }
                    seen_stamp[other] = r;
                    if ordered[other].len() < min_len {
                        continue;
                    }
                    if jaccard_sorted(representatives[r].1, representatives[other].1) >= threshold {
                        let gi = groups[representatives[r].1].clone();
                        let gj = groups[representatives[other].1].clone();
                        for &i in &gi {
                            for &j in &gj {
                                pairs.push((i.min(j), i.max(j)));
                            }
                        }
                    }
                }
            }
        }
        for f in &set[..prefix.min(n)] {
            index.entry(*f).or_default().push(r);
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Jaccard similarity of two sorted, deduplicated slices.
pub fn jaccard_sorted(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// Interns strings as dense ids, so feature sets are cheap sorted `u32` slices.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    /// The feature's id: ids are handed out 0, 1, 2 … in order of first sight, so one interner's
    /// ids are dense.
    pub fn id(&mut self, feature: &str) -> u32 {
        if let Some(id) = self.ids.get(feature) {
            return *id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(feature.to_string(), id);
        id
    }

    /// A sorted, deduplicated id set for some features.
    pub fn set<'a>(&mut self, features: impl Iterator<Item = &'a str>) -> Vec<u32> {
        let mut ids: Vec<u32> = features.map(|f| self.id(f)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force(sets: &[Vec<u32>], t: f64) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                if !sets[i].is_empty()
                    && !sets[j].is_empty()
                    && jaccard_sorted(&sets[i], &sets[j]) >= t
                {
                    out.push((i, j));
                }
            }
        }
        out
    }

    /// Component label of every node, as the smallest node of its component.
    fn components(n: usize, pairs: &[(usize, usize)]) -> Vec<usize> {
        let mut label: Vec<usize> = (0..n).collect();
        let mut changed = true;
        while changed {
            changed = false;
            for &(i, j) in pairs {
                let low = label[i].min(label[j]);
                if label[i] != low || label[j] != low {
                    label[i] = low;
                    label[j] = low;
                    changed = true;
                }
            }
        }
        label
    }

    /// A small sorted id set over a skewed vocabulary (low ids are far more frequent, as
    /// common features are in real statements).
    fn id_set() -> impl Strategy<Value = Vec<u32>> {
        prop::collection::vec((0u32..40, 0u32..40).prop_map(|(a, b)| a % (1 + b)), 1..=7).prop_map(
            |mut ids| {
                ids.sort_unstable();
                ids.dedup();
                ids
            },
        )
    }

    /// A family of sets with an empty set and a duplicate of one of its members added.
    fn family() -> impl Strategy<Value = Vec<Vec<u32>>> {
        prop::collection::vec(id_set(), 1..300).prop_flat_map(|sets| {
            let len = sets.len();
            (Just(sets), 0..len).prop_map(|(mut sets, duplicate)| {
                sets.push(Vec::new());
                sets.push(sets[duplicate].clone());
                sets
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn prefix_filtering_finds_the_same_groups_as_brute_force(sets in family()) {
            for t in [0.3, 0.5, 0.7, 0.85, 1.0] {
                let expected = brute_force(&sets, t);
                let got = similar_pairs(&sets, t);
                for &(i, j) in &got {
                    prop_assert!(
                        jaccard_sorted(&sets[i], &sets[j]) >= t,
                        "pair below threshold {}", t
                    );
                }
                prop_assert_eq!(
                    components(sets.len(), &got),
                    components(sets.len(), &expected),
                    "threshold {}", t
                );
            }
        }
    }
}
