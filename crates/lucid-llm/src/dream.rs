//! One dream, end to end, the same for `lucid dream` and the service's workers: the built-in
//! pass over the digests, then — when a model is configured — the model pass on its result.
//! Reading the inputs and writing the output stay with the callers (files for the CLI, the
//! database for the service); everything between is here, once.

use lucid_core::report::SkippedSession;
use lucid_core::{DreamError, DreamObserver, DreamOptions, DreamOutput, SessionDigest, Store};

use crate::engine::{ModelCurator, ModelStatus, PassStats};
use crate::provider::CancelFlag;

/// What a dream produced, and what its model pass amounted to (if it had one).
#[derive(Debug, Clone)]
pub struct DreamRun {
    /// The draft store and report: refined by the model pass when there was one, else the built-in
    /// result.
    pub output: DreamOutput,
    /// What the model pass did; `None` when no model was given.
    pub model: Option<ModelPass>,
}

/// The model pass of a dream.
#[derive(Debug, Clone)]
pub struct ModelPass {
    /// Counts, timings, token usage and cost of the pass.
    pub stats: PassStats,
    /// Whether the model answered all, some or none of the units sent.
    pub status: ModelStatus,
}

/// Why a dream produced nothing.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The built-in pass refused the dream (bad instructions, no usable session, …).
    #[error(transparent)]
    Refused(DreamError),
    /// The dream was canceled; nothing is to be written.
    #[error("the dream was canceled")]
    Canceled,
}

/// Runs a dream: the built-in pass, then the model pass when `model` is given. `observer` hears
/// the built-in stages and may cancel between them; `cancel` stops the model pass's requests;
/// `narrate` hears the model pass's progress.
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is a column or input of one call; a struct would only rename them"
)]
pub fn run_dream(
    store: &Store,
    digests: Vec<SessionDigest>,
    skipped: Vec<SkippedSession>,
    options: &DreamOptions,
    model: Option<&ModelCurator>,
    observer: &mut dyn DreamObserver,
    cancel: &CancelFlag,
    narrate: &(dyn Fn(&str) + Sync),
) -> Result<DreamRun, RunError> {
    // The model pass reads the digests after the built-in pass has consumed its copy.
    let model_digests = model.map(|_| digests.clone());
    let output = match lucid_core::dream_observed(store, digests, skipped, options, observer) {
        Ok(output) => output,
        Err(DreamError::Canceled) => return Err(RunError::Canceled),
        Err(error) => return Err(RunError::Refused(error)),
    };
    if cancel.is_canceled() {
        return Err(RunError::Canceled);
    }
    let (Some(curator), Some(digests)) = (model, model_digests) else {
        return Ok(DreamRun {
            output,
            model: None,
        });
    };
    let refined = crate::refine_blocking(
        curator,
        output,
        &digests,
        options.instructions.as_deref(),
        cancel,
        narrate,
    )
    .map_err(|_| RunError::Canceled)?;
    Ok(DreamRun {
        output: refined.output,
        model: Some(ModelPass {
            stats: refined.stats,
            status: refined.status,
        }),
    })
}
