-- Memory search (issue 13): one row per searchable item of a live memory, and an FTS5 index of
-- each item's terms as lucid-search computes them (identifiers whole and by part, stemmed), read
-- back with a tokenizer that keeps identifier characters. Rows change in the transaction that
-- changes the memory; the Rust code fills them for memories that existed before this migration.
CREATE TABLE memory_items (
    rowid      INTEGER PRIMARY KEY,
    store_id   TEXT NOT NULL,
    memory_id  TEXT NOT NULL,
    line       INTEGER NOT NULL,
    text       TEXT NOT NULL
);
CREATE INDEX memory_items_by_memory ON memory_items (memory_id);
CREATE INDEX memory_items_by_store ON memory_items (store_id);
CREATE VIRTUAL TABLE memory_items_fts USING fts5(
    terms,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '-_./:@'"
);
