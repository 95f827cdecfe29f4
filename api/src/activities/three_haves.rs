//! "3 có" per branch and month: HAS pioneers, HAS an activity with attendance recorded, HAS
//! resources. Thresholds are settings (`three_haves.min_pioneers`,
//! `three_haves.min_activities`, default 1), since rules differ by province and year.

use std::collections::HashMap;

use actix_web::{get, web};
use chrono::{Datelike, Months, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::rate;
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, PageRequest, Text};
use crate::org_units::access::visible_unit;
use crate::state::AppState;

/// The thresholds applied.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct ThreeHavesRules {
    /// Pioneers needed in the month (setting `three_haves.min_pioneers`).
    pub min_pioneers: i64,
    /// Activities with attendance recorded needed in the month (`three_haves.min_activities`).
    pub min_activities: i64,
}

/// One branch in one month.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"month": "2025-06", "pioneers": 3, "activities": 1, "attendance_rate_percent": 86.67,
    "income_vnd": 450000, "spending_vnd": 300000, "balance_vnd": 1250000, "pledges": 1,
    "has_pioneers": true, "has_activity": true, "has_resources": true, "all_three": true}))]
pub struct BranchMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Pioneers designated at any time in the month.
    pub pioneers: i64,
    /// Activities held with attendance recorded.
    pub activities: i64,
    /// Members present ÷ expected over those activities × 100; `null` without any.
    pub attendance_rate_percent: Option<f64>,
    /// Fund income in the month (the branch and its groups).
    pub income_vnd: i64,
    /// Fund spending in the month.
    pub spending_vnd: i64,
    /// Fund balance at the month's end.
    pub balance_vnd: i64,
    /// In-kind pledges for the month's activities.
    pub pledges: i64,
    /// Có hội viên tiên phong.
    pub has_pioneers: bool,
    /// Có sinh hoạt hằng tháng.
    pub has_activity: bool,
    /// Có nguồn lực: income or a pledge recorded in the month, or a positive balance at its end.
    pub has_resources: bool,
    /// All three.
    pub all_three: bool,
}

/// A branch over the months.
#[derive(Debug, Serialize, ToSchema)]
pub struct BranchThreeHaves {
    /// The branch.
    pub unit_id: Uuid,
    /// Its name.
    pub name: String,
    /// One entry per month, oldest first.
    pub months: Vec<BranchMonth>,
}

/// "3 có" of the branches of a unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreeHaves {
    /// The unit asked about.
    pub unit_id: Uuid,
    /// First month (`YYYY-MM`).
    pub from: String,
    /// Last month.
    pub to: String,
    pub rules: ThreeHavesRules,
    /// Branches of the unit (a page), by name.
    pub items: Vec<BranchThreeHaves>,
    /// Pass as `cursor` for the next branches; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Query of "3 có".
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ThreeHavesQuery {
    /// First month, `YYYY-MM`.
    #[param(value_type = crate::time::MonthLabel)]
    pub from: String,
    /// Last month, `YYYY-MM` (at most 24 months after `from`).
    #[param(value_type = crate::time::MonthLabel)]
    pub to: String,
    /// Branches per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn month(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    crate::time::parse_month(text).ok_or_else(|| {
        ApiError::invalid_parameter(field, "invalid_format", Text::new("Tháng dạng YYYY-MM.", "A month as YYYY-MM."))
    })
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = SqlUuid)]
    branch: Uuid,
    #[diesel(sql_type = Date)]
    month: NaiveDate,
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    b: i64,
}

async fn cells(
    conn: &mut AsyncPgConnection,
    sql: &'static str,
    ids: &[Uuid],
    paths: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<(Uuid, NaiveDate), (i64, i64)>, ApiError> {
    let rows: Vec<Cell> = crate::db::prepared(sql)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<SqlText>, _>(paths)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|c| ((c.branch, c.month), (c.a, c.b))).collect())
}

const BRANCHES: &str = "unnest($1::uuid[], $2::text[]) AS br(id, path)";

/// "3 có" per branch and month
///
/// For each branch of the unit's subtree (a page, by name) and each month from `from` to `to`:
/// pioneers, activities with attendance recorded and their attendance rate, fund income,
/// spending and balance, pledges, and whether each "có" holds.
#[utoipa::path(tag = "activities", operation_id = "get_org_unit_three_haves", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), ThreeHavesQuery),
    responses((status = 200, description = "Branches by month.", body = ThreeHaves),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/three-haves")]
pub async fn get_org_unit_three_haves(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<ThreeHavesQuery>,
) -> Result<web::Json<ThreeHaves>, ApiError> {
    let query = query.into_inner();
    let (from, to_month) = (month("from", &query.from)?, month("to", &query.to)?);
    if to_month < from || to_month > from + Months::new(23) {
        return Err(ApiError::invalid_parameter(
            "to",
            "out_of_range",
            Text::new("Từ 1 đến 24 tháng, `to` không trước `from`.", "1 to 24 months, `to` not before `from`."),
        ));
    }
    let to = to_month + Months::new(1) - chrono::Days::new(1);
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            "out_of_range",
            Text::new("Từ 1 đến 100.", "Between 1 and 100."),
        ));
    }
    let page = PageRequest::<(String, Uuid)>::parse(Some(limit), query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let rules = rules(&mut conn).await?;
    let (branches, next_cursor) =
        crate::org_units::queries::branches_page(&mut conn, &unit.path, (from, to), page.after, limit).await?;
    let items = branch_months(&mut conn, branches, from, to_month, rules).await?;
    Ok(web::Json(ThreeHaves { unit_id: unit.id, from: query.from, to: query.to, rules, items, next_cursor }))
}

/// The rules in force: settings, defaulting to one pioneer and one activity a month.
pub async fn rules(conn: &mut AsyncPgConnection) -> Result<ThreeHavesRules, ApiError> {
    Ok(ThreeHavesRules {
        min_pioneers: crate::settings::integer(conn, "three_haves.min_pioneers", 1).await?,
        min_activities: crate::settings::integer(conn, "three_haves.min_activities", 1).await?,
    })
}

/// "3 có" of these branches (id, name, path), month by month from `from` to `to_month`.
pub async fn branch_months(
    conn: &mut AsyncPgConnection,
    branches: Vec<(Uuid, String, diesel_ltree::Ltree)>,
    from: NaiveDate,
    to_month: NaiveDate,
    rules: ThreeHavesRules,
) -> Result<Vec<BranchThreeHaves>, ApiError> {
    let to = to_month + Months::new(1) - chrono::Days::new(1);
    let ids: Vec<Uuid> = branches.iter().map(|b| b.0).collect();
    let paths: Vec<String> = branches.iter().map(|b| b.2.0.clone()).collect();
    let pioneers = cells(
        conn,
        crate::db::fixed_sql!(
            "SELECT br.id AS branch, m.month::date AS month, count(d.id) AS a, 0::bigint AS b
             FROM {BRANCHES} CROSS JOIN generate_series($3::date, $4::date, interval '1 month') AS m(month)
             JOIN pioneer_designations d ON d.unit_path <@ br.path::ltree
                  AND d.from_on < (m.month + interval '1 month')::date AND (d.to_on IS NULL OR d.to_on > m.month::date)
             GROUP BY 1, 2"
        ),
        &ids,
        &paths,
        from,
        to,
    )
    .await?;
    let activities = cells(
        conn,
        crate::db::fixed_sql!(
            "SELECT br.id AS branch, date_trunc('month', a.held_on)::date AS month, count(*) AS a,
                    coalesce(sum(a.expected), 0)::bigint AS b
             FROM {BRANCHES} JOIN activities a ON a.unit_path <@ br.path::ltree AND a.held_on BETWEEN $3 AND $4
                  AND a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
             GROUP BY 1, 2"
        ),
        &ids,
        &paths,
        from,
        to,
    )
    .await?;
    let present = cells(
        conn,
        crate::db::fixed_sql!(
            "SELECT br.id AS branch, date_trunc('month', a.held_on)::date AS month, count(DISTINCT t.id) AS a,
                    count(DISTINCT p.id) AS b
             FROM {BRANCHES} JOIN activities a ON a.unit_path <@ br.path::ltree AND a.held_on BETWEEN $3 AND $4
                  AND a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
             LEFT JOIN (attendance t JOIN members tm ON tm.id = t.member_id AND tm.member_type = 'regular')
                  ON t.activity_id = a.id AND t.status = 'present'
             LEFT JOIN activity_pledges p ON p.activity_id = a.id
             GROUP BY 1, 2"
        ),
        &ids,
        &paths,
        from,
        to,
    )
    .await?;
    let money = cells(
        conn,
        crate::db::fixed_sql!(
            "SELECT br.id AS branch,
                    CASE WHEN f.entry_on < $3 THEN $3 - 1 ELSE date_trunc('month', f.entry_on)::date END AS month,
                    coalesce(sum(f.amount_vnd) FILTER (WHERE f.direction = 'income'), 0)::bigint AS a,
                    coalesce(sum(f.amount_vnd) FILTER (WHERE f.direction = 'spending'), 0)::bigint AS b
             FROM {BRANCHES} JOIN org_units u ON u.path <@ br.path::ltree
             JOIN fund_entries f ON f.unit_id = u.id AND f.status = 'recorded' AND f.entry_on <= $4
             GROUP BY 1, 2"
        ),
        &ids,
        &paths,
        from,
        to,
    )
    .await?;
    let opening_day = from - chrono::Days::new(1);
    Ok(branches
        .into_iter()
        .map(|(id, name, _)| {
            let (opening_in, opening_out) = money.get(&(id, opening_day)).copied().unwrap_or_default();
            let mut balance = opening_in - opening_out;
            let mut months = Vec::new();
            let mut day = from;
            while day <= to_month {
                let key = (id, day);
                let pioneers = pioneers.get(&key).map_or(0, |c| c.0);
                let (held, expected) = activities.get(&key).copied().unwrap_or_default();
                let (present, pledges) = present.get(&key).copied().unwrap_or_default();
                let (income, spending) = money.get(&key).copied().unwrap_or_default();
                balance += income - spending;
                let has_pioneers = pioneers >= rules.min_pioneers;
                let has_activity = held >= rules.min_activities;
                let has_resources = income > 0 || pledges > 0 || balance > 0;
                months.push(BranchMonth {
                    month: format!("{:04}-{:02}", day.year(), day.month()),
                    pioneers,
                    activities: held,
                    attendance_rate_percent: (held > 0)
                        .then(|| rate(present, i32::try_from(expected).unwrap_or(i32::MAX)))
                        .flatten(),
                    income_vnd: income,
                    spending_vnd: spending,
                    balance_vnd: balance,
                    pledges,
                    has_pioneers,
                    has_activity,
                    has_resources,
                    all_three: has_pioneers && has_activity && has_resources,
                });
                day = day + Months::new(1);
            }
            BranchThreeHaves { unit_id: id, name, months }
        })
        .collect())
}
