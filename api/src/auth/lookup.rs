//! The per-request lookups that turn a credential into a `Principal`: one query each, joining
//! the account (or token, or client) with its current grants, so a disabled account, a revoked
//! session or a removed role takes effect on the very next request.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Bool, Bytea, Int4, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::permissions::{Permission, Role};
use super::principal::{Actor, Grant, Principal};

#[derive(diesel::QueryableByName)]
struct UserRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Bool)]
    usable: bool,
    #[diesel(sql_type = Bool)]
    must_change_password: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    api_token_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Array<Nullable<Text>>>)]
    scopes: Option<Vec<Option<String>>>,
    #[diesel(sql_type = Nullable<Text>)]
    role: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    org_unit_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    unit_path: Option<String>,
}

fn grants_of(rows: &[UserRow]) -> Vec<Grant> {
    rows.iter()
        .filter_map(|row| {
            Some(Grant {
                role: Role::parse(row.role.as_deref()?)?,
                unit_id: row.org_unit_id?,
                unit_path: row.unit_path.clone()?,
            })
        })
        .collect()
}

const GRANTS_JOIN: &str = "LEFT JOIN role_grants g ON g.user_id = u.id
     LEFT JOIN org_units o ON o.id = g.org_unit_id AND (o.valid_to IS NULL OR o.valid_to > current_date)";

/// The columns of a person's account, session and grants, one row per grant.
type SessionRow = (
    Uuid,
    String,
    bool,
    String,
    i32,
    (Option<DateTime<Utc>>, DateTime<Utc>, Option<Uuid>, Option<Vec<Option<String>>>),
    Option<String>,
    Option<Uuid>,
    Option<diesel_ltree::Ltree>,
);

/// A person's access token: the account must be active, its token version unchanged and the
/// session alive. Written with the query builder, not as SQL text: it runs on every request,
/// and only typed queries are kept as prepared statements on the connection (one round trip,
/// no parsing or planning each time).
pub async fn user_by_session(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    session_id: Uuid,
    token_version: i32,
) -> diesel::QueryResult<Option<Principal>> {
    use crate::schema::{org_units, role_grants, sessions, users};
    use diesel::{BoolExpressionMethods, ExpressionMethods, JoinOnDsl, NullableExpressionMethods, QueryDsl};
    let rows: Vec<SessionRow> = users::table
        .inner_join(sessions::table.on(sessions::user_id.eq(users::id).and(sessions::id.eq(session_id))))
        .left_join(role_grants::table.on(role_grants::user_id.eq(users::id)))
        .left_join(
            org_units::table.on(org_units::id
                .eq(role_grants::org_unit_id)
                .and(org_units::valid_to.is_null().or(org_units::valid_to.gt(diesel::dsl::today)))),
        )
        .filter(users::id.eq(user_id))
        .select((
            users::id,
            users::username,
            users::must_change_password,
            users::status,
            users::token_version,
            (sessions::revoked_at, sessions::expires_at, sessions::oauth_app_id, sessions::scopes),
            role_grants::role.nullable(),
            role_grants::org_unit_id.nullable(),
            org_units::path.nullable(),
        ))
        .load(conn)
        .await?;
    let now = Utc::now();
    let app = rows.as_slice().first().and_then(|r| r.5.2);
    let rows: Vec<UserRow> = rows
        .into_iter()
        .map(|(id, username, must_change_password, status, version, session, role, unit, path)| {
            let (revoked_at, expires_at, _, scopes) = session;
            UserRow {
                id,
                username,
                usable: status == "active" && version == token_version && revoked_at.is_none() && expires_at > now,
                must_change_password,
                api_token_id: None,
                scopes,
                role,
                org_unit_id: unit,
                unit_path: path.map(|p| p.0),
            }
        })
        .collect();
    let Some(principal) = principal_from(rows, Some(session_id)) else { return Ok(None) };
    let Some(app) = app else { return Ok(Some(principal)) };
    // A grant to an app: the app must still be active, and it reaches only its unit's subtree.
    let bound: Option<(Uuid, diesel_ltree::Ltree)> = {
        use crate::schema::oauth_apps;
        use diesel::OptionalExtension;
        oauth_apps::table
            .inner_join(org_units::table)
            .filter(oauth_apps::id.eq(app))
            .filter(oauth_apps::status.eq("active"))
            .select((org_units::id, org_units::path))
            .first(conn)
            .await
            .optional()?
    };
    Ok(bound.map(|(unit, path)| {
        let mut principal = principal.bound_to(unit, &path.0);
        if let Actor::User { oauth_app_id, .. } = &mut principal.actor {
            *oauth_app_id = Some(app);
        }
        principal
    }))
}

/// An API token: not revoked, not expired, its owner active. Its scopes limit the permissions.
pub async fn user_by_api_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> diesel::QueryResult<Option<Principal>> {
    let rows: Vec<UserRow> = crate::db::prepared(crate::db::fixed_sql!(
        "SELECT u.id, u.username, u.must_change_password,
                (u.status = 'active') AS usable,
                t.id AS api_token_id, t.scopes,
                g.role, g.org_unit_id, o.path::text AS unit_path
         FROM api_tokens t
         JOIN users u ON u.id = t.user_id
         {GRANTS_JOIN}
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now())"
    ))
    .bind::<Bytea, _>(token_hash)
    .load(conn)
    .await?;
    let token_id = rows.as_slice().first().and_then(|r| r.api_token_id);
    if let Some(id) = token_id {
        // Record use at most once a minute: a script calling in a loop must not write per call.
        crate::db::prepared(
            "UPDATE api_tokens SET last_used_at = now()
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
        )
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    }
    Ok(principal_from(rows, None))
}

fn principal_from(rows: Vec<UserRow>, session_id: Option<Uuid>) -> Option<Principal> {
    let first = rows.as_slice().first()?;
    if !first.usable {
        return None;
    }
    let token_scopes =
        first.scopes.as_ref().map(|scopes| scopes.iter().flatten().filter_map(|s| Permission::parse(s)).collect());
    Some(Principal {
        actor: Actor::User {
            id: first.id,
            username: first.username.clone(),
            session_id,
            api_token_id: first.api_token_id,
            oauth_app_id: None,
            must_change_password: first.must_change_password,
        },
        grants: grants_of(&rows),
        token_scopes,
    })
}

#[derive(diesel::QueryableByName)]
struct ClientRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = SqlUuid)]
    org_unit_id: Uuid,
    #[diesel(sql_type = Text)]
    unit_path: String,
}

/// A machine client's token: the client must be active with the same token version. Its only
/// grant is `integration` on its own unit.
pub async fn client(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    token_version: i32,
) -> diesel::QueryResult<Option<Principal>> {
    let rows: Vec<ClientRow> = crate::db::prepared(
        "SELECT c.id, c.name, c.org_unit_id, o.path::text AS unit_path
         FROM machine_clients c JOIN org_units o ON o.id = c.org_unit_id
         WHERE c.id = $1 AND c.status = 'active' AND c.token_version = $2",
    )
    .bind::<SqlUuid, _>(client_id)
    .bind::<Int4, _>(token_version)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|row| Principal {
        actor: Actor::Client { id: row.id, name: row.name },
        grants: vec![Grant { role: Role::Integration, unit_id: row.org_unit_id, unit_path: row.unit_path }],
        token_scopes: None,
    }))
}
