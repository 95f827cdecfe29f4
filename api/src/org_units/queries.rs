use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::{Ltree, LtreeExtensions};
use uuid::Uuid;

use super::models::{NewOrgUnitRow, OrgUnitRow};
use crate::auth::Scope;
use crate::schema::{org_levels, org_unit_periods, org_units};

/// A unit by id, whatever the caller's scope (callers check visibility themselves).
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<OrgUnitRow>> {
    org_units::table
        .find(id)
        .select(OrgUnitRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A unit by id or by official code.
pub async fn find_by_reference(
    conn: &mut AsyncPgConnection,
    reference: &str,
) -> QueryResult<Option<OrgUnitRow>> {
    match Uuid::parse_str(reference) {
        Ok(id) => find(conn, id).await,
        Err(_) => org_units::table
            .filter(org_units::official_code.eq(reference))
            .filter(org_units::valid_to.is_null())
            .select(OrgUnitRow::as_select())
            .first(conn)
            .await
            .optional(),
    }
}

pub struct ListFilter {
    pub within: Option<Ltree>,
    pub parent_id: Option<Uuid>,
    pub level: Option<String>,
}

/// Units in `scope` (and the filter), in tree order, after the `after` path.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<OrgUnitRow>> {
    let mut query = org_units::table
        .filter(org_units::path.contained_by_any(scope.paths()))
        .select(OrgUnitRow::as_select())
        .order(org_units::path.asc())
        .limit(fetch)
        .into_boxed();
    if let Some(within) = &filter.within {
        query = query.filter(org_units::path.contained_by(within.clone()));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(org_units::parent_id.eq(parent));
    }
    if let Some(level) = &filter.level {
        query = query.filter(org_units::level.eq(level.clone()));
    }
    if let Some(after) = after {
        query = query.filter(org_units::path.gt(Ltree(after.to_owned())));
    }
    query.load(conn).await
}

/// Rank of a level, if the level exists.
pub async fn level_rank(conn: &mut AsyncPgConnection, level: &str) -> QueryResult<Option<i16>> {
    org_levels::table
        .find(level)
        .select(org_levels::rank)
        .first(conn)
        .await
        .optional()
}

/// Inserts a unit and the first period of its history.
pub async fn insert(conn: &mut AsyncPgConnection, row: &NewOrgUnitRow) -> QueryResult<OrgUnitRow> {
    let unit = diesel::insert_into(org_units::table)
        .values(row)
        .returning(OrgUnitRow::as_returning())
        .get_result(conn)
        .await?;
    diesel::insert_into(org_unit_periods::table)
        .values((
            org_unit_periods::unit_id.eq(unit.id),
            org_unit_periods::valid_from.eq(unit.valid_from),
            org_unit_periods::parent_id.eq(unit.parent_id),
            org_unit_periods::path.eq(unit.path.clone()),
            org_unit_periods::name.eq(&unit.name),
            org_unit_periods::official_code.eq(&unit.official_code),
        ))
        .execute(conn)
        .await?;
    Ok(unit)
}
