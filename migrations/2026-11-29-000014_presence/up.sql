-- Pre-aggregates for the reports: members present per activity, and per member, unit of the
-- activity, year and month. A province's year holds millions of attendance rows, and no query
-- over them answers within a second on two cores; these tables hold one row per activity and
-- one per member, unit and year. Triggers keep them in the same transaction as the roster or
-- the activity that changes them, so figures stay live (no rebuild), and the views *_recount
-- compute the same from raw rows (the tests compare them; so can an operator).

CREATE TABLE activity_presence (
    activity_id uuid PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    -- Members marked present. (No CHECK >= 0: an upsert checks the row it would insert, which
    -- for a removal is negative before it meets the existing row.)
    present     integer NOT NULL
);

CREATE TABLE member_presence (
    unit_id   uuid NOT NULL,
    year      smallint NOT NULL,
    member_id uuid NOT NULL,
    -- Times present at held activities of unit_id in each month (1–12) of the year (Vietnam days).
    months    integer[] NOT NULL CHECK (cardinality(months) = 12),
    -- With the counts in the index, a unit's year is read from the index alone, in order.
    PRIMARY KEY (unit_id, year, member_id) INCLUDE (months)
);

CREATE VIEW activity_presence_recount AS
    SELECT activity_id, count(*)::integer AS present FROM attendance
    WHERE status = 'present' AND member_id IS NOT NULL GROUP BY activity_id;

CREATE VIEW member_presence_recount AS
    SELECT unit_id, year, member_id,
           ARRAY[count(*) FILTER (WHERE month = 1)::integer,
                 count(*) FILTER (WHERE month = 2)::integer,
                 count(*) FILTER (WHERE month = 3)::integer,
                 count(*) FILTER (WHERE month = 4)::integer,
                 count(*) FILTER (WHERE month = 5)::integer,
                 count(*) FILTER (WHERE month = 6)::integer,
                 count(*) FILTER (WHERE month = 7)::integer,
                 count(*) FILTER (WHERE month = 8)::integer,
                 count(*) FILTER (WHERE month = 9)::integer,
                 count(*) FILTER (WHERE month = 10)::integer,
                 count(*) FILTER (WHERE month = 11)::integer,
                 count(*) FILTER (WHERE month = 12)::integer] AS months
    FROM (SELECT a.unit_id, extract(year FROM a.held_on)::smallint AS year, t.member_id,
                 extract(month FROM a.held_on)::integer AS month
          FROM attendance t JOIN activities a ON a.id = t.activity_id AND a.status = 'held'
          WHERE t.status = 'present' AND t.member_id IS NOT NULL) p
    GROUP BY unit_id, year, member_id;

-- Twelve monthly counters: elementwise sum, and a single count in one month.
CREATE FUNCTION months_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(x + y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i) $$;
CREATE AGGREGATE months_sum(integer[]) (SFUNC = months_add, STYPE = integer[], INITCOND = '{0,0,0,0,0,0,0,0,0,0,0,0}');
CREATE FUNCTION month_vector(month integer, n integer) RETURNS integer[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(CASE WHEN m = month THEN n ELSE 0 END ORDER BY m) FROM generate_series(1, 12) m $$;

-- Adds signed presences (+1 or -1 each) to members' months: the unit and day of each held
-- activity, the member, the sign.
CREATE FUNCTION member_presence_add(units uuid[], days date[], people uuid[], deltas integer[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO member_presence AS p (unit_id, year, member_id, months)
    SELECT c.unit_id, extract(year FROM c.day)::smallint, c.member_id,
           months_sum(month_vector(extract(month FROM c.day)::integer, c.delta))
    FROM unnest(units, days, people, deltas) AS c(unit_id, day, member_id, delta)
    GROUP BY 1, 2, 3
    ON CONFLICT (unit_id, year, member_id) DO UPDATE SET months = months_add(p.months, excluded.months);
$$;

-- Adds signed presences of members at activities (+1 or -1 each): to the activity's count, and,
-- for held activities, to the member's month at the activity's unit.
CREATE FUNCTION presence_add(acts uuid[], people uuid[], deltas integer[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO activity_presence AS p (activity_id, present)
    SELECT c.activity_id, sum(c.delta) FROM unnest(acts, deltas) AS c(activity_id, delta)
    WHERE EXISTS (SELECT 1 FROM activities a WHERE a.id = c.activity_id)
    GROUP BY c.activity_id HAVING sum(c.delta) <> 0
    ON CONFLICT (activity_id) DO UPDATE SET present = p.present + excluded.present;
    SELECT member_presence_add(array_agg(a.unit_id), array_agg(a.held_on), array_agg(c.member_id), array_agg(c.delta))
    FROM unnest(acts, people, deltas) AS c(activity_id, member_id, delta)
    JOIN activities a ON a.id = c.activity_id AND a.status = 'held';
$$;

CREATE FUNCTION attendance_presence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    acts uuid[];
    people uuid[];
    deltas integer[];
BEGIN
    -- Transition tables exist only for their operation, hence one statement per operation.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(activity_id), array_agg(member_id), array_agg(1) INTO acts, people, deltas
        FROM new_rows WHERE status = 'present' AND member_id IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(activity_id), array_agg(member_id), array_agg(-1) INTO acts, people, deltas
        FROM old_rows WHERE status = 'present' AND member_id IS NOT NULL;
    ELSE
        SELECT array_agg(activity_id), array_agg(member_id), array_agg(delta) INTO acts, people, deltas
        FROM (SELECT activity_id, member_id, 1 AS delta FROM new_rows WHERE status = 'present' AND member_id IS NOT NULL
              UNION ALL
              SELECT activity_id, member_id, -1 FROM old_rows WHERE status = 'present' AND member_id IS NOT NULL) c;
    END IF;
    IF acts IS NOT NULL THEN
        PERFORM presence_add(acts, people, deltas);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER attendance_presence_insert AFTER INSERT ON attendance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_presence();
CREATE TRIGGER attendance_presence_update AFTER UPDATE ON attendance
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_presence();
CREATE TRIGGER attendance_presence_delete AFTER DELETE ON attendance
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_presence();

-- An activity held, cancelled, moved to another month or unit moves its members' presences.
CREATE FUNCTION activity_presence_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    units uuid[];
    days date[];
    people uuid[];
    deltas integer[];
BEGIN
    SELECT array_agg(x.unit_id), array_agg(x.day), array_agg(x.member_id), array_agg(x.delta)
    INTO units, days, people, deltas
    FROM (SELECT CASE WHEN s.sign < 0 THEN o.unit_id ELSE n.unit_id END AS unit_id,
                 CASE WHEN s.sign < 0 THEN o.held_on ELSE n.held_on END AS day, t.member_id, s.sign AS delta
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          CROSS JOIN (VALUES (-1), (1)) s(sign)
          JOIN attendance t ON t.activity_id = o.id AND t.status = 'present' AND t.member_id IS NOT NULL
          WHERE ((o.status = 'held') <> (n.status = 'held') OR o.unit_id <> n.unit_id
                 OR date_trunc('month', o.held_on) <> date_trunc('month', n.held_on))
            AND CASE WHEN s.sign < 0 THEN o.status ELSE n.status END = 'held') x;
    IF units IS NOT NULL THEN
        PERFORM member_presence_add(units, days, people, deltas);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER activities_presence_moved AFTER UPDATE ON activities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_presence_moved();

-- Deleting an activity deletes its roster first, while the activity still says where and when
-- the presences were counted (a cascade would run after it is gone).
CREATE FUNCTION activity_roster_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM attendance WHERE activity_id = OLD.id;
    RETURN OLD;
END $$;

CREATE TRIGGER activities_roster_first BEFORE DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION activity_roster_first();

INSERT INTO activity_presence SELECT * FROM activity_presence_recount;
INSERT INTO member_presence SELECT * FROM member_presence_recount;

-- Head counts and participation need each counted member's type and card. Rather than look up
-- every member in the wide members table, reports read the few exceptions (honorary members,
-- members without a card) from this small index and treat everyone else as a regular card holder.
CREATE INDEX members_exceptions ON members (id) INCLUDE (member_type, card_number)
    WHERE member_type <> 'regular' OR card_number IS NULL;
