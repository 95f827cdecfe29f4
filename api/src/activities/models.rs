use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::wire::{Activity, ActivityStatus, AttendanceSummary};
use crate::http::ApiError;
use crate::schema::activities;

/// The most people one roster may hold.
pub(super) const MAX_ROSTER: usize = 2000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = activities)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ActivityRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: Ltree,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub held_on: NaiveDate,
    pub ends_at: Option<DateTime<Utc>>,
    pub title: String,
    pub topic: String,
    pub location: String,
    pub organiser_member_id: Option<Uuid>,
    pub expected: i32,
    pub notes: String,
    pub status: String,
    pub attendance_recorded_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ActivityRow {
    /// The activity's stored status.
    pub fn status(&self) -> ActivityStatus {
        ActivityStatus::parse(&self.status)
    }
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = SqlUuid)]
    activity_id: Uuid,
    #[diesel(sql_type = BigInt)]
    present: i64,
    #[diesel(sql_type = BigInt)]
    excused: i64,
    #[diesel(sql_type = BigInt)]
    absent: i64,
    #[diesel(sql_type = BigInt)]
    guests: i64,
    #[diesel(sql_type = BigInt)]
    honorary_present: i64,
}

/// Roster counts of these activities, in one query.
async fn summaries(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Counted>, ApiError> {
    let rows: Vec<Counted> = crate::db::prepared(
        "SELECT activity_id,
                count(*) FILTER (WHERE member_id IS NOT NULL AND status = 'present') AS present,
                count(*) FILTER (WHERE member_id IS NOT NULL AND status = 'excused') AS excused,
                count(*) FILTER (WHERE member_id IS NOT NULL AND status = 'absent') AS absent,
                count(*) FILTER (WHERE prospect_id IS NOT NULL AND status = 'present') AS guests,
                count(*) FILTER (WHERE status = 'present' AND EXISTS (
                    SELECT 1 FROM members h WHERE h.id = member_id AND h.member_type <> 'regular')) AS honorary_present
         FROM attendance WHERE activity_id = ANY($1) GROUP BY activity_id",
    )
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|c| (c.activity_id, c)).collect())
}

pub fn rate(present: i64, expected: i32) -> Option<f64> {
    (expected > 0).then(|| ((present as f64) * 10_000.0 / f64::from(expected)).round() / 100.0)
}

/// Rows in wire shape, with their roster counts.
pub async fn to_wire(conn: &mut AsyncPgConnection, rows: Vec<ActivityRow>) -> Result<Vec<Activity>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut counts = summaries(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let attendance = r.attendance_recorded_at.map(|_| {
                let c = counts.remove(&r.id);
                let (present, excused, absent, guests, honorary_present) =
                    c.map_or((0, 0, 0, 0, 0), |c| (c.present, c.excused, c.absent, c.guests, c.honorary_present));
                AttendanceSummary {
                    present,
                    excused,
                    absent,
                    guests,
                    honorary_present,
                    rate_percent: rate(present - honorary_present, r.expected),
                }
            });
            Activity {
                id: r.id,
                unit_id: r.unit_id,
                kind: r.kind,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                held_on: r.held_on,
                title: r.title,
                topic: r.topic,
                location: r.location,
                organiser_member_id: r.organiser_member_id,
                expected: r.expected,
                notes: r.notes,
                status: ActivityStatus::parse(&r.status),
                attendance_recorded_at: r.attendance_recorded_at,
                attendance,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

pub async fn one(conn: &mut AsyncPgConnection, row: ActivityRow) -> Result<Activity, ApiError> {
    to_wire(conn, vec![row]).await?.pop().ok_or(ApiError::NotFound)
}
