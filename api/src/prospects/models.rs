//! A prospect as stored.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::wire::{Prospect, ProspectStatus};
use crate::members::wire::full_name;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::schema::prospects, check_for_backend(diesel::pg::Pg))]
pub struct ProspectRow {
    pub id: Uuid,
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i16>,
    pub phone: Option<String>,
    pub address: String,
    pub unit_id: Uuid,
    pub unit_path: Ltree,
    pub assigned_member_id: Option<Uuid>,
    pub status: String,
    pub converted_member_id: Option<Uuid>,
    pub converted_on: Option<NaiveDate>,
    pub notes: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProspectRow> for Prospect {
    fn from(r: ProspectRow) -> Prospect {
        Prospect {
            full_name: full_name(&r.family_name, &r.middle_name, &r.given_name),
            id: r.id,
            family_name: r.family_name,
            middle_name: r.middle_name,
            given_name: r.given_name,
            birth_date: r.birth_date,
            birth_year: r.birth_year,
            phone: r.phone,
            address: r.address,
            unit_id: r.unit_id,
            assigned_member_id: r.assigned_member_id,
            status: ProspectStatus::from_stored(&r.status),
            converted_member_id: r.converted_member_id,
            converted_on: r.converted_on,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
