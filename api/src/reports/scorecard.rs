//! The "3 có 3 biết" scorecard: per branch, the three "có" over the period's months and the
//! three "biết" at its end, an overall status, and the members that pull each share down (what
//! the branch head should do next).

use actix_web::{get, web};
use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::figures::Ratio;
use super::groups::units_on;
use super::period::Period;
use crate::activities::three_haves::{BranchMonth, branch_months, rules};
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, PageRequest, Text};
use crate::members::wire::full_name;
use crate::org_units::access::visible_unit;
use crate::state::AppState;

/// How a branch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BranchStanding)]
pub enum Standing {
    /// Đạt: all six criteria met.
    Strong,
    /// Khá: four or five met.
    Fair,
    /// Chưa đạt: fewer.
    Weak,
}

/// A member named by a share that is not full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedMember {
    /// The member.
    pub member_id: Uuid,
    /// Her full name.
    pub full_name: String,
}

/// One "biết": the share of members it holds for, and (up to 20) who it does not.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ScorecardKnow)]
pub struct Know {
    pub share: Ratio,
    /// Met when the share reaches the threshold.
    pub met: bool,
    /// Members to see next, in Vietnamese order (at most 20).
    pub missing: Vec<NamedMember>,
}

/// One "có": in how many months of the period it held.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ScorecardHave)]
pub struct Have {
    /// Months it held ÷ months in the period.
    pub months: Ratio,
    /// Met when it held in every month (or the share in `scorecard.have_min_percent`).
    pub met: bool,
}

/// The scorecard of one branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BranchScorecard {
    /// The branch.
    pub unit_id: Uuid,
    /// Its name.
    pub name: String,
    /// Có hội viên tiên phong.
    pub pioneers: Have,
    /// Có sinh hoạt hằng tháng.
    pub activity: Have,
    /// Có nguồn lực.
    pub resources: Have,
    /// Biết mặt: members with a contact in the 12 months before `to`.
    pub face: Know,
    /// Biết hoàn cảnh: members whose circumstances were verified in those 12 months.
    pub circumstances: Know,
    /// Biết nhu cầu: members with a need recorded.
    pub needs: Know,
    /// Criteria met, of 6.
    pub criteria_met: i64,
    pub standing: Standing,
    /// Month by month (the "3 có" view).
    pub months: Vec<BranchMonth>,
}

/// The scorecard of a unit's branches.
#[derive(Debug, Serialize, ToSchema)]
pub struct Scorecard {
    /// The unit asked about.
    pub unit_id: Uuid,
    pub period: Period,
    /// Share a "biết" needs to be met (setting `scorecard.know_min_percent`, default 80).
    pub know_min_percent: i64,
    /// Share of months a "có" needs (setting `scorecard.have_min_percent`, default 100).
    pub have_min_percent: i64,
    /// Branches (a page), by name.
    pub items: Vec<BranchScorecard>,
    /// Pass as `cursor` for the next branches; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Query of the scorecard.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// The unit (a commune, or a branch).
    pub unit: Uuid,
    /// Period label (`2025`, `2025-Q4`, …), at most 24 months; default the current month.
    #[param(value_type = Option<super::period::PeriodLabel>)]
    pub period: Option<String>,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// Branches per page, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(QueryableByName)]
struct Person {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlText)]
    family_name: String,
    #[diesel(sql_type = SqlText)]
    middle_name: String,
    #[diesel(sql_type = SqlText)]
    given_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    face: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    verified: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    needs: bool,
}

fn know(people: &[Person], holds: impl Fn(&Person) -> bool, min: i64) -> Know {
    let yes = people.iter().filter(|p| holds(p)).count();
    let share = Ratio::of(i64::try_from(yes).unwrap_or(0), i64::try_from(people.len()).unwrap_or(0));
    Know {
        met: share.percent.is_some_and(|p| p >= min as f64),
        share,
        missing: people
            .iter()
            .filter(|p| !holds(p))
            .take(20)
            .map(|p| NamedMember {
                member_id: p.id,
                full_name: full_name(&p.family_name, &p.middle_name, &p.given_name),
            })
            .collect(),
    }
}

fn have(months: &[BranchMonth], holds: impl Fn(&BranchMonth) -> bool, min: i64) -> Have {
    let yes = months.iter().filter(|m| holds(m)).count();
    let share = Ratio::of(i64::try_from(yes).unwrap_or(0), i64::try_from(months.len()).unwrap_or(0));
    Have { met: share.percent.is_some_and(|p| p >= min as f64), months: share }
}

/// Members of the branch at the end of the period, with the three "biết".
async fn people(conn: &mut AsyncPgConnection, branch: Uuid, to: NaiveDate) -> Result<Vec<Person>, ApiError> {
    let units = units_on(conn, &[branch], to).await?.unit;
    Ok(crate::db::prepared(
        "SELECT m.id, m.family_name, m.middle_name, m.given_name,
                EXISTS (SELECT 1 FROM member_contacts c WHERE c.member_id = m.id AND c.contacted_on BETWEEN $3 AND $2) AS face,
                EXISTS (SELECT 1 FROM member_profiles p WHERE p.member_id = m.id AND p.verified_on BETWEEN $3 AND $2) AS verified,
                EXISTS (SELECT 1 FROM member_needs n WHERE n.member_id = m.id AND n.created_at::date <= $2) AS needs
         FROM member_placements pl JOIN members m ON m.id = pl.member_id AND m.member_type = 'regular'
         WHERE pl.unit_id = ANY($1) AND pl.valid_from <= $2 AND (pl.valid_to IS NULL OR pl.valid_to > $2)
         ORDER BY m.sort_key, m.id",
    )
    .bind::<Array<SqlUuid>, _>(&units)
    .bind::<Date, _>(to)
    .bind::<Date, _>(to - Days::new(365))
    .load(conn)
    .await?)
}

/// Scorecards of these branches over the period.
pub async fn scorecards(
    conn: &mut AsyncPgConnection,
    branches: Vec<(Uuid, String, diesel_ltree::Ltree)>,
    period: &Period,
) -> Result<(Vec<BranchScorecard>, i64, i64), ApiError> {
    let know_min = crate::settings::integer(conn, "scorecard.know_min_percent", 80).await?;
    let have_min = crate::settings::integer(conn, "scorecard.have_min_percent", 100).await?;
    let first = NaiveDate::from_ymd_opt(period.from.year(), period.from.month(), 1).unwrap_or(period.from);
    let last = NaiveDate::from_ymd_opt(period.to.year(), period.to.month(), 1).unwrap_or(period.to);
    let rules = rules(conn).await?;
    let haves = branch_months(conn, branches, first, last, rules).await?;
    let mut out = Vec::new();
    for branch in haves {
        let people = people(conn, branch.unit_id, period.to).await?;
        let pioneers = have(&branch.months, |m| m.has_pioneers, have_min);
        let activity = have(&branch.months, |m| m.has_activity, have_min);
        let resources = have(&branch.months, |m| m.has_resources, have_min);
        let face = know(&people, |p| p.face, know_min);
        let circumstances = know(&people, |p| p.verified, know_min);
        let needs = know(&people, |p| p.needs, know_min);
        let met = [pioneers.met, activity.met, resources.met, face.met, circumstances.met, needs.met]
            .into_iter()
            .filter(|m| *m)
            .count();
        let criteria_met = i64::try_from(met).unwrap_or(0);
        out.push(BranchScorecard {
            unit_id: branch.unit_id,
            name: branch.name,
            pioneers,
            activity,
            resources,
            face,
            circumstances,
            needs,
            criteria_met,
            standing: match met {
                6 => Standing::Strong,
                4 | 5 => Standing::Fair,
                _ => Standing::Weak,
            },
            months: branch.months,
        });
    }
    Ok((out, know_min, have_min))
}

/// "3 có 3 biết" scorecard
///
/// For each branch of the unit (a page, by name): the three "có" over the period's months,
/// the three "biết" at its end (contact and verified circumstances in the 12 months before
/// `to`, needs recorded), the criteria met, a standing, and up to 20 members behind each share
/// that is not full. Needs `members:read` (it names members).
#[utoipa::path(tag = "reports", operation_id = "get_report_scorecard", security(("bearer" = [])),
    params(ScorecardQuery),
    responses((status = 200, description = "The scorecard.", body = Scorecard),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/reports/scorecard")]
pub async fn get_report_scorecard(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ScorecardQuery>,
) -> Result<web::Json<Scorecard>, ApiError> {
    let query = query.into_inner();
    let period = Period::from_query(query.period.as_deref(), query.from, query.to)?;
    super::handlers::machine_period(&caller, query.period.as_deref(), &period)?;
    if period.months().len() > 24 {
        return Err(ApiError::invalid_parameter(
            "period",
            "too_long",
            Text::new("Tối đa 24 tháng.", "At most 24 months."),
        ));
    }
    let limit = query.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            "out_of_range",
            Text::new("Từ 1 đến 50.", "Between 1 and 50."),
        ));
    }
    let page = PageRequest::<(String, Uuid)>::parse(Some(limit), query.cursor.as_deref())?;
    let mut conn = state.read_pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, query.unit, Permission::MembersRead).await?;
    let (branches, next_cursor) =
        crate::org_units::queries::branches_page(&mut conn, &unit.path, (period.from, period.to), page.after, limit)
            .await?;
    let (items, know_min, have_min) = scorecards(&mut conn, branches, &period).await?;
    Ok(web::Json(Scorecard {
        unit_id: unit.id,
        period,
        know_min_percent: know_min,
        have_min_percent: have_min,
        items,
        next_cursor,
    }))
}
