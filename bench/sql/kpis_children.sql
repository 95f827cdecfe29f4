-- Members, meetings and attendance of each child of a unit for a period, in one query: the floor
-- for GET /reports/kpis?group_by=child on a province and a year. Variables: path, depth (the
-- child level's nlevel), from, to.
WITH placed AS (
  SELECT subpath(u.path, 0, :depth) AS child,
         count(*) FILTER (WHERE pl.valid_from <= ':from' AND (pl.valid_to IS NULL OR pl.valid_to > ':from')) AS at_start,
         count(*) FILTER (WHERE pl.valid_from <= ':to' AND (pl.valid_to IS NULL OR pl.valid_to > ':to')) AS at_end
  FROM org_units u JOIN member_placements pl ON pl.unit_id = u.id
  JOIN members m ON m.id = pl.member_id AND m.member_type = 'regular'
  WHERE u.path <@ ':path'::ltree AND nlevel(u.path) >= :depth
  GROUP BY 1),
meetings AS (
  SELECT subpath(a.unit_path, 0, :depth) AS child, count(*) AS held, sum(a.expected) AS expected
  FROM activities a
  WHERE a.unit_path <@ ':path'::ltree AND nlevel(a.unit_path) >= :depth AND a.held_on BETWEEN ':from' AND ':to'
    AND a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
  GROUP BY 1),
acts AS MATERIALIZED (
  SELECT a.id, subpath(a.unit_path, 0, :depth) AS child FROM activities a
  WHERE a.unit_path <@ ':path'::ltree AND nlevel(a.unit_path) >= :depth AND a.held_on BETWEEN ':from' AND ':to'
    AND a.status = 'held'),
present AS (
  SELECT acts.child, count(*) AS present, count(DISTINCT t.member_id) AS participants
  FROM acts JOIN attendance t ON t.activity_id = acts.id AND t.status = 'present' AND t.member_id IS NOT NULL
  GROUP BY 1)
SELECT placed.child, at_start, at_end, held, expected, present, participants
FROM placed LEFT JOIN meetings USING (child) LEFT JOIN present USING (child);
