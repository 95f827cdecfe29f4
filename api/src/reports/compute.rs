//! Computing the KPIs live from the registry, pairs, activities and support. Each figure is a
//! set query over the units that make up a unit on a day (its subtree as it was, with its
//! predecessors), so merges never change a past figure and nothing waits for a rebuild. Several
//! units (a province and its communes) are computed together, one query per figure (`groups`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use futures_util::future::try_join3;

use super::figures::{CardsAndFees, CoverageFigures, Kpis, MemberFigures, PairFigures, Ratio, SupportFigures};
use super::groups::{Groups, keyed};
use super::period::Period;
use crate::db::{DbPool, export_snapshot, in_shared_snapshot};
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;

/// Head counts of each group on the period's first and last day and a year before.
#[derive(QueryableByName, Default, Clone, Copy)]
struct Headcounts {
    #[diesel(sql_type = Integer)]
    grp: i32,
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

/// The units of each group on the three days counted: start, end, a year before.
struct Days<'a> {
    start: (&'a Groups, NaiveDate),
    end: (&'a Groups, NaiveDate),
    year_before: (&'a Groups, NaiveDate),
}

/// One pass over the placements that overlap the three days, counted per unit and then summed
/// per group over its `(group, unit)` pairs, each marked with the days it counts on (bits 1, 2,
/// 4); a member has one placement on a day. Members are regular card holders unless listed
/// among the few exceptions (index `members_exceptions`).
async fn headcounts(conn: &mut AsyncPgConnection, days: Days<'_>, n: usize) -> Result<Vec<Headcounts>, ApiError> {
    let mut marks: BTreeMap<(i32, Uuid), i32> = BTreeMap::new();
    for (bit, groups) in [(1, days.start.0), (2, days.end.0), (4, days.year_before.0)] {
        for (grp, unit) in groups.grp.iter().zip(&groups.unit) {
            *marks.entry((*grp, *unit)).or_insert(0) |= bit;
        }
    }
    let grp: Vec<i32> = marks.keys().map(|k| k.0).collect();
    let unit: Vec<Uuid> = marks.keys().map(|k| k.1).collect();
    let bits: Vec<i32> = marks.values().copied().collect();
    let first = days.start.1.min(days.year_before.1);
    let last = days.end.1.max(days.start.1);
    let rows: Vec<Headcounts> = crate::db::prepared(
        "WITH exceptions AS MATERIALIZED (
             SELECT id, member_type, card_number FROM members WHERE member_type <> 'regular' OR card_number IS NULL),
         per_unit AS (
             SELECT unit_id, count(*) FILTER (WHERE regular AND at_start) AS start,
                    count(*) FILTER (WHERE regular AND at_end) AS end,
                    count(*) FILTER (WHERE NOT regular AND at_end) AS honorary_end,
                    count(*) FILTER (WHERE regular AND at_end AND card) AS cards_end,
                    count(*) FILTER (WHERE regular AND at_year_before) AS year_before
             FROM (SELECT pl.unit_id, x.id IS NULL OR x.member_type = 'regular' AS regular,
                          x.id IS NULL OR x.card_number IS NOT NULL AS card,
                          pl.valid_from <= $4 AND (pl.valid_to IS NULL OR pl.valid_to > $4) AS at_start,
                          pl.valid_from <= $5 AND (pl.valid_to IS NULL OR pl.valid_to > $5) AS at_end,
                          pl.valid_from <= $6 AND (pl.valid_to IS NULL OR pl.valid_to > $6) AS at_year_before
                   FROM member_placements pl LEFT JOIN exceptions x ON x.id = pl.member_id
                   WHERE pl.unit_id = ANY($2) AND pl.valid_from <= $7 AND (pl.valid_to IS NULL OR pl.valid_to > $8)) p
             GROUP BY unit_id)
         SELECT g.grp, coalesce(sum(u.start) FILTER (WHERE g.bits & 1 <> 0), 0)::bigint AS start,
                coalesce(sum(u.end) FILTER (WHERE g.bits & 2 <> 0), 0)::bigint AS end,
                coalesce(sum(u.honorary_end) FILTER (WHERE g.bits & 2 <> 0), 0)::bigint AS honorary_end,
                coalesce(sum(u.cards_end) FILTER (WHERE g.bits & 2 <> 0), 0)::bigint AS cards_end,
                coalesce(sum(u.year_before) FILTER (WHERE g.bits & 4 <> 0), 0)::bigint AS year_before
         FROM unnest($1::integer[], $2::uuid[], $3::integer[]) AS g(grp, unit_id, bits)
         JOIN per_unit u ON u.unit_id = g.unit_id
         GROUP BY g.grp",
    )
    .bind::<Array<Integer>, _>(&grp)
    .bind::<Array<SqlUuid>, _>(&unit)
    .bind::<Array<Integer>, _>(&bits)
    .bind::<Date, _>(days.start.1)
    .bind::<Date, _>(days.end.1)
    .bind::<Date, _>(days.year_before.1)
    .bind::<Date, _>(last)
    .bind::<Date, _>(first)
    .load(conn)
    .await?;
    let mut out = vec![Headcounts::default(); n];
    for row in rows {
        if let Some(slot) = usize::try_from(row.grp).ok().and_then(|g| out.get_mut(g)) {
            *slot = row;
        }
    }
    Ok(out)
}

/// Lifecycle events of regular members attributed to each group's units in the period.
async fn movements(
    conn: &mut AsyncPgConnection,
    groups: &Groups,
    p: &Period,
    n: usize,
) -> Result<Vec<BTreeMap<String, i64>>, ApiError> {
    keyed(
        conn,
        // Three index-friendly parts: arrivals by destination, departures by origin, and
        // endings by the placement they closed. A move inside the group is no transfer.
        "WITH g AS MATERIALIZED (SELECT * FROM unnest($1::integer[], $2::uuid[]) AS g(grp, unit_id))
         SELECT g.grp, e.kind AS key, count(*) AS value FROM member_events e JOIN g ON g.unit_id = e.to_unit_id
           JOIN members m ON m.id = e.member_id AND m.member_type = 'regular'
           LEFT JOIN g inside ON inside.grp = g.grp AND inside.unit_id = e.from_unit_id
         WHERE e.occurred_on BETWEEN $3 AND $4
           AND (e.kind IN ('join', 'reinstatement')
                OR (e.kind = 'transfer_in' AND e.from_unit_id IS NOT NULL AND inside.grp IS NULL))
         GROUP BY 1, 2
         UNION ALL
         SELECT g.grp, e.kind, count(*) FROM member_events e JOIN g ON g.unit_id = e.from_unit_id
           JOIN members m ON m.id = e.member_id AND m.member_type = 'regular'
           LEFT JOIN g inside ON inside.grp = g.grp AND inside.unit_id = e.to_unit_id
         WHERE e.occurred_on BETWEEN $3 AND $4 AND e.kind = 'transfer_out'
           AND e.to_unit_id IS NOT NULL AND inside.grp IS NULL
         GROUP BY 1, 2
         UNION ALL
         SELECT g.grp, e.kind, count(DISTINCT e.id) FROM member_placements pl JOIN g ON g.unit_id = pl.unit_id
           JOIN member_events e ON e.member_id = pl.member_id AND e.occurred_on = pl.valid_to
                AND e.kind IN ('leave', 'removal', 'death')
           JOIN members m ON m.id = e.member_id AND m.member_type = 'regular'
         WHERE pl.valid_to BETWEEN $3 AND $4
         GROUP BY 1, 2",
        groups,
        p,
        n,
    )
    .await
}

/// Every KPI of `unit` over `period`.
pub async fn kpis(conn: &mut AsyncPgConnection, unit: &OrgUnitRow, period: &Period) -> Result<Kpis, ApiError> {
    let mut all = kpis_of(conn, std::slice::from_ref(unit), period, None).await?;
    all.pop().ok_or_else(|| ApiError::internal("no figures computed"))
}

/// The units that make up each unit asked, on each day that matters.
struct Scope<'a> {
    units: &'a [OrgUnitRow],
    period: &'a Period,
    n: usize,
    start: Groups,
    end: Groups,
    all: Groups,
    year_before: Groups,
    year_before_day: NaiveDate,
}

/// Head counts, then what needs them: the absence streak and cards and fees.
struct People {
    heads: Vec<Headcounts>,
    absent: Vec<Option<i64>>,
    fees: Vec<CardsAndFees>,
    coverage: Vec<super::coverage::CoverageParts>,
}

async fn people(conn: &mut AsyncPgConnection, s: &Scope<'_>) -> Result<People, ApiError> {
    let days = Days {
        start: (&s.start, s.period.from),
        end: (&s.end, s.period.to),
        year_before: (&s.year_before, s.year_before_day),
    };
    let heads = headcounts(conn, days, s.n).await?;
    let members_end: Vec<i64> = heads.iter().map(|h| h.end).collect();
    let coverage = super::coverage::coverage(conn, &s.end, s.period.to, &members_end).await?;
    let streak = super::engagement::streak_groups(&members_end);
    let absent = super::engagement::absent_three_running(conn, &s.end, &streak, s.period).await?;
    let cards: Vec<(i64, i64)> = heads.iter().map(|h| (h.cards_end, h.end)).collect();
    let fees = super::outcomes::cards_and_fees(conn, s.units, &s.end, s.period.to, &cards).await?;
    Ok(People { heads, absent, fees, coverage })
}

/// Movements, women aged 18+, the settings that shape the figures, pairs and support.
struct Rest {
    moves: Vec<BTreeMap<String, i64>>,
    threshold: i64,
    criteria: BTreeMap<String, Vec<String>>,
    pairs: Vec<PairFigures>,
    support: Vec<SupportFigures>,
}

async fn rest(conn: &mut AsyncPgConnection, s: &Scope<'_>) -> Result<Rest, ApiError> {
    Ok(Rest {
        moves: movements(conn, &s.all, s.period, s.n).await?,
        threshold: crate::settings::integer(conn, "coverage.flag_below_percent", 60).await?,
        criteria: crate::settings::json(conn, "reports.criteria_codes")
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        pairs: super::outcomes::pairs(conn, &s.all, s.period, s.n).await?,
        support: super::outcomes::support(conn, &s.all, s.period, s.n).await?,
    })
}

type Pooled = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;

/// Two more connections, if the pool has them free right now: it never waits (a request
/// holding one connection and waiting for two more could starve others), a busy pool runs the
/// parts one after another instead.
async fn borrow_two(pool: Option<&DbPool>, n: usize) -> Option<(Pooled, Pooled)> {
    let pool = pool.filter(|_| n > 1)?;
    let now = deadpool::managed::Timeouts { wait: Some(std::time::Duration::ZERO), ..pool.timeouts() };
    let second = pool.timeout_get(&now).await.ok()?;
    let third = pool.timeout_get(&now).await.ok()?;
    Some((second, third))
}

/// Every KPI of each unit over `period`, in the order given, from one query per figure. With
/// a `pool` with two free connections (and `conn` in a `REPEATABLE READ` transaction: only
/// `live::live_figures`, which owns the snapshot, passes one), three parts run at once on three
/// connections sharing that snapshot: people, attendance, and the rest.
pub async fn kpis_of(
    conn: &mut AsyncPgConnection,
    units: &[OrgUnitRow],
    period: &Period,
    pool: Option<&DbPool>,
) -> Result<Vec<Kpis>, ApiError> {
    let n = units.len();
    let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
    let start = super::groups::units_on(conn, &ids, period.from).await?;
    let end = super::groups::units_on(conn, &ids, period.to).await?;
    let all = start.union(&end);
    let year_before_day = period.year_before();
    let year_before = super::groups::units_on(conn, &ids, year_before_day).await?;
    let s = Scope { units, period, n, start, end, all, year_before, year_before_day };
    let attendance =
        async |conn: &mut AsyncPgConnection| super::engagement::attendance(conn, &s.all, &s.end, s.period, s.n).await;
    let (people, attendance, rest) = match borrow_two(pool, n).await {
        Some((mut second, mut third)) => {
            let snapshot = export_snapshot(conn).await?;
            try_join3(
                people(conn, &s),
                in_shared_snapshot(&mut second, Some(&snapshot), attendance),
                in_shared_snapshot(&mut third, Some(&snapshot), async |conn| rest(conn, &s).await),
            )
            .await?
        }
        None => (people(conn, &s).await?, attendance(conn).await?, rest(conn, &s).await?),
    };
    let People { heads, absent, fees, coverage } = people;
    let Rest { moves, threshold, criteria, pairs, support } = rest;
    let members_end: Vec<i64> = heads.iter().map(|h| h.end).collect();
    let engagement = super::engagement::figures(&attendance, &members_end, &absent);
    let mut out = Vec::with_capacity(n);
    for (i, ((((((unit, h), engagement), pairs), support), fees), cover)) in
        units.iter().zip(&heads).zip(engagement).zip(pairs).zip(support).zip(fees).zip(coverage).enumerate()
    {
        let count = |kind: &str| moves[i].get(kind).copied().unwrap_or(0);
        let net = count("join") + count("reinstatement") + count("transfer_in")
            - count("transfer_out")
            - count("leave")
            - count("removal")
            - count("death");
        let ratio =
            cover.women.map_or(Ratio { numerator: Some(cover.members), denominator: None, percent: None }, |w| {
                Ratio::of(cover.members, w)
            });
        let stale = ratio.percent.is_some_and(|p| p > 100.0);
        let partial = cover.left_out.units > 0 || cover.left_out.members.is_some_and(|m| m > 0);
        out.push(Kpis {
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            level: unit.level.clone(),
            period: period.clone(),
            members: MemberFigures {
                start: Some(h.start),
                end: Some(h.end),
                honorary_end: Some(h.honorary_end),
                joins: Some(count("join")),
                reinstatements: Some(count("reinstatement")),
                transfers_in: Some(count("transfer_in")),
                transfers_out: Some(count("transfer_out")),
                leavers: Some(count("leave")),
                removals: Some(count("removal")),
                deaths: Some(count("death")),
                net_change: Some(net),
                other_moves: Some(h.end - h.start - net),
                growth: Ratio::of(h.end - h.start, h.start),
                year_before: Some(h.year_before),
                growth_year: Ratio::of(h.end - h.year_before, h.year_before),
            },
            coverage: CoverageFigures {
                women_18_plus: cover.women,
                flagged: !stale && ratio.percent.is_some_and(|p| p < threshold as f64),
                coverage: ratio,
                threshold_percent: threshold,
                stale,
                partial,
                left_out: cover.left_out,
            },
            engagement,
            pairs,
            support,
            cards_and_fees: fees,
            criteria_codes: criteria.clone(),
            suppressed: false,
        });
    }
    Ok(out)
}
