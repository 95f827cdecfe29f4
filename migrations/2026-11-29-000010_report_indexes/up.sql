-- Indexes for the live report queries (movements of a unit in a period), found with the
-- 1M-member benchmark: without them a commune-month scans every event of the period.
CREATE INDEX member_events_to_unit ON member_events (to_unit_id, occurred_on) WHERE to_unit_id IS NOT NULL;
CREATE INDEX member_events_from_unit ON member_events (from_unit_id, occurred_on) WHERE from_unit_id IS NOT NULL;
CREATE INDEX member_placements_ended ON member_placements (unit_id, valid_to) WHERE valid_to IS NOT NULL;
