-- Back to the SQL functions of migration 000023.
CREATE OR REPLACE FUNCTION member_presence_add(units uuid[], days date[], people uuid[], deltas integer[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(2201, hashtext(k.unit_id::text || ':' || k.year))
    FROM (SELECT DISTINCT c.unit_id, extract(year FROM c.day)::smallint AS year
          FROM unnest(units, days) AS c(unit_id, day) ORDER BY 1, 2) k;
    INSERT INTO member_presence AS p (unit_id, year, member_id, months)
    SELECT c.unit_id, extract(year FROM c.day)::smallint, c.member_id,
           months_sum(month_vector(extract(month FROM c.day)::integer, c.delta))
    FROM unnest(units, days, people, deltas) AS c(unit_id, day, member_id, delta)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (unit_id, year, member_id) DO UPDATE SET months = months_add(p.months, excluded.months);
$$;

CREATE OR REPLACE FUNCTION presence_add(acts uuid[], people uuid[], deltas integer[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO activity_presence AS p (activity_id, present)
    SELECT c.activity_id, sum(c.delta) FROM unnest(acts, deltas) AS c(activity_id, delta)
    WHERE EXISTS (SELECT 1 FROM activities a WHERE a.id = c.activity_id)
    GROUP BY c.activity_id HAVING sum(c.delta) <> 0
    ORDER BY c.activity_id
    ON CONFLICT (activity_id) DO UPDATE SET present = p.present + excluded.present;
    SELECT member_presence_add(array_agg(a.unit_id), array_agg(a.held_on), array_agg(c.member_id), array_agg(c.delta))
    FROM unnest(acts, people, deltas) AS c(activity_id, member_id, delta)
    JOIN activities a ON a.id = c.activity_id AND a.status = 'held';
$$;
