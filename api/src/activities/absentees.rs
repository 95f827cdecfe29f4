//! Members to visit (cần thăm hỏi): active members who missed each of the last N meetings they
//! were expected at. "Expected at" follows her placements, so a member who transferred counts
//! the meetings of the branch she was in on each date.

use actix_web::{get, web};
use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text as SqlText, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::kinds::meeting_kinds;
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, Page, PageRequest, Text};
use crate::members::wire::full_name;
use crate::org_units::access::visible_unit;
use crate::state::AppState;

/// A member who missed the last meetings.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "full_name": "Nguyễn Thị Hòa",
    "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "missed": 3, "last_present_on": "2026-07-14"}))]
pub struct Absentee {
    /// The member.
    pub member_id: Uuid,
    /// Her full name.
    pub full_name: String,
    /// Her branch or group.
    pub unit_id: Uuid,
    /// Meetings missed in a row (absent, excused or not recorded), = `meetings`.
    pub missed: i64,
    /// The last meeting she attended, if any.
    pub last_present_on: Option<NaiveDate>,
}

/// Query of the absentee list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AbsenteeQuery {
    /// How many of her latest meetings she missed, 2–12 (default 3).
    #[param(minimum = 2, maximum = 12)]
    pub meetings: Option<i64>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(AbsenteePage, Absentee, "absentees");

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlText)]
    family_name: String,
    #[diesel(sql_type = SqlText)]
    middle_name: String,
    #[diesel(sql_type = SqlText)]
    given_name: String,
    #[diesel(sql_type = SqlText)]
    sort_key: String,
    #[diesel(sql_type = SqlUuid)]
    unit_id: Uuid,
    #[diesel(sql_type = BigInt)]
    missed: i64,
    #[diesel(sql_type = Nullable<Date>)]
    last_present_on: Option<NaiveDate>,
}

/// List members who missed their last meetings
///
/// Per commune, branch or group, in Vietnamese name order: active regular members who did not
/// attend any of the last `meetings` meetings (kinds with `is_meeting`, held with attendance
/// recorded) of the units they belonged to on those dates.
#[utoipa::path(tag = "activities", operation_id = "list_org_unit_absentees", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "A commune, branch or group."), AbsenteeQuery),
    responses((status = 200, description = "A page of members to visit.", body = AbsenteePage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/absentees")]
pub async fn list_org_unit_absentees(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<AbsenteeQuery>,
) -> Result<web::Json<Page<Absentee>>, ApiError> {
    let query = query.into_inner();
    let meetings = query.meetings.unwrap_or(3);
    if !(2..=12).contains(&meetings) {
        return Err(ApiError::invalid_parameter(
            "meetings",
            "out_of_range",
            Text::new("Từ 2 đến 12.", "Between 2 and 12."),
        ));
    }
    let page = PageRequest::<(String, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    if !["commune", "branch", "group"].contains(&unit.level.as_str()) {
        return Err(ApiError::invalid_parameter(
            "id",
            "unit_too_large",
            Text::new("Danh sách theo xã, chi hội hoặc tổ.", "Ask per commune, branch or group."),
        ));
    }
    let kinds = meeting_kinds(&mut conn).await?;
    let (after_key, after_id) = page.after.clone().unwrap_or_default();
    let rows: Vec<Row> = crate::db::prepared(
        "SELECT m.id, m.family_name, m.middle_name, m.given_name, m.sort_key, m.unit_id, last.missed,
                (SELECT max(a2.held_on) FROM attendance t2 JOIN activities a2 ON a2.id = t2.activity_id
                  WHERE t2.member_id = m.id AND t2.status = 'present') AS last_present_on
         FROM members m
         CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE coalesce(att.status, 'absent') <> 'present') AS missed, count(*) AS total
             FROM (SELECT a.id FROM member_placements pl
                   JOIN org_units pu ON pu.id = pl.unit_id
                   JOIN activities a ON a.kind = ANY($2) AND a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
                        AND a.held_on >= pl.valid_from AND (pl.valid_to IS NULL OR a.held_on < pl.valid_to)
                        AND pu.path <@ a.unit_path
                   WHERE pl.member_id = m.id
                   ORDER BY a.held_on DESC, a.id DESC LIMIT $3) recent
             LEFT JOIN attendance att ON att.activity_id = recent.id AND att.member_id = m.id
         ) last
         WHERE m.unit_path <@ $1::ltree AND m.status = 'active' AND m.member_type = 'regular'
           AND last.total = $3 AND last.missed = $3
           AND (m.sort_key, m.id) > ($4, $5)
         ORDER BY m.sort_key, m.id
         LIMIT $6",
    )
    .bind::<SqlText, _>(&unit.path.0)
    .bind::<Array<SqlText>, _>(&kinds)
    .bind::<BigInt, _>(meetings)
    .bind::<SqlText, _>(&after_key)
    .bind::<SqlUuid, _>(after_id)
    .bind::<BigInt, _>(page.fetch_limit())
    .load(&mut conn)
    .await?;
    Ok(web::Json(Page::from_rows(
        rows,
        page.limit,
        |r| (r.sort_key.clone(), r.id),
        |r| Absentee {
            member_id: r.id,
            full_name: full_name(&r.family_name, &r.middle_name, &r.given_name),
            unit_id: r.unit_id,
            missed: r.missed,
            last_present_on: r.last_present_on,
        },
    )))
}
