use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::{Ltree, LtreeExtensions};
use uuid::Uuid;

use super::models::{GrantRow, NewUserRow, UserRow};
use crate::auth::Scope;
use crate::schema::{org_units, role_grants, users};

/// A user with the path of her home unit (which decides who may see and manage her).
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<(UserRow, Ltree)>> {
    users::table
        .inner_join(org_units::table.on(org_units::id.eq(users::home_unit_id)))
        .filter(users::id.eq(id))
        .select((UserRow::as_select(), org_units::path))
        .first(conn)
        .await
        .optional()
}

pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).for_update().first(conn).await.optional()
}

pub struct ListFilter {
    pub within: Option<Ltree>,
    pub status: Option<String>,
    pub search: Option<String>,
}

/// Users whose home unit lies in `scope`, by user name.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .inner_join(org_units::table.on(org_units::id.eq(users::home_unit_id)))
        .filter(org_units::path.contained_by_any(scope.paths()))
        .select(UserRow::as_select())
        .order(users::username.asc())
        .limit(fetch)
        .into_boxed();
    if let Some(within) = &filter.within {
        query = query.filter(org_units::path.contained_by(within.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(users::status.eq(status.clone()));
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", crate::text::like::escape_like(search));
        query = query.filter(users::username.ilike(pattern.clone()).or(users::display_name.ilike(pattern)));
    }
    if let Some(after) = after {
        query = query.filter(users::username.gt(after.to_owned()));
    }
    query.load(conn).await
}

/// Inserts a user; `None` when the user name is taken.
pub async fn insert(conn: &mut AsyncPgConnection, row: &NewUserRow) -> QueryResult<Option<UserRow>> {
    diesel::insert_into(users::table)
        .values(row)
        .on_conflict(users::username)
        .do_nothing()
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn password_hash(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<String> {
    users::table.find(id).select(users::password_hash).first(conn).await
}

pub async fn set_password(conn: &mut AsyncPgConnection, id: Uuid, phc: &str, must_change: bool) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(phc),
            users::password_changed_at.eq(diesel::dsl::now),
            users::must_change_password.eq(must_change),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Grants of a user, with each unit's path.
pub async fn grants(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Vec<(GrantRow, String, Ltree)>> {
    role_grants::table
        .inner_join(org_units::table)
        .filter(role_grants::user_id.eq(user))
        .select((GrantRow::as_select(), org_units::name, org_units::path))
        .order((role_grants::granted_at.asc(), role_grants::id.asc()))
        .load(conn)
        .await
}
