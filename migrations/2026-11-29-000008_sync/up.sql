-- The change log behind GET /sync/changes: one row per write to a synced table, recorded by
-- triggers in the writing transaction. At commit, a deferred trigger stamps the transaction's
-- rows with the next value of a clock whose row it locks until the commit ends, so clock order
-- is commit order and readers always see a gap-free prefix: a change committed late by a slow
-- transaction gets a later clock and cannot fall behind a reader's cursor.

CREATE TABLE sync_changes (
    seq         bigserial PRIMARY KEY,
    -- pg_current_xact_id() of the writing transaction (xid8 fits a bigint).
    txid        bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    -- The commit clock; NULL only while the writing transaction runs.
    clock       bigint,
    object_type text NOT NULL,
    object_id   uuid NOT NULL,
    deleted     boolean NOT NULL DEFAULT false,
    -- Where the object was before and after the write: a reader whose scope held either hears of it.
    old_path    ltree,
    new_path    ltree,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_changes_position ON sync_changes (clock, seq);
CREATE INDEX sync_changes_unstamped ON sync_changes (txid) WHERE clock IS NULL;
CREATE INDEX sync_changes_changed_at ON sync_changes (changed_at);

-- Changes older than the retention are pruned; a cursor from before this point must resync.
CREATE TABLE sync_horizon (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    pruned_clock bigint NOT NULL DEFAULT 0
);
INSERT INTO sync_horizon DEFAULT VALUES;

CREATE TABLE sync_clock (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    n  bigint NOT NULL DEFAULT 0
);
INSERT INTO sync_clock DEFAULT VALUES;

-- At commit: one tick per writing transaction, held (row lock) until the commit completes.
CREATE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tick bigint;
BEGIN
    IF current_setting('chihoi.sync_stamped', true) = pg_current_xact_id()::text THEN
        RETURN NULL;
    END IF;
    UPDATE sync_clock SET n = n + 1 RETURNING n INTO tick;
    UPDATE sync_changes SET clock = tick WHERE txid = pg_current_xact_id()::text::bigint AND clock IS NULL;
    PERFORM set_config('chihoi.sync_stamped', pg_current_xact_id()::text, true);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER sync_changes_stamp AFTER INSERT ON sync_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sync_stamp();

-- Bulk loads of synthetic data set chihoi.sync_off: a snapshot covers them.
CREATE FUNCTION sync_record(kind text, object uuid, gone boolean, before ltree, after ltree) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO sync_changes (object_type, object_id, deleted, old_path, new_path)
    SELECT kind, object, gone, before, after WHERE coalesce(current_setting('chihoi.sync_off', true), '') <> 'on'
$$;

-- Members and activities carry their unit path.
CREATE FUNCTION sync_with_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM sync_record(TG_ARGV[0], OLD.id, true, OLD.unit_path, NULL);
        RETURN OLD;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM sync_record(TG_ARGV[0], NEW.id, false, OLD.unit_path, NEW.unit_path);
    ELSE
        PERFORM sync_record(TG_ARGV[0], NEW.id, false, NULL, NEW.unit_path);
    END IF;
    RETURN NEW;
END $$;

-- Contacts and needs live where their member lives.
CREATE FUNCTION sync_with_member() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
    owner uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.member_id ELSE NEW.member_id END;
    place ltree;
BEGIN
    SELECT unit_path INTO place FROM members WHERE id = owner;
    PERFORM sync_record(TG_ARGV[0], row_id, TG_OP = 'DELETE', place, CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE place END);
    RETURN NULL;
END $$;

CREATE TRIGGER members_sync AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION sync_with_path('members');
CREATE TRIGGER activities_sync AFTER INSERT OR UPDATE OR DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION sync_with_path('activities');
CREATE TRIGGER member_contacts_sync AFTER INSERT OR UPDATE OR DELETE ON member_contacts
    FOR EACH ROW EXECUTE FUNCTION sync_with_member('contacts');
CREATE TRIGGER member_needs_sync AFTER INSERT OR UPDATE OR DELETE ON member_needs
    FOR EACH ROW EXECUTE FUNCTION sync_with_member('needs');
