//! lucid's core: the data model (sessions, memory stores, dreams) and the deterministic curator.
//!
//! Architecture invariant: this crate does no I/O and needs no async runtime. Callers hand it
//! parsed sessions and store documents and get back a draft store and a report.

pub mod model;

pub use model::*;
