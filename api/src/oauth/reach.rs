//! What an app would reach through an officer: for each scope, the units where her roles give
//! it, within the subtree the app is registered for (the consent page names them).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use crate::auth::principal::is_within;
use crate::auth::{Permission, Role};
use crate::http::ApiError;
use crate::schema::{org_units, role_grants};

/// A scope and the names of the units it would reach (empty: none of hers).
pub struct Reach {
    pub scope: Permission,
    pub units: Vec<String>,
}

pub async fn reach(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    app_unit: Uuid,
    scopes: &[Permission],
) -> Result<Vec<Reach>, ApiError> {
    let (app_name, app_path): (String, Ltree) =
        org_units::table.find(app_unit).select((org_units::name, org_units::path)).first(conn).await?;
    let grants: Vec<(String, String, Ltree)> = role_grants::table
        .inner_join(org_units::table)
        .filter(role_grants::user_id.eq(user))
        .select((role_grants::role, org_units::name, org_units::path))
        .load(conn)
        .await?;
    // A grant above the app's unit reaches the app's unit; one inside reaches its own unit.
    let bounded: Vec<(Role, &str)> = grants
        .iter()
        .filter_map(|(role, name, path)| {
            let role = Role::parse(role)?;
            if is_within(&path.0, &app_path.0) {
                Some((role, name.as_str()))
            } else if is_within(&app_path.0, &path.0) {
                Some((role, app_name.as_str()))
            } else {
                None
            }
        })
        .collect();
    Ok(scopes
        .iter()
        .map(|&scope| {
            let mut units: Vec<String> = bounded
                .iter()
                .filter(|(role, _)| role.permissions().contains(&scope))
                .map(|(_, name)| (*name).to_owned())
                .collect();
            units.sort();
            units.dedup();
            Reach { scope, units }
        })
        .collect())
}
