//! Engagement figures of each group of units (see `groups`): meetings held, meeting
//! attendance, participation, and members absent from their last three meetings.

use std::collections::BTreeMap;

use diesel::sql_types::{Array, Date, Integer, SmallInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::figures::{EngagementFigures, Ratio};
use super::groups::{GroupKeyed, Groups, by_group};
use super::period::Period;
use crate::http::ApiError;

/// Above this many members the absentee streak is not computed (per commune instead).
const STREAK_LIMIT: i64 = 50_000;

fn year(y: i32) -> i16 {
    i16::try_from(y).unwrap_or(i16::MAX)
}

/// Per group: meetings `held`, members `expected` and `present` at them, and `participants`
/// (members at the end present at least once). `all` are each group's units over the period,
/// `end` those on the last day.
pub(super) async fn attendance(
    conn: &mut AsyncPgConnection,
    all: &Groups,
    end: &Groups,
    p: &Period,
    n: usize,
) -> Result<Vec<BTreeMap<String, i64>>, ApiError> {
    // Meeting attendance sums the present count kept per activity (migration 000014). Who came
    // at least once is read per whole month from `member_presence`, and from the rosters only
    // for days outside whole months (unit by unit, in index order: a hash join would read the
    // whole table). Participation counts members at the end who attended, so
    // the ratio stays within 100% when attendees have since died, left or moved.
    let months = p.whole_months();
    let [(edge1_from, edge1_to), (edge2_from, edge2_to)] = months.edges;
    let rows: Vec<GroupKeyed> = diesel::sql_query(
        "WITH g AS MATERIALIZED (SELECT * FROM unnest($1::integer[], $2::uuid[]) AS g(grp, unit_id)),
         acts AS MATERIALIZED (
             SELECT a.id, a.unit_id, a.expected FROM activities a JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
             WHERE a.unit_id = ANY($2) AND a.held_on BETWEEN $5 AND $6 AND a.status = 'held'
               AND a.attendance_recorded_at IS NOT NULL
         ), attended AS MATERIALIZED (
             SELECT g.grp, b.member_id FROM (SELECT DISTINCT unit_id FROM g) u
             CROSS JOIN LATERAL (
                 SELECT b.member_id FROM member_presence b WHERE b.unit_id = u.unit_id AND b.year BETWEEN $7 AND $9
                   AND NOT (b.months[CASE WHEN b.year = $7 THEN $8 ELSE 1 END : CASE WHEN b.year = $9 THEN $10 ELSE 12 END]
                            <@ '{0}'::integer[])) b
             JOIN g ON g.unit_id = u.unit_id
             UNION
             SELECT g.grp, t.member_id FROM activities a JOIN g ON g.unit_id = a.unit_id
             JOIN attendance t ON t.activity_id = a.id AND t.status = 'present' AND t.member_id IS NOT NULL
             WHERE a.unit_id = ANY($2) AND a.status = 'held'
               AND (a.held_on BETWEEN $11 AND $12 OR a.held_on BETWEEN $13 AND $14)
         ), placed AS MATERIALIZED (
             SELECT ge.grp, pl.member_id FROM member_placements pl
             JOIN unnest($3::integer[], $4::uuid[]) AS ge(grp, unit_id) ON ge.unit_id = pl.unit_id
             WHERE pl.unit_id = ANY($4) AND pl.valid_from <= $6 AND (pl.valid_to IS NULL OR pl.valid_to > $6)
         ), per_meeting AS (
             SELECT g.grp, count(*) AS held, sum(acts.expected)::bigint AS expected,
                    coalesce(sum(ap.present), 0)::bigint AS present
             FROM acts JOIN g ON g.unit_id = acts.unit_id LEFT JOIN activity_presence ap ON ap.activity_id = acts.id
             GROUP BY 1
         )
         SELECT grp, 'held' AS key, held AS value FROM per_meeting
         UNION ALL SELECT grp, 'expected', expected FROM per_meeting
         UNION ALL SELECT grp, 'present', present FROM per_meeting
         UNION ALL SELECT placed.grp, 'participants', count(*) FROM placed
             JOIN attended ON attended.grp = placed.grp AND attended.member_id = placed.member_id
             WHERE NOT EXISTS (SELECT 1 FROM members h WHERE h.id = placed.member_id AND h.member_type <> 'regular')
             GROUP BY 1",
    )
    .bind::<Array<Integer>, _>(&all.grp)
    .bind::<Array<SqlUuid>, _>(&all.unit)
    .bind::<Array<Integer>, _>(&end.grp)
    .bind::<Array<SqlUuid>, _>(&end.unit)
    .bind::<Date, _>(p.from)
    .bind::<Date, _>(p.to)
    .bind::<SmallInt, _>(year(months.first.0))
    .bind::<Integer, _>(months.first.1 as i32)
    .bind::<SmallInt, _>(year(months.last.0))
    .bind::<Integer, _>(months.last.1 as i32)
    .bind::<Date, _>(edge1_from)
    .bind::<Date, _>(edge1_to)
    .bind::<Date, _>(edge2_from)
    .bind::<Date, _>(edge2_to)
    .load(conn)
    .await?;
    Ok(by_group(rows, n))
}

/// Groups whose absence streak is computed: at most `STREAK_LIMIT` members at the end.
pub(super) fn streak_groups(members_end: &[i64]) -> Vec<bool> {
    members_end.iter().map(|m| *m <= STREAK_LIMIT).collect()
}

/// The engagement figures of each group from its attendance counts, head count at the end and
/// absence streak (`None` where not computed).
pub(super) fn figures(
    attendance: &[BTreeMap<String, i64>],
    members_end: &[i64],
    absent: &[Option<i64>],
) -> Vec<EngagementFigures> {
    attendance
        .iter()
        .zip(members_end)
        .zip(absent)
        .map(|((counts, members), absent)| {
            let get = |key: &str| counts.get(key).copied().unwrap_or(0);
            EngagementFigures {
                participation: Ratio::of(get("participants"), *members),
                meeting_attendance: Ratio::of(get("present"), get("expected")),
                meetings: Some(get("held")),
                absent_three_running: *absent,
            }
        })
        .collect()
}

/// Members of each selected group who missed their last three meetings as of the last day.
/// The last three meetings of a unit are the latest three among its ancestors' (each
/// ancestor's latest three read once, in index order). Members placed before their unit's last three meetings began ("settled", nearly all) are
/// checked against those meetings' rosters in one hash join; the few who moved in since have
/// their own last three meetings looked up across placements. Member type is checked last, on
/// the absentees only.
pub(super) async fn absent_three_running(
    conn: &mut AsyncPgConnection,
    end: &Groups,
    selected: &[bool],
    p: &Period,
) -> Result<Vec<Option<i64>>, ApiError> {
    let chosen = |g: &i32| usize::try_from(*g).ok().and_then(|g| selected.get(g)).copied().unwrap_or(false);
    let (grp, unit): (Vec<i32>, Vec<Uuid>) =
        end.grp.iter().zip(&end.unit).filter(|(g, _)| chosen(g)).map(|(g, u)| (*g, *u)).unzip();
    if grp.is_empty() {
        return Ok(vec![None; selected.len()]);
    }
    let rows: Vec<GroupKeyed> = diesel::sql_query(
        "WITH now AS MATERIALIZED (
             SELECT pl.member_id, pl.unit_id, pl.valid_from FROM member_placements pl
             WHERE pl.unit_id = ANY($2) AND pl.valid_from <= $3 AND (pl.valid_to IS NULL OR pl.valid_to > $3)
         ), anc AS (
             SELECT u.unit_id, ou.path, label::uuid AS ancestor FROM (SELECT DISTINCT unit_id FROM now) u
             JOIN org_units ou ON ou.id = u.unit_id
             CROSS JOIN LATERAL unnest(string_to_array(ou.path::text, '.')) label
         ), tops AS MATERIALIZED (
             SELECT d.ancestor, x.id, x.held_on, x.unit_path FROM (SELECT DISTINCT ancestor FROM anc) d
             CROSS JOIN LATERAL (
                 SELECT a.id, a.held_on, a.unit_path FROM activities a JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
                 WHERE a.unit_id = d.ancestor AND a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
                   AND a.held_on <= $3
                 ORDER BY a.held_on DESC, a.id DESC LIMIT 3) x
         ), recent AS MATERIALIZED (
             SELECT unit_id, array_agg(id) AS ids, min(held_on) AS oldest, count(*) AS n FROM (
                 SELECT anc.unit_id, t.id, t.held_on,
                        row_number() OVER (PARTITION BY anc.unit_id ORDER BY t.held_on DESC, t.id DESC) AS rank
                 FROM anc JOIN tops t ON t.ancestor = anc.ancestor AND t.unit_path @> anc.path) ranked
             WHERE rank <= 3 GROUP BY unit_id
         ), settled AS MATERIALIZED (
             SELECT now.member_id, now.unit_id, r.ids FROM now JOIN recent r ON r.unit_id = now.unit_id
             WHERE r.n = 3 AND now.valid_from <= r.oldest
         ), came AS MATERIALIZED (
             SELECT t.activity_id, t.member_id FROM attendance t
             WHERE t.activity_id = ANY(ARRAY(SELECT DISTINCT unnest(ids) FROM recent))
               AND t.status = 'present' AND t.member_id IS NOT NULL
         ), absent AS MATERIALIZED (
             SELECT s.member_id, s.unit_id FROM settled s WHERE NOT EXISTS (
                 SELECT 1 FROM came c WHERE c.member_id = s.member_id AND c.activity_id = ANY(s.ids))
             UNION ALL
             SELECT now.member_id, now.unit_id FROM now
                 CROSS JOIN LATERAL (
                     SELECT count(*) FILTER (WHERE coalesce(att.status, 'absent') <> 'present') AS missed, count(*) AS total
                     FROM (SELECT a.id FROM member_placements pl
                           JOIN org_units pu ON pu.id = pl.unit_id
                           JOIN activities a ON a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
                                AND a.held_on <= $3 AND a.held_on >= pl.valid_from
                                AND (pl.valid_to IS NULL OR a.held_on < pl.valid_to) AND pu.path <@ a.unit_path
                           JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
                           WHERE pl.member_id = now.member_id ORDER BY a.held_on DESC, a.id DESC LIMIT 3) recent
                     LEFT JOIN attendance att ON att.activity_id = recent.id AND att.member_id = now.member_id) last
                 WHERE NOT EXISTS (SELECT 1 FROM settled s WHERE s.member_id = now.member_id)
               AND last.total = 3 AND last.missed = 3
         )
         SELECT ge.grp, 'absent' AS key, count(*) AS value FROM absent
         JOIN unnest($1::integer[], $2::uuid[]) AS ge(grp, unit_id) ON ge.unit_id = absent.unit_id
         WHERE NOT EXISTS (SELECT 1 FROM members h WHERE h.id = absent.member_id AND h.member_type <> 'regular')
         GROUP BY 1",
    )
    .bind::<Array<Integer>, _>(&grp)
    .bind::<Array<SqlUuid>, _>(&unit)
    .bind::<Date, _>(p.to)
    .load(conn)
    .await?;
    let counts = by_group(rows, selected.len());
    Ok(selected.iter().zip(counts).map(|(on, c)| on.then(|| c.get("absent").copied().unwrap_or(0))).collect())
}
