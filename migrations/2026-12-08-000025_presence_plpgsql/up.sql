-- The presence pre-aggregates' functions were SQL functions of several statements, which
-- PostgreSQL parses and plans again on every call, and months_sum called months_add (itself a
-- query) once per row: a roster change of two members spent 1.8 ms in its trigger, and the
-- profile of roster writes at 32 connections showed the SQL parser among PostgreSQL's top
-- functions. As PL/pgSQL their statements are planned once per connection, and the twelve
-- months are plain sums. Same results: tests/api/presence.rs compares them with a recount.

CREATE OR REPLACE FUNCTION member_presence_add(units uuid[], days date[], people uuid[], deltas integer[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Writers of the same unit and year queue here, in (unit, year) order (migration 000023).
    PERFORM pg_advisory_xact_lock(2201, hashtext(k.unit_id::text || ':' || k.year))
    FROM (SELECT DISTINCT c.unit_id, extract(year FROM c.day)::smallint AS year
          FROM unnest(units, days) AS c(unit_id, day) ORDER BY 1, 2) k;
    INSERT INTO member_presence AS p (unit_id, year, member_id, months)
    SELECT c.unit_id, c.year, c.member_id,
           ARRAY[coalesce(sum(c.delta) FILTER (WHERE c.month = 1), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 2), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 3), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 4), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 5), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 6), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 7), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 8), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 9), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 10), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 11), 0)::integer,
               coalesce(sum(c.delta) FILTER (WHERE c.month = 12), 0)::integer]
    FROM (SELECT u.unit_id, extract(year FROM u.day)::smallint AS year, u.member_id,
                 extract(month FROM u.day)::integer AS month, u.delta
          FROM unnest(units, days, people, deltas) AS u(unit_id, day, member_id, delta)) c
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (unit_id, year, member_id) DO UPDATE
        SET months = ARRAY[p.months[1] + excluded.months[1],
                          p.months[2] + excluded.months[2],
                          p.months[3] + excluded.months[3],
                          p.months[4] + excluded.months[4],
                          p.months[5] + excluded.months[5],
                          p.months[6] + excluded.months[6],
                          p.months[7] + excluded.months[7],
                          p.months[8] + excluded.months[8],
                          p.months[9] + excluded.months[9],
                          p.months[10] + excluded.months[10],
                          p.months[11] + excluded.months[11],
                          p.months[12] + excluded.months[12]];
END $$;

CREATE OR REPLACE FUNCTION presence_add(acts uuid[], people uuid[], deltas integer[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    units uuid[];
    days date[];
    held_people uuid[];
    held_deltas integer[];
BEGIN
    INSERT INTO activity_presence AS p (activity_id, present)
    SELECT c.activity_id, sum(c.delta) FROM unnest(acts, deltas) AS c(activity_id, delta)
    WHERE EXISTS (SELECT 1 FROM activities a WHERE a.id = c.activity_id)
    GROUP BY c.activity_id HAVING sum(c.delta) <> 0
    ORDER BY c.activity_id
    ON CONFLICT (activity_id) DO UPDATE SET present = p.present + excluded.present;
    SELECT array_agg(a.unit_id), array_agg(a.held_on), array_agg(c.member_id), array_agg(c.delta)
    INTO units, days, held_people, held_deltas
    FROM unnest(acts, people, deltas) AS c(activity_id, member_id, delta)
    JOIN activities a ON a.id = c.activity_id AND a.status = 'held';
    IF units IS NOT NULL THEN
        PERFORM member_presence_add(units, days, held_people, held_deltas);
    END IF;
END $$;
