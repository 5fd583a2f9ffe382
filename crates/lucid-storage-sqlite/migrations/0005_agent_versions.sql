-- Sessions reference the version of their agent instead of each holding a copy of it (a 100 KB
-- system prompt was stored once per session). One snapshot per agent version, in the shape a
-- session reports its agent in; they are also what `GET /v1/agents/{id}/versions` lists.
CREATE TABLE agent_versions (
    agent_id    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (agent_id, version)
);
-- Every agent's current version (core fields win over extra fields, as in the code's snapshot).
INSERT OR IGNORE INTO agent_versions (agent_id, version, snapshot, created_at)
SELECT id, version,
       json_set(extra, '$.type', 'agent', '$.id', id, '$.name', name, '$.model', json(model),
                '$.description', description, '$.system', system, '$.tools', json(tools),
                '$.mcp_servers', json(mcp_servers), '$.skills', json(skills),
                '$.version', version),
       updated_at
FROM agents;
-- Older versions, as the sessions that used them recorded them.
INSERT OR IGNORE INTO agent_versions (agent_id, version, snapshot, created_at)
SELECT agent_id, json_extract(agent, '$.version'), agent, MIN(created_at)
FROM sessions
WHERE kind = 'agent' AND agent_id IS NOT NULL AND json_type(agent, '$.version') = 'integer'
GROUP BY agent_id, json_extract(agent, '$.version');
-- Sessions now point at their version; the copy they held is dropped.
ALTER TABLE sessions ADD COLUMN agent_version INTEGER;
UPDATE sessions SET agent_version = json_extract(agent, '$.version'), agent = '{}'
WHERE kind = 'agent' AND agent_id IS NOT NULL AND json_type(agent, '$.version') = 'integer';
