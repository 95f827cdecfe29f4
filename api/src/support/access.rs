//! Who may reach which support entry: `members:sensitive` on its unit (support amounts and poverty are sensitive); otherwise 404.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::SupportRow;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::support_entries as s;

/// The entry if the caller may read support in its unit; 404 otherwise.
pub async fn visible_entry(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<SupportRow, ApiError> {
    let query = s::table.find(id).select(SupportRow::as_select());
    let row =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    match row {
        Some(row) if caller.can(Permission::MembersSensitive, &row.unit_path.0) => Ok(row),
        _ => Err(ApiError::NotFound),
    }
}
