//! Checks that generated fleets are deterministic, well-formed, and really contain what their
//! truth says, by reading the transcripts back with a small independent parser.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use lucid_eval::{
    FleetConfig, GeneratedFleet, Scope, Truth, generate, write_fleet, write_fleet_streaming,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// A minimal reader for the five formats.

#[derive(Debug, Clone, PartialEq)]
enum PEv {
    User(String),
    Agent(String),
    Call {
        id: String,
        name: String,
        input: Value,
    },
    Result {
        id: String,
        text: String,
        error: bool,
    },
}

struct Parsed {
    format: &'static str,
    page: bool,
    id: Option<String>,
    events: Vec<PEv>,
    /// Event times where the format has them (milliseconds are compared as strings).
    times: Vec<String>,
}

fn s(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn looks_like_error(text: &str) -> bool {
    text.starts_with("Error:")
        || (text.starts_with("HTTP ") && matches!(text.as_bytes().get(5), Some(b'4' | b'5')))
}

fn block_events(role: &str, content: &Value, out: &mut Vec<PEv>) {
    match content {
        Value::String(text) => out.push(if role == "user" {
            PEv::User(text.clone())
        } else {
            PEv::Agent(text.clone())
        }),
        Value::Array(blocks) => {
            for block in blocks {
                match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        let text = s(block, "text");
                        out.push(if role == "user" {
                            PEv::User(text)
                        } else {
                            PEv::Agent(text)
                        });
                    }
                    Some("tool_use") => out.push(PEv::Call {
                        id: s(block, "id"),
                        name: s(block, "name"),
                        input: block.get("input").cloned().unwrap_or(Value::Null),
                    }),
                    Some("tool_result") => out.push(PEv::Result {
                        id: s(block, "tool_use_id"),
                        text: s(block, "content"),
                        error: block.get("is_error").and_then(Value::as_bool) == Some(true),
                    }),
                    other => panic!("unexpected block type {other:?}"),
                }
            }
        }
        other => panic!("unexpected content {other}"),
    }
}

fn parse(bytes: &[u8]) -> Parsed {
    let text = std::str::from_utf8(bytes).expect("transcripts are UTF-8");
    if let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(text) {
        let doc = Value::Object(doc);
        if let Some(data) = doc.get("data").and_then(Value::as_array) {
            assert!(doc.get("next_page").is_some_and(Value::is_null));
            let mut parsed = managed(data);
            parsed.page = true;
            return parsed;
        }
        let messages = doc
            .get("messages")
            .and_then(Value::as_array)
            .expect("messages");
        if doc.get("created").is_some() {
            return openai_chat(messages);
        }
        assert!(doc.get("created_at").is_some());
        let mut events = Vec::new();
        for message in messages {
            block_events(&s(message, "role"), &message["content"], &mut events);
        }
        return Parsed {
            format: "anthropic_messages",
            page: false,
            id: None,
            events,
            times: Vec::new(),
        };
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .collect();
    assert!(text.ends_with('\n'));
    let first = &lines[0];
    if first.get("sessionId").is_some() {
        return claude_code(&lines);
    }
    if s(first, "type") == "session_meta" {
        return codex(&lines);
    }
    assert!(
        s(first, "type").starts_with("session."),
        "unknown first line {first}"
    );
    managed(&lines)
}

fn claude_code(lines: &[Value]) -> Parsed {
    let mut events = Vec::new();
    let mut times = Vec::new();
    let mut id = None;
    let mut parent: Option<String> = None;
    for line in lines {
        id = Some(s(line, "sessionId"));
        if s(line, "type") == "queue-operation" {
            continue;
        }
        assert_eq!(
            line.get("parentUuid")
                .and_then(Value::as_str)
                .map(str::to_string),
            parent
        );
        parent = Some(s(line, "uuid"));
        let message = &line["message"];
        block_events(&s(message, "role"), &message["content"], &mut events);
        times.push(s(line, "timestamp"));
    }
    Parsed {
        format: "claude_code",
        page: false,
        id,
        events,
        times,
    }
}

fn managed(records: &[Value]) -> Parsed {
    let mut events = Vec::new();
    let mut times = Vec::new();
    for record in records {
        assert!(s(record, "id").starts_with("sevt_"));
        times.push(s(record, "processed_at"));
        let text = || {
            record["content"]
                .as_array()
                .map(|blocks| blocks.iter().map(|b| s(b, "text")).collect::<String>())
                .unwrap_or_default()
        };
        match s(record, "type").as_str() {
            "user.message" => events.push(PEv::User(text())),
            "agent.message" => events.push(PEv::Agent(text())),
            "agent.tool_use" => events.push(PEv::Call {
                id: s(record, "id"),
                name: s(record, "name"),
                input: record["input"].clone(),
            }),
            "agent.tool_result" => events.push(PEv::Result {
                id: s(record, "tool_use_id"),
                text: text(),
                error: record["is_error"].as_bool().expect("is_error"),
            }),
            kind => assert!(kind.starts_with("session."), "{kind}"),
        }
    }
    Parsed {
        format: "managed_agents",
        page: false,
        id: None,
        events,
        times,
    }
}

fn openai_chat(messages: &[Value]) -> Parsed {
    let mut events = Vec::new();
    assert_eq!(s(&messages[0], "role"), "system");
    for message in &messages[1..] {
        match s(message, "role").as_str() {
            "user" => events.push(PEv::User(s(message, "content"))),
            "assistant" => {
                if let Some(text) = message["content"].as_str() {
                    for part in text.split("\n\n") {
                        events.push(PEv::Agent(part.to_string()));
                    }
                }
                for call in message["tool_calls"].as_array().into_iter().flatten() {
                    let arguments = call["function"]["arguments"]
                        .as_str()
                        .expect("arguments string");
                    events.push(PEv::Call {
                        id: s(call, "id"),
                        name: s(&call["function"], "name"),
                        input: serde_json::from_str(arguments).expect("arguments are JSON"),
                    });
                }
            }
            "tool" => {
                let text = s(message, "content");
                events.push(PEv::Result {
                    id: s(message, "tool_call_id"),
                    error: looks_like_error(&text),
                    text,
                });
            }
            role => panic!("role {role}"),
        }
    }
    Parsed {
        format: "openai_chat",
        page: false,
        id: None,
        events,
        times: Vec::new(),
    }
}

fn codex(lines: &[Value]) -> Parsed {
    let id = Some(s(&lines[0]["payload"], "id"));
    let mut events = Vec::new();
    let mut times = Vec::new();
    for line in &lines[1..] {
        assert_eq!(s(line, "type"), "response_item");
        times.push(s(line, "timestamp"));
        let payload = &line["payload"];
        match s(payload, "type").as_str() {
            "message" => {
                let text: String = payload["content"]
                    .as_array()
                    .expect("content")
                    .iter()
                    .map(|b| s(b, "text"))
                    .collect();
                if text.starts_with("<environment_context>") {
                    continue;
                }
                events.push(if s(payload, "role") == "user" {
                    PEv::User(text)
                } else {
                    PEv::Agent(text)
                });
            }
            "function_call" => events.push(PEv::Call {
                id: s(payload, "call_id"),
                name: s(payload, "name"),
                input: serde_json::from_str(&s(payload, "arguments")).expect("arguments are JSON"),
            }),
            "function_call_output" => {
                let exec: Value =
                    serde_json::from_str(&s(payload, "output")).expect("output is JSON");
                let text = s(&exec, "output");
                let code = exec["metadata"]["exit_code"].as_i64().expect("exit code");
                assert_eq!(code != 0, looks_like_error(&text), "{text}");
                events.push(PEv::Result {
                    id: s(payload, "call_id"),
                    text,
                    error: code != 0,
                });
            }
            other => panic!("payload {other}"),
        }
    }
    Parsed {
        format: "codex",
        page: false,
        id,
        events,
        times,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers over a parsed fleet.

struct Session {
    id: String,
    agent: String,
    parsed: Parsed,
}

impl Session {
    fn users(&self) -> impl Iterator<Item = &str> {
        self.parsed.events.iter().filter_map(|e| match e {
            PEv::User(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// (call, result) pairs in order.
    fn calls(&self) -> Vec<(&str, &Value, &str, bool)> {
        let mut out = Vec::new();
        let events = &self.parsed.events;
        for (k, e) in events.iter().enumerate() {
            if let PEv::Call { id, name, input } = e {
                match events.get(k + 1) {
                    Some(PEv::Result {
                        id: rid,
                        text,
                        error,
                    }) => {
                        assert_eq!(id, rid, "results follow their calls");
                        out.push((name.as_str(), input, text.as_str(), *error));
                    }
                    other => panic!("call without result: {other:?}"),
                }
            }
        }
        out
    }

    /// Names of successful calls, consecutive repeats collapsed (as a miner would see them).
    fn sequence(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (name, _, _, error) in self.calls() {
            if !error && out.last().map(String::as_str) != Some(name) {
                out.push(name.to_string());
            }
        }
        out
    }
}

fn sessions(fleet: &GeneratedFleet) -> Vec<Session> {
    fleet
        .transcripts
        .iter()
        .zip(&fleet.truth.session_list)
        .map(|((path, bytes), info)| {
            assert_eq!(path, &info.path);
            let parsed = parse(bytes);
            assert_eq!(parsed.format, info.format, "{path}");
            if let Some(id) = &parsed.id {
                assert_eq!(id, &info.id);
            }
            Session {
                id: info.id.clone(),
                agent: info.agent.clone(),
                parsed,
            }
        })
        .collect()
}

fn store_items(fleet: &GeneratedFleet) -> Vec<String> {
    fleet
        .store
        .iter()
        .flat_map(|(_, doc)| {
            doc.lines()
                .filter_map(|l| l.strip_prefix("- "))
                .map(str::to_string)
        })
        .collect()
}

fn config(sessions: usize, seed: u64) -> FleetConfig {
    FleetConfig::new(sessions, 6, seed)
}

fn by_id(sessions: &[Session]) -> HashMap<&str, &Session> {
    sessions.iter().map(|s| (s.id.as_str(), s)).collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(&config(40, 3));
    let b = generate(&config(40, 3));
    assert!(a == b, "same config, different fleet");
    let c = generate(&config(40, 4));
    assert_ne!(a.store, c.store);
    assert_ne!(a.transcripts, c.transcripts);
    assert_ne!(
        serde_json::to_string(&a.truth).unwrap_or_default(),
        serde_json::to_string(&c.truth).unwrap_or_default()
    );
}

#[test]
fn every_format_is_used_and_parses() {
    let fleet = generate(&config(40, 1));
    let parsed = sessions(&fleet);
    let formats: BTreeSet<&str> = parsed.iter().map(|s| s.parsed.format).collect();
    assert_eq!(formats.len(), 5, "{formats:?}");
    let pages = parsed.iter().filter(|s| s.parsed.page).count();
    let managed = parsed
        .iter()
        .filter(|s| s.parsed.format == "managed_agents")
        .count();
    assert!(pages > 0 && pages < managed, "pages {pages} of {managed}");
    for session in &parsed {
        // Every call has its result, ids are unique within the session.
        let calls = session.calls();
        assert!(!calls.is_empty());
        let ids: Vec<&String> = session
            .parsed
            .events
            .iter()
            .filter_map(|e| match e {
                PEv::Call { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        let unique: BTreeSet<&&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        // Sessions start with the user and end with the agent, successfully.
        assert!(matches!(session.parsed.events.first(), Some(PEv::User(_))));
        assert!(matches!(session.parsed.events.last(), Some(PEv::Agent(_))));
        assert!(!calls.last().is_some_and(|c| c.3));
        // Times increase.
        let times = &session.parsed.times;
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{}", session.id);
    }
    // Folders are agents; ids and paths are unique; sessions are in time order.
    let truth = &fleet.truth;
    let ids: BTreeSet<&str> = truth.session_list.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), truth.session_list.len());
    for info in &truth.session_list {
        assert!(info.path.starts_with(&format!("sessions/{}/", info.agent)));
        assert!(info.started_at <= info.ended_at);
    }
    for w in truth.session_list.windows(2) {
        assert!(w[0].ended_at < w[1].started_at);
        assert!(w[0].ended_at_ms < w[1].ended_at_ms);
    }
}

fn within(value: usize, lo: usize, hi: usize, what: &str, seed: u64) {
    assert!(
        (lo..=hi).contains(&value),
        "seed {seed}: {what} = {value}, expected {lo}..={hi}"
    );
}

#[test]
fn forty_sessions_have_the_expected_amounts() {
    for seed in 0..6 {
        let truth = generate(&config(40, seed)).truth;
        within(truth.duplicates.len(), 6, 10, "duplicate groups", seed);
        within(truth.supersessions.len(), 4, 8, "supersessions", seed);
        within(truth.distinct.len(), 4, 8, "look-alike pairs", seed);
        within(truth.pitfalls.len(), 6, 10, "pitfalls", seed);
        let recurring = truth.pitfalls.iter().filter(|p| p.recurring).count();
        assert!(
            recurring * 3 >= truth.pitfalls.len() * 2,
            "seed {seed}: {recurring} recurring"
        );
        assert!(
            truth.pitfalls.iter().any(|p| !p.recurring),
            "seed {seed}: no one-off pitfall"
        );
        assert!(
            truth.pitfalls.iter().any(|p| p.file_type.is_some()),
            "seed {seed}: no file pitfall"
        );
        within(truth.retry_noise.len(), 2, 4, "retry noise", seed);
        within(truth.workflows.len(), 2, 4, "workflows", seed);
        within(truth.preferences.len(), 6, 10, "preferences", seed);
        assert!(
            truth.preferences.iter().any(|p| p.scope == Scope::Team),
            "seed {seed}"
        );
        assert!(
            truth.preferences.iter().any(|p| p.scope == Scope::Agent),
            "seed {seed}"
        );
        within(truth.injections.len(), 3, 6, "injections", seed);
        within(truth.secrets.len(), 3, 6, "secrets", seed);
        within(truth.temporary.len(), 2, 4, "temporary notes", seed);
        assert!(!truth.stable_facts.is_empty());
    }
}

fn total(truth: &Truth) -> usize {
    truth.duplicates.len()
        + truth.distinct.len()
        + truth.supersessions.len()
        + truth.stable_facts.len()
        + truth.pitfalls.len()
        + truth.retry_noise.len()
        + truth.workflows.len()
        + truth.preferences.len()
        + truth.injections.len()
        + truth.secrets.len()
        + truth.temporary.len()
}

#[test]
fn amounts_scale_with_sessions() {
    let small = generate(&config(10, 5)).truth;
    let medium = generate(&config(40, 5)).truth;
    let large = generate(&config(200, 5)).truth;
    assert!(total(&small) < total(&medium) && total(&medium) * 3 < total(&large));
    assert!(large.pitfalls.len() > 2 * medium.pitfalls.len());
    assert!(large.duplicates.len() > 2 * medium.duplicates.len());
    assert!(large.store_items > 2 * medium.store_items);
    // Degenerate fleets still work.
    let none = generate(&config(0, 5));
    assert!(none.transcripts.is_empty() && none.truth.pitfalls.is_empty());
    let one = generate(&FleetConfig::new(1, 1, 5));
    assert_eq!(one.transcripts.len(), 1);
    assert!(one.truth.workflows.is_empty() && one.truth.retry_noise.is_empty());
    let two = generate(&FleetConfig::new(3, 1, 5));
    assert!(
        two.truth
            .preferences
            .iter()
            .all(|p| p.scope == Scope::Agent)
    );
}

#[test]
fn store_truth_is_in_the_store() {
    for seed in [0, 9] {
        let fleet = generate(&config(60, seed));
        let truth = &fleet.truth;
        let items = store_items(&fleet);
        assert_eq!(items.len(), truth.store_items);
        let distinct_items: BTreeSet<&String> = items.iter().collect();
        assert_eq!(distinct_items.len(), items.len(), "store items are unique");
        let count = |needle: &str| items.iter().filter(|i| i.contains(needle)).count();
        let exact = |text: &str| items.iter().filter(|i| *i == text).count();
        for group in &truth.duplicates {
            assert!((2..=3).contains(&group.texts.len()));
            assert_eq!(group.paths.len(), group.texts.len());
            for text in &group.texts {
                assert_eq!(exact(text), 1, "{text}");
                for anchor in &group.anchors {
                    assert!(text.contains(anchor.as_str()), "{text} lacks {anchor}");
                }
            }
            for anchor in &group.anchors {
                assert_eq!(
                    count(anchor),
                    group.texts.len(),
                    "anchor {anchor} elsewhere"
                );
            }
            for (path, text) in group.paths.iter().zip(&group.texts) {
                let doc = &fleet
                    .store
                    .iter()
                    .find(|(p, _)| p == path)
                    .expect("document")
                    .1;
                assert!(doc.contains(&format!("- {text}\n")));
            }
        }
        for pair in &truth.distinct {
            assert_eq!(pair.texts.len(), 2);
            assert_ne!(pair.texts[0], pair.texts[1]);
            for (text, anchors) in pair.texts.iter().zip(&pair.anchors) {
                assert_eq!(exact(text), 1);
                for anchor in anchors {
                    assert!(text.contains(anchor.as_str()));
                    assert_eq!(count(anchor), 1, "look-alike anchor {anchor} elsewhere");
                }
            }
        }
        for fact in &truth.supersessions {
            assert_eq!(exact(&fact.store_text), 1);
            assert!(fact.store_text.contains(&fact.old));
            assert_eq!(count(&fact.old), 1, "{}", fact.old);
            assert_eq!(count(&fact.new), 0);
            assert_ne!(fact.old, fact.new);
        }
        for fact in &truth.stable_facts {
            assert_eq!(exact(&fact.store_text), 1);
            assert_eq!(count(&fact.value), 1, "{}", fact.value);
        }
        for note in &truth.temporary {
            assert_eq!(exact(&note.text), 1);
            assert_eq!(count(&note.marker), 1);
        }
        let temp_templates: BTreeSet<String> = truth
            .temporary
            .iter()
            .map(|n| n.text.replace(&n.marker, "").chars().take(12).collect())
            .collect();
        assert_eq!(
            temp_templates.len(),
            truth.temporary.len(),
            "temporary notes vary"
        );
        assert!(!fleet.instructions.is_empty() && truth.instructions == fleet.instructions);
        // Preference key terms identify their preference: not in the store, nor in what the
        // pitfalls would add to a draft.
        let lower_items: Vec<String> = items.iter().map(|i| i.to_lowercase()).collect();
        for pref in &truth.preferences {
            for key in &pref.key_terms {
                let key = key.to_lowercase();
                assert!(
                    !lower_items.iter().any(|i| i.contains(&key)),
                    "{key} in the store"
                );
                for p in &truth.pitfalls {
                    let text = format!("{} {} {}", p.error, p.param, p.value).to_lowercase();
                    assert!(!text.contains(&key), "{key} in a pitfall");
                }
            }
        }
    }
}

#[test]
fn session_truth_is_in_the_transcripts() {
    for seed in [2, 8] {
        let fleet = generate(&config(60, seed));
        let truth = &fleet.truth;
        let parsed = sessions(&fleet);
        let index = by_id(&parsed);
        let position: HashMap<&str, usize> = truth
            .session_list
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();

        for fact in &truth.supersessions {
            assert_eq!(fact.intermediate.len(), fact.intermediate_sessions.len());
            assert_eq!(fact.update_texts.len(), fact.intermediate.len() + 1);
            let mut order: Vec<usize> = fact
                .intermediate_sessions
                .iter()
                .map(|s| position[s.as_str()])
                .collect();
            order.push(position[fact.new_session.as_str()]);
            assert!(
                order.windows(2).all(|w| w[0] < w[1]),
                "updates in time order"
            );
            let all_sessions: Vec<&String> = fact
                .intermediate_sessions
                .iter()
                .chain([&fact.new_session])
                .collect();
            let values: Vec<&String> = fact.intermediate.iter().chain([&fact.new]).collect();
            for ((session, text), value) in all_sessions.iter().zip(&fact.update_texts).zip(values)
            {
                assert!(text.contains(value.as_str()) && text.contains(&fact.subject));
                assert!(
                    index[session.as_str()]
                        .users()
                        .any(|u| u.contains(text.as_str())),
                    "{text}"
                );
            }
        }

        let mut error_transcripts: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for p in &truth.pitfalls {
            assert_eq!(p.recurring, p.sessions.len() >= 2);
            for id in &p.sessions {
                let session = index[id.as_str()];
                let calls = session.calls();
                let k = calls
                    .iter()
                    .position(|c| c.0 == p.tool && c.3 && c.2 == p.error)
                    .unwrap_or_else(|| panic!("{} has no failing {}", id, p.tool));
                let (_, failing, _, _) = calls[k];
                let (name, fixed, _, error) = calls[k + 1];
                assert_eq!(name, p.tool);
                assert!(!error, "the fix succeeds");
                let plain = |v: &Value| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(fixed.get(&p.param).map(plain), Some(p.value.clone()));
                assert_ne!(failing.get(&p.param).map(plain), Some(p.value.clone()));
                // Only the fixing parameter differs.
                let mut without = fixed.as_object().cloned().unwrap_or_default();
                without.remove(&p.param);
                let mut failing_without = failing.as_object().cloned().unwrap_or_default();
                failing_without.remove(&p.param);
                assert_eq!(without, failing_without);
                if let Some(ext) = &p.file_type {
                    assert!(
                        failing.as_object().into_iter().flatten().any(|(_, v)| v
                            .as_str()
                            .is_some_and(|s| s.ends_with(&format!(".{ext}"))))
                    );
                }
                error_transcripts
                    .entry(p.error.as_str())
                    .or_default()
                    .insert(id.as_str());
            }
            if p.recurring {
                assert!(error_transcripts[p.error.as_str()].len() >= 2);
            }
        }
        let errors: BTreeSet<&str> = truth.pitfalls.iter().map(|p| p.error.as_str()).collect();
        assert_eq!(
            errors.len(),
            truth.pitfalls.len(),
            "pitfall errors are distinct"
        );

        for noise in &truth.retry_noise {
            assert!(noise.sessions.len() >= 2);
            assert!(!errors.contains(noise.error.as_str()));
            for id in &noise.sessions {
                let calls = index[id.as_str()].calls();
                let k = calls
                    .iter()
                    .position(|c| c.0 == noise.tool && c.3 && c.2 == noise.error)
                    .expect("noise failure");
                assert_eq!(calls[k + 1].0, noise.tool);
                assert_eq!(calls[k + 1].1, calls[k].1, "identical retry");
                assert!(!calls[k + 1].3);
            }
        }

        // Every failure in the fleet is planted.
        let noise_errors: BTreeSet<&str> =
            truth.retry_noise.iter().map(|n| n.error.as_str()).collect();
        for session in &parsed {
            for (_, _, text, error) in session.calls() {
                if error {
                    assert!(
                        errors.contains(text) || noise_errors.contains(text),
                        "unplanned failure {text}"
                    );
                } else {
                    assert!(
                        !looks_like_error(text),
                        "success that looks like an error: {text}"
                    );
                }
            }
        }

        for w in &truth.workflows {
            assert!((3..=5).contains(&w.steps.len()));
            assert!(w.sessions.len() >= 3);
            for id in &w.sessions {
                let seq = index[id.as_str()].sequence();
                assert!(
                    seq.windows(w.steps.len())
                        .any(|win| win == w.steps.as_slice()),
                    "{id}"
                );
            }
        }

        for pref in &truth.preferences {
            assert_eq!(pref.texts.len(), pref.sessions.len());
            let agents: BTreeSet<&str> = pref
                .sessions
                .iter()
                .map(|s| index[s.as_str()].agent.as_str())
                .collect();
            assert_eq!(
                agents.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                pref.agents
            );
            match pref.scope {
                Scope::Team => assert!(agents.len() >= 2 && pref.agent.is_none()),
                Scope::Agent => {
                    assert_eq!(agents.len(), 1);
                    assert_eq!(pref.agent.as_deref(), agents.iter().next().copied());
                }
            }
            for (text, id) in pref.texts.iter().zip(&pref.sessions) {
                for key in &pref.key_terms {
                    assert!(text.contains(key.as_str()), "{text} lacks {key}");
                }
                assert!(
                    index[id.as_str()]
                        .users()
                        .any(|u| u.contains(text.as_str()))
                );
            }
        }

        let store = store_items(&fleet).join("\n");
        for injection in &truth.injections {
            assert!(!store.contains(&injection.marker));
            let mut in_results = 0;
            for session in &parsed {
                for e in &session.parsed.events {
                    match e {
                        PEv::Result { text, .. } if text.contains(&injection.marker) => {
                            assert_eq!(session.id, injection.session);
                            assert!(text.contains(&injection.text));
                            in_results += 1;
                        }
                        PEv::User(t) | PEv::Agent(t) => assert!(!t.contains(&injection.marker)),
                        PEv::Call { input, .. } => {
                            assert!(!input.to_string().contains(&injection.marker))
                        }
                        _ => {}
                    }
                }
            }
            assert_eq!(in_results, 1);
            let session = index[injection.session.as_str()];
            assert!(
                session
                    .calls()
                    .iter()
                    .any(|c| c.0 == injection.tool && c.2.contains(&injection.marker))
            );
        }

        let kinds: BTreeSet<&str> = truth.secrets.iter().map(|s| s.kind.as_str()).collect();
        assert!(kinds.len() >= 3);
        for secret in &truth.secrets {
            let session = index[secret.session.as_str()];
            let found = session
                .parsed
                .events
                .iter()
                .any(|e| match (e, secret.location.as_str()) {
                    (PEv::User(t), "user_message") => t.contains(&secret.value),
                    (PEv::Result { text, .. }, "tool_result") => text.contains(&secret.value),
                    _ => false,
                });
            assert!(found, "{} not in {}", secret.value, secret.session);
            assert!(!store.contains(&secret.value));
            match secret.kind.as_str() {
                "anthropic_api_key" => {
                    assert!(secret.value.starts_with("sk-ant-api03-") && secret.value.len() == 108)
                }
                "aws_access_key_id" => {
                    assert!(secret.value.starts_with("AKIA") && secret.value.len() == 20)
                }
                "github_token" => {
                    assert!(secret.value.starts_with("ghp_") && secret.value.len() == 40)
                }
                "slack_bot_token" => assert!(secret.value.starts_with("xoxb-")),
                "jwt" => assert!(
                    secret.value.starts_with("eyJ") && secret.value.matches('.').count() == 2
                ),
                "password" => assert!(secret.value.len() >= 12),
                other => panic!("kind {other}"),
            }
        }
    }
}

#[test]
fn no_unplanned_recurring_workflows() {
    for (n, seed) in [(40, 0), (40, 1), (300, 2)] {
        let fleet = generate(&FleetConfig {
            events_per_session: 90,
            ..config(n, seed)
        });
        let parsed = sessions(&fleet);
        // Triples of calls at most one call apart: what a miner that tolerates a skipped call
        // sees. Only those of planted workflows may recur.
        let triples = |seq: &[String]| -> BTreeSet<Vec<String>> {
            let mut out = BTreeSet::new();
            for p in 0..seq.len() {
                for (g1, g2) in [(1, 1), (1, 2), (2, 1), (2, 2)] {
                    if p + g1 + g2 < seq.len() {
                        out.insert(vec![
                            seq[p].clone(),
                            seq[p + g1].clone(),
                            seq[p + g1 + g2].clone(),
                        ]);
                    }
                }
            }
            out
        };
        let planned: BTreeSet<Vec<String>> = fleet
            .truth
            .workflows
            .iter()
            .flat_map(|w| triples(&w.steps))
            .collect();
        let mut support: BTreeMap<Vec<String>, BTreeSet<&str>> = BTreeMap::new();
        for session in &parsed {
            for gram in triples(&session.sequence()) {
                support.entry(gram).or_default().insert(session.id.as_str());
            }
        }
        for (gram, ids) in &support {
            if ids.len() >= 2 {
                assert!(
                    planned.contains(gram),
                    "n={n}: unplanned {gram:?} in {} sessions",
                    ids.len()
                );
            }
        }
        // Steps of a workflow come within one call of each other only in its occurrences.
        for w in &fleet.truth.workflows {
            let occurrences: BTreeSet<&str> = w.sessions.iter().map(String::as_str).collect();
            let step = |x: &String| w.steps.iter().position(|s| s == x);
            for session in parsed
                .iter()
                .filter(|s| !occurrences.contains(s.id.as_str()))
            {
                let seq = session.sequence();
                for (i, a) in seq.iter().enumerate() {
                    for b in seq.iter().skip(i + 1).take(2) {
                        let close = step(a)
                            .zip(step(b))
                            .is_some_and(|(p, q)| p != q && p.abs_diff(q) <= 2);
                        assert!(
                            !close,
                            "n={n}: {a}, {b} of {:?} close in {}",
                            w.steps, session.id
                        );
                    }
                }
            }
        }
        // Planted workflows occur exactly where the truth says.
        for w in &fleet.truth.workflows {
            let found: BTreeSet<&str> = parsed
                .iter()
                .filter(|s| {
                    s.sequence()
                        .windows(w.steps.len())
                        .any(|win| win == w.steps.as_slice())
                })
                .map(|s| s.id.as_str())
                .collect();
            let expected: BTreeSet<&str> = w.sessions.iter().map(String::as_str).collect();
            assert_eq!(found, expected);
        }
    }
}

#[test]
fn benchmark_fleet_has_the_requested_size() {
    let fleet = generate(&FleetConfig {
        sessions: 100,
        agents: 8,
        seed: 42,
        events_per_session: 220,
        filler_bytes_per_session: 140_000,
    });
    let bytes: usize = fleet.transcripts.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(bytes as u64, fleet.truth.transcript_bytes);
    let target = 14_000_000.0;
    assert!(
        ((bytes as f64) - target).abs() <= 0.2 * target,
        "{bytes} bytes"
    );
    for (path, b) in &fleet.transcripts {
        assert!(
            b.len() > 100_000 && b.len() < 200_000,
            "{path}: {}",
            b.len()
        );
    }
    // Bulk content keeps the transcripts valid.
    for (_, b) in fleet.transcripts.iter().take(10) {
        let parsed = parse(b);
        assert!(parsed.events.len() >= 200, "{} events", parsed.events.len());
    }
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                out.insert(path.strip_prefix(dir).expect("prefix").to_path_buf(), bytes);
            }
        }
    }
    out
}

#[test]
fn streaming_writes_what_generate_writes() {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lucid-eval-streaming");
    let _ = std::fs::remove_dir_all(&base);
    let (a, b) = (base.join("a"), base.join("b"));
    let config = FleetConfig {
        filler_bytes_per_session: 20_000,
        ..config(25, 77)
    };
    let fleet = generate(&config);
    write_fleet(&fleet, &a).expect("write");
    let truth = write_fleet_streaming(&config, &b).expect("stream");
    assert_eq!(truth, fleet.truth);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    assert!(fa == fb);
    assert!(fa.contains_key(Path::new("truth.json")));
    assert!(fa.contains_key(Path::new("instructions.txt")));
    assert!(fa.keys().any(|p| p.starts_with("store")));
    let read = lucid_eval::read_truth(&a.join("truth.json")).expect("truth");
    assert_eq!(read, fleet.truth);
    // Transcript files carry their session's time.
    let info = &fleet.truth.session_list[3];
    let modified = std::fs::metadata(a.join(&info.path))
        .and_then(|m| m.modified())
        .expect("mtime");
    let ms = modified
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after epoch")
        .as_millis() as i64;
    assert_eq!(ms, info.ended_at_ms);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn instructions_vary_with_the_seed() {
    let texts: BTreeSet<String> = (0..12)
        .map(|seed| generate(&config(5, seed)).instructions)
        .collect();
    assert!(texts.len() >= 4);
}
