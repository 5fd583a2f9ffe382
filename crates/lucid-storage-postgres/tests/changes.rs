//! Other nodes' writes pushed to a follower (LISTEN/NOTIFY, issue 15: appended events, queued
//! dreams, archived sessions, revoked keys) and the health report:
//! two `PostgresStorage`s on one database stand for two `lucid serve` processes. Skipped with a
//! message without a test server (`LUCID_TEST_POSTGRES_URL`), failed under CI.

use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lucid_storage::{
    DreamModel, NewAgent, NewDream, NewSession, NewStore, OutputBehavior, Storage, StorageChange,
};
use lucid_storage_postgres::PostgresStorage;
use lucid_storage_postgres::testing::{TestDatabase, unavailable};
use serde_json::json;

fn database() -> Option<TestDatabase> {
    if let Some(reason) = unavailable() {
        eprintln!("skipped: {reason}");
        return None;
    }
    TestDatabase::create()
}

fn event(text: &str) -> lucid_storage::NewEvent {
    let mut event = serde_json::Map::new();
    event.insert("type".into(), json!("user.message"));
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event
}

/// A workspace, a store and a session with one event, written by `storage`.
fn fixture(storage: &PostgresStorage) -> (String, String, String) {
    let ws = storage.ensure_workspace("w").expect("workspace").id;
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
                events: vec![event("hi")],
                trust: Default::default(),
                users: Default::default(),
            },
        )
        .expect("session")
        .id;
    (ws, store, session)
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
        .create_dream(
            &ws,
            NewDream {
                memory_store_id: store,
                session_ids: vec![session.clone()],
                model: DreamModel {
                    id: "lucid-builtin".into(),
                    speed: None,
                },
                instructions: None,
                output_behavior: OutputBehavior::CreateNew,
                schedule_id: None,
                trusted_only: false,
            },
        )
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
        .create_dream(
            &ws,
            NewDream {
                memory_store_id: store,
                session_ids: vec![session],
                model: DreamModel {
                    id: "lucid-builtin".into(),
                    speed: None,
                },
                instructions: None,
                output_behavior: OutputBehavior::CreateNew,
                schedule_id: None,
                trusted_only: false,
            },
        )
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
