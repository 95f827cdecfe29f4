//! Who may read which report (báo cáo): `reports:read` or `members:read` on its unit; a machine
//! client only reports sent up (submitted or accepted). Otherwise 404.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{Row, SubmissionStatus};
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::reports::access::is_machine;
use crate::schema::report_submissions as s;

/// Paths the caller reads reports in.
pub(super) fn read_scope(caller: &Caller) -> Result<Vec<diesel_ltree::Ltree>, ApiError> {
    let mut paths = caller.principal.scope(Permission::ReportsRead);
    paths.extend(caller.principal.scope(Permission::MembersRead));
    if paths.is_empty() {
        return Err(ApiError::Forbidden);
    }
    Ok(paths.into_iter().map(diesel_ltree::Ltree).collect())
}

/// The report, locked for update when `lock`, if the caller reads reports of its unit (a
/// machine client only once it is sent up); else 404.
pub(super) async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<Row, ApiError> {
    let query = s::table.find(id).select(Row::as_select());
    let row =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    let row = row.ok_or(ApiError::NotFound)?;
    let path = &row.unit_path.0;
    let sees = caller.can(Permission::ReportsRead, path) || caller.can(Permission::MembersRead, path);
    let draft_hidden = is_machine(caller) && !SubmissionStatus::PUBLISHED.contains(&row.status());
    if !sees || draft_hidden { Err(ApiError::NotFound) } else { Ok(row) }
}
