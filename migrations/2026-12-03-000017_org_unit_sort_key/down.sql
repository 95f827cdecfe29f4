DROP INDEX org_units_by_name;
ALTER TABLE org_units DROP COLUMN sort_key;
