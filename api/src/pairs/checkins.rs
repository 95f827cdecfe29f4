//! Check-ins (ghi nhận theo dõi): dated notes with their author, the pair's diary.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::visible_pair;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, ApiQuery, Page, PageRequest};
use crate::schema::pair_checkins as c;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// A check-in on a pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f11", "pair_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f01",
    "checked_on": "2026-10-05", "note": "Đã mua 2 con heo giống", "author_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a01",
    "created_at": "2026-10-05T10:00:00Z"}))]
pub struct Checkin {
    pub id: Uuid,
    /// The pair.
    pub pair_id: Uuid,
    /// Day of the check-in.
    pub checked_on: NaiveDate,
    /// What happened, what comes next.
    pub note: String,
    /// Who wrote it.
    pub author_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A check-in to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"checked_on": "2026-10-05", "note": "Đã mua 2 con heo giống"}))]
pub struct NewCheckin {
    /// Default today.
    pub checked_on: Option<NaiveDate>,
    /// 1–2000 characters.
    pub note: String,
}

/// Query of a pair's check-ins.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckinListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(CheckinPage, Checkin, "check-ins");

/// A check-in as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = c, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    pair_id: Uuid,
    checked_on: NaiveDate,
    note: String,
    author_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

fn to_wire(r: Row) -> Checkin {
    Checkin {
        id: r.id,
        pair_id: r.pair_id,
        checked_on: r.checked_on,
        note: r.note,
        author_id: r.author_id,
        created_at: r.created_at,
    }
}

/// List a pair's check-ins
///
/// Newest first.
#[utoipa::path(tag = "pairs", operation_id = "list_pair_checkins", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pair id."), CheckinListQuery),
    responses((status = 200, description = "A page of check-ins.", body = CheckinPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/pairs/{id}/checkins")]
pub async fn list_pair_checkins(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<CheckinListQuery>,
) -> Result<web::Json<Page<Checkin>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let (pair, _) = visible_pair(&mut conn, &caller, id.into_inner(), false).await?;
    let mut select = c::table
        .filter(c::pair_id.eq(pair.id))
        .select(Row::as_select())
        .order(c::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(before) = page.after {
        select = select.filter(c::id.lt(before));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, to_wire)))
}

/// Record a check-in
///
/// Records a check-in (lần gặp) of a pair: date and a short note of what was done, for the pair's
/// follow-up.
#[utoipa::path(tag = "pairs", operation_id = "create_pair_checkin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pair id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewCheckin,
    responses((status = 201, description = "Recorded.", body = Checkin),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/pairs/{id}/checkins")]
pub async fn create_pair_checkin(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewCheckin>,
) -> Result<HttpResponse, ApiError> {
    let pair_id = id.into_inner();
    let input = body.into_inner();
    let note = bounded_text("note", &input.note, 2000).map_err(|i| ApiError::Validation(vec![i]))?;
    if note.is_empty() {
        return Err(ApiError::invalid("note", "required", "Cần ghi nội dung.", "The note is required."));
    }
    let today = today_in_vietnam(Utc::now());
    let day = input.checked_on.unwrap_or(today);
    if day > today {
        return Err(ApiError::invalid(
            "checked_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let (pair, _) = visible_pair(conn, &caller, pair_id, false).await?;
        caller.require(Permission::MembersWrite, &pair.unit_path.0)?;
        let row: Row = diesel::insert_into(c::table)
            .values((
                c::id.eq(Uuid::now_v7()),
                c::pair_id.eq(pair.id),
                c::checked_on.eq(day),
                c::note.eq(&note),
                c::author_id.eq(caller.principal.user_id()),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("pair.checkin").object("pair", pair.id).unit(pair.unit_id)).await?;
        StoredResponse::json(StatusCode::CREATED, &to_wire(row))
    })
    .await
}
