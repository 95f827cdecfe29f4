//! Reading reports: the list for incremental pulls, and one report with its live diff.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;

use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery, Page, PageRequest, etag};
use crate::reports::access::{is_machine, report_unit};
use crate::reports::family::{Family, with_children};
use crate::reports::period::Period;
use crate::schema::report_submissions as s;
use crate::state::AppState;

use super::*;

/// List reports
///
/// Reports of units in the caller's scope (`reports:read` or `members:read`), oldest change
/// first so systems can pull incrementally with `updated_since`. Machine clients see only
/// submitted and accepted reports, with small counts suppressed.
#[utoipa::path(tag = "reports", operation_id = "list_report_submissions", security(("bearer" = []), ("client_credentials" = [])),
    params(SubmissionQuery),
    responses((status = 200, description = "A page of reports.", body = ReportSubmissionPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/report-submissions")]
pub async fn list_report_submissions(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<SubmissionQuery>,
) -> Result<web::Json<Page<ReportSubmission>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(DateTime<Utc>, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let scope = read_scope(&caller)?;
    let mut conn = state.pool.get().await?;
    let mut select = s::table
        .select(Row::as_select())
        .filter(s::unit_path.contained_by_any(scope))
        .order((s::updated_at.asc(), s::id.asc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if is_machine(&caller) {
        select = select.filter(s::status.eq_any(SubmissionStatus::PUBLISHED.map(SubmissionStatus::as_str)));
    }
    if let Some(unit) = query.unit {
        let unit = report_unit(&mut conn, &caller, unit).await?;
        select = select.filter(s::unit_path.contained_by(unit.path));
    }
    if let Some(status) = query.status {
        select = select.filter(s::status.eq(status.as_str()));
    }
    if let Some(period) = &query.period {
        let period = Period::labelled("period", period)?;
        select = select.filter(s::period.eq(period.label));
    }
    if let Some(since) = query.updated_since {
        select = select.filter(s::updated_at.ge(since));
    }
    if let Some((at, id)) = page.after {
        select = select.filter(s::updated_at.gt(at).or(s::updated_at.eq(at).and(s::id.gt(id))));
    }
    let mut rows: Vec<Row> = select.load(&mut conn).await?;
    if is_machine(&caller) {
        in_families(&mut conn, &mut rows).await?;
    }
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| (r.updated_at, r.id), |r| to_wire(&caller, r))))
}

/// For machine clients: each report's figures suppressed within its family (its parent and
/// siblings for the same period, `reports/family.rs`), so that no hidden cell is the parent's
/// total minus the siblings' reports. A page of one province's communes shares one family.
async fn in_families(conn: &mut AsyncPgConnection, rows: &mut [Row]) -> Result<(), ApiError> {
    let mut families: HashMap<(Option<Uuid>, String), Option<Family>> = HashMap::new();
    for row in rows.iter_mut() {
        let Some(unit) = queries::find(conn, row.unit_id).await? else { continue };
        let period = Period { label: row.period.clone(), from: row.period_from, to: row.period_to };
        let key = (unit.parent_id, row.period.clone());
        if !families.contains_key(&key) {
            let family = Family::of(conn, &unit, &period).await?;
            families.insert(key.clone(), family);
        }
        let Ok(own) = serde_json::from_value::<Kpis>(row.figures.clone()) else { continue };
        let as_child = match families.get(&key).and_then(Option::as_ref) {
            Some(family) => family.view(unit.id, own.clone()),
            None => crate::reports::suppress::suppress(own.clone()),
        };
        let shown = with_children(conn, &unit, &period, own, as_child).await?;
        row.figures = serde_json::to_value(shown).map_err(ApiError::internal)?;
    }
    Ok(())
}

/// Get a report
///
/// With `live_diff`: the frozen figures that differ from today's live figures.
#[utoipa::path(tag = "reports", operation_id = "get_report_submission", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Report id.")),
    responses((status = 200, description = "The report.", body = ReportSubmission),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/report-submissions/{id}")]
pub async fn get_report_submission(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let mut row = visible(&mut conn, &caller, id.into_inner(), false).await?;
    let period = Period { label: row.period.clone(), from: row.period_from, to: row.period_to };
    let mut live = freeze(&mut conn, row.unit_id, &period).await?;
    if is_machine(&caller) {
        // The frozen and the live figures, each within the report's family.
        let unit = queries::find(&mut conn, row.unit_id).await?.ok_or(ApiError::NotFound)?;
        let family = Family::of(&mut conn, &unit, &period).await?;
        let mut views = Vec::new();
        for figures in [row.figures.clone(), live] {
            let Ok(own) = serde_json::from_value::<Kpis>(figures) else {
                views.push(Value::Null);
                continue;
            };
            let as_child = match &family {
                Some(family) => family.view(unit.id, own.clone()),
                None => crate::reports::suppress::suppress(own.clone()),
            };
            let shown = with_children(&mut conn, &unit, &period, own, as_child).await?;
            views.push(serde_json::to_value(shown).unwrap_or(Value::Null));
        }
        live = views.pop().unwrap_or(Value::Null);
        row.figures = views.pop().unwrap_or(Value::Null);
    }
    let mut report = to_wire(&caller, row);
    let mut changes = Vec::new();
    diff(&report.figures, &live, "", &mut changes);
    report.live_diff = Some(changes);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(report.version))).json(report))
}
