//! Reports submitted upward (báo cáo gửi cấp trên): created with the figures frozen at that
//! moment; draft → submitted → accepted | returned (with a reason) → submitted again. The
//! higher unit's officers and machine clients read them; a report shows how it differs from
//! today's live figures; manual adjustments need a reason and are audited.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::LtreeExtensions;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::compute::kpis;
use super::figures::Kpis;
use super::period::Period;
use super::suppress::suppress;
use super::{is_machine, report_unit};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, ApiQuery, Page, PageRequest, Text, etag};
use crate::members::lifecycle::state_conflict;
use crate::org_units::models::OrgUnitRow;
use crate::org_units::queries;
use crate::schema::report_submissions as s;
use crate::state::AppState;
use crate::webhooks::WebhookEvent;

/// Where a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Nháp.
    Draft,
    /// Đã gửi (figures frozen).
    Submitted,
    /// Đã duyệt.
    Accepted,
    /// Trả lại (with a reason).
    Returned,
}

impl SubmissionStatus {
    fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::Returned => "returned",
        }
    }

    fn parse(text: &str) -> SubmissionStatus {
        match text {
            "submitted" => SubmissionStatus::Submitted,
            "accepted" => SubmissionStatus::Accepted,
            "returned" => SubmissionStatus::Returned,
            _ => SubmissionStatus::Draft,
        }
    }
}

/// A manual change of a frozen figure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adjustment {
    /// The figure, as a dotted path into `figures` (e.g. `members.joins`).
    pub figure: String,
    /// The value before.
    pub before: Option<i64>,
    /// The value set.
    pub value: i64,
    /// Why.
    pub reason: String,
    /// Who.
    pub by: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A frozen figure that differs from today's live one.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureDiff {
    /// Dotted path of the figure.
    pub figure: String,
    /// In the report.
    pub frozen: Value,
    /// Computed now.
    pub live: Value,
}

/// A report sent upward.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSubmission {
    pub id: Uuid,
    /// The reporting unit.
    pub unit_id: Uuid,
    /// The period label.
    pub period: String,
    /// First day.
    pub period_from: NaiveDate,
    /// Last day.
    pub period_to: NaiveDate,
    pub status: SubmissionStatus,
    /// The figures as frozen (with adjustments applied).
    #[schema(value_type = Kpis)]
    pub figures: Value,
    /// When the figures were frozen.
    pub frozen_at: DateTime<Utc>,
    /// Manual adjustments, oldest first.
    pub adjustments: Vec<Adjustment>,
    /// How many times it was submitted.
    pub submissions: i32,
    /// Last submission.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Last decision (accept or return).
    pub decided_at: Option<DateTime<Utc>>,
    /// The reason given when returned, or the note given when accepted.
    pub decision_note: String,
    /// Frozen figures that differ from today's live figures (on `GET` of one report).
    pub live_diff: Option<Vec<FigureDiff>>,
    /// Version.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A report to prepare.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000c001", "period": "2025-11"}))]
pub struct NewSubmission {
    /// The reporting unit; needs `org_units:write` there.
    pub unit_id: Uuid,
    /// Period label (`2025-11`, `2025-Q4`, `2025`…).
    pub period: String,
}

/// A manual adjustment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"figure": "members.joins", "value": 12, "reason": "Hai hội viên kết nạp chưa nhập kịp"}))]
pub struct NewAdjustment {
    /// Dotted path of a whole-number figure (e.g. `members.joins`).
    pub figure: String,
    /// The corrected value.
    pub value: i64,
    /// Why (required).
    pub reason: String,
}

/// Returning a report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Số kết nạp mới chưa khớp danh sách"}))]
pub struct ReturnReason {
    /// Lý do trả lại (required).
    pub reason: String,
}

/// Accepting a report.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Nhận xét (optional).
    #[serde(default)]
    pub note: String,
}

/// Query of the reports.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubmissionQuery {
    /// Only this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this status.
    #[param(inline)]
    pub status: Option<SubmissionStatus>,
    /// Only this period label.
    pub period: Option<String>,
    /// Changed at or after this instant (incremental pulls).
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(ReportSubmissionPage, ReportSubmission, "reports");

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    unit_id: Uuid,
    unit_path: diesel_ltree::Ltree,
    period: String,
    period_from: NaiveDate,
    period_to: NaiveDate,
    status: String,
    figures: Value,
    frozen_at: DateTime<Utc>,
    adjustments: Value,
    submissions: i32,
    submitted_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    decision_note: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn to_wire(caller: &Caller, r: Row) -> ReportSubmission {
    let figures = if is_machine(caller) {
        serde_json::from_value::<Kpis>(r.figures.clone())
            .map(suppress)
            .and_then(serde_json::to_value)
            .unwrap_or(Value::Null)
    } else {
        r.figures
    };
    ReportSubmission {
        id: r.id,
        unit_id: r.unit_id,
        period: r.period,
        period_from: r.period_from,
        period_to: r.period_to,
        status: SubmissionStatus::parse(&r.status),
        figures,
        frozen_at: r.frozen_at,
        adjustments: serde_json::from_value(r.adjustments).unwrap_or_default(),
        submissions: r.submissions,
        submitted_at: r.submitted_at,
        decided_at: r.decided_at,
        decision_note: r.decision_note,
        live_diff: None,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Paths the caller reads reports in.
fn read_scope(caller: &Caller) -> Result<Vec<diesel_ltree::Ltree>, ApiError> {
    let mut paths = caller.principal.scope(Permission::ReportsRead);
    paths.extend(caller.principal.scope(Permission::MembersRead));
    if paths.is_empty() {
        return Err(ApiError::Forbidden);
    }
    Ok(paths.into_iter().map(diesel_ltree::Ltree).collect())
}

async fn visible(conn: &mut AsyncPgConnection, caller: &Caller, id: Uuid, lock: bool) -> Result<Row, ApiError> {
    let query = s::table.find(id).select(Row::as_select());
    let row =
        if lock { query.for_update().first(conn).await.optional()? } else { query.first(conn).await.optional()? };
    let row = row.ok_or(ApiError::NotFound)?;
    let path = &row.unit_path.0;
    let sees =
        caller.principal.can(Permission::ReportsRead, path) || caller.principal.can(Permission::MembersRead, path);
    let draft_hidden = is_machine(caller) && !matches!(row.status.as_str(), "submitted" | "accepted");
    if !sees || draft_hidden { Err(ApiError::NotFound) } else { Ok(row) }
}

/// The unit above: its officers accept or return.
async fn parent_of(conn: &mut AsyncPgConnection, unit: Uuid) -> Result<OrgUnitRow, ApiError> {
    let unit = queries::find(conn, unit).await?.ok_or(ApiError::NotFound)?;
    let parent = unit.parent_id.ok_or(ApiError::Forbidden)?;
    queries::find(conn, parent).await?.ok_or(ApiError::NotFound)
}

/// Walks a dotted path to a number; sets it to `value` and returns the old one.
fn adjust(figures: &mut Value, figure: &str, value: i64) -> Option<Option<i64>> {
    let mut node = figures;
    for part in figure.split('.') {
        node = node.get_mut(part)?;
    }
    match node {
        Value::Number(n) if n.is_i64() => {
            let before = n.as_i64();
            *node = Value::from(value);
            Some(before)
        }
        Value::Null => {
            *node = Value::from(value);
            Some(None)
        }
        _ => None,
    }
}

/// Numeric leaves that differ between two figure documents.
fn diff(frozen: &Value, live: &Value, at: &str, out: &mut Vec<FigureDiff>) {
    if out.len() >= 100 {
        return;
    }
    match (frozen, live) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                if key == "period" || key == "unit_name" || key == "suppressed" {
                    continue;
                }
                let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                diff(a.get(key).unwrap_or(&Value::Null), b.get(key).unwrap_or(&Value::Null), &path, out);
            }
        }
        (a, b) if a != b => out.push(FigureDiff { figure: at.to_owned(), frozen: a.clone(), live: b.clone() }),
        _ => {}
    }
}

async fn freeze(conn: &mut AsyncPgConnection, unit: Uuid, period: &Period) -> Result<Value, ApiError> {
    let unit = queries::find(conn, unit).await?.ok_or(ApiError::NotFound)?;
    serde_json::to_value(kpis(conn, &unit, period).await?).map_err(ApiError::internal)
}

/// List reports
///
/// Reports of units in the caller's scope (`reports:read` or `members:read`), oldest change
/// first so systems can pull incrementally with `updated_since`. Machine clients see only
/// submitted and accepted reports, with small counts suppressed.
#[utoipa::path(tag = "reports", operation_id = "list_report_submissions", security(("bearer" = []), ("client_credentials" = [])),
    params(SubmissionQuery),
    responses((status = 200, description = "A page of reports.", body = ReportSubmissionPage),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 404, response = crate::openapi::responses::NotFound)))]
#[get("/report-submissions")]
pub async fn list_report_submissions(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<SubmissionQuery>,
) -> Result<web::Json<Page<ReportSubmission>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(DateTime<Utc>, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let scope = read_scope(&caller)?;
    let mut conn = state.pool.get().await?;
    let mut select = s::table
        .select(Row::as_select())
        .filter(s::unit_path.contained_by_any(scope))
        .order((s::updated_at.asc(), s::id.asc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if is_machine(&caller) {
        select = select.filter(s::status.eq_any(["submitted", "accepted"]));
    }
    if let Some(unit) = query.unit {
        let unit = report_unit(&mut conn, &caller, unit).await?;
        select = select.filter(s::unit_path.contained_by(unit.path));
    }
    if let Some(status) = query.status {
        select = select.filter(s::status.eq(status.as_str()));
    }
    if let Some(period) = &query.period {
        select = select.filter(s::period.eq(period.clone()));
    }
    if let Some(since) = query.updated_since {
        select = select.filter(s::updated_at.ge(since));
    }
    if let Some((at, id)) = page.after {
        select = select.filter(s::updated_at.gt(at).or(s::updated_at.eq(at).and(s::id.gt(id))));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| (r.updated_at, r.id), |r| to_wire(&caller, r))))
}

/// Prepare a report
///
/// Freezes the unit's figures for the period now, as a draft. Needs `org_units:write` on the
/// unit. One report per unit and period (409).
#[utoipa::path(tag = "reports", operation_id = "create_report_submission", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewSubmission,
    responses((status = 201, description = "The draft.", body = ReportSubmission),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 404, response = crate::openapi::responses::NotFound), (status = 409, response = crate::openapi::responses::Conflict)))]
#[post("/report-submissions")]
pub async fn create_report_submission(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewSubmission>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let period = Period::parse(&input.period).ok_or_else(|| {
        ApiError::invalid_field(
            "period",
            "invalid_period",
            Text::new("Kỳ báo cáo không hợp lệ.", "Not a period label."),
        )
    })?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = report_unit(conn, &caller, input.unit_id).await?;
        caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
        let figures = freeze(conn, unit.id, &period).await?;
        let id = Uuid::now_v7();
        let row: Option<Row> = diesel::insert_into(s::table)
            .values((
                s::id.eq(id),
                s::unit_id.eq(unit.id),
                s::unit_path.eq(&unit.path),
                s::period.eq(&period.label),
                s::period_from.eq(period.from),
                s::period_to.eq(period.to),
                s::figures.eq(&figures),
                s::frozen_at.eq(Utc::now()),
                s::created_by.eq(caller.principal.user_id()),
            ))
            .on_conflict_do_nothing()
            .returning(Row::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let row = row.ok_or(ApiError::Conflict {
            code: "report_exists",
            detail: Text::new("Đơn vị đã có báo cáo cho kỳ này.", "The unit has a report for this period."),
            field: Some("period".into()),
        })?;
        caller.audit(conn, AuditEvent::new("report.create").object("report", id).unit(unit.id)).await?;
        let report = to_wire(&caller, row);
        Ok(StoredResponse::json(StatusCode::CREATED, &report)?
            .header(header::LOCATION, format!("/api/v1/report-submissions/{id}"))
            .header(header::ETAG, etag(report.version)))
    })
    .await
}

/// Get a report
///
/// With `live_diff`: the frozen figures that differ from today's live figures.
#[utoipa::path(tag = "reports", operation_id = "get_report_submission", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Report id.")),
    responses((status = 200, description = "The report.", body = ReportSubmission),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 404, response = crate::openapi::responses::NotFound)))]
#[get("/report-submissions/{id}")]
pub async fn get_report_submission(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, id.into_inner(), false).await?;
    let period = Period { label: row.period.clone(), from: row.period_from, to: row.period_to };
    let mut live = freeze(&mut conn, row.unit_id, &period).await?;
    if is_machine(&caller) {
        live = serde_json::from_value::<Kpis>(live).map(suppress).and_then(serde_json::to_value).unwrap_or(Value::Null);
    }
    let mut report = to_wire(&caller, row);
    let mut changes = Vec::new();
    diff(&report.figures, &live, "", &mut changes);
    report.live_diff = Some(changes);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(report.version))).json(report))
}

/// Tells subscribers of the unit's subtree (ids and the period only).
async fn announce(conn: &mut AsyncPgConnection, event: WebhookEvent, row: &Row) -> Result<(), ApiError> {
    let data =
        serde_json::json!({"report_id": row.id, "unit_id": row.unit_id, "period": row.period, "status": row.status});
    crate::webhooks::outbox::record(conn, event, &row.unit_path.0, data).await
}

/// Refuses (409) an action the report's status does not allow.
fn require_status(row: &Row, from: &[&str]) -> Result<(), ApiError> {
    if from.contains(&row.status.as_str()) {
        return Ok(());
    }
    Err(state_conflict(
        "report_state",
        "Báo cáo không ở trạng thái cho phép thao tác này.",
        "The report is not in a state that allows this.",
    ))
}

/// Submit a report
///
/// From draft or returned: refreezes the figures now (adjustments re-applied) and sends them
/// up. Needs `org_units:write` on the unit.
#[utoipa::path(tag = "reports", operation_id = "submit_report_submission", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    responses((status = 200, description = "Submitted.", body = ReportSubmission),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 404, response = crate::openapi::responses::NotFound), (status = 409, response = crate::openapi::responses::Conflict)))]
#[post("/report-submissions/{id}/submit")]
pub async fn submit_report_submission(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let report_id = id.into_inner();
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &(), state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row = visible(conn, &caller, report_id, true).await?;
        caller.require(Permission::OrgUnitsWrite, &row.unit_path.0)?;
        require_status(&row, &["draft", "returned"])?;
        let period = Period { label: row.period.clone(), from: row.period_from, to: row.period_to };
        let mut figures = freeze(conn, row.unit_id, &period).await?;
        let adjustments: Vec<Adjustment> = serde_json::from_value(row.adjustments.clone()).unwrap_or_default();
        for a in &adjustments {
            adjust(&mut figures, &a.figure, a.value);
        }
        let updated: Row = diesel::update(s::table.find(row.id))
            .set((
                s::status.eq("submitted"),
                s::figures.eq(&figures),
                s::frozen_at.eq(Utc::now()),
                s::submissions.eq(s::submissions + 1),
                s::submitted_at.eq(Some(Utc::now())),
                s::version.eq(s::version + 1),
                s::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("report.submit").object("report", row.id).unit(row.unit_id)).await?;
        announce(conn, WebhookEvent::ReportSubmitted, &updated).await?;
        StoredResponse::json(StatusCode::OK, &to_wire(&caller, updated))
    })
    .await
}

/// Adjust a figure of a report
///
/// Only in draft or returned reports; needs a reason; audited with the old and new values.
#[utoipa::path(tag = "reports", operation_id = "create_report_adjustment", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewAdjustment,
    responses((status = 201, description = "Adjusted.", body = ReportSubmission),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 404, response = crate::openapi::responses::NotFound), (status = 409, response = crate::openapi::responses::Conflict)))]
#[post("/report-submissions/{id}/adjustments")]
pub async fn create_report_adjustment(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewAdjustment>,
) -> Result<HttpResponse, ApiError> {
    let report_id = id.into_inner();
    let input = body.into_inner();
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    if reason.is_empty() {
        return Err(ApiError::invalid_field(
            "reason",
            "required",
            Text::new("Cần nêu lý do.", "A reason is required."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row = visible(conn, &caller, report_id, true).await?;
        caller.require(Permission::OrgUnitsWrite, &row.unit_path.0)?;
        require_status(&row, &["draft", "returned"])?;
        let mut figures = row.figures.clone();
        let before = adjust(&mut figures, &input.figure, input.value).ok_or_else(|| {
            ApiError::invalid_field(
                "figure",
                "unknown_figure",
                Text::new("Không có chỉ tiêu số này.", "No such whole-number figure."),
            )
        })?;
        let mut adjustments: Vec<Adjustment> = serde_json::from_value(row.adjustments.clone()).unwrap_or_default();
        adjustments.push(Adjustment {
            figure: input.figure.clone(),
            before,
            value: input.value,
            reason: reason.clone(),
            by: caller.principal.user_id(),
            at: Utc::now(),
        });
        let updated: Row = diesel::update(s::table.find(row.id))
            .set((
                s::figures.eq(&figures),
                s::adjustments.eq(serde_json::to_value(&adjustments).map_err(ApiError::internal)?),
                s::version.eq(s::version + 1),
                s::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("report.adjust")
                    .object("report", row.id)
                    .unit(row.unit_id)
                    .details(serde_json::json!({"figure": input.figure, "before": before, "value": input.value})),
            )
            .await?;
        StoredResponse::json(StatusCode::CREATED, &to_wire(&caller, updated))
    })
    .await
}

/// Accepts or returns a submitted report, by the officers of the unit above.
async fn decide(
    req: &HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: Uuid,
    key: IdempotencyKey,
    accept: bool,
    note: String,
) -> Result<HttpResponse, ApiError> {
    let request =
        IdempotentRequest::new(req, caller.idempotency_owner(), key, &(accept, &note), state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row = visible(conn, &caller, id, true).await?;
        let parent = parent_of(conn, row.unit_id).await?;
        caller.require(Permission::OrgUnitsWrite, &parent.path.0)?;
        require_status(&row, &["submitted"])?;
        let updated: Row = diesel::update(s::table.find(row.id))
            .set((
                s::status.eq(if accept { "accepted" } else { "returned" }),
                s::decision_note.eq(&note),
                s::decided_at.eq(Some(Utc::now())),
                s::decided_by.eq(caller.principal.user_id()),
                s::version.eq(s::version + 1),
                s::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        let action = if accept { "report.accept" } else { "report.return" };
        caller.audit(conn, AuditEvent::new(action).object("report", row.id).unit(row.unit_id)).await?;
        let event = if accept { WebhookEvent::ReportAccepted } else { WebhookEvent::ReportReturned };
        announce(conn, event, &updated).await?;
        StoredResponse::json(StatusCode::OK, &to_wire(&caller, updated))
    })
    .await
}

/// Accept a report
///
/// By the officers of the unit above (`org_units:write` there), with an optional note.
#[utoipa::path(tag = "reports", operation_id = "accept_report_submission", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = Acceptance,
    responses((status = 200, description = "Accepted.", body = ReportSubmission),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 404, response = crate::openapi::responses::NotFound), (status = 409, response = crate::openapi::responses::Conflict)))]
#[post("/report-submissions/{id}/accept")]
pub async fn accept_report_submission(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<Acceptance>,
) -> Result<HttpResponse, ApiError> {
    let note = bounded_text("note", &body.into_inner().note, 1000).map_err(|i| ApiError::Validation(vec![i]))?;
    decide(&req, caller, state, id.into_inner(), key, true, note).await
}

/// Return a report
///
/// Back to the reporting unit with a reason, to fix and resubmit. By the officers of the unit
/// above.
#[utoipa::path(tag = "reports", operation_id = "return_report_submission", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = ReturnReason,
    responses((status = 200, description = "Returned.", body = ReportSubmission),
        (status = 401, response = crate::openapi::responses::Unauthorized), (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 404, response = crate::openapi::responses::NotFound), (status = 409, response = crate::openapi::responses::Conflict)))]
#[post("/report-submissions/{id}/return")]
pub async fn return_report_submission(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<ReturnReason>,
) -> Result<HttpResponse, ApiError> {
    let reason = bounded_text("reason", &body.into_inner().reason, 1000).map_err(|i| ApiError::Validation(vec![i]))?;
    if reason.is_empty() {
        return Err(ApiError::invalid_field(
            "reason",
            "required",
            Text::new("Cần nêu lý do trả lại.", "A reason is required."),
        ));
    }
    decide(&req, caller, state, id.into_inner(), key, false, reason).await
}
