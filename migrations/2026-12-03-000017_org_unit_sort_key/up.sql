-- Units listed the Vietnamese way (issue 18): a sort key computed by the application from the
-- name (text::collate::text_key, hex), as members already have. Rows written before this
-- migration get theirs right after it (db/migrations.rs fills every empty key).
ALTER TABLE org_units ADD COLUMN sort_key text NOT NULL DEFAULT '';
CREATE INDEX org_units_by_name ON org_units (parent_id, sort_key, id);
