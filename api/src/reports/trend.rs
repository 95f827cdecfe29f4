//! The monthly trend of a unit over a period: members at each month's end and meeting
//! attendance, for charts (SVG in `chart.rs`, XLSX in exports).

use chrono::{Datelike, Days, Months};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::groups::units_on;
use super::period::Period;
use crate::http::ApiError;

/// One month of the trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Members (regular) at the month's end.
    pub members: i64,
    /// Members present ÷ expected at the month's meetings × 100; `null` without meetings.
    pub attendance_percent: Option<f64>,
}

impl TrendPoint {
    /// The month as people write it: `07/2025`.
    pub fn label(&self) -> String {
        match self.month.split_once('-') {
            Some((year, month)) => format!("{month}/{year}"),
            None => self.month.clone(),
        }
    }
}

#[derive(QueryableByName)]
struct Two {
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    b: i64,
}

/// Month by month over the period (at most 61 months).
pub async fn trend(conn: &mut AsyncPgConnection, unit: Uuid, period: &Period) -> Result<Vec<TrendPoint>, ApiError> {
    let mut points = Vec::new();
    for month in period.months() {
        let end = (month + Months::new(1) - Days::new(1)).min(period.to);
        let units = units_on(conn, &[unit], end).await?.unit;
        let members: Two = crate::db::prepared(
            "SELECT count(*) AS a, 0::bigint AS b FROM member_placements pl
             JOIN members m ON m.id = pl.member_id AND m.member_type = 'regular'
             WHERE pl.unit_id = ANY($1) AND pl.valid_from <= $2 AND (pl.valid_to IS NULL OR pl.valid_to > $2)",
        )
        .bind::<Array<SqlUuid>, _>(&units)
        .bind::<Date, _>(end)
        .get_result(conn)
        .await?;
        let attendance: Two = crate::db::prepared(
            "SELECT (SELECT count(*) FROM attendance t JOIN activities a2 ON a2.id = t.activity_id
                     JOIN activity_kinds k2 ON k2.code = a2.kind AND k2.is_meeting
                     WHERE a2.unit_id = ANY($1) AND a2.held_on BETWEEN $2 AND $3 AND a2.status = 'held'
                       AND a2.attendance_recorded_at IS NOT NULL AND t.member_id IS NOT NULL AND t.status = 'present') AS a,
                    coalesce(sum(a.expected), 0)::bigint AS b
             FROM activities a JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
             WHERE a.unit_id = ANY($1) AND a.held_on BETWEEN $2 AND $3 AND a.status = 'held'
               AND a.attendance_recorded_at IS NOT NULL",
        )
        .bind::<Array<SqlUuid>, _>(&units)
        .bind::<Date, _>(month.max(period.from))
        .bind::<Date, _>(end)
        .get_result(conn)
        .await?;
        points.push(TrendPoint {
            month: format!("{:04}-{:02}", month.year(), month.month()),
            members: members.a,
            attendance_percent: (attendance.b > 0)
                .then(|| ((attendance.a as f64) * 10_000.0 / (attendance.b as f64)).round() / 100.0),
        });
    }
    Ok(points)
}
