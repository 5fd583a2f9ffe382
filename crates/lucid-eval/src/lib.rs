//! # lucid-eval
//!
//! Evaluation fleets for lucid. [`generate`] builds a deterministic synthetic fleet — a memory
//! store, agent-session transcripts in the five transcript formats lucid reads, and curation
//! instructions — together with the [`Truth`] that was planted in it: duplicate store items,
//! look-alike items that must stay apart, facts superseded by later sessions, recurring tool
//! pitfalls and their fixes, identical-retry noise, converged workflows, user preferences with
//! their scope, prompt injections, secrets and temporary notes.
//!
//! Same [`FleetConfig`] → byte-identical output. [`write_fleet_streaming`] writes large fleets
//! (10,000 sessions, gigabytes of transcripts) one transcript at a time.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod fleet;
pub mod real;
pub mod reference;
pub mod score;
pub mod truth;

pub use fleet::{
    FleetConfig, GeneratedFleet, SessionFormat, TranscriptEvent, generate, render_transcript,
    write_fleet, write_fleet_streaming,
};
pub use truth::{
    DuplicateGroup, EvalError, Injection, LookAlike, Pitfall, Preference, RetryNoise, Scope,
    Secret, SessionInfo, StableFact, Supersession, TemporaryNote, Truth, Workflow, read_truth,
};
