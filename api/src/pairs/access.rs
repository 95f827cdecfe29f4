//! Who may reach which pair: the permission on the mentee's unit or the mentor's, and for sensitive kinds (party nurture, sponsor) `members:sensitive` too; otherwise 404.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::kinds::{self, PairKind};
use super::models::PairRow;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::pairs as p;

/// Whether the caller sees this pair: one side in her `members:read` scope, and for sensitive
/// kinds in her `members:sensitive` scope.
pub fn can_see(caller: &Caller, row: &PairRow, sensitive: bool) -> bool {
    let sees = |permission| caller.can(permission, &row.unit_path.0) || caller.can(permission, &row.mentor_path.0);
    sees(Permission::MembersRead) && (!sensitive || sees(Permission::MembersSensitive))
}

/// Whether the caller may move the pair back to an earlier stage: an officer of its unit
/// (`org_units:write`), never the member who records progress.
pub fn may_revert_stage(caller: &Caller, row: &PairRow) -> bool {
    caller.can(Permission::OrgUnitsWrite, &row.unit_path.0)
}

/// The pair and its kind, or 404 if the caller may not see it.
pub async fn visible_pair(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<(PairRow, PairKind), ApiError> {
    let query = p::table.find(id).select(PairRow::as_select());
    let row =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    let row = row.ok_or(ApiError::NotFound)?;
    let kind = kinds::find(conn, &row.kind).await?.ok_or(ApiError::NotFound)?;
    if !can_see(caller, &row, kind.sensitive) {
        return Err(ApiError::NotFound);
    }
    Ok((row, kind))
}
