//! `lucid db copy`: moves an installation from a SQLite file to a new PostgreSQL database —
//! every workspace, key, store, memory and version, agent, session and event, dream, review,
//! schedule and cached model answer — and proves it by counts and hashes.
//!
//! The copy is table by table, driven by the two schemas: each PostgreSQL column is filled from
//! the SQLite column of the same name, converted to the PostgreSQL column's type (SQLite keeps
//! booleans as integers). A SQLite column with no PostgreSQL column stops the copy before
//! anything is written: nothing is dropped silently. The search index (`memory_items`) is
//! copied row by row with its terms computed as the backend computes them on a write.
//!
//! Everything is written in one transaction that first checks the target holds no data, and
//! each table is read back inside it and compared with the source — row count and a hash of
//! the rows that does not depend on their order — before it commits: a copy that does not
//! match is rolled back and leaves the target as it was. The source is read in one read
//! transaction (a consistent snapshot) and never written.

use std::path::Path;

use lucid_storage::{Result, StorageError};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use sha2::{Digest, Sha256};

/// The tables copied, parents before children.
const TABLES: &[&str] = &[
    "workspaces",
    "api_keys",
    "memory_stores",
    "memories",
    "memory_versions",
    "agents",
    "agent_versions",
    "sessions",
    "session_stores",
    "session_events",
    "dreams",
    "dream_results",
    "dream_reviews",
    "agent_store_changes",
    "schedules",
    "schedule_sessions",
    "model_responses",
    "memory_items",
    "search_generations",
];

/// SQLite columns that have no PostgreSQL column on purpose (the index's row id; PostgreSQL
/// numbers its own rows).
const NOT_COPIED: &[(&str, &str)] = &[("memory_items", "rowid")];

/// What was copied: one line per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    /// The table's name (the same in both databases).
    pub table: &'static str,
    /// Rows copied, equal on both sides.
    pub rows: u64,
    /// The hash of the table's rows, equal on both sides (hex, order independent).
    pub hash: String,
}

/// A value on its way from SQLite to PostgreSQL, already in the PostgreSQL column's type.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    /// A NULL, typed for the column it goes to (PostgreSQL checks parameter types).
    Null(NullOf),
    Int(i64),
    Int4(i32),
    Real(f64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
    Texts(Vec<String>),
}

impl Cell {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        const NULL_INT: Option<i64> = None;
        const NULL_INT4: Option<i32> = None;
        const NULL_REAL: Option<f64> = None;
        const NULL_BOOL: Option<bool> = None;
        const NULL_TEXT: Option<String> = None;
        const NULL_BYTES: Option<Vec<u8>> = None;
        match self {
            Cell::Null(NullOf::Int) => &NULL_INT,
            Cell::Null(NullOf::Int4) => &NULL_INT4,
            Cell::Null(NullOf::Real) => &NULL_REAL,
            Cell::Null(NullOf::Bool) => &NULL_BOOL,
            Cell::Null(NullOf::Text) => &NULL_TEXT,
            Cell::Null(NullOf::Bytes) => &NULL_BYTES,
            Cell::Int(v) => v,
            Cell::Int4(v) => v,
            Cell::Real(v) => v,
            Cell::Bool(v) => v,
            Cell::Text(v) => v,
            Cell::Bytes(v) => v,
            Cell::Texts(v) => v,
        }
    }

    /// A tagged, unambiguous encoding for the row hash.
    fn feed(&self, hasher: &mut Sha256) {
        match self {
            // Every NULL hashes alike: its type is the column's, not the value's.
            Cell::Null(_) => hasher.update([0]),
            Cell::Int(v) => {
                hasher.update([1]);
                hasher.update(v.to_le_bytes());
            }
            Cell::Int4(v) => {
                hasher.update([1]);
                hasher.update(i64::from(*v).to_le_bytes());
            }
            Cell::Real(v) => {
                hasher.update([2]);
                hasher.update(v.to_bits().to_le_bytes());
            }
            Cell::Bool(v) => hasher.update([3, u8::from(*v)]),
            Cell::Text(v) => {
                hasher.update([4]);
                hasher.update((v.len() as u64).to_le_bytes());
                hasher.update(v.as_bytes());
            }
            Cell::Bytes(v) => {
                hasher.update([5]);
                hasher.update((v.len() as u64).to_le_bytes());
                hasher.update(v);
            }
            Cell::Texts(items) => {
                hasher.update([6]);
                hasher.update((items.len() as u64).to_le_bytes());
                for item in items {
                    hasher.update((item.len() as u64).to_le_bytes());
                    hasher.update(item.as_bytes());
                }
            }
        }
    }
}

/// The type of a NULL parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NullOf {
    Int,
    Int4,
    Real,
    Bool,
    Text,
    Bytes,
}

impl NullOf {
    fn for_column(pg_type: &str) -> NullOf {
        match pg_type {
            "bigint" => NullOf::Int,
            "integer" => NullOf::Int4,
            "double precision" => NullOf::Real,
            "boolean" => NullOf::Bool,
            "bytea" => NullOf::Bytes,
            _ => NullOf::Text,
        }
    }
}

/// A PostgreSQL column the copy fills, and how.
struct Column {
    name: String,
    pg_type: String,
}

/// The hash of a set of rows, whatever their order: each row's hash, sorted, hashed.
#[derive(Default)]
struct TableHash {
    rows: Vec<[u8; 32]>,
}

impl TableHash {
    fn add(&mut self, row: &[Cell]) {
        let mut hasher = Sha256::new();
        for cell in row {
            cell.feed(&mut hasher);
        }
        self.rows.push(hasher.finalize().into());
    }

    fn finish(mut self) -> (u64, String) {
        self.rows.sort_unstable();
        let mut hasher = Sha256::new();
        for row in &self.rows {
            hasher.update(row);
        }
        let hex = hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        (self.rows.len() as u64, hex)
    }
}

fn backend(context: &str) -> impl Fn(rusqlite::Error) -> StorageError + '_ {
    move |error| StorageError::Backend(format!("{context}: {error}"))
}

fn pg(context: &str) -> impl Fn(postgres::Error) -> StorageError + '_ {
    move |error| StorageError::Backend(format!("{context}: {}", describe(&error)))
}

/// The server's message when there is one (the driver's own text is only "db error").
fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

/// Copies the SQLite database at `source` into the PostgreSQL database at `target_url`, which
/// must be migrated (open it with [`crate::PostgresStorage::open`] first) and hold no data.
/// `progress` hears each table once copied and verified. Returns the tables, in copy order.
pub fn copy_from_sqlite(
    source: &Path,
    target_url: &str,
    mut progress: impl FnMut(&CopiedTable),
) -> Result<Vec<CopiedTable>> {
    let display = crate::redact_url(target_url);
    let mut sqlite = rusqlite::Connection::open_with_flags(
        source,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(backend("opening the source"))?;
    let snapshot = sqlite
        .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
        .map_err(backend("reading the source"))?;
    let config: postgres::Config = target_url.parse().map_err(|error| {
        StorageError::Backend(format!("{display} is not a PostgreSQL URL: {error}"))
    })?;
    let mut client: Client = config
        .connect(NoTls)
        .map_err(|error| StorageError::Backend(format!("cannot connect to {display}: {error}")))?;
    let mut tx = client.transaction().map_err(pg("starting the copy"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&crate::WRITE_LOCK])
        .map_err(pg("locking the target"))?;
    refuse_unless_empty(&mut tx, &display)?;
    refuse_uncovered_tables(&mut tx)?;
    let mut copied = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let columns = columns_to_copy(&snapshot, &mut tx, table)?;
        let source_hash = copy_table(&snapshot, &mut tx, table, &columns)?;
        let target_hash = read_back(&mut tx, table, &columns)?;
        if source_hash != target_hash {
            return Err(StorageError::Backend(format!(
                "the copy of {table} does not match its source ({} rows, hash {} in SQLite; \
                 {} rows, hash {} in PostgreSQL): nothing was written",
                source_hash.0,
                &source_hash.1[..12],
                target_hash.0,
                &target_hash.1[..12],
            )));
        }
        restart_numbering(&mut tx, table)?;
        let done = CopiedTable {
            table,
            rows: source_hash.0,
            hash: source_hash.1,
        };
        progress(&done);
        copied.push(done);
    }
    // A dream that was running when the source stopped has no lease here: expire it at once,
    // so the first worker claims it and runs it again from its inputs.
    tx.execute(
        "UPDATE dreams SET lease_expires_at = now() - interval '1 second'
         WHERE status = 'running'",
        &[],
    )
    .map_err(pg("releasing running dreams"))?;
    tx.commit().map_err(pg("committing the copy"))?;
    Ok(copied)
}

/// The copy fills a new database only: merging two installations' ids is not a copy.
fn refuse_unless_empty(tx: &mut postgres::Transaction<'_>, display: &str) -> Result<()> {
    for table in TABLES {
        let taken: bool = tx
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
            .map_err(pg("reading the target"))?
            .get(0);
        if taken {
            return Err(StorageError::Conflict(format!(
                "{display} already holds data (table {table} is not empty): `lucid db copy` \
                 fills a new, empty database only"
            )));
        }
    }
    Ok(())
}

/// Tables of the PostgreSQL schema that hold no installation data, so nothing is copied into
/// them: the migration log, and the request buckets nodes share (a new database starts full).
const TABLES_NOT_COPIED: &[&str] = &["schema_migrations", "rate_buckets"];

/// Every table of the schema is copied (or is in [`TABLES_NOT_COPIED`]): a table a later migration
/// adds must be added to [`TABLES`], or the copy would drop its rows without a word.
fn refuse_uncovered_tables(tx: &mut postgres::Transaction<'_>) -> Result<()> {
    let uncovered: Vec<String> = tx
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
             ORDER BY table_name",
            &[],
        )
        .map_err(pg("reading the target schema"))?
        .into_iter()
        .map(|row| row.get::<_, String>(0))
        .filter(|table| {
            !TABLES_NOT_COPIED.contains(&table.as_str()) && !TABLES.contains(&table.as_str())
        })
        .collect();
    if uncovered.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Backend(format!(
            "this lucid does not know how to copy the tables {}: nothing was copied",
            uncovered.join(", ")
        )))
    }
}

/// The PostgreSQL columns of `table` that come from SQLite, in PostgreSQL's order; an error
/// when SQLite has a column PostgreSQL lacks.
fn columns_to_copy(
    sqlite: &rusqlite::Connection,
    tx: &mut postgres::Transaction<'_>,
    table: &str,
) -> Result<Vec<Column>> {
    let mut statement = sqlite
        .prepare(&format!("PRAGMA table_info({table})"))
        .map_err(backend("reading the source schema"))?;
    let source: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(1))
        .map_err(backend("reading the source schema"))?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend("reading the source schema"))?;
    if source.is_empty() {
        return Err(StorageError::Backend(format!(
            "the source has no table {table}: is it a lucid database at the newest schema?"
        )));
    }
    let target: Vec<Column> = tx
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1
             ORDER BY ordinal_position",
            &[&table],
        )
        .map_err(pg("reading the target schema"))?
        .into_iter()
        .map(|row| Column {
            name: row.get(0),
            pg_type: row.get(1),
        })
        .collect();
    let missing: Vec<&str> = source
        .iter()
        .map(String::as_str)
        .filter(|name| !target.iter().any(|column| column.name == *name))
        .filter(|name| !NOT_COPIED.contains(&(table, *name)))
        .collect();
    if !missing.is_empty() {
        return Err(StorageError::Backend(format!(
            "table {table} has columns in SQLite that PostgreSQL lacks ({}): nothing was copied",
            missing.join(", ")
        )));
    }
    Ok(target
        .into_iter()
        .filter(|column| source.contains(&column.name))
        .collect())
}

/// The index's extra columns, computed from the item's text as a write computes them.
fn index_terms(table: &str, columns: &[Column], row: &[Cell]) -> Vec<Cell> {
    if table != "memory_items" {
        return Vec::new();
    }
    let text = columns
        .iter()
        .position(|column| column.name == "text")
        .and_then(|at| match &row[at] {
            Cell::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .unwrap_or_default();
    let terms = lucid_search::terms(text);
    let count = terms.len() as i64;
    vec![Cell::Texts(terms), Cell::Int(count)]
}

/// Inserts every source row; returns the source's count and hash.
fn copy_table(
    sqlite: &rusqlite::Connection,
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    columns: &[Column],
) -> Result<(u64, String)> {
    let names: Vec<&str> = columns.iter().map(|column| column.name.as_str()).collect();
    let mut targets = names.clone();
    if table == "memory_items" {
        targets.extend(["terms", "term_count"]);
    }
    let placeholders: Vec<String> = (1..=targets.len()).map(|n| format!("${n}")).collect();
    let insert = tx
        .prepare(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            targets.join(", "),
            placeholders.join(", ")
        ))
        .map_err(pg("preparing the copy"))?;
    let mut select = sqlite
        .prepare(&format!("SELECT {} FROM {table}", names.join(", ")))
        .map_err(backend("reading the source"))?;
    let mut rows = select.query([]).map_err(backend("reading the source"))?;
    let mut hash = TableHash::default();
    while let Some(row) = rows.next().map_err(backend("reading the source"))? {
        let mut cells = Vec::with_capacity(targets.len());
        for (at, column) in columns.iter().enumerate() {
            let value = row.get_ref(at).map_err(backend("reading the source"))?;
            cells.push(convert(table, column, value)?);
        }
        cells.extend(index_terms(table, columns, &cells));
        hash.add(&cells);
        let params: Vec<&(dyn ToSql + Sync)> = cells.iter().map(Cell::as_sql).collect();
        tx.execute(&insert, &params).map_err(|error| {
            StorageError::Backend(format!("copying a row of {table}: {}", describe(&error)))
        })?;
    }
    Ok(hash.finish())
}

/// A SQLite value as the PostgreSQL column's type.
fn convert(table: &str, column: &Column, value: rusqlite::types::ValueRef<'_>) -> Result<Cell> {
    use rusqlite::types::ValueRef;
    let wrong = || {
        StorageError::Backend(format!(
            "{table}.{} holds {:?} where PostgreSQL wants {}",
            column.name,
            value.data_type(),
            column.pg_type
        ))
    };
    Ok(match (column.pg_type.as_str(), value) {
        (_, ValueRef::Null) => Cell::Null(NullOf::for_column(&column.pg_type)),
        ("bigint", ValueRef::Integer(v)) => Cell::Int(v),
        ("integer", ValueRef::Integer(v)) => Cell::Int4(i32::try_from(v).map_err(|_| wrong())?),
        ("boolean", ValueRef::Integer(v)) => Cell::Bool(v != 0),
        ("double precision", ValueRef::Real(v)) => Cell::Real(v),
        ("double precision", ValueRef::Integer(v)) => Cell::Real(v as f64),
        ("text", ValueRef::Text(bytes)) => {
            Cell::Text(String::from_utf8(bytes.to_vec()).map_err(|_| wrong())?)
        }
        ("text", ValueRef::Integer(v)) => Cell::Text(v.to_string()),
        ("bytea", ValueRef::Blob(bytes)) => Cell::Bytes(bytes.to_vec()),
        _ => return Err(wrong()),
    })
}

/// Reads the copied table back (with the index's computed columns); its count and hash.
fn read_back(
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    columns: &[Column],
) -> Result<(u64, String)> {
    let mut names: Vec<&str> = columns.iter().map(|column| column.name.as_str()).collect();
    let mut types: Vec<&str> = columns
        .iter()
        .map(|column| column.pg_type.as_str())
        .collect();
    if table == "memory_items" {
        names.extend(["terms", "term_count"]);
        types.extend(["ARRAY", "bigint"]);
    }
    let no_params: [&(dyn ToSql + Sync); 0] = [];
    let mut rows = tx
        .query_raw(
            &format!("SELECT {} FROM {table}", names.join(", ")),
            no_params,
        )
        .map_err(pg("reading the copy back"))?;
    let mut hash = TableHash::default();
    while let Some(row) = rows.next().map_err(pg("reading the copy back"))? {
        let mut cells = Vec::with_capacity(types.len());
        for (at, pg_type) in types.iter().enumerate() {
            let read = |error| StorageError::Backend(format!("reading {table} back: {error}"));
            let cell = match *pg_type {
                "bigint" => row
                    .try_get::<_, Option<i64>>(at)
                    .map_err(read)?
                    .map(Cell::Int),
                "integer" => row
                    .try_get::<_, Option<i32>>(at)
                    .map_err(read)?
                    .map(Cell::Int4),
                "boolean" => row
                    .try_get::<_, Option<bool>>(at)
                    .map_err(read)?
                    .map(Cell::Bool),
                "double precision" => row
                    .try_get::<_, Option<f64>>(at)
                    .map_err(read)?
                    .map(Cell::Real),
                "bytea" => row
                    .try_get::<_, Option<Vec<u8>>>(at)
                    .map_err(read)?
                    .map(Cell::Bytes),
                "ARRAY" => row
                    .try_get::<_, Option<Vec<String>>>(at)
                    .map_err(read)?
                    .map(Cell::Texts),
                _ => row
                    .try_get::<_, Option<String>>(at)
                    .map_err(read)?
                    .map(Cell::Text),
            };
            cells.push(cell.unwrap_or(Cell::Null(NullOf::for_column(pg_type))));
        }
        hash.add(&cells);
    }
    Ok(hash.finish())
}

/// Identity columns continue after the copied rows' numbers.
fn restart_numbering(tx: &mut postgres::Transaction<'_>, table: &str) -> Result<()> {
    let numbered: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
                            WHERE table_schema = current_schema() AND table_name = $1
                              AND column_name = 'seq' AND is_identity = 'YES')",
            &[&table],
        )
        .map_err(pg("reading the target schema"))?
        .get(0);
    if numbered {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'seq'),
                               COALESCE((SELECT MAX(seq) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )
        .map_err(pg("numbering the copied rows"))?;
    }
    Ok(())
}
