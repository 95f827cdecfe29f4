use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_ltree::Ltree;
use uuid::Uuid;

use crate::schema::pairs;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pairs)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct PairRow {
    pub id: Uuid,
    pub kind: String,
    pub unit_id: Uuid,
    pub unit_path: Ltree,
    pub mentor_path: Ltree,
    pub mentor_member_id: Option<Uuid>,
    pub mentor_prospect_id: Option<Uuid>,
    pub mentor_unit_id: Option<Uuid>,
    pub mentee_member_id: Option<Uuid>,
    pub mentee_prospect_id: Option<Uuid>,
    pub mentee_unit_id: Option<Uuid>,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub status: String,
    pub goal: String,
    pub stage: Option<String>,
    pub outcome: String,
    pub result_member_id: Option<Uuid>,
    pub notes: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PairRow {
    pub fn mentor_id(&self) -> Uuid {
        self.mentor_member_id.or(self.mentor_prospect_id).or(self.mentor_unit_id).unwrap_or_default()
    }

    pub fn mentee_id(&self) -> Uuid {
        self.mentee_member_id.or(self.mentee_prospect_id).or(self.mentee_unit_id).unwrap_or_default()
    }
}
