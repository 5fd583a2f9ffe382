//! The storage conformance suite on PostgreSQL, one test per check, each on a new database of
//! the test server (`LUCID_TEST_POSTGRES_URL`); skipped with a message when none is configured,
//! and failed under CI.

use lucid_storage::Storage;
use lucid_storage_postgres::PostgresStorage;
use lucid_storage_postgres::testing::{TestDatabase, unavailable};

fn with_storage(check: fn(&dyn Storage)) {
    if let Some(reason) = unavailable() {
        eprintln!("skipped: {reason}");
        return;
    }
    let database = TestDatabase::create().expect("the test server is configured");
    let storage = PostgresStorage::open(database.url()).expect("open the test database");
    check(&storage);
}

lucid_storage::conformance_tests!(tests with_storage);
