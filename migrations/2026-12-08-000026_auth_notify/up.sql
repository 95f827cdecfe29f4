-- Who someone is (docs/security.md, "Principal cache"): every write that can change an access
-- token's principal notifies `chihoi_auth`, and each chihoi instance forgets the principals it
-- kept. Statement triggers: one notification per statement (and PostgreSQL folds identical
-- notifications of one transaction into one), sent only if the transaction commits.
CREATE FUNCTION notify_auth_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('chihoi_auth', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- Columns a principal is made of; a login's `last_login_at` or a client's `last_used_at` is not.
CREATE TRIGGER users_auth_changed
    AFTER UPDATE OF status, token_version, must_change_password, username OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER sessions_auth_changed
    AFTER UPDATE OF revoked_at, expires_at, oauth_app_id, scopes, user_id OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER role_grants_auth_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_grants
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER org_units_auth_changed
    AFTER UPDATE OF path, valid_to, parent_id OR DELETE OR TRUNCATE ON org_units
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER oauth_apps_auth_changed
    AFTER UPDATE OF status, org_unit_id OR DELETE OR TRUNCATE ON oauth_apps
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER machine_clients_auth_changed
    AFTER UPDATE OF status, token_version, org_unit_id, name OR DELETE OR TRUNCATE ON machine_clients
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
