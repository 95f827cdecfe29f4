-- audit_events keeps 'oauth_app' among its actor types: the trail is append-only, and rows
-- written by apps stay.
ALTER TABLE sessions DROP CONSTRAINT sessions_app_has_scopes, DROP COLUMN scopes, DROP COLUMN oauth_app_id;
DROP TABLE oauth_codes;
DROP TABLE oauth_consents;
DROP TABLE oauth_apps;
