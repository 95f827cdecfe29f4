//! Needs (biết nhu cầu): what a member needs (capital, a job, training, health care…) and how
//! far it has been met. Sensitive.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{need_owner, visible_member};
pub use super::vocabulary::NeedKind;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, IfMatch, Text, etag, precondition};
use crate::privacy::consents::ProcessingPurpose;
use crate::privacy::withdrawn::ensure_not_withdrawn;
use crate::schema::member_needs as n;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// How far a need has been met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    Open,
    InProgress,
    Met,
}

fn kind_str(kind: NeedKind) -> &'static str {
    match kind {
        NeedKind::Capital => "capital",
        NeedKind::Job => "job",
        NeedKind::VocationalTraining => "vocational_training",
        NeedKind::Health => "health",
        NeedKind::Housing => "housing",
        NeedKind::LegalAid => "legal_aid",
        NeedKind::Education => "education",
        NeedKind::Other => "other",
    }
}

fn status_str(status: NeedStatus) -> &'static str {
    match status {
        NeedStatus::Open => "open",
        NeedStatus::InProgress => "in_progress",
        NeedStatus::Met => "met",
    }
}

/// A need of a member. Sensitive.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9e01", "member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01",
    "kind": "capital", "description": "Vay 10 triệu nuôi bò", "status": "open", "verified_on": "2026-11-02", "met_on": null,
    "version": 1, "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z"}))]
pub struct Need {
    pub id: Uuid,
    /// The member who has the need.
    pub member_id: Uuid,
    pub kind: NeedKind,
    /// What exactly (mô tả).
    pub description: String,
    pub status: NeedStatus,
    /// Day a cadre last confirmed it with her.
    pub verified_on: Option<NaiveDate>,
    /// Day it was met.
    pub met_on: Option<NaiveDate>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A need to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "capital", "description": "Vay 10 triệu nuôi bò", "verified_on": "2026-11-02"}))]
pub struct NewNeed {
    /// Mã do ứng dụng tạo khi ngoại tuyến / An id the client made offline (UUIDv7); by default
    /// the server makes one. A taken id is `409 id_exists`.
    pub id: Option<Uuid>,
    pub kind: NeedKind,
    /// What exactly is needed.
    #[serde(default)]
    pub description: String,
    /// Default `open`.
    pub status: Option<NeedStatus>,
    /// Default today.
    pub verified_on: Option<NaiveDate>,
}

/// Changes to a need.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "met", "met_on": "2026-11-20"}))]
pub struct NeedPatch {
    /// What exactly is needed.
    pub description: Option<String>,
    pub status: Option<NeedStatus>,
    /// Day a cadre checked the need in person.
    pub verified_on: Option<NaiveDate>,
    /// Day it was met (default today when the status becomes `met`).
    pub met_on: Option<NaiveDate>,
}

/// A need as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = n, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    member_id: Uuid,
    kind: String,
    description: String,
    status: String,
    verified_on: Option<NaiveDate>,
    met_on: Option<NaiveDate>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// These needs, where their member is within `scope` (for the sync feed).
pub(crate) async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    scope: Vec<diesel_ltree::Ltree>,
) -> Result<Vec<Need>, ApiError> {
    use diesel_ltree::LtreeExtensions;
    let rows: Vec<Row> = n::table
        .inner_join(crate::schema::members::table)
        .filter(n::id.eq_any(ids))
        .filter(crate::schema::members::unit_path.contained_by_any(scope))
        .select(Row::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(to_wire).collect())
}

fn to_wire(r: Row) -> Need {
    let kind = match r.kind.as_str() {
        "capital" => NeedKind::Capital,
        "job" => NeedKind::Job,
        "vocational_training" => NeedKind::VocationalTraining,
        "health" => NeedKind::Health,
        "housing" => NeedKind::Housing,
        "legal_aid" => NeedKind::LegalAid,
        "education" => NeedKind::Education,
        _ => NeedKind::Other,
    };
    let status = match r.status.as_str() {
        "in_progress" => NeedStatus::InProgress,
        "met" => NeedStatus::Met,
        _ => NeedStatus::Open,
    };
    Need {
        id: r.id,
        member_id: r.member_id,
        kind,
        description: r.description,
        status,
        verified_on: r.verified_on,
        met_on: r.met_on,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// List a member's needs
///
/// Sensitive: needs `members:sensitive`; audited.
#[utoipa::path(
    tag = "members",
    operation_id = "list_member_needs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses(
        (status = 200, description = "Her needs, open ones first (not paginated: a handful).", body = Vec<Need>),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/needs")]
pub async fn list_member_needs(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Need>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    ensure_not_withdrawn(&mut conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
    caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
    let needs = needs_of(&mut conn, member.id).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.read_sensitive").object("member", member.id).unit(member.unit_id).fields(["needs"]),
        )
        .await?;
    Ok(web::Json(needs))
}

/// A member's needs, open ones first (at most 200). The caller checks permissions.
pub async fn needs_of(conn: &mut AsyncPgConnection, member: Uuid) -> Result<Vec<Need>, ApiError> {
    let rows: Vec<Row> = n::table
        .filter(n::member_id.eq(member))
        .select(Row::as_select())
        .order((n::status.eq("met").asc(), n::created_at.desc()))
        .limit(200)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(to_wire).collect())
}

/// Record a need
///
/// Records a need (nhu cầu) a member or her household expressed (capital, a job, housing…), so
/// support can be matched to it; sensitive, kept under her consent.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member_need",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewNeed,
    responses(
        (status = 201, description = "Recorded.", body = Need),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/members/{id}/needs")]
pub async fn create_member_need(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewNeed>,
) -> Result<HttpResponse, ApiError> {
    let member_id = id.into_inner();
    let input = body.into_inner();
    let description =
        bounded_text("description", &input.description, 1000).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let verified_on = input.verified_on.unwrap_or(today);
    if verified_on > today {
        return Err(ApiError::invalid_field(
            "verified_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = visible_member(conn, &caller, member_id, Permission::MembersRead).await?;
        ensure_not_withdrawn(conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
        let status = input.status.unwrap_or(NeedStatus::Open);
        let row: Row = diesel::insert_into(n::table)
            .values((
                n::id.eq(crate::http::validate::new_id(input.id)?),
                n::member_id.eq(member.id),
                n::kind.eq(kind_str(input.kind)),
                n::description.eq(&description),
                n::status.eq(status_str(status)),
                n::verified_on.eq(verified_on),
                n::met_on.eq((status == NeedStatus::Met).then_some(today)),
                n::created_by.eq(caller.principal.user_id()),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        let need = to_wire(row);
        caller
            .audit(
                conn,
                AuditEvent::new("member.need_create")
                    .object("member", member.id)
                    .unit(member.unit_id)
                    .fields(["needs"])
                    .details(serde_json::json!({"need_id": need.id})),
            )
            .await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &need)?.header(header::ETAG, etag(need.version)))
    })
    .await
}

/// Update a need
///
/// Progress of a need, e.g. `met` when a loan came through. Needs `If-Match`.
#[utoipa::path(
    tag = "members",
    operation_id = "update_need",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Need id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = NeedPatch,
    responses(
        (status = 200, description = "Updated.", body = Need, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/needs/{id}")]
pub async fn update_need(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<NeedPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let description = match &patch.description {
        Some(d) => Some(bounded_text("description", d, 1000).map_err(|i| ApiError::Validation(vec![i]))?),
        None => None,
    };
    let today = today_in_vietnam(Utc::now());
    let mut conn = state.pool.get().await?;
    let need = in_transaction(&mut conn, async |conn| {
        let member = need_owner(conn, &caller, id).await?;
        ensure_not_withdrawn(conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        let current: Row = n::table.find(id).select(Row::as_select()).for_update().first(conn).await?;
        precondition::check(&if_match, current.version, || {
            serde_json::to_value(to_wire(current.clone())).unwrap_or_default()
        })?;
        let met_on = match patch.status {
            Some(NeedStatus::Met) => Some(patch.met_on.unwrap_or(today)),
            Some(_) => None,
            None => current.met_on,
        };
        let row: Row = diesel::update(n::table.find(id))
            .set((
                description.as_ref().map(|d| n::description.eq(d.clone())),
                patch.status.map(|s| n::status.eq(status_str(s))),
                patch.verified_on.map(|d| n::verified_on.eq(d)),
                n::met_on.eq(met_on),
                n::version.eq(n::version + 1),
                n::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.need_update")
                    .object("member", member.id)
                    .unit(member.unit_id)
                    .fields(["needs"])
                    .details(serde_json::json!({"need_id": id})),
            )
            .await?;
        Ok::<_, ApiError>(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(need.version))).json(need))
}
