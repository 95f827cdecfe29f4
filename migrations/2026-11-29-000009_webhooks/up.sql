-- Webhooks for higher-level systems: subscriptions scoped to a subtree, a transactional outbox
-- of events (written in the same transaction as the change that caused them), and one delivery
-- row per subscription and event, retried with exponential backoff.

CREATE TABLE webhooks (
    id              uuid PRIMARY KEY,
    -- The owner: a user account or a machine client.
    owner_user_id   uuid REFERENCES users (id) ON DELETE CASCADE,
    owner_client_id uuid REFERENCES machine_clients (id) ON DELETE CASCADE,
    unit_id         uuid NOT NULL REFERENCES org_units (id),
    unit_path       ltree NOT NULL,
    url             text NOT NULL,
    events          text[] NOT NULL,
    -- Needed in clear to sign; never returned after creation.
    secret          text NOT NULL,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    status_note     text NOT NULL DEFAULT '',
    failing_since   timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(owner_user_id, owner_client_id) = 1)
);
CREATE INDEX webhooks_path ON webhooks USING gist (unit_path) WHERE status = 'active';

CREATE TABLE outbox_events (
    id          uuid PRIMARY KEY,
    event       text NOT NULL,
    unit_path   ltree NOT NULL,
    payload     jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_events_time ON outbox_events (occurred_at);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    webhook_id      uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text NOT NULL DEFAULT '',
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_of ON webhook_deliveries (webhook_id, created_at DESC);
