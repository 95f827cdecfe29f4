DROP TABLE support_revisions;
DROP TABLE support_entries;
DROP TABLE support_kinds;
DROP TABLE pair_checkins;
DROP TABLE pair_stage_events;
DROP TABLE pairs;
DROP TABLE pair_kinds;
ALTER TABLE members DROP COLUMN civil_servant;
