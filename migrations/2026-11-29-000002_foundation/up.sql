-- Instance settings: configurable rules of this installation (thresholds, targets, cut-off
-- days) that differ by province and year. Also the first resource that exercises the shared
-- write-safety machinery: versions for ETag/If-Match, idempotent creation, keyset pages.
CREATE TABLE instance_settings (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    description text NOT NULL DEFAULT '',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instance_settings_key_format
        CHECK (length(key) <= 64 AND key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
    CONSTRAINT instance_settings_version_positive CHECK (version >= 1)
);

-- Idempotency-Key records: the first response to a POST, replayed for retries.
-- A row with response_status NULL is in progress (locked_at says since when).
CREATE TABLE idempotency_keys (
    caller           text        NOT NULL,
    key              text        NOT NULL,
    request_method   text        NOT NULL,
    request_path     text        NOT NULL,
    fingerprint      bytea       NOT NULL,
    locked_at        timestamptz,
    response_status  smallint,
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
