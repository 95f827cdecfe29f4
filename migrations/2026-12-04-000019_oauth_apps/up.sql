-- OAuth 2.0 for third-party apps (ứng dụng bên thứ ba): the registered apps, what each officer
-- consented to, and the short-lived authorization codes. A grant to an app is a session of the
-- officer marked with the app and its scopes, so refresh rotation, reuse detection and revocation
-- are the ones logins already have.
CREATE TABLE oauth_apps (
    id uuid PRIMARY KEY,
    client_id text NOT NULL UNIQUE CHECK (client_id ~ '^[A-Za-z0-9._-]{8,64}$'),
    client_name text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 100),
    owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    logo_text text CHECK (length(logo_text) <= 4),
    -- The subtree the app reaches: tokens it gets never cover a unit outside it.
    org_unit_id uuid NOT NULL REFERENCES org_units (id),
    redirect_uris text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 10),
    scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1),
    token_endpoint_auth_method text NOT NULL
        CHECK (token_endpoint_auth_method IN ('none', 'client_secret_basic', 'client_secret_post')),
    secret_hash bytea,
    -- The first characters of the secret, to recognise it in lists (confidential apps).
    secret_prefix text,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    version integer NOT NULL DEFAULT 1,
    last_used_at timestamptz,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((token_endpoint_auth_method = 'none') = (secret_hash IS NULL)),
    CHECK ((secret_hash IS NULL) = (secret_prefix IS NULL))
);
CREATE INDEX oauth_apps_unit ON oauth_apps (org_unit_id);

-- What an officer allowed an app; asked again when the app wants a scope not in the set.
CREATE TABLE oauth_consents (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    app_id uuid NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    scopes text[] NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, app_id)
);
CREATE INDEX oauth_consents_app ON oauth_consents (app_id);

-- Authorization codes: single use, at most 60 s; only their digest is kept. `session_id` is
-- the grant the code was exchanged for, revoked if the code is presented again.
CREATE TABLE oauth_codes (
    code_hash bytea PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri text NOT NULL,
    scopes text[] NOT NULL,
    code_challenge text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    session_id uuid REFERENCES sessions (id) ON DELETE SET NULL
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

ALTER TABLE sessions
    ADD COLUMN oauth_app_id uuid REFERENCES oauth_apps (id) ON DELETE CASCADE,
    ADD COLUMN scopes text[],
    ADD CONSTRAINT sessions_app_has_scopes CHECK ((oauth_app_id IS NULL) = (scopes IS NULL));
CREATE INDEX sessions_oauth_app ON sessions (oauth_app_id, user_id) WHERE oauth_app_id IS NOT NULL;

-- Apps appear in the audit trail as themselves (revocations they make) besides the officers
-- they act for.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_type_check,
    ADD CONSTRAINT audit_events_actor_type_check
    CHECK (actor_type IN ('user', 'api_token', 'client', 'oauth_app', 'system', 'anonymous'));
