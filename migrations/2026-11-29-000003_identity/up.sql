-- Organisation levels are data, not an enum baked into code: the 2025 reform removed districts,
-- and other changes will come. `rank` orders levels from the top; a unit's parent has a lower rank.
CREATE TABLE org_levels (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{1,31}$'),
    rank       smallint NOT NULL UNIQUE,
    name_vi    text NOT NULL,
    name_en    text NOT NULL,
    historical boolean NOT NULL DEFAULT false
);
INSERT INTO org_levels (code, rank, name_vi, name_en, historical) VALUES
    ('central',  0, 'Trung ương',                 'Central',                       false),
    ('province', 1, 'Tỉnh, thành phố',            'Province',                      false),
    ('district', 2, 'Huyện (đến 30/06/2025)',     'District (until 30 June 2025)', true),
    ('commune',  3, 'Xã, phường, đặc khu',        'Commune',                       false),
    ('branch',   4, 'Chi hội',                    'Branch',                        false),
    ('group',    5, 'Tổ phụ nữ',                  'Women''s group',                false);

-- Org units (đơn vị). `path` is the materialised path of ids (hex, no dashes) from the root,
-- so "everything under X" is `path <@ X.path`, answered by the GiST index.
CREATE TABLE org_units (
    id            uuid PRIMARY KEY,
    level         text NOT NULL REFERENCES org_levels (code),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    official_code text CHECK (official_code ~ '^[0-9A-Za-z.-]{1,32}$'),
    parent_id     uuid REFERENCES org_units (id),
    path          ltree NOT NULL UNIQUE,
    valid_from    date NOT NULL DEFAULT DATE '2000-01-01',
    valid_to      date,
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_units_valid_period CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT org_units_root_has_no_parent CHECK ((parent_id IS NULL) = (nlevel(path) = 1))
);
CREATE INDEX org_units_path_gist ON org_units USING gist (path);
CREATE INDEX org_units_parent_id ON org_units (parent_id);

-- Accounts (tài khoản). An account belongs to a home unit, which decides who may manage it.
CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    home_unit_id         uuid NOT NULL REFERENCES org_units (id),
    member_id            uuid,
    status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    must_change_password boolean NOT NULL DEFAULT true,
    password_hash        text NOT NULL,
    password_changed_at  timestamptz NOT NULL DEFAULT now(),
    -- Bumped when the account is disabled or its password changes: tokens carrying an older
    -- value are refused on their next request.
    token_version        integer NOT NULL DEFAULT 1,
    last_login_at        timestamptz,
    version              integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_home_unit_id ON users (home_unit_id);

-- A role granted on an org unit covers the unit's whole subtree.
CREATE TABLE role_grants (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('admin', 'province_officer', 'commune_officer',
                                              'branch_head', 'group_leader', 'member', 'auditor')),
    org_unit_id uuid NOT NULL REFERENCES org_units (id),
    granted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, role, org_unit_id)
);
CREATE INDEX role_grants_org_unit_id ON role_grants (org_unit_id);

-- Login sessions: one per login, alive while its refresh tokens rotate. Access tokens carry the
-- session id, so revoking a session (logout, reuse of a refresh token) cuts them off at once.
CREATE TABLE sessions (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_refreshed_at timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    revoked_at        timestamptz,
    revoked_reason    text,
    client_ip         text,
    user_agent        text
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Refresh tokens are opaque; only their SHA-256 is stored. `used_at` marks a rotated token: a
-- second use of it means it leaked, and its whole session is revoked.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

-- API tokens for scripts: shown once, stored as SHA-256, limited to scopes.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_prefix text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    scopes       text[] NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

-- Machine clients of higher-level systems (province, legacy district, national databases):
-- OAuth2 client credentials, bound to an org subtree, aggregates only.
CREATE TABLE machine_clients (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    org_unit_id   uuid NOT NULL REFERENCES org_units (id),
    secret_prefix text NOT NULL,
    secret_hash   bytea NOT NULL,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    token_version integer NOT NULL DEFAULT 1,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    last_used_at  timestamptz,
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX machine_clients_org_unit_id ON machine_clients (org_unit_id);

-- Failed logins per subject (`user:<name>` or `ip:<address>`), for throttling. Unknown user
-- names are tracked exactly like real ones, so throttling reveals nothing about accounts.
CREATE TABLE login_throttle (
    subject           text PRIMARY KEY,
    failures          integer NOT NULL,
    window_started_at timestamptz NOT NULL,
    blocked_until     timestamptz
);

-- Audit trail: every write, every read of sensitive fields, logins, token and role changes.
-- Never the values of sensitive fields. Append-only (below).
CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_type  text NOT NULL CHECK (actor_type IN ('user', 'api_token', 'client', 'system', 'anonymous')),
    actor_id    uuid,
    actor_name  text,
    action      text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    object_type text,
    object_id   text,
    org_unit_id uuid,
    fields      text[] NOT NULL DEFAULT '{}',
    request_id  text,
    client_ip   text,
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id, id);
CREATE INDEX audit_events_org_unit ON audit_events (org_unit_id, id);

-- Append-only, twice over: the role that runs the application loses UPDATE, DELETE and
-- TRUNCATE on the table, and a trigger refuses them for anyone else who has not disabled it.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM CURRENT_USER;
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The root of every installation: the Vietnam Women's Union itself. Administrators of the
-- whole installation hold their role here (`chihoi user create --unit TW --role admin`).
INSERT INTO org_units (id, level, name, official_code, parent_id, path, valid_from)
VALUES ('00000000-0000-7000-8000-000000000001', 'central', 'Hội Liên hiệp Phụ nữ Việt Nam', 'TW',
        NULL, '00000000000070008000000000000001', DATE '1930-10-20');
