-- Indexes for the reports. Covering indexes: the rosters of a unit's last three meetings and the
-- members placed in a set of units on a day are read from the index alone (no heap visit for
-- the status, the member or the end of the placement). Each replaces an index with the same
-- key, so writes keep the same number of index entries.

DROP INDEX attendance_member;
CREATE UNIQUE INDEX attendance_member ON attendance (activity_id, member_id) INCLUDE (status)
    WHERE member_id IS NOT NULL;

DROP INDEX member_placements_unit;
CREATE INDEX member_placements_unit ON member_placements (unit_id, valid_from) INCLUDE (valid_to, member_id);

-- The members' presences by member: participation looks up, one by one, the few members who
-- did not come to a unit of their own commune (or other signature, see reports/engagement.rs).
CREATE INDEX member_presence_member ON member_presence (member_id);
