//! What only a shared database has: several nodes (each its own `PostgresStorage`, as each
//! `lucid serve` process has) on one PostgreSQL database — migrations run once when they start
//! together, a newer schema is refused, writes racing on the same rule are decided once, a
//! pending dream is claimed by exactly one node, an expired lease is claimed again; other nodes'
//! writes pushed to a follower (LISTEN/NOTIFY: appended events, queued dreams, archived
//! sessions, revoked keys), a cut listener resyncing, the health report, the per-node
//! connection cap, and request buckets every node counts against alike. Skipped with a message without a test server (`LUCID_TEST_POSTGRES_URL`).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lucid_storage::{
    BucketRate, DreamCompletion, DreamModel, DreamStatus, NewAgent, NewDream, NewSession, NewStore,
    OutputBehavior, PageRequest, RateToken, Storage, StorageChange, StorageError, StoreFilter,
};
use lucid_storage_postgres::testing::{TestDatabase, unavailable};
use lucid_storage_postgres::{PostgresOptions, PostgresStorage};
use serde_json::json;

fn database() -> Option<TestDatabase> {
    if let Some(reason) = unavailable() {
        eprintln!("skipped: {reason}");
        return None;
    }
    TestDatabase::create()
}

fn raw(url: &str) -> postgres::Client {
    url.parse::<postgres::Config>()
        .expect("url")
        .connect(postgres::NoTls)
        .expect("connect")
}

#[test]
fn nodes_starting_together_migrate_once() {
    let Some(database) = database() else { return };
    let url = database.url().to_string();
    let nodes: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PostgresStorage::open(&url).map(|s| s.applied_migrations()))
        })
        .collect();
    let newest = PostgresStorage::newest_migration();
    for node in nodes {
        let applied = node
            .join()
            .expect("thread")
            .expect("open")
            .expect("migrations");
        assert_eq!(applied, (1..=newest).collect::<Vec<_>>());
    }
    let rows = raw(&url)
        .query_one("SELECT COUNT(*) FROM schema_migrations", &[])
        .expect("count")
        .get::<_, i64>(0);
    assert_eq!(rows, newest, "each migration recorded once");
    // Reopening changes nothing and keeps the data.
    let storage = PostgresStorage::open(&url).expect("open");
    let ws = storage.ensure_workspace("w").expect("ws").id;
    let kept = storage
        .create_store(
            &ws,
            NewStore {
                name: "kept".into(),
                ..NewStore::default()
            },
        )
        .expect("store");
    drop(storage);
    let reopened = PostgresStorage::open(&url).expect("reopen");
    assert_eq!(reopened.get_store(&ws, &kept.id).expect("get").name, "kept");
}

#[test]
fn a_database_from_a_newer_lucid_is_refused() {
    let Some(database) = database() else { return };
    drop(PostgresStorage::open(database.url()).expect("open"));
    raw(database.url())
        .execute(
            "INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01T00:00:00.000000Z')",
            &[],
        )
        .expect("insert");
    let error = PostgresStorage::open(database.url()).expect_err("newer schema");
    assert!(error.to_string().contains("newer"), "{error}");
}

#[test]
fn a_bad_url_or_an_absent_server_is_a_clear_error() {
    let error = PostgresStorage::open("postgres://lucid@127.0.0.1:1/none").expect_err("no server");
    assert!(
        error
            .to_string()
            .contains("cannot connect to postgres://lucid@127.0.0.1:1/none"),
        "{error}"
    );
    let error = PostgresStorage::open("postgres://u:secret@127.0.0.1:1/x").expect_err("no server");
    assert!(
        !error.to_string().contains("secret"),
        "password shown: {error}"
    );
}

/// Two nodes create a memory at the same path at the same time, many times over: exactly one
/// write wins each race, the others are the same `Conflict` SQLite gives, and no path ends up
/// with two memories.
#[test]
fn racing_writes_from_two_nodes_are_decided_once() {
    let Some(database) = database() else { return };
    let nodes: Vec<Arc<PostgresStorage>> = (0..2)
        .map(|_| Arc::new(PostgresStorage::open(database.url()).expect("open")))
        .collect();
    let ws = nodes[0].ensure_workspace("w").expect("ws").id;
    let store = nodes[0]
        .create_store(
            &ws,
            NewStore {
                name: "s".into(),
                ..NewStore::default()
            },
        )
        .expect("store")
        .id;
    let mut writers = Vec::new();
    for writer in 0..8 {
        let node = nodes[writer % 2].clone();
        let (ws, store) = (ws.clone(), store.clone());
        writers.push(std::thread::spawn(move || {
            (0..10)
                .map(|n| {
                    node.create_memory(
                        &ws,
                        &store,
                        &format!("/race/{n}.md"),
                        &format!("- written by {writer}\n"),
                        None,
                    )
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut created = 0;
    for writer in writers {
        for outcome in writer.join().expect("thread") {
            match outcome {
                Ok(_) => created += 1,
                Err(StorageError::Conflict(message)) => {
                    assert!(message.contains("already exists"), "{message}")
                }
                Err(other) => panic!("unexpected error: {other}"),
            }
        }
    }
    assert_eq!(created, 10, "one winner per path");
    let documents = nodes[1].store_documents(&ws, &store).expect("documents");
    assert_eq!(documents.len(), 10);
}

/// A rate bucket is one bucket whichever node takes from it: eight threads on two nodes
/// racing for a burst of five get five tokens in all, the rest are told how long to wait, and
/// the bucket refills at its rate; other holders have buckets of their own.
#[test]
fn rate_buckets_are_shared_by_every_node() {
    let Some(database) = database() else { return };
    let nodes: Vec<Arc<PostgresStorage>> = (0..2)
        .map(|_| Arc::new(PostgresStorage::open(database.url()).expect("open")))
        .collect();
    // One token every 100 s: no refill during the race.
    let slow = BucketRate {
        per_second: 0.01,
        burst: 5.0,
    };
    let racers: Vec<_> = (0..8)
        .map(|n| {
            let node = nodes[n % 2].clone();
            std::thread::spawn(move || {
                (0..2)
                    .map(|_| node.take_rate_token("k:shared", slow).expect("take"))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let outcomes: Vec<Option<RateToken>> = racers
        .into_iter()
        .flat_map(|racer| racer.join().expect("thread"))
        .collect();
    let taken = outcomes
        .iter()
        .filter(|o| **o == Some(RateToken::Taken))
        .count();
    assert_eq!(taken, 5, "{outcomes:?}");
    for outcome in &outcomes {
        match outcome {
            Some(RateToken::Taken) => {}
            Some(RateToken::Wait(wait)) => assert!(
                wait.as_secs_f64() > 90.0 && wait.as_secs_f64() <= 100.0,
                "an empty bucket waits about one token's time: {wait:?}"
            ),
            None => panic!("PostgreSQL keeps shared buckets"),
        }
    }
    // Another holder is not affected; a fast bucket refills.
    assert_eq!(
        nodes[1].take_rate_token("a:127.0.0.1", slow).expect("take"),
        Some(RateToken::Taken)
    );
    let fast = BucketRate {
        per_second: 20.0,
        burst: 1.0,
    };
    assert_eq!(
        nodes[0].take_rate_token("k:fast", fast).expect("take"),
        Some(RateToken::Taken)
    );
    assert!(matches!(
        nodes[1].take_rate_token("k:fast", fast).expect("take"),
        Some(RateToken::Wait(_))
    ));
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(
        nodes[1].take_rate_token("k:fast", fast).expect("take"),
        Some(RateToken::Taken)
    );
}

/// Nodes claiming dreams at the same time never claim one twice, and together claim them all.
#[test]
fn each_pending_dream_is_claimed_by_one_node() {
    let Some(database) = database() else { return };
    let nodes: Vec<Arc<PostgresStorage>> = (0..3)
        .map(|_| Arc::new(PostgresStorage::open(database.url()).expect("open")))
        .collect();
    let ws = nodes[0].ensure_workspace("w").expect("ws").id;
    let store = nodes[0]
        .create_store(
            &ws,
            NewStore {
                name: "s".into(),
                ..NewStore::default()
            },
        )
        .expect("store")
        .id;
    let agent = nodes[0]
        .create_agent(
            &ws,
            NewAgent {
                name: "a".into(),
                model: json!({"id": "m"}),
                ..NewAgent::default()
            },
        )
        .expect("agent")
        .id;
    let session = nodes[0]
        .create_session(
            &ws,
            NewSession {
                agent_id: Some(agent),
                environment_id: None,
                title: None,
                metadata: Default::default(),
                resources: vec![],
                source: None,
                events: vec![event("hi")],
                trust: Default::default(),
                users: Default::default(),
            },
        )
        .expect("session")
        .id;
    let mut queued = Vec::new();
    for _ in 0..30 {
        queued.push(
            nodes[0]
                .create_dream(&ws, builtin_dream(&store, &session))
                .expect("dream")
                .id,
        );
    }
    let claimers: Vec<_> = (0..6)
        .map(|n| {
            let node = nodes[n % 3].clone();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                while let Some(dream) = node.claim_dream().expect("claim") {
                    mine.push(dream.id);
                }
                mine
            })
        })
        .collect();
    let mut claimed: Vec<String> = claimers
        .into_iter()
        .flat_map(|c| c.join().expect("thread"))
        .collect();
    claimed.sort();
    queued.sort();
    assert_eq!(claimed, queued, "every dream claimed exactly once");
}

/// A workspace with a store holding one memory, an agent and a session; returns (ws, store,
/// session).
fn fixture(storage: &dyn Storage) -> (String, String, String) {
    let ws = storage.ensure_workspace("w").expect("ws").id;
    let store = storage
        .create_store(
            &ws,
            NewStore {
                name: "s".into(),
                ..NewStore::default()
            },
        )
        .expect("store")
        .id;
    storage
        .create_memory(&ws, &store, "/facts.md", "- the input\n", None)
        .expect("memory");
    let agent = storage
        .create_agent(
            &ws,
            NewAgent {
                name: "a".into(),
                model: json!({"id": "m"}),
                ..NewAgent::default()
            },
        )
        .expect("agent")
        .id;
    let mut event = serde_json::Map::new();
    event.insert("type".into(), json!("user.message"));
    event.insert("content".into(), json!([{"type": "text", "text": "hi"}]));
    let session = storage
        .create_session(
            &ws,
            NewSession {
                agent_id: Some(agent),
                environment_id: None,
                title: None,
                metadata: Default::default(),
                resources: vec![],
                source: None,
                events: vec![event],
                trust: Default::default(),
                users: Default::default(),
            },
        )
        .expect("session")
        .id;
    (ws, store, session)
}

/// A user message event.
fn event(text: &str) -> lucid_storage::NewEvent {
    let mut event = serde_json::Map::new();
    event.insert("type".into(), json!("user.message"));
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event
}

/// A dream of the built-in curator over one session, into a new store.
fn builtin_dream(store: &str, session: &str) -> NewDream {
    NewDream {
        memory_store_id: store.to_string(),
        session_ids: vec![session.to_string()],
        model: DreamModel {
            id: "lucid-builtin".into(),
            speed: None,
        },
        instructions: None,
        output_behavior: OutputBehavior::CreateNew,
        schedule_id: None,
        trusted_only: false,
    }
}

fn completion(text: &str) -> DreamCompletion {
    DreamCompletion {
        documents: vec![("/facts.md".into(), text.into())],
        report: json!({"changes": []}),
        diff: json!({}),
        usage: Default::default(),
        curator: "test".into(),
        events: vec![],
    }
}

/// A node that stops renewing its lease (killed, or cut off from the database) loses the
/// dream: once the lease expires another node claims it again and re-runs it from the same
/// input (the output store still holds exactly what the first start cloned) and its result is
/// written once; the first node, back, can neither narrate nor complete it.
#[test]
fn an_expired_lease_is_claimed_again_and_the_output_is_written_once() {
    let Some(database) = database() else { return };
    let short = PostgresOptions {
        lease: std::time::Duration::from_millis(900),
        ..PostgresOptions::default()
    };
    let first = PostgresStorage::open_with(database.url(), short.clone()).expect("open");
    let second = PostgresStorage::open_with(database.url(), short).expect("open");
    let (ws, store, session) = fixture(&first);
    let dream = first
        .create_dream(&ws, builtin_dream(&store, &session))
        .expect("dream");
    assert_eq!(
        first.claim_dream().expect("claim").map(|d| d.id),
        Some(dream.id.clone())
    );
    let started = first.start_dream(&dream.id).expect("start");
    // The heartbeat keeps the lease: the other node finds nothing to claim well past the lease.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(second.claim_dream().expect("claim"), None);
    let leases = second.dream_leases().expect("leases");
    assert_eq!(leases.len(), 1);
    assert_eq!(leases[0].1, first.node());
    // The first node is cut off: its lease runs out and the second node re-runs the dream.
    first.stop_heartbeat();
    // A write to the input after the first start is not what the dream reads.
    first
        .create_memory(&ws, &store, "/later.md", "- later\n", None)
        .expect("later");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let reclaimed = second
        .claim_dream()
        .expect("claim")
        .expect("the expired dream");
    assert_eq!(reclaimed.id, dream.id);
    assert_eq!(reclaimed.status, DreamStatus::Running);
    let again = second.start_dream(&dream.id).expect("restart");
    assert_eq!(
        again.output_store_id, started.output_store_id,
        "same output store"
    );
    assert_eq!(again.session_id, started.session_id, "same narration");
    assert_eq!(
        again.documents.iter().map(|d| &d.path).collect::<Vec<_>>(),
        vec!["/facts.md"],
        "the same input as the first start"
    );
    // The first node comes back: it may not write.
    assert!(matches!(
        first.narrate(&dream.id, vec![]),
        Err(StorageError::Invalid(_))
    ));
    assert!(
        !first
            .complete_dream(&dream.id, completion("- first\n"))
            .expect("complete")
    );
    assert!(
        second
            .complete_dream(&dream.id, completion("- second\n"))
            .expect("complete")
    );
    assert!(
        !first
            .complete_dream(&dream.id, completion("- first\n"))
            .expect("complete")
    );
    let done = second.get_dream(&ws, &dream.id).expect("dream");
    assert_eq!(done.status, DreamStatus::Completed);
    let output = second
        .store_documents(&ws, &started.output_store_id)
        .expect("output");
    assert_eq!(output.len(), 1);
    assert_eq!(output[0].content, "- second\n");
    let versions = second
        .list_memory_versions(
            &ws,
            &started.output_store_id,
            &Default::default(),
            &lucid_storage::PageRequest::first(100),
        )
        .expect("versions");
    assert_eq!(
        versions.data.len(),
        2,
        "the clone and one completion: {versions:?}"
    );
}

/// Follows `storage`'s database; the changes arrive on the returned channel.
fn follow(storage: &PostgresStorage) -> Receiver<StorageChange> {
    let (sender, changes) = channel();
    let sender = Mutex::new(sender);
    let pushed = storage
        .follow_changes(Arc::new(move |change| {
            let _ = sender
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .send(change);
        }))
        .expect("follow");
    assert!(pushed, "PostgreSQL pushes changes");
    changes
}

/// The next change that is not `skip`-ped, within two seconds.
fn next_change(changes: &Receiver<StorageChange>) -> StorageChange {
    changes
        .recv_timeout(Duration::from_secs(2))
        .expect("a change within 2 s")
}

#[test]
fn appends_queued_dreams_and_revoked_keys_of_another_node_reach_a_follower() {
    let Some(database) = database() else { return };
    let follower = PostgresStorage::open(database.url()).expect("open");
    let writer = PostgresStorage::open(database.url()).expect("open");
    let (ws, store, session) = fixture(&writer);
    let changes = follow(&follower);

    writer
        .append_events(&ws, &session, vec![event("one"), event("two")])
        .expect("append");
    // Two events in one transaction: one notification.
    assert_eq!(
        next_change(&changes),
        StorageChange::SessionChanged(session.clone())
    );
    let dream = writer
        .create_dream(&ws, builtin_dream(&store, &session))
        .expect("dream");
    assert_eq!(
        next_change(&changes),
        StorageChange::DreamQueued(dream.id.clone())
    );
    writer.archive_session(&ws, &session).expect("archive");
    assert_eq!(
        next_change(&changes),
        StorageChange::SessionChanged(session.clone())
    );
    let (key, _) = writer
        .create_api_key("w", Some("short-lived"))
        .expect("key");
    writer.revoke_api_key(&key.id).expect("revoke");
    assert_eq!(next_change(&changes), StorageChange::KeyRevoked(key.id));
    // Nothing else was announced (the dream's own narration session is not started yet).
    assert!(
        changes.recv_timeout(Duration::from_millis(300)).is_err(),
        "no further change"
    );
}

#[test]
fn a_follower_whose_connection_is_cut_reconnects_and_asks_for_a_resync() {
    let Some(database) = database() else { return };
    let follower = PostgresStorage::open(database.url()).expect("open");
    let writer = PostgresStorage::open(database.url()).expect("open");
    let (ws, _, session) = fixture(&writer);
    let changes = follow(&follower);

    // Cut every listening connection, as a database restart or a network cut would.
    let mut admin = database
        .url()
        .parse::<postgres::Config>()
        .expect("url")
        .connect(postgres::NoTls)
        .expect("connect");
    let cut = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND query LIKE 'LISTEN%'",
            &[],
        )
        .expect("terminate");
    assert_eq!(cut.len(), 1, "one listening connection");
    let resync = changes
        .recv_timeout(Duration::from_secs(5))
        .expect("a change within 5 s");
    assert_eq!(resync, StorageChange::Resync);
    // Followed again: a later append arrives as usual.
    writer
        .append_events(&ws, &session, vec![event("after")])
        .expect("append");
    assert_eq!(
        next_change(&changes),
        StorageChange::SessionChanged(session)
    );
}

#[test]
fn health_reports_the_backend_schema_and_the_running_dreams_leases() {
    let Some(database) = database() else { return };
    let node = PostgresStorage::open(database.url()).expect("open");
    let (ws, store, session) = fixture(&node);
    let health = node.health().expect("health");
    assert_eq!(health.backend, "postgres");
    assert_eq!(health.schema_version, PostgresStorage::newest_migration());
    assert_eq!(health.node, node.node());
    assert!(!health.location.contains("password"), "{}", health.location);
    assert!(health.leases.is_empty());

    let dream = node
        .create_dream(&ws, builtin_dream(&store, &session))
        .expect("dream");
    node.claim_dream().expect("claim").expect("the dream");
    node.start_dream(&dream.id).expect("start");
    let health = node.health().expect("health");
    assert_eq!(health.leases.len(), 1);
    let lease = &health.leases[0];
    assert_eq!(lease.dream_id, dream.id);
    assert_eq!(lease.node, node.node());
    let left = lease.expires_in_secs.expect("a lease has an expiry");
    assert!(left > 0.0 && left <= 30.0, "{left} s left");
}

/// The connection cap (`PostgresOptions::max_connections`): many threads calling one node at
/// once share at most that many connections — the surplus requests wait for a free one and
/// succeed — so a burst cannot exhaust the database server's own `max_connections`.
#[test]
fn a_burst_of_requests_shares_at_most_max_connections() {
    let Some(database) = database() else { return };
    let options = PostgresOptions {
        pool_size: 1,
        max_connections: 2,
        ..PostgresOptions::default()
    };
    let storage = Arc::new(PostgresStorage::open_with(database.url(), options).expect("open"));
    let ws = storage.ensure_workspace("w").expect("workspace").id;
    // The node's connections, seen by the server (the heartbeat's own connection included).
    let mut monitor = database
        .url()
        .parse::<postgres::Config>()
        .expect("url")
        .application_name("pool-monitor")
        .connect(postgres::NoTls)
        .expect("connect");
    let (busiest, running) = (Arc::new(AtomicI64::new(0)), Arc::new(AtomicBool::new(true)));
    let watcher = {
        let (busiest, running) = (busiest.clone(), running.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::SeqCst) {
                let open: i64 = monitor
                    .query_one(
                        "SELECT COUNT(*) FROM pg_stat_activity
                         WHERE datname = current_database() AND application_name = 'lucid'
                           AND query NOT LIKE 'LISTEN%'",
                        &[],
                    )
                    .expect("pg_stat_activity")
                    .get(0);
                busiest.fetch_max(open, Ordering::SeqCst);
            }
        })
    };
    let workers: Vec<_> = (0..12)
        .map(|n| {
            let (storage, ws) = (storage.clone(), ws.clone());
            std::thread::spawn(move || {
                for round in 0..25 {
                    storage
                        .create_store(
                            &ws,
                            NewStore {
                                name: format!("store {n}-{round}"),
                                ..NewStore::default()
                            },
                        )
                        .expect("a write waits for a connection, then succeeds");
                    storage
                        .list_stores(&ws, &StoreFilter::default(), &PageRequest::first(5))
                        .expect("a read waits for a connection, then succeeds");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    running.store(false, Ordering::SeqCst);
    watcher.join().expect("watcher");
    let stores = storage
        .list_stores(&ws, &StoreFilter::default(), &PageRequest::first(100))
        .expect("stores");
    assert_eq!(stores.data.len(), 100, "first page of the 300 stores");
    // Two request connections and the lease heartbeat's.
    let busiest = busiest.load(Ordering::SeqCst);
    assert!(
        (1..=3).contains(&busiest),
        "at most 2 request connections (+ the heartbeat's) were open; saw {busiest}"
    );
}
