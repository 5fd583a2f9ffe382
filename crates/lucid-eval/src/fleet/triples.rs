//! Bookkeeping that keeps unplanned workflows out of a fleet.
//!
//! A workflow miner looks at each session's sequence of successful tool calls and counts step
//! sequences across sessions, possibly skipping a call between two steps. So the generator
//! treats every *triple* of calls whose consecutive members are at most one call apart (four
//! shapes: gaps 1-1, 1-2, 2-1, 2-2 positions) as a potential workflow start: a triple may occur
//! in only one session unless it belongs to a planted workflow. Any longer recurring sequence
//! would contain a recurring triple, so this rules out unplanned workflows of any length.

use super::vocab::TOOLS;

/// Position gaps (q - p, r - q) of the triples a miner may see.
pub(crate) const SHAPES: [(usize, usize); 4] = [(1, 1), (1, 2), (2, 1), (2, 2)];

/// The index of a triple of tools.
pub(crate) fn triple(a: usize, b: usize, c: usize) -> usize {
    let n = TOOLS.len();
    (a * n + b) * n + c
}

/// A set of triples (one bit each: 160 tools → 4.1 M bits, 512 KB).
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    pub(crate) fn new() -> Self {
        let n = TOOLS.len();
        Bits(vec![0; (n * n * n).div_ceil(64)])
    }

    pub(crate) fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    /// Adds `index`; true when it was not there yet.
    pub(crate) fn insert(&mut self, index: usize) -> bool {
        let word = &mut self.0[index / 64];
        let bit = 1 << (index % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

/// Every triple of a sequence, as (first position, triple index).
pub(crate) fn triples_of(names: &[usize]) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..names.len()).flat_map(move |p| {
        SHAPES.iter().filter_map(move |&(g1, g2)| {
            let q = p + g1;
            let r = q + g2;
            (r < names.len()).then(|| (p, triple(names[p], names[q], names[r])))
        })
    })
}

/// The triples that include position `idx` when it holds `candidate`, among positions whose
/// tools are known (`None` = not chosen yet). Only the contiguous shape when `contiguous_only`.
pub(crate) fn triples_through(
    seq: &[Option<usize>],
    idx: usize,
    candidate: usize,
    contiguous_only: bool,
) -> impl Iterator<Item = usize> + '_ {
    let shapes = if contiguous_only {
        &SHAPES[..1]
    } else {
        &SHAPES[..]
    };
    let at = move |pos: usize| {
        if pos == idx {
            Some(candidate)
        } else {
            seq.get(pos).copied().flatten()
        }
    };
    shapes.iter().flat_map(move |&(g1, g2)| {
        [0, g1, g1 + g2].into_iter().filter_map(move |offset| {
            let p = idx.checked_sub(offset)?;
            Some(triple(at(p)?, at(p + g1)?, at(p + g1 + g2)?))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_cover_gaps_of_one_call() {
        let names = [1, 2, 3, 4];
        let found: Vec<usize> = triples_of(&names).map(|(_, t)| t).collect();
        for expected in [
            triple(1, 2, 3),
            triple(2, 3, 4),
            triple(1, 2, 4),
            triple(1, 3, 4),
        ] {
            assert!(found.contains(&expected));
        }
        assert_eq!(found.len(), 4);
        let seq = [Some(1), Some(2), None, Some(4), Some(5)];
        let through: Vec<usize> = triples_through(&seq, 2, 3, false).collect();
        assert!(through.contains(&triple(1, 2, 3)));
        assert!(through.contains(&triple(2, 3, 4)));
        assert!(through.contains(&triple(3, 4, 5)));
        assert!(through.contains(&triple(1, 3, 5)));
        let contiguous: Vec<usize> = triples_through(&seq, 2, 3, true).collect();
        assert_eq!(contiguous.len(), 3);
        let mut bits = Bits::new();
        assert!(bits.insert(triple(5, 6, 7)));
        assert!(!bits.insert(triple(5, 6, 7)));
        assert!(bits.contains(triple(5, 6, 7)) && !bits.contains(triple(5, 7, 6)));
    }
}
