//! The unit above accepts or returns a submitted report.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text};
use crate::schema::report_submissions as s;
use crate::state::AppState;
use crate::webhooks::WebhookEvent;

use super::*;

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
        require_status(&row, &[SubmissionStatus::Submitted])?;
        let updated: Row = diesel::update(s::table.find(row.id))
            .set((
                s::status.eq(if accept { SubmissionStatus::Accepted } else { SubmissionStatus::Returned }.as_str()),
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
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
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
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
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
