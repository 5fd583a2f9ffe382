//! The seam to the shared table code: [`PgTx`], one open transaction on a pooled connection as a
//! `lucid_storage_sql::Transaction`, and error mapping.
//!
//! Statements are written with SQLite-style placeholders (`?1`, or `?` numbered in order) and
//! turned into PostgreSQL's `$n` once per statement text; prepared statements are kept per
//! connection. Parameters ([`Value`]s) are converted to the type PostgreSQL inferred for each
//! placeholder (an integer for a `BOOLEAN` is 0 or 1, as in SQLite), and columns back to values.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;

use lucid_storage::{MemorySearchHit, Result, StorageError};
use lucid_storage_sql::{Row, Transaction, Value};
use postgres::Statement;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::search;

/// A parameter of a native statement.
pub(crate) type Param<'a> = &'a (dyn ToSql + Sync);

/// The message of a database error: its SQLSTATE code and text when the server sent one.
pub(crate) fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

/// Maps database errors to the backend error (details go to the log through the server).
pub(crate) trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for std::result::Result<T, postgres::Error> {
    fn db(self) -> Result<T> {
        self.map_err(|error| StorageError::Backend(describe(&error)))
    }
}

/// A value as a parameter of the type PostgreSQL inferred for its placeholder.
#[derive(Debug)]
struct PgParam<'a>(&'a Value);

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        match (self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Integer(n), &Type::INT8) => n.to_sql(ty, out),
            (Value::Integer(n), &Type::INT4) => i32::try_from(*n)?.to_sql(ty, out),
            (Value::Integer(n), &Type::INT2) => i16::try_from(*n)?.to_sql(ty, out),
            (Value::Integer(n), &Type::BOOL) => (*n != 0).to_sql(ty, out),
            (Value::Integer(n), &Type::FLOAT8) => (*n as f64).to_sql(ty, out),
            (Value::Real(n), &Type::FLOAT8) => n.to_sql(ty, out),
            (Value::Real(n), &Type::FLOAT4) => (*n as f32).to_sql(ty, out),
            (Value::Text(text), _) if <&str as ToSql>::accepts(ty) => text.as_str().to_sql(ty, out),
            (Value::Blob(bytes), &Type::BYTEA) => bytes.as_slice().to_sql(ty, out),
            (value, ty) => Err(format!("cannot bind {value:?} to a parameter of type {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column of any supported type as a value.
struct PgColumn(Value);

impl<'r> FromSql<'r> for PgColumn {
    fn from_sql(ty: &Type, raw: &'r [u8]) -> std::result::Result<Self, BoxError> {
        Ok(PgColumn(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ if <String as FromSql>::accepts(ty) => Value::Text(String::from_sql(ty, raw)?),
            _ => return Err(format!("columns of type {ty} are not read by lucid").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(PgColumn(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A pooled connection: the client and its prepared statements.
pub(crate) struct Pooled {
    pub client: postgres::Client,
    pub statements: HashMap<String, Statement>,
}

/// One open transaction (read or write) on a pooled connection.
pub(crate) struct PgTx<'a> {
    tx: RefCell<postgres::Transaction<'a>>,
    statements: RefCell<&'a mut HashMap<String, Statement>>,
}

impl<'a> PgTx<'a> {
    pub(crate) fn new(
        tx: postgres::Transaction<'a>,
        statements: &'a mut HashMap<String, Statement>,
    ) -> Self {
        PgTx {
            tx: RefCell::new(tx),
            statements: RefCell::new(statements),
        }
    }

    pub(crate) fn commit(self) -> Result<()> {
        self.tx.into_inner().commit().db()
    }

    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.borrow_mut().prepare(&numbered(sql)).db()?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Every row of a statement with native parameters (for what only PostgreSQL has, like
    /// array parameters).
    pub(crate) fn native_rows(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<postgres::Row>> {
        let statement = self.statement(sql)?;
        self.tx.borrow_mut().query(&statement, params).db()
    }

    /// Runs a statement with native parameters.
    pub(crate) fn native_execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let statement = self.statement(sql)?;
        self.tx.borrow_mut().execute(&statement, params).db()
    }
}

fn with_params<T>(values: &[Value], run: impl FnOnce(&[Param<'_>]) -> T) -> T {
    let params: Vec<PgParam<'_>> = values.iter().map(PgParam).collect();
    let refs: Vec<Param<'_>> = params.iter().map(|p| p as Param<'_>).collect();
    run(&refs)
}

impl Transaction for PgTx<'_> {
    fn execute(&self, sql: &str, values: &[Value]) -> Result<u64> {
        with_params(values, |params| self.native_execute(sql, params))
    }

    fn query_each(
        &self,
        sql: &str,
        values: &[Value],
        each: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()> {
        // The client reads a result whole; rows are converted as they are handed on.
        let rows = with_params(values, |params| self.native_rows(sql, params))?;
        for row in rows {
            let values = (0..row.len())
                .map(|index| {
                    row.try_get::<_, PgColumn>(index)
                        .map(|column| column.0)
                        .map_err(|error| {
                            StorageError::Backend(format!("column {index}: {}", describe(&error)))
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            if !each(Row::new(values))? {
                break;
            }
        }
        Ok(())
    }

    fn index_memory(
        &self,
        store_id: &str,
        memory_id: &str,
        path: &str,
        content: &str,
    ) -> Result<()> {
        search::index_memory(self, store_id, memory_id, path, content)
    }

    fn unindex_memory(&self, store_id: &str, memory_id: &str) -> Result<()> {
        search::unindex_memory(self, store_id, memory_id)
    }

    fn unindex_store(&self, store_id: &str) -> Result<()> {
        search::unindex_store(self, store_id)
    }

    fn bump_search_generation(&self, store_id: &str) -> Result<()> {
        search::bump_generation(self, store_id)
    }

    /// Nothing to do: deleted rows hold no copy of old words once their transaction commits
    /// (the SQLite backend must merge FTS5 segments here).
    fn purge_deleted_terms(&self) -> Result<()> {
        Ok(())
    }

    fn search(&self, store_id: &str, query: &str, limit: usize) -> Result<Vec<MemorySearchHit>> {
        search::search(self, store_id, query, limit)
    }
}

/// SQLite-style placeholders as PostgreSQL's: `?7` → `$7`, a bare `?` → the next number.
/// Question marks inside quoted literals are left alone.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0;
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
            out.push(c);
            continue;
        }
        if c != '?' || quoted {
            out.push(c);
            continue;
        }
        out.push('$');
        if chars.peek().is_some_and(char::is_ascii_digit) {
            while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                out.push(digit);
            }
        } else {
            next += 1;
            out.push_str(&next.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_outside_literals() {
        assert_eq!(
            numbered("SELECT ?1, ?2 WHERE a = ? AND b = '?' AND c = ?"),
            "SELECT $1, $2 WHERE a = $1 AND b = '?' AND c = $2"
        );
    }
}
