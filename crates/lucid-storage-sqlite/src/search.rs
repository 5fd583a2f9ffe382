//! The memory-search index: `memory_items` (one row per item of a live memory, with its line)
//! and the contentless FTS5 table `memory_items_fts` holding each item's `lucid_search` terms.
//!
//! Every write of a memory's content calls [`index_memory`] / [`unindex_memory`] in the same
//! transaction, so a search never rebuilds anything and never sees a half-applied write.
//! Ranking is FTS5's `bm25()` over the same terms the in-process `lucid_search::Index` uses; its
//! IDF differs slightly (FTS5 uses `ln((N − n + 0.5)/(n + 0.5))`, lucid-search adds 1 inside the
//! logarithm) and its collection statistics span every store in the file, so scores are
//! comparable within one query only.

use lucid_storage::{MemorySearchHit, Result};
use rusqlite::{Connection, params};

use crate::db::Db;

/// Indexes the items of a memory (after removing any earlier rows of it).
pub(crate) fn index_memory(
    conn: &Connection,
    store_id: &str,
    memory_id: &str,
    path: &str,
    content: &str,
) -> Result<()> {
    unindex_memory(conn, memory_id)?;
    let mut insert_item = conn
        .prepare_cached(
            "INSERT INTO memory_items (store_id, memory_id, line, text) VALUES (?1, ?2, ?3, ?4)",
        )
        .db()?;
    let mut insert_terms = conn
        .prepare_cached("INSERT INTO memory_items_fts (rowid, terms) VALUES (?1, ?2)")
        .db()?;
    for item in lucid_search::items(path, content) {
        insert_item
            .execute(params![store_id, memory_id, item.line as i64, item.text])
            .db()?;
        let rowid = conn.last_insert_rowid();
        insert_terms
            .execute(params![rowid, lucid_search::fts_text(&item.text)])
            .db()?;
    }
    Ok(())
}

/// Removes a memory's items from the index.
pub(crate) fn unindex_memory(conn: &Connection, memory_id: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM memory_items_fts WHERE rowid IN
             (SELECT rowid FROM memory_items WHERE memory_id = ?1)",
    )
    .db()?
    .execute([memory_id])
    .db()?;
    conn.prepare_cached("DELETE FROM memory_items WHERE memory_id = ?1")
        .db()?
        .execute([memory_id])
        .db()?;
    Ok(())
}

/// Removes a whole store's items.
pub(crate) fn unindex_store(conn: &Connection, store_id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM memory_items_fts WHERE rowid IN
             (SELECT rowid FROM memory_items WHERE store_id = ?1)",
        [store_id],
    )
    .db()?;
    conn.execute("DELETE FROM memory_items WHERE store_id = ?1", [store_id])
        .db()?;
    Ok(())
}

/// Indexes every live memory (once, when the migration that adds the index runs).
pub(crate) fn index_all(conn: &Connection) -> Result<()> {
    let mut statement = conn
        .prepare("SELECT id, store_id, path, content FROM memories")
        .db()?;
    let memories = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    for (id, store_id, path, content) in memories {
        index_memory(conn, &store_id, &id, &path, &content)?;
    }
    Ok(())
}

/// Merges the FTS5 index's segments, which drops deleted items' terms for good (a redaction
/// must not leave a copy of old content's words in the index).
pub(crate) fn purge_deleted(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO memory_items_fts (memory_items_fts) VALUES ('optimize')",
        [],
    )
    .db()?;
    Ok(())
}

/// The `limit` best items of a store for `query`, best first.
pub(crate) fn search(
    conn: &Connection,
    store_id: &str,
    query: &str,
    limit: usize,
) -> Result<Vec<MemorySearchHit>> {
    let Some(expression) = lucid_search::fts_query(query) else {
        return Ok(Vec::new());
    };
    let mut statement = conn
        .prepare_cached(
            "SELECT i.memory_id, m.path, i.line, i.text, bm25(memory_items_fts) AS score
             FROM memory_items_fts
             JOIN memory_items i ON i.rowid = memory_items_fts.rowid
             JOIN memories m ON m.id = i.memory_id
             WHERE memory_items_fts MATCH ?1 AND i.store_id = ?2
             ORDER BY score, i.rowid
             LIMIT ?3",
        )
        .db()?;
    let rows = statement
        .query_map(params![expression, store_id, limit as i64], |row| {
            let score: f64 = row.get(4)?;
            Ok(MemorySearchHit {
                memory_id: row.get(0)?,
                path: row.get(1)?,
                line: row.get::<_, i64>(2)?.max(0) as u64,
                text: row.get(3)?,
                // bm25() is negative, lower is better; the API says higher is better.
                score: -score,
            })
        })
        .db()?;
    rows.collect::<rusqlite::Result<Vec<_>>>().db()
}
