//! `GET /reports/kpis` (JSON, CSV or XLSX) and its trend chart.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::{is_machine, report_unit};
use super::export::{csv, xlsx};
use super::figures::KpiReport;
use super::live::live_figures;
use super::period::Period;
use super::suppress;
use super::trend::{svg, trend};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery, Text};
use crate::state::AppState;

/// How to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
    Xlsx,
}

/// Grouping of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The same figures for each open child unit.
    Child,
}

/// Query of the KPIs.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// The unit.
    pub unit: Uuid,
    /// `2025-06`, `2025-Q2`, `2025-H1`, `2025-M9` (Jan–Sep) or `2025`; or use `from` and `to`.
    /// Neither: the current month.
    pub period: Option<String>,
    /// First day (with `to`, instead of `period`).
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// `child`: also each open child unit.
    #[param(inline)]
    pub group_by: Option<GroupBy>,
    /// `json` (default), `csv` or `xlsx`.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// Query of the chart.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// The unit.
    pub unit: Uuid,
    /// A period label (see `/reports/kpis`); default the current month.
    pub period: Option<String>,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
}

/// The trend for the caller: small months left out for machine clients.
fn trend_for(caller: &Caller, points: Vec<super::trend::TrendPoint>) -> Vec<super::trend::TrendPoint> {
    if is_machine(caller) { suppress::trend(points) } else { points }
}

/// A period a machine client may read: a whole named period (month, quarter, half, nine
/// months, year) that has ended. Day ranges and the running month could be differenced day by
/// day to single out one person's join or departure.
pub fn machine_period(caller: &Caller, query_period: Option<&str>, period: &Period) -> Result<(), ApiError> {
    if !is_machine(caller) {
        return Ok(());
    }
    let today = crate::time::today_in_vietnam(chrono::Utc::now());
    if query_period.is_none() || period.to >= today {
        return Err(ApiError::invalid_parameter(
            "period",
            "closed_periods_only",
            Text::new(
                "Hệ thống cấp trên chỉ đọc kỳ báo cáo trọn vẹn đã kết thúc (tháng, quý, 6 tháng, 9 tháng, năm).",
                "Machine clients read whole reporting periods that have ended (month, quarter, half, nine months, year).",
            ),
        ));
    }
    Ok(())
}

/// KPIs of a unit
///
/// Computed live for any unit and period (days in Vietnam): membership and its movements
/// (through merged predecessors), coverage, participation and meeting attendance, "1+1",
/// support, cards and fees. Honorary members are excluded everywhere. Each figure's definition
/// is in this contract (schema `Kpis`). `group_by=child` adds each open child unit. `format=csv`
/// or `xlsx` returns a file laid out like a commune report (XLSX: one sheet per section and a
/// monthly trend chart). Needs `reports:read` or `members:read`; machine clients get counts
/// under 5 suppressed.
#[utoipa::path(tag = "reports", operation_id = "get_report_kpis", security(("bearer" = []), ("client_credentials" = [])),
    params(KpiQuery),
    responses((status = 200, description = "The figures.",
            content((KpiReport = "application/json"), (String = "text/csv"),
                    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/reports/kpis")]
pub async fn get_report_kpis(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let period = Period::from_query(query.period.as_deref(), query.from, query.to)?;
    machine_period(&caller, query.period.as_deref(), &period)?;
    let mut conn = state.read_pool.get().await?;
    let unit = report_unit(&mut conn, &caller, query.unit).await?;
    // The unit and its children together: one query per figure for all of them.
    let mut units = vec![unit.clone()];
    if query.group_by == Some(GroupBy::Child) {
        units.extend(crate::org_units::queries::open_children(&mut conn, &unit).await?);
    }
    let shown = live_figures(&mut conn, &state.read_pool, &units, &period, is_machine(&caller)).await?;
    let mut all = shown.into_iter();
    let main = all.next().ok_or_else(|| ApiError::internal("no figures computed"))?;
    let report = KpiReport { unit: main, children: all.collect() };
    let file = format!("chi-tieu-{}", period.label.replace("..", "_"));
    Ok(match query.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}.csv\"")))
            .body(csv(&report)),
        ReportFormat::Xlsx => {
            let points = trend_for(&caller, trend(&mut conn, unit.id, &period).await?);
            HttpResponse::Ok()
                .content_type(crate::http::media::XLSX)
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}.xlsx\"")))
                .body(xlsx(&report, &points)?)
        }
    })
}

/// Trend chart of a unit
///
/// Members at each month's end and meeting attendance, as SVG for embedding in apps.
#[utoipa::path(tag = "reports", operation_id = "get_report_kpis_chart", security(("bearer" = []), ("client_credentials" = [])),
    params(ChartQuery),
    responses((status = 200, description = "The chart.", content_type = "image/svg+xml", body = String),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/reports/kpis/chart.svg")]
pub async fn get_report_kpis_chart(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ChartQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let period = Period::from_query(query.period.as_deref(), query.from, query.to)?;
    machine_period(&caller, query.period.as_deref(), &period)?;
    let mut conn = state.read_pool.get().await?;
    let unit = report_unit(&mut conn, &caller, query.unit).await?;
    let points = trend_for(&caller, trend(&mut conn, unit.id, &period).await?);
    let title = format!("{} — {}", unit.name, period.label);
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg(&title, &points)))
}
