//! Converting a prospect into a member (kết nạp).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::access::visible_prospect;
use super::wire::{Conversion, Prospect, ProspectStatus};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, etag};
use crate::members::registration::{register, require_member_unit};
use crate::members::validate::clean;
use crate::members::wire::Member;
use crate::org_units::access::visible_unit;
use crate::schema::prospects as p;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Register a prospect as a member
///
/// She joins with the data already on file plus what membership adds (join date, card, …). The
/// prospect keeps a link to the member record and the member to the prospect.
#[utoipa::path(
    tag = "prospects",
    operation_id = "convert_prospect",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prospect id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = Conversion,
    responses(
        (status = 201, description = "She is a member.", body = Member, headers(("Location" = String, description = "URL of the member."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/prospects/{id}/convert")]
pub async fn convert_prospect(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<Conversion>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let conversion = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let request =
        IdempotentRequest::new(&req, caller.idempotency_owner(), key, &conversion, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let prospect = Prospect::from(visible_prospect(conn, &caller, id, true).await?);
        if prospect.status != ProspectStatus::Open {
            return Err(ApiError::state_conflict(
                "prospect_not_open",
                "Chỉ kết nạp người còn trong danh sách vận động.",
                "Only an open prospect can be converted.",
            ));
        }
        let sensitive =
            conversion.cccd.is_some() || conversion.ethnicity_code.is_some() || conversion.religion_code.is_some();
        let input = conversion.clone().into_member(&prospect, conversion.joined_on.unwrap_or(today));
        let clean = clean(&input, today)?;
        let unit = visible_unit(conn, &caller, input.unit_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &unit.path.0)?;
        if sensitive {
            caller.require(Permission::MembersSensitive, &unit.path.0)?;
        }
        require_member_unit(&unit)?;
        let member = register(conn, &caller, &clean, &unit, Some(prospect.id), Uuid::now_v7()).await?;
        crate::pairs::progress::prospect_joined(conn, prospect.id, member.id, clean.joined_on).await?;
        diesel::update(p::table.find(id))
            .set((
                p::status.eq(ProspectStatus::Converted.as_str()),
                p::converted_member_id.eq(member.id),
                p::converted_on.eq(clean.joined_on),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("prospect.convert")
                    .object("prospect", id)
                    .unit(unit.id)
                    .details(serde_json::json!({"member_id": member.id})),
            )
            .await?;
        let member = Member::basic(member);
        Ok(StoredResponse::json(StatusCode::CREATED, &member)?
            .header(header::LOCATION, format!("/api/v1/members/{}", member.id))
            .header(header::ETAG, etag(member.version)))
    })
    .await
}
