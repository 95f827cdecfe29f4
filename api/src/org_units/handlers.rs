use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::access::visible_unit;
use super::models::{NewOrgUnitRow, label};
use super::queries::{self, ListFilter, UnitCursor};
use super::wire::{NewOrgUnit, OrgUnit, OrgUnitListQuery};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::codes::known_code;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::pagination::invalid_cursor;
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, FieldIssue, Page, PageRequest, Text, etag};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Get an org unit
///
/// One org unit (đơn vị) of the tree the caller sees: level, name, official code, parent and the
/// dates it is valid between (a merged or closed unit has an end date).
#[utoipa::path(
    tag = "org_units",
    operation_id = "get_org_unit",
    security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")),
    responses(
        (status = 200, description = "The unit.", body = OrgUnit, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/org-units/{id}")]
pub async fn get_org_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let unit = OrgUnit::from(visible_unit(&mut conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(unit.version))).json(unit))
}

/// List org units
///
/// Units the caller may see (her grants' subtrees). `within` narrows to one subtree,
/// `parent_id` to direct children, `level` to one level. With `parent_id` or `level` the units
/// come by name in Vietnamese order (a ă â b c d đ e ê …, tone marks breaking ties); otherwise
/// in tree order, each unit after its parent (and with `as_of`, always in tree order).
#[utoipa::path(
    tag = "org_units",
    operation_id = "list_org_units",
    security(("bearer" = []), ("client_credentials" = [])),
    params(OrgUnitListQuery),
    responses(
        (status = 200, description = "A page of units.", body = super::wire::OrgUnitPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/org-units")]
pub async fn list_org_units(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<OrgUnitListQuery>,
) -> Result<web::Json<Page<OrgUnit>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<UnitCursor>::parse(query.limit, query.cursor.as_deref())?;
    // A cursor continues only the order it was made in (by name, or in tree order).
    let by_name = query.as_of.is_none() && (query.parent_id.is_some() || query.level.is_some());
    let after = match &page.after {
        Some(cursor @ UnitCursor::Name { .. }) if by_name => Some(cursor.clone()),
        Some(cursor) if !by_name => {
            Some(UnitCursor::Tree { path: cursor.tree_path().ok_or_else(invalid_cursor)?.to_owned() })
        }
        Some(_) => return Err(invalid_cursor()),
        None => None,
    };
    let scope = caller.scope(Permission::OrgUnitsRead)?;
    let mut conn = state.pool.get().await?;
    let within = match query.within {
        Some(id) => {
            let unit = visible_unit(&mut conn, &caller, id, Permission::OrgUnitsRead).await?;
            match query.as_of {
                // Within the subtree as it was that day.
                Some(day) => Some(queries::path_on(&mut conn, unit.id, day).await?.ok_or(ApiError::NotFound)?),
                None => Some(unit.path),
            }
        }
        None => None,
    };
    if let Some(level) = &query.level {
        known_code("level", level, &queries::level_codes(&mut conn).await?)?;
    }
    let filter = ListFilter { within, parent_id: query.parent_id, level: query.level };
    if let Some(day) = query.as_of {
        let rows = queries::list_as_of(
            &mut conn,
            &scope,
            &filter,
            day,
            after.as_ref().and_then(UnitCursor::tree_path),
            page.fetch_limit(),
        )
        .await?;
        let cursor_of = |(_, path): &(_, String)| UnitCursor::Tree { path: path.clone() };
        return Ok(web::Json(Page::from_rows(rows, page.limit, cursor_of, |(u, _)| OrgUnit::from(u))));
    }
    let rows = queries::list(&mut conn, &scope, &filter, after.as_ref(), page.fetch_limit()).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| filter.cursor_of(r), OrgUnit::from)))
}

/// An official code's problem, if any (letters, digits, dots, dashes; 1–32), for `field`.
pub fn code_issue_at(field: &str, code: &str) -> Option<FieldIssue> {
    code_issue(code).map(|mut issue| {
        issue.field = field.to_owned();
        issue
    })
}

fn code_issue(code: &str) -> Option<FieldIssue> {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    (!ok).then(|| {
        FieldIssue::new(
            "official_code",
            "invalid_format",
            Text::new(
                "Mã đơn vị gồm chữ, số, dấu chấm hoặc gạch ngang, tối đa 32 ký tự.",
                "Codes use letters, digits, dots or dashes, at most 32.",
            ),
        )
    })
}

/// Create an org unit
///
/// Adds a unit under `parent_id`. The caller needs `org_units:write` on the parent; the level
/// must lie below the parent's.
#[utoipa::path(
    tag = "org_units",
    operation_id = "create_org_unit",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewOrgUnit,
    responses(
        (status = 201, description = "Created.", body = OrgUnit, headers(
            ("Location" = String, description = "URL of the new unit."),
            ("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/org-units")]
pub async fn create_org_unit(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewOrgUnit>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut v = Validator::new();
    let name = v.result(bounded_text("name", &body.name, 200)).unwrap_or_default();
    v.check(!name.is_empty(), "name", "required", Text::new("Tên đơn vị là bắt buộc.", "A name is required."));
    if let Some(issue) = body.official_code.as_deref().and_then(code_issue) {
        v.add(issue);
    }
    v.finish()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let parent = visible_unit(conn, &caller, body.parent_id, Permission::OrgUnitsRead).await?;
        caller.require(Permission::OrgUnitsWrite, &parent.path.0)?;
        let parent_rank = queries::level_rank(conn, &parent.level).await?.unwrap_or(i16::MAX);
        match queries::level_rank(conn, &body.level).await? {
            Some(rank) if rank > parent_rank => {}
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "level",
                    "level_not_below_parent",
                    Text::new(
                        "Cấp đơn vị phải thấp hơn cấp của đơn vị cha.",
                        "The level must be below the parent's level.",
                    ),
                ));
            }
            None => {
                return Err(ApiError::invalid_field(
                    "level",
                    "unknown_level",
                    Text::new("Không có cấp đơn vị này.", "No such level."),
                ));
            }
        }
        let id = Uuid::now_v7();
        let row = NewOrgUnitRow {
            id,
            level: body.level.clone(),
            name: name.clone(),
            official_code: body.official_code.clone(),
            parent_id: Some(parent.id),
            path: Ltree(format!("{}.{}", parent.path.0, label(id))),
            valid_from: body.valid_from.unwrap_or_else(|| today_in_vietnam(Utc::now())),
            sort_key: crate::text::collate::text_sort_key(&name),
        };
        let unit = OrgUnit::from(queries::insert(conn, &row).await?);
        let event = AuditEvent::new("org_unit.create").object("org_unit", unit.id).unit(unit.id).fields([
            "level",
            "name",
            "official_code",
            "parent_id",
            "valid_from",
        ]);
        caller.audit(conn, event).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &unit)?
            .header(header::LOCATION, format!("/api/v1/org-units/{}", unit.id))
            .header(header::ETAG, etag(unit.version)))
    })
    .await
}
