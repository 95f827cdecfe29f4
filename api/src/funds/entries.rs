//! Fund entries: list, record, correct or void.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::activities::access::visible_activity;
use crate::audit::AuditEvent;
use crate::auth::Caller;
use crate::auth::principal::is_within;
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, FieldIssue, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::org_units::models::OrgUnitRow;
use crate::schema::fund_entries as f;
use crate::state::AppState;
use crate::time::today_in_vietnam;

use super::access::{fund_unit, writable_fund_unit};
use super::wire::{Category, Direction, FundEntry, FundEntryPage, FundEntryPatch, FundEntryQuery, NewFundEntry};

/// A fund entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = f, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    unit_id: Uuid,
    // (`direction` is stored too, and always the category's.)
    category: String,
    amount_vnd: i64,
    entry_on: NaiveDate,
    activity_id: Option<Uuid>,
    description: String,
    status: String,
    void_reason: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn to_wire(r: Row) -> FundEntry {
    let category = Category::parse(&r.category);
    FundEntry {
        id: r.id,
        unit_id: r.unit_id,
        direction: category.direction(),
        category,
        amount_vnd: r.amount_vnd,
        entry_on: r.entry_on,
        activity_id: r.activity_id,
        description: r.description,
        status: r.status,
        void_reason: r.void_reason,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn check_amount(v: &mut Validator, amount: i64) {
    v.check(
        (1..=100_000_000_000).contains(&amount),
        "amount_vnd",
        "out_of_range",
        Text::new("Số tiền từ 1 đến 100 tỷ đồng.", "Between 1 and 100,000,000,000 VND."),
    );
}

/// Records an entry (also used when fee payments are collected).
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: &OrgUnitRow,
    category: Category,
    amount: i64,
    day: NaiveDate,
    activity: Option<Uuid>,
    description: &str,
) -> Result<FundEntry, ApiError> {
    let row: Row = diesel::insert_into(f::table)
        .values((
            f::id.eq(Uuid::now_v7()),
            f::unit_id.eq(unit.id),
            f::direction.eq(category.direction().as_str()),
            f::category.eq(category.as_str()),
            f::amount_vnd.eq(amount),
            f::entry_on.eq(day),
            f::activity_id.eq(activity),
            f::description.eq(description),
            f::created_by.eq(caller.principal.user_id()),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    caller
        .audit(
            conn,
            AuditEvent::new("fund.entry").object("fund_entry", row.id).unit(unit.id).fields(["amount_vnd", "category"]),
        )
        .await?;
    Ok(to_wire(row))
}

/// List a fund's entries
///
/// Newest first.
#[utoipa::path(tag = "funds", operation_id = "list_fund_entries", security(("bearer" = [])),
    params(("unit" = Uuid, Path, description = "The unit whose fund it is."), FundEntryQuery),
    responses((status = 200, description = "A page of entries.", body = FundEntryPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/funds/{unit}/entries")]
pub async fn list_fund_entries(
    caller: Caller,
    state: web::Data<AppState>,
    unit: web::Path<Uuid>,
    query: ApiQuery<FundEntryQuery>,
) -> Result<web::Json<Page<FundEntry>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(NaiveDate, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let unit = fund_unit(&mut conn, &caller, unit.into_inner()).await?;
    let mut select = f::table
        .filter(f::unit_id.eq(unit.id))
        .select(Row::as_select())
        .order((f::entry_on.desc(), f::id.desc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(from) = query.from {
        select = select.filter(f::entry_on.ge(from));
    }
    if let Some(to) = query.to {
        select = select.filter(f::entry_on.le(to));
    }
    if let Some(category) = query.category {
        select = select.filter(f::category.eq(category.as_str()));
    }
    if !query.include_voided.unwrap_or(false) {
        select = select.filter(f::status.eq("recorded"));
    }
    if let Some((day, id)) = page.after {
        select = select.filter(f::entry_on.lt(day).or(f::entry_on.eq(day).and(f::id.lt(id))));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| (r.entry_on, r.id), to_wire)))
}

/// Record a fund entry
///
/// Needs `funds:write` on the unit.
#[utoipa::path(tag = "funds", operation_id = "create_fund_entry", security(("bearer" = [])),
    params(("unit" = Uuid, Path, description = "The unit whose fund it is."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewFundEntry,
    responses((status = 201, description = "Recorded.", body = FundEntry),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/funds/{unit}/entries")]
pub async fn create_fund_entry(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    unit: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewFundEntry>,
) -> Result<HttpResponse, ApiError> {
    let unit_id = unit.into_inner();
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let day = input.entry_on.unwrap_or(today);
    let mut v = Validator::new();
    check_amount(&mut v, input.amount_vnd);
    let description = v.result(bounded_text("description", &input.description, 500)).unwrap_or_default();
    v.check(
        day <= today,
        "entry_on",
        "in_future",
        Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
    );
    v.check(
        input.activity_id.is_none() || input.category.direction() == Direction::Spending,
        "activity_id",
        "income_with_activity",
        Text::new("Chỉ khoản chi mới gắn với buổi sinh hoạt.", "Only spending is linked to an activity."),
    );
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = writable_fund_unit(conn, &caller, unit_id).await?;
        if let Some(activity) = input.activity_id {
            let activity = visible_activity(conn, &caller, activity, false).await?;
            if !is_within(&activity.unit_path.0, &unit.path.0) {
                v.add(FieldIssue::new(
                    "activity_id",
                    "other_unit",
                    Text::new("Buổi sinh hoạt không thuộc đơn vị này.", "The activity is not this unit's."),
                ));
            }
        }
        v.finish()?;
        let entry =
            insert(conn, &caller, &unit, input.category, input.amount_vnd, day, input.activity_id, &description)
                .await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &entry)?.header(header::ETAG, etag(entry.version)))
    })
    .await
}

/// Correct or void a fund entry
///
/// Needs `funds:write` on the unit and `If-Match`.
#[utoipa::path(tag = "funds", operation_id = "update_fund_entry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Entry id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = FundEntryPatch,
    responses((status = 200, description = "Updated.", body = FundEntry),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed), (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/fund-entries/{id}")]
pub async fn update_fund_entry(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<FundEntryPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let mut v = Validator::new();
    if let Some(amount) = patch.amount_vnd {
        check_amount(&mut v, amount);
    }
    if let Some(day) = patch.entry_on {
        v.check(
            day <= today,
            "entry_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        );
    }
    let description = patch.description.as_deref().and_then(|d| v.result(bounded_text("description", d, 500)));
    let void_reason = patch.void_reason.as_deref().and_then(|r| v.result(bounded_text("void_reason", r, 500)));
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
    let mut conn = state.pool.get().await?;
    let entry = in_transaction(&mut conn, async |conn| {
        let current: Option<Row> =
            f::table.find(id.into_inner()).select(Row::as_select()).for_update().first(conn).await.optional()?;
        let current = to_wire(current.ok_or(ApiError::NotFound)?);
        let unit = writable_fund_unit(conn, &caller, current.unit_id).await?;
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        if current.status == "voided" {
            return Err(ApiError::state_conflict("entry_voided", "Khoản này đã bị hủy.", "This entry is voided."));
        }
        v.check(
            patch.category.is_none_or(|c| c.direction() == current.direction),
            "category",
            "direction_change",
            Text::new(
                "Không đổi khoản thu thành khoản chi hay ngược lại; hãy hủy và ghi lại.",
                "Void and re-record to change income to spending.",
            ),
        );
        v.finish()?;
        let row: Row = diesel::update(f::table.find(current.id))
            .set((
                patch.category.map(|c| f::category.eq(c.as_str())),
                patch.amount_vnd.map(|a| f::amount_vnd.eq(a)),
                patch.entry_on.map(|d| f::entry_on.eq(d)),
                description.map(|d| f::description.eq(d)),
                voiding.then(|| (f::status.eq("voided"), f::void_reason.eq(void_reason.clone().unwrap_or_default()))),
                f::version.eq(f::version + 1),
                f::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new(if voiding { "fund.void" } else { "fund.update" })
                    .object("fund_entry", current.id)
                    .unit(unit.id),
            )
            .await?;
        Ok(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(entry.version))).json(entry))
}
