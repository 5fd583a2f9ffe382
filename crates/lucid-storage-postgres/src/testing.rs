//! Throwaway databases for tests: `LUCID_TEST_POSTGRES_URL` names a server (any database on
//! it, e.g. `postgres://lucid@127.0.0.1:5432/postgres`, as `scripts/postgres-test-cluster`
//! prints); each [`TestDatabase`] is a new empty database there, dropped again when it goes
//! out of scope. The client calls run on a thread of their own, so they work from async tests
//! too (the synchronous client must not run on a runtime's thread).

/// The variable naming the test server.
pub const TEST_URL_VARIABLE: &str = "LUCID_TEST_POSTGRES_URL";

/// Why PostgreSQL tests are skipped here, when they are: `None` when the test server is
/// configured. Under CI (the `CI` variable set) a missing server is a failure, never a skip.
pub fn unavailable() -> Option<String> {
    if std::env::var_os(TEST_URL_VARIABLE).is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let reason = format!(
        "{TEST_URL_VARIABLE} is not set: start a throwaway cluster with \
         `eval \"$(scripts/postgres-test-cluster)\"` to run the PostgreSQL tests"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "PostgreSQL tests are required under CI: {reason}"
    );
    Some(reason)
}

/// A new empty database on the test server, dropped on drop.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates the database; `None` when no test server is configured (see [`unavailable`]).
    pub fn create() -> Option<TestDatabase> {
        unavailable().is_none().then_some(())?;
        let admin_url = std::env::var(TEST_URL_VARIABLE).ok()?;
        let name = format!("lucid_test_{}", uuid_like());
        let url = with_database(&admin_url, &name);
        let statement = format!("CREATE DATABASE {name}");
        run_on_admin(&admin_url, &statement)
            .unwrap_or_else(|error| panic!("cannot create a test database on the server: {error}"));
        Some(TestDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: the cluster is thrown away anyway.
        let _ = run_on_admin(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let host_part = match base[authority_start..].find('/') {
        Some(at) => &base[..authority_start + at],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

fn run_on_admin(admin_url: &str, statement: &str) -> Result<(), String> {
    let (admin_url, statement) = (admin_url.to_string(), statement.to_string());
    std::thread::spawn(move || {
        let mut client = admin_url
            .parse::<postgres::Config>()
            .map_err(|e| e.to_string())?
            .connect(postgres::NoTls)
            .map_err(|e| e.to_string())?;
        client.batch_execute(&statement).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the database thread panicked".to_string())?
}

/// A name unique enough for concurrent test processes: time, process id and a counter.
fn uuid_like() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{nanos:x}_{}_{n}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5/postgres", "t1"),
            "postgres://u:p@127.0.0.1:5/t1"
        );
        assert_eq!(
            with_database("postgres://h:5/db?sslmode=disable", "t1"),
            "postgres://h:5/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5", "t1"), "postgres://h:5/t1");
    }
}
