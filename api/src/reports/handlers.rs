//! `GET /reports/kpis` (JSON, CSV or XLSX) and its trend chart.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::{is_machine, report_unit};
use super::cache::{FiguresCache, Key};
use super::chart::svg;
use super::export::{csv, xlsx};
use super::figures::{Freshness, KpiReport};
use super::live::live_figures;
use super::period::Period;
use super::suppress;
use super::trend::trend;
use crate::auth::Caller;
use crate::http::media::FileFormat;
use crate::http::{ApiError, ApiQuery, Text};
use crate::state::AppState;

/// How to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = KpiResponseFormat)]
pub enum ReportFormat {
    Json,
    Csv,
    Xlsx,
}

/// Grouping of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReportGrouping)]
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
    #[param(value_type = Option<super::period::PeriodLabel>)]
    pub period: Option<String>,
    /// First day (with `to`, instead of `period`).
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// `child`: also each open child unit.
    pub group_by: Option<GroupBy>,
    /// Deprecated: use `GET /reports/kpis/export`. `json` (default), `csv` or `xlsx`; a file
    /// asked for here comes with `Deprecation`, `Sunset` and a `Link` to its successor.
    pub format: Option<ReportFormat>,
}

/// Query of the KPI export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KpiExportQuery {
    /// The unit.
    pub unit: Uuid,
    /// A period label (see `/reports/kpis`); default the current month.
    #[param(value_type = Option<super::period::PeriodLabel>)]
    pub period: Option<String>,
    /// First day (with `to`, instead of `period`).
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// `child`: also each open child unit.
    pub group_by: Option<GroupBy>,
    /// `csv` or `xlsx`.
    pub format: FileFormat,
}

/// When a file from `GET /reports/kpis?format=` stops being served (RFC 8594), and since when
/// it is deprecated (RFC 9745, a Unix time): release 0.2.0, and one year after it.
const KPI_FORMAT_DEPRECATED_AT: &str = "@1796601600";
const KPI_FORMAT_SUNSET: &str = "Tue, 07 Dec 2027 00:00:00 GMT";

/// Query of the chart.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// The unit.
    pub unit: Uuid,
    /// A period label (see `/reports/kpis`); default the current month.
    #[param(value_type = Option<super::period::PeriodLabel>)]
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
/// is in this contract (schema `Kpis`). `group_by=child` adds each open child unit. The same
/// figures as a file: `GET /reports/kpis/export` (`format=csv|xlsx` here is deprecated and
/// served until its `Sunset`). Needs `reports:read` or `members:read`; machine clients get
/// counts under 5 suppressed.
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
    cache: web::Data<FiguresCache>,
    query: ApiQuery<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let scope = ReportScope {
        unit: query.unit,
        period: query.period,
        from: query.from,
        to: query.to,
        group_by: query.group_by,
    };
    let file = match query.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => {
            let (report, _, _) = kpi_report(&caller, &state, &cache, scope).await?;
            return Ok(HttpResponse::Ok().json(report));
        }
        ReportFormat::Csv => FileFormat::Csv,
        ReportFormat::Xlsx => FileFormat::Xlsx,
    };
    let mut response = kpi_file(&caller, &state, &cache, scope, file).await?;
    let headers = response.headers_mut();
    for (name, value) in [
        ("deprecation", KPI_FORMAT_DEPRECATED_AT),
        ("sunset", KPI_FORMAT_SUNSET),
        ("link", "</api/v1/reports/kpis/export>; rel=\"successor-version\""),
    ] {
        headers.insert(header::HeaderName::from_static(name), header::HeaderValue::from_static(value));
    }
    Ok(response)
}

/// KPIs of a unit as a file
///
/// The figures of `GET /reports/kpis` as a file laid out like a commune report (báo cáo chỉ
/// tiêu): CSV (UTF-8 with a byte-order mark, for Excel) or XLSX (one sheet per section and a
/// monthly trend chart). Needs `reports:read` or `members:read`; machine clients get counts under
/// 5 suppressed. Counted against the `exports` rate-limit budget.
#[utoipa::path(tag = "reports", operation_id = "export_report_kpis", security(("bearer" = []), ("client_credentials" = [])),
    params(KpiExportQuery),
    responses((status = 200, description = "The file (`Content-Disposition: attachment`).",
            content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/reports/kpis/export")]
pub async fn export_report_kpis(
    caller: Caller,
    state: web::Data<AppState>,
    cache: web::Data<FiguresCache>,
    query: ApiQuery<KpiExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let scope = ReportScope {
        unit: query.unit,
        period: query.period,
        from: query.from,
        to: query.to,
        group_by: query.group_by,
    };
    kpi_file(&caller, &state, &cache, scope, query.format).await
}

/// Which unit and period a report covers.
struct ReportScope {
    unit: Uuid,
    period: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: Option<GroupBy>,
}

/// The figures of a unit (and its open children when grouped), the unit and the period.
async fn kpi_report(
    caller: &Caller,
    state: &AppState,
    cache: &FiguresCache,
    scope: ReportScope,
) -> Result<(KpiReport, crate::org_units::models::OrgUnitRow, Period), ApiError> {
    let period = Period::from_query(scope.period.as_deref(), scope.from, scope.to)?;
    machine_period(caller, scope.period.as_deref(), &period)?;
    let mut conn = state.read_pool.get().await?;
    let unit = report_unit(&mut conn, caller, scope.unit).await?;
    // The unit and its children together: one query per figure for all of them.
    let mut units = vec![unit.clone()];
    if scope.group_by == Some(GroupBy::Child) {
        units.extend(crate::org_units::queries::open_children(&mut conn, &unit).await?);
    }
    let machine = is_machine(caller);
    // Read before the figures' snapshot: a tag is never newer than what it tags (cache.rs).
    let clock = super::cache::clock(&mut conn).await?;
    let key = Key {
        units: units.iter().map(|u| u.id).collect(),
        from: period.from,
        to: period.to,
        label: period.label.clone(),
        machine,
    };
    let computed = cache
        .get_or_compute(key, clock, async || live_figures(&mut conn, &state.read_pool, &units, &period, machine).await)
        .await?;
    let mut all = computed.figures.iter().cloned();
    let main = all.next().ok_or_else(|| ApiError::internal("no figures computed"))?;
    let freshness = Freshness { commit_clock: computed.clock, computed_at: computed.computed_at };
    Ok((KpiReport { unit: main, children: all.collect(), freshness }, unit, period))
}

async fn kpi_file(
    caller: &Caller,
    state: &AppState,
    cache: &FiguresCache,
    scope: ReportScope,
    format: FileFormat,
) -> Result<HttpResponse, ApiError> {
    let (report, unit, period) = kpi_report(caller, state, cache, scope).await?;
    let file = format!("chi-tieu-{}", period.label.replace("..", "_"));
    Ok(match format {
        FileFormat::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}.csv\"")))
            .body(csv(&report)),
        FileFormat::Xlsx => {
            let mut conn = state.read_pool.get().await?;
            let points = trend_for(caller, trend(&mut conn, unit.id, &period).await?);
            HttpResponse::Ok()
                .content_type(crate::http::media::XLSX)
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}.xlsx\"")))
                .body(xlsx(&report, &points)?)
        }
    })
}

/// Trend chart of a unit
///
/// Members at each month's end (left scale) and meeting attendance % (right scale), month by
/// month, as SVG for embedding in apps: axes with round ticks, a marker on every point, the
/// attendance line broken over months without meetings.
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
