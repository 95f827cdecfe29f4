//! Recording, listing and changing activities.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use super::access::visible_activity;
use super::kinds;
use super::models::{ActivityRow, one, to_wire};
use super::wire::{Activity, ActivityListQuery, ActivityPage, ActivityPatch, ActivityStatus, NewActivity};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::codes::known_code;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, FieldIssue, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::members::access::visible_member;
use crate::org_units::access::visible_unit;
use crate::org_units::lineage::members_on;
use crate::schema::activities as a;
use crate::schema::activity_kinds;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// List activities
///
/// Activities of the caller's `members:read` scope, newest first.
#[utoipa::path(tag = "activities", operation_id = "list_activities", security(("bearer" = [])),
    params(ActivityListQuery),
    responses((status = 200, description = "A page of activities.", body = ActivityPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/activities")]
pub async fn list_activities(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ActivityListQuery>,
) -> Result<web::Json<Page<Activity>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(chrono::NaiveDate, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::MembersRead)?;
    let mut conn = state.pool.get().await?;
    let mut select = a::table
        .select(ActivityRow::as_select())
        .filter(a::unit_path.contained_by_any(scope.paths()))
        .order((a::held_on.desc(), a::id.desc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(unit) = query.unit {
        let unit = visible_unit(&mut conn, &caller, unit, Permission::MembersRead).await?;
        select = select.filter(a::unit_path.contained_by(unit.path));
    }
    if let Some(kind) = &query.kind {
        let kinds: Vec<String> = activity_kinds::table.select(activity_kinds::code).load(&mut conn).await?;
        known_code("kind", kind, &kinds)?;
        select = select.filter(a::kind.eq(kind.clone()));
    }
    if let Some(from) = query.from {
        select = select.filter(a::held_on.ge(from));
    }
    if let Some(to) = query.to {
        select = select.filter(a::held_on.le(to));
    }
    if let Some(status) = query.status {
        select = select.filter(a::status.eq(status.as_str()));
    }
    if let Some((day, id)) = page.after {
        select = select.filter(a::held_on.lt(day).or(a::held_on.eq(day).and(a::id.lt(id))));
    }
    let rows: Vec<ActivityRow> = select.load(&mut conn).await?;
    let page = Page::from_rows(rows, page.limit, |r| (r.held_on, r.id), |r| r);
    Ok(web::Json(Page { items: to_wire(&mut conn, page.items).await?, next_cursor: page.next_cursor }))
}

/// Record or plan an activity
///
/// `expected` defaults to the unit's active regular members on that day. Needs `members:write`
/// on the unit.
#[utoipa::path(tag = "activities", operation_id = "create_activity", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewActivity,
    responses((status = 201, description = "Recorded.", body = Activity, headers(("Location" = String, description = "URL of the activity."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/activities")]
pub async fn create_activity(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewActivity>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let now = Utc::now();
    let mut v = Validator::new();
    let title = v.result(bounded_text("title", &input.title, 300)).unwrap_or_default();
    let topic = v.result(bounded_text("topic", &input.topic, 500)).unwrap_or_default();
    let location = v.result(bounded_text("location", &input.location, 300)).unwrap_or_default();
    let notes = v.result(bounded_text("notes", &input.notes, 2000)).unwrap_or_default();
    v.check(!title.is_empty(), "title", "required", Text::new("Cần tên buổi sinh hoạt.", "A title is required."));
    v.check(
        input.ends_at.is_none_or(|end| end >= input.starts_at),
        "ends_at",
        "before_start",
        Text::new("Kết thúc trước khi bắt đầu.", "Ends before it starts."),
    );
    v.check(
        input.expected.is_none_or(|e| (0..=100_000).contains(&e)),
        "expected",
        "out_of_range",
        Text::new("Từ 0 đến 100.000.", "Between 0 and 100,000."),
    );
    let status =
        input.status.unwrap_or(if input.starts_at <= now { ActivityStatus::Held } else { ActivityStatus::Planned });
    v.check(
        status != ActivityStatus::Held || input.starts_at <= now,
        "status",
        "in_future",
        Text::new("Chưa thể đã tổ chức một buổi trong tương lai.", "A future activity cannot be held yet."),
    );
    let held_on = today_in_vietnam(input.starts_at);
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, input.unit_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &unit.path.0)?;
        if kinds::find(conn, &input.kind).await?.filter(|k| k.active).is_none() {
            v.add(FieldIssue::new(
                "kind",
                "unknown_kind",
                Text::new("Không có loại hoạt động này.", "No such activity kind."),
            ));
        }
        if let Some(organiser) = input.organiser_member_id {
            visible_member(conn, &caller, organiser, Permission::MembersRead).await?;
        }
        v.finish()?;
        let expected = match input.expected {
            Some(e) => e,
            None => i32::try_from(members_on(conn, unit.id, held_on).await?.0).unwrap_or(i32::MAX),
        };
        let id = crate::http::validate::new_id(input.id)?;
        let row: ActivityRow = diesel::insert_into(a::table)
            .values((
                a::id.eq(id),
                a::unit_id.eq(unit.id),
                a::unit_path.eq(&unit.path),
                a::kind.eq(&input.kind),
                a::starts_at.eq(input.starts_at),
                a::held_on.eq(held_on),
                a::ends_at.eq(input.ends_at),
                a::title.eq(&title),
                a::topic.eq(&topic),
                a::location.eq(&location),
                a::organiser_member_id.eq(input.organiser_member_id),
                a::expected.eq(expected),
                a::notes.eq(&notes),
                a::status.eq(status.as_str()),
                a::created_by.eq(caller.principal.user_id()),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("activity.create").object("activity", id).unit(unit.id)).await?;
        let activity = one(conn, row).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &activity)?
            .header(header::LOCATION, format!("/api/v1/activities/{id}"))
            .header(header::ETAG, etag(activity.version)))
    })
    .await
}

/// Get an activity
///
/// One activity (sinh hoạt) of a unit the caller sees: its kind, date, status and notes, with its
/// `ETag` for a later change. An activity outside the caller's units is 404.
#[utoipa::path(tag = "activities", operation_id = "get_activity", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id.")),
    responses((status = 200, description = "The activity.", body = Activity, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/activities/{id}")]
pub async fn get_activity(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = visible_activity(&mut conn, &caller, id.into_inner(), false).await?;
    let activity = one(&mut conn, row).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(activity.version))).json(activity))
}

/// Change an activity
///
/// Corrections, or `cancelled`. Needs `If-Match`.
#[utoipa::path(tag = "activities", operation_id = "update_activity", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = ActivityPatch,
    responses((status = 200, description = "Updated.", body = Activity),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/activities/{id}")]
pub async fn update_activity(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ActivityPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let now = Utc::now();
    let mut v = Validator::new();
    let text = |v: &mut Validator, field: &str, value: &Option<String>, max| {
        value.as_deref().and_then(|t| v.result(bounded_text(field, t, max)))
    };
    let title = text(&mut v, "title", &patch.title, 300);
    let topic = text(&mut v, "topic", &patch.topic, 500);
    let location = text(&mut v, "location", &patch.location, 300);
    let notes = text(&mut v, "notes", &patch.notes, 2000);
    v.check(
        title.as_ref().is_none_or(|t| !t.is_empty()),
        "title",
        "required",
        Text::new("Cần tên.", "A title is required."),
    );
    v.check(
        patch.expected.is_none_or(|e| (0..=100_000).contains(&e)),
        "expected",
        "out_of_range",
        Text::new("Từ 0 đến 100.000.", "Between 0 and 100,000."),
    );
    let mut conn = state.pool.get().await?;
    let activity = in_transaction(&mut conn, async |conn| {
        let row = visible_activity(conn, &caller, id.into_inner(), true).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        let current = one(conn, row.clone()).await?;
        precondition::check(&if_match, row.version, || serde_json::to_value(&current).unwrap_or_default())?;
        let starts_at = patch.starts_at.unwrap_or(row.starts_at);
        let ends_at = patch.ends_at.or(row.ends_at);
        let status = patch.status.unwrap_or(current.status);
        v.check(
            ends_at.is_none_or(|end| end >= starts_at),
            "ends_at",
            "before_start",
            Text::new("Kết thúc trước khi bắt đầu.", "Ends before it starts."),
        );
        v.check(
            status != ActivityStatus::Held || starts_at <= now,
            "status",
            "in_future",
            Text::new("Chưa thể đã tổ chức một buổi trong tương lai.", "A future activity cannot be held yet."),
        );
        v.finish()?;
        let updated: ActivityRow = diesel::update(a::table.find(row.id))
            .set((
                title.map(|t| a::title.eq(t)),
                topic.map(|t| a::topic.eq(t)),
                location.map(|l| a::location.eq(l)),
                notes.map(|n| a::notes.eq(n)),
                a::starts_at.eq(starts_at),
                a::held_on.eq(today_in_vietnam(starts_at)),
                a::ends_at.eq(ends_at),
                patch.expected.map(|e| a::expected.eq(e)),
                a::status.eq(status.as_str()),
                a::version.eq(a::version + 1),
                a::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ActivityRow::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("activity.update").object("activity", row.id).unit(row.unit_id)).await?;
        one(conn, updated).await
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(activity.version))).json(activity))
}
