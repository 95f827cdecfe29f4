//! Fee schedules: how much, how often, for a unit's subtree and a year.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::LtreeExtensions;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::schedule_unit;
use super::models::FeeScheduleRow;
pub use super::period::FeePeriod;
use super::queries;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Text, etag, precondition};
use crate::schema::{fee_schedules as s, org_units};
use crate::state::AppState;

/// A fee schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9e71", "unit_id": "0193a5c8-0000-7000-8000-00000000b001",
    "year": 2026, "period": "month", "amount_vnd": 2000, "notes": "Theo Nghị quyết của Ban Thường vụ tỉnh", "version": 1,
    "created_at": "2026-01-02T08:00:00Z", "updated_at": "2026-01-02T08:00:00Z"}))]
pub struct FeeSchedule {
    pub id: Uuid,
    /// The unit whose subtree it covers (usually a province).
    pub unit_id: Uuid,
    /// Năm.
    pub year: i32,
    pub period: FeePeriod,
    /// Due per period, VND.
    pub amount_vnd: i64,
    /// Ghi chú (decision number…).
    pub notes: String,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A schedule to set.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000b001", "year": 2026, "period": "month", "amount_vnd": 2000}))]
pub struct NewFeeSchedule {
    /// The unit whose subtree it covers; needs `org_units:write` there.
    pub unit_id: Uuid,
    /// 2000–2100.
    pub year: i32,
    pub period: FeePeriod,
    /// 0–100,000,000 VND per period.
    pub amount_vnd: i64,
    /// Ghi chú.
    #[serde(default)]
    pub notes: String,
}

/// Changes to a schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_vnd": 3000}))]
pub struct FeeSchedulePatch {
    /// New amount per period.
    pub amount_vnd: Option<i64>,
    /// Ghi chú.
    pub notes: Option<String>,
}

/// Query of schedules.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeeScheduleQuery {
    /// Only this year.
    pub year: Option<i32>,
}

fn to_wire(r: FeeScheduleRow) -> FeeSchedule {
    FeeSchedule {
        id: r.id,
        unit_id: r.unit_id,
        year: r.year,
        period: FeePeriod::parse(&r.period),
        amount_vnd: r.amount_vnd,
        notes: r.notes,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// The schedule that applies to a unit in a year: its own, or the nearest ancestor's.
pub async fn applying(
    conn: &mut AsyncPgConnection,
    unit_path: &str,
    year: i32,
) -> Result<Option<FeeSchedule>, ApiError> {
    match queries::applying_each(conn, &[unit_path], year).await?.pop().flatten() {
        Some((id, _)) => Ok(Some(to_wire(s::table.find(id).select(FeeScheduleRow::as_select()).first(conn).await?))),
        None => Ok(None),
    }
}

/// List fee schedules
///
/// Schedules of units the caller sees (`org_units:read`) and of the units above them that apply
/// to them, newest year first.
#[utoipa::path(tag = "fees", operation_id = "list_fee_schedules", security(("bearer" = [])),
    params(FeeScheduleQuery),
    responses((status = 200, description = "Schedules (at most 200).", body = Vec<FeeSchedule>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden)))]
#[get("/fee-schedules")]
pub async fn list_fee_schedules(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<FeeScheduleQuery>,
) -> Result<web::Json<Vec<FeeSchedule>>, ApiError> {
    let scope = caller.scope(Permission::OrgUnitsRead)?.paths();
    let mut conn = state.pool.get().await?;
    // In scope, or an ancestor of a scope root (its schedule applies below).
    let mut select = s::table
        .inner_join(org_units::table)
        .filter(org_units::path.contained_by_any(scope.clone()).or(org_units::path.contains_any(scope)))
        .select(FeeScheduleRow::as_select())
        .order((s::year.desc(), org_units::path.asc()))
        .limit(200)
        .into_boxed();
    if let Some(year) = query.into_inner().year {
        select = select.filter(s::year.eq(year));
    }
    let rows: Vec<FeeScheduleRow> = select.load(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Set a fee schedule
///
/// Sets the membership fee (mức hội phí) a unit collects from a date on; a later schedule for the
/// same unit replaces it from its own start date.
#[utoipa::path(tag = "fees", operation_id = "create_fee_schedule", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewFeeSchedule,
    responses((status = 201, description = "Set.", body = FeeSchedule),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/fee-schedules")]
pub async fn create_fee_schedule(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewFeeSchedule>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let mut v = Validator::new();
    v.check(
        (2000..=2100).contains(&input.year),
        "year",
        "out_of_range",
        Text::new("Năm từ 2000 đến 2100.", "Between 2000 and 2100."),
    );
    v.check(
        (0..=100_000_000).contains(&input.amount_vnd),
        "amount_vnd",
        "out_of_range",
        Text::new("Từ 0 đến 100 triệu đồng.", "Between 0 and 100,000,000 VND."),
    );
    let notes = v.result(bounded_text("notes", &input.notes, 500)).unwrap_or_default();
    v.finish()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = schedule_unit(conn, &caller, input.unit_id).await?;
        let row: Option<FeeScheduleRow> = diesel::insert_into(s::table)
            .values((
                s::id.eq(Uuid::now_v7()),
                s::unit_id.eq(unit.id),
                s::year.eq(input.year),
                s::period.eq(input.period.as_str()),
                s::amount_vnd.eq(input.amount_vnd),
                s::notes.eq(&notes),
            ))
            .on_conflict_do_nothing()
            .returning(FeeScheduleRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let schedule = to_wire(row.ok_or(ApiError::Conflict {
            code: "fee_schedule_exists",
            detail: Text::new(
                "Đơn vị đã có mức hội phí cho năm này; hãy sửa mức đó.",
                "This unit has a schedule for the year; change it.",
            ),
            field: Some("year".into()),
        })?);
        caller
            .audit(conn, AuditEvent::new("fee_schedule.create").object("fee_schedule", schedule.id).unit(unit.id))
            .await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &schedule)?.header(header::ETAG, etag(schedule.version)))
    })
    .await
}

/// Change a fee schedule
///
/// Corrects a fee schedule's amount or notes (`If-Match` required).
#[utoipa::path(tag = "fees", operation_id = "update_fee_schedule", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Schedule id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = FeeSchedulePatch,
    responses((status = 200, description = "Updated.", body = FeeSchedule),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/fee-schedules/{id}")]
pub async fn update_fee_schedule(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<FeeSchedulePatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let mut v = Validator::new();
    v.check(
        patch.amount_vnd.is_none_or(|a| (0..=100_000_000).contains(&a)),
        "amount_vnd",
        "out_of_range",
        Text::new("Từ 0 đến 100 triệu đồng.", "Between 0 and 100,000,000 VND."),
    );
    let notes = patch.notes.as_deref().and_then(|n| v.result(bounded_text("notes", n, 500)));
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let schedule = in_transaction(&mut conn, async |conn| {
        let current: Option<FeeScheduleRow> = s::table
            .find(id.into_inner())
            .select(FeeScheduleRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let current = to_wire(current.ok_or(ApiError::NotFound)?);
        let unit = schedule_unit(conn, &caller, current.unit_id).await?;
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        let row: FeeScheduleRow = diesel::update(s::table.find(current.id))
            .set((
                patch.amount_vnd.map(|a| s::amount_vnd.eq(a)),
                notes.map(|n| s::notes.eq(n)),
                s::version.eq(s::version + 1),
                s::updated_at.eq(diesel::dsl::now),
            ))
            .returning(FeeScheduleRow::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(conn, AuditEvent::new("fee_schedule.update").object("fee_schedule", current.id).unit(unit.id))
            .await?;
        Ok::<_, ApiError>(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(schedule.version))).json(schedule))
}
