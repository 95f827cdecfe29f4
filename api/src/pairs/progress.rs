//! A pair's path: stages forward (or back, by an officer with a reason), closing with an
//! outcome, and the recruit closing itself when the prospect joins.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::access::{may_revert_stage, visible_pair};
use super::models::PairRow;
use super::read::one;
use super::wire::PairStatus;
use super::wire::{Closing, Pair, PairClose, StageChange};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, etag};
use crate::schema::{members, pair_stage_events as se, pairs as p};
use crate::state::AppState;
use crate::time::today_in_vietnam;

fn closed() -> ApiError {
    ApiError::state_conflict("pair_closed", "Cặp này đã kết thúc.", "This pair is closed.")
}

/// Move a pair to a stage
///
/// Forward to any later stage of its kind, dated no earlier than the previous one. Back to an
/// earlier stage only by an officer (`org_units:write` on the pair's unit) with a `reason`.
/// Reaching the kind's `achieved_stage` achieves the pair; for `party_nurture`, reaching
/// `admitted` also records the mentee's Party membership from that day.
#[utoipa::path(tag = "pairs", operation_id = "record_pair_stage", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pair id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = StageChange,
    responses((status = 200, description = "The pair at its new stage.", body = Pair),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/pairs/{id}/stage")]
pub async fn record_pair_stage(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<StageChange>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let day = input.reached_on.unwrap_or(today);
    if day > today {
        return Err(ApiError::invalid(
            "reached_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let (row, kind) = visible_pair(conn, &caller, id.into_inner(), true).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        if row.status() != PairStatus::Active {
            return Err(closed());
        }
        let target = kind.stages.iter().position(|s| *s == input.stage).ok_or_else(|| {
            ApiError::invalid(
                "stage",
                "unknown_stage",
                "Loại cặp này không có giai đoạn đó.",
                "This kind has no such stage.",
            )
        })?;
        let current = row.stage.as_ref().and_then(|s| kind.stages.iter().position(|k| k == s));
        let backwards = current.is_some_and(|c| target <= c);
        if backwards {
            if !may_revert_stage(&caller, &row) {
                return Err(ApiError::invalid(
                    "stage",
                    "backwards",
                    "Chỉ chuyển tới giai đoạn sau; cán bộ hội mới được lùi lại (kèm lý do).",
                    "Stages only move forward; an officer may revert with a reason.",
                ));
            }
            if reason.is_empty() {
                return Err(ApiError::invalid(
                    "reason",
                    "required",
                    "Cần nêu lý do khi lùi giai đoạn.",
                    "A reason is required to revert.",
                ));
            }
        } else {
            let last: Option<NaiveDate> =
                se::table.filter(se::pair_id.eq(row.id)).select(diesel::dsl::max(se::reached_on)).first(conn).await?;
            if day < row.started_on || last.is_some_and(|l| day < l) {
                return Err(ApiError::invalid(
                    "reached_on",
                    "before_previous_stage",
                    "Ngày sớm hơn giai đoạn trước hoặc ngày bắt đầu.",
                    "Earlier than the previous stage or the start.",
                ));
            }
        }
        diesel::insert_into(se::table)
            .values((
                se::id.eq(Uuid::now_v7()),
                se::pair_id.eq(row.id),
                se::stage.eq(&input.stage),
                se::reached_on.eq(day),
                se::reverted.eq(backwards),
                se::reason.eq(&reason),
                se::recorded_by.eq(caller.principal.user_id()),
            ))
            .execute(conn)
            .await?;
        let achieved = !backwards && kind.achieved_stage.as_deref() == Some(input.stage.as_str());
        let updated: PairRow = diesel::update(p::table.find(row.id))
            .set((
                p::stage.eq(&input.stage),
                achieved.then(|| (p::status.eq("achieved"), p::ended_on.eq(day))),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PairRow::as_returning())
            .get_result(conn)
            .await?;
        if let (true, "party_nurture", Some(mentee)) = (achieved, kind.code.as_str(), row.mentee_member_id) {
            diesel::update(members::table.find(mentee))
                .set((
                    members::party_member.eq(true),
                    members::party_joined_on.eq(day),
                    members::version.eq(members::version + 1),
                    members::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
        }
        caller
            .audit(
                conn,
                AuditEvent::new("pair.stage")
                    .object("pair", row.id)
                    .unit(row.unit_id)
                    .details(serde_json::json!({"stage": input.stage, "reverted": backwards})),
            )
            .await?;
        let pair = one(conn, updated).await?;
        Ok(StoredResponse::json(StatusCode::OK, &pair)?.header(header::ETAG, etag(pair.version)))
    })
    .await
}

/// Close a pair
///
/// `achieved` with its outcome (e.g. out of poverty), or `ended` without it. Kinds with an
/// achieved stage are achieved by reaching it; a recruit is achieved when the prospect joins
/// (`POST /prospects/{id}/convert`), which closes the pair by itself.
#[utoipa::path(tag = "pairs", operation_id = "close_pair", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pair id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = PairClose,
    responses((status = 200, description = "Closed.", body = Pair),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/pairs/{id}/close")]
pub async fn close_pair(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<PairClose>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let outcome = bounded_text("outcome", &input.outcome, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let day = input.ended_on.unwrap_or(today);
    if day > today {
        return Err(ApiError::invalid(
            "ended_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let (row, kind) = visible_pair(conn, &caller, id.into_inner(), true).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        if row.status() != PairStatus::Active {
            return Err(closed());
        }
        if day < row.started_on {
            return Err(ApiError::invalid(
                "ended_on",
                "before_start",
                "Ngày kết thúc sớm hơn ngày bắt đầu.",
                "Earlier than the start.",
            ));
        }
        if input.status == Closing::Achieved {
            if row.mentee_prospect_id.is_some() {
                return Err(ApiError::invalid(
                    "status",
                    "achieved_by_joining",
                    "Cặp vận động đạt khi người được vận động vào hội.",
                    "A recruit is achieved when the prospect joins.",
                ));
            }
            if kind.achieved_stage.as_ref().is_some_and(|stage| row.stage.as_ref() != Some(stage)) {
                return Err(ApiError::invalid(
                    "status",
                    "stage_not_reached",
                    "Cặp này đạt khi tới giai đoạn cuối.",
                    "This kind is achieved by reaching its final stage.",
                ));
            }
        }
        let status = if input.status == Closing::Achieved { PairStatus::Achieved } else { PairStatus::Ended };
        let updated: PairRow = diesel::update(p::table.find(row.id))
            .set((
                p::status.eq(status.as_str()),
                p::ended_on.eq(day),
                p::outcome.eq(&outcome),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PairRow::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("pair.close")
                    .object("pair", row.id)
                    .unit(row.unit_id)
                    .details(serde_json::json!({"status": status.as_str()})),
            )
            .await?;
        if status == PairStatus::Achieved {
            let data = serde_json::json!({"pair_id": row.id, "unit_id": row.unit_id, "kind": updated.kind});
            crate::webhooks::outbox::record(
                conn,
                crate::webhooks::WebhookEvent::PairAchieved,
                &updated.unit_path.0,
                data,
            )
            .await?;
        }
        let pair = one(conn, updated).await?;
        Ok(StoredResponse::json(StatusCode::OK, &pair)?.header(header::ETAG, etag(pair.version)))
    })
    .await
}

/// She joined: every active pair with this prospect as mentee is achieved, linked to the new
/// membership. Returns how many pairs closed.
pub async fn prospect_joined(
    conn: &mut AsyncPgConnection,
    prospect: Uuid,
    member: Uuid,
    joined_on: NaiveDate,
) -> Result<usize, ApiError> {
    let open: Vec<(Uuid, NaiveDate)> = p::table
        .filter(p::mentee_prospect_id.eq(prospect))
        .filter(p::status.eq("active"))
        .select((p::id, p::started_on))
        .load(conn)
        .await?;
    for (id, started_on) in &open {
        diesel::update(p::table.find(id))
            .set((
                p::status.eq("achieved"),
                p::ended_on.eq(joined_on.max(*started_on)),
                p::result_member_id.eq(member),
                p::outcome.eq("Đã vào hội / Joined the union"),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(open.len())
}
