//! Fuzzes the whole engine on one input: the bytes are a transcript (any format) and, split at
//! the first NUL byte, a store document. Import, digest and curation never panic, and the draft
//! never holds a document path the store could not hold.
//!
//! The property lives in `fuzz/checks.rs`, which `cargo test` also replays on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check("dream_pipeline", data));
