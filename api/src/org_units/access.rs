//! Who may reach which unit: a unit is visible with a permission when the caller holds it on
//! the unit's subtree (a grant on an ancestor); otherwise it is 404, never revealing that it
//! exists.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::models::OrgUnitRow;
use super::queries;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;

/// The unit, if the caller may see it with `permission`; otherwise 404 (never revealing that it
/// exists).
pub async fn visible_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
) -> Result<OrgUnitRow, ApiError> {
    let unit = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    if caller.can(permission, &unit.path.0) { Ok(unit) } else { Err(ApiError::NotFound) }
}
