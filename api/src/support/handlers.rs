//! Recording support and reading the ledger. Every read needs `members:sensitive` and writes an
//! audit row.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use super::access::visible_entry;
use super::kinds;
use super::models::SupportRow;
use super::validate::{check_date, check_links, check_measure};
use super::wire::{NewSupport, SupportEntry, SupportListQuery, SupportPage};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::codes::known_code;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, Page, PageRequest, Text, etag};
use crate::members::access::visible_member;
use crate::members::queries::mark_met;
use crate::org_units::access::visible_unit;
use crate::privacy::consents::ProcessingPurpose;
use crate::privacy::withdrawn::ensure_not_withdrawn;
use crate::schema::support_entries as s;
use crate::schema::support_kinds;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// List support
///
/// The ledger of the caller's `members:sensitive` scope, newest first; voided entries only on
/// request. Audited.
#[utoipa::path(tag = "support", operation_id = "list_support", security(("bearer" = [])),
    params(SupportListQuery),
    responses((status = 200, description = "A page of support entries.", body = SupportPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/support")]
pub async fn list_support(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<SupportListQuery>,
) -> Result<web::Json<Page<SupportEntry>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::MembersSensitive)?;
    let mut conn = state.pool.get().await?;
    let mut select = s::table
        .select(SupportRow::as_select())
        .filter(s::unit_path.contained_by_any(scope.paths()))
        .order(s::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(unit) = query.unit {
        let unit = visible_unit(&mut conn, &caller, unit, Permission::MembersSensitive).await?;
        select = select.filter(s::unit_path.contained_by(unit.path));
    }
    if let Some(member) = query.member_id {
        select = select.filter(s::member_id.eq(member));
    }
    if let Some(kind) = &query.kind {
        let kinds: Vec<String> = support_kinds::table.select(support_kinds::code).load(&mut conn).await?;
        known_code("kind", kind, &kinds)?;
        select = select.filter(s::kind.eq(kind.clone()));
    }
    if let Some(source) = query.source {
        select = select.filter(s::source.eq(source.as_str()));
    }
    if let Some(pair) = query.pair_id {
        select = select.filter(s::pair_id.eq(pair));
    }
    if let Some(from) = query.from {
        select = select.filter(s::given_on.ge(from));
    }
    if let Some(to) = query.to {
        select = select.filter(s::given_on.le(to));
    }
    if !query.include_voided.unwrap_or(false) {
        select = select.filter(s::status.eq("recorded"));
    }
    if let Some(before) = page.after {
        select = select.filter(s::id.lt(before));
    }
    let rows: Vec<SupportRow> = select.load(&mut conn).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("support.read_sensitive").details(serde_json::json!({"entries": rows.len().min(200)})),
        )
        .await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, SupportEntry::from)))
}

/// Record support
///
/// Needs `members:write` and `members:sensitive` on her unit. With `need_id` and
/// `mark_need_met`, the need becomes met on `given_on`.
#[utoipa::path(tag = "support", operation_id = "create_support", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewSupport,
    responses((status = 201, description = "Recorded.", body = SupportEntry, headers(("Location" = String, description = "URL of the entry."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/support")]
pub async fn create_support(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewSupport>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let given_on = input.given_on.unwrap_or(today);
    let mut v = Validator::new();
    check_date(&mut v, "given_on", given_on, today);
    let source_detail = v.result(bounded_text("source_detail", &input.source_detail, 300)).unwrap_or_default();
    let follow_up = v.result(bounded_text("follow_up", &input.follow_up, 2000)).unwrap_or_default();
    let notes = v.result(bounded_text("notes", &input.notes, 2000)).unwrap_or_default();
    let unit_text = input.quantity_unit.as_deref().map(|u| v.result(bounded_text("quantity_unit", u, 40)));
    v.check(
        !input.mark_need_met || input.need_id.is_some(),
        "need_id",
        "required",
        Text::new("Cần ghi nhu cầu để đánh dấu đã đáp ứng.", "mark_need_met needs need_id."),
    );
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = visible_member(conn, &caller, input.member_id, Permission::MembersRead).await?;
        ensure_not_withdrawn(conn, member.id, ProcessingPurpose::SupportPrograms).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
        let kind = kinds::find(conn, &input.kind).await?.filter(|k| k.active);
        match &kind {
            Some(kind) => check_measure(&mut v, kind, input.amount_vnd, input.quantity),
            None => {
                v.add(crate::http::FieldIssue::new(
                    "kind",
                    "unknown_kind",
                    Text::new("Không có loại hỗ trợ này (hoặc đã ngừng).", "No such active support kind."),
                ));
            }
        }
        for issue in check_links(conn, &caller, member.id, input.need_id, input.pair_id, input.source).await? {
            v.add(issue);
        }
        v.finish()?;
        let kind = kind.ok_or(ApiError::NotFound)?;
        let quantity_unit = match (&unit_text, input.quantity) {
            (Some(Some(unit)), _) => unit.clone(),
            (_, Some(_)) => kind.default_quantity_unit.clone(),
            _ => String::new(),
        };
        let row: SupportRow = diesel::insert_into(s::table)
            .values((
                s::id.eq(Uuid::now_v7()),
                s::member_id.eq(member.id),
                s::unit_id.eq(member.unit_id),
                s::unit_path.eq(&member.unit_path),
                s::for_household.eq(input.for_household.unwrap_or(true)),
                s::kind.eq(&kind.code),
                s::amount_vnd.eq(input.amount_vnd),
                s::quantity.eq(input.quantity),
                s::quantity_unit.eq(&quantity_unit),
                s::source.eq(input.source.as_str()),
                s::source_detail.eq(&source_detail),
                s::given_on.eq(given_on),
                s::need_id.eq(input.need_id),
                s::pair_id.eq(input.pair_id),
                s::follow_up.eq(&follow_up),
                s::notes.eq(&notes),
                s::created_by.eq(caller.principal.user_id()),
            ))
            .returning(SupportRow::as_returning())
            .get_result(conn)
            .await?;
        if let (Some(need), true) = (input.need_id, input.mark_need_met) {
            ensure_not_withdrawn(conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
            // A need met through support is a change of her needs: audited as one.
            if mark_met(conn, need, given_on).await? > 0 {
                let event = AuditEvent::new("member.need_update")
                    .object("member", member.id)
                    .unit(member.unit_id)
                    .fields(["status", "met_on"])
                    .details(serde_json::json!({"need_id": need, "via": "support", "support_id": row.id}));
                caller.audit(conn, event).await?;
            }
        }
        caller
            .audit(
                conn,
                AuditEvent::new("support.create")
                    .object("support", row.id)
                    .unit(member.unit_id)
                    .fields(["kind", "amount_vnd", "quantity", "source"])
                    .details(serde_json::json!({"member_id": member.id})),
            )
            .await?;
        let entry = SupportEntry::from(row);
        Ok(StoredResponse::json(StatusCode::CREATED, &entry)?
            .header(header::LOCATION, format!("/api/v1/support/{}", entry.id))
            .header(header::ETAG, etag(entry.version)))
    })
    .await
}

/// Get a support entry
///
/// Audited.
#[utoipa::path(tag = "support", operation_id = "get_support", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Entry id.")),
    responses((status = 200, description = "The entry.", body = SupportEntry, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/support/{id}")]
pub async fn get_support(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = visible_entry(&mut conn, &caller, id.into_inner(), false).await?;
    caller
        .audit(&mut conn, AuditEvent::new("support.read_sensitive").object("support", row.id).unit(row.unit_id))
        .await?;
    let entry = SupportEntry::from(row);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(entry.version))).json(entry))
}
