-- Review change by change (issue 14 §1): a dream keeps its input store's documents as it read
-- them (JSON [[path, content], …], written when it starts; NULL for dreams started before), so
-- a promotion of part of it is built from exactly what the dream saw; and every such promotion
-- records the reviewer's decisions (JSON, the API's `review` object), newest last.
ALTER TABLE dreams ADD COLUMN input_documents TEXT;

CREATE TABLE dream_reviews (
    seq         INTEGER PRIMARY KEY,
    dream_id    TEXT NOT NULL,
    review      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX dream_reviews_by_dream ON dream_reviews (dream_id, seq);
