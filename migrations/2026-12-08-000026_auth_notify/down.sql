DROP TRIGGER machine_clients_auth_changed ON machine_clients;
DROP TRIGGER oauth_apps_auth_changed ON oauth_apps;
DROP TRIGGER org_units_auth_changed ON org_units;
DROP TRIGGER role_grants_auth_changed ON role_grants;
DROP TRIGGER sessions_auth_changed ON sessions;
DROP TRIGGER users_auth_changed ON users;
DROP FUNCTION notify_auth_changed();
