//! Scale-out under failure (issue 15): three `lucid serve` processes on loopback ports share one
//! PostgreSQL database — an API node (`--role api`) and two nodes that also run dreams, one of
//! which is killed with SIGKILL every few seconds and restarted — while 200 dreams are
//! submitted and memories written through randomly chosen nodes (a fixed seed, so a failure
//! reproduces). Every dream ends `completed` exactly once (one output store, one completion in
//! its narration), no input store changes, every acknowledged write is readable afterwards, and
//! an event stream on the API node follows dreams other nodes run to their end. A second test:
//! a schedule due every second on three nodes fires once per firing (one dream per firing, no
//! session dreamed twice). Skipped with a message without a test server
//! (`LUCID_TEST_POSTGRES_URL`), failed under CI.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Node, create_key, postgres_database, serve};

/// The seed of every random choice (nodes, stores, sessions); change it to explore, keep it to
/// reproduce.
const SEED: u64 = 15;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The test's choices: splitmix64 over [`SEED`], one stream per thread that chooses. Only the
/// sequence matters here (which node, store, sessions), not its statistical quality.
struct Choices(u64);

fn seeded(stream: u64) -> Choices {
    Choices(SEED ^ stream.wrapping_mul(0xA24B_AED4_963E_E407))
}

impl Choices {
    /// A number in `range` (its end excluded).
    fn below(&mut self, range: std::ops::Range<u64>) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        range.start + (z ^ (z >> 31)) % (range.end - range.start)
    }

    /// An index into something `len` long.
    fn index(&mut self, len: usize) -> usize {
        self.below(0..len as u64) as usize
    }
}

/// An HTTP client with the workspace's key.
#[derive(Clone)]
struct Api {
    http: reqwest::blocking::Client,
    key: String,
}

impl Api {
    fn new(key: &str) -> Api {
        // reqwest is built without a default TLS provider (ring is the build's one).
        let _ = rustls::crypto::ring::default_provider().install_default();
        Api {
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("HTTP client"),
            key: key.to_string(),
        }
    }

    /// A request's JSON answer when it was a success (an acknowledgement), else why not.
    fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let mut request = self
            .http
            .request(method, url)
            .header("x-api-key", &self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    }

    fn get(&self, url: &str) -> Value {
        self.call(reqwest::Method::GET, url, None)
            .unwrap_or_else(|error| panic!("GET {url}: {error}"))
    }

    fn post(&self, url: &str, body: &Value) -> Value {
        self.call(reqwest::Method::POST, url, Some(body))
            .unwrap_or_else(|error| panic!("POST {url}: {error}"))
    }

    /// Every item of a paged list (`path` may already have a query).
    fn all(&self, url: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let separator = if url.contains('?') { '&' } else { '?' };
            let next = match &page {
                Some(cursor) => format!("{url}{separator}page={cursor}"),
                None => url.to_string(),
            };
            let got = self.get(&next);
            items.extend(got["data"].as_array().cloned().unwrap_or_default());
            match got["next_page"].as_str() {
                Some(cursor) => page = Some(cursor.to_string()),
                None => return items,
            }
        }
    }
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .to_string()
}

/// A store's documents (path → content) and how many memory versions it has: what a dream must
/// never change in its input.
fn store_contents(api: &Api, base: &str, store: &str) -> (BTreeMap<String, String>, usize) {
    let documents = api
        .all(&format!(
            "{base}/v1/memory_stores/{store}/memories?view=full&limit=20"
        ))
        .iter()
        .filter(|m| m["type"] == "memory")
        .map(|m| (text(m, "path"), text(m, "content")))
        .collect();
    let versions = api
        .all(&format!(
            "{base}/v1/memory_stores/{store}/memory_versions?limit=100"
        ))
        .len();
    (documents, versions)
}

/// The types of a session's stored events, in order.
fn event_types(api: &Api, base: &str, session: &str) -> Vec<String> {
    api.all(&format!("{base}/v1/sessions/{session}/events?limit=100"))
        .iter()
        .filter_map(|e| e["type"].as_str().map(str::to_string))
        .collect()
}

/// Follows a session's event stream until the server ends it; returns the event types seen.
fn follow_stream(api: &Api, url: &str) -> Vec<String> {
    let response = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("stream client")
        .get(url)
        .header("x-api-key", &api.key)
        .send()
        .unwrap_or_else(|error| panic!("stream {url}: {error}"));
    assert!(response.status().is_success(), "stream {url}: {response:?}");
    BufReader::new(response)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| line.strip_prefix("event:").map(|t| t.trim().to_string()))
        .collect()
}

/// Imports the example fleet's six transcripts, each attached to one of `stores` in turn;
/// returns the sessions' ids.
fn import_sessions(api: &Api, base: &str, stores: &[String]) -> Vec<String> {
    let mut sessions = Vec::new();
    for agent in ["coder", "drafter", "reviewer"] {
        let folder = repo().join("examples/fleet/sessions").join(agent);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("example sessions")
            .map(|entry| entry.expect("entry").path())
            .collect();
        files.sort();
        for file in files {
            let transcript = std::fs::read_to_string(&file).expect("transcript");
            let store = &stores[sessions.len() % stores.len()];
            let session = api.post(
                &format!("{base}/v1/sessions/import"),
                &json!({
                    "agent": agent,
                    "transcript": transcript,
                    "filename": file.file_name().map(|n| n.to_string_lossy().into_owned()),
                    "memory_store_id": store,
                }),
            );
            sessions.push(text(&session, "id"));
        }
    }
    sessions
}

/// Writes the config every node reads: a short lease (a killed node's dreams are re-run after
/// a second), and no rate limits (the test's clients are one key on one address).
fn write_config(dir: &Path) -> PathBuf {
    let config = dir.join("lucid.toml");
    std::fs::write(
        &config,
        "[server]\ndream_lease_seconds = 1\nrate_per_key = 0\nrate_per_address = 0\n",
    )
    .expect("config");
    config
}

const DREAMS: usize = 200;

#[test]
fn three_nodes_complete_200_dreams_once_while_one_is_killed_again_and_again() {
    let Some(database) = postgres_database() else {
        return;
    };
    let started = Instant::now();
    let db = database.url().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let key = create_key(&db);
    let api = Api::new(&key);

    // Node A serves the API only, so every dream it is asked about runs on another node; B and
    // C also run dreams; C is the one that keeps dying.
    let node_a = serve(&db, &config, "api")
        .workers(2)
        .stage_delay_ms(25)
        .log("warn")
        .start();
    let node_b = serve(&db, &config, "all")
        .workers(2)
        .stage_delay_ms(25)
        .log("warn")
        .start();
    let node_c = serve(&db, &config, "all")
        .workers(2)
        .stage_delay_ms(25)
        .log("warn")
        .start();
    let a = node_a.url();
    let urls = Arc::new(Mutex::new(vec![a.clone(), node_b.url(), node_c.url()]));
    let pick = |rng: &mut Choices| -> (usize, String) {
        let index = rng.index(3);
        (index, urls.lock().expect("urls")[index].clone())
    };

    // Three input stores with the example memories (and one of their own), the six example
    // sessions attached to them, and a store the writers write to.
    let mut inputs = Vec::new();
    for n in 0..3 {
        let store = text(
            &api.post(
                &format!("{a}/v1/memory_stores"),
                &json!({"name": format!("input {n}")}),
            ),
            "id",
        );
        for name in ["conventions.md", "infra.md"] {
            let content = std::fs::read_to_string(repo().join("examples/fleet/memory").join(name))
                .expect("example memory");
            api.post(
                &format!("{a}/v1/memory_stores/{store}/memories"),
                &json!({"path": format!("/{name}"), "content": content}),
            );
        }
        api.post(
            &format!("{a}/v1/memory_stores/{store}/memories"),
            &json!({"path": "/team.md", "content": format!("- Team {n} deploys on Tuesdays.\n")}),
        );
        inputs.push(store);
    }
    let sessions = import_sessions(&api, &a, &inputs);
    let before: Vec<_> = inputs
        .iter()
        .map(|store| store_contents(&api, &a, store))
        .collect();
    let notes = text(
        &api.post(&format!("{a}/v1/memory_stores"), &json!({"name": "notes"})),
        "id",
    );

    // C is killed with SIGKILL every 2.5 s and restarted at once (on a new port).
    let stop = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicUsize::new(0));
    let killer = {
        let (stop, kills, urls, db, config) = (
            stop.clone(),
            kills.clone(),
            urls.clone(),
            db.clone(),
            config.clone(),
        );
        std::thread::spawn(move || {
            let mut node = node_c;
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(2500));
                drop(node);
                kills.fetch_add(1, Ordering::SeqCst);
                node = serve(&db, &config, "all")
                    .workers(2)
                    .stage_delay_ms(25)
                    .log("warn")
                    .start();
                urls.lock().expect("urls")[2] = node.url();
            }
            node
        })
    };

    // Memories written through random nodes meanwhile: each acknowledged one must be there.
    let writer = {
        let (stop, urls, api, notes) = (stop.clone(), urls.clone(), api.clone(), notes.clone());
        std::thread::spawn(move || {
            let mut rng = seeded(1);
            let mut acknowledged = BTreeMap::new();
            let mut refused = 0usize;
            let mut n = 0usize;
            while !stop.load(Ordering::SeqCst) {
                let base = urls.lock().expect("urls")[rng.index(3)].clone();
                let (path, content) = (format!("/notes/{n}.md"), format!("- Note {n}.\n"));
                match api.call(
                    reqwest::Method::POST,
                    &format!("{base}/v1/memory_stores/{notes}/memories"),
                    Some(&json!({"path": path, "content": content})),
                ) {
                    Ok(memory) => {
                        acknowledged.insert(text(&memory, "id"), (path, content));
                    }
                    Err(_) => refused += 1,
                }
                n += 1;
                std::thread::sleep(Duration::from_millis(15));
            }
            (acknowledged, refused)
        })
    };

    // 200 dreams through random nodes, each over one store and one to three sessions. A request
    // that got no answer (its node died) is sent again to another node; the dream it may have
    // created is counted as unacknowledged.
    let mut rng = seeded(0);
    let mut dreams: Vec<String> = Vec::new();
    let mut unanswered = 0usize;
    let mut watchers = Vec::new();
    while dreams.len() < DREAMS {
        let store = &inputs[rng.index(inputs.len())];
        let count = 1 + rng.index(3);
        let mut chosen = BTreeSet::new();
        while chosen.len() < count {
            chosen.insert(sessions[rng.index(sessions.len())].clone());
        }
        let body = json!({
            "inputs": [
                {"type": "memory_store", "memory_store_id": store},
                {"type": "sessions", "session_ids": chosen.into_iter().collect::<Vec<_>>()},
            ],
            "model": "lucid-builtin",
        });
        let (_, base) = pick(&mut rng);
        match api.call(
            reqwest::Method::POST,
            &format!("{base}/v1/dreams"),
            Some(&body),
        ) {
            Ok(dream) => dreams.push(text(&dream, "id")),
            Err(_) => {
                unanswered += 1;
                continue;
            }
        }
        // Every 40th dream is followed live on node A, which runs none.
        if dreams.len() % 40 == 1 {
            let (api, a, dream) = (api.clone(), a.clone(), dreams[dreams.len() - 1].clone());
            watchers.push(std::thread::spawn(move || watch_dream(&api, &a, &dream)));
        }
        std::thread::sleep(Duration::from_millis(40));
    }

    // Every acknowledged dream ends, within two minutes.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open: Vec<Value> = api
            .all(&format!("{a}/v1/dreams?limit=100"))
            .into_iter()
            .filter(|d| d["status"] == "pending" || d["status"] == "running")
            .collect();
        if open.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} dreams still open after two minutes, e.g. {}",
            open.len(),
            open[0]
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    stop.store(true, Ordering::SeqCst);
    let node_c = killer.join().expect("killer");
    let (acknowledged, refused) = writer.join().expect("writer");
    let kills = kills.load(Ordering::SeqCst);
    assert!(kills >= 3, "node C was killed only {kills} times");

    // Every dream completed, once: all of them (acknowledged or not) ended `completed`, each has
    // one output store, and its narration has one completion.
    let all = api.all(&format!("{a}/v1/dreams?limit=100"));
    let listed: BTreeSet<String> = all.iter().map(|d| text(d, "id")).collect();
    for dream in &dreams {
        assert!(listed.contains(dream), "acknowledged dream {dream} is lost");
    }
    assert!(
        all.len() <= dreams.len() + unanswered,
        "{} dreams for {} requests",
        all.len(),
        dreams.len() + unanswered
    );
    let stores = api.all(&format!(
        "{a}/v1/memory_stores?limit=100&include_archived=true"
    ));
    let mut outputs_per_dream: BTreeMap<String, usize> = BTreeMap::new();
    for store in &stores {
        if let Some(dream) = store["metadata"]["lucid_dream_id"].as_str() {
            *outputs_per_dream.entry(dream.to_string()).or_default() += 1;
        }
    }
    let mut rescheduled = 0;
    for dream in &all {
        let id = text(dream, "id");
        assert_eq!(dream["status"], "completed", "{dream}");
        let outputs = dream["outputs"].as_array().expect("outputs");
        assert_eq!(outputs.len(), 1, "{dream}");
        assert_eq!(
            outputs_per_dream.get(&id),
            Some(&1),
            "dream {id} has one output store"
        );
        let narration = text(dream, "session_id");
        let types = event_types(&api, &a, &narration);
        let count = |kind: &str| types.iter().filter(|t| *t == kind).count();
        assert_eq!(count("session.status_idle"), 1, "{id}: {types:?}");
        assert_eq!(count("session.status_terminated"), 1, "{id}: {types:?}");
        assert_eq!(count("session.error"), 0, "{id}: {types:?}");
        rescheduled += count("session.status_rescheduled").min(1);
    }
    assert!(
        rescheduled >= 1,
        "no dream was re-run after a kill: the test did not exercise the lease"
    );

    // No input store changed: the same documents, byte for byte, and no new version.
    for (store, before) in inputs.iter().zip(&before) {
        assert_eq!(
            &store_contents(&api, &a, store),
            before,
            "input store {store} changed"
        );
    }

    // Every acknowledged write is there, through any node.
    assert!(
        acknowledged.len() >= 100,
        "{} writes acknowledged",
        acknowledged.len()
    );
    let mut rng = seeded(2);
    for (id, (path, content)) in &acknowledged {
        let (_, base) = pick(&mut rng);
        let memory = api.get(&format!("{base}/v1/memory_stores/{notes}/memories/{id}"));
        assert_eq!(
            (text(&memory, "path"), text(&memory, "content")),
            (path.clone(), content.clone())
        );
    }

    // Streams on node A followed dreams that nodes B and C ran, to their completion.
    let mut live = 0;
    for watcher in watchers {
        let (types, was_running) = watcher.join().expect("watcher");
        let count = |kind: &str| types.iter().filter(|t| *t == kind).count();
        assert_eq!(count("session.status_idle"), 1, "{types:?}");
        assert_eq!(count("session.status_terminated"), 1, "{types:?}");
        live += usize::from(was_running);
    }
    assert!(live >= 2, "only {live} streams joined a running dream");
    eprintln!(
        "{} dreams ({unanswered} requests unanswered), {rescheduled} re-run after {kills} \
         kills; {} writes acknowledged, {refused} not; {:.1} s",
        all.len(),
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    drop((node_a, node_b, node_c));
}

/// Waits (on node A) until `dream` has started, then follows its narration's stream on node A
/// to the end; returns the event types and whether the dream was still running when the
/// stream opened (a live follow, not a replay).
fn watch_dream(api: &Api, a: &str, dream: &str) -> (Vec<String>, bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let (narration, status) = loop {
        let got = api.get(&format!("{a}/v1/dreams/{dream}"));
        if let Some(session) = got["session_id"].as_str() {
            break (session.to_string(), got["status"].clone());
        }
        assert!(Instant::now() < deadline, "dream {dream} never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    let types = follow_stream(api, &format!("{a}/v1/sessions/{narration}/events/stream"));
    (types, status == "running")
}

#[test]
fn a_schedule_fires_once_per_firing_across_three_nodes() {
    let Some(database) = postgres_database() else {
        return;
    };
    let db = database.url().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let key = create_key(&db);
    let api = Api::new(&key);
    // Three full nodes, each firing schedules; their "schedule fired" log lines are kept.
    let nodes: Vec<Node> = (0..3)
        .map(|_| {
            serve(&db, &config, "all")
                .workers(2)
                .stage_delay_ms(25)
                .log("info")
                .capture("schedule fired")
                .start()
        })
        .collect();
    let urls: Vec<String> = nodes.iter().map(Node::url).collect();
    let store = text(
        &api.post(
            &format!("{}/v1/memory_stores", urls[0]),
            &json!({"name": "scheduled"}),
        ),
        "id",
    );
    // Due every second, and as soon as two sessions wait: both triggers race on every node.
    let schedule = text(
        &api.post(
            &format!("{}/v1/schedules", urls[1]),
            &json!({"memory_store_id": store, "cron": "* * * * * *", "after_sessions": 2}),
        ),
        "id",
    );
    // Sessions arrive through random nodes for about twelve seconds.
    let mut rng = seeded(3);
    let mut sessions = Vec::new();
    let arriving = Instant::now();
    while arriving.elapsed() < Duration::from_secs(12) {
        let base = &urls[rng.index(urls.len())];
        sessions.extend(import_sessions(&api, base, std::slice::from_ref(&store)));
        std::thread::sleep(Duration::from_millis(rng.below(300..1500)));
    }
    // Until every session has been dreamed by the schedule (the nodes check every 5 s).
    let deadline = Instant::now() + Duration::from_secs(60);
    let dreams = loop {
        let dreams: Vec<Value> = api
            .all(&format!("{}/v1/dreams?limit=100", urls[2]))
            .into_iter()
            .filter(|d| d["schedule_id"] == schedule.as_str())
            .collect();
        let dreamed: usize = dreams.iter().map(|d| session_ids(d).len()).sum::<usize>();
        let settled = dreams.iter().all(|d| d["status"] == "completed");
        if dreamed >= sessions.len() && settled {
            break dreams;
        }
        assert!(
            Instant::now() < deadline,
            "{dreamed} of {} sessions dreamed: {dreams:?}",
            sessions.len()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    // Each firing is one dream: every dream of the schedule was created by exactly one firing
    // on one node, and no firing created two.
    let mut fired: Vec<String> = Vec::new();
    for node in &nodes {
        for line in node.captured.lock().expect("log lines").iter() {
            let dream = line
                .split_whitespace()
                .find_map(|word| word.strip_prefix("dream="))
                .unwrap_or_else(|| panic!("no dream in {line:?}"));
            fired.push(dream.to_string());
        }
    }
    fired.sort();
    let mut ids: Vec<String> = dreams.iter().map(|d| text(d, "id")).collect();
    ids.sort();
    assert_eq!(
        fired, ids,
        "firings logged by the nodes vs the schedule's dreams"
    );
    assert!(
        ids.len() >= 2,
        "the schedule fired only {} times",
        ids.len()
    );
    // No session was dreamed twice, and none was left out.
    let mut seen = BTreeSet::new();
    for dream in &dreams {
        for session in session_ids(dream) {
            assert!(seen.insert(session.clone()), "{session} dreamed twice");
        }
    }
    assert_eq!(seen, sessions.iter().cloned().collect::<BTreeSet<_>>());
    // One dream at a time per schedule: each was created after the one before it ended.
    let mut by_creation = dreams.clone();
    by_creation.sort_by_key(|d| text(d, "created_at"));
    for pair in by_creation.windows(2) {
        assert!(
            text(&pair[1], "created_at") >= text(&pair[0], "ended_at"),
            "two dreams of the schedule at once: {} and {}",
            pair[0],
            pair[1]
        );
    }
    eprintln!(
        "{} sessions dreamed by {} firings of the schedule on three nodes",
        sessions.len(),
        ids.len()
    );
    drop(nodes);
}

fn session_ids(dream: &Value) -> Vec<String> {
    dream["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|input| input["type"] == "sessions")
        .flat_map(|input| input["session_ids"].as_array().cloned().unwrap_or_default())
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect()
}
