//! Who may reach fees (hội phí): paying is money of the unit's fund, so payments and the
//! unpaid list follow the fund's rule (`funds/access.rs`); a fee schedule is a setting of the
//! unit that sets it, read with `org_units:read` and changed with `org_units:write`.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::org_units::access::visible_unit;
use crate::org_units::models::OrgUnitRow;

pub use crate::funds::access::{fund_unit, writable_fund_unit};

/// The unit, if the caller may set its fee schedules: 404 out of sight, 403 with read only.
pub async fn schedule_unit(conn: &mut AsyncPgConnection, caller: &Caller, unit: Uuid) -> Result<OrgUnitRow, ApiError> {
    let unit = visible_unit(conn, caller, unit, Permission::OrgUnitsRead).await?;
    caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
    Ok(unit)
}
