-- The database session that claimed an idempotency key, so that a retry can take over a claim
-- whose session died (a failover, a restart) at once instead of after a minute
-- (api/src/http/idempotency.rs). NULL for claims made before: they wait out the minute.
ALTER TABLE idempotency_keys ADD COLUMN claimed_by_pid integer;
