-- The KPIs of one unit for a period in one hand-written query: the physical floor for
-- GET /reports/kpis. Variables: path (the unit's ltree path), from, to (dates).
-- It leaves out what the endpoint adds on top (predecessor lineage, the year-before count, the
-- absent-three-running streak, coverage and fees), so the ratio flatters the baseline.
WITH u AS (SELECT id FROM org_units WHERE path <@ ':path'::ltree),
placed AS (
  SELECT count(*) FILTER (WHERE pl.valid_from <= ':from' AND (pl.valid_to IS NULL OR pl.valid_to > ':from')) AS at_start,
         count(*) FILTER (WHERE pl.valid_from <= ':to' AND (pl.valid_to IS NULL OR pl.valid_to > ':to')) AS at_end,
         count(*) FILTER (WHERE m.card_number IS NOT NULL AND pl.valid_from <= ':to'
                          AND (pl.valid_to IS NULL OR pl.valid_to > ':to')) AS cards
  FROM member_placements pl JOIN members m ON m.id = pl.member_id AND m.member_type = 'regular'
  WHERE pl.unit_id = ANY(ARRAY(SELECT id FROM u))),
moves AS (
  SELECT count(*) FILTER (WHERE e.kind = 'join') AS joins, count(*) FILTER (WHERE e.kind = 'transfer_in') AS tin
  FROM member_events e
  WHERE e.to_unit_id = ANY(ARRAY(SELECT id FROM u)) AND e.occurred_on BETWEEN ':from' AND ':to'),
moves_out AS (
  SELECT count(*) FILTER (WHERE e.kind = 'transfer_out') AS tout
  FROM member_events e
  WHERE e.from_unit_id = ANY(ARRAY(SELECT id FROM u)) AND e.occurred_on BETWEEN ':from' AND ':to'),
endings AS (
  SELECT count(*) AS ended FROM member_placements pl
  WHERE pl.unit_id = ANY(ARRAY(SELECT id FROM u)) AND pl.valid_to BETWEEN ':from' AND ':to'),
meetings AS (
  SELECT count(*) AS held, coalesce(sum(a.expected), 0) AS expected
  FROM activities a
  WHERE a.unit_path <@ ':path'::ltree AND a.held_on BETWEEN ':from' AND ':to' AND a.status = 'held'
    AND a.attendance_recorded_at IS NOT NULL),
acts AS MATERIALIZED (
  SELECT a.id FROM activities a
  WHERE a.unit_id = ANY(ARRAY(SELECT id FROM u)) AND a.held_on BETWEEN ':from' AND ':to' AND a.status = 'held'),
present AS (
  SELECT count(*) AS present, count(DISTINCT t.member_id) AS participants
  FROM attendance t WHERE t.activity_id = ANY(ARRAY(SELECT id FROM acts)) AND t.status = 'present' AND t.member_id IS NOT NULL),
support AS (
  SELECT count(DISTINCT s.member_id) AS households, coalesce(sum(s.amount_vnd), 0) AS amount
  FROM support_entries s WHERE s.unit_id = ANY(ARRAY(SELECT id FROM u)) AND s.status = 'recorded'
    AND s.given_on BETWEEN ':from' AND ':to'),
active_pairs AS (
  SELECT count(*) AS active FROM pairs p WHERE p.unit_id = ANY(ARRAY(SELECT id FROM u)) AND p.started_on <= ':to'
    AND (p.ended_on IS NULL OR p.ended_on > ':to'))
SELECT * FROM placed, moves, moves_out, endings, meetings, present, support, active_pairs;
