-- Whose words a session's user messages are: 'team' (trusted, they can become memories) or
-- 'external' (a customer of a support agent: untrusted content, scanned for injections and
-- flagged). Sessions stored before this migration keep the meaning they had: 'team'.
ALTER TABLE sessions ADD COLUMN users TEXT NOT NULL DEFAULT 'team';
