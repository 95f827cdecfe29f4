-- A running job says it is alive; one not heard of for two minutes died with its server and
-- is marked failed (`interrupted`) instead of staying `running` forever.
ALTER TABLE jobs ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX jobs_unfinished ON jobs (heartbeat_at) WHERE finished_at IS NULL;
