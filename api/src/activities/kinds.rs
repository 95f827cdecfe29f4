//! Activity kinds (loại hoạt động): seeded, extensible by administrators of the installation.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, Text, etag};
use crate::schema::activity_kinds as k;
use crate::state::AppState;

/// A kind of activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "monthly_meeting", "name_vi": "Sinh hoạt định kỳ hằng tháng", "name_en": "Monthly meeting",
    "is_meeting": true, "online": false, "active": true, "version": 1}))]
pub struct ActivityKind {
    /// Stable code.
    pub code: String,
    /// Tên loại hoạt động.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    /// A union meeting (sinh hoạt): counts for meeting attendance and absentee lists.
    pub is_meeting: bool,
    /// Held online (Zalo…).
    pub online: bool,
    /// Inactive kinds take no new activities.
    pub active: bool,
    /// Version.
    pub version: i32,
}

/// A new kind of activity.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "sports", "name_vi": "Thể dục thể thao", "name_en": "Sports", "is_meeting": false}))]
pub struct NewActivityKind {
    /// Lower-case code, 2–40 characters (`a-z`, `0-9`, `_`).
    pub code: String,
    /// Tên loại hoạt động.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    /// Counts as a union meeting.
    #[serde(default)]
    pub is_meeting: bool,
    /// Held online.
    #[serde(default)]
    pub online: bool,
}

/// An activity kind as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = k, check_for_backend(diesel::pg::Pg))]
struct Row {
    code: String,
    name_vi: String,
    name_en: String,
    is_meeting: bool,
    online: bool,
    active: bool,
    version: i32,
}

fn to_wire(r: Row) -> ActivityKind {
    ActivityKind {
        code: r.code,
        name_vi: r.name_vi,
        name_en: r.name_en,
        is_meeting: r.is_meeting,
        online: r.online,
        active: r.active,
        version: r.version,
    }
}

pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> Result<Option<ActivityKind>, ApiError> {
    let row: Option<Row> = k::table.find(code).select(Row::as_select()).first(conn).await.optional()?;
    Ok(row.map(to_wire))
}

/// Codes of the kinds that count as meetings.
pub async fn meeting_kinds(conn: &mut AsyncPgConnection) -> Result<Vec<String>, ApiError> {
    Ok(k::table.filter(k::is_meeting.eq(true)).select(k::code).load(conn).await?)
}

/// List activity kinds
///
/// The catalogue of activity kinds (loại sinh hoạt) every unit chooses from, in Vietnamese and
/// English. Any signed-in caller may read it.
#[utoipa::path(tag = "activities", operation_id = "list_activity_kinds", security(("bearer" = []), ("client_credentials" = [])),
    responses((status = 200, description = "Every kind (a short list, not paginated).", body = Vec<ActivityKind>),
        (status = 401, response = crate::http::responses::Unauthorized)))]
#[get("/activity-kinds")]
pub async fn list_activity_kinds(
    _caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<ActivityKind>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let rows: Vec<Row> = k::table.select(Row::as_select()).order(k::code.asc()).limit(200).load(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Add an activity kind
///
/// Needs `settings:write` on the root.
#[utoipa::path(tag = "activities", operation_id = "create_activity_kind", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewActivityKind,
    responses((status = 201, description = "Created.", body = ActivityKind),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 409, response = crate::http::responses::Conflict)))]
#[post("/activity-kinds")]
pub async fn create_activity_kind(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewActivityKind>,
) -> Result<HttpResponse, ApiError> {
    if !caller.principal.can_globally(Permission::SettingsWrite) {
        return Err(ApiError::Forbidden);
    }
    let input = body.into_inner();
    let mut v = Validator::new();
    v.check(
        (2..=40).contains(&input.code.len())
            && input.code.starts_with(|c: char| c.is_ascii_lowercase())
            && input.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "code",
        "invalid_format",
        Text::new("Mã gồm 2–40 ký tự a-z, 0-9, _.", "2–40 characters a-z, 0-9, _."),
    );
    let name_vi = v.result(bounded_text("name_vi", &input.name_vi, 200)).unwrap_or_default();
    let name_en = v.result(bounded_text("name_en", &input.name_en, 200)).unwrap_or_default();
    v.check(
        !name_vi.is_empty() && !name_en.is_empty(),
        "name_vi",
        "required",
        Text::new("Cần tên.", "Names are required."),
    );
    v.finish()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row: Option<Row> = diesel::insert_into(k::table)
            .values((
                k::code.eq(&input.code),
                k::name_vi.eq(&name_vi),
                k::name_en.eq(&name_en),
                k::is_meeting.eq(input.is_meeting),
                k::online.eq(input.online),
            ))
            .on_conflict_do_nothing()
            .returning(Row::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let kind = to_wire(row.ok_or(ApiError::Conflict {
            code: "activity_kind_exists",
            detail: Text::new("Đã có loại hoạt động với mã này.", "An activity kind with this code exists."),
            field: Some("code".into()),
        })?);
        caller
            .audit(conn, AuditEvent::new("activity_kind.create").details(serde_json::json!({"code": kind.code})))
            .await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &kind)?.header(header::ETAG, etag(kind.version)))
    })
    .await
}
