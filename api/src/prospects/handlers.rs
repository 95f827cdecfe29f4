use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use super::access::visible_prospect;
use super::models::ProspectRow;
use super::validate::{check_assignee, clean_prospect};
use super::wire::{NewProspect, Prospect, ProspectListQuery, ProspectPatch, ProspectStatus};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::members::registration::require_member_unit;
use crate::members::validate::search_key;
use crate::org_units::access::visible_unit;
use crate::schema::prospects as p;
use crate::state::AppState;
use crate::text::collate::person_sort_key;
use crate::time::today_in_vietnam;

/// List prospects
///
/// Women 18+ not yet members (đối tượng vận động) in the units the caller sees, with the member
/// assigned to reach out to each; paginated.
#[utoipa::path(
    tag = "prospects",
    operation_id = "list_prospects",
    security(("bearer" = [])),
    params(ProspectListQuery),
    responses(
        (status = 200, description = "A page of prospects, by name the Vietnamese way.", body = super::wire::ProspectPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/prospects")]
pub async fn list_prospects(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ProspectListQuery>,
) -> Result<web::Json<Page<Prospect>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(String, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::MembersRead)?;
    let mut conn = state.pool.get().await?;
    let mut select = p::table
        .filter(p::unit_path.contained_by_any(scope.paths()))
        .select((ProspectRow::as_select(), p::sort_key))
        .order((p::sort_key.asc(), p::id.asc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(unit) = query.unit {
        let unit = visible_unit(&mut conn, &caller, unit, Permission::MembersRead).await?;
        select = select.filter(p::unit_path.contained_by(unit.path));
    }
    if let Some(status) = query.status {
        select = select.filter(p::status.eq(status.as_str()));
    }
    if let Some(member) = query.assigned_member_id {
        select = select.filter(p::assigned_member_id.eq(member));
    }
    if let Some((key, id)) = page.after.clone() {
        select = select.filter(p::sort_key.gt(key.clone()).or(p::sort_key.eq(key).and(p::id.gt(id))));
    }
    let rows: Vec<(ProspectRow, String)> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |(r, key)| (key.clone(), r.id), |(r, _)| Prospect::from(r))))
}

/// Add a prospect
///
/// Adds a woman not yet a member, with her address and notes, so a member can reach out to her (a
/// "1+1" recruit pair).
#[utoipa::path(
    tag = "prospects",
    operation_id = "create_prospect",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewProspect,
    responses(
        (status = 201, description = "Added.", body = Prospect),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/prospects")]
pub async fn create_prospect(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewProspect>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let c = clean_prospect(
        &input.family_name,
        &input.middle_name,
        &input.given_name,
        input.birth_date,
        input.birth_year,
        input.phone.as_deref(),
        &input.address,
        &input.notes,
        today_in_vietnam(Utc::now()),
    )?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, input.unit_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &unit.path.0)?;
        require_member_unit(&unit)?;
        check_assignee(conn, &caller, input.assigned_member_id).await?;
        let row: ProspectRow = diesel::insert_into(p::table)
            .values((
                p::id.eq(Uuid::now_v7()),
                p::family_name.eq(&c.family_name),
                p::middle_name.eq(&c.middle_name),
                p::given_name.eq(&c.given_name),
                p::search_key.eq(search_key(&c.family_name, &c.middle_name, &c.given_name)),
                p::sort_key.eq(person_sort_key(&c.family_name, &c.middle_name, &c.given_name)),
                p::birth_date.eq(c.birth_date),
                p::birth_year.eq(c.birth_year),
                p::phone.eq(&c.phone),
                p::address.eq(&c.address),
                p::unit_id.eq(unit.id),
                p::unit_path.eq(unit.path.clone()),
                p::assigned_member_id.eq(input.assigned_member_id),
                p::notes.eq(&c.notes),
            ))
            .returning(ProspectRow::as_returning())
            .get_result(conn)
            .await?;
        let prospect = Prospect::from(row);
        caller.audit(conn, AuditEvent::new("prospect.create").object("prospect", prospect.id).unit(unit.id)).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &prospect)?
            .header(header::LOCATION, format!("/api/v1/prospects/{}", prospect.id))
            .header(header::ETAG, etag(prospect.version)))
    })
    .await
}

/// Get a prospect
///
/// One prospect: her name, unit, address, notes, the member assigned to her and, once she joins,
/// the member record she became.
#[utoipa::path(
    tag = "prospects",
    operation_id = "get_prospect",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prospect id.")),
    responses(
        (status = 200, description = "The prospect.", body = Prospect, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/prospects/{id}")]
pub async fn get_prospect(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let prospect = Prospect::from(visible_prospect(&mut conn, &caller, id.into_inner(), false).await?);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(prospect.version))).json(prospect))
}

/// Change a prospect
///
/// Corrections, another assigned member, or `dropped`. Needs `If-Match`.
#[utoipa::path(
    tag = "prospects",
    operation_id = "update_prospect",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Prospect id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = ProspectPatch,
    responses(
        (status = 200, description = "Changed.", body = Prospect, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/prospects/{id}")]
pub async fn update_prospect(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ProspectPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let mut conn = state.pool.get().await?;
    let prospect = in_transaction(&mut conn, async |conn| {
        let current = visible_prospect(conn, &caller, id, true).await?;
        caller.require(Permission::MembersWrite, &current.unit_path.0)?;
        let current = Prospect::from(current);
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        if current.status == ProspectStatus::Converted {
            return Err(ApiError::state_conflict(
                "prospect_converted",
                "Người này đã vào hội; hãy sửa hồ sơ hội viên.",
                "She is a member now; correct the member record.",
            ));
        }
        if patch.status == Some(ProspectStatus::Converted) {
            return Err(ApiError::invalid_field(
                "status",
                "use_conversion",
                Text::new("Kết nạp bằng POST /prospects/{id}/convert.", "Convert with POST /prospects/{id}/convert."),
            ));
        }
        let c = clean_prospect(
            patch.family_name.as_deref().unwrap_or(&current.family_name),
            patch.middle_name.as_deref().unwrap_or(&current.middle_name),
            patch.given_name.as_deref().unwrap_or(&current.given_name),
            patch.birth_date.or(current.birth_date),
            patch.birth_year.or(current.birth_year),
            patch.phone.as_deref().or(current.phone.as_deref()),
            patch.address.as_deref().unwrap_or(&current.address),
            patch.notes.as_deref().unwrap_or(&current.notes),
            today,
        )?;
        check_assignee(conn, &caller, patch.assigned_member_id).await?;
        let row: ProspectRow = diesel::update(p::table.find(id))
            .set((
                p::family_name.eq(&c.family_name),
                p::middle_name.eq(&c.middle_name),
                p::given_name.eq(&c.given_name),
                p::search_key.eq(search_key(&c.family_name, &c.middle_name, &c.given_name)),
                p::sort_key.eq(person_sort_key(&c.family_name, &c.middle_name, &c.given_name)),
                p::birth_date.eq(c.birth_date),
                p::birth_year.eq(c.birth_year),
                p::phone.eq(&c.phone),
                p::address.eq(&c.address),
                p::notes.eq(&c.notes),
                patch.assigned_member_id.map(|m| p::assigned_member_id.eq(m)),
                patch.status.map(|s| p::status.eq(s.as_str())),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ProspectRow::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("prospect.update").object("prospect", id).unit(row.unit_id)).await?;
        Ok(Prospect::from(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(prospect.version))).json(prospect))
}
