use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_ltree::Ltree;
use uuid::Uuid;

use crate::schema::support_entries;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = support_entries)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct SupportRow {
    pub id: Uuid,
    pub member_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: Ltree,
    pub for_household: bool,
    pub kind: String,
    pub amount_vnd: Option<i64>,
    pub quantity: Option<i32>,
    pub quantity_unit: String,
    pub source: String,
    pub source_detail: String,
    pub given_on: NaiveDate,
    pub need_id: Option<Uuid>,
    pub pair_id: Option<Uuid>,
    pub follow_up: String,
    pub outcome: Option<String>,
    pub outcome_on: Option<NaiveDate>,
    pub status: String,
    pub void_reason: String,
    pub notes: String,
    pub created_by: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
