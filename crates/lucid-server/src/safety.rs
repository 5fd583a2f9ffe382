//! The service's safety: what it redacts before writing, and the policy its dreams run under.
//!
//! Architecture invariant: **the service never persists a raw secret in a session event.**
//! [`Redacting`] wraps the storage every handler and worker uses; each write that carries
//! session or dream text (events appended or given on create and import, narration, a dream's
//! output documents, report and diff, a failure message) has every JSON string (keys included)
//! redacted with the server's policy first: the built-in secret patterns plus the
//! `[safety] secret_patterns` of the server's config file. Reads then return what was stored,
//! so the API, the event stream and the database file never hold the raw secret.
//!
//! A session's own fields are redacted the same way: its title, `metadata` (keys and values),
//! `environment_id` and `resources` (every string), on create, import and update.
//!
//! Not redacted: memories written through the memories API (user-authored; a dream reading a
//! store item with a secret flags it and leaves it out of its output instead), agent and store
//! fields, and dream instructions.

use std::sync::Arc;

use lucid_core::SafetyPolicy;
use lucid_safety::SafetyError;
use lucid_storage::*;
use serde_json::{Map, Value};

/// The marker redaction leaves in stored text (`sk-ant-…[redacted]`).
const REDACTED_MARKER: &str = "…[redacted]";

/// What a marker becomes when a dream reads stored events: a token the dreams' policy counts
/// as a secret (the redactor never re-matches its own marker), so a statement or memory write
/// that held a secret is flagged and never stored — the outcome the raw secret would have had.
/// Redacting the token gives the marker back.
const SECRET_SENTINEL: &str = "LUCID-REDACTED-SECRET";

/// Stored event text as a dream reads it: redaction markers become [`SECRET_SENTINEL`].
pub(crate) fn mark_redacted_secrets(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(REDACTED_MARKER) {
        std::borrow::Cow::Owned(text.replace(REDACTED_MARKER, SECRET_SENTINEL))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The server's safety settings (`[safety]` of the config file), as two policies.
#[derive(Debug, Clone)]
pub struct Safety {
    /// What writes are redacted with.
    events: SafetyPolicy,
    /// What dreams run under: the same patterns and trusted tools, plus earlier redactions
    /// counted as secrets (see [`SECRET_SENTINEL`]).
    dreams: SafetyPolicy,
}

impl Safety {
    /// Extra secret patterns (regular expressions, redacted like the built-in ones) and tools
    /// whose results are trusted like the agent's own actions. Fails on a pattern that does not
    /// compile.
    pub fn new(
        secret_patterns: Vec<String>,
        trusted_tools: Vec<String>,
    ) -> std::result::Result<Safety, SafetyError> {
        let events = SafetyPolicy::new(secret_patterns.clone(), trusted_tools.clone())?;
        let mut dream_patterns = secret_patterns;
        dream_patterns.push(SECRET_SENTINEL.to_string());
        let dreams = SafetyPolicy::new(dream_patterns, trusted_tools)?;
        Ok(Safety { events, dreams })
    }

    /// The same settings, redacting personal e-mail addresses too when `on` (the `[safety]`
    /// option `redact_personal_data`), in stored events and in what dreams write.
    pub fn with_personal_data_redaction(
        self,
        on: bool,
    ) -> std::result::Result<Safety, SafetyError> {
        Ok(Safety {
            events: self.events.with_personal_data_redaction(on)?,
            dreams: self.dreams.with_personal_data_redaction(on)?,
        })
    }

    /// The policy writes are redacted with.
    pub fn events(&self) -> &SafetyPolicy {
        &self.events
    }

    /// The policy dreams run under (digest and curation).
    pub fn dreams(&self) -> &SafetyPolicy {
        &self.dreams
    }
}

impl Default for Safety {
    fn default() -> Self {
        // Only the sentinel is compiled here, and it is a valid pattern.
        Safety::new(Vec::new(), Vec::new()).unwrap_or_else(|_| Safety {
            events: SafetyPolicy::default(),
            dreams: SafetyPolicy::default(),
        })
    }
}

/// Redacts one string in place (no allocation when it holds no secret).
fn redact_string(policy: &SafetyPolicy, text: &mut String) {
    let redacted = policy.redact(text);
    if !redacted.findings.is_empty() {
        *text = redacted.text.into_owned();
    }
}

/// Redacts every string of a JSON value, object keys included.
pub fn redact_value(policy: &SafetyPolicy, value: &mut Value) {
    match value {
        Value::String(text) => redact_string(policy, text),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(policy, v)),
        Value::Object(map) => redact_map(policy, map),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Redacts every string of a JSON object, keys included.
pub fn redact_map(policy: &SafetyPolicy, map: &mut Map<String, Value>) {
    let keys_clean = map.keys().all(|key| !policy.contains_secret(key));
    if keys_clean {
        map.values_mut().for_each(|v| redact_value(policy, v));
        return;
    }
    // A secret in a key: rebuild the object (rare), keeping the order.
    let entries = std::mem::take(map);
    for (mut key, mut value) in entries {
        redact_string(policy, &mut key);
        redact_value(policy, &mut value);
        map.insert(key, value);
    }
}

/// The storage the server uses: every write of session or dream text is redacted first.
pub struct Redacting {
    inner: Arc<dyn Storage>,
    policy: SafetyPolicy,
}

impl Redacting {
    /// Wraps `inner` so that session and dream text is redacted under `policy` before every write.
    pub fn new(inner: Arc<dyn Storage>, policy: SafetyPolicy) -> Redacting {
        Redacting { inner, policy }
    }

    fn events(&self, events: &mut [NewEvent]) {
        for event in events {
            redact_map(&self.policy, event);
        }
    }

    fn text(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            redact_string(&self.policy, text);
        }
    }

    /// Redacts metadata keys and values (a key holding a secret is replaced by its redaction).
    fn metadata<V>(
        &self,
        metadata: &mut std::collections::BTreeMap<String, V>,
        value: impl Fn(&mut V, &SafetyPolicy),
    ) {
        let keys_clean = metadata.keys().all(|key| !self.policy.contains_secret(key));
        if keys_clean {
            metadata.values_mut().for_each(|v| value(v, &self.policy));
            return;
        }
        let entries = std::mem::take(metadata);
        for (mut key, mut v) in entries {
            redact_string(&self.policy, &mut key);
            value(&mut v, &self.policy);
            metadata.insert(key, v);
        }
    }
}

/// Methods that only pass through.
macro_rules! delegate {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            self.inner.$name($($arg),*)
        })*
    };
}

impl Storage for Redacting {
    fn create_session(&self, ws: &str, mut new: NewSession) -> Result<Session> {
        self.events(&mut new.events);
        self.text(&mut new.title);
        self.text(&mut new.environment_id);
        self.metadata(&mut new.metadata, |v, policy| redact_string(policy, v));
        new.resources
            .iter_mut()
            .for_each(|resource| redact_value(&self.policy, resource));
        if let Some(source) = &mut new.source {
            redact_value(&self.policy, source);
        }
        self.inner.create_session(ws, new)
    }

    fn update_session(&self, ws: &str, id: &str, mut patch: SessionPatch) -> Result<Session> {
        if let Some(title) = &mut patch.title {
            self.text(title);
        }
        if let Some(metadata) = &mut patch.metadata {
            self.metadata(metadata, |v, policy| {
                if let Some(v) = v {
                    redact_string(policy, v);
                }
            });
        }
        self.inner.update_session(ws, id, patch)
    }

    fn append_events(
        &self,
        ws: &str,
        session_id: &str,
        mut events: Vec<NewEvent>,
    ) -> Result<Vec<SessionEvent>> {
        self.events(&mut events);
        self.inner.append_events(ws, session_id, events)
    }

    fn narrate(&self, dream_id: &str, mut events: Vec<NewEvent>) -> Result<()> {
        self.events(&mut events);
        self.inner.narrate(dream_id, events)
    }

    fn complete_dream(&self, dream_id: &str, mut completion: DreamCompletion) -> Result<bool> {
        for (_, content) in &mut completion.documents {
            redact_string(&self.policy, content);
        }
        redact_value(&self.policy, &mut completion.report);
        redact_value(&self.policy, &mut completion.diff);
        self.events(&mut completion.events);
        self.inner.complete_dream(dream_id, completion)
    }

    fn promote_reviewed_dream(
        &self,
        ws: &str,
        id: &str,
        mut promotion: ReviewedPromotion,
    ) -> Result<Promotion> {
        // The same documents a dream's output would hold: redacted like them.
        for (_, content) in &mut promotion.base {
            redact_string(&self.policy, content);
        }
        for step in &mut promotion.steps {
            for content in step.documents.iter_mut().filter_map(|(_, c)| c.as_mut()) {
                redact_string(&self.policy, content);
            }
        }
        self.inner.promote_reviewed_dream(ws, id, promotion)
    }

    fn fail_dream(&self, dream_id: &str, mut error: DreamErrorObject) -> Result<bool> {
        redact_string(&self.policy, &mut error.message);
        self.inner.fail_dream(dream_id, error)
    }

    delegate! {
        fn health(&self) -> Result<BackendHealth>;
        fn follow_changes(&self, on_change: ChangeListener) -> Result<bool>;
        fn take_rate_token(&self, holder: &str, rate: BucketRate) -> Result<Option<RateToken>>;
        fn ensure_workspace(&self, name: &str) -> Result<Workspace>;
        fn create_api_key(&self, workspace_name: &str, key_name: Option<&str>) -> Result<(ApiKey, String)>;
        fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>>;
        fn count_api_keys(&self) -> Result<u64>;
        fn list_api_keys(&self) -> Result<Vec<ApiKey>>;
        fn revoke_api_key(&self, id: &str) -> Result<ApiKey>;
        fn create_store(&self, ws: &str, new: NewStore) -> Result<MemoryStore>;
        fn get_store(&self, ws: &str, id: &str) -> Result<MemoryStore>;
        fn list_stores(&self, ws: &str, filter: &StoreFilter, page: &PageRequest) -> Result<Page<MemoryStore>>;
        fn update_store(&self, ws: &str, id: &str, patch: StorePatch) -> Result<MemoryStore>;
        fn archive_store(&self, ws: &str, id: &str) -> Result<MemoryStore>;
        fn delete_store(&self, ws: &str, id: &str) -> Result<()>;
        fn create_memory(&self, ws: &str, store_id: &str, path: &str, content: &str, actor: Option<&Actor>) -> Result<Memory>;
        fn get_memory(&self, ws: &str, store_id: &str, memory_id: &str, full: bool) -> Result<Memory>;
        fn list_memories(&self, ws: &str, store_id: &str, filter: &MemoryFilter, page: &PageRequest) -> Result<Page<MemoryListItem>>;
        fn update_memory(&self, ws: &str, store_id: &str, memory_id: &str, patch: MemoryPatch, actor: Option<&Actor>) -> Result<Memory>;
        fn delete_memory(&self, ws: &str, store_id: &str, memory_id: &str, expected_sha256: Option<&str>, actor: Option<&Actor>) -> Result<()>;
        fn set_memory_as_of(&self, ws: &str, store_id: &str, memory_id: &str, as_of: Option<&str>) -> Result<()>;
        fn get_memory_version(&self, ws: &str, store_id: &str, version_id: &str, full: bool) -> Result<MemoryVersion>;
        fn list_memory_versions(&self, ws: &str, store_id: &str, filter: &VersionFilter, page: &PageRequest) -> Result<Page<MemoryVersion>>;
        fn redact_memory_version(&self, ws: &str, store_id: &str, version_id: &str, actor: Option<&Actor>) -> Result<MemoryVersion>;
        fn store_documents(&self, ws: &str, store_id: &str) -> Result<Vec<Document>>;
        fn memory_at_path(&self, ws: &str, store_id: &str, path: &str) -> Result<Option<Memory>>;
        fn search_memories(&self, ws: &str, store_id: &str, query: &str, limit: usize) -> Result<Vec<MemorySearchHit>>;
        fn create_agent(&self, ws: &str, new: NewAgent) -> Result<Agent>;
        fn get_agent(&self, ws: &str, id: &str) -> Result<Agent>;
        fn find_agent_by_name(&self, ws: &str, name: &str) -> Result<Option<Agent>>;
        fn list_agents(&self, ws: &str, filter: &AgentFilter, page: &PageRequest) -> Result<Page<Agent>>;
        fn update_agent(&self, ws: &str, id: &str, patch: AgentPatch) -> Result<Agent>;
        fn archive_agent(&self, ws: &str, id: &str) -> Result<Agent>;
        fn rollback_agent(&self, ws: &str, id: &str) -> Result<Agent>;
        fn list_agent_versions(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<Value>>;
        fn get_session(&self, ws: &str, id: &str) -> Result<Session>;
        fn list_sessions(&self, ws: &str, filter: &SessionFilter, page: &PageRequest) -> Result<Page<Session>>;
        fn archive_session(&self, ws: &str, id: &str) -> Result<Session>;
        fn delete_session(&self, ws: &str, id: &str) -> Result<()>;
        fn list_events(&self, ws: &str, session_id: &str, filter: &EventFilter, page: &PageRequest) -> Result<Page<SessionEvent>>;
        fn events_after(&self, ws: &str, session_id: &str, after: i64, limit: usize) -> Result<(Vec<SessionEvent>, bool)>;
        fn event_position(&self, ws: &str, session_id: &str, event_id: &str) -> Result<Option<i64>>;
        fn create_dream(&self, ws: &str, new: NewDream) -> Result<Dream>;
        fn get_dream(&self, ws: &str, id: &str) -> Result<Dream>;
        fn list_dreams(&self, ws: &str, filter: &DreamFilter, page: &PageRequest) -> Result<Page<Dream>>;
        fn cancel_dream(&self, ws: &str, id: &str) -> Result<Dream>;
        fn archive_dream(&self, ws: &str, id: &str) -> Result<Dream>;
        fn dream_report(&self, ws: &str, id: &str) -> Result<Option<Value>>;
        fn dream_diff(&self, ws: &str, id: &str) -> Result<Option<Value>>;
        fn promote_dream(&self, ws: &str, id: &str, agent_ids: &[String], accept_flags: bool) -> Result<Promotion>;
        fn dream_input_documents(&self, ws: &str, id: &str) -> Result<Option<Vec<(String, String)>>>;
        fn discard_dream(&self, ws: &str, id: &str) -> Result<Dream>;
        fn claim_dream(&self) -> Result<Option<Dream>>;
        fn start_dream(&self, dream_id: &str) -> Result<StartedDream>;
        fn dream_sessions(&self, dream_id: &str) -> Result<Vec<DreamSession>>;
        fn recover_dreams(&self) -> Result<Vec<String>>;
        fn dream_status(&self, dream_id: &str) -> Result<DreamStatus>;
        fn create_schedule(&self, ws: &str, new: NewSchedule) -> Result<Schedule>;
        fn get_schedule(&self, ws: &str, id: &str) -> Result<Schedule>;
        fn list_schedules(&self, ws: &str, page: &PageRequest) -> Result<Page<Schedule>>;
        fn delete_schedule(&self, ws: &str, id: &str) -> Result<()>;
        fn all_schedules(&self) -> Result<Vec<Schedule>>;
        fn fire_schedule(&self, schedule_id: &str, trigger: ScheduleTrigger) -> Result<Option<Dream>>;
        fn cached_model_response(&self, key: &str) -> Result<Option<String>>;
        fn cache_model_response(&self, key: &str, answer: &str) -> Result<()>;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "sk-ant-api03-FAKEfakeFAKEfake0000000000000000000000AA";

    #[test]
    fn every_string_and_key_is_redacted() {
        let policy = Safety::default().events().clone();
        let mut value = json!({
            "type": "agent.tool_use",
            "input": {"command": format!("export KEY={KEY}"), "args": [KEY, 3, null]},
            KEY: "a secret as a key",
        });
        redact_value(&policy, &mut value);
        let text = value.to_string();
        assert!(!text.contains("FAKEfake"), "{text}");
        assert_eq!(value["type"], "agent.tool_use");
        assert_eq!(value["input"]["args"][1], 3);
        assert!(text.contains("sk-ant-…[redacted]"), "{text}");
    }

    /// Ids survive redaction, so tool results still pair with their calls and streams resume.
    #[test]
    fn ids_are_not_secrets() {
        let policy = Safety::default().events().clone();
        for id in [
            "toolu_01A09q90qw90lq917835lq9",
            "srvtoolu_014hJH82Qum7Td6UV8gDXThB",
            "sevt_01M883VZ3VEA7TK5TE0B5WZTHP",
            "sesn_01M883W5BSE9HBPTBQ2F2887T0",
            "msg_01XFDUDYJgAACzvnptvVoYEL",
            "call_abc123XYZ789defGHI456",
            "fc_67d2b7c5a06c8190b7b2c4e1f2a3b4c5",
            "550e8400-e29b-41d4-a716-446655440000",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            let mut event = json!({"type": "agent.tool_result", "id": id, "tool_use_id": id});
            let before = event.clone();
            redact_value(&policy, &mut event);
            assert_eq!(event, before, "{id}");
        }
    }

    #[test]
    fn configured_patterns_redact_and_markers_count_as_secrets_in_dreams() {
        let safety = Safety::new(vec![r"ACME-[0-9]{6}".into()], vec!["kb".into()]).expect("ok");
        let mut text = "badge ACME-123456".to_string();
        redact_string(safety.events(), &mut text);
        assert_eq!(text, "badge …[redacted]");
        let stored = "the key is sk-ant-…[redacted]";
        assert!(!safety.events().contains_secret(stored));
        let read = mark_redacted_secrets(stored);
        assert!(safety.dreams().contains_secret(&read));
        assert_eq!(safety.dreams().redact(&read).text, stored);
        assert!(safety.dreams().contains_secret("badge ACME-123456"));
        assert!(safety.dreams().trusted_tools.contains("kb"));
        assert!(Safety::new(vec!["(".into()], vec![]).is_err());
    }
}
