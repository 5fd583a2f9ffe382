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
use lucid_core::report::{DreamStatus, ModelPassSummary, RejectedOperation, Usage};
use serde_json::{Value, json};

use crate::apply::apply;
use crate::cache::{ResponseCache, cache_key};
use crate::config::{LlmConfig, PriceTable};
use crate::format::{FormatMemory, ResponseFormat, with_format};
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
    /// The output-token limit of each request (default 1024), also counted against the budget per
    /// request.
    pub max_output_tokens: u32,
    /// Timeouts and retries of each request.
    pub retry: RetryPolicy,
    /// Prices for the report's cost estimate.
    pub prices: PriceTable,
    /// How big work units get.
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
    /// These settings, checking every proposed text against a team's safety policy too (its
    /// `[safety] secret_patterns`), besides the built-in secret scanner.
    pub fn with_safety_policy(mut self, policy: lucid_core::SafetyPolicy) -> Settings {
        self.extra_secret = Some(Arc::new(move |text: &str| policy.contains_secret(text)));
        self
    }

    /// These settings with a command line's `--token-budget` and `--concurrency`, when given
    /// (they win over the config file's).
    pub fn with_command_line_limits(
        mut self,
        token_budget: Option<u64>,
        concurrency: Option<u16>,
    ) -> Settings {
        if let Some(budget) = token_budget {
            self.token_budget = Some(budget);
        }
        if let Some(concurrency) = concurrency {
            self.concurrency = usize::from(concurrency).max(1);
        }
        self
    }

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
    /// Work units planned, item and session units together.
    pub units: usize,
    /// Of the units, those holding session digests, and the sessions they cover.
    pub session_units: usize,
    /// Distinct sessions the session units cover.
    pub digested_sessions: usize,
    /// Units answered from the cache (no request, no tokens).
    pub cached: usize,
    /// Units sent to the model.
    pub sent: usize,
    /// Answers received (a malformed answer asked again counts twice).
    pub requests: usize,
    /// HTTP requests made: answers, retries and refused response formats included.
    pub http_requests: usize,
    /// Of them, retries (after 429, 5xx, timeouts), those of calls that failed in the end
    /// included; `retry_waits` has the waits of answered calls only.
    pub http_retries: usize,
    /// Requests the server refused for their response format (then sent in the next form).
    pub format_rejections: usize,
    /// The form answers were asked in: the one the server accepted (see [`crate::format`]).
    pub response_format: Option<ResponseFormat>,
    /// Per answer received, from sending to the answer (retries included).
    pub latencies: Vec<Duration>,
    /// From the first request sent to the last answer.
    pub elapsed: Duration,
    /// Units not sent because the token budget was spent; they keep the built-in decision.
    pub over_budget: usize,
    /// Units whose call failed or was not answered by the deadline; they keep the built-in
    /// decision.
    pub failed: usize,
    /// Units whose answer held no list of operations, also when asked again.
    pub malformed: usize,
    /// Operations that passed verification and were applied.
    pub accepted: usize,
    /// Rejected operations in the report: those verification refused, plus one per malformed
    /// answer.
    pub rejected: usize,
    /// Estimated tokens ([`estimate_tokens`]) of the request bodies sent.
    pub body_tokens_sent: u64,
    /// Delays waited before retries (429/5xx), in order of occurrence per unit.
    pub retry_waits: Vec<Duration>,
    /// Tokens the provider reported for the pass, prompt-cache reads and writes included.
    pub usage: Usage,
    /// Estimated cost in USD, when the model's price is known.
    pub cost_usd: Option<f64>,
}

/// A refined dream.
#[derive(Debug, Clone)]
pub struct Refined {
    /// The refined draft and report (the built-in decision stands wherever the model did not
    /// answer).
    pub output: DreamOutput,
    /// Counts, timings, token usage and cost of the pass.
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
    Partial {
        /// Units whose call failed.
        failed: usize,
        /// The distinct failure messages, joined with `; `.
        reason: String,
    },
    /// Units were sent and none was answered: the draft is the built-in result.
    Failed {
        /// The distinct failure messages, joined with `; `.
        reason: String,
    },
}

/// The dream was canceled during the model pass; nothing should be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the dream was canceled")]
pub struct Canceled;

/// Model-backed curation with one endpoint.
#[derive(Clone)]
pub struct ModelCurator {
    /// The model and where to reach it.
    pub endpoint: Endpoint,
    /// Concurrency, budget, retries, unit limits and deadline of the pass.
    pub settings: Settings,
    /// Answers to earlier requests; a hit costs no request.
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
    /// The body in the first form of the wire format (`json_schema` for OpenAI): what the
    /// cache key is computed from, whatever form the server accepts.
    body: Value,
    key: String,
}

struct Sent {
    index: usize,
    outcome: Result<Outcome, Canceled>,
    usage: Usage,
    requests: usize,
    waits: Vec<Duration>,
    tokens: u64,
    latencies: Vec<Duration>,
    format_rejections: usize,
}

/// What every request of one pass shares.
struct Context<'a> {
    http: Result<&'a reqwest::Client, &'a CallError>,
    cancel: &'a CancelFlag,
    /// Raised after an error every request would repeat.
    stop: &'a CancelFlag,
    fatal: &'a std::sync::Mutex<Option<String>>,
    formats: &'a FormatMemory,
    counters: &'a provider::Counters,
    narrate: &'a (dyn Fn(&str) + Sync),
}

impl Context<'_> {
    fn fatal_message(&self) -> String {
        self.fatal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default()
    }
}

fn proposals(operations: Vec<serde_json::Value>) -> Vec<Proposal> {
    operations.iter().map(parse_operation).collect()
}

impl ModelCurator {
    /// A curator for one endpoint; nothing is sent before [`ModelCurator::refine`].
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
        self.request_values(units, instructions)
            .iter()
            .map(Value::to_string)
            .collect()
    }

    fn request_values(&self, units: &[WorkUnit], instructions: Option<&str>) -> Vec<Value> {
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
            .request_values(&plan.units, instructions)
            .into_iter()
            .enumerate()
        {
            let text = body.to_string();
            let key = cache_key(wire, model, &text);
            if let Some(raw) = self.cache.get(&key)
                && let Ok(operations) = read_answer(wire, &raw).operations
            {
                outcomes[index] = Some(Outcome::Proposals(proposals(operations)));
                stats.cached += 1;
                continue;
            }
            let estimate = estimate_tokens(&text) + max_output;
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
        // A client that cannot be built fails every unit sent, with the reason (`ask`).
        let http = provider::client(&self.settings.retry);
        let stop = CancelFlag::new();
        let fatal: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
        let formats = FormatMemory::default();
        let counters = provider::Counters::default();
        let context = Context {
            http: http.as_ref(),
            cancel,
            stop: &stop,
            fatal: &fatal,
            formats: &formats,
            counters: &counters,
            narrate,
        };
        let total = jobs.len();
        let sent_indices: Vec<usize> = jobs.iter().map(|job| job.index).collect();
        let mut stream = futures_util::stream::iter(jobs.into_iter().map(|job| {
            let context = &context;
            async move { self.send(context, job).await }
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
        stats.elapsed = started.elapsed();
        stats.http_requests = counters.requests();
        stats.http_retries = counters.retries();
        stats.response_format = match wire {
            _ if total == 0 => None,
            crate::prompt::Wire::Anthropic => Some(ResponseFormat::ToolUse),
            crate::prompt::Wire::Openai => formats.accepted(&self.endpoint.url()),
        };
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
            stats.latencies.extend(result.latencies);
            stats.format_rejections += result.format_rejections;
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
        if let Some(format) = stats.response_format
            && (stats.format_rejections > 0 || format != ResponseFormat::first(wire))
        {
            report.notes.push(format!(
                "{name} refused {} request{} for their response format; answers were asked \
                 for in {} ({})",
                stats.format_rejections,
                if stats.format_rejections == 1 {
                    ""
                } else {
                    "s"
                },
                format.describe(),
                format.as_str()
            ));
        }
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
        report.model_pass = Some(summary(&name, &status, &stats));
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
                "{name} answered{}{}: {} operations applied, {} rejected; {} input, {} output, {} \
                 cache-read, {} cache-write tokens.",
                if matches!(status, ModelStatus::Partial { .. }) {
                    " in part"
                } else {
                    ""
                },
                stats
                    .response_format
                    .map_or_else(String::new, |f| format!(" ({})", f.describe())),
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
    async fn send(&self, context: &Context<'_>, job: Job) -> Sent {
        let mut sent = Sent {
            index: job.index,
            outcome: Ok(Outcome::Failed(String::new())),
            usage: Usage::default(),
            requests: 0,
            waits: Vec::new(),
            tokens: 0,
            latencies: Vec::new(),
            format_rejections: 0,
        };
        let wire = self.endpoint.wire;
        let mut first_problem: Option<(String, String)> = None;
        for _ in 0..2 {
            if context.cancel.is_canceled() {
                sent.outcome = Err(Canceled);
                return sent;
            }
            if context.stop.is_canceled() {
                sent.outcome = Ok(Outcome::Failed(context.fatal_message()));
                return sent;
            }
            match self.ask(context, &job.body, &mut sent).await {
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
                // `ask` turns format refusals into other forms or a failure, so a
                // `FormatRefused` here is a failure like the others.
                Err(error) => {
                    let message = error.to_string();
                    if error.is_fatal() {
                        context.stop.cancel();
                        context
                            .fatal
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

    /// One answer to a request body, in the form the server accepts: the form it accepted
    /// earlier in the dream, else the first form of the wire format and, when the server
    /// refuses it, the next ones ([`crate::format`]).
    async fn ask(
        &self,
        context: &Context<'_>,
        body: &Value,
        sent: &mut Sent,
    ) -> Result<provider::RawAnswer, CallError> {
        let name = self.endpoint.name();
        let server = self.endpoint.url();
        let first = ResponseFormat::first(self.endpoint.wire);
        // Until the server has accepted a form, one request at a time finds out which; the
        // others wait here and then use what it found (or probe in turn, if it found nothing).
        let mut _probe = None;
        if first.can_be_refused() && context.formats.accepted(&server).is_none() {
            let guard = tokio::select! {
                guard = context.formats.probe.lock() => guard,
                _ = context.cancel.raised() => return Err(CallError::Canceled),
            };
            if context.stop.is_canceled() {
                return Err(CallError::Stopped {
                    reason: context.fatal_message(),
                });
            }
            if context.formats.accepted(&server).is_none() {
                _probe = Some(guard);
            }
        }
        let mut format = context.formats.form_for(&server, first);
        loop {
            let text = with_format(body, format).to_string();
            sent.tokens += estimate_tokens(&text);
            let probing = context.formats.accepted(&server).is_none();
            let asked = std::time::Instant::now();
            match provider::call(
                context.http.map_err(Clone::clone)?,
                &self.endpoint,
                &text,
                &self.settings.retry,
                context.cancel,
                format.can_be_refused().then_some(probing),
                context.counters,
            )
            .await
            {
                Ok(raw) => {
                    sent.latencies.push(asked.elapsed());
                    if context.formats.remember(&server, format) && format != first {
                        (context.narrate)(&format!(
                            "{name} accepts {}; it is used for the rest of the dream.",
                            format.describe()
                        ));
                    }
                    return Ok(raw);
                }
                Err(CallError::FormatRefused { message }) => {
                    sent.format_rejections += 1;
                    context.formats.refuse(&server, format);
                    match format.fallback() {
                        Some(next) => {
                            (context.narrate)(&format!(
                                "{name} refused {} ({message}); trying {}.",
                                format.describe(),
                                next.describe()
                            ));
                            format = next;
                        }
                        // Every other request would be refused the same way.
                        None => {
                            return Err(CallError::NoFormatAccepted {
                                model: name,
                                last: message,
                            });
                        }
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }
}

/// The report's account of a pass.
fn summary(name: &str, status: &ModelStatus, stats: &PassStats) -> ModelPassSummary {
    let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let total: Duration = stats.latencies.iter().sum();
    let count = u32::try_from(stats.latencies.len()).unwrap_or(u32::MAX);
    ModelPassSummary {
        model: name.to_string(),
        status: match status {
            ModelStatus::Complete => "complete",
            ModelStatus::Partial { .. } => "partial",
            ModelStatus::Failed { .. } => "failed",
        }
        .to_string(),
        response_format: stats.response_format.map(|f| f.as_str().to_string()),
        work_units: stats.units,
        cached: stats.cached,
        sent: stats.sent,
        requests: stats.http_requests,
        answers: stats.requests,
        retries: stats.http_retries,
        format_rejections: stats.format_rejections,
        failed: stats.failed,
        malformed: stats.malformed,
        over_budget: stats.over_budget,
        verified: stats.accepted,
        rejected: stats.rejected,
        elapsed_ms: millis(stats.elapsed),
        latency_ms_mean: if count == 0 { 0 } else { millis(total / count) },
        latency_ms_max: stats.latencies.iter().max().copied().map_or(0, millis),
    }
}

/// Notes that the pass stopped sending after an error no retry can fix.
fn tracing_note(notes: &mut Vec<String>, message: &str) {
    notes.push(format!(
        "stopped sending after an error every request would repeat: {message}"
    ));
}
