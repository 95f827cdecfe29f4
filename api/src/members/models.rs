use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_ltree::Ltree;
use uuid::Uuid;

use crate::schema::members;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = members)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct MemberRow {
    pub id: Uuid,
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i16>,
    pub cccd: Option<String>,
    pub cccd_legacy: bool,
    pub phone: Option<String>,
    pub address: String,
    pub ethnicity_code: Option<String>,
    pub religion_code: Option<String>,
    pub occupation: String,
    pub education: String,
    pub party_member: bool,
    pub party_joined_on: Option<NaiveDate>,
    pub joined_on: NaiveDate,
    pub card_number: Option<String>,
    pub member_type: String,
    pub pioneer: bool,
    pub civil_servant: bool,
    pub status: String,
    pub unit_id: Uuid,
    pub unit_path: Ltree,
    pub prospect_id: Option<Uuid>,
    pub last_contact_on: Option<NaiveDate>,
    pub sort_key: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every column a new member row takes (the rest have defaults).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = members)]
pub struct NewMemberRow {
    pub id: Uuid,
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub search_key: String,
    pub sort_key: String,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i16>,
    pub cccd: Option<String>,
    pub cccd_legacy: bool,
    pub phone: Option<String>,
    pub address: String,
    pub ethnicity_code: Option<String>,
    pub religion_code: Option<String>,
    pub occupation: String,
    pub education: String,
    pub party_member: bool,
    pub party_joined_on: Option<NaiveDate>,
    pub joined_on: NaiveDate,
    pub card_number: Option<String>,
    pub member_type: String,
    pub pioneer: bool,
    pub civil_servant: bool,
    pub unit_id: Uuid,
    pub unit_path: Ltree,
    pub prospect_id: Option<Uuid>,
}
