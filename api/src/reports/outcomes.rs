//! "1+1" pairs, support, and cards and fees of each group of units (see `groups`).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::sql_types::{Array, Date, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::figures::{CardsAndFees, PairFigures, Ratio, SupportFigures};
use super::groups::{GroupKeyed, Groups, by_group, index, keyed};
use super::period::Period;
use crate::fees::period::FeePeriod;
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;

/// `(group, unit)` pairs as a relation named `g`.
const G: &str = "unnest($1::integer[], $2::uuid[]) AS g(grp, unit_id)";

fn optional(map: &BTreeMap<String, i64>) -> BTreeMap<String, Option<i64>> {
    map.iter().map(|(k, v)| (k.clone(), Some(*v))).collect()
}

fn get(map: &BTreeMap<String, i64>, key: &str) -> i64 {
    map.get(key).copied().unwrap_or(0)
}

/// "1+1" figures of each group over the period.
pub async fn pairs(
    conn: &mut AsyncPgConnection,
    groups: &Groups,
    p: &Period,
    n: usize,
) -> Result<Vec<PairFigures>, ApiError> {
    let active = keyed(
        conn,
        crate::db::fixed_sql!(
            "SELECT g.grp, pr.kind AS key, count(*) AS value FROM pairs pr JOIN {G} ON g.unit_id = pr.unit_id
             WHERE pr.started_on <= $4 AND (pr.ended_on IS NULL OR pr.ended_on > $4) AND $3 <= $4 GROUP BY 1, 2"
        ),
        groups,
        p,
        n,
    )
    .await?;
    let closed = keyed(
        conn,
        crate::db::fixed_sql!(
            "SELECT g.grp, pr.kind || ':' || pr.status AS key, count(*) AS value FROM pairs pr JOIN {G} ON g.unit_id = pr.unit_id
             WHERE pr.status <> 'active' AND pr.ended_on BETWEEN $3 AND $4 GROUP BY 1, 2"
        ),
        groups,
        p,
        n,
    )
    .await?;
    let stages = keyed(
        conn,
        crate::db::fixed_sql!(
            "SELECT g.grp, e.stage AS key, count(*) AS value FROM pair_stage_events e JOIN pairs pr ON pr.id = e.pair_id
             JOIN {G} ON g.unit_id = pr.unit_id
             WHERE pr.kind = 'party_nurture' AND NOT e.reverted AND e.reached_on BETWEEN $3 AND $4 GROUP BY 1, 2"
        ),
        groups,
        p,
        n,
    )
    .await?;
    let recruited = keyed(
        conn,
        crate::db::fixed_sql!(
            "SELECT g.grp, 'joined' AS key, count(*) AS value FROM prospects x JOIN {G} ON g.unit_id = x.unit_id
             WHERE x.status = 'converted' AND x.converted_on BETWEEN $3 AND $4 GROUP BY 1"
        ),
        groups,
        p,
        n,
    )
    .await?;
    Ok((0..n)
        .map(|i| {
            let mut achieved_by_kind = BTreeMap::new();
            let (mut achieved, mut ended) = (0, 0);
            for (key, value) in &closed[i] {
                let (kind, status) = key.split_once(':').unwrap_or((key, ""));
                if status == "achieved" {
                    achieved += value;
                    achieved_by_kind.insert(kind.to_owned(), Some(*value));
                } else {
                    ended += value;
                }
            }
            PairFigures {
                active_by_kind: optional(&active[i]),
                achieved_by_kind,
                outcomes_reached: Ratio::of(achieved, achieved + ended),
                prospects_recruited: Some(get(&recruited[i], "joined")),
                party_introductions: Some(get(&stages[i], "introduced")),
                party_admissions: Some(get(&stages[i], "admitted")),
            }
        })
        .collect())
}

/// Recorded support entries of each group's units (voided ones are out of every figure).
const RECORDED: &str = "FROM support_entries s JOIN unnest($1::integer[], $2::uuid[]) AS g(grp, unit_id) ON g.unit_id = s.unit_id WHERE s.status = 'recorded'";
const GIVEN: &str = "s.given_on BETWEEN $3 AND $4";
// Households are counted through regular members only: honorary members are in no count of
// people (DOMAIN.md). Entries and amounts are all the support recorded.
const REGULAR: &str = "NOT EXISTS (SELECT 1 FROM members h WHERE h.id = s.member_id AND h.member_type <> 'regular')";

/// Support figures of each group over the period (voided entries excluded).
pub async fn support(
    conn: &mut AsyncPgConnection,
    groups: &Groups,
    p: &Period,
    n: usize,
) -> Result<Vec<SupportFigures>, ApiError> {
    let totals = keyed(
        conn,
        crate::db::fixed_sql!(
            "SELECT g.grp, 'households' AS key, count(DISTINCT s.member_id) AS value {RECORDED} AND {GIVEN} AND {REGULAR} GROUP BY 1
             UNION ALL SELECT g.grp, 'entries', count(*) {RECORDED} AND {GIVEN} GROUP BY 1
             UNION ALL SELECT g.grp, 'amount', coalesce(sum(s.amount_vnd), 0)::bigint {RECORDED} AND {GIVEN} GROUP BY 1
             UNION ALL SELECT g.grp, 'jobs', count(*) {RECORDED} AND {GIVEN}
                 AND s.kind IN (SELECT code FROM support_kinds WHERE is_job) GROUP BY 1
             UNION ALL SELECT g.grp, 'out_of_poverty', count(DISTINCT s.member_id) {RECORDED} AND {REGULAR}
                 AND s.outcome = 'out_of_poverty' AND s.outcome_on BETWEEN $3 AND $4 GROUP BY 1"
        ),
        groups,
        p,
        n,
    )
    .await?;
    let by_kind = keyed(
        conn,
        crate::db::fixed_sql!("SELECT g.grp, s.kind AS key, coalesce(sum(s.amount_vnd), 0)::bigint AS value {RECORDED} AND {GIVEN} GROUP BY 1, 2"),
        groups,
        p,
        n,
    )
    .await?;
    let by_source = keyed(
        conn,
        crate::db::fixed_sql!("SELECT g.grp, s.source AS key, coalesce(sum(s.amount_vnd), 0)::bigint AS value {RECORDED} AND {GIVEN} GROUP BY 1, 2"),
        groups,
        p,
        n,
    )
    .await?;
    Ok((0..n)
        .map(|i| SupportFigures {
            households: Some(get(&totals[i], "households")),
            entries: Some(get(&totals[i], "entries")),
            amount_vnd: Some(get(&totals[i], "amount")),
            amount_vnd_by_kind: optional(&by_kind[i]),
            amount_vnd_by_source: optional(&by_source[i]),
            jobs: Some(get(&totals[i], "jobs")),
            out_of_poverty: Some(get(&totals[i], "out_of_poverty")),
        })
        .collect())
}

/// Card holders and fee payers at the end of the period; `cards` and `members` per group come
/// from the head counts. The fee period is that of the schedule applying to each group's unit.
pub async fn cards_and_fees(
    conn: &mut AsyncPgConnection,
    units: &[OrgUnitRow],
    end: &Groups,
    day: NaiveDate,
    cards_and_members: &[(i64, i64)],
) -> Result<Vec<CardsAndFees>, ApiError> {
    let paths: Vec<&str> = units.iter().map(|u| u.path.0.as_str()).collect();
    let schedules = crate::fees::queries::applying_each(conn, &paths, day.year()).await?;
    let (mut grp, mut year, mut kind, mut period_no) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, schedule) in schedules.into_iter().enumerate() {
        if let Some((_, period)) = schedule {
            grp.push(index(i));
            year.push(day.year());
            kind.push(period.as_str());
            period_no.push(
                i32::try_from(match period {
                    FeePeriod::Month => day.month(),
                    FeePeriod::Quarter => day.month().div_ceil(3),
                    FeePeriod::Year => 1,
                })
                .unwrap_or(1),
            );
        }
    }
    let paid = if grp.is_empty() {
        vec![BTreeMap::new(); units.len()]
    } else {
        let rows: Vec<GroupKeyed> = crate::db::prepared(crate::db::fixed_sql!(
            "SELECT g.grp, 'paid' AS key, count(*) AS value
             FROM member_placements pl JOIN {G} ON g.unit_id = pl.unit_id
             JOIN unnest($4::integer[], $5::integer[], $6::integer[], $7::text[]) AS f(grp, year, period_no, period)
                  ON f.grp = g.grp
             JOIN members m ON m.id = pl.member_id AND m.member_type = 'regular'
             WHERE pl.valid_from <= $3 AND (pl.valid_to IS NULL OR pl.valid_to > $3)
               AND EXISTS (SELECT 1 FROM fee_payments fp WHERE fp.member_id = m.id AND fp.year = f.year
                           AND fp.period = f.period AND fp.period_no = f.period_no)
             GROUP BY 1"
        ))
        .bind::<Array<Integer>, _>(&end.grp)
        .bind::<Array<SqlUuid>, _>(&end.unit)
        .bind::<Date, _>(day)
        .bind::<Array<Integer>, _>(&grp)
        .bind::<Array<Integer>, _>(&year)
        .bind::<Array<Integer>, _>(&period_no)
        .bind::<Array<diesel::sql_types::Text>, _>(&kind)
        .load(conn)
        .await?;
        by_group(rows, units.len())
    };
    Ok(cards_and_members
        .iter()
        .enumerate()
        .map(|(i, (cards, members))| CardsAndFees {
            card_holders: Ratio::of(*cards, *members),
            fee_paid: grp.contains(&index(i)).then(|| Ratio::of(get(&paid[i], "paid"), *members)),
        })
        .collect())
}
