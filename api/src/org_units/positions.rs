//! Positions (chức danh): chair, vice-chair, executive committee member, branch head and deputy,
//! group leader and deputy, held by a member in a unit over a period.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::visible_unit;
use crate::audit::AuditEvent;
use crate::auth::principal::is_within;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Text, etag, precondition};
use crate::members::access::visible_member;
use crate::members::wire::full_name;
use crate::schema::{members, positions as p};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Kind of position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// Chủ tịch.
    Chair,
    /// Phó chủ tịch.
    ViceChair,
    /// Ủy viên Ban chấp hành.
    CommitteeMember,
    /// Chi hội trưởng.
    BranchHead,
    /// Chi hội phó.
    BranchDeputy,
    /// Tổ trưởng.
    GroupLeader,
    /// Tổ phó.
    GroupDeputy,
}

/// How she came to hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PositionAppointment)]
pub enum Appointment {
    /// Bầu.
    Elected,
    /// Chỉ định.
    Appointed,
}

fn kind_str(k: PositionKind) -> &'static str {
    match k {
        PositionKind::Chair => "chair",
        PositionKind::ViceChair => "vice_chair",
        PositionKind::CommitteeMember => "committee_member",
        PositionKind::BranchHead => "branch_head",
        PositionKind::BranchDeputy => "branch_deputy",
        PositionKind::GroupLeader => "group_leader",
        PositionKind::GroupDeputy => "group_deputy",
    }
}

fn kind_of(s: &str) -> PositionKind {
    match s {
        "chair" => PositionKind::Chair,
        "vice_chair" => PositionKind::ViceChair,
        "committee_member" => PositionKind::CommitteeMember,
        "branch_head" => PositionKind::BranchHead,
        "branch_deputy" => PositionKind::BranchDeputy,
        "group_leader" => PositionKind::GroupLeader,
        _ => PositionKind::GroupDeputy,
    }
}

/// A position held (chức danh).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Position {
    pub id: Uuid,
    /// The member holding the position.
    pub member_id: Uuid,
    /// The holder's name.
    pub member_name: String,
    /// The unit whose position it is.
    pub org_unit_id: Uuid,
    pub kind: PositionKind,
    pub appointment: Appointment,
    /// Day she took the position.
    pub started_on: NaiveDate,
    /// `null` while held.
    pub ended_on: Option<NaiveDate>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// A position to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "kind": "branch_head", "appointment": "elected", "started_on": "2024-03-08"}))]
pub struct NewPosition {
    /// A member of the unit's subtree.
    pub member_id: Uuid,
    pub kind: PositionKind,
    /// Default `elected`.
    pub appointment: Option<Appointment>,
    /// Day she took the position.
    pub started_on: NaiveDate,
}

/// The end of a position.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ended_on": "2026-11-30"}))]
pub struct PositionPatch {
    /// Day after her last day in the position.
    pub ended_on: Option<NaiveDate>,
    pub appointment: Option<Appointment>,
}

/// Query of a unit's positions.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PositionListQuery {
    /// Positions held on this date (default: today).
    pub as_of: Option<NaiveDate>,
    /// Every position ever held, instead of those of one date.
    pub all: Option<bool>,
}

/// A position as stored, with its holder's name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = p, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    member_id: Uuid,
    #[diesel(select_expression = members::family_name)]
    family_name: String,
    #[diesel(select_expression = members::middle_name)]
    middle_name: String,
    #[diesel(select_expression = members::given_name)]
    given_name: String,
    unit_id: Uuid,
    kind: String,
    appointment: String,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    version: i32,
    created_at: DateTime<Utc>,
}

fn to_wire(r: Row) -> Position {
    Position {
        member_name: full_name(&r.family_name, &r.middle_name, &r.given_name),
        id: r.id,
        member_id: r.member_id,
        org_unit_id: r.unit_id,
        kind: kind_of(&r.kind),
        appointment: if r.appointment == "appointed" { Appointment::Appointed } else { Appointment::Elected },
        started_on: r.started_on,
        ended_on: r.ended_on,
        version: r.version,
        created_at: r.created_at,
    }
}

/// List a unit's positions
///
/// Who holds which office (chức danh) in the unit. Office-holders are named, so machine clients
/// (aggregates only) get 403.
#[utoipa::path(tag = "org_units", operation_id = "list_org_unit_positions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), PositionListQuery),
    responses((status = 200, description = "Positions (at most 500).", body = Vec<Position>),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/positions")]
pub async fn list_org_unit_positions(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<PositionListQuery>,
) -> Result<web::Json<Vec<Position>>, ApiError> {
    let query = query.into_inner();
    // Office-holders are people: not for machine clients, which read aggregates only.
    caller.require_person()?;
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
    let mut select = p::table
        .inner_join(members::table)
        .filter(p::unit_id.eq(unit.id))
        .select(Row::as_select())
        .order((p::kind.asc(), p::started_on.asc()))
        .limit(500)
        .into_boxed();
    if query.all != Some(true) {
        let day = query.as_of.unwrap_or_else(|| today_in_vietnam(Utc::now()));
        select = select.filter(p::started_on.le(day)).filter(p::ended_on.is_null().or(p::ended_on.gt(day)));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Record a position
///
/// Records who holds a position (chức danh) in a unit (chairwoman, vice-chairwoman, branch head…)
/// from a date, and how she was appointed.
#[utoipa::path(tag = "org_units", operation_id = "create_org_unit_position", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")), request_body = NewPosition,
    responses((status = 201, description = "Recorded.", body = Position),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/org-units/{id}/positions")]
pub async fn create_org_unit_position(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewPosition>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    if input.started_on > today_in_vietnam(Utc::now()) {
        return Err(ApiError::invalid_field(
            "started_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
        caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
        let member = visible_member(conn, &caller, input.member_id, Permission::MembersRead).await?;
        if !is_within(&member.unit_path.0, &unit.path.0) {
            return Err(ApiError::invalid_field(
                "member_id",
                "not_in_unit",
                Text::new(
                    "Người giữ chức danh phải là hội viên thuộc đơn vị.",
                    "The holder must be a member of the unit.",
                ),
            ));
        }
        let new_id = Uuid::now_v7();
        diesel::insert_into(p::table)
            .values((
                p::id.eq(new_id),
                p::member_id.eq(member.id),
                p::unit_id.eq(unit.id),
                p::kind.eq(kind_str(input.kind)),
                p::appointment.eq(if input.appointment == Some(Appointment::Appointed) {
                    "appointed"
                } else {
                    "elected"
                }),
                p::started_on.eq(input.started_on),
            ))
            .execute(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.position")
                    .object("position", new_id)
                    .unit(unit.id)
                    .details(serde_json::json!({"member_id": member.id, "kind": kind_str(input.kind)})),
            )
            .await?;
        let row: Row =
            p::table.inner_join(members::table).filter(p::id.eq(new_id)).select(Row::as_select()).first(conn).await?;
        let position = to_wire(row);
        Ok(StoredResponse::json(StatusCode::CREATED, &position)?.header(header::ETAG, etag(position.version)))
    })
    .await
}

/// End or correct a position
///
/// Ends a position on a date or corrects it (`If-Match` required); the holder's earlier positions
/// stay.
#[utoipa::path(tag = "org_units", operation_id = "update_position", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Position id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = PositionPatch,
    responses((status = 200, description = "Updated.", body = Position),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/positions/{id}")]
pub async fn update_position(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PositionPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut conn = state.pool.get().await?;
    let position = in_transaction(&mut conn, async |conn| {
        let found: Option<Row> = p::table
            .inner_join(members::table)
            .filter(p::id.eq(id))
            .select(Row::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        // A position is in sight when its unit is.
        let row = found.ok_or(ApiError::NotFound)?;
        let unit = visible_unit(conn, &caller, row.unit_id, Permission::OrgUnitsRead).await?;
        caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
        let current = to_wire(row);
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        if patch.ended_on.is_some_and(|e| e < current.started_on) {
            return Err(ApiError::invalid_field(
                "ended_on",
                "before_start",
                Text::new("Ngày kết thúc sớm hơn ngày bắt đầu.", "Ends before it started."),
            ));
        }
        diesel::update(p::table.find(id))
            .set((
                patch.ended_on.map(|e| p::ended_on.eq(e)),
                patch
                    .appointment
                    .map(|a| p::appointment.eq(if a == Appointment::Appointed { "appointed" } else { "elected" })),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.position")
                    .object("position", id)
                    .unit(current.org_unit_id)
                    .fields(["ended_on"]),
            )
            .await?;
        let row: Row =
            p::table.inner_join(members::table).filter(p::id.eq(id)).select(Row::as_select()).first(conn).await?;
        Ok(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(position.version))).json(position))
}
