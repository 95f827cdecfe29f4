//! Fee payments: collected for many members at once (at the monthly meeting), each member and
//! period paid once; the list of who has not paid, in Vietnamese name order.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text as SqlText, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::{fund_unit, writable_fund_unit};
use super::schedules::applying;
use crate::audit::AuditEvent;
use crate::auth::principal::is_within;
use crate::auth::{Caller, Permission};
use crate::funds::entries::insert as insert_fund_entry;
use crate::funds::wire::Category;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, ApiQuery, FieldIssue, Page, PageRequest, Text};
use crate::members::access::visible_member;
use crate::members::wire::full_name;
use crate::schema::{fee_payments as p, members};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Fees collected from members for one period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000a001", "year": 2026, "period_no": 11,
    "member_ids": ["0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02"]}))]
pub struct FeeCollection {
    /// The collecting unit (its fund receives the money); members must belong to its subtree.
    pub unit_id: Uuid,
    /// Năm.
    pub year: i32,
    /// Month 1–12, quarter 1–4, or 1, as the applying schedule says.
    pub period_no: i32,
    /// Default today.
    pub paid_on: Option<NaiveDate>,
    /// Who paid (1–500).
    #[schema(min_items = 1, max_items = 500)]
    pub member_ids: Vec<Uuid>,
    /// Per member; default the schedule's amount.
    pub amount_vnd: Option<i64>,
    /// Also record the total as fee income of the unit's fund (default `true`).
    pub record_income: Option<bool>,
}

/// What a collection recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeCollectionResult {
    /// Năm.
    pub year: i32,
    /// The period.
    pub period_no: i32,
    /// Payments recorded now.
    pub recorded: usize,
    /// Members who had already paid this period (nothing recorded for them).
    pub already_paid: Vec<Uuid>,
    /// Total recorded now, VND.
    pub amount_vnd_total: i64,
    /// The fund income entry made for the total, if any.
    pub fund_entry_id: Option<Uuid>,
}

/// A recorded payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeePayment {
    /// Năm.
    pub year: i32,
    /// The period.
    pub period_no: i32,
    /// Amount, VND.
    pub amount_vnd: i64,
    /// Ngày nộp.
    pub paid_on: NaiveDate,
    /// Her unit then.
    pub unit_id: Uuid,
}

/// A member who has not paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnpaidFee {
    /// The member.
    pub member_id: Uuid,
    /// Her full name.
    pub full_name: String,
    /// Her branch or group.
    pub unit_id: Uuid,
    /// Due for the period, VND.
    pub amount_due_vnd: i64,
}

/// Query of the unpaid list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnpaidQuery {
    /// Năm.
    pub year: i32,
    /// The period (month, quarter or 1).
    pub period_no: i32,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(UnpaidFeePage, UnpaidFee, "members who have not paid");

/// Record fee payments
///
/// Members paying the same period at once (e.g. at the meeting). Each member and period is
/// paid once: members who already paid are listed and skipped, so a retry records nothing new.
/// Needs `funds:write` on the unit.
#[utoipa::path(tag = "fees", operation_id = "create_fee_payments", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = FeeCollection,
    responses((status = 201, description = "Recorded.", body = FeeCollectionResult),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/fee-payments")]
pub async fn create_fee_payments(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<FeeCollection>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let paid_on = input.paid_on.unwrap_or(today);
    if paid_on > today {
        return Err(ApiError::invalid(
            "paid_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    if input.member_ids.is_empty() || input.member_ids.len() > 500 {
        return Err(ApiError::invalid(
            "member_ids",
            "out_of_range",
            "Từ 1 đến 500 hội viên.",
            "Between 1 and 500 members.",
        ));
    }
    if input.amount_vnd.is_some_and(|a| !(0..=100_000_000).contains(&a)) {
        return Err(ApiError::invalid(
            "amount_vnd",
            "out_of_range",
            "Từ 0 đến 100 triệu đồng.",
            "Between 0 and 100,000,000 VND.",
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = writable_fund_unit(conn, &caller, input.unit_id).await?;
        let schedule = applying(conn, &unit.path.0, input.year).await?.ok_or_else(|| {
            ApiError::invalid(
                "year",
                "no_schedule",
                "Chưa có mức hội phí cho năm này.",
                "No fee schedule applies for this year.",
            )
        })?;
        if !(1..=schedule.period.count()).contains(&input.period_no) {
            return Err(ApiError::invalid(
                "period_no",
                "out_of_range",
                "Kỳ không có trong năm theo mức hội phí.",
                "No such period in the schedule.",
            ));
        }
        let amount = input.amount_vnd.unwrap_or(schedule.amount_vnd);
        let found: Vec<(Uuid, Uuid, diesel_ltree::Ltree, String)> = members::table
            .filter(members::id.eq_any(&input.member_ids))
            .select((members::id, members::unit_id, members::unit_path, members::status))
            .load(conn)
            .await?;
        let mut issues = Vec::new();
        let mut seen = HashSet::new();
        let mut payers = Vec::new();
        for (i, id) in input.member_ids.iter().enumerate() {
            let member =
                found.iter().find(|m| m.0 == *id).filter(|m| is_within(&m.2.0, &unit.path.0) && m.3 == "active");
            match member {
                Some(m) if seen.insert(*id) => payers.push(m.clone()),
                Some(_) => issues.push(FieldIssue::new(
                    format!("member_ids[{i}]"),
                    "duplicate",
                    Text::new("Trùng.", "Listed twice."),
                )),
                None => issues.push(FieldIssue::new(
                    format!("member_ids[{i}]"),
                    "outside_unit",
                    Text::new("Không phải hội viên đang sinh hoạt của đơn vị.", "Not an active member of this unit."),
                )),
            }
        }
        if !issues.is_empty() {
            return Err(ApiError::Validation(issues));
        }
        // One statement for the whole list: a payment already recorded for the period is kept
        // (the unique key), and only the new ones come back.
        let rows: Vec<_> = payers
            .iter()
            .map(|(member, member_unit, path, _)| {
                (
                    p::id.eq(Uuid::now_v7()),
                    p::member_id.eq(*member),
                    p::unit_id.eq(*member_unit),
                    p::unit_path.eq(path.clone()),
                    p::year.eq(input.year),
                    p::period.eq(schedule.period.as_str()),
                    p::period_no.eq(input.period_no),
                    p::amount_vnd.eq(amount),
                    p::paid_on.eq(paid_on),
                    p::recorded_by.eq(caller.principal.user_id()),
                )
            })
            .collect();
        let paid_now: Vec<Uuid> = diesel::insert_into(p::table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(p::member_id)
            .get_results(conn)
            .await?;
        let already_paid: Vec<Uuid> = payers.iter().map(|m| m.0).filter(|m| !paid_now.contains(m)).collect();
        let total = amount * i64::try_from(paid_now.len()).unwrap_or(0);
        let fund_entry_id = if input.record_income.unwrap_or(true) && total > 0 {
            let description = format!("Hội phí kỳ {}/{} ({} hội viên)", input.period_no, input.year, paid_now.len());
            Some(insert_fund_entry(conn, &caller, &unit, Category::Fees, total, paid_on, None, &description).await?.id)
        } else {
            None
        };
        caller
            .audit(
                conn,
                AuditEvent::new("fees.collect").unit(unit.id).details(
                    serde_json::json!({"year": input.year, "period_no": input.period_no, "recorded": paid_now.len()}),
                ),
            )
            .await?;
        let result = FeeCollectionResult {
            year: input.year,
            period_no: input.period_no,
            recorded: paid_now.len(),
            already_paid,
            amount_vnd_total: total,
            fund_entry_id,
        };
        StoredResponse::json(StatusCode::CREATED, &result)
    })
    .await
}

/// List a member's fee payments
///
/// The fee payments (hội phí) recorded for a member, with the year and period each covers.
#[utoipa::path(tag = "fees", operation_id = "list_member_fee_payments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses((status = 200, description = "Her payments, newest first (at most 200).", body = Vec<FeePayment>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/{id}/fee-payments")]
pub async fn list_member_fee_payments(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<FeePayment>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let rows: Vec<(i32, i32, i64, NaiveDate, Uuid)> = p::table
        .filter(p::member_id.eq(member.id))
        .select((p::year, p::period_no, p::amount_vnd, p::paid_on, p::unit_id))
        .order((p::year.desc(), p::period_no.desc()))
        .limit(200)
        .load(&mut conn)
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(year, period_no, amount_vnd, paid_on, unit_id)| FeePayment {
                year,
                period_no,
                amount_vnd,
                paid_on,
                unit_id,
            })
            .collect(),
    ))
}

#[derive(QueryableByName)]
struct Unpaid {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlText)]
    family_name: String,
    #[diesel(sql_type = SqlText)]
    middle_name: String,
    #[diesel(sql_type = SqlText)]
    given_name: String,
    #[diesel(sql_type = SqlText)]
    sort_key: String,
    #[diesel(sql_type = SqlUuid)]
    unit_id: Uuid,
}

/// List members who have not paid
///
/// Active regular members of the unit's subtree with no payment for the period, in Vietnamese
/// name order. Needs `funds:read`.
#[utoipa::path(tag = "fees", operation_id = "list_org_unit_unpaid_fees", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), UnpaidQuery),
    responses((status = 200, description = "A page of members who have not paid.", body = UnpaidFeePage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/unpaid-fees")]
pub async fn list_org_unit_unpaid_fees(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<UnpaidQuery>,
) -> Result<web::Json<Page<UnpaidFee>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(String, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let unit = fund_unit(&mut conn, &caller, id.into_inner()).await?;
    let schedule = applying(&mut conn, &unit.path.0, query.year).await?.ok_or_else(|| {
        ApiError::invalid_parameter(
            "year",
            "no_schedule",
            Text::new("Chưa có mức hội phí cho năm này.", "No fee schedule applies for this year."),
        )
    })?;
    if !(1..=schedule.period.count()).contains(&query.period_no) {
        return Err(ApiError::invalid_parameter(
            "period_no",
            "out_of_range",
            Text::new("Kỳ không có trong năm theo mức hội phí.", "No such period in the schedule."),
        ));
    }
    let (after_key, after_id) = page.after.clone().unwrap_or_default();
    let rows: Vec<Unpaid> = crate::db::prepared(
        "SELECT m.id, m.family_name, m.middle_name, m.given_name, m.sort_key, m.unit_id FROM members m
         WHERE m.unit_path <@ $1::ltree AND m.status = 'active' AND m.member_type = 'regular'
           AND NOT EXISTS (SELECT 1 FROM fee_payments p WHERE p.member_id = m.id AND p.year = $2 AND p.period_no = $3
                           AND p.period = $7)
           AND (m.sort_key, m.id) > ($4, $5)
         ORDER BY m.sort_key, m.id LIMIT $6",
    )
    .bind::<SqlText, _>(&unit.path.0)
    .bind::<Integer, _>(query.year)
    .bind::<Integer, _>(query.period_no)
    .bind::<SqlText, _>(&after_key)
    .bind::<SqlUuid, _>(after_id)
    .bind::<BigInt, _>(page.fetch_limit())
    .bind::<SqlText, _>(schedule.period.as_str())
    .load(&mut conn)
    .await?;
    Ok(web::Json(Page::from_rows(
        rows,
        page.limit,
        |r| (r.sort_key.clone(), r.id),
        |r| UnpaidFee {
            member_id: r.id,
            full_name: full_name(&r.family_name, &r.middle_name, &r.given_name),
            unit_id: r.unit_id,
            amount_due_vnd: schedule.amount_vnd,
        },
    )))
}
