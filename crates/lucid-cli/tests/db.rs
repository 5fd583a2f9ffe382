//! `lucid db check|migrate` on a SQLite file and on a PostgreSQL database of the test server
//! (that part skipped with a message without `LUCID_TEST_POSTGRES_URL`, failed under CI).

mod support;

use support::Ran;

/// `lucid db ARGS --db DB` (run in the system's temporary folder: the database is named).
fn lucid_db(args: &[&str], db: &str) -> Ran {
    let mut all = vec!["db"];
    all.extend_from_slice(args);
    all.extend(["--db", db]);
    support::lucid(&std::env::temp_dir(), &all)
}

/// `check` says the schema is behind on a new database and changes nothing; `migrate` brings it
/// up to date; `check` then agrees.
fn check_then_migrate(db: &str) {
    let before = lucid_db(&["check"], db);
    let text = &before.stdout;
    assert_eq!(before.code, Some(1), "{before:?}");
    assert!(
        text.contains("schema 0") && text.contains("lucid db migrate"),
        "{text}"
    );
    assert_eq!(
        lucid_db(&["check"], db).code,
        Some(1),
        "check changed nothing"
    );
    let migrated = lucid_db(&["migrate"], db);
    assert_eq!(migrated.code, Some(0), "{migrated:?}");
    let after = lucid_db(&["check"], db);
    let text = &after.stdout;
    assert_eq!(after.code, Some(0), "{after:?}");
    assert!(
        text.contains("up to date") && !text.contains("secret"),
        "{text}"
    );
}

#[test]
fn db_check_and_migrate_on_postgresql() {
    if let Some(reason) = lucid_storage_postgres::testing::unavailable() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {reason}");
        return;
    }
    let database = lucid_storage_postgres::testing::TestDatabase::create().expect("test server");
    check_then_migrate(database.url());
}

#[test]
fn db_check_and_migrate_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lucid.db");
    let db = path.to_str().expect("utf-8 path");
    // No file: check says so and creates none.
    let missing = lucid_db(&["check"], db);
    assert_ne!(missing.code, Some(0));
    assert!(missing.stderr.contains("no database"), "{missing:?}");
    assert!(!path.exists());
    // An empty SQLite file (what a failed start could leave) is schema 0.
    std::fs::write(&path, b"").expect("empty file");
    check_then_migrate(db);
}
