use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_ltree::Ltree;
use uuid::Uuid;

use crate::schema::org_units;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = org_units)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct OrgUnitRow {
    pub id: Uuid,
    pub level: String,
    pub name: String,
    pub official_code: Option<String>,
    pub parent_id: Option<Uuid>,
    pub path: Ltree,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Vietnamese order of the name (`text::collate::text_sort_key`).
    pub sort_key: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = org_units)]
pub struct NewOrgUnitRow {
    pub id: Uuid,
    pub level: String,
    pub name: String,
    pub official_code: Option<String>,
    pub parent_id: Option<Uuid>,
    pub path: Ltree,
    pub valid_from: NaiveDate,
    /// `text::collate::text_sort_key(name)`: lists sort by it.
    pub sort_key: String,
}

/// The ltree label of a unit: its id without dashes.
pub fn label(id: Uuid) -> String {
    id.simple().to_string()
}
