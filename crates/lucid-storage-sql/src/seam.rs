//! The seam between the shared table code and a database: [`Transaction`], one open transaction
//! of a backend, with owned parameters ([`Value`]) and owned result rows ([`Row`]).
//!
//! Statements are written once, in the SQL both databases accept (`ON CONFLICT … DO NOTHING`,
//! `RETURNING`, `TRUE`), with SQLite-style placeholders (`?1`, or bare `?` numbered in order;
//! the PostgreSQL backend renumbers them as `$n`). Values are SQLite's five storage classes; a
//! backend converts them to and from its column types (PostgreSQL's `BOOLEAN` is an integer 0 or
//! 1 here, as it is in SQLite).

use lucid_storage::{MemorySearchHit, Result, StorageError};
use serde::de::DeserializeOwned;

/// One parameter or column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL`: a `None` parameter or column.
    Null,
    /// A 64-bit integer; booleans are 0 or 1.
    Integer(i64),
    /// A double-precision float.
    Real(f64),
    /// UTF-8 text: JSON columns and times are text too.
    Text(String),
    /// Raw bytes.
    Blob(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "a blob",
        }
    }
}

/// A Rust value as a statement parameter (what [`params!`](crate::params) calls on each
/// argument, by reference, so arguments are not moved).
pub trait ToValue {
    /// The value as a parameter (`None` as `Null`, `bool` as 0 or 1).
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Integer(*self)
    }
}

impl ToValue for i32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Value::Integer(number)
    }
}

/// `params![a, b]`: the parameters of one statement, each converted with
/// [`ToValue`](crate::ToValue) by reference.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[$crate::Value]
    };
    ($($value:expr),+ $(,)?) => {
        &[$($crate::ToValue::to_value(&$value)),+] as &[$crate::Value]
    };
}

/// A column value as a Rust value; a mismatch is an error naming the column, never a panic.
pub trait FromValue: Sized {
    /// The column value as `Self`, or a message naming the type expected and the one found.
    fn from_value(value: &Value) -> std::result::Result<Self, String>;
}

impl FromValue for Value {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        Ok(value.clone())
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Text(text) => Ok(text.clone()),
            other => Err(format!("expected text, found {}", other.kind())),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Integer(number) => Ok(*number),
            other => Err(format!("expected an integer, found {}", other.kind())),
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Integer(number) => Ok(*number != 0),
            other => Err(format!("expected a boolean, found {}", other.kind())),
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Real(number) => Ok(*number),
            Value::Integer(number) => Ok(*number as f64),
            other => Err(format!("expected a number, found {}", other.kind())),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row, read by column index.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    /// A row of these column values, in column order (backends build rows).
    pub fn new(values: Vec<Value>) -> Row {
        Row { values }
    }

    /// Column `index` as `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self.values.get(index).ok_or_else(|| {
            StorageError::Backend(format!(
                "column {index} is missing (the row has {})",
                self.values.len()
            ))
        })?;
        T::from_value(value)
            .map_err(|message| StorageError::Backend(format!("column {index}: {message}")))
    }

    /// A JSON text column as a value (a corrupt column is an error, not a panic).
    pub fn json<T: DeserializeOwned>(&self, index: usize) -> Result<T> {
        let text: String = self.get(index)?;
        serde_json::from_str(&text).map_err(|error| {
            StorageError::Backend(format!("column {index} is not valid JSON: {error}"))
        })
    }

    /// An optional JSON text column.
    pub fn json_opt<T: DeserializeOwned>(&self, index: usize) -> Result<Option<T>> {
        let text: Option<String> = self.get(index)?;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|error| {
                StorageError::Backend(format!("column {index} is not valid JSON: {error}"))
            })
        })
        .transpose()
    }
}

/// One open transaction of a backend (a read snapshot or the single writer). Every call is
/// inside it: an error makes the caller return, and the backend rolls the transaction back.
pub trait Transaction {
    /// Runs a statement; returns the rows it changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Hands the rows of a query to `each`, in order, until it returns `false` (the rest are
    /// not read: a page that is full stops the scan).
    fn query_each(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()>;

    // The memory-search index: each backend keeps its own (SQLite: FTS5; PostgreSQL: term
    // arrays), written in the memory write's transaction.

    /// Indexes a memory's items (replacing any earlier rows of it).
    fn index_memory(
        &self,
        store_id: &str,
        memory_id: &str,
        path: &str,
        content: &str,
    ) -> Result<()>;
    /// Removes a memory's items.
    fn unindex_memory(&self, store_id: &str, memory_id: &str) -> Result<()>;
    /// Removes a whole store's items.
    fn unindex_store(&self, store_id: &str) -> Result<()>;
    /// Marks a store's searchable content as changed (a rename changes no items).
    fn bump_search_generation(&self, store_id: &str) -> Result<()>;
    /// Drops deleted items' words from the index for good (after a redaction).
    fn purge_deleted_terms(&self) -> Result<()>;
    /// The `limit` best items of a store for `query`, best first.
    fn search(&self, store_id: &str, query: &str, limit: usize) -> Result<Vec<MemorySearchHit>>;
}

/// Row-mapping helpers over any backend's transaction.
impl dyn Transaction + '_ {
    /// Every row of a query.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        self.query_each(sql, params, &mut |row| {
            rows.push(row);
            Ok(true)
        })?;
        Ok(rows)
    }

    /// The first row of a query, if any (the rest are not read).
    pub fn query_row(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        let mut first = None;
        self.query_each(sql, params, &mut |row| {
            first = Some(row);
            Ok(false)
        })?;
        Ok(first)
    }

    /// The first row, mapped; no row is an error (for rows that must exist).
    pub fn one<T>(
        &self,
        sql: &str,
        params: &[Value],
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        match self.query_row(sql, params)? {
            Some(row) => map(&row),
            None => Err(StorageError::Backend(format!(
                "no row where one must be: {}",
                sql.split_whitespace().collect::<Vec<_>>().join(" ")
            ))),
        }
    }

    /// The first row, mapped, if there is one.
    pub fn optional<T>(
        &self,
        sql: &str,
        params: &[Value],
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.query_row(sql, params)?
            .map(|row| map(&row))
            .transpose()
    }

    /// Every row, mapped.
    pub fn all<T>(
        &self,
        sql: &str,
        params: &[Value],
        mut map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query_each(sql, params, &mut |row| {
            out.push(map(&row)?);
            Ok(true)
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_borrow_their_arguments_and_convert_each_type() {
        let id = String::from("mem_1");
        let missing: Option<&str> = None;
        let values = crate::params![id, "path", 7_i64, true, 0.5_f64, missing, Some(3_u32)];
        assert_eq!(
            values,
            &[
                Value::Text("mem_1".into()),
                Value::Text("path".into()),
                Value::Integer(7),
                Value::Integer(1),
                Value::Real(0.5),
                Value::Null,
                Value::Integer(3),
            ]
        );
        assert_eq!(id, "mem_1", "still usable after params!");
    }

    #[test]
    fn typed_getters_read_columns_and_name_the_column_on_a_mismatch() {
        let row = Row::new(vec![
            Value::Integer(0),
            Value::Text("[1, 2]".into()),
            Value::Null,
            Value::Text("{not json".into()),
        ]);
        assert!(!row.get::<bool>(0).expect("bool"));
        assert_eq!(row.get::<f64>(0).expect("integer as a number"), 0.0);
        assert_eq!(row.json::<Vec<i64>>(1).expect("json"), vec![1, 2]);
        assert_eq!(row.get::<Option<String>>(2).expect("null"), None);
        assert_eq!(row.json_opt::<Vec<i64>>(2).expect("null json"), None);
        let mismatch = row.get::<String>(0).expect_err("an integer is not text");
        assert!(mismatch.to_string().contains("column 0"), "{mismatch}");
        let corrupt = row.json::<Vec<i64>>(3).expect_err("corrupt JSON");
        assert!(
            corrupt.to_string().contains("column 3 is not valid JSON"),
            "{corrupt}"
        );
        let absent = row.get::<i64>(9).expect_err("no such column");
        assert!(
            absent.to_string().contains("column 9 is missing"),
            "{absent}"
        );
    }
}
