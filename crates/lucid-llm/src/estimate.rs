//! What a dream will read and cost before it runs (issue 14 §3): sessions and events, how many
//! sessions earlier dreams already read, the model's work units and their estimated tokens and
//! cost, and the limits that would refuse it. The same for `lucid dream --estimate` and the
//! service's `POST /v1/dreams` with `"dry_run": true`; the callers only gather the inputs.
//!
//! The model's requests are planned from the built-in pass's result, so the estimate runs that
//! pass in memory (it is deterministic, fast, and writes nothing) and renders the requests a
//! dream would send — the same bytes, so the same cache keys: a unit the cache already answers
//! costs nothing. No model is called. Input tokens are estimated as the token budget counts
//! them (characters / 4); output tokens are an upper bound (the output limit per request), so
//! the cost is one too.

use lucid_core::report::SkippedSession;
use lucid_core::{DreamError, DreamOptions, SessionDigest, Store};
use serde::Serialize;

use crate::cache::cache_key;
use crate::engine::{ModelCurator, estimate_tokens};
use crate::unit;

/// What to estimate: the inputs a dream would read, gathered by the caller.
pub struct EstimateInput<'a> {
    /// The store the dream would curate.
    pub store: &'a Store,
    /// Digests of the sessions the dream would read.
    pub digests: Vec<SessionDigest>,
    /// Sessions that would be skipped (unreadable, quarantined, not trusted), with the reason.
    pub skipped: Vec<SkippedSession>,
    /// The options the dream would run with; the built-in pass runs with them to plan the model's
    /// units.
    pub options: &'a DreamOptions,
    /// The model pass, when the dream names a model.
    pub model: Option<&'a ModelCurator>,
    /// How many sessions the request names (files found, ids given).
    pub sessions_requested: usize,
    /// The most sessions the caller lets one dream read.
    pub max_sessions: usize,
    /// How many of the sessions earlier dreams already read, when the caller keeps that record
    /// (the service does; a folder dream does not).
    pub already_dreamed: Option<usize>,
    /// Refusals the caller found before estimating (an unknown model, an archived store…).
    pub refusals: Vec<Refusal>,
}

/// A limit or rule that would refuse the dream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// Which limit: `max_sessions`, `instructions`, `no_usable_session`, or the caller's own.
    pub limit: String,
    /// What a person reads: the limit and what went past it.
    pub message: String,
}

/// The model pass a dream would make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEstimate {
    /// `provider:model`.
    pub model: String,
    /// Work units the model pass would plan, those the cache answers included.
    pub work_units: usize,
    /// Units the response cache already answers: no request, no tokens.
    pub cached_units: usize,
    /// Units that would be sent.
    pub requests: usize,
    /// Units past the token budget: they would keep the built-in decision.
    pub over_budget_units: usize,
    /// Estimated input tokens of the requests sent (characters / 4).
    pub input_tokens: u64,
    /// At most this many output tokens (the output limit per request).
    pub output_tokens: u64,
    /// USD per million tokens (input, output), when the price is known (`[prices]` or the
    /// built-in list).
    pub price_per_million: Option<(f64, f64)>,
}

/// What a dream would read and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DreamEstimate {
    /// Sessions the request names.
    pub sessions: usize,
    /// Of those, the ones the dream would read.
    pub sessions_read: usize,
    /// The ones it would skip, with the reason.
    pub sessions_skipped: Vec<SkippedSession>,
    /// Of the sessions named, those an earlier dream already read (`null`: not recorded).
    pub sessions_already_dreamed: Option<usize>,
    /// Events of the sessions read.
    pub events: usize,
    /// Documents in the store the dream would curate.
    pub store_documents: usize,
    /// `builtin`, or the model pass's `provider:model`.
    pub curator: String,
    /// The model pass, when a model is named and the built-in pass would complete.
    pub model_pass: Option<ModelEstimate>,
    /// Upper bound in USD: 0 for the built-in curator, `null` when the model's price is unknown.
    pub estimated_cost_usd: Option<f64>,
    /// The limits that would refuse the dream; empty when it would run.
    pub refusals: Vec<Refusal>,
}

impl DreamEstimate {
    /// Whether the dream would be refused.
    pub fn refused(&self) -> bool {
        !self.refusals.is_empty()
    }
}

/// Estimates a dream without running it.
pub fn estimate_dream(input: EstimateInput<'_>) -> DreamEstimate {
    let EstimateInput {
        store,
        digests,
        skipped,
        options,
        model,
        sessions_requested,
        max_sessions,
        already_dreamed,
        mut refusals,
    } = input;
    if sessions_requested > max_sessions {
        refusals.push(Refusal {
            limit: "max_sessions".into(),
            message: format!(
                "{sessions_requested} sessions given; the limit is {max_sessions} per dream"
            ),
        });
    }
    let sessions_read = digests.len();
    if sessions_requested > 0 && sessions_read == 0 {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{}: {}", s.path, s.reason))
            .collect();
        refusals.push(Refusal {
            limit: "no_usable_session".into(),
            message: format!("no usable session: {}", reasons.join("; ")),
        });
    }
    let events = digests.iter().map(|d| d.events).sum();
    let curator = model.map_or_else(|| "builtin".to_string(), |m| m.endpoint.name());
    let model_digests = model.map(|_| digests.clone());
    let mut model_pass = None;
    match lucid_core::dream(store, digests, skipped.clone(), options) {
        Ok(output) => {
            if let (Some(curator), Some(digests)) = (model, model_digests) {
                model_pass =
                    Some(curator.estimate(&output, &digests, options.instructions.as_deref()));
            }
        }
        Err(error) => refusals.push(Refusal {
            limit: match error {
                DreamError::InstructionsTooLong { .. } => "instructions",
                DreamError::Canceled => "canceled",
            }
            .into(),
            message: error.to_string(),
        }),
    }
    let estimated_cost_usd = match (&model, &model_pass) {
        (None, _) => Some(0.0),
        (Some(_), Some(pass)) => pass.price_per_million.map(|(input, output)| {
            (pass.input_tokens as f64 * input + pass.output_tokens as f64 * output) / 1_000_000.0
        }),
        (Some(_), None) => None,
    };
    DreamEstimate {
        sessions: sessions_requested,
        sessions_read,
        sessions_skipped: skipped,
        sessions_already_dreamed: already_dreamed,
        events,
        store_documents: store.documents.len(),
        curator,
        model_pass,
        estimated_cost_usd,
        refusals,
    }
}

impl ModelCurator {
    /// The requests the model pass would send for this built-in result: planned, rendered and
    /// looked up in the cache exactly as [`ModelCurator::refine`] does, but never sent.
    pub fn estimate(
        &self,
        output: &lucid_core::DreamOutput,
        digests: &[SessionDigest],
        instructions: Option<&str>,
    ) -> ModelEstimate {
        let plan = unit::plan(output, digests, instructions, &self.settings.limits);
        let (wire, model) = (self.endpoint.wire, self.endpoint.model.as_str());
        let max_output = u64::from(self.settings.max_output_tokens);
        let mut estimate = ModelEstimate {
            model: self.endpoint.name(),
            work_units: plan.units.len(),
            cached_units: 0,
            requests: 0,
            over_budget_units: 0,
            input_tokens: 0,
            output_tokens: 0,
            price_per_million: self
                .settings
                .prices
                .price(wire, model)
                .map(|p| (p.input, p.output)),
        };
        let mut reserved = 0u64;
        let mut exhausted = false;
        for text in self.request_bodies(&plan.units, instructions) {
            if self.cache.get(&cache_key(wire, model, &text)).is_some() {
                estimate.cached_units += 1;
                continue;
            }
            let tokens = estimate_tokens(&text);
            if exhausted
                || self
                    .settings
                    .token_budget
                    .is_some_and(|budget| reserved + tokens + max_output > budget)
            {
                exhausted = true;
                estimate.over_budget_units += 1;
                continue;
            }
            reserved += tokens + max_output;
            estimate.requests += 1;
            estimate.input_tokens += tokens;
            estimate.output_tokens += max_output;
        }
        estimate
    }
}
