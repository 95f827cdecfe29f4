//! Corrections, follow-ups, outcomes and voiding: versioned edits. Each change stores the
//! previous state in `support_revisions`, so nothing is silently lost.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::access::visible_entry;
use super::kinds;
use super::models::SupportRow;
use super::validate::{check_date, check_links, check_measure};
use super::wire::{SupportEntry, SupportPatch, SupportRevision};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, FieldIssue, IfMatch, Text, etag, precondition};
use crate::schema::{support_entries as s, support_revisions as r};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Correct or follow up a support entry
///
/// Any field may be corrected; an outcome may be added (`outcome_on` defaults to today); or
/// `status: voided` with `void_reason` cancels it (kept, excluded from totals). Needs
/// `members:write` and `members:sensitive`, and `If-Match`.
#[utoipa::path(tag = "support", operation_id = "update_support", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Entry id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = SupportPatch,
    responses((status = 200, description = "Updated.", body = SupportEntry),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed), (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/support/{id}")]
pub async fn update_support(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SupportPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let mut v = Validator::new();
    let text = |v: &mut Validator, field: &str, value: &Option<String>, max| {
        value.as_deref().and_then(|t| v.result(bounded_text(field, t, max)))
    };
    let source_detail = text(&mut v, "source_detail", &patch.source_detail, 300);
    let follow_up = text(&mut v, "follow_up", &patch.follow_up, 2000);
    let notes = text(&mut v, "notes", &patch.notes, 2000);
    let quantity_unit = text(&mut v, "quantity_unit", &patch.quantity_unit, 40);
    let void_reason = text(&mut v, "void_reason", &patch.void_reason, 500);
    let voiding = match patch.status.as_deref() {
        None => false,
        Some("voided") => true,
        Some(_) => {
            v.add(FieldIssue::new(
                "status",
                "invalid_value",
                Text::new("Chỉ có thể hủy (voided).", "Only `voided` is accepted."),
            ));
            false
        }
    };
    v.check(
        !voiding || void_reason.as_ref().is_some_and(|r| !r.is_empty()),
        "void_reason",
        "required",
        Text::new("Cần lý do hủy.", "A reason is required to void."),
    );
    if let Some(day) = patch.given_on {
        check_date(&mut v, "given_on", day, today);
    }
    if let Some(day) = patch.outcome_on {
        check_date(&mut v, "outcome_on", day, today);
    }
    let mut conn = state.pool.get().await?;
    let entry = in_transaction(&mut conn, async |conn| {
        let row = visible_entry(conn, &caller, id.into_inner(), true).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        let current = SupportEntry::from(row.clone());
        precondition::check(&if_match, row.version, || serde_json::to_value(&current).unwrap_or_default())?;
        if row.status == "voided" {
            return Err(ApiError::state_conflict(
                "support_voided",
                "Mục hỗ trợ này đã bị hủy.",
                "This entry is voided.",
            ));
        }
        let kind_code = patch.kind.clone().unwrap_or(row.kind.clone());
        match kinds::find(conn, &kind_code).await? {
            Some(kind) => {
                check_measure(&mut v, &kind, patch.amount_vnd.or(row.amount_vnd), patch.quantity.or(row.quantity))
            }
            None => {
                v.add(FieldIssue::new(
                    "kind",
                    "unknown_kind",
                    Text::new("Không có loại hỗ trợ này.", "No such support kind."),
                ));
            }
        }
        let source = patch.source.unwrap_or(current.source);
        for issue in check_links(conn, &caller, row.member_id, row.need_id, row.pair_id, source).await? {
            v.add(issue);
        }
        v.finish()?;
        diesel::insert_into(r::table)
            .values((
                r::id.eq(Uuid::now_v7()),
                r::entry_id.eq(row.id),
                r::version.eq(row.version),
                r::snapshot.eq(serde_json::to_value(&current).map_err(ApiError::internal)?),
                r::edited_by.eq(caller.principal.user_id()),
            ))
            .execute(conn)
            .await?;
        let outcome_on = match (patch.outcome, patch.outcome_on) {
            (Some(_), day) => Some(day.unwrap_or(today)),
            (None, Some(day)) if row.outcome.is_some() => Some(day),
            _ => row.outcome_on,
        };
        let updated: SupportRow = diesel::update(s::table.find(row.id))
            .set((
                s::kind.eq(&kind_code),
                patch.amount_vnd.map(|a| s::amount_vnd.eq(a)),
                patch.quantity.map(|q| s::quantity.eq(q)),
                quantity_unit.map(|u| s::quantity_unit.eq(u)),
                s::source.eq(source.as_str()),
                source_detail.map(|d| s::source_detail.eq(d)),
                patch.given_on.map(|d| s::given_on.eq(d)),
                follow_up.map(|f| s::follow_up.eq(f)),
                patch.outcome.map(|o| s::outcome.eq(o.as_str())),
                s::outcome_on.eq(outcome_on),
                notes.map(|n| s::notes.eq(n)),
                voiding.then(|| (s::status.eq("voided"), s::void_reason.eq(void_reason.clone().unwrap_or_default()))),
                s::version.eq(s::version + 1),
                s::updated_at.eq(diesel::dsl::now),
            ))
            .returning(SupportRow::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new(if voiding { "support.void" } else { "support.update" })
                    .object("support", row.id)
                    .unit(row.unit_id),
            )
            .await?;
        Ok(SupportEntry::from(updated))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(entry.version))).json(entry))
}

/// List earlier versions of a support entry
///
/// Newest first. Audited.
#[utoipa::path(tag = "support", operation_id = "list_support_revisions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Entry id.")),
    responses((status = 200, description = "Earlier versions (at most 200).", body = Vec<SupportRevision>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/support/{id}/revisions")]
pub async fn list_support_revisions(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<SupportRevision>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = visible_entry(&mut conn, &caller, id.into_inner(), false).await?;
    let revisions: Vec<(i32, serde_json::Value, Option<Uuid>, DateTime<Utc>)> = r::table
        .filter(r::entry_id.eq(row.id))
        .select((r::version, r::snapshot, r::edited_by, r::edited_at))
        .order(r::version.desc())
        .limit(200)
        .load(&mut conn)
        .await?;
    caller
        .audit(&mut conn, AuditEvent::new("support.read_sensitive").object("support", row.id).unit(row.unit_id))
        .await?;
    Ok(web::Json(
        revisions
            .into_iter()
            .map(|(version, snapshot, edited_by, edited_at)| SupportRevision {
                version,
                snapshot,
                edited_by,
                edited_at,
            })
            .collect(),
    ))
}
