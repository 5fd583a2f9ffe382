//! The memory-search index: `memory_items`, one row per item of a live memory with its
//! `lucid_search` terms (an array, repeats kept, under a GIN index).
//!
//! Every write of a memory's content calls [`index_memory`] / [`unindex_memory`] in the same
//! transaction, so a search never rebuilds anything and never sees a half-applied write.
//! Ranking is BM25 computed in SQL with exactly the in-process `lucid_search::Index` formula
//! (k1 1.2, b 0.75, IDF `ln(1 + (N − n + 0.5)/(n + 0.5))`, statistics of the searched store
//! alone, ties by insertion order), so the PostgreSQL backend ranks as `lucid search` does.
//! PostgreSQL's own `ts_rank` is not BM25 (no IDF), which is why it is not used.

use lucid_storage::{MemorySearchHit, Result};

use crate::db::{Db, PgTx};

/// Marks a store's searchable content as changed (in the caller's transaction).
pub(crate) fn bump_generation(conn: &PgTx<'_>, store_id: &str) -> Result<()> {
    conn.native_execute(
        "INSERT INTO search_generations (store_id, generation) VALUES (?1, 1)
         ON CONFLICT (store_id) DO UPDATE SET generation = search_generations.generation + 1",
        &[&store_id],
    )?;
    Ok(())
}

/// Indexes the items of a memory (after removing any earlier rows of it).
pub(crate) fn index_memory(
    conn: &PgTx<'_>,
    store_id: &str,
    memory_id: &str,
    path: &str,
    content: &str,
) -> Result<()> {
    unindex_memory(conn, store_id, memory_id)?;
    for item in lucid_search::items(path, content) {
        let terms = lucid_search::terms(&item.text);
        conn.native_execute(
            "INSERT INTO memory_items (store_id, memory_id, line, text, terms, term_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                &store_id,
                &memory_id,
                &(item.line as i64),
                &item.text,
                &terms,
                &(terms.len() as i64),
            ],
        )?;
    }
    Ok(())
}

/// Removes a memory's items from the index.
pub(crate) fn unindex_memory(conn: &PgTx<'_>, store_id: &str, memory_id: &str) -> Result<()> {
    bump_generation(conn, store_id)?;
    conn.native_execute(
        "DELETE FROM memory_items WHERE memory_id = ?1",
        &[&memory_id],
    )?;
    Ok(())
}

/// Removes a whole store's items.
pub(crate) fn unindex_store(conn: &PgTx<'_>, store_id: &str) -> Result<()> {
    conn.native_execute("DELETE FROM memory_items WHERE store_id = ?1", &[&store_id])?;
    conn.native_execute(
        "DELETE FROM search_generations WHERE store_id = ?1",
        &[&store_id],
    )?;
    Ok(())
}

/// The `limit` best items of a store for `query`, best first.
pub(crate) fn search(
    conn: &PgTx<'_>,
    store_id: &str,
    query: &str,
    limit: usize,
) -> Result<Vec<MemorySearchHit>> {
    let mut query_terms = lucid_search::terms(query);
    query_terms.sort();
    query_terms.dedup();
    if query_terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let rows = conn.native_rows(
        "WITH stats AS (
                 SELECT COUNT(*)::float8 AS n,
                        GREATEST(COALESCE(AVG(term_count), 1), 1)::float8 AS avgdl
                 FROM memory_items WHERE store_id = ?1),
             q AS (SELECT DISTINCT unnest(?2::text[]) AS term),
             df AS (
                 SELECT q.term, (SELECT COUNT(*) FROM memory_items i
                                 WHERE i.store_id = ?1 AND i.terms @> ARRAY[q.term])::float8 AS df
                 FROM q),
             hits AS (
                 SELECT i.seq, i.memory_id, i.line, i.text, i.term_count::float8 AS dl, df.df,
                        (SELECT COUNT(*) FROM unnest(i.terms) t WHERE t = df.term)::float8 AS tf
                 FROM memory_items i JOIN df ON i.terms @> ARRAY[df.term]
                 WHERE i.store_id = ?1 AND df.df > 0)
             SELECT h.memory_id, m.path, h.line, h.text,
                    SUM(ln((s.n - h.df + 0.5) / (h.df + 0.5) + 1.0) * h.tf * 2.2
                        / (h.tf + 1.2 * (0.25 + 0.75 * h.dl / s.avgdl))) AS score
             FROM hits h CROSS JOIN stats s JOIN memories m ON m.id = h.memory_id
             GROUP BY h.seq, h.memory_id, m.path, h.line, h.text
             ORDER BY score DESC, h.seq
             LIMIT ?3",
        &[&store_id, &query_terms, &(limit as i64)],
    )?;
    rows.iter()
        .map(|row| {
            Ok(MemorySearchHit {
                memory_id: row.try_get(0)?,
                path: row.try_get(1)?,
                line: row.try_get::<_, i64>(2)?.max(0) as u64,
                text: row.try_get(3)?,
                score: row.try_get(4)?,
                evidence: None,
            })
        })
        .collect::<std::result::Result<Vec<_>, postgres::Error>>()
        .db()
}
