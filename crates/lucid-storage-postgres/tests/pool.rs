//! The connection cap (`PostgresOptions::max_connections`): many threads calling one node at
//! once share at most that many connections — the surplus requests wait for a free one and
//! succeed — so a burst cannot exhaust the database server's own `max_connections`. Skipped
//! with a message without a test server (`LUCID_TEST_POSTGRES_URL`), failed under CI.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use lucid_storage::{NewStore, PageRequest, Storage, StoreFilter};
use lucid_storage_postgres::testing::{TestDatabase, unavailable};
use lucid_storage_postgres::{PostgresOptions, PostgresStorage};

#[test]
fn a_burst_of_requests_shares_at_most_max_connections() {
    if let Some(reason) = unavailable() {
        eprintln!("skipped: {reason}");
        return;
    }
    let database = TestDatabase::create().expect("test server");
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
