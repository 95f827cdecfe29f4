//! Who may read a unit's reports: `reports:read` or `members:read` on it (machine clients read aggregates only); otherwise 404.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::principal::Actor;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;
use crate::org_units::queries;

/// The unit, if the caller may read reports (`reports:read`) or members (`members:read`) there.
pub async fn report_unit(conn: &mut AsyncPgConnection, caller: &Caller, id: Uuid) -> Result<OrgUnitRow, ApiError> {
    let unit = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    let path = &unit.path.0;
    if caller.can(Permission::ReportsRead, path) || caller.can(Permission::MembersRead, path) {
        Ok(unit)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Machine clients get aggregates with small counts suppressed.
pub fn is_machine(caller: &Caller) -> bool {
    matches!(caller.principal.actor, Actor::Client { .. })
}
