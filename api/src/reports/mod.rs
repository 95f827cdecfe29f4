//! Reports (báo cáo): KPIs computed live for any unit and period, the "3 có 3 biết"
//! scorecard, yearly ratings, reports submitted upward with frozen figures, and exports.

pub mod compute;
pub mod coverage;
pub mod engagement;
pub mod export;
pub mod family;
pub mod figures;
pub mod groups;
pub mod handlers;
pub mod outcomes;
pub mod period;
pub mod ratings;
pub mod scorecard;
pub mod submissions;
pub mod suppress;
pub mod trend;

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
    if caller.principal.can(Permission::ReportsRead, path) || caller.principal.can(Permission::MembersRead, path) {
        Ok(unit)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Machine clients get aggregates with small counts suppressed.
pub fn is_machine(caller: &Caller) -> bool {
    matches!(caller.principal.actor, Actor::Client { .. })
}
