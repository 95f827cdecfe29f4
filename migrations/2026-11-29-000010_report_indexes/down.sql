DROP INDEX member_placements_ended;
DROP INDEX member_events_from_unit;
DROP INDEX member_events_to_unit;
