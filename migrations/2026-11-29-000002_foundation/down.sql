DROP TABLE idempotency_keys;
DROP TABLE instance_settings;
