//! Who may reach which webhook subscription: only its owner (the user or machine client that
//! made it) sees, changes or deletes it, or reads its deliveries; anyone else gets 404.

use diesel::sql_types::{Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::{COLUMNS, Row};
use crate::auth::principal::Actor;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;
use crate::reports::access::{is_machine, report_unit};

/// (user, client) owning column values for the caller.
pub fn owner(caller: &Caller) -> (Option<Uuid>, Option<Uuid>) {
    match &caller.principal.actor {
        Actor::User { id, .. } => (Some(*id), None),
        Actor::Client { id, .. } => (None, Some(*id)),
    }
}

pub const OWNED: &str = "(owner_user_id = $1 OR owner_client_id = $2)";

pub async fn owned(conn: &mut AsyncPgConnection, caller: &Caller, id: Uuid) -> Result<Row, ApiError> {
    let (user, client) = owner(caller);
    let rows: Vec<Row> = diesel::sql_query(format!("SELECT {COLUMNS} FROM webhooks WHERE {OWNED} AND id = $3"))
        .bind::<Nullable<SqlUuid>, _>(user)
        .bind::<Nullable<SqlUuid>, _>(client)
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?;
    rows.into_iter().next().ok_or(ApiError::NotFound)
}

/// The unit a subscription may watch: one whose reports the caller reads, and for a person
/// `org_units:write` there too (a machine client subscribes with `reports:read`).
pub async fn subscribable_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<OrgUnitRow, ApiError> {
    let unit = report_unit(conn, caller, id).await?;
    let needed = if is_machine(caller) { Permission::ReportsRead } else { Permission::OrgUnitsWrite };
    caller.require(needed, &unit.path.0)?;
    Ok(unit)
}
