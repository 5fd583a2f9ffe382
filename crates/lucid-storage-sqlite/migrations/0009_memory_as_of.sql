-- As-of time (issue 11, item 2): when a memory's content was true, when the uploader says so
-- (`metadata.as_of` on create or update). NULL: unknown, so older than any session evidence in
-- a dream. A content update without one clears it.
ALTER TABLE memories ADD COLUMN as_of TEXT;
