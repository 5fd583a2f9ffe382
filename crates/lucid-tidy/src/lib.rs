//! Tidy checks (after rust-analyzer's): ARCHITECTURE.md's prose invariants as tests over the
//! source tree. The crate has no code of its own; everything is in `tests/tidy.rs`, so a
//! violation fails the test suite with a message that names the file and the rule.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]
