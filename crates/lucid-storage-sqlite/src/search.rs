//! The memory-search index: `memory_items` (one row per item of a live memory, with its line)
//! and the contentless FTS5 table `memory_items_fts` holding each item's `lucid_search` terms.
//!
//! Every write of a memory's content calls [`index_memory`] / [`unindex_memory`] in the same
//! transaction, so a search never rebuilds anything and never sees a half-applied write.
//! Ranking is FTS5's `bm25()` over the same terms the in-process `lucid_search::Index` uses; its
//! IDF differs slightly (FTS5 uses `ln((N − n + 0.5)/(n + 0.5))`, lucid-search adds 1 inside the
//! logarithm) and its collection statistics span every store in the file, so scores are
//! comparable within one query only.
//!
//! FTS5's `bm25()` scores every matching row before it sorts (tens of milliseconds when common
//! words match tens of thousands of items), so a [`SearchCache`] keeps an in-process
//! `lucid_search` index of a store, built on a background thread from `memory_items` and used
//! only while the store's generation (`search_generations`, bumped by every write in its
//! transaction) is the one it was built at. A query never waits for a build: while the cache
//! is missing or stale (just after a write, or a write by another process), it is answered
//! from FTS5 and a rebuild is started.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lucid_storage::{MemorySearchHit, Result};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::Db;

/// Marks a store's searchable content as changed (in the caller's transaction).
pub(crate) fn bump_generation(conn: &Connection, store_id: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO search_generations (store_id, generation) VALUES (?1, 1)
         ON CONFLICT (store_id) DO UPDATE SET generation = generation + 1",
    )
    .db()?
    .execute([store_id])
    .db()?;
    Ok(())
}

/// The store's current generation (0 before its first write).
pub(crate) fn generation(conn: &Connection, store_id: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT generation FROM search_generations WHERE store_id = ?1")
        .db()?
        .query_row([store_id], |row| row.get(0))
        .optional()
        .db()?
        .unwrap_or(0))
}

struct CachedItem {
    memory_id: String,
    path: String,
    line: u64,
    text: String,
}

/// A store's items and their in-process index, as of one generation.
pub(crate) struct Snapshot {
    generation: i64,
    items: Vec<CachedItem>,
    index: lucid_search::Index,
}

impl Snapshot {
    /// Reads a store's items (call inside one read transaction with [`generation`]).
    pub(crate) fn load(conn: &Connection, store_id: &str) -> Result<Snapshot> {
        let generation = generation(conn, store_id)?;
        let mut statement = conn
            .prepare(
                "SELECT i.memory_id, m.path, i.line, i.text
                 FROM memory_items i JOIN memories m ON m.id = i.memory_id
                 WHERE i.store_id = ?1 ORDER BY i.rowid",
            )
            .db()?;
        let items = statement
            .query_map([store_id], |row| {
                Ok(CachedItem {
                    memory_id: row.get(0)?,
                    path: row.get(1)?,
                    line: row.get::<_, i64>(2)?.max(0) as u64,
                    text: row.get(3)?,
                })
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        let index =
            lucid_search::Index::new(&items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>());
        Ok(Snapshot {
            generation,
            items,
            index,
        })
    }

    pub(crate) fn search(&self, query: &str, limit: usize) -> Vec<MemorySearchHit> {
        self.index
            .search(query, limit)
            .into_iter()
            .filter_map(|(at, score)| {
                let item = self.items.get(at)?;
                Some(MemorySearchHit {
                    memory_id: item.memory_id.clone(),
                    path: item.path.clone(),
                    line: item.line,
                    text: item.text.clone(),
                    score: f64::from(score),
                    evidence: None,
                })
            })
            .collect()
    }
}

/// At most this many stores keep a cached index (a store's index of 100,000 items is ≈ 35 MB).
const CACHED_STORES: usize = 16;

#[derive(Default)]
struct Slot {
    ready: Option<Arc<Snapshot>>,
    building: bool,
}

/// In-process indexes of recently searched stores.
#[derive(Default)]
pub(crate) struct SearchCache {
    stores: Mutex<HashMap<String, Slot>>,
}

impl SearchCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.stores
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The store's snapshot if it is of `generation`.
    pub(crate) fn current(&self, store_id: &str, generation: i64) -> Option<Arc<Snapshot>> {
        self.lock()
            .get(store_id)
            .and_then(|slot| slot.ready.clone())
            .filter(|snapshot| snapshot.generation == generation)
    }

    /// Claims the right to build the store's snapshot (false when a build already runs).
    pub(crate) fn start_build(&self, store_id: &str) -> bool {
        let mut stores = self.lock();
        if !stores.contains_key(store_id) && stores.len() >= CACHED_STORES {
            stores.retain(|_, slot| slot.building);
        }
        let slot = stores.entry(store_id.to_string()).or_default();
        if slot.building {
            return false;
        }
        slot.building = true;
        true
    }

    /// Ends a build, keeping its snapshot unless a newer one is there.
    pub(crate) fn finish_build(&self, store_id: &str, snapshot: Option<Snapshot>) {
        let mut stores = self.lock();
        let slot = stores.entry(store_id.to_string()).or_default();
        slot.building = false;
        if let Some(snapshot) = snapshot
            && slot
                .ready
                .as_ref()
                .is_none_or(|old| old.generation <= snapshot.generation)
        {
            slot.ready = Some(Arc::new(snapshot));
        }
    }

    /// Forgets a store (deleted).
    pub(crate) fn forget(&self, store_id: &str) {
        self.lock().remove(store_id);
    }
}

/// Indexes the items of a memory (after removing any earlier rows of it).
pub(crate) fn index_memory(
    conn: &Connection,
    store_id: &str,
    memory_id: &str,
    path: &str,
    content: &str,
) -> Result<()> {
    unindex_memory(conn, store_id, memory_id)?;
    let mut insert_item = conn
        .prepare_cached(
            "INSERT INTO memory_items (store_id, memory_id, line, text) VALUES (?1, ?2, ?3, ?4)",
        )
        .db()?;
    let mut insert_terms = conn
        .prepare_cached("INSERT INTO memory_items_fts (rowid, terms) VALUES (?1, ?2)")
        .db()?;
    bump_generation(conn, store_id)?;
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
pub(crate) fn unindex_memory(conn: &Connection, store_id: &str, memory_id: &str) -> Result<()> {
    bump_generation(conn, store_id)?;
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
    conn.execute(
        "DELETE FROM search_generations WHERE store_id = ?1",
        [store_id],
    )
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
                evidence: None,
            })
        })
        .db()?;
    rows.collect::<rusqlite::Result<Vec<_>>>().db()
}
