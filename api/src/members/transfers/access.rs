//! Who may see which transfer (chuyển sinh hoạt): both sides — `members:read` on the sending
//! unit or the receiving one — until it is decided and after; anyone else gets 404.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{Row, Transfer, to_wire};
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::{member_transfers as t, members, org_units};

/// The transfer with the sending unit's path, if either side of it is in the caller's scope.
pub(super) async fn visible_transfer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(Transfer, String, String), ApiError> {
    let found: Option<(Row, diesel_ltree::Ltree, diesel_ltree::Ltree)> = t::table
        .inner_join(members::table)
        .inner_join(org_units::table.on(org_units::id.eq(t::from_unit_id)))
        .filter(t::id.eq(id))
        .select((Row::as_select(), org_units::path, t::to_unit_path))
        .first(conn)
        .await
        .optional()?;
    let (row, from_path, to_path) = found.ok_or(ApiError::NotFound)?;
    let visible = caller.can(Permission::MembersRead, &from_path.0) || caller.can(Permission::MembersRead, &to_path.0);
    if !visible {
        return Err(ApiError::NotFound);
    }
    Ok((to_wire(row), from_path.0, to_path.0))
}
