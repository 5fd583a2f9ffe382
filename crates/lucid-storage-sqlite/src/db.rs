//! Small helpers shared by the table modules: error mapping, JSON columns, dynamic filters and
//! paging.

use lucid_storage::{Page, PageRequest, Result, StorageError, TimeRange, ids};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Row};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Maps rusqlite errors to the backend error (details go to the log through the server).
pub(crate) trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(|error| StorageError::Backend(error.to_string()))
    }
}

/// A value as a JSON column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// A JSON column as a value (a corrupt column is a conversion error, not a panic).
pub(crate) fn json_col<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

/// An optional JSON column.
pub(crate) fn json_col_opt<T: DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(index)?;
    match text {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                Box::new(error),
            )
        }),
    }
}

/// A query assembled from optional conditions.
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

impl Query {
    pub fn new(base: &str) -> Self {
        Query {
            sql: base.to_string(),
            params: Vec::new(),
        }
    }

    /// Appends ` AND <condition>` with one `?` bound to `value`.
    pub fn and(&mut self, condition: &str, value: impl Into<SqlValue>) -> &mut Self {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self.params.push(value.into());
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
        self.params
            .extend(values.iter().map(|v| SqlValue::Text(v.clone())));
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
        conn: &Connection,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut statement = conn.prepare_cached(&self.sql).db()?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(self.params.iter()), map)
            .db()?;
        rows.collect::<rusqlite::Result<Vec<T>>>().db()
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
