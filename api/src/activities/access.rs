//! Who may reach which activity: its unit in the caller's scope with the permission asked; otherwise 404.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::ActivityRow;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::activities;

/// The activity if the caller may read members of its unit; 404 otherwise.
pub async fn visible_activity(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<ActivityRow, ApiError> {
    let query = activities::table.find(id).select(ActivityRow::as_select());
    let row =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    match row {
        Some(row) if caller.can(Permission::MembersRead, &row.unit_path.0) => Ok(row),
        _ => Err(ApiError::NotFound),
    }
}
