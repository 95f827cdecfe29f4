//! Pioneer members (hội viên tiên phong, "có hội viên nòng cốt"): dated designations with a
//! reason. The member's `pioneer` flag is the current state of her designations.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, ApiQuery, Page, PageRequest};
use crate::members::access::visible_member;
use crate::members::wire::MemberStatus;
use crate::members::wire::full_name;
use crate::org_units::access::visible_unit;
use crate::schema::{members, pioneer_designations as d};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// A pioneer designation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PioneerDesignation, example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a91", "member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01",
    "full_name": "Trần Thị Mai", "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "from_on": "2025-01-15", "to_on": null,
    "reason": "Đi đầu mô hình nuôi bò sinh sản", "end_reason": ""}))]
pub struct Designation {
    pub id: Uuid,
    /// The member.
    pub member_id: Uuid,
    /// Her full name.
    pub full_name: String,
    /// Her unit when designated.
    pub unit_id: Uuid,
    /// First day.
    pub from_on: NaiveDate,
    /// Day it ended (exclusive), if it did.
    pub to_on: Option<NaiveDate>,
    /// Lý do công nhận.
    pub reason: String,
    /// Why it ended.
    pub end_reason: String,
}

/// Designating a pioneer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from_on": "2025-01-15", "reason": "Đi đầu mô hình nuôi bò sinh sản"}))]
pub struct NewDesignation {
    /// Default today.
    pub from_on: Option<NaiveDate>,
    /// Why (1–500 characters).
    pub reason: String,
}

/// Ending a designation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_on": "2026-06-30", "reason": "Chuyển sinh hoạt"}))]
pub struct EndDesignation {
    /// Default today; after `from_on`.
    pub to_on: Option<NaiveDate>,
    /// Why it ends.
    #[serde(default)]
    pub reason: String,
}

/// Query of a unit's pioneers.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PioneerQuery {
    /// The day (default today).
    pub as_of: Option<NaiveDate>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(DesignationPage, Designation, "pioneer designations");

/// Opens or ends her designation so that her flag says `on` from `day`; used when the flag is
/// set through the member record. Returns whether anything changed.
#[allow(clippy::too_many_arguments)]
pub async fn set_flag(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    unit: Uuid,
    unit_path: &Ltree,
    on: bool,
    day: NaiveDate,
    reason: &str,
    by: Option<Uuid>,
) -> Result<bool, ApiError> {
    let open: Option<(Uuid, NaiveDate)> = d::table
        .filter(d::member_id.eq(member))
        .filter(d::to_on.is_null())
        .select((d::id, d::from_on))
        .first(conn)
        .await
        .optional()?;
    match (on, open) {
        (true, None) => {
            diesel::insert_into(d::table)
                .values((
                    d::id.eq(Uuid::now_v7()),
                    d::member_id.eq(member),
                    d::unit_id.eq(unit),
                    d::unit_path.eq(unit_path),
                    d::from_on.eq(day),
                    d::reason.eq(reason),
                    d::designated_by.eq(by),
                ))
                .execute(conn)
                .await?;
        }
        (false, Some((id, from_on))) if from_on < day => {
            diesel::update(d::table.find(id)).set((d::to_on.eq(day), d::end_reason.eq(reason))).execute(conn).await?;
        }
        (false, Some((id, _))) => {
            // Designated and withdrawn the same day: it never held.
            diesel::delete(d::table.find(id)).execute(conn).await?;
        }
        _ => return Ok(false),
    }
    diesel::update(members::table.find(member)).set(members::pioneer.eq(on)).execute(conn).await?;
    Ok(true)
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    member_id: Uuid,
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
    #[diesel(sql_type = Date)]
    from_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    to_on: Option<NaiveDate>,
    #[diesel(sql_type = SqlText)]
    reason: String,
    #[diesel(sql_type = SqlText)]
    end_reason: String,
}

fn to_wire(r: Row) -> Designation {
    Designation {
        id: r.id,
        member_id: r.member_id,
        full_name: full_name(&r.family_name, &r.middle_name, &r.given_name),
        unit_id: r.unit_id,
        from_on: r.from_on,
        to_on: r.to_on,
        reason: r.reason,
        end_reason: r.end_reason,
    }
}

const SELECT: &str = "SELECT d.id, d.member_id, m.family_name, m.middle_name, m.given_name, m.sort_key, d.unit_id,
        d.from_on, d.to_on, d.reason, d.end_reason
 FROM pioneer_designations d JOIN members m ON m.id = d.member_id";

/// Designate a pioneer
///
/// Needs `members:write`. A member has at most one open designation (409).
#[utoipa::path(tag = "members", operation_id = "create_pioneer_designation", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewDesignation,
    responses((status = 201, description = "Designated.", body = Designation),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/members/{id}/pioneer-designations")]
pub async fn create_pioneer_designation(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewDesignation>,
) -> Result<HttpResponse, ApiError> {
    let member_id = id.into_inner();
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let day = input.from_on.unwrap_or(today);
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    if reason.is_empty() {
        return Err(ApiError::invalid("reason", "required", "Cần nêu lý do công nhận.", "A reason is required."));
    }
    if day > today {
        return Err(ApiError::invalid(
            "from_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = visible_member(conn, &caller, member_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        if member.status() != MemberStatus::Active {
            return Err(ApiError::state_conflict(
                "not_active",
                "Chỉ công nhận hội viên đang sinh hoạt.",
                "Only an active member can be designated.",
            ));
        }
        let open: i64 =
            d::table.filter(d::member_id.eq(member.id)).filter(d::to_on.is_null()).count().get_result(conn).await?;
        if open > 0 {
            return Err(ApiError::state_conflict(
                "already_pioneer",
                "Hội viên đang là hội viên tiên phong.",
                "She is already a pioneer.",
            ));
        }
        set_flag(conn, member.id, member.unit_id, &member.unit_path, true, day, &reason, caller.principal.user_id())
            .await?;
        caller.audit(conn, AuditEvent::new("member.pioneer").object("member", member.id).unit(member.unit_id)).await?;
        let row: Row = diesel::sql_query(format!("{SELECT} WHERE d.member_id = $1 AND d.to_on IS NULL"))
            .bind::<SqlUuid, _>(member.id)
            .get_result(conn)
            .await?;
        StoredResponse::json(StatusCode::CREATED, &to_wire(row))
    })
    .await
}

/// End a pioneer designation
///
/// Ends a pioneer designation on a date with a reason; the designation stays in the member's
/// history.
#[utoipa::path(tag = "members", operation_id = "close_pioneer_designation", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Designation id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = EndDesignation,
    responses((status = 200, description = "Ended.", body = Designation),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/pioneer-designations/{id}/end")]
pub async fn close_pioneer_designation(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<EndDesignation>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let day = input.to_on.unwrap_or(today);
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    if day > today {
        return Err(ApiError::invalid(
            "to_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let id = id.into_inner();
        let found: Option<(Uuid, NaiveDate, Option<NaiveDate>)> =
            d::table.find(id).select((d::member_id, d::from_on, d::to_on)).for_update().first(conn).await.optional()?;
        let (member_id, from_on, to_on) = found.ok_or(ApiError::NotFound)?;
        let member = visible_member(conn, &caller, member_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        if to_on.is_some() {
            return Err(ApiError::state_conflict("designation_ended", "Đã kết thúc.", "It already ended."));
        }
        if day <= from_on {
            return Err(ApiError::invalid(
                "to_on",
                "before_start",
                "Phải sau ngày công nhận.",
                "Must be after the designation began.",
            ));
        }
        diesel::update(d::table.find(id)).set((d::to_on.eq(day), d::end_reason.eq(&reason))).execute(conn).await?;
        diesel::update(members::table.find(member_id)).set(members::pioneer.eq(false)).execute(conn).await?;
        caller
            .audit(conn, AuditEvent::new("member.pioneer_end").object("member", member_id).unit(member.unit_id))
            .await?;
        let row: Row =
            diesel::sql_query(format!("{SELECT} WHERE d.id = $1")).bind::<SqlUuid, _>(id).get_result(conn).await?;
        StoredResponse::json(StatusCode::OK, &to_wire(row))
    })
    .await
}

/// List a unit's pioneers
///
/// Designations in force on `as_of` in the unit's subtree, in Vietnamese name order.
#[utoipa::path(tag = "members", operation_id = "list_org_unit_pioneers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), PioneerQuery),
    responses((status = 200, description = "A page of designations.", body = DesignationPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/pioneers")]
pub async fn list_org_unit_pioneers(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<PioneerQuery>,
) -> Result<web::Json<Page<Designation>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(String, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let day = query.as_of.unwrap_or_else(|| today_in_vietnam(Utc::now()));
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let (after_key, after_id) = page.after.clone().unwrap_or_default();
    let rows: Vec<Row> = diesel::sql_query(format!(
        "{SELECT} WHERE d.unit_path <@ $1::ltree AND d.from_on <= $2 AND (d.to_on IS NULL OR d.to_on > $2)
           AND (m.sort_key, d.id) > ($3, $4) ORDER BY m.sort_key, d.id LIMIT $5"
    ))
    .bind::<SqlText, _>(&unit.path.0)
    .bind::<Date, _>(day)
    .bind::<SqlText, _>(&after_key)
    .bind::<SqlUuid, _>(after_id)
    .bind::<BigInt, _>(page.fetch_limit())
    .load(&mut conn)
    .await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| (r.sort_key.clone(), r.id), to_wire)))
}

/// List a member's pioneer designations
///
/// The pioneer designations (hội viên tiên phong) a member held, current and ended, with their
/// reasons.
#[utoipa::path(tag = "members", operation_id = "list_member_pioneer_designations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses((status = 200, description = "Her designations, newest first.", body = Vec<Designation>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/{id}/pioneer-designations")]
pub async fn list_member_pioneer_designations(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Designation>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let rows: Vec<Row> =
        diesel::sql_query(format!("{SELECT} WHERE d.member_id = $1 ORDER BY d.from_on DESC LIMIT 100"))
            .bind::<SqlUuid, _>(member.id)
            .load(&mut conn)
            .await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}
