//! Rows of the fee tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `fee_schedules`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::schema::fee_schedules)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct FeeScheduleRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub year: i32,
    pub period: String,
    pub amount_vnd: i64,
    pub notes: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
