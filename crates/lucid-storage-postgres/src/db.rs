//! The small SQL layer the table modules use: one transaction on a pooled connection, with the
//! calls the SQLite backend's modules make (`query_row`, `execute`, `prepare_cached`, …), so the
//! two backends keep the same queries and the same rules side by side.
//!
//! Statements are written with SQLite-style placeholders (`?1`, or `?` numbered in order) and
//! turned into PostgreSQL's `$n` once per statement text; prepared statements are kept per
//! connection. Also: error mapping, JSON columns, dynamic filters and paging.

use std::cell::RefCell;
use std::collections::HashMap;

use lucid_storage::{Page, PageRequest, Result, StorageError, TimeRange, ids};
use postgres::Statement;
use postgres::types::{FromSql, ToSql};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A parameter of a statement.
pub(crate) type Param<'a> = &'a (dyn ToSql + Sync);

/// A failed database call.
#[derive(Debug)]
pub(crate) enum SqlError {
    Postgres(postgres::Error),
    /// `query_row` found no row.
    NoRows,
    /// A column held something the code cannot read (corrupt JSON).
    Conversion(String),
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlError::Postgres(error) => match error.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.code().code(), db.message()),
                None => write!(f, "{error}"),
            },
            SqlError::NoRows => write!(f, "query returned no rows"),
            SqlError::Conversion(message) => write!(f, "{message}"),
        }
    }
}

impl From<postgres::Error> for SqlError {
    fn from(error: postgres::Error) -> Self {
        SqlError::Postgres(error)
    }
}

pub(crate) type SqlResult<T> = std::result::Result<T, SqlError>;

/// Maps database errors to the backend error (details go to the log through the server).
pub(crate) trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for SqlResult<T> {
    fn db(self) -> Result<T> {
        self.map_err(|error| StorageError::Backend(error.to_string()))
    }
}

impl<T> Db<T> for std::result::Result<T, postgres::Error> {
    fn db(self) -> Result<T> {
        self.map_err(|error| StorageError::Backend(SqlError::from(error).to_string()))
    }
}

/// `query_row(…).optional()`: no row is `None` rather than an error.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> SqlResult<Option<T>>;
}

impl<T> OptionalExtension<T> for SqlResult<T> {
    fn optional(self) -> SqlResult<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(SqlError::NoRows) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Parameters of one call: `params![a, b]`, an array of values, or a built list.
pub(crate) trait Params {
    fn list(&self) -> Vec<Param<'_>>;
}

impl Params for &[Param<'_>] {
    fn list(&self) -> Vec<Param<'_>> {
        self.to_vec()
    }
}

impl<P: Params> Params for &P {
    fn list(&self) -> Vec<Param<'_>> {
        (*self).list()
    }
}

impl<T: ToSql + Sync, const N: usize> Params for [T; N] {
    fn list(&self) -> Vec<Param<'_>> {
        self.iter().map(|value| value as Param<'_>).collect()
    }
}

impl Params for Vec<Box<dyn ToSql + Sync + Send>> {
    fn list(&self) -> Vec<Param<'_>> {
        self.iter()
            .map(|value| value.as_ref() as Param<'_>)
            .collect()
    }
}

/// One row of a result.
pub(crate) struct Row<'a>(&'a postgres::Row);

/// A column index (kept generic like rusqlite's, so `row.get::<_, i64>(0)` reads the same).
pub(crate) trait RowIndex {
    fn index(&self) -> usize;
}

impl RowIndex for usize {
    fn index(&self) -> usize {
        *self
    }
}

impl Row<'_> {
    pub(crate) fn get<I: RowIndex, T: for<'r> FromSql<'r>>(&self, index: I) -> SqlResult<T> {
        self.0.try_get(index.index()).map_err(SqlError::from)
    }
}

/// A pooled connection: the client and its prepared statements.
pub(crate) struct Pooled {
    pub client: postgres::Client,
    pub statements: HashMap<String, Statement>,
}

/// One open transaction (read or write). The table modules take `&Connection`.
pub(crate) struct Connection<'a> {
    tx: RefCell<postgres::Transaction<'a>>,
    statements: RefCell<&'a mut HashMap<String, Statement>>,
}

impl<'a> Connection<'a> {
    pub(crate) fn new(
        tx: postgres::Transaction<'a>,
        statements: &'a mut HashMap<String, Statement>,
    ) -> Self {
        Connection {
            tx: RefCell::new(tx),
            statements: RefCell::new(statements),
        }
    }

    pub(crate) fn commit(self) -> Result<()> {
        self.tx.into_inner().commit().db()
    }

    fn statement(&self, sql: &str) -> SqlResult<Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.borrow_mut().prepare(&numbered(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn rows(&self, sql: &str, params: &dyn Params) -> SqlResult<Vec<postgres::Row>> {
        let statement = self.statement(sql)?;
        Ok(self.tx.borrow_mut().query(&statement, &params.list())?)
    }

    pub(crate) fn execute(&self, sql: &str, params: impl Params) -> SqlResult<u64> {
        let statement = self.statement(sql)?;
        Ok(self.tx.borrow_mut().execute(&statement, &params.list())?)
    }

    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row<'_>) -> SqlResult<T>,
    ) -> SqlResult<T> {
        let rows = self.rows(sql, &params)?;
        match rows.first() {
            Some(row) => map(&Row(row)),
            None => Err(SqlError::NoRows),
        }
    }

    pub(crate) fn prepare<'c>(&'c self, sql: &str) -> SqlResult<Prepared<'c, 'a>> {
        Ok(Prepared {
            conn: self,
            sql: sql.to_string(),
        })
    }

    pub(crate) fn prepare_cached<'c>(&'c self, sql: &str) -> SqlResult<Prepared<'c, 'a>> {
        self.prepare(sql)
    }
}

/// A statement about to run (statements are cached per connection either way).
pub(crate) struct Prepared<'c, 'a> {
    conn: &'c Connection<'a>,
    sql: String,
}

impl Prepared<'_, '_> {
    pub(crate) fn execute(&mut self, params: impl Params) -> SqlResult<u64> {
        self.conn.execute(&self.sql, params)
    }

    pub(crate) fn query_row<T>(
        &mut self,
        params: impl Params,
        map: impl FnOnce(&Row<'_>) -> SqlResult<T>,
    ) -> SqlResult<T> {
        self.conn.query_row(&self.sql, params, map)
    }

    pub(crate) fn query_map<T>(
        &mut self,
        params: impl Params,
        mut map: impl FnMut(&Row<'_>) -> SqlResult<T>,
    ) -> SqlResult<std::vec::IntoIter<SqlResult<T>>> {
        let rows = self.conn.rows(&self.sql, &params)?;
        Ok(rows
            .iter()
            .map(|row| map(&Row(row)))
            .collect::<Vec<_>>()
            .into_iter())
    }

    /// Every row, to read one at a time.
    pub(crate) fn query(&mut self, params: impl Params) -> SqlResult<Rows> {
        Ok(Rows {
            rows: self.conn.rows(&self.sql, &params)?.into_iter(),
            current: None,
        })
    }
}

/// Rows read one at a time (`while let Some(row) = rows.next()?`).
pub(crate) struct Rows {
    rows: std::vec::IntoIter<postgres::Row>,
    current: Option<postgres::Row>,
}

impl Rows {
    #[allow(clippy::should_implement_trait)]
    pub(crate) fn next(&mut self) -> SqlResult<Option<Row<'_>>> {
        self.current = self.rows.next();
        Ok(self.current.as_ref().map(Row))
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

/// A value as a JSON column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// A JSON column as a value (a corrupt column is a conversion error, not a panic).
pub(crate) fn json_col<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> SqlResult<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text)
        .map_err(|error| SqlError::Conversion(format!("column {index} is not valid JSON: {error}")))
}

/// An optional JSON column.
pub(crate) fn json_col_opt<T: DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
) -> SqlResult<Option<T>> {
    let text: Option<String> = row.get(index)?;
    match text {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|error| {
            SqlError::Conversion(format!("column {index} is not valid JSON: {error}"))
        }),
    }
}

/// A query assembled from optional conditions.
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Query {
    pub fn new(base: &str) -> Self {
        Query {
            sql: base.to_string(),
            params: Vec::new(),
        }
    }

    /// Appends ` AND <condition>` with one `?` bound to `value`.
    pub fn and(&mut self, condition: &str, value: impl ToSql + Sync + Send + 'static) -> &mut Self {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self.params.push(Box::new(value));
        self
    }

    /// Appends a condition without parameters.
    pub fn and_raw(&mut self, condition: &str) -> &mut Self {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self
    }

    /// ` AND column IN (?, ?, …)`; nothing for an empty list.
    pub fn and_in(&mut self, column: &str, values: &[String]) -> &mut Self {
        if values.is_empty() {
            return self;
        }
        let marks = vec!["?"; values.len()].join(", ");
        self.sql.push_str(&format!(" AND {column} IN ({marks})"));
        for value in values {
            self.params.push(Box::new(value.clone()));
        }
        self
    }

    pub fn time_range(&mut self, column: &str, range: &TimeRange) -> &mut Self {
        if let Some(v) = &range.gt {
            self.and(&format!("{column} > ?"), v.clone());
        }
        if let Some(v) = &range.gte {
            self.and(&format!("{column} >= ?"), v.clone());
        }
        if let Some(v) = &range.lt {
            self.and(&format!("{column} < ?"), v.clone());
        }
        if let Some(v) = &range.lte {
            self.and(&format!("{column} <= ?"), v.clone());
        }
        self
    }

    pub fn tail(&mut self, text: &str) -> &mut Self {
        self.sql.push(' ');
        self.sql.push_str(text);
        self
    }

    pub fn fetch<T>(
        &self,
        conn: &Connection<'_>,
        map: impl FnMut(&Row<'_>) -> SqlResult<T>,
    ) -> Result<Vec<T>> {
        let rows = conn
            .prepare_cached(&self.sql)
            .db()?
            .query_map(&self.params, map)
            .db()?;
        rows.collect::<SqlResult<Vec<T>>>().db()
    }
}

/// A page size within 1..=100.
pub(crate) fn limit(page: &PageRequest) -> usize {
    page.limit.clamp(1, 100)
}

/// The sequence number inside a cursor.
pub(crate) fn cursor_seq(page: &PageRequest) -> Result<Option<i64>> {
    match &page.page {
        None => Ok(None),
        Some(cursor) if cursor.is_empty() => Ok(None),
        Some(cursor) => ids::decode_cursor(cursor)
            .and_then(|position| position.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| invalid_cursor(cursor)),
    }
}

pub(crate) fn invalid_cursor(cursor: &str) -> StorageError {
    StorageError::Invalid(format!(
        "page {cursor:?} is not a cursor from a previous response's next_page"
    ))
}

/// Turns `limit + 1` fetched `(seq, item)` rows into a page.
pub(crate) fn paged<T>(mut rows: Vec<(i64, T)>, limit: usize) -> Page<T> {
    let next_page = if rows.len() > limit {
        rows.truncate(limit);
        rows.last()
            .map(|(seq, _)| ids::encode_cursor(&seq.to_string()))
    } else {
        None
    };
    Page {
        data: rows.into_iter().map(|(_, item)| item).collect(),
        next_page,
    }
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
