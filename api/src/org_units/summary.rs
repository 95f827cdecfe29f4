//! Membership of a unit on a date, through the tree as it was that day: what the merge of
//! xã Hưng Lễ must not change for 2024.

use actix_web::{get, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::visible_unit;
use super::lineage::{members_on, units_on};
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery};
use crate::reports::coverage::coverage;
use crate::schema::org_unit_population as pop;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Membership of a unit (and its subtree as it was) on a date.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"org_unit_id": "0193a5c8-0000-7000-8000-00000000c001", "as_of": "2024-12-31", "members": 312, "honorary_members": 4,
    "women_18_plus": 498, "population_as_of": "2024-01-01", "coverage_percent": 62.65}))]
pub struct MemberSummary {
    /// The unit counted (with its subtree).
    pub org_unit_id: Uuid,
    /// Day of the count.
    pub as_of: NaiveDate,
    /// Regular members placed in the subtree that day (hội viên chính thức).
    pub members: i64,
    /// Honorary members, excluded from every ratio.
    pub honorary_members: i64,
    /// Women 18+ of the counted units that day, as in the reports' coverage: each unit's latest
    /// count on or before it, with merged units' last counts; `null` when no unit has one.
    pub women_18_plus: Option<i32>,
    /// Date of the unit's own latest count, if it has one.
    pub population_as_of: Option<NaiveDate>,
    /// Coverage (tỷ lệ tập hợp) = regular members of the counted units ÷ women 18+ × 100, two
    /// decimals; `null` without a count (the reports' `coverage` says what was left out).
    pub coverage_percent: Option<f64>,
}

/// Query of a member summary.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The day (default today).
    pub as_of: Option<NaiveDate>,
}

/// Membership of a unit on a date
///
/// Members placed that day in the unit's subtree as the tree was that day, the latest women-18+
/// count and the coverage. Reproducible: later merges, moves and transfers do not change a past
/// day's answer. Not for machine clients (403): counts on any day could be differenced; they
/// read `/reports/kpis` for ended periods, with small counts suppressed.
#[utoipa::path(tag = "org_units", operation_id = "get_org_unit_member_summary", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), SummaryQuery),
    responses((status = 200, description = "The summary.", body = MemberSummary),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/member-summary")]
pub async fn get_org_unit_member_summary(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<SummaryQuery>,
) -> Result<web::Json<MemberSummary>, ApiError> {
    // A count on any day could be differenced day by day: machine clients read membership
    // through the reports, for whole periods that have ended, with small counts suppressed.
    caller.require_person()?;
    let day = query.0.as_of.unwrap_or_else(|| today_in_vietnam(Utc::now()));
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
    let (regular, honorary) = members_on(&mut conn, unit.id, day).await?;
    // Coverage by the rule of the reports: the counted units only (docs/figures.md).
    let units = units_on(&mut conn, &[unit.id], day).await?;
    let cover = coverage(&mut conn, &units, day, &[regular]).await?.pop().unwrap_or_default();
    let population: Option<NaiveDate> = pop::table
        .filter(pop::unit_id.eq(unit.id))
        .filter(pop::as_of.le(day))
        .order(pop::as_of.desc())
        .select(pop::as_of)
        .first(&mut conn)
        .await
        .optional()?;
    let coverage_percent = cover
        .women
        .and_then(|women| (women > 0).then(|| ((cover.members as f64) * 10_000.0 / (women as f64)).round() / 100.0));
    Ok(web::Json(MemberSummary {
        org_unit_id: unit.id,
        as_of: day,
        members: regular,
        honorary_members: honorary,
        women_18_plus: cover.women.map(|w| i32::try_from(w).unwrap_or(i32::MAX)),
        population_as_of: population,
        coverage_percent,
    }))
}
