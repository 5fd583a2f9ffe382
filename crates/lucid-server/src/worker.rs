//! Background work: the dream worker pool and the scheduler.
//!
//! A worker claims the oldest pending dream, then runs it on a blocking thread: one transaction
//! starts it (narration session, output store cloned from the input), the engine curates the
//! documents it read, and one transaction writes the result and marks it completed — only if
//! the dream is still running. A dream whose model is configured (see [`crate::models`]) then
//! goes through the model pass, which proposes and verifies on top of the built-in result. A
//! cancel flips the status in its own transaction at once; the engine notices at its next
//! stage, the model pass abandons its in-flight requests within ~20 ms, and the final write is
//! refused, so a canceled dream never writes its output.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lucid_core::report::Op;
use lucid_core::{DreamObserver, DreamOptions, Stage, Store, StoreDocument};
use lucid_storage::{
    Document, Dream, DreamCompletion, DreamErrorObject, DreamUsage, NewEvent, ScheduleTrigger,
    StorageError, ids,
};
use serde_json::{Map, Value, json};
use similar::TextDiff;
use tokio::sync::watch;

use crate::routes::schedules::next_cron_time;
use crate::state::AppState;

/// A narration event: an `agent.message` with the text, tagged with lucid's stage name.
fn narration(stage: &str, text: &str) -> NewEvent {
    let mut event = Map::new();
    event.insert("type".into(), json!("agent.message"));
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event.insert("lucid_stage".into(), json!(stage));
    event
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::ReadingStore => "reading",
        Stage::ReplayingMemoryWrites => "replaying memory writes",
        Stage::CollectingCandidates => "collecting candidates",
        Stage::ApplyingInstructions => "applying instructions",
        Stage::Merging => "merging",
        Stage::Superseding => "superseding",
        Stage::Writing => "writing",
    }
}

/// Narrates the engine's stages into the dream's session and answers its cancel checks.
#[derive(Clone)]
struct Narrator {
    state: AppState,
    dream_id: String,
    cancel: Arc<AtomicBool>,
}

impl Narrator {
    fn say(&self, stage: &str, text: &str) {
        if let Err(error) = self
            .state
            .storage()
            .narrate(&self.dream_id, vec![narration(stage, text)])
        {
            tracing::warn!(dream = %self.dream_id, %error, "cannot narrate");
        }
        self.state.dream_changed(&self.dream_id);
    }
}

impl Narrator {
    /// The configured stage delay, cut short by a cancel.
    fn pause(&self) {
        let delay = self.state.config().stage_delay;
        let started = std::time::Instant::now();
        while started.elapsed() < delay && !self.cancel.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10).min(delay));
        }
    }
}

impl DreamObserver for Narrator {
    fn stage(&mut self, stage: Stage, detail: &str) {
        let name = stage_name(stage);
        let mut label = name.to_string();
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        if detail.trim().is_empty() {
            self.say(name, &format!("{label}."));
        } else {
            self.say(name, &format!("{label}: {detail}"));
        }
        self.pause();
    }

    fn canceled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

fn fail(state: &AppState, dream_id: &str, kind: &str, message: String) {
    tracing::info!(dream = %dream_id, kind, %message, "dream failed");
    if let Err(error) = state.storage().fail_dream(
        dream_id,
        DreamErrorObject {
            kind: kind.into(),
            message,
        },
    ) {
        tracing::error!(dream = %dream_id, %error, "cannot record the failure of a dream");
    }
    state.dream_changed(dream_id);
}

/// Per document: added, removed or changed, with a unified diff (unchanged ones counted).
pub(crate) fn diff_documents(
    dream: &Dream,
    output_store_id: &str,
    input: &[Document],
    output: &Store,
) -> Value {
    let before: std::collections::BTreeMap<&str, &str> = input
        .iter()
        .map(|d| (d.path.as_str(), d.content.as_str()))
        .collect();
    let after: std::collections::BTreeMap<&str, &str> = output
        .documents
        .iter()
        .map(|d| (d.path.as_str(), d.content.as_str()))
        .collect();
    let mut paths: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    paths.sort_unstable();
    paths.dedup();
    let (mut added, mut removed, mut changed, mut unchanged) = (0, 0, 0, 0);
    let mut data = Vec::new();
    for path in paths {
        let (old, new) = (before.get(path).copied(), after.get(path).copied());
        let status = match (old, new) {
            (None, Some(_)) => {
                added += 1;
                "added"
            }
            (Some(_), None) => {
                removed += 1;
                "removed"
            }
            (Some(a), Some(b)) if a != b => {
                changed += 1;
                "changed"
            }
            _ => {
                unchanged += 1;
                continue;
            }
        };
        let text = TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""))
            .unified_diff()
            .context_radius(3)
            .header(
                &if old.is_some() {
                    format!("a{path}")
                } else {
                    "/dev/null".into()
                },
                &if new.is_some() {
                    format!("b{path}")
                } else {
                    "/dev/null".into()
                },
            )
            .to_string();
        data.push(json!({"path": path, "status": status, "diff": text}));
    }
    json!({
        "type": "dream_diff",
        "dream_id": dream.id,
        "input_memory_store_id": dream.memory_store_id(),
        "output_memory_store_id": output_store_id,
        "summary": {"added": added, "removed": removed, "changed": changed, "unchanged": unchanged},
        "data": data,
    })
}

/// Runs one claimed dream to its end (on a blocking thread).
fn execute(state: &AppState, dream: &Dream, cancel: Arc<AtomicBool>) {
    let storage = state.storage().clone();
    let started = match storage.start_dream(&dream.id) {
        Ok(started) => started,
        Err(StorageError::NotFound { kind, id }) => {
            let error_kind = if kind == lucid_storage::ObjectKind::Session {
                "input_session_unavailable"
            } else {
                "input_memory_store_unavailable"
            };
            return fail(
                state,
                &dream.id,
                error_kind,
                format!("input {kind} {id} no longer exists"),
            );
        }
        // Canceled between the claim and the start: nothing to do.
        Err(StorageError::Invalid(_)) => return,
        Err(error) => {
            tracing::error!(dream = %dream.id, %error, "cannot start a dream");
            return fail(
                state,
                &dream.id,
                "internal_error",
                "the dream could not start".into(),
            );
        }
    };
    // From here on the dream's narration session has streams to wake.
    state.set_narration(&dream.id, &started.session_id);
    state.dream_changed(&dream.id);
    let narrator = Narrator {
        state: state.clone(),
        dream_id: dream.id.clone(),
        cancel: cancel.clone(),
    };
    narrator.say(
        "reading",
        &format!(
            "Reading memory store {} ({} documents) and {} sessions; writing to memory store {}.",
            dream.memory_store_id().unwrap_or("?"),
            started.documents.len(),
            dream.session_ids().len(),
            started.output_store_id
        ),
    );
    let inputs = match storage.dream_sessions(&dream.id) {
        Ok(inputs) => inputs,
        Err(StorageError::NotFound { kind, id }) => {
            return fail(
                state,
                &dream.id,
                "input_session_unavailable",
                format!("input {kind} {id} no longer exists"),
            );
        }
        Err(error) => {
            tracing::error!(dream = %dream.id, %error, "cannot read the sessions of a dream");
            return fail(
                state,
                &dream.id,
                "internal_error",
                "the dream could not read its sessions".into(),
            );
        }
    };
    let mut digests = Vec::with_capacity(inputs.len());
    let mut skipped = Vec::new();
    let mut events = 0;
    // The server's policy: its secret patterns and trusted tools; each session's trust.
    let digest_options = lucid_core::DigestOptions {
        safety: state.safety().dreams().clone(),
        ..lucid_core::DigestOptions::default()
    };
    for input in &inputs {
        if cancel.load(Ordering::SeqCst) {
            return;
        }
        match crate::convert::digest(input, dream.trusted_only(), &digest_options) {
            Ok(digest) => {
                events += digest.events;
                digests.push(digest);
            }
            Err(skip) => skipped.push(skip),
        }
    }
    if digests.is_empty() {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{}: {}", s.path, s.reason))
            .collect();
        return fail(
            state,
            &dream.id,
            "no_usable_session",
            format!("no usable session: {}", reasons.join("; ")),
        );
    }
    narrator.say(
        "reading",
        &format!(
            "Read {} sessions ({events} events){}.",
            digests.len(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!("; skipped {}", skipped.len())
            }
        ),
    );
    let store = Store::new(
        started
            .documents
            .iter()
            .map(|d| StoreDocument {
                path: d.path.clone(),
                content: d.content.clone(),
                updated_at: lucid_core::parse_timestamp(&d.updated_at),
                as_of: d.as_of.as_deref().and_then(lucid_core::parse_timestamp),
            })
            .collect(),
    );
    let mut options = DreamOptions {
        instructions: dream.instructions.clone(),
        curator: "builtin".into(),
        ..DreamOptions::default()
    };
    // The server's secret patterns (for store items) and trusted tools.
    options.safety = state.safety().dreams().clone();
    let model = match state.config().models.curator(
        &dream.model.id,
        state.safety().dreams(),
        storage.clone(),
    ) {
        Ok(model) => model,
        // The model was accepted at creation; the config cannot change while the server runs,
        // so this is a dream scheduled before a restart with a different config.
        Err(message) => return fail(state, &dream.id, "invalid_request_error", message),
    };
    let mut observer = narrator;
    let voice = observer.clone();
    let run = match lucid_llm::run_dream(
        &store,
        digests,
        skipped,
        &options,
        model.as_ref(),
        &mut observer,
        &lucid_llm::CancelFlag::from_arc(cancel.clone()),
        &|line| voice.say("model", line),
    ) {
        Ok(run) => run,
        // A cancel through the API already marked the dream canceled; nothing is written. A
        // shutdown that reached its deadline cancels too: that dream fails now, saying why
        // (`fail_dream` leaves an already canceled dream as it is).
        Err(lucid_llm::RunError::Canceled) => {
            if *state.subscribe_shutdown().borrow() {
                fail(
                    state,
                    &dream.id,
                    "internal_error",
                    "the server shut down while the dream ran; run it again".into(),
                );
            }
            return;
        }
        Err(lucid_llm::RunError::Refused(error)) => {
            return fail(state, &dream.id, "invalid_request_error", error.to_string());
        }
    };
    if cancel.load(Ordering::SeqCst) {
        return;
    }
    // A dream that asked for a model whose every request failed is not the dream that was
    // asked for: it fails, unless the config allows falling back to the built-in result.
    if let Some(lucid_llm::ModelPass {
        status: lucid_llm::ModelStatus::Failed { reason },
        ..
    }) = &run.model
        && !state.config().models.allows_fallback()
    {
        return fail(
            state,
            &dream.id,
            "model_pass_failed",
            format!(
                "the model never answered ({reason}); set [llm] allow_fallback = true to keep \
                 the built-in result instead"
            ),
        );
    }
    let output = run.output;
    let report = &output.report;
    let flags = report.changes.iter().filter(|c| c.op == Op::Flag).count();
    observer.say(
        "flagging",
        &format!(
            "Flagging: {flags} item(s) refused (secrets or instruction-like text); they are in \
             the report, never in the output."
        ),
    );
    let diff = diff_documents(
        dream,
        &started.output_store_id,
        &started.documents,
        &output.draft,
    );
    let mut report_json = serde_json::to_value(report).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut report_json {
        // The curator that ran, and the model the request named.
        map.insert("model".into(), json!(dream.model.id));
    }
    let by_op: Vec<String> = report
        .stats
        .changes_by_op
        .iter()
        .map(|(op, n)| format!("{op} {n}"))
        .collect();
    let completion = DreamCompletion {
        documents: output
            .draft
            .documents
            .iter()
            .map(|d| (d.path.clone(), d.content.clone()))
            .collect(),
        report: report_json,
        diff,
        usage: DreamUsage {
            input_tokens: report.usage.input_tokens,
            output_tokens: report.usage.output_tokens,
            cache_read_input_tokens: report.usage.cache_read_input_tokens,
            cache_creation_input_tokens: report.usage.cache_creation_input_tokens,
        },
        curator: report.curator.clone(),
        events: vec![narration(
            "writing",
            &format!(
                "Wrote {} documents ({} items) to memory store {}; changes: {}.",
                report.stats.output_documents,
                report.stats.output_items,
                started.output_store_id,
                if by_op.is_empty() {
                    "none".into()
                } else {
                    by_op.join(", ")
                }
            ),
        )],
    };
    match storage.complete_dream(&dream.id, completion) {
        Ok(true) => tracing::info!(dream = %dream.id, "dream completed"),
        Ok(false) => tracing::info!(dream = %dream.id, "dream ended before it could complete"),
        Err(error) => {
            tracing::error!(dream = %dream.id, %error, "cannot write the result of a dream");
            fail(
                state,
                &dream.id,
                "internal_error",
                "the dream's result could not be written".into(),
            );
        }
    }
    state.dream_changed(&dream.id);
}

/// One dream worker: claims and runs dreams until `stop` turns true (it finishes the dream in
/// hand first; pending dreams stay pending).
pub(crate) async fn dream_worker(state: AppState, mut stop: watch::Receiver<bool>) {
    // Shutdown starts when the server stops accepting: from then on no dream is claimed.
    let mut shutting_down = state.subscribe_shutdown();
    loop {
        if *stop.borrow() || *shutting_down.borrow() {
            return;
        }
        match state.run(|s| s.claim_dream()).await {
            Ok(Some(dream)) => {
                let id = dream.id.clone();
                let cancel = state.register_dream(&id);
                let watcher =
                    tokio::spawn(watch_for_cancel(state.clone(), id.clone(), cancel.clone()));
                let runner = state.clone();
                let outcome =
                    tokio::task::spawn_blocking(move || execute(&runner, &dream, cancel)).await;
                watcher.abort();
                if let Err(error) = outcome {
                    tracing::error!(dream = %id, %error, "a dream's engine panicked");
                    let failed = state.clone();
                    let dream_id = id.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        fail(
                            &failed,
                            &dream_id,
                            "internal_error",
                            "the dream engine failed".into(),
                        )
                    })
                    .await;
                }
                state.unregister_dream(&id);
            }
            Ok(None) => {
                tokio::select! {
                    _ = state.work().notified() => {}
                    _ = stop.changed() => {}
                    _ = shutting_down.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
            Err(error) => {
                tracing::error!(error = %error.message, "cannot claim a dream");
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

/// How often a running dream's status is read back, so a cancel made through another server
/// of a shared database (which flips the status there) stops the engine here within a second.
const CANCEL_CHECK: Duration = Duration::from_millis(400);

/// Raises a running dream's cancel flag once its stored status is no longer `running` (canceled
/// through any server of the database).
async fn watch_for_cancel(state: AppState, dream_id: String, cancel: Arc<AtomicBool>) {
    loop {
        tokio::time::sleep(CANCEL_CHECK).await;
        let id = dream_id.clone();
        if let Ok(status) = state.run(move |s| s.dream_status(&id)).await
            && status != lucid_storage::DreamStatus::Running
        {
            cancel.store(true, Ordering::SeqCst);
            return;
        }
    }
}

/// Fires due schedules: cron times that have come, and session counts reached.
pub(crate) async fn check_schedules(state: &AppState) {
    let schedules = match state.run(|s| s.all_schedules()).await {
        Ok(schedules) => schedules,
        Err(error) => {
            tracing::error!(error = %error.message, "cannot read schedules");
            return;
        }
    };
    let now = ids::now();
    let mut fired = false;
    for schedule in schedules {
        let mut triggers = Vec::new();
        if let (Some(expression), Some(due)) = (&schedule.cron, &schedule.next_run_at)
            && *due <= now
        {
            triggers.push(ScheduleTrigger::Cron {
                due: due.clone(),
                next: next_cron_time(expression).ok().flatten(),
            });
        }
        if schedule.after_sessions.is_some() {
            triggers.push(ScheduleTrigger::Sessions);
        }
        for trigger in triggers {
            let id = schedule.id.clone();
            match state.run(move |s| s.fire_schedule(&id, trigger)).await {
                Ok(Some(dream)) => {
                    tracing::info!(schedule = %schedule.id, dream = %dream.id, "schedule fired");
                    fired = true;
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(schedule = %schedule.id, error = %error.message, "schedule")
                }
            }
        }
    }
    if fired {
        state.wake_workers();
    }
}

pub(crate) async fn scheduler(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        check_schedules(&state).await;
        tokio::select! {
            _ = tokio::time::sleep(state.config().schedule_interval) => {}
            _ = state.schedules().notified() => {}
            _ = stop.changed() => {}
        }
    }
}
