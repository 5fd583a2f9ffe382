-- The model response cache of model-backed dreams: an answer under the content address of its
-- request (provider, model and exact body, hashed by lucid-llm), so re-running a dream, or
-- dreaming mostly the same sessions again, pays only for what is new.
CREATE TABLE model_responses (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    created_at TEXT NOT NULL
);
