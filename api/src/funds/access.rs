//! Who may reach which unit's fund (quỹ hội): `funds:read` on the unit to see its entries and
//! balance, `funds:write` there to record or void one; a unit out of sight is 404.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::org_units::access::visible_unit;
use crate::org_units::models::OrgUnitRow;

/// The unit, if the caller may read its fund (404 otherwise).
pub async fn fund_unit(conn: &mut AsyncPgConnection, caller: &Caller, unit: Uuid) -> Result<OrgUnitRow, ApiError> {
    visible_unit(conn, caller, unit, Permission::FundsRead).await
}

/// The unit, if the caller may write to its fund: 404 out of sight, 403 with read only.
pub async fn writable_fund_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<OrgUnitRow, ApiError> {
    let unit = fund_unit(conn, caller, unit).await?;
    caller.require(Permission::FundsWrite, &unit.path.0)?;
    Ok(unit)
}
