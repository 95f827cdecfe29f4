//! Who may reach which machine client (hệ thống cấp trên): `clients:manage` on the subtree it
//! pulls from; otherwise it is 404, never revealing that it exists.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::models::ClientRow;
use super::wire::MachineClient;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::{machine_clients as mc, org_units};

/// The client, locked for update when `lock`, if the caller manages its subtree; else 404.
pub async fn managed_client(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<MachineClient, ApiError> {
    let query =
        mc::table.inner_join(org_units::table).filter(mc::id.eq(id)).select((ClientRow::as_select(), org_units::path));
    let found: Option<(ClientRow, Ltree)> =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    match found {
        Some((row, path)) if caller.can(Permission::ClientsManage, &path.0) => Ok(MachineClient::from(row)),
        _ => Err(ApiError::NotFound),
    }
}
