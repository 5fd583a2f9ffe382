//! The storage conformance suite on SQLite, one test per check, each on a new database file.

use lucid_storage::Storage;
use lucid_storage_sqlite::SqliteStorage;

fn with_storage(check: fn(&dyn Storage)) {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SqliteStorage::open(&dir.path().join("lucid.db")).expect("open");
    check(&storage);
}

lucid_storage::conformance_tests!(tests with_storage);
