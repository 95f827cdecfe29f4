//! Preparing a report (figures frozen), adjusting a figure with a reason, and submitting it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text, etag};
use crate::reports::access::report_unit;
use crate::reports::period::Period;
use crate::schema::report_submissions as s;
use crate::state::AppState;
use crate::webhooks::WebhookEvent;

use super::*;

/// Prepare a report
///
/// Freezes the unit's figures for the period now, as a draft. Needs `org_units:write` on the
/// unit. One report per unit and period (409).
#[utoipa::path(tag = "reports", operation_id = "create_report_submission", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewSubmission,
    responses((status = 201, description = "The draft.", body = ReportSubmission),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
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

/// Submit a report
///
/// From draft or returned: refreezes the figures now (adjustments re-applied) and sends them
/// up. Needs `org_units:write` on the unit.
#[utoipa::path(tag = "reports", operation_id = "submit_report_submission", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    responses((status = 200, description = "Submitted.", body = ReportSubmission),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
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
        require_status(&row, &[SubmissionStatus::Draft, SubmissionStatus::Returned])?;
        let period = Period { label: row.period.clone(), from: row.period_from, to: row.period_to };
        let mut figures = freeze(conn, row.unit_id, &period).await?;
        let adjustments: Vec<Adjustment> = serde_json::from_value(row.adjustments.clone()).unwrap_or_default();
        for a in &adjustments {
            adjust(&mut figures, &a.figure, a.value);
        }
        rederive(&mut figures);
        let updated: Row = diesel::update(s::table.find(row.id))
            .set((
                s::status.eq(SubmissionStatus::Submitted.as_str()),
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

/// Figures computed from others (`Kpis::rederive`): adjusted through their parts only.
const DERIVED: [&str; 4] = ["members.net_change", "members.other_moves", "members.growth", "members.growth_year"];

/// Adjust a figure of a report
///
/// Only in draft or returned reports; needs a reason; audited with the old and new values.
#[utoipa::path(tag = "reports", operation_id = "create_report_adjustment", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewAdjustment,
    responses((status = 201, description = "Adjusted.", body = ReportSubmission),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
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
        require_status(&row, &[SubmissionStatus::Draft, SubmissionStatus::Returned])?;
        if DERIVED.iter().any(|d| input.figure == *d || input.figure.starts_with(&format!("{d}."))) {
            return Err(ApiError::invalid_field(
                "figure",
                "derived_figure",
                Text::new(
                    "Chỉ tiêu này tính từ các chỉ tiêu khác: hãy điều chỉnh các thành phần của nó.",
                    "This figure is computed from others: adjust its parts instead.",
                ),
            ));
        }
        let mut figures = row.figures.clone();
        let before = adjust(&mut figures, &input.figure, input.value).ok_or_else(|| {
            ApiError::invalid_field(
                "figure",
                "unknown_figure",
                Text::new("Không có chỉ tiêu số này.", "No such whole-number figure."),
            )
        })?;
        rederive(&mut figures);
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
