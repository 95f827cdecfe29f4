//! Self-service for members (hội viên tự phục vụ): her own record and history, corrections of
//! her contact data, and requests about her personal data (Law 91/2025: access, deletion).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::lifecycle::{EventListQuery, MemberEventPage, events_page};
use super::models::MemberRow;
use super::queries;
use super::wire::Member;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::person::phone;
use crate::schema::{data_requests, members, users};
use crate::state::AppState;

/// The member record linked to the calling account, for reading (`me:read`) or changing
/// (`me:write`) it; 403 for machine clients and for API tokens without that scope, 404 when
/// the account is not linked to a member.
pub async fn own_member_id(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    permission: Permission,
) -> Result<Uuid, ApiError> {
    caller.require_self(permission)?;
    let user = caller.principal.user_id().ok_or(ApiError::Forbidden)?;
    let linked: Option<Uuid> = users::table.find(user).select(users::member_id).first(conn).await?;
    linked.ok_or(ApiError::NotFound)
}

/// My member record
///
/// The calling account's own member record, sensitive fields included: it is her own data.
#[utoipa::path(tag = "me", operation_id = "get_my_member", security(("bearer" = ["me:read"])),
    responses((status = 200, description = "Her record.", body = Member, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/me/member")]
pub async fn get_my_member(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let id = own_member_id(&mut conn, &caller, Permission::MeRead).await?;
    let member = Member::with_sensitive(queries::find(&mut conn, id).await?.ok_or(ApiError::NotFound)?);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(member.version))).json(member))
}

/// Corrections a member makes to her own contact data.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "0987 654 321", "address": "Ấp An Lợi, xã Hưng Nhượng"}))]
pub struct OwnContactPatch {
    /// Her phone number.
    pub phone: Option<String>,
    /// Her address.
    pub address: Option<String>,
}

/// Correct my contact data
///
/// The member corrects her own contact data as the registry holds it; other fields are kept by her
/// branch (`If-Match` required).
#[utoipa::path(tag = "me", operation_id = "update_my_member", security(("bearer" = ["me:write"])),
    params(("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = OwnContactPatch,
    responses((status = 200, description = "Corrected.", body = Member),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/me/member")]
pub async fn update_my_member(
    caller: Caller,
    state: web::Data<AppState>,
    if_match: IfMatch,
    body: ApiJson<OwnContactPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let mut v = Validator::new();
    let new_phone = match patch.phone.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(raw) => {
            let normalized = phone::normalize(raw);
            v.check(
                normalized.is_some(),
                "phone",
                "invalid_format",
                Text::new("Số điện thoại không hợp lệ.", "Not a Vietnamese phone number."),
            );
            Some(normalized)
        }
        None => None,
    };
    let address = match &patch.address {
        Some(a) => v.result(bounded_text("address", a, 300)),
        None => None,
    };
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let member = in_transaction(&mut conn, async |conn| {
        let id = own_member_id(conn, &caller, Permission::MeWrite).await?;
        let current = queries::find_for_update(conn, id).await?.ok_or(ApiError::NotFound)?;
        precondition::check(&if_match, current.version, || {
            serde_json::to_value(Member::basic(current.clone())).unwrap_or_default()
        })?;
        let updated: MemberRow = diesel::update(members::table.find(id))
            .set((
                new_phone.clone().map(|p| members::phone.eq(p)),
                address.clone().map(|a| members::address.eq(a)),
                members::version.eq(members::version + 1),
                members::updated_at.eq(diesel::dsl::now),
            ))
            .returning(MemberRow::as_returning())
            .get_result(conn)
            .await?;
        let mut fields = Vec::new();
        if new_phone.is_some() {
            fields.push("phone");
        }
        if address.is_some() {
            fields.push("address");
        }
        caller
            .audit(
                conn,
                AuditEvent::new("member.self_correction").object("member", id).unit(updated.unit_id).fields(fields),
            )
            .await?;
        Ok::<_, ApiError>(Member::with_sensitive(updated))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(member.version))).json(member))
}

/// My membership history
///
/// The member's own membership history (lịch sử sinh hoạt hội): joining, transfers, leaving, each
/// with its date and units.
#[utoipa::path(tag = "me", operation_id = "list_my_member_events", security(("bearer" = ["me:read"])),
    params(EventListQuery),
    responses((status = 200, description = "Her lifecycle events.", body = MemberEventPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/me/member/events")]
pub async fn list_my_member_events(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<EventListQuery>,
) -> Result<web::Json<Page<super::lifecycle::MemberEvent>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let id = own_member_id(&mut conn, &caller, Permission::MeRead).await?;
    Ok(web::Json(events_page(&mut conn, id, page).await?))
}

/// Kind of request about her personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataRequestKind {
    /// A copy of everything held about her.
    Export,
    /// Deletion of her personal data (what the law lets the union delete).
    Deletion,
}

/// A request about her personal data (yêu cầu về dữ liệu cá nhân).
#[derive(Debug, Serialize, ToSchema)]
pub struct DataRequest {
    pub id: Uuid,
    pub kind: DataRequestKind,
    /// `open` until the union handles it.
    pub status: String,
    /// What she asks, in her words.
    pub note: String,
    /// When she asked.
    pub requested_at: DateTime<Utc>,
}

/// A request to make.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "export", "note": "Tôi muốn xem dữ liệu Hội đang lưu về tôi"}))]
pub struct NewDataRequest {
    pub kind: DataRequestKind,
    /// What she asks, in her words.
    #[serde(default)]
    pub note: String,
}

/// Request an export or deletion of my personal data
///
/// Recorded for the union to handle within the legal time limit; the audit trail keeps it.
#[utoipa::path(tag = "me", operation_id = "create_my_data_request", security(("bearer" = ["me:write"])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewDataRequest,
    responses((status = 201, description = "Recorded.", body = DataRequest),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/me/data-requests")]
pub async fn create_my_data_request(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewDataRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let note = bounded_text("note", &input.note, 1000).map_err(|i| ApiError::Validation(vec![i]))?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = own_member_id(conn, &caller, Permission::MeWrite).await?;
        let kind = if input.kind == DataRequestKind::Export { "export" } else { "deletion" };
        let (id, requested_at): (Uuid, DateTime<Utc>) = diesel::insert_into(data_requests::table)
            .values((
                data_requests::id.eq(Uuid::now_v7()),
                data_requests::member_id.eq(member),
                data_requests::kind.eq(kind),
                data_requests::note.eq(&note),
                data_requests::requested_by.eq(caller.principal.user_id()),
            ))
            .returning((data_requests::id, data_requests::requested_at))
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.data_request")
                    .object("member", member)
                    .details(serde_json::json!({"kind": kind, "request_id": id})),
            )
            .await?;
        let request = DataRequest { id, kind: input.kind, status: "open".into(), note: note.clone(), requested_at };
        StoredResponse::json(StatusCode::CREATED, &request)
    })
    .await
}
