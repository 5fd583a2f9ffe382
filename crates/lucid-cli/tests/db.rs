//! `lucid db check|migrate` on a SQLite file and on a PostgreSQL database of the test server
//! (that part skipped with a message without `LUCID_TEST_POSTGRES_URL`, failed under CI).

use std::process::{Command, Output};

fn lucid_db(args: &[&str], db: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lucid"))
        .arg("db")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("run lucid db")
}

/// `check` says the schema is behind on a new database and changes nothing; `migrate` brings it
/// up to date; `check` then agrees.
fn check_then_migrate(db: &str) {
    let before = lucid_db(&["check"], db);
    let text = String::from_utf8_lossy(&before.stdout).to_string();
    assert_eq!(before.status.code(), Some(1), "{before:?}");
    assert!(
        text.contains("schema 0") && text.contains("lucid db migrate"),
        "{text}"
    );
    assert_eq!(
        lucid_db(&["check"], db).status.code(),
        Some(1),
        "check changed nothing"
    );
    let migrated = lucid_db(&["migrate"], db);
    assert!(migrated.status.success(), "{migrated:?}");
    let after = lucid_db(&["check"], db);
    let text = String::from_utf8_lossy(&after.stdout).to_string();
    assert!(after.status.success(), "{after:?}");
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
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no database"),
        "{missing:?}"
    );
    assert!(!path.exists());
    // An empty SQLite file (what a failed start could leave) is schema 0.
    std::fs::write(&path, b"").expect("empty file");
    check_then_migrate(db);
}
