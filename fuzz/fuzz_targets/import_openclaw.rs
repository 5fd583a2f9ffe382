//! Fuzzes the OpenClaw importer: any bytes give a session or an error, never a panic, and a
//! session's events are numbered in order.
//!
//! The property lives in `fuzz/checks.rs`, which `cargo test` also replays on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::check("import_openclaw", data));
