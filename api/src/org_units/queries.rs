use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::{Ltree, LtreeExtensions};
use uuid::Uuid;

use super::models::{NewOrgUnitRow, OrgUnitRow};
use crate::auth::Scope;
use crate::schema::{org_levels, org_unit_periods, org_units};

/// A unit by id, whatever the caller's scope (callers check visibility themselves).
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<OrgUnitRow>> {
    org_units::table.find(id).select(OrgUnitRow::as_select()).first(conn).await.optional()
}

/// A unit by id or by official code.
pub async fn find_by_reference(conn: &mut AsyncPgConnection, reference: &str) -> QueryResult<Option<OrgUnitRow>> {
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

impl ListFilter {
    /// Siblings or one level are listed by name in Vietnamese order (`sort_key`); a whole
    /// subtree in tree order (each unit after its parent).
    pub fn by_name(&self) -> bool {
        self.parent_id.is_some() || self.level.is_some()
    }

    /// The cursor after `row` in this filter's order.
    pub fn cursor_of(&self, row: &OrgUnitRow) -> UnitCursor {
        if self.by_name() {
            UnitCursor::Name { key: row.sort_key.clone(), id: row.id }
        } else {
            UnitCursor::Tree { path: row.path.0.clone() }
        }
    }
}

/// Where a page of units starts: after a name (Vietnamese order) or after a path (tree order).
/// A cursor only continues the order it was made in.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "o", rename_all = "snake_case")]
pub enum UnitCursor {
    Name { key: String, id: Uuid },
    Tree { path: String },
}

impl UnitCursor {
    /// The path of a tree-order cursor, if it is one and the path is well formed (labels of
    /// letters, digits and `_`, as `models::label` makes them).
    pub fn tree_path(&self) -> Option<&str> {
        match self {
            UnitCursor::Tree { path }
                if path
                    .split('.')
                    .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) =>
            {
                Some(path)
            }
            _ => None,
        }
    }
}

/// Units in `scope` (and the filter), in the filter's order, after the `after` cursor (of that
/// order: the handler checks).
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<&UnitCursor>,
    fetch: i64,
) -> QueryResult<Vec<OrgUnitRow>> {
    let mut query = org_units::table
        .filter(org_units::path.contained_by_any(scope.paths()))
        .select(OrgUnitRow::as_select())
        .limit(fetch)
        .into_boxed();
    query = if filter.by_name() {
        query.order((org_units::sort_key.asc(), org_units::id.asc()))
    } else {
        query.order(org_units::path.asc())
    };
    if let Some(within) = &filter.within {
        query = query.filter(org_units::path.contained_by(within.clone()));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(org_units::parent_id.eq(parent));
    }
    if let Some(level) = &filter.level {
        query = query.filter(org_units::level.eq(level.clone()));
    }
    match after {
        Some(UnitCursor::Name { key, id }) => {
            query = query.filter(
                org_units::sort_key.gt(key.clone()).or(org_units::sort_key.eq(key.clone()).and(org_units::id.gt(*id))),
            );
        }
        Some(UnitCursor::Tree { path }) => query = query.filter(org_units::path.gt(Ltree(path.clone()))),
        None => {}
    }
    query.load(conn).await
}

/// The open children of `unit`, by name in Vietnamese order (at most 500): the lines of a
/// report with `group_by=child` and a family of machine-client suppression.
pub async fn open_children(conn: &mut AsyncPgConnection, unit: &OrgUnitRow) -> QueryResult<Vec<OrgUnitRow>> {
    org_units::table
        .filter(org_units::parent_id.eq(unit.id))
        .filter(org_units::valid_to.is_null())
        .select(OrgUnitRow::as_select())
        .order((org_units::sort_key.asc(), org_units::id.asc()))
        .limit(500)
        .load(conn)
        .await
}

/// Rank of a level, if the level exists.
pub async fn level_rank(conn: &mut AsyncPgConnection, level: &str) -> QueryResult<Option<i16>> {
    org_levels::table.find(level).select(org_levels::rank).first(conn).await.optional()
}

/// The level codes, from the top.
pub async fn level_codes(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    org_levels::table.select(org_levels::code).order(org_levels::rank).load(conn).await
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

/// Units in `scope` as they were on `day` (names and parents of that day), in tree order.
pub async fn list_as_of(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    day: chrono::NaiveDate,
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<(OrgUnitRow, String)>> {
    use crate::schema::org_unit_periods as p;
    let mut query = p::table
        .inner_join(org_units::table.on(org_units::id.eq(p::unit_id)))
        .filter(p::valid_from.le(day))
        .filter(p::valid_to.is_null().or(p::valid_to.gt(day)))
        .filter(org_units::path.contained_by_any(scope.paths()))
        .select((
            (
                org_units::id,
                org_units::level,
                p::name,
                p::official_code,
                p::parent_id,
                p::path,
                org_units::valid_from,
                org_units::valid_to,
                org_units::version,
                org_units::created_at,
                org_units::updated_at,
                org_units::sort_key,
            ),
            p::path,
        ))
        .order(p::path.asc())
        .limit(fetch)
        .into_boxed();
    if let Some(within) = &filter.within {
        query = query.filter(p::path.contained_by(within.clone()));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(p::parent_id.eq(parent));
    }
    if let Some(level) = &filter.level {
        query = query.filter(org_units::level.eq(level.clone()));
    }
    if let Some(after) = after {
        query = query.filter(p::path.gt(Ltree(after.to_owned())));
    }
    let rows: Vec<(OrgUnitRow, Ltree)> = query.load(conn).await?;
    Ok(rows.into_iter().map(|(u, path)| (u, path.0)).collect())
}

/// The path a unit had on `day`, if it existed then.
pub async fn path_on(conn: &mut AsyncPgConnection, unit: Uuid, day: chrono::NaiveDate) -> QueryResult<Option<Ltree>> {
    use crate::schema::org_unit_periods as p;
    p::table
        .filter(p::unit_id.eq(unit))
        .filter(p::valid_from.le(day))
        .filter(p::valid_to.is_null().or(p::valid_to.gt(day)))
        .select(p::path)
        .first(conn)
        .await
        .optional()
}

/// A branch on a page: id, name, path.
pub type BranchRef = (Uuid, String, Ltree);

/// A page of the branches under `path` that were open at some time in `from..=to`, in
/// Vietnamese order, after the cursor `(sort key, id)`; and the cursor of the next page.
pub async fn branches_page(
    conn: &mut AsyncPgConnection,
    path: &Ltree,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<(Vec<BranchRef>, Option<String>)> {
    let mut select = org_units::table
        .filter(org_units::path.contained_by(path.clone()))
        .filter(org_units::level.eq("branch"))
        .filter(org_units::valid_from.le(to))
        .filter(org_units::valid_to.is_null().or(org_units::valid_to.gt(from)))
        .select((org_units::id, org_units::name, org_units::path, org_units::sort_key))
        .order((org_units::sort_key.asc(), org_units::id.asc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some((key, id)) = after {
        select = select
            .filter(org_units::sort_key.gt(key.clone()).or(org_units::sort_key.eq(key).and(org_units::id.gt(id))));
    }
    let mut rows: Vec<(Uuid, String, Ltree, String)> = select.load(conn).await?;
    let size = usize::try_from(limit).unwrap_or(0);
    // Cursors carry the sort key (Vietnamese order), not the name.
    let next = (rows.len() > size)
        .then(|| {
            rows.truncate(size);
            rows.last().map(|(id, _, _, key)| crate::http::pagination::encode_cursor(&(key.clone(), *id)))
        })
        .flatten();
    Ok((rows.into_iter().map(|(id, name, path, _)| (id, name, path)).collect(), next))
}
