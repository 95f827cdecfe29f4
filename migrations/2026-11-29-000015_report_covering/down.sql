DROP INDEX member_presence_member;

DROP INDEX member_placements_unit;
CREATE INDEX member_placements_unit ON member_placements (unit_id, valid_from);

DROP INDEX attendance_member;
CREATE UNIQUE INDEX attendance_member ON attendance (activity_id, member_id) WHERE member_id IS NOT NULL;
