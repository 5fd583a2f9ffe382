-- Session trust, trusted-only dreams, and the review gate on flagged dreams.
-- A session's trust as dream input: default | trusted | untrusted | quarantined.
ALTER TABLE sessions ADD COLUMN trust TEXT NOT NULL DEFAULT 'default';
-- Only sessions pinned trusted feed the dream.
ALTER TABLE dreams ADD COLUMN trusted_only INTEGER NOT NULL DEFAULT 0;
-- How many `flag` changes the report has (NULL until completed); promotion needs an
-- acknowledgement when it is above zero.
ALTER TABLE dreams ADD COLUMN flag_count INTEGER;
-- How a schedule's last run ended (promoted, or held back for review and why).
ALTER TABLE schedules ADD COLUMN last_run_note TEXT;
-- Dreams completed before this migration get their flag count from their stored report, so the
-- review gate holds for them too.
UPDATE dreams SET flag_count = (
    SELECT COUNT(*) FROM dream_results r, json_each(r.report, '$.changes') c
    WHERE r.dream_id = dreams.id AND json_extract(c.value, '$.op') = 'flag'
) WHERE status = 'completed';
