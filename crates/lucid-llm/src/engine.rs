//! The model pass: plan work units → answer them (cache, budget, concurrent requests) →
//! verify every proposed operation → apply what passed → account usage and cost.
//!
//! The pass starts from the built-in curator's finished dream and only refines it: a unit the
//! model does not answer (over budget, failed, canceled before sending, malformed twice) keeps
//! the built-in decision, and the report's notes say how many did.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lucid_core::curate::DreamOutput;
use lucid_core::digest::SessionDigest;
use lucid_core::report::{DreamStatus, RejectedOperation, Usage};
use serde_json::json;

use crate::apply::apply;
use crate::cache::{ResponseCache, cache_key};
use crate::config::{LlmConfig, PriceTable};
use crate::ops::{Proposal, parse_operation};
use crate::prompt::{self, read_answer};
use crate::provider::{self, CallError, CancelFlag, Endpoint, RetryPolicy};
use crate::unit::{self, UnitLimits, WorkUnit};
use crate::verify::{self, Accepted, SecretCheck};

/// Tokens of a text as lucid estimates them before sending: one per four characters, rounded
/// up. Used for the token budget and the benchmark; providers report the real counts.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// How the pass runs.
#[derive(Clone)]
pub struct Settings {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per-dream budget in estimated tokens (request characters / 4 + `max_output_tokens` per
    /// request); units beyond it keep the built-in decision.
    pub token_budget: Option<u64>,
    pub max_output_tokens: u32,
    pub retry: RetryPolicy,
    pub prices: PriceTable,
    pub limits: UnitLimits,
    /// A team's own secret patterns, checked on every proposed text.
    pub extra_secret: Option<SecretCheck>,
    /// The longest the whole model pass may take; units not answered by then keep the
    /// built-in decision and the report says the pass timed out.
    pub deadline: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: 4,
            token_budget: None,
            max_output_tokens: 1024,
            retry: RetryPolicy::default(),
            prices: PriceTable::default(),
            limits: UnitLimits::default(),
            extra_secret: None,
            deadline: Duration::from_secs(600),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("concurrency", &self.concurrency)
            .field("token_budget", &self.token_budget)
            .field("max_output_tokens", &self.max_output_tokens)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Settings {
    /// The defaults, with the config file's `[llm]` and `[prices]` sections applied.
    pub fn from_config(config: &LlmConfig) -> Settings {
        let mut settings = Settings {
            prices: config.prices(),
            ..Settings::default()
        };
        let llm = &config.llm;
        if let Some(budget) = llm.token_budget {
            settings.token_budget = Some(budget);
        }
        if let Some(n) = llm.concurrency {
            settings.concurrency = n.max(1);
        }
        if let Some(seconds) = llm.timeout_seconds {
            settings.retry.timeout = Duration::from_secs(seconds.max(1));
        }
        if let Some(seconds) = llm.deadline_seconds {
            settings.deadline = Duration::from_secs(seconds.max(1));
        }
        if let Some(n) = llm.max_retries {
            settings.retry.max_retries = n;
        }
        if let Some(n) = llm.max_output_tokens {
            settings.max_output_tokens = n.max(64);
        }
        settings
    }
}

/// What a pass did, for the caller's summary and for tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassStats {
    pub units: usize,
    /// Of the units, those holding session digests, and the sessions they cover.
    pub session_units: usize,
    pub digested_sessions: usize,
    /// Units answered from the cache (no request, no tokens).
    pub cached: usize,
    /// Units sent to the model.
    pub sent: usize,
    /// Answers received (a malformed answer asked again counts twice).
    pub requests: usize,
    pub over_budget: usize,
    pub failed: usize,
    pub malformed: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Estimated tokens ([`estimate_tokens`]) of the request bodies sent.
    pub body_tokens_sent: u64,
    /// Delays waited before retries (429/5xx), in order of occurrence per unit.
    pub retry_waits: Vec<Duration>,
    pub usage: Usage,
    /// Estimated cost in USD, when the model's price is known.
    pub cost_usd: Option<f64>,
}

/// A refined dream.
#[derive(Debug, Clone)]
pub struct Refined {
    pub output: DreamOutput,
    pub stats: PassStats,
    /// Whether the model contributed: a pass whose every request failed is not a model-backed
    /// dream, whatever the configuration asked for.
    pub status: ModelStatus,
}

/// What the model pass amounted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelStatus {
    /// Every unit sent was answered (or nothing needed sending).
    Complete,
    /// Some units were answered, `failed` were not (they keep the built-in decision).
    Partial { failed: usize, reason: String },
    /// Units were sent and none was answered: the draft is the built-in result.
    Failed { reason: String },
}

/// The dream was canceled during the model pass; nothing should be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the dream was canceled")]
pub struct Canceled;

/// Model-backed curation with one endpoint.
#[derive(Clone)]
pub struct ModelCurator {
    pub endpoint: Endpoint,
    pub settings: Settings,
    pub cache: Arc<dyn ResponseCache>,
}

/// How one unit was answered.
enum Outcome {
    Proposals(Vec<Proposal>),
    Malformed { answer: String, reason: String },
    OverBudget,
    Failed(String),
}

struct Job {
    index: usize,
    body: String,
    key: String,
}

struct Sent {
    index: usize,
    outcome: Result<Outcome, Canceled>,
    usage: Usage,
    requests: usize,
    waits: Vec<Duration>,
    tokens: u64,
}

fn proposals(operations: Vec<serde_json::Value>) -> Vec<Proposal> {
    operations.iter().map(parse_operation).collect()
}

impl ModelCurator {
    pub fn new(endpoint: Endpoint, settings: Settings, cache: Arc<dyn ResponseCache>) -> Self {
        ModelCurator {
            endpoint,
            settings,
            cache,
        }
    }

    /// The request bodies of a planned dream, in unit order (what would be sent without a
    /// cache or budget): for the benchmark and for snapshot tests.
    pub fn request_bodies(&self, units: &[WorkUnit], instructions: Option<&str>) -> Vec<String> {
        units
            .iter()
            .map(|unit| {
                prompt::request_body(
                    self.endpoint.wire,
                    &self.endpoint.model,
                    unit,
                    instructions,
                    self.settings.max_output_tokens,
                )
                .to_string()
            })
            .collect()
    }

    /// Refines a built-in dream. `narrate` hears a line when the pass starts and ends.
    pub async fn refine(
        &self,
        mut output: DreamOutput,
        digests: &[SessionDigest],
        instructions: Option<&str>,
        cancel: &CancelFlag,
        narrate: &(dyn Fn(&str) + Sync),
    ) -> Result<Refined, Canceled> {
        let mut stats = PassStats::default();
        if output.report.status != DreamStatus::Completed {
            return Ok(Refined {
                output,
                stats,
                status: ModelStatus::Complete,
            });
        }
        let name = self.endpoint.name();
        let plan = unit::plan(&output, digests, instructions, &self.settings.limits);
        stats.units = plan.units.len();
        stats.session_units = plan.units.iter().filter(|u| u.is_session_unit()).count();
        stats.digested_sessions = plan
            .units
            .iter()
            .flat_map(|u| u.events.iter().map(|e| e.session.as_str()))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let (wire, model) = (self.endpoint.wire, self.endpoint.model.as_str());
        let max_output = u64::from(self.settings.max_output_tokens);

        // Cache and budget, in unit order: which units are answered, which are sent.
        let mut outcomes: Vec<Option<Outcome>> = (0..plan.units.len()).map(|_| None).collect();
        let mut jobs = Vec::new();
        let mut reserved = 0u64;
        let mut exhausted = false;
        for (index, body) in self
            .request_bodies(&plan.units, instructions)
            .into_iter()
            .enumerate()
        {
            let key = cache_key(wire, model, &body);
            if let Some(raw) = self.cache.get(&key)
                && let Ok(operations) = read_answer(wire, &raw).operations
            {
                outcomes[index] = Some(Outcome::Proposals(proposals(operations)));
                stats.cached += 1;
                continue;
            }
            let estimate = estimate_tokens(&body) + max_output;
            if exhausted
                || self
                    .settings
                    .token_budget
                    .is_some_and(|budget| reserved + estimate > budget)
            {
                // The budget is spent: this unit and every later one keep the built-in decision.
                exhausted = true;
                outcomes[index] = Some(Outcome::OverBudget);
                stats.over_budget += 1;
                continue;
            }
            reserved += estimate;
            jobs.push(Job { index, body, key });
        }
        stats.sent = jobs.len();
        narrate(&format!(
            "Consulting {name}: {} work units ({} of them digests of {} sessions), {} answered \
             from the cache, {} to send{}.",
            stats.units,
            stats.session_units,
            stats.digested_sessions,
            stats.cached,
            stats.sent,
            if stats.over_budget > 0 {
                format!(", {} over the token budget", stats.over_budget)
            } else {
                String::new()
            }
        ));

        // Send, at most `concurrency` at once.
        let http = provider::client(&self.settings.retry);
        let stop = CancelFlag::new();
        let fatal: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
        let total = jobs.len();
        let sent_indices: Vec<usize> = jobs.iter().map(|job| job.index).collect();
        let mut stream = futures_util::stream::iter(jobs.into_iter().map(|job| {
            let (http, stop, fatal) = (&http, &stop, &fatal);
            async move { self.send(http, job, cancel, stop, fatal).await }
        }))
        .buffer_unordered(self.settings.concurrency.max(1));
        // Collect answers until all are in or the deadline passes, telling whoever watches how
        // far the pass is every few seconds (a silent wait looks like a hang).
        let started = tokio::time::Instant::now();
        let deadline = started + self.settings.deadline;
        let in_flight = self.settings.concurrency.max(1);
        let mut sent: Vec<Sent> = Vec::with_capacity(total);
        let mut timed_out = false;
        while sent.len() < total {
            let tick = (tokio::time::Instant::now() + Duration::from_secs(15)).min(deadline);
            match tokio::time::timeout_at(tick, stream.next()).await {
                Ok(Some(result)) => {
                    sent.push(result);
                    narrate(&format!(
                        "{name}: {}/{total} work units answered, {} in flight.",
                        sent.len(),
                        (total - sent.len()).min(in_flight)
                    ));
                }
                Ok(None) => break,
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    timed_out = true;
                    break;
                }
                Err(_) => narrate(&format!(
                    "waiting for {name}: {}/{total} work units answered, {} in flight, {} s so far.",
                    sent.len(),
                    (total - sent.len()).min(in_flight),
                    started.elapsed().as_secs()
                )),
            }
        }
        // Whatever is still in flight is dropped (its requests end with it).
        drop(stream);
        if cancel.is_canceled() {
            return Err(Canceled);
        }
        if timed_out {
            let message = format!(
                "the model pass timed out after {} s (the deadline; `--model-timeout` or [llm] \
                 deadline_seconds)",
                self.settings.deadline.as_secs()
            );
            let answered: std::collections::BTreeSet<usize> =
                sent.iter().map(|s| s.index).collect();
            for index in sent_indices {
                if !answered.contains(&index) {
                    outcomes[index] = Some(Outcome::Failed(message.clone()));
                }
            }
        }
        let mut usage = Usage::default();
        for result in sent {
            usage.add(&result.usage);
            stats.requests += result.requests;
            stats.retry_waits.extend(result.waits);
            stats.body_tokens_sent += result.tokens;
            outcomes[result.index] = Some(result.outcome?);
        }

        // Verify every answer, in unit order.
        let mut rejected: Vec<RejectedOperation> = Vec::new();
        let mut decisions: Vec<(&WorkUnit, Vec<Accepted>)> = Vec::new();
        let mut failures: Vec<String> = Vec::new();
        let mut earlier = verify::DreamAdds::default();
        for (unit, outcome) in plan.units.iter().zip(outcomes) {
            match outcome {
                Some(Outcome::Proposals(proposals)) => {
                    let verdicts = verify::verify_in_dream(
                        unit,
                        &plan,
                        proposals,
                        self.settings.extra_secret.as_ref(),
                        &mut earlier,
                    );
                    stats.accepted += verdicts.accepted.len();
                    rejected.extend(verdicts.rejected);
                    decisions.push((unit, verdicts.accepted));
                }
                Some(Outcome::Malformed { answer, reason }) => {
                    stats.malformed += 1;
                    rejected.push(RejectedOperation {
                        operation: json!({ "answer": prompt::excerpt(&answer, 500) }),
                        reason: format!(
                            "malformed model answer, also when asked again: {reason}; the work \
                             unit keeps the built-in decision"
                        ),
                        work_unit: Some(unit.id.clone()),
                    });
                }
                Some(Outcome::Failed(message)) => {
                    stats.failed += 1;
                    if !failures.contains(&message) {
                        failures.push(message);
                    }
                }
                Some(Outcome::OverBudget) | None => {}
            }
        }
        stats.rejected = rejected.len();
        apply(&mut output, &decisions, &name);

        // Did the model contribute? Units answered from the cache count as answers.
        let answered = stats.cached + stats.sent.saturating_sub(stats.failed);
        let status = if stats.failed == 0 {
            ModelStatus::Complete
        } else if answered == 0 {
            ModelStatus::Failed {
                reason: failures.join("; "),
            }
        } else {
            ModelStatus::Partial {
                failed: stats.failed,
                reason: failures.join("; "),
            }
        };
        let report = &mut output.report;
        report.curator = match &status {
            ModelStatus::Complete => name.clone(),
            ModelStatus::Partial { failed, .. } => format!(
                "{name} (partial: {failed} of {} work units kept the built-in decision)",
                stats.units
            ),
            ModelStatus::Failed { reason } => {
                format!("builtin ({name} did not answer: {reason})")
            }
        };
        report.usage.add(&usage);
        report.rejected.extend(rejected);
        report.notes.push(format!(
            "model pass with {name}: {} work units ({} of them digests of {} sessions); {} \
             answered from the cache (no tokens), {} sent ({} answers received); {} operations \
             applied, {} rejected",
            stats.units,
            stats.session_units,
            stats.digested_sessions,
            stats.cached,
            stats.sent,
            stats.requests,
            stats.accepted,
            stats.rejected
        ));
        if stats.over_budget > 0 {
            report.notes.push(format!(
                "token budget of {} tokens reached (requests are estimated before sending at one \
                 token per 4 characters plus {} output tokens): {} work unit{} kept the built-in \
                 decision",
                self.settings.token_budget.unwrap_or(0),
                self.settings.max_output_tokens,
                stats.over_budget,
                if stats.over_budget == 1 { "" } else { "s" }
            ));
        }
        if stats.failed > 0 {
            report.notes.push(format!(
                "{} work unit{} kept the built-in decision because the model call failed: {}",
                stats.failed,
                if stats.failed == 1 { "" } else { "s" },
                failures.join("; ")
            ));
        }
        if let Some(message) = fatal.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            tracing_note(&mut report.notes, &message);
        }
        stats.usage = usage;
        match self.settings.prices.price(wire, model) {
            Some(price) => {
                let cost = price.cost(&report.usage);
                stats.cost_usd = Some(cost);
                report.estimated_cost_usd = Some(cost);
                report.notes.push(format!(
                    "estimated cost: ${cost:.4} ({} input, {} output, {} cache-read and {} \
                     cache-write tokens at ${}/${}/${}/${} per million)",
                    report.usage.input_tokens,
                    report.usage.output_tokens,
                    report.usage.cache_read_input_tokens,
                    report.usage.cache_creation_input_tokens,
                    price.input,
                    price.output,
                    price.cache_read.unwrap_or(price.input),
                    price.cache_write.unwrap_or(price.input),
                ));
            }
            None => report.notes.push(format!(
                "no price known for {model}: add [prices.\"{model}\"] to the config file for a \
                 cost estimate"
            )),
        }
        match &status {
            ModelStatus::Failed { reason } => narrate(&format!(
                "{name} did not answer ({reason}); the built-in result stands."
            )),
            _ => narrate(&format!(
                "{name} answered{}: {} operations applied, {} rejected; {} input, {} output, {} \
                 cache-read, {} cache-write tokens.",
                if matches!(status, ModelStatus::Partial { .. }) {
                    " in part"
                } else {
                    ""
                },
                stats.accepted,
                stats.rejected,
                report.usage.input_tokens,
                report.usage.output_tokens,
                report.usage.cache_read_input_tokens,
                report.usage.cache_creation_input_tokens
            )),
        }
        Ok(Refined {
            output,
            stats,
            status,
        })
    }

    /// Sends one unit's request: a malformed answer is asked again once.
    async fn send(
        &self,
        http: &reqwest::Client,
        job: Job,
        cancel: &CancelFlag,
        stop: &CancelFlag,
        fatal: &std::sync::Mutex<Option<String>>,
    ) -> Sent {
        let mut sent = Sent {
            index: job.index,
            outcome: Ok(Outcome::Failed(String::new())),
            usage: Usage::default(),
            requests: 0,
            waits: Vec::new(),
            tokens: 0,
        };
        let wire = self.endpoint.wire;
        let mut first_problem: Option<(String, String)> = None;
        for _ in 0..2 {
            if cancel.is_canceled() {
                sent.outcome = Err(Canceled);
                return sent;
            }
            if stop.is_canceled() {
                let message = fatal
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
                    .unwrap_or_default();
                sent.outcome = Ok(Outcome::Failed(message));
                return sent;
            }
            sent.tokens += estimate_tokens(&job.body);
            match provider::call(
                http,
                &self.endpoint,
                &job.body,
                &self.settings.retry,
                cancel,
            )
            .await
            {
                Ok(raw) => {
                    sent.requests += 1;
                    sent.waits.extend(raw.waits);
                    let answer = read_answer(wire, &raw.body);
                    sent.usage.add(&answer.usage);
                    match answer.operations {
                        Ok(operations) => {
                            self.cache.put(&job.key, &raw.body);
                            sent.outcome = Ok(Outcome::Proposals(proposals(operations)));
                            return sent;
                        }
                        Err(reason) => {
                            first_problem.get_or_insert((answer.said, reason));
                        }
                    }
                }
                Err(CallError::Canceled) => {
                    sent.outcome = Err(Canceled);
                    return sent;
                }
                Err(CallError::Failed {
                    message,
                    fatal: is_fatal,
                }) => {
                    if is_fatal {
                        stop.cancel();
                        fatal
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(message.clone());
                    }
                    sent.outcome = Ok(Outcome::Failed(message));
                    return sent;
                }
            }
        }
        let (answer, reason) = first_problem.unwrap_or_default();
        sent.outcome = Ok(Outcome::Malformed { answer, reason });
        sent
    }
}

/// Notes that the pass stopped sending after an error no retry can fix.
fn tracing_note(notes: &mut Vec<String>, message: &str) {
    notes.push(format!(
        "stopped sending after an error every request would repeat: {message}"
    ));
}
