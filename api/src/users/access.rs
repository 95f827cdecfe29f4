//! Who may see and who may manage which account (tài khoản).
//!
//! Seeing an account needs `users:read` on its home unit (or being its owner). Managing it —
//! renaming, disabling, resetting its password, granting or revoking its roles — needs
//! `users:manage` on its home unit **and**, for every role the account holds on every unit,
//! a covering grant of the caller that outranks that role (`Role::may_act_on`): a commune
//! officer can never take over an admin whose home unit happens to lie in her commune.

use diesel_async::AsyncPgConnection;
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::models::{GrantRow, UserRow};
use super::queries;
use crate::auth::{Caller, Permission, Role};
use crate::http::ApiError;

/// The user and her home unit's path, if the caller may see her with `permission`; else 404.
pub async fn visible_user(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
) -> Result<(UserRow, Ltree), ApiError> {
    let (user, path) = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    if caller.can(permission, &path.0) || caller.principal.user_id() == Some(id) && permission == Permission::UsersRead
    {
        Ok((user, path))
    } else {
        Err(ApiError::NotFound)
    }
}

/// The user, if the caller may manage her account: 404 when she is out of sight, 403 when she
/// is visible but holds a role the caller does not outrank (or `users:manage` is missing).
pub async fn manageable_user(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(UserRow, Ltree), ApiError> {
    let (user, path) = visible_user(conn, caller, id, Permission::UsersRead).await?;
    caller.require(Permission::UsersManage, &path.0)?;
    for (grant, _, unit_path) in queries::grants(conn, id).await? {
        // A role no code knows is treated as the highest: nobody but a migration may touch it.
        let role = Role::parse(&grant.role).unwrap_or(Role::Integration);
        if !caller.principal.may_act_on_role(role, &unit_path.0) {
            return Err(ApiError::Forbidden);
        }
    }
    Ok((user, path))
}

/// The user and one of her role grants with its unit's path, if the caller sees both (the
/// grant's unit in her `users:read` scope); else 404.
pub async fn visible_grant(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    user_id: Uuid,
    grant_id: Uuid,
) -> Result<(UserRow, GrantRow, Ltree), ApiError> {
    let (user, _) = visible_user(conn, caller, user_id, Permission::UsersRead).await?;
    let grants = queries::grants(conn, user.id).await?;
    match grants.into_iter().find(|(grant, _, _)| grant.id == grant_id) {
        Some((grant, _, path)) if caller.can(Permission::UsersRead, &path.0) => Ok((user, grant, path)),
        _ => Err(ApiError::NotFound),
    }
}

/// The caller may grant or revoke `role` on the unit at `path`.
pub fn may_grant(caller: &Caller, role: Role, path: &str) -> bool {
    caller.principal.may_act_on_role(role, path)
}
