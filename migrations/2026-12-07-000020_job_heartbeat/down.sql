DROP INDEX jobs_unfinished;
ALTER TABLE jobs DROP COLUMN heartbeat_at;
