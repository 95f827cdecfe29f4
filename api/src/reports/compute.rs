//! Computing the KPIs live from the registry, pairs, activities and support. Each figure is a
//! set query over the units that make up the unit on a day (its subtree as it was, with its
//! predecessors), so merges never change a past figure and nothing waits for a rebuild.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::figures::{CardsAndFees, CoverageFigures, Kpis, MemberFigures, PairFigures, Ratio, SupportFigures};
use super::period::Period;
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
pub(super) struct One {
    #[diesel(sql_type = BigInt)]
    pub(super) a: i64,
}

#[derive(QueryableByName)]
struct Keyed {
    #[diesel(sql_type = SqlText)]
    key: String,
    #[diesel(sql_type = BigInt)]
    value: i64,
}

#[derive(QueryableByName)]
struct MaybeCount {
    #[diesel(sql_type = Nullable<BigInt>)]
    value: Option<i64>,
}

/// Units that were, on `day`, inside the subtree of `unit` or of one of its predecessors.
pub async fn units_on(conn: &mut AsyncPgConnection, unit: Uuid, day: NaiveDate) -> Result<Vec<Uuid>, ApiError> {
    let rows: Vec<Id> = diesel::sql_query(
        "WITH RECURSIVE lineage(id) AS (
             SELECT $1::uuid
             UNION SELECT l.predecessor_id FROM org_unit_links l JOIN lineage ON l.successor_id = lineage.id
         ), roots AS (
             SELECT p.path FROM org_unit_periods p JOIN lineage ON p.unit_id = lineage.id
             WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
         )
         SELECT DISTINCT up.unit_id AS id FROM org_unit_periods up JOIN roots r ON up.path <@ r.path
         WHERE up.valid_from <= $2 AND (up.valid_to IS NULL OR up.valid_to > $2)",
    )
    .bind::<SqlUuid, _>(unit)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Head counts on the period's first and last day and a year before, from one pass over the
/// placements that overlap those days (three separate counts cost three member lookups each).
#[derive(QueryableByName)]
struct Headcounts {
    #[diesel(sql_type = BigInt)]
    start: i64,
    #[diesel(sql_type = BigInt)]
    end: i64,
    #[diesel(sql_type = BigInt)]
    honorary_end: i64,
    #[diesel(sql_type = BigInt)]
    cards_end: i64,
    #[diesel(sql_type = BigInt)]
    year_before: i64,
}

/// Units and day of each head count: start, end, a year before.
struct CountDays<'a> {
    start: (&'a [Uuid], NaiveDate),
    end: (&'a [Uuid], NaiveDate),
    year_before: (&'a [Uuid], NaiveDate),
}

async fn headcounts(conn: &mut AsyncPgConnection, days: CountDays<'_>) -> Result<Headcounts, ApiError> {
    let mut all: Vec<Uuid> = days.start.0.to_vec();
    for unit in days.end.0.iter().chain(days.year_before.0) {
        if !all.contains(unit) {
            all.push(*unit);
        }
    }
    let first = days.start.1.min(days.year_before.1);
    let last = days.end.1.max(days.start.1);
    Ok(diesel::sql_query(
        "SELECT count(*) FILTER (WHERE regular AND at_start) AS start,
                count(*) FILTER (WHERE regular AND at_end) AS end,
                count(*) FILTER (WHERE honorary AND at_end) AS honorary_end,
                count(*) FILTER (WHERE regular AND at_end AND card) AS cards_end,
                count(*) FILTER (WHERE regular AND at_year_before) AS year_before
         FROM (SELECT m.member_type = 'regular' AS regular, m.member_type = 'honorary' AS honorary,
                      m.card_number IS NOT NULL AS card,
                      pl.unit_id = ANY($1) AND pl.valid_from <= $2 AND (pl.valid_to IS NULL OR pl.valid_to > $2) AS at_start,
                      pl.unit_id = ANY($3) AND pl.valid_from <= $4 AND (pl.valid_to IS NULL OR pl.valid_to > $4) AS at_end,
                      pl.unit_id = ANY($5) AND pl.valid_from <= $6 AND (pl.valid_to IS NULL OR pl.valid_to > $6) AS at_year_before
               FROM member_placements pl JOIN members m ON m.id = pl.member_id
               WHERE pl.unit_id = ANY($7) AND pl.valid_from <= $8 AND (pl.valid_to IS NULL OR pl.valid_to > $9)) p",
    )
    .bind::<Array<SqlUuid>, _>(days.start.0)
    .bind::<Date, _>(days.start.1)
    .bind::<Array<SqlUuid>, _>(days.end.0)
    .bind::<Date, _>(days.end.1)
    .bind::<Array<SqlUuid>, _>(days.year_before.0)
    .bind::<Date, _>(days.year_before.1)
    .bind::<Array<SqlUuid>, _>(&all)
    .bind::<Date, _>(last)
    .bind::<Date, _>(first)
    .get_result(conn)
    .await?)
}

async fn keyed(conn: &mut AsyncPgConnection, sql: &str, units: &[Uuid], p: &Period) -> Result<Vec<Keyed>, ApiError> {
    Ok(diesel::sql_query(sql)
        .bind::<Array<SqlUuid>, _>(units)
        .bind::<Date, _>(p.from)
        .bind::<Date, _>(p.to)
        .load(conn)
        .await?)
}

fn map(rows: Vec<Keyed>) -> BTreeMap<String, Option<i64>> {
    rows.into_iter().map(|k| (k.key, Some(k.value))).collect()
}

fn get(rows: &[Keyed], key: &str) -> i64 {
    rows.iter().find(|k| k.key == key).map_or(0, |k| k.value)
}

/// Lifecycle events of regular members attributed to these units in the period.
async fn movements(conn: &mut AsyncPgConnection, units: &[Uuid], p: &Period) -> Result<Vec<Keyed>, ApiError> {
    keyed(
        conn,
        // Three index-friendly parts: arrivals by destination, departures by origin, and
        // endings by the placement they closed.
        "SELECT e.kind AS key, count(*) AS value FROM member_events e
           JOIN members m ON m.id = e.member_id AND m.member_type = 'regular'
         WHERE e.to_unit_id = ANY($1) AND e.occurred_on BETWEEN $2 AND $3
           AND (e.kind IN ('join', 'reinstatement') OR (e.kind = 'transfer_in' AND NOT (e.from_unit_id = ANY($1))))
         GROUP BY e.kind
         UNION ALL
         SELECT e.kind, count(*) FROM member_events e
           JOIN members m ON m.id = e.member_id AND m.member_type = 'regular'
         WHERE e.from_unit_id = ANY($1) AND e.occurred_on BETWEEN $2 AND $3
           AND e.kind = 'transfer_out' AND NOT (e.to_unit_id = ANY($1))
         GROUP BY e.kind
         UNION ALL
         SELECT e.kind, count(DISTINCT e.id) FROM member_placements pl
           JOIN member_events e ON e.member_id = pl.member_id AND e.occurred_on = pl.valid_to
                AND e.kind IN ('leave', 'removal', 'death')
           JOIN members m ON m.id = e.member_id AND m.member_type = 'regular'
         WHERE pl.unit_id = ANY($1) AND pl.valid_to BETWEEN $2 AND $3
         GROUP BY e.kind",
        units,
        p,
    )
    .await
}

async fn women(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    units: &[Uuid],
    day: NaiveDate,
) -> Result<Option<i64>, ApiError> {
    let own: MaybeCount = diesel::sql_query(
        "SELECT (SELECT women_18_plus::bigint FROM org_unit_population WHERE unit_id = $1 AND as_of <= $2
                 ORDER BY as_of DESC LIMIT 1) AS value",
    )
    .bind::<SqlUuid, _>(unit)
    .bind::<Date, _>(day)
    .get_result(conn)
    .await?;
    if own.value.is_some() {
        return Ok(own.value);
    }
    let branches: MaybeCount = diesel::sql_query(
        "SELECT sum(latest)::bigint AS value FROM (
             SELECT DISTINCT ON (p.unit_id) p.women_18_plus AS latest FROM org_unit_population p
             JOIN org_units u ON u.id = p.unit_id AND u.level = 'branch'
             WHERE p.unit_id = ANY($1) AND p.as_of <= $2 ORDER BY p.unit_id, p.as_of DESC) b",
    )
    .bind::<Array<SqlUuid>, _>(units)
    .bind::<Date, _>(day)
    .get_result(conn)
    .await?;
    Ok(branches.value)
}

async fn pairs(conn: &mut AsyncPgConnection, units: &[Uuid], p: &Period) -> Result<PairFigures, ApiError> {
    let active = keyed(
        conn,
        "SELECT kind AS key, count(*) AS value FROM pairs WHERE unit_id = ANY($1) AND started_on <= $3
           AND (ended_on IS NULL OR ended_on > $3) AND $2 <= $3 GROUP BY kind",
        units,
        p,
    )
    .await?;
    let closed = keyed(
        conn,
        "SELECT kind || ':' || status AS key, count(*) AS value FROM pairs WHERE unit_id = ANY($1)
           AND status <> 'active' AND ended_on BETWEEN $2 AND $3 GROUP BY kind, status",
        units,
        p,
    )
    .await?;
    let stages = keyed(
        conn,
        "SELECT e.stage AS key, count(*) AS value FROM pair_stage_events e JOIN pairs pr ON pr.id = e.pair_id
         WHERE pr.unit_id = ANY($1) AND pr.kind = 'party_nurture' AND NOT e.reverted
           AND e.reached_on BETWEEN $2 AND $3 GROUP BY e.stage",
        units,
        p,
    )
    .await?;
    let recruited = keyed(
        conn,
        "SELECT 'joined' AS key, count(*) AS value FROM prospects WHERE unit_id = ANY($1)
           AND status = 'converted' AND converted_on BETWEEN $2 AND $3",
        units,
        p,
    )
    .await?;
    let mut achieved_by_kind = BTreeMap::new();
    let (mut achieved, mut ended) = (0, 0);
    for row in &closed {
        let (kind, status) = row.key.split_once(':').unwrap_or((&row.key, ""));
        if status == "achieved" {
            achieved += row.value;
            achieved_by_kind.insert(kind.to_owned(), Some(row.value));
        } else {
            ended += row.value;
        }
    }
    Ok(PairFigures {
        active_by_kind: map(active),
        achieved_by_kind,
        outcomes_reached: Ratio::of(achieved, achieved + ended),
        prospects_recruited: Some(get(&recruited, "joined")),
        party_introductions: Some(get(&stages, "introduced")),
        party_admissions: Some(get(&stages, "admitted")),
    })
}

async fn support(conn: &mut AsyncPgConnection, units: &[Uuid], p: &Period) -> Result<SupportFigures, ApiError> {
    const RECORDED: &str = "FROM support_entries s WHERE s.unit_id = ANY($1) AND s.status = 'recorded'";
    let totals = keyed(
        conn,
        &format!(
            "SELECT 'households' AS key, count(DISTINCT s.member_id) AS value {RECORDED} AND s.given_on BETWEEN $2 AND $3
             UNION ALL SELECT 'entries', count(*) {RECORDED} AND s.given_on BETWEEN $2 AND $3
             UNION ALL SELECT 'amount', coalesce(sum(s.amount_vnd), 0)::bigint {RECORDED} AND s.given_on BETWEEN $2 AND $3
             UNION ALL SELECT 'jobs', count(*) {RECORDED} AND s.given_on BETWEEN $2 AND $3
                 AND s.kind IN (SELECT code FROM support_kinds WHERE is_job)
             UNION ALL SELECT 'out_of_poverty', count(DISTINCT s.member_id) {RECORDED}
                 AND s.outcome = 'out_of_poverty' AND s.outcome_on BETWEEN $2 AND $3"
        ),
        units,
        p,
    )
    .await?;
    let by_kind = keyed(
        conn,
        &format!("SELECT s.kind AS key, coalesce(sum(s.amount_vnd), 0)::bigint AS value {RECORDED} AND s.given_on BETWEEN $2 AND $3 GROUP BY s.kind"),
        units,
        p,
    )
    .await?;
    let by_source = keyed(
        conn,
        &format!("SELECT s.source AS key, coalesce(sum(s.amount_vnd), 0)::bigint AS value {RECORDED} AND s.given_on BETWEEN $2 AND $3 GROUP BY s.source"),
        units,
        p,
    )
    .await?;
    Ok(SupportFigures {
        households: Some(get(&totals, "households")),
        entries: Some(get(&totals, "entries")),
        amount_vnd: Some(get(&totals, "amount")),
        amount_vnd_by_kind: map(by_kind),
        amount_vnd_by_source: map(by_source),
        jobs: Some(get(&totals, "jobs")),
        out_of_poverty: Some(get(&totals, "out_of_poverty")),
    })
}

async fn cards_and_fees(
    conn: &mut AsyncPgConnection,
    unit: &OrgUnitRow,
    units: &[Uuid],
    day: NaiveDate,
    heads: &Headcounts,
) -> Result<CardsAndFees, ApiError> {
    let members_end = heads.end;
    let fee_paid = match crate::fees::schedules::applying(conn, &unit.path.0, day.year()).await? {
        Some(schedule) => {
            let period_no = match schedule.period {
                crate::fees::schedules::FeePeriod::Month => day.month(),
                crate::fees::schedules::FeePeriod::Quarter => day.month().div_ceil(3),
                crate::fees::schedules::FeePeriod::Year => 1,
            };
            let paid: One = diesel::sql_query(
                "SELECT count(*) AS a
                 FROM member_placements pl JOIN members m ON m.id = pl.member_id AND m.member_type = 'regular'
                 WHERE pl.unit_id = ANY($1) AND pl.valid_from <= $2 AND (pl.valid_to IS NULL OR pl.valid_to > $2)
                   AND EXISTS (SELECT 1 FROM fee_payments f WHERE f.member_id = m.id AND f.year = $3 AND f.period_no = $4)",
            )
            .bind::<Array<SqlUuid>, _>(units)
            .bind::<Date, _>(day)
            .bind::<diesel::sql_types::Integer, _>(day.year())
            .bind::<diesel::sql_types::Integer, _>(i32::try_from(period_no).unwrap_or(1))
            .get_result(conn)
            .await?;
            Some(Ratio::of(paid.a, members_end))
        }
        None => None,
    };
    Ok(CardsAndFees { card_holders: Ratio::of(heads.cards_end, members_end), fee_paid })
}

/// Every KPI of `unit` over `period`.
pub async fn kpis(conn: &mut AsyncPgConnection, unit: &OrgUnitRow, period: &Period) -> Result<Kpis, ApiError> {
    let start_units = units_on(conn, unit.id, period.from).await?;
    let end_units = units_on(conn, unit.id, period.to).await?;
    let mut all_units = start_units.clone();
    all_units.extend(end_units.iter().copied().filter(|u| !start_units.contains(u)));
    let year_before_day = period.year_before();
    let year_units = units_on(conn, unit.id, year_before_day).await?;
    let heads = headcounts(
        conn,
        CountDays {
            start: (&start_units, period.from),
            end: (&end_units, period.to),
            year_before: (&year_units, year_before_day),
        },
    )
    .await?;
    let Headcounts { start, end, honorary_end, year_before, .. } = heads;
    let moves = movements(conn, &all_units, period).await?;
    let count = |kind: &str| get(&moves, kind);
    let net = count("join") + count("reinstatement") + count("transfer_in")
        - count("transfer_out")
        - count("leave")
        - count("removal")
        - count("death");
    let women = women(conn, unit.id, &end_units, period.to).await?;
    let threshold = crate::settings::integer(conn, "coverage.flag_below_percent", 60).await?;
    let coverage =
        women.map_or(Ratio { numerator: Some(end), denominator: None, percent: None }, |w| Ratio::of(end, w));
    let criteria = crate::settings::json(conn, "reports.criteria_codes").await?;
    Ok(Kpis {
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        level: unit.level.clone(),
        period: period.clone(),
        members: MemberFigures {
            start: Some(start),
            end: Some(end),
            honorary_end: Some(honorary_end),
            joins: Some(count("join")),
            reinstatements: Some(count("reinstatement")),
            transfers_in: Some(count("transfer_in")),
            transfers_out: Some(count("transfer_out")),
            leavers: Some(count("leave")),
            removals: Some(count("removal")),
            deaths: Some(count("death")),
            net_change: Some(net),
            other_moves: Some(end - start - net),
            growth: Ratio::of(end - start, start),
            year_before: Some(year_before),
            growth_year: Ratio::of(end - year_before, year_before),
        },
        coverage: CoverageFigures {
            women_18_plus: women,
            flagged: coverage.percent.is_some_and(|p| p < threshold as f64),
            coverage,
            threshold_percent: threshold,
        },
        engagement: super::engagement::figures(conn, &all_units, &end_units, period, end).await?,
        pairs: pairs(conn, &all_units, period).await?,
        support: support(conn, &all_units, period).await?,
        cards_and_fees: cards_and_fees(conn, unit, &end_units, period.to, &heads).await?,
        criteria_codes: criteria
            .and_then(|v| serde_json::from_value::<BTreeMap<String, Vec<String>>>(v).ok())
            .unwrap_or_default(),
        suppressed: false,
    })
}
