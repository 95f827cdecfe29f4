-- Restoring a backup replays rows with COPY, which fires triggers: with chihoi.sync_off set
-- (scripts/restore sets it) the restored log is taken as it was, without new ticks.
CREATE OR REPLACE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tick bigint;
BEGIN
    IF current_setting('chihoi.sync_stamped', true) = pg_current_xact_id()::text
       OR coalesce(current_setting('chihoi.sync_off', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE sync_clock SET n = n + 1 RETURNING n INTO tick;
    UPDATE sync_changes SET clock = tick WHERE txid = pg_current_xact_id()::text::bigint AND clock IS NULL;
    PERFORM set_config('chihoi.sync_stamped', pg_current_xact_id()::text, true);
    RETURN NULL;
END $$;
