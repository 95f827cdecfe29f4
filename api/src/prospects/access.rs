//! Who may reach which prospect (phụ nữ chưa vào hội): her unit in the caller's `members:read`
//! scope; otherwise 404. Changing her needs `members:write` there too (checked by the handler).

use std::collections::HashSet;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::models::ProspectRow;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::prospects as p;

/// The prospect, locked for update when `lock`, if the caller may see her; else 404.
pub async fn visible_prospect(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<ProspectRow, ApiError> {
    let query = p::table.find(id).select(ProspectRow::as_select());
    let row =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    match row {
        Some(row) if caller.can(Permission::MembersRead, &row.unit_path.0) => Ok(row),
        _ => Err(ApiError::NotFound),
    }
}

/// Those of `ids` the caller may see (the others are as if they did not exist).
pub async fn visible_prospect_ids(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, ApiError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<(Uuid, Ltree)> = p::table.filter(p::id.eq_any(ids)).select((p::id, p::unit_path)).load(conn).await?;
    Ok(found.into_iter().filter(|(_, path)| caller.can(Permission::MembersRead, &path.0)).map(|(id, _)| id).collect())
}
