//! The seam to the shared table code: [`SqliteTx`], one open transaction of a rusqlite
//! connection as a `lucid_storage_sql::Transaction` (statements prepared once per connection,
//! values converted to and from SQLite's own storage classes), and error mapping.

use lucid_storage::{MemorySearchHit, Result, StorageError};
use lucid_storage_sql::{Row, Transaction, Value};
use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::search;

/// Maps rusqlite errors to the backend error (details go to the log through the server).
pub(crate) trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(|error| StorageError::Backend(error.to_string()))
    }
}

/// A parameter as rusqlite reads it (borrowed: nothing is copied).
struct Param<'a>(&'a Value);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Integer(number) => ValueRef::Integer(*number),
            Value::Real(number) => ValueRef::Real(*number),
            Value::Text(text) => ValueRef::Text(text.as_bytes()),
            Value::Blob(bytes) => ValueRef::Blob(bytes),
        }))
    }
}

fn params(values: &[Value]) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter(values.iter().map(Param))
}

fn owned(value: ValueRef<'_>, index: usize) -> Result<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(number) => Value::Integer(number),
        ValueRef::Real(number) => Value::Real(number),
        ValueRef::Text(bytes) => Value::Text(String::from_utf8(bytes.to_vec()).map_err(|_| {
            StorageError::Backend(format!("column {index} holds text that is not UTF-8"))
        })?),
        ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
    })
}

/// One open transaction (rusqlite's `Transaction` dereferences to its connection).
pub(crate) struct SqliteTx<'a>(pub &'a Connection);

impl Transaction for SqliteTx<'_> {
    fn execute(&self, sql: &str, values: &[Value]) -> Result<u64> {
        let changed = self
            .0
            .prepare_cached(sql)
            .db()?
            .execute(params(values))
            .db()?;
        Ok(changed as u64)
    }

    fn query_each(
        &self,
        sql: &str,
        values: &[Value],
        each: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()> {
        let mut statement = self.0.prepare_cached(sql).db()?;
        let columns = statement.column_count();
        let mut rows = statement.query(params(values)).db()?;
        while let Some(row) = rows.next().db()? {
            let values = (0..columns)
                .map(|index| owned(row.get_ref(index).db()?, index))
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
        search::index_memory(self.0, store_id, memory_id, path, content)
    }

    fn unindex_memory(&self, store_id: &str, memory_id: &str) -> Result<()> {
        search::unindex_memory(self.0, store_id, memory_id)
    }

    fn unindex_store(&self, store_id: &str) -> Result<()> {
        search::unindex_store(self.0, store_id)
    }

    fn bump_search_generation(&self, store_id: &str) -> Result<()> {
        search::bump_generation(self.0, store_id)
    }

    fn purge_deleted_terms(&self) -> Result<()> {
        search::purge_deleted(self.0)
    }

    fn search(&self, store_id: &str, query: &str, limit: usize) -> Result<Vec<MemorySearchHit>> {
        search::search(self.0, store_id, query, limit)
    }
}
