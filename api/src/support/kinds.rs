//! Support kinds (loại hỗ trợ): seeded, extensible by administrators of the installation.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text, optional_name};
use crate::http::{ApiError, ApiJson, IfMatch, Text, etag, precondition};
use crate::schema::support_kinds as k;
use crate::state::AppState;

/// How a kind is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupportMeasure)]
pub enum Measure {
    /// In VND (`amount_vnd`).
    Money,
    /// In kind (`quantity` + unit).
    InKind,
    /// Either or both.
    Either,
}

impl Measure {
    fn as_str(self) -> &'static str {
        match self {
            Measure::Money => "money",
            Measure::InKind => "in_kind",
            Measure::Either => "either",
        }
    }

    fn parse(text: &str) -> Measure {
        match text {
            "money" => Measure::Money,
            "in_kind" => Measure::InKind,
            _ => Measure::Either,
        }
    }
}

/// A kind of support.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "capital_loan", "name_vi": "Vay vốn", "name_en": "Capital loan", "measure": "money",
    "default_quantity_unit": "", "is_job": false, "active": true, "version": 1}))]
pub struct SupportKind {
    /// Stable code.
    pub code: String,
    /// Tên loại hỗ trợ.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    pub measure: Measure,
    /// Unit of in-kind quantities (kg, con, ngày công…).
    pub default_quantity_unit: String,
    /// Counts as a job found in reports.
    pub is_job: bool,
    /// Inactive kinds take no new entries.
    pub active: bool,
    /// Version for `If-Match`.
    pub version: i32,
}

/// A new kind of support.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "clean_water", "name_vi": "Công trình nước sạch", "name_en": "Clean water system", "measure": "money"}))]
pub struct NewSupportKind {
    /// Lower-case code, 2–40 characters (`a-z`, `0-9`, `_`).
    pub code: String,
    /// Tên loại hỗ trợ.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    pub measure: Measure,
    /// Unit of in-kind quantities.
    #[serde(default)]
    pub default_quantity_unit: String,
    /// Counts as a job found.
    #[serde(default)]
    pub is_job: bool,
}

/// Changes to a kind.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct SupportKindPatch {
    /// Tên loại hỗ trợ.
    pub name_vi: Option<String>,
    /// Name in English.
    pub name_en: Option<String>,
    /// Unit of in-kind quantities.
    pub default_quantity_unit: Option<String>,
    /// `false` stops new entries of this kind.
    pub active: Option<bool>,
}

/// A support kind as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = k, check_for_backend(diesel::pg::Pg))]
struct Row {
    code: String,
    name_vi: String,
    name_en: String,
    measure: String,
    default_quantity_unit: String,
    is_job: bool,
    active: bool,
    version: i32,
}

fn to_wire(r: Row) -> SupportKind {
    SupportKind {
        measure: Measure::parse(&r.measure),
        code: r.code,
        name_vi: r.name_vi,
        name_en: r.name_en,
        default_quantity_unit: r.default_quantity_unit,
        is_job: r.is_job,
        active: r.active,
        version: r.version,
    }
}

pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> Result<Option<SupportKind>, ApiError> {
    let row: Option<Row> = k::table.find(code).select(Row::as_select()).first(conn).await.optional()?;
    Ok(row.map(to_wire))
}

fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.principal.can_globally(Permission::SettingsWrite) { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// List support kinds
///
/// The kinds of support (loại hỗ trợ: vốn, việc làm, mái ấm…) the support ledger records, in
/// Vietnamese and English.
#[utoipa::path(tag = "support", operation_id = "list_support_kinds", security(("bearer" = []), ("client_credentials" = [])),
    responses((status = 200, description = "Every kind (a short list, not paginated).", body = Vec<SupportKind>),
        (status = 401, response = crate::http::responses::Unauthorized)))]
#[get("/support-kinds")]
pub async fn list_support_kinds(
    _caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<SupportKind>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let rows: Vec<Row> = k::table.select(Row::as_select()).order(k::code.asc()).limit(200).load(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Add a support kind
///
/// Needs `settings:write` on the root.
#[utoipa::path(tag = "support", operation_id = "create_support_kind", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewSupportKind,
    responses((status = 201, description = "Created.", body = SupportKind),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 409, response = crate::http::responses::Conflict)))]
#[post("/support-kinds")]
pub async fn create_support_kind(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewSupportKind>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
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
    let unit = v.result(bounded_text("default_quantity_unit", &input.default_quantity_unit, 40)).unwrap_or_default();
    v.check(
        !name_vi.is_empty(),
        "name_vi",
        "required",
        Text::new("Cần tên tiếng Việt.", "A Vietnamese name is required."),
    );
    v.check(
        !name_en.is_empty(),
        "name_en",
        "required",
        Text::new("Cần tên tiếng Anh.", "An English name is required."),
    );
    v.finish()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row: Option<Row> = diesel::insert_into(k::table)
            .values((
                k::code.eq(&input.code),
                k::name_vi.eq(&name_vi),
                k::name_en.eq(&name_en),
                k::measure.eq(input.measure.as_str()),
                k::default_quantity_unit.eq(&unit),
                k::is_job.eq(input.is_job),
            ))
            .on_conflict_do_nothing()
            .returning(Row::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let kind = to_wire(row.ok_or(ApiError::Conflict {
            code: "support_kind_exists",
            detail: Text::new("Đã có loại hỗ trợ với mã này.", "A support kind with this code exists."),
            field: Some("code".into()),
        })?);
        caller
            .audit(conn, AuditEvent::new("support_kind.create").details(serde_json::json!({"code": kind.code})))
            .await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &kind)?.header(header::ETAG, etag(kind.version)))
    })
    .await
}

/// Change a support kind
///
/// Needs `settings:write` on the root and `If-Match`.
#[utoipa::path(tag = "support", operation_id = "update_support_kind", security(("bearer" = [])),
    params(("code" = String, Path, description = "Kind code."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = SupportKindPatch,
    responses((status = 200, description = "Updated.", body = SupportKind),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/support-kinds/{code}")]
pub async fn update_support_kind(
    caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<SupportKindPatch>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let code = code.into_inner();
    let patch = body.into_inner();
    let mut v = Validator::new();
    let name_vi = optional_name(&mut v, "name_vi", patch.name_vi.as_deref(), 200);
    let name_en = optional_name(&mut v, "name_en", patch.name_en.as_deref(), 200);
    let unit =
        patch.default_quantity_unit.as_deref().and_then(|u| v.result(bounded_text("default_quantity_unit", u, 40)));
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let kind = in_transaction(&mut conn, async |conn| {
        let current: Option<Row> =
            k::table.find(&code).select(Row::as_select()).for_update().first(conn).await.optional()?;
        let current = to_wire(current.ok_or(ApiError::NotFound)?);
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        let row: Row = diesel::update(k::table.find(&code))
            .set((
                name_vi.map(|n| k::name_vi.eq(n)),
                name_en.map(|n| k::name_en.eq(n)),
                unit.map(|u| k::default_quantity_unit.eq(u)),
                patch.active.map(|a| k::active.eq(a)),
                k::version.eq(k::version + 1),
                k::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("support_kind.update").details(serde_json::json!({"code": code}))).await?;
        Ok::<_, ApiError>(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(kind.version))).json(kind))
}
