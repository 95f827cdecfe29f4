UPDATE jobs SET status = 'failed' WHERE status = 'cancelled';
ALTER TABLE jobs DROP COLUMN cancel_requested_at;
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed'));
