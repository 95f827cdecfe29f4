//! A member's attendance history: for cadres (`/members/{id}/attendance`) and for herself
//! (`/me/member/attendance`).

use actix_web::{get, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::wire::AttendanceStatus;
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, Page, PageRequest};
use crate::members::access::visible_member;
use crate::members::own::own_member_id;
use crate::schema::{activities as a, attendance as t};
use crate::state::AppState;

/// One activity she was recorded at.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"activity_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a51", "held_on": "2026-11-15", "kind": "monthly_meeting",
    "title": "Sinh hoạt tháng 11", "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "status": "present"}))]
pub struct AttendanceRecord {
    /// The activity.
    pub activity_id: Uuid,
    /// Its day.
    pub held_on: NaiveDate,
    /// Activity kind code.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// The unit that held it.
    pub unit_id: Uuid,
    pub status: AttendanceStatus,
}

/// Query of an attendance history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(AttendanceRecordPage, AttendanceRecord, "attendance records");

type Row = (Uuid, NaiveDate, String, String, Uuid, String);

async fn history(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    query: HistoryQuery,
) -> Result<Page<AttendanceRecord>, ApiError> {
    let page = PageRequest::<(NaiveDate, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let mut select = t::table
        .inner_join(a::table)
        .filter(t::member_id.eq(member))
        .select((a::id, a::held_on, a::kind, a::title, a::unit_id, t::status))
        .order((a::held_on.desc(), a::id.desc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some((day, id)) = page.after {
        select = select.filter(a::held_on.lt(day).or(a::held_on.eq(day).and(a::id.lt(id))));
    }
    let rows: Vec<Row> = select.load(conn).await?;
    Ok(Page::from_rows(
        rows,
        page.limit,
        |r| (r.1, r.0),
        |r| AttendanceRecord {
            activity_id: r.0,
            held_on: r.1,
            kind: r.2,
            title: r.3,
            unit_id: r.4,
            status: AttendanceStatus::parse(&r.5),
        },
    ))
}

/// List a member's attendance
///
/// Newest first.
#[utoipa::path(tag = "activities", operation_id = "list_member_attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), HistoryQuery),
    responses((status = 200, description = "A page of her attendance.", body = AttendanceRecordPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/{id}/attendance")]
pub async fn list_member_attendance(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<HistoryQuery>,
) -> Result<web::Json<Page<AttendanceRecord>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    Ok(web::Json(history(&mut conn, member.id, query.into_inner()).await?))
}

/// List my attendance
///
/// The meetings and activities she was recorded at, newest first.
#[utoipa::path(tag = "me", operation_id = "list_my_attendance", security(("bearer" = ["me:read"])),
    params(HistoryQuery),
    responses((status = 200, description = "A page of her attendance.", body = AttendanceRecordPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/me/member/attendance")]
pub async fn list_my_attendance(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<HistoryQuery>,
) -> Result<web::Json<Page<AttendanceRecord>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = own_member_id(&mut conn, &caller, Permission::MeRead).await?;
    Ok(web::Json(history(&mut conn, member, query.into_inner()).await?))
}
