//! Model-backed curation: any model proposes, the engine verifies.
//!
//! The built-in curator ([`lucid_core::dream`]) runs first and decides everything it can decide
//! exactly. This crate then refines its draft with a model, in three steps:
//!
//! 1. **Propose.** [`unit::plan`] groups what the built-in pass left open into small *work
//!    units* (related draft items that were not merged, statements it dropped, with the few
//!    user sentences that bear on them, the gate's skipped ones included) and adds [`session_unit`]s: compressed per-session
//!    digests (a person's turns, failures and what followed, the outcome; channels marked,
//!    untrusted text fenced) for the lessons no rule sees. The model sees work units, never
//!    transcripts, and answers with structured operations ([`ops`]): `merge`, `supersede`,
//!    `update`, `add`, `drop`, `keep`, through Anthropic tool use or an OpenAI JSON-schema response
//!    format ([`prompt`], [`provider`]); a server that refuses `json_schema` is asked in
//!    `json_object` form with the schema, then for plain JSON with the schema in the prompt,
//!    and the form it accepts is remembered for the rest of the dream ([`format`](mod@format)).
//! 2. **Verify.** [`verify::verify`] checks every operation against its unit: ids exist,
//!    evidence contains the claim's identifiers and quoted terms, an add from a session cites
//!    events of the right channels (a preference what a person typed, a pitfall a failure), a
//!    drop has a ground the engine can check, no secret, no instruction-like or flagged text,
//!    nothing copied from untrusted text into an instruction, supersede goes from older to
//!    newer. Rejected operations go to the report with why.
//! 3. **Apply.** [`apply::apply`] turns what passed into ordinary report changes with evidence
//!    and edits of the draft. **A model's proposal never reaches the draft unverified.**
//!
//! Cost discipline: stable prompt prefixes marked for prompt caching, a per-dream token budget
//! ([`Settings::token_budget`]), and a content-addressed response cache ([`cache`]) keyed by
//! the exact request, so a re-run costs nothing and an incremental dream pays only for units
//! that changed. Usage is the sum of what the provider reported; [`config::PriceTable`] turns
//! it into a cost estimate.
//!
//! ```no_run
//! # async fn example(output: lucid_core::DreamOutput, digests: Vec<lucid_core::SessionDigest>) {
//! use std::sync::Arc;
//! use lucid_llm::{CancelFlag, LlmConfig, ModelCurator, NoCache, Settings, resolve};
//!
//! let config = LlmConfig::default();
//! let env = |name: &str| std::env::var(name).ok();
//! let endpoint = resolve("openai:qwen2.5-14b", &config, Some("http://127.0.0.1:8000/v1"), true, &env)
//!     .expect("a known model")
//!     .expect("not the built-in curator");
//! let curator = ModelCurator::new(endpoint, Settings::from_config(&config), Arc::new(NoCache));
//! let refined = curator
//!     .refine(output, &digests, None, &CancelFlag::new(), &|line| eprintln!("{line}"))
//!     .await
//!     .expect("not canceled");
//! println!("{} operations applied", refined.stats.accepted);
//! # }
//! ```
//!
//! Not for: running the built-in curator (that is `lucid-core`), reading transcripts or stores
//! (`lucid-fs`, the service's storage). The planning, verification and application modules are
//! pure functions; only [`provider`] and [`engine`] do I/O (and [`estimate`], which looks up
//! the response cache to say which work units would cost nothing).

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod apply;
pub mod cache;
pub mod config;
pub mod dream;
pub mod engine;
pub mod estimate;
pub mod format;
pub mod ops;
pub mod prompt;
pub mod provider;
pub mod session_unit;
pub mod unit;
pub mod verify;

pub use cache::{
    DirCache, MemoryCache, NoCache, ResponseCache, cache_key, command_line_cache, default_cache_dir,
};
pub use config::{BUILTIN_NAMES, ConfigError, LlmConfig, Price, PriceTable, resolve};
pub use dream::{DreamRun, ModelPass, RunError, run_dream};
pub use engine::{
    Canceled, ModelCurator, ModelStatus, PassStats, Refined, Settings, estimate_tokens,
};
pub use estimate::{DreamEstimate, EstimateInput, ModelEstimate, Refusal, estimate_dream};
pub use format::ResponseFormat;
pub use prompt::Wire;
pub use provider::{CancelFlag, Endpoint, RetryPolicy};
pub use unit::{Plan, UnitLimits, WorkUnit};

/// Runs [`ModelCurator::refine`] from synchronous code, on a small runtime of its own. Never on
/// the caller's runtime: the service's runtime may be shutting down while a dream's model pass
/// finishes (Ctrl-C), and blocking on a runtime that is shutting down panics; a private runtime
/// lets the pass end cleanly through its cancel flag.
pub fn refine_blocking(
    curator: &ModelCurator,
    output: lucid_core::DreamOutput,
    digests: &[lucid_core::SessionDigest],
    instructions: Option<&str>,
    cancel: &CancelFlag,
    narrate: &(dyn Fn(&str) + Sync),
) -> Result<Refined, Canceled> {
    let work = curator.refine(output, digests, instructions, cancel, narrate);
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(work),
        Err(_) => Err(Canceled),
    }
}
