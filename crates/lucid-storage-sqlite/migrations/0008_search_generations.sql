-- Memory search (issue 13): a per-store counter bumped by every write that changes what a search
-- can return (item rows, or a memory's path), in the write's transaction. The in-process search
-- cache of a store is used only while its generation is the current one.
CREATE TABLE search_generations (
    store_id    TEXT PRIMARY KEY,
    generation  INTEGER NOT NULL
);
