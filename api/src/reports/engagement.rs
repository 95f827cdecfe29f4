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
    // Meeting attendance sums the present count kept per activity (migration 000014), less the
    // honorary members present (few: found from the members' side), since honorary members are
    // in no ratio and `expected` counts regular members only. Who came
    // at least once is read per whole month from `member_presence`, and from the rosters only
    // for days outside whole months. Participation counts members at the end who attended, so
    // the ratio stays within 100% when attendees have since died, left or moved.
    // Units in exactly the same groups share a signature (`sig`; a province's commune and its
    // branches). Part by part, the members placed in a signature's units meet those who came
    // to its units in a small hash: those found (nearly all participants) take part in all
    // their groups. Only the others are looked up one by one (index `member_presence_member`)
    // for a visit to another unit of one of their groups.
    let months = p.whole_months();
    let [(edge1_from, edge1_to), (edge2_from, edge2_to)] = months.edges;
    let rows: Vec<GroupKeyed> = crate::db::prepared(
        "WITH g AS MATERIALIZED (SELECT * FROM unnest($1::integer[], $2::uuid[]) AS g(grp, unit_id)),
         ge AS MATERIALIZED (SELECT * FROM unnest($3::integer[], $4::uuid[]) AS ge(grp, unit_id)),
         sig AS MATERIALIZED (
             SELECT side, unit_id, dense_rank() OVER (ORDER BY grps) AS sig FROM (
                 SELECT 'all' AS side, unit_id, array_agg(grp ORDER BY grp) AS grps FROM g GROUP BY unit_id
                 UNION ALL
                 SELECT 'end', unit_id, array_agg(grp ORDER BY grp) FROM ge GROUP BY unit_id) s
         ), parts AS (
             SELECT array_agg(unit_id) FILTER (WHERE side = 'all') AS came_at,
                    array_agg(unit_id) FILTER (WHERE side = 'end') AS placed_at
             FROM sig GROUP BY sig
         ), edge_rosters AS MATERIALIZED (
             SELECT t.member_id, a.unit_id FROM activities a
             JOIN attendance t ON t.activity_id = a.id AND t.status = 'present' AND t.member_id IS NOT NULL
             WHERE a.unit_id = ANY($2) AND a.status = 'held'
               AND (a.held_on BETWEEN $11 AND $12 OR a.held_on BETWEEN $13 AND $14)
         ), split AS MATERIALIZED (
             SELECT x.member_id, x.unit_id, x.own FROM parts CROSS JOIN LATERAL (
                 SELECT pl.member_id, pl.unit_id, c.member_id IS NOT NULL AS own FROM member_placements pl
                 LEFT JOIN (
                     SELECT b.member_id FROM member_presence b
                     WHERE b.unit_id = ANY(parts.came_at) AND b.year BETWEEN $7 AND $9
                       AND NOT (b.months[CASE WHEN b.year = $7 THEN $8 ELSE 1 END : CASE WHEN b.year = $9 THEN $10 ELSE 12 END]
                                <@ '{0}'::integer[])
                     UNION
                     SELECT e.member_id FROM edge_rosters e WHERE e.unit_id = ANY(parts.came_at)
                 ) c ON c.member_id = pl.member_id
                 WHERE pl.unit_id = ANY(parts.placed_at) AND pl.valid_from <= $6
                   AND (pl.valid_to IS NULL OR pl.valid_to > $6)) x
         ), regular AS MATERIALIZED (
             SELECT s.member_id, s.unit_id, s.own FROM split s
             WHERE NOT EXISTS (SELECT 1 FROM members h WHERE h.id = s.member_id AND h.member_type <> 'regular')
         ), participants AS (
             SELECT ge.grp, sum(o.n)::bigint AS n FROM (SELECT unit_id, count(*) AS n FROM regular WHERE own GROUP BY 1) o
             JOIN ge ON ge.unit_id = o.unit_id GROUP BY 1
             UNION ALL
             SELECT grp, count(*) FROM (
                 SELECT ge.grp, r.member_id FROM (SELECT * FROM regular WHERE NOT own) r
                 CROSS JOIN LATERAL (
                     SELECT b.unit_id FROM member_presence b WHERE b.member_id = r.member_id AND b.year BETWEEN $7 AND $9
                       AND NOT (b.months[CASE WHEN b.year = $7 THEN $8 ELSE 1 END : CASE WHEN b.year = $9 THEN $10 ELSE 12 END]
                                <@ '{0}'::integer[])
                     OFFSET 0) c
                 JOIN ge ON ge.unit_id = r.unit_id JOIN g ON g.unit_id = c.unit_id AND g.grp = ge.grp
                 UNION
                 SELECT ge.grp, r.member_id FROM regular r JOIN edge_rosters e ON e.member_id = r.member_id
                 JOIN ge ON ge.unit_id = r.unit_id JOIN g ON g.unit_id = e.unit_id AND g.grp = ge.grp
                 WHERE NOT r.own) x
             GROUP BY 1
         ), acts AS MATERIALIZED (
             SELECT a.id, a.unit_id, a.expected FROM activities a JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
             WHERE a.unit_id = ANY($2) AND a.held_on BETWEEN $5 AND $6 AND a.status = 'held'
               AND a.attendance_recorded_at IS NOT NULL
         ), honorary_present AS MATERIALIZED (
             SELECT t.activity_id, count(*) AS n FROM members h
             JOIN attendance t ON t.member_id = h.id AND t.status = 'present'
             WHERE h.member_type <> 'regular' AND t.activity_id IN (SELECT id FROM acts)
             GROUP BY 1
         ), per_meeting AS (
             SELECT g.grp, count(*) AS held, sum(acts.expected)::bigint AS expected,
                    coalesce(sum(coalesce(ap.present, 0) - coalesce(hp.n, 0)), 0)::bigint AS present
             FROM acts JOIN g ON g.unit_id = acts.unit_id LEFT JOIN activity_presence ap ON ap.activity_id = acts.id
             LEFT JOIN honorary_present hp ON hp.activity_id = acts.id
             GROUP BY 1
         )
         SELECT grp, 'held' AS key, held AS value FROM per_meeting
         UNION ALL SELECT grp, 'expected', expected FROM per_meeting
         UNION ALL SELECT grp, 'present', present FROM per_meeting
         UNION ALL SELECT grp, 'participants', sum(n)::bigint FROM participants GROUP BY 1",
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
/// ancestor's latest three read once, in index order). Members placed before their unit's last
/// three meetings began ("settled", nearly all) are checked unit set by unit set (the units
/// sharing the same three meetings, e.g. the groups of a branch): their placements and those
/// meetings' rosters, both read from an index alone (migration 000015), meet in a small hash
/// that stays in the CPU cache. The few who moved in since have their own last three meetings
/// looked up across placements. Member type is checked last, on the absentees only.
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
        // No unit at the end (a closed unit): nobody to be absent.
        return Ok(selected.iter().map(|on| on.then_some(0)).collect());
    }
    let rows: Vec<GroupKeyed> = crate::db::prepared(
        "WITH units AS MATERIALIZED (
             SELECT DISTINCT unnest($2::uuid[]) AS unit_id
         ), anc AS (
             SELECT u.unit_id, ou.path, label::uuid AS ancestor FROM units u
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
             SELECT unit_id, array_agg(id ORDER BY id) AS ids, min(held_on) AS oldest, count(*) AS n FROM (
                 SELECT anc.unit_id, t.id, t.held_on,
                        row_number() OVER (PARTITION BY anc.unit_id ORDER BY t.held_on DESC, t.id DESC) AS rank
                 FROM anc JOIN tops t ON t.ancestor = anc.ancestor AND t.unit_path @> anc.path) ranked
             WHERE rank <= 3 GROUP BY unit_id
         ), same_meetings AS (
             SELECT ids, oldest, array_agg(unit_id) AS units FROM recent WHERE n = 3 GROUP BY ids, oldest
         ), moved AS MATERIALIZED (
             SELECT pl.member_id, pl.unit_id FROM units u LEFT JOIN recent r ON r.unit_id = u.unit_id
             JOIN member_placements pl ON pl.unit_id = u.unit_id AND pl.valid_from <= $3
                  AND (pl.valid_to IS NULL OR pl.valid_to > $3)
                  AND (r.n IS DISTINCT FROM 3 OR pl.valid_from > r.oldest)
         ), absent AS MATERIALIZED (
             SELECT x.member_id, x.unit_id FROM same_meetings m CROSS JOIN LATERAL (
                 SELECT s.member_id, s.unit_id FROM member_placements s
                 WHERE s.unit_id = ANY(m.units) AND s.valid_from <= m.oldest AND (s.valid_to IS NULL OR s.valid_to > $3)
                   AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = ANY(m.ids)
                                   AND t.member_id = s.member_id AND t.status = 'present')) x
             UNION ALL
             SELECT m.member_id, m.unit_id FROM moved m
                 CROSS JOIN LATERAL (
                     SELECT count(*) FILTER (WHERE coalesce(att.status, 'absent') <> 'present') AS missed, count(*) AS total
                     FROM (SELECT a.id FROM member_placements pl
                           JOIN org_units pu ON pu.id = pl.unit_id
                           JOIN activities a ON a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
                                AND a.held_on <= $3 AND a.held_on >= pl.valid_from
                                AND (pl.valid_to IS NULL OR a.held_on < pl.valid_to) AND pu.path <@ a.unit_path
                           JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
                           WHERE pl.member_id = m.member_id ORDER BY a.held_on DESC, a.id DESC LIMIT 3) recent
                     LEFT JOIN attendance att ON att.activity_id = recent.id AND att.member_id = m.member_id) last
                 WHERE last.total = 3 AND last.missed = 3
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
