//! Engagement figures: meetings held, meeting attendance, participation, and members absent
//! from their last three meetings (computed in one pass for members placed before their
//! unit's last three meetings, one by one for those who moved in since).

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Integer, SmallInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::compute::One;
use super::figures::{EngagementFigures, Ratio};
use super::period::Period;
use crate::http::ApiError;

/// Above this many members the absentee streak is not computed (per commune instead).
const STREAK_LIMIT: i64 = 50_000;

#[derive(QueryableByName)]
struct Four {
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    b: i64,
    #[diesel(sql_type = BigInt)]
    c: i64,
    #[diesel(sql_type = BigInt)]
    d: i64,
}

fn year(y: i32) -> i16 {
    i16::try_from(y).unwrap_or(i16::MAX)
}

/// Meetings, attendance, participation and members absent from their last three meetings.
pub(super) async fn figures(
    conn: &mut AsyncPgConnection,
    units: &[Uuid],
    end_units: &[Uuid],
    p: &Period,
    members_end: i64,
) -> Result<EngagementFigures, ApiError> {
    // Meeting attendance sums the present count kept per activity (migration 000014). Who came
    // at least once is read per whole month from `member_presence`, and from the rosters only
    // for days outside whole months. Participation counts members at the end who attended, so
    // the ratio stays within 100% when attendees have since died, left or moved.
    let months = p.whole_months();
    let [(edge1_from, edge1_to), (edge2_from, edge2_to)] = months.edges;
    let figures: Four = diesel::sql_query(
        "WITH acts AS MATERIALIZED (
             SELECT a.id, a.expected FROM activities a JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
             WHERE a.unit_id = ANY($1) AND a.held_on BETWEEN $2 AND $3 AND a.status = 'held'
               AND a.attendance_recorded_at IS NOT NULL
         ), attended AS MATERIALIZED (
             SELECT b.member_id FROM member_presence b
             WHERE b.unit_id = ANY($1) AND b.year BETWEEN $5 AND $7
               AND NOT (b.months[CASE WHEN b.year = $5 THEN $6 ELSE 1 END : CASE WHEN b.year = $7 THEN $8 ELSE 12 END]
                        <@ '{0}'::integer[])
             UNION
             SELECT t.member_id FROM activities a
             JOIN attendance t ON t.activity_id = a.id AND t.status = 'present' AND t.member_id IS NOT NULL
             WHERE a.unit_id = ANY($1) AND a.status = 'held'
               AND (a.held_on BETWEEN $9 AND $10 OR a.held_on BETWEEN $11 AND $12)
         )
         SELECT (SELECT count(*) FROM acts) AS a,
                (SELECT coalesce(sum(expected), 0)::bigint FROM acts) AS b,
                (SELECT coalesce(sum(p.present), 0)::bigint FROM acts JOIN activity_presence p ON p.activity_id = acts.id) AS c,
                (SELECT count(*) FROM attended x JOIN members m ON m.id = x.member_id AND m.member_type = 'regular'
                 WHERE EXISTS (SELECT 1 FROM member_placements pl WHERE pl.member_id = x.member_id
                     AND pl.unit_id = ANY($4) AND pl.valid_from <= $3 AND (pl.valid_to IS NULL OR pl.valid_to > $3))) AS d",
    )
    .bind::<Array<SqlUuid>, _>(units)
    .bind::<Date, _>(p.from)
    .bind::<Date, _>(p.to)
    .bind::<Array<SqlUuid>, _>(end_units)
    .bind::<SmallInt, _>(year(months.first.0))
    .bind::<Integer, _>(months.first.1 as i32)
    .bind::<SmallInt, _>(year(months.last.0))
    .bind::<Integer, _>(months.last.1 as i32)
    .bind::<Date, _>(edge1_from)
    .bind::<Date, _>(edge1_to)
    .bind::<Date, _>(edge2_from)
    .bind::<Date, _>(edge2_to)
    .get_result(conn)
    .await?;
    let absent = if members_end <= STREAK_LIMIT {
        // Members placed since their unit's last three meetings began ("settled") are checked
        // against those three meetings in one pass; the few who moved in later have their own
        // last three meetings looked up across placements, one by one. Member type is checked
        // last, on the absentees only.
        let streak: One = diesel::sql_query(
            "WITH now AS MATERIALIZED (
                 SELECT pl.member_id, pl.unit_id, pl.valid_from FROM member_placements pl
                 WHERE pl.unit_id = ANY($1) AND pl.valid_from <= $2 AND (pl.valid_to IS NULL OR pl.valid_to > $2)
             ), recent AS MATERIALIZED (
                 SELECT u.unit_id, r.ids, r.oldest, r.n FROM (SELECT DISTINCT unit_id FROM now) u
                 JOIN org_units ou ON ou.id = u.unit_id
                 CROSS JOIN LATERAL (
                     SELECT array_agg(x.id) AS ids, min(x.held_on) AS oldest, count(*) AS n FROM (
                         SELECT a.id, a.held_on FROM activities a JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
                         WHERE a.unit_id = ANY(ARRAY(SELECT label::uuid FROM unnest(string_to_array(ou.path::text, '.')) label))
                           AND a.unit_path @> ou.path AND a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
                           AND a.held_on <= $2
                         ORDER BY a.held_on DESC, a.id DESC LIMIT 3) x) r
             ), settled AS MATERIALIZED (
                 SELECT now.member_id, r.ids FROM now JOIN recent r ON r.unit_id = now.unit_id
                 WHERE r.n = 3 AND now.valid_from <= r.oldest
             ), absent AS MATERIALIZED (
                 SELECT s.member_id FROM settled s WHERE NOT EXISTS (
                     SELECT 1 FROM attendance t WHERE t.activity_id = ANY(s.ids) AND t.member_id = s.member_id
                       AND t.status = 'present')
                 UNION ALL
                 SELECT now.member_id FROM now
                     CROSS JOIN LATERAL (
                         SELECT count(*) FILTER (WHERE coalesce(att.status, 'absent') <> 'present') AS missed, count(*) AS total
                         FROM (SELECT a.id FROM member_placements pl
                               JOIN org_units pu ON pu.id = pl.unit_id
                               JOIN activities a ON a.status = 'held' AND a.attendance_recorded_at IS NOT NULL
                                    AND a.held_on <= $2 AND a.held_on >= pl.valid_from
                                    AND (pl.valid_to IS NULL OR a.held_on < pl.valid_to) AND pu.path <@ a.unit_path
                               JOIN activity_kinds k ON k.code = a.kind AND k.is_meeting
                               WHERE pl.member_id = now.member_id ORDER BY a.held_on DESC, a.id DESC LIMIT 3) recent
                         LEFT JOIN attendance att ON att.activity_id = recent.id AND att.member_id = now.member_id) last
                     WHERE NOT EXISTS (SELECT 1 FROM settled s WHERE s.member_id = now.member_id)
                   AND last.total = 3 AND last.missed = 3
             )
             SELECT count(*) AS a FROM absent JOIN members m ON m.id = absent.member_id AND m.member_type = 'regular'",
        )
        .bind::<Array<SqlUuid>, _>(end_units)
        .bind::<Date, _>(p.to)
        .get_result(conn)
        .await?;
        Some(streak.a)
    } else {
        None
    };
    Ok(EngagementFigures {
        participation: Ratio::of(figures.d, members_end),
        meeting_attendance: Ratio::of(figures.c, figures.b),
        meetings: Some(figures.a),
        absent_three_running: absent,
    })
}
