//! Fuzzes the Markdown store reader and writer: any text parses, and writing back what was read
//! loses and invents no content — every character other than whitespace and the `#` of heading
//! markers survives, as many times as it appeared. (Unchanged documents are written back byte
//! for byte; this is the guarantee for documents the curator changes.)
//!
//! The property lives in `fuzz/checks.rs`, which `cargo test` also replays on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check("markdown_store", data));
