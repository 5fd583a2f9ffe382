//! A dream's dry run (`POST /v1/dreams` with `"dry_run": true`, issue 14 §3): the service
//! gathers what the dream would read — the input store, the sessions with their events (each
//! digested exactly as a worker digests it), how many of them completed dreams already read,
//! the model pass its `model` maps to — and `lucid_llm::estimate_dream` does the rest, the same
//! function `lucid dream --estimate` calls. Nothing is created, queued or sent to a model.

use std::collections::BTreeSet;

use lucid_core::DreamOptions;
use lucid_llm::{DreamEstimate, EstimateInput, Refusal};
use lucid_storage::{
    DreamFilter, DreamSession, DreamStatus, NewDream, PageRequest, Storage, StorageError, validate,
};
use serde_json::Value;

use crate::state::AppState;

fn refusal(limit: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        limit: limit.into(),
        message: message.into(),
    }
}

/// The sessions of `ids` that a completed dream of the workspace already read.
fn already_dreamed(storage: &dyn Storage, ws: &str, ids: &[String]) -> Result<usize, StorageError> {
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut dreamed = BTreeSet::new();
    let filter = DreamFilter {
        statuses: vec![DreamStatus::Completed],
        include_archived: true,
        ..DreamFilter::default()
    };
    let mut page = PageRequest::first(100);
    loop {
        let listed = storage.list_dreams(ws, &filter, &page)?;
        for dream in &listed.data {
            for id in dream.session_ids() {
                if wanted.contains(id.as_str()) {
                    dreamed.insert(id.clone());
                }
            }
        }
        match listed.next_page {
            Some(next) => page.page = Some(next),
            None => return Ok(dreamed.len()),
        }
    }
}

/// Estimates the dream `new` describes, for workspace `ws`. `refusals` are those the request
/// itself already shows (limits checked before any storage call).
pub(crate) fn dry_run(
    state: &AppState,
    ws: &str,
    new: &NewDream,
    mut refusals: Vec<Refusal>,
) -> Result<Value, StorageError> {
    let storage = state.storage().clone();
    let safety = state.safety().dreams().clone();
    let documents = match storage.get_store(ws, &new.memory_store_id) {
        Ok(store) => {
            if store.archived_at.is_some() {
                refusals.push(refusal(
                    "memory_store",
                    format!("memory store {} is archived", store.id),
                ));
            }
            storage.store_documents(ws, &store.id)?
        }
        Err(StorageError::NotFound { .. }) => {
            refusals.push(refusal(
                "memory_store",
                format!("memory store {} not found", new.memory_store_id),
            ));
            Vec::new()
        }
        Err(error) => return Err(error),
    };
    let digest_options = lucid_core::DigestOptions {
        safety: safety.clone(),
        ..lucid_core::DigestOptions::default()
    };
    let mut digests = Vec::new();
    let mut skipped = Vec::new();
    for id in &new.session_ids {
        let session = match storage.get_session(ws, id) {
            Ok(session) => session,
            Err(StorageError::NotFound { .. }) => {
                refusals.push(refusal("session", format!("session {id} not found")));
                continue;
            }
            Err(error) => return Err(error),
        };
        if session.kind == lucid_storage::SessionKind::Dream {
            refusals.push(refusal(
                "session",
                format!("session {id} is a dream's narration, not an agent session"),
            ));
            continue;
        }
        // Every event (a backend puts the limit in SQL, so it must fit a signed 64-bit one).
        let (events, _) = storage.events_after(ws, id, 0, i64::MAX as usize)?;
        let agent_name = session
            .agent
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        let input = DreamSession {
            session,
            agent_name,
            events,
        };
        match crate::convert::digest(&input, new.trusted_only, &digest_options) {
            Ok(digest) => digests.push(digest),
            Err(skip) => skipped.push(skip),
        }
    }
    let model = match state
        .config()
        .models
        .curator(&new.model.id, &safety, storage.clone())
    {
        Ok(model) => model,
        Err(message) => {
            refusals.push(refusal("model", message));
            None
        }
    };
    let store = lucid_core::Store::new(
        documents
            .iter()
            .map(|d| lucid_core::StoreDocument {
                path: d.path.clone(),
                content: d.content.clone(),
                updated_at: lucid_core::parse_timestamp(&d.updated_at),
                as_of: d.as_of.as_deref().and_then(lucid_core::parse_timestamp),
            })
            .collect(),
    );
    let options = DreamOptions {
        instructions: new.instructions.clone(),
        curator: "builtin".into(),
        safety,
    };
    let estimate: DreamEstimate = lucid_llm::estimate_dream(EstimateInput {
        store: &store,
        digests,
        skipped,
        options: &options,
        model: model.as_ref(),
        sessions_requested: new.session_ids.len(),
        max_sessions: validate::MAX_DREAM_SESSIONS,
        already_dreamed: Some(already_dreamed(storage.as_ref(), ws, &new.session_ids)?),
        refusals,
    });
    let mut value = serde_json::to_value(&estimate)
        .map_err(|e| StorageError::Backend(format!("cannot serialise an estimate: {e}")))?;
    if let Value::Object(map) = &mut value {
        // The same limit may be found twice (by the request check and by the engine).
        if let Some(Value::Array(found)) = map.get_mut("refusals") {
            let mut seen = BTreeSet::new();
            found.retain(|r| seen.insert(r["limit"].to_string()));
        }
        map.insert("type".into(), "dream_estimate".into());
        map.insert("dry_run".into(), true.into());
        map.insert("memory_store_id".into(), new.memory_store_id.clone().into());
        map.insert("model".into(), new.model.id.clone().into());
        map.insert("would_run".into(), (!estimate.refused()).into());
    }
    Ok(value)
}
