//! A webhook subscription as stored (its signing secret is never read back here).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Integer, Nullable, Text as SqlText, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

#[derive(Clone, QueryableByName)]
pub(super) struct Row {
    #[diesel(sql_type = SqlUuid)]
    pub(super) id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub(super) unit_id: Uuid,
    #[diesel(sql_type = SqlText)]
    pub(super) url: String,
    #[diesel(sql_type = Array<SqlText>)]
    pub(super) events: Vec<String>,
    #[diesel(sql_type = SqlText)]
    pub(super) status: String,
    #[diesel(sql_type = SqlText)]
    pub(super) status_note: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub(super) failing_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = Integer)]
    pub(super) version: i32,
    #[diesel(sql_type = Timestamptz)]
    pub(super) created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub(super) updated_at: DateTime<Utc>,
}

pub(super) const COLUMNS: &str =
    "id, unit_id, url, events, status, status_note, failing_since, version, created_at, updated_at";
