//! Who may reach which registered app: `apps:manage` on the subtree it is registered for
//! (an admin, or a unit's officer for her unit's apps); otherwise it is 404, never revealing
//! that it exists. An app's own tokens never manage apps (`apps:manage` is not an app scope).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::models::AppRow;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::schema::{oauth_apps as a, org_units};

/// The app, locked for update when `lock`, with its unit's path, if the caller manages its
/// subtree; else 404.
pub async fn managed_app(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<(AppRow, String), ApiError> {
    let query =
        a::table.inner_join(org_units::table).filter(a::id.eq(id)).select((AppRow::as_select(), org_units::path));
    let found: Option<(AppRow, Ltree)> =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    match found {
        Some((row, path)) if caller.can(Permission::AppsManage, &path.0) => Ok((row, path.0)),
        _ => Err(ApiError::NotFound),
    }
}

/// 403 unless the caller may register apps on the unit at `unit_path`.
pub fn may_register_on(caller: &Caller, unit_path: &str) -> Result<(), ApiError> {
    caller.require(Permission::AppsManage, unit_path)
}

/// The officer managing her own authorizations: `me:read` (list) or `me:write` (revoke) on
/// herself, through her own login or API token; a third-party app acting for her sees neither
/// the other apps she uses nor can it end their grants (403).
pub fn own_grants(caller: &Caller, permission: Permission) -> Result<Uuid, ApiError> {
    caller.require_self(permission)?;
    if caller.principal.oauth_app_id().is_some() {
        return Err(ApiError::Forbidden);
    }
    caller.principal.user_id().ok_or(ApiError::Forbidden)
}
