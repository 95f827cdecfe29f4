use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::models::{NewSettingRow, SettingChanges, SettingRow};
use crate::schema::instance_settings::dsl as s;

pub async fn list(
    conn: &mut AsyncPgConnection,
    prefix: Option<&str>,
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<SettingRow>> {
    let mut query = s::instance_settings.select(SettingRow::as_select()).order(s::key.asc()).limit(fetch).into_boxed();
    if let Some(prefix) = prefix {
        // Keys may hold `_`, a LIKE wildcard: "a_b" must not list "axb…".
        query = query.filter(s::key.like(format!("{}%", crate::text::like::escape_like(prefix))));
    }
    if let Some(after) = after {
        query = query.filter(s::key.gt(after.to_owned()));
    }
    query.load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<SettingRow>> {
    s::instance_settings.find(key).select(SettingRow::as_select()).first(conn).await.optional()
}

/// Inserts a setting; `None` when the key is taken.
pub async fn insert(conn: &mut AsyncPgConnection, row: &NewSettingRow<'_>) -> QueryResult<Option<SettingRow>> {
    diesel::insert_into(s::instance_settings)
        .values(row)
        .on_conflict_do_nothing()
        .returning(SettingRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Reads a setting and locks it until the transaction ends, before a conditional change.
pub async fn find_for_update(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<SettingRow>> {
    s::instance_settings.find(key).select(SettingRow::as_select()).for_update().first(conn).await.optional()
}

pub async fn update(conn: &mut AsyncPgConnection, key: &str, changes: &SettingChanges<'_>) -> QueryResult<SettingRow> {
    // Bumping the version is always part of the change, so an empty patch is still valid SQL.
    diesel::update(s::instance_settings.find(key))
        .set((changes, s::version.eq(s::version + 1), s::updated_at.eq(diesel::dsl::now)))
        .returning(SettingRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(s::instance_settings.find(key)).execute(conn).await
}
