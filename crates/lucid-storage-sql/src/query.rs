//! Helpers the table modules share: JSON columns, queries assembled from optional conditions,
//! and paging by sequence number.

use lucid_storage::{Page, PageRequest, Result, StorageError, TimeRange, ids};
use serde::Serialize;

use crate::seam::{Row, Transaction, Value};

/// A value as a JSON column. Never a silent `null`: the stored types are lucid's own (derived
/// `Serialize`, maps keyed by strings), for which serde_json cannot fail.
#[expect(
    clippy::expect_used,
    reason = "serialising lucid's own stored types cannot fail; see above"
)]
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value)
        .expect("lucid's stored types (derived Serialize, string-keyed maps) always serialise")
}

/// A query assembled from optional conditions.
pub struct Query {
    /// The statement so far; its conditions use bare `?` placeholders, numbered in order.
    pub sql: String,
    /// The values of the `?` placeholders, in order.
    pub params: Vec<Value>,
}

impl Query {
    /// A query starting with `base`, which ends inside a `WHERE` clause so conditions can follow
    /// as ` AND …`.
    pub fn new(base: &str) -> Self {
        Query {
            sql: base.to_string(),
            params: Vec::new(),
        }
    }

    /// Appends ` AND <condition>` with one `?` bound to `value`.
    pub fn and(&mut self, condition: &str, value: impl Into<Value>) -> &mut Self {
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
            .extend(values.iter().map(|v| Value::Text(v.clone())));
        self
    }

    /// ` AND column > ?` (and `>=`, `<`, `<=`) for each bound `range` has.
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

    /// Appends `text` after a space (`ORDER BY …`, `LIMIT …`), binding nothing.
    pub fn tail(&mut self, text: &str) -> &mut Self {
        self.sql.push(' ');
        self.sql.push_str(text);
        self
    }

    /// Every row, mapped.
    pub fn fetch<T>(
        &self,
        conn: &dyn Transaction,
        map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        conn.all(&self.sql, &self.params, map)
    }
}

/// A page size within 1..=100.
pub fn limit(page: &PageRequest) -> usize {
    page.limit.clamp(1, 100)
}

/// The sequence number inside a cursor.
pub fn cursor_seq(page: &PageRequest) -> Result<Option<i64>> {
    match &page.page {
        None => Ok(None),
        Some(cursor) if cursor.is_empty() => Ok(None),
        Some(cursor) => ids::decode_cursor(cursor)
            .and_then(|position| position.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| invalid_cursor(cursor)),
    }
}

/// The `Invalid` error for a `page` that is no cursor of ours.
pub fn invalid_cursor(cursor: &str) -> StorageError {
    StorageError::Invalid(format!(
        "page {cursor:?} is not a cursor from a previous response's next_page"
    ))
}

/// Turns `limit + 1` fetched `(seq, item)` rows into a page.
pub fn paged<T>(mut rows: Vec<(i64, T)>, limit: usize) -> Page<T> {
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
