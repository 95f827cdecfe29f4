use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::instance_settings;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instance_settings)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct SettingRow {
    pub key: String,
    pub value: serde_json::Value,
    pub description: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = instance_settings)]
pub struct NewSettingRow<'a> {
    pub key: &'a str,
    pub value: &'a serde_json::Value,
    pub description: &'a str,
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = instance_settings)]
pub struct SettingChanges<'a> {
    pub value: Option<&'a serde_json::Value>,
    pub description: Option<&'a str>,
}
