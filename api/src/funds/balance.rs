//! A fund's balance over a period: opening, income, spending, closing, by category.

use actix_web::{get, web};
use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::fund_unit;
use super::wire::{Category, Direction};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery, Text};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Money of one category over the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryTotal {
    pub category: Category,
    pub direction: Direction,
    /// Total in VND.
    pub amount_vnd: i64,
}

/// A fund over a period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000a001", "from": "2026-01-01", "to": "2026-12-31",
    "opening_vnd": 1200000, "income_vnd": 4800000, "spending_vnd": 3100000, "closing_vnd": 2900000,
    "by_category": [{"category": "fees", "direction": "income", "amount_vnd": 3600000}]}))]
pub struct FundBalance {
    /// The unit.
    pub unit_id: Uuid,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Số dư đầu kỳ.
    pub opening_vnd: i64,
    /// Tổng thu.
    pub income_vnd: i64,
    /// Tổng chi.
    pub spending_vnd: i64,
    /// Số dư cuối kỳ = opening + income − spending (may be negative: spending advanced).
    pub closing_vnd: i64,
    /// Totals per category.
    pub by_category: Vec<CategoryTotal>,
}

/// Query of a balance.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// First day (default 1 January of this year).
    pub from: Option<NaiveDate>,
    /// Last day (default today).
    pub to: Option<NaiveDate>,
}

#[derive(QueryableByName)]
struct Sum {
    #[diesel(sql_type = SqlText)]
    category: String,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

/// Net of recorded entries before `day` (income − spending).
pub async fn net_before(conn: &mut AsyncPgConnection, unit: Uuid, day: NaiveDate) -> Result<i64, ApiError> {
    #[derive(QueryableByName)]
    struct Net {
        #[diesel(sql_type = BigInt)]
        net: i64,
    }
    let net: Net = crate::db::prepared(
        "SELECT coalesce(sum(CASE WHEN direction = 'income' THEN amount_vnd ELSE -amount_vnd END), 0)::bigint AS net
         FROM fund_entries WHERE unit_id = $1 AND status = 'recorded' AND entry_on < $2",
    )
    .bind::<SqlUuid, _>(unit)
    .bind::<Date, _>(day)
    .get_result(conn)
    .await?;
    Ok(net.net)
}

/// Get a fund's balance
///
/// A unit's fund (quỹ hội) over a period: opening balance, income and spending by category, and the
/// closing balance.
#[utoipa::path(tag = "funds", operation_id = "get_fund_balance", security(("bearer" = [])),
    params(("unit" = Uuid, Path, description = "The unit whose fund it is."), BalanceQuery),
    responses((status = 200, description = "The balance.", body = FundBalance),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/funds/{unit}/balance")]
pub async fn get_fund_balance(
    caller: Caller,
    state: web::Data<AppState>,
    unit: web::Path<Uuid>,
    query: ApiQuery<BalanceQuery>,
) -> Result<web::Json<FundBalance>, ApiError> {
    let today = today_in_vietnam(Utc::now());
    let query = query.into_inner();
    let to = query.to.unwrap_or(today);
    let from = query.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::invalid_parameter(
            "from",
            "after_to",
            Text::new("Ngày đầu sau ngày cuối.", "`from` is after `to`."),
        ));
    }
    let mut conn = state.pool.get().await?;
    let unit = fund_unit(&mut conn, &caller, unit.into_inner()).await?;
    let opening = net_before(&mut conn, unit.id, from).await?;
    let sums: Vec<Sum> = crate::db::prepared(
        "SELECT category, sum(amount_vnd)::bigint AS amount FROM fund_entries
         WHERE unit_id = $1 AND status = 'recorded' AND entry_on BETWEEN $2 AND $3
         GROUP BY category ORDER BY category",
    )
    .bind::<SqlUuid, _>(unit.id)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(&mut conn)
    .await?;
    let by_category: Vec<CategoryTotal> = sums
        .into_iter()
        .map(|s| {
            let category = Category::parse(&s.category);
            CategoryTotal { category, direction: category.direction(), amount_vnd: s.amount }
        })
        .collect();
    let total = |d: Direction| by_category.iter().filter(|c| c.direction == d).map(|c| c.amount_vnd).sum::<i64>();
    let (income, spending) = (total(Direction::Income), total(Direction::Spending));
    Ok(web::Json(FundBalance {
        unit_id: unit.id,
        from,
        to,
        opening_vnd: opening,
        income_vnd: income,
        spending_vnd: spending,
        closing_vnd: opening + income - spending,
        by_category,
    }))
}
