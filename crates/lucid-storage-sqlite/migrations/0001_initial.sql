-- lucid's first schema. Migrations are append-only: never edit a released file, add a new one.
-- Times are canonical RFC 3339 text (fixed width, UTC), so text order is time order.
-- `seq` columns are insertion order: lists page on them.

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    name          TEXT,
    key_hash      TEXT NOT NULL UNIQUE,
    hint          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TABLE memory_stores (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    workspace_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    auto_apply    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    archived_at   TEXT
);
CREATE INDEX memory_stores_by_workspace ON memory_stores (workspace_id, seq);

CREATE TABLE memories (
    id           TEXT PRIMARY KEY,
    store_id     TEXT NOT NULL,
    path         TEXT NOT NULL,
    content      TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    version_id   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (store_id, path)
);

CREATE TABLE memory_versions (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    store_id     TEXT NOT NULL,
    memory_id    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    content      TEXT,
    path         TEXT,
    sha256       TEXT,
    size         INTEGER,
    actor_type   TEXT,
    actor_id     TEXT,
    created_at   TEXT NOT NULL,
    redacted_at  TEXT,
    redacted_by  TEXT
);
CREATE INDEX memory_versions_by_store ON memory_versions (store_id, seq);
CREATE INDEX memory_versions_by_memory ON memory_versions (memory_id, seq);

CREATE TABLE agents (
    seq                       INTEGER PRIMARY KEY,
    id                        TEXT NOT NULL UNIQUE,
    workspace_id              TEXT NOT NULL,
    name                      TEXT NOT NULL,
    model                     TEXT NOT NULL,
    description               TEXT,
    system                    TEXT,
    metadata                  TEXT NOT NULL,
    tools                     TEXT NOT NULL,
    mcp_servers               TEXT NOT NULL,
    skills                    TEXT NOT NULL,
    extra                     TEXT NOT NULL,
    version                   INTEGER NOT NULL,
    memory_store_id           TEXT,
    previous_memory_store_id  TEXT,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    archived_at               TEXT
);
CREATE INDEX agents_by_workspace ON agents (workspace_id, seq);
CREATE INDEX agents_by_name ON agents (workspace_id, name);

CREATE TABLE sessions (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    workspace_id    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    agent_id        TEXT,
    agent           TEXT NOT NULL,
    environment_id  TEXT,
    title           TEXT,
    metadata        TEXT NOT NULL,
    resources       TEXT NOT NULL,
    status          TEXT NOT NULL,
    source          TEXT,
    dream_id        TEXT,
    event_count     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    archived_at     TEXT
);
CREATE INDEX sessions_by_workspace ON sessions (workspace_id, seq);
CREATE INDEX sessions_by_agent ON sessions (agent_id, seq);

-- Which memory stores a session has attached (for list filters and schedules).
CREATE TABLE session_stores (
    store_id    TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    PRIMARY KEY (store_id, session_id)
);
CREATE INDEX session_stores_by_session ON session_stores (session_id);

CREATE TABLE session_events (
    seq           INTEGER PRIMARY KEY,
    session_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    type          TEXT NOT NULL,
    processed_at  TEXT NOT NULL,
    body          TEXT NOT NULL,
    UNIQUE (session_id, id)
);
CREATE INDEX session_events_by_session ON session_events (session_id, seq);

CREATE TABLE dreams (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    workspace_id     TEXT NOT NULL,
    status           TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    session_ids      TEXT NOT NULL,
    model            TEXT NOT NULL,
    instructions     TEXT,
    output_behavior  TEXT NOT NULL,
    output_store_id  TEXT,
    session_id       TEXT,
    schedule_id      TEXT,
    error            TEXT,
    usage            TEXT NOT NULL,
    curator          TEXT,
    created_at       TEXT NOT NULL,
    started_at       TEXT,
    ended_at         TEXT,
    archived_at      TEXT
);
CREATE INDEX dreams_by_workspace ON dreams (workspace_id, seq);
CREATE INDEX dreams_by_status ON dreams (status, seq);

CREATE TABLE dream_results (
    dream_id  TEXT PRIMARY KEY,
    report    TEXT NOT NULL,
    diff      TEXT NOT NULL
);

-- Every promotion and rollback, for the record.
CREATE TABLE agent_store_changes (
    seq         INTEGER PRIMARY KEY,
    agent_id    TEXT NOT NULL,
    dream_id    TEXT,
    from_store  TEXT,
    to_store    TEXT,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE schedules (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    workspace_id     TEXT NOT NULL,
    store_id         TEXT NOT NULL,
    cron             TEXT,
    after_sessions   INTEGER,
    instructions     TEXT,
    model            TEXT NOT NULL,
    auto_promote     INTEGER NOT NULL,
    agent_ids        TEXT NOT NULL,
    next_run_at      TEXT,
    last_run_at      TEXT,
    last_dream_id    TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- Sessions a schedule has already sent to a dream.
CREATE TABLE schedule_sessions (
    schedule_id  TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    dream_id     TEXT NOT NULL,
    PRIMARY KEY (schedule_id, session_id)
);
