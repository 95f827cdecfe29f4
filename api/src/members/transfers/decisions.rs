//! Starting a transfer and the decisions on it: accept, reject, cancel.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{NewTransfer, Transfer, TransferDecision, TransferStatus, visible_transfer};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text};
use crate::members::access::visible_member;
use crate::members::queries;
use crate::members::registration::require_member_unit;
use crate::members::wire::MemberStatus;
use crate::org_units::access::visible_unit;
use crate::schema::{member_transfers as t, members};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Start a transfer
///
/// The sending side (`members:write` on her unit) asks to move the member to another branch or
/// group, possibly in another commune. She becomes `transferring` and keeps counting here.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member_transfer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewTransfer,
    responses(
        (status = 201, description = "Requested.", body = Transfer),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/members/{id}/transfers")]
pub async fn create_member_transfer(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewTransfer>,
) -> Result<HttpResponse, ApiError> {
    let member_id = id.into_inner();
    let input = body.into_inner();
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let requested_on = input.requested_on.unwrap_or(today);
    if requested_on > today {
        return Err(ApiError::invalid_field(
            "requested_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = visible_member(conn, &caller, member_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        let member = queries::find_for_update(conn, member_id).await?.ok_or(ApiError::NotFound)?;
        if member.status() != MemberStatus::Active {
            return Err(ApiError::state_conflict(
                "not_active",
                "Chỉ chuyển sinh hoạt cho hội viên đang sinh hoạt.",
                "Only an active member can be transferred.",
            ));
        }
        // The destination may be another commune's: it need only exist and take members.
        let destination = crate::org_units::queries::find(conn, input.to_unit_id).await?.ok_or(ApiError::NotFound)?;
        require_member_unit(&destination).map_err(|_| {
            ApiError::invalid_field(
                "to_unit_id",
                "not_a_branch_or_group",
                Text::new(
                    "Đơn vị nhận phải là chi hội hoặc tổ đang hoạt động.",
                    "The destination must be an open branch or group.",
                ),
            )
        })?;
        if destination.id == member.unit_id {
            return Err(ApiError::invalid_field(
                "to_unit_id",
                "same_unit",
                Text::new("Hội viên đã ở đơn vị này.", "She is already in this unit."),
            ));
        }
        let transfer_id = Uuid::now_v7();
        diesel::insert_into(t::table)
            .values((
                t::id.eq(transfer_id),
                t::member_id.eq(member.id),
                t::from_unit_id.eq(member.unit_id),
                t::to_unit_id.eq(destination.id),
                t::to_unit_path.eq(destination.path.clone()),
                t::requested_on.eq(requested_on),
                t::reason.eq(&reason),
                t::requested_by.eq(caller.principal.user_id()),
            ))
            .execute(conn)
            .await?;
        diesel::update(members::table.find(member.id))
            .set((
                members::status.eq("transferring"),
                members::version.eq(members::version + 1),
                members::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.transfer_request")
                    .object("member", member.id)
                    .unit(member.unit_id)
                    .details(serde_json::json!({"transfer_id": transfer_id, "to_unit_id": destination.id})),
            )
            .await?;
        let (transfer, _, _) = visible_transfer(conn, &caller, transfer_id).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &transfer)?
            .header(header::LOCATION, format!("/api/v1/transfers/{transfer_id}")))
    })
    .await
}

enum Decision {
    Accept,
    Reject,
    Cancel,
}

async fn decide(
    req: &HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: Uuid,
    key: IdempotencyKey,
    body: TransferDecision,
    decision: Decision,
) -> Result<HttpResponse, ApiError> {
    let today = today_in_vietnam(Utc::now());
    let decided_on = body.decided_on.unwrap_or(today);
    let reason = bounded_text("reason", &body.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    if decided_on > today {
        return Err(ApiError::invalid_field(
            "decided_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    let request = IdempotentRequest::new(req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let (transfer, from_path, to_path) = visible_transfer(conn, &caller, id).await?;
        // The receiving side decides; the sending side may withdraw.
        let side = match decision {
            Decision::Accept | Decision::Reject => to_path.clone(),
            Decision::Cancel => from_path,
        };
        caller.require(Permission::MembersWrite, &side)?;
        if transfer.status != TransferStatus::Pending {
            return Err(ApiError::state_conflict(
                "transfer_decided",
                "Thủ tục chuyển sinh hoạt này đã được quyết định.",
                "This transfer was already decided.",
            ));
        }
        if decided_on < transfer.requested_on {
            return Err(ApiError::invalid_field(
                "decided_on",
                "before_request",
                Text::new("Ngày quyết định sớm hơn ngày đề nghị.", "Earlier than the request."),
            ));
        }
        let member = queries::find_for_update(conn, transfer.member_id).await?.ok_or(ApiError::NotFound)?;
        let (status, action) = match decision {
            Decision::Accept => {
                let mut destination =
                    crate::org_units::queries::find(conn, transfer.to_unit_id).await?.ok_or(ApiError::NotFound)?;
                if let Some(unit) = body.unit_id.filter(|u| *u != destination.id) {
                    let group = visible_unit(conn, &caller, unit, Permission::MembersRead).await?;
                    if group.parent_id != Some(destination.id) || group.level != "group" {
                        return Err(ApiError::invalid_field(
                            "unit_id",
                            "not_a_group_of_destination",
                            Text::new("Phải là một tổ của chi hội nhận.", "Must be a group of the receiving branch."),
                        ));
                    }
                    destination = group;
                }
                require_member_unit(&destination)?;
                queries::end_placement(conn, member.id, decided_on).await?;
                queries::start_placement(conn, member.id, destination.id, &destination.path, decided_on).await?;
                let by = caller.principal.user_id();
                queries::record_event(
                    conn,
                    member.id,
                    "transfer_out",
                    decided_on,
                    &transfer.reason,
                    Some(member.unit_id),
                    Some(destination.id),
                    Some(id),
                    by,
                )
                .await?;
                queries::record_event(
                    conn,
                    member.id,
                    "transfer_in",
                    decided_on,
                    &transfer.reason,
                    Some(member.unit_id),
                    Some(destination.id),
                    Some(id),
                    by,
                )
                .await?;
                ("accepted", "member.transfer_accept")
            }
            Decision::Reject => ("rejected", "member.transfer_reject"),
            Decision::Cancel => ("cancelled", "member.transfer_cancel"),
        };
        diesel::update(t::table.find(id))
            .set((
                t::status.eq(status),
                t::decided_on.eq(decided_on),
                t::decision_reason.eq(&reason),
                t::decided_by.eq(caller.principal.user_id()),
                t::version.eq(t::version + 1),
                t::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        diesel::update(members::table.find(member.id))
            .set((
                members::status.eq("active"),
                members::version.eq(members::version + 1),
                members::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new(action)
                    .object("member", member.id)
                    .unit(transfer.to_unit_id)
                    .details(serde_json::json!({"transfer_id": id})),
            )
            .await?;
        StoredResponse::json(StatusCode::OK, &visible_transfer(conn, &caller, id).await?.0)
    })
    .await
}

/// Accept a transfer
///
/// The receiving unit takes her in from `decided_on`: her placement ends at the sending unit
/// and starts here the same day.
#[utoipa::path(
    tag = "members",
    operation_id = "accept_transfer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Transfer id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = TransferDecision,
    responses(
        (status = 200, description = "Accepted.", body = Transfer),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/transfers/{id}/accept")]
pub async fn accept_transfer(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferDecision>,
) -> Result<HttpResponse, ApiError> {
    decide(&req, caller, state, id.into_inner(), key, body.into_inner(), Decision::Accept).await
}

/// Reject a transfer
///
/// The receiving unit declines; she stays where she was.
#[utoipa::path(
    tag = "members",
    operation_id = "reject_transfer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Transfer id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = TransferDecision,
    responses(
        (status = 200, description = "Rejected.", body = Transfer),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/transfers/{id}/reject")]
pub async fn reject_transfer(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferDecision>,
) -> Result<HttpResponse, ApiError> {
    decide(&req, caller, state, id.into_inner(), key, body.into_inner(), Decision::Reject).await
}

/// Cancel a transfer
///
/// The sending side withdraws its request.
#[utoipa::path(
    tag = "members",
    operation_id = "cancel_transfer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Transfer id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = TransferDecision,
    responses(
        (status = 200, description = "Cancelled.", body = Transfer),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/transfers/{id}/cancel")]
pub async fn cancel_transfer(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<TransferDecision>,
) -> Result<HttpResponse, ApiError> {
    decide(&req, caller, state, id.into_inner(), key, body.into_inner(), Decision::Cancel).await
}
