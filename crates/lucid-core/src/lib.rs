//! lucid's core: the data model (sessions, memory stores, dreams) and the deterministic curator.
//!
//! Architecture invariant: this crate does no I/O and needs no async runtime. Callers hand it
//! parsed sessions and store documents and get back a draft store and a report.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod model;

pub use model::*;
mod channels;
pub mod curate;
mod diagnostics;
pub mod digest;
pub mod instructions;
pub mod join;
mod lessons;
pub mod lexicon;
pub mod markdown;
#[cfg(test)]
mod pairs_tests;
mod patterns;
pub mod policy;
pub mod report;
pub mod selection;
pub mod text;
mod thresholds;
pub mod tools;
mod updates;
mod worthiness;

pub use channels::harness_notice;
pub use curate::{
    DreamError, DreamObserver, DreamOptions, DreamOutput, NoObserver, Stage, dream, dream_observed,
};
pub use digest::{DigestOptions, SessionDigest, digest_session, digest_session_with};
pub use policy::SafetyPolicy;
pub use report::*;
pub use worthiness::malformed_memory;
