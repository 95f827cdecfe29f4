//! Who may see which member: her unit in the caller's scope, or a pending transfer into it (the
//! receiving side sees her until it decides). Outside that, a member is 404.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::models::MemberRow;
use super::queries;
use super::wire::MemberStatus;
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, Text};
use crate::schema::{member_needs, member_transfers};

pub async fn visible_member(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
) -> Result<MemberRow, ApiError> {
    let member = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    if can_see(conn, caller, &member, permission).await? { Ok(member) } else { Err(ApiError::NotFound) }
}

pub async fn can_see(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    member: &MemberRow,
    permission: Permission,
) -> Result<bool, ApiError> {
    if caller.can(permission, &member.unit_path.0) {
        return Ok(true);
    }
    if member.status() != MemberStatus::Transferring {
        return Ok(false);
    }
    let destination: Option<diesel_ltree::Ltree> = member_transfers::table
        .filter(member_transfers::member_id.eq(member.id))
        .filter(member_transfers::status.eq("pending"))
        .select(member_transfers::to_unit_path)
        .first(conn)
        .await
        .optional()?;
    Ok(destination.is_some_and(|path| caller.can(permission, &path.0)))
}

/// Whether the caller may learn of a member placed in the unit at `unit_path` (`members:read`
/// there): answers that name another member, such as a duplicate citizen id, ask this.
pub fn sees_placement(caller: &Caller, unit_path: &Ltree) -> bool {
    caller.can(Permission::MembersRead, &unit_path.0)
}

/// The member a need (nhu cầu) belongs to, if the caller may see her needs: `members:sensitive`
/// on her unit. A need is a fact about her circumstances; without it the need is 404.
pub async fn need_owner(conn: &mut AsyncPgConnection, caller: &Caller, need: Uuid) -> Result<MemberRow, ApiError> {
    let owner: Option<Uuid> =
        member_needs::table.find(need).select(member_needs::member_id).first(conn).await.optional()?;
    let member = visible_member(conn, caller, owner.ok_or(ApiError::NotFound)?, Permission::MembersRead).await?;
    if caller.can(Permission::MembersSensitive, &member.unit_path.0) { Ok(member) } else { Err(ApiError::NotFound) }
}

/// `include=sensitive`, or nothing; anything else (an empty value too) is a 400.
pub fn wants_sensitive(include: Option<&str>) -> Result<bool, ApiError> {
    match include {
        None => Ok(false),
        Some("sensitive") => Ok(true),
        Some(_) => Err(ApiError::invalid_parameter(
            "include",
            "invalid_value",
            Text::new("Chỉ nhận include=sensitive.", "Only include=sensitive is supported."),
        )),
    }
}
