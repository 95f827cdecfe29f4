//! The units that make up a unit on a day: its subtree as it was that day, with the subtrees
//! of its predecessors (units merged into it). The one rule of the reports and of
//! member-summary (docs/figures.md), given as `(group, unit)` pairs so that many units are
//! asked in one query.

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::http::ApiError;

/// `(group, unit)` pairs: the units that make up each group on some day.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    pub grp: Vec<i32>,
    pub unit: Vec<Uuid>,
}

impl Groups {
    /// From each group's units, in group order.
    pub fn of(sets: &[Vec<Uuid>]) -> Groups {
        let mut groups = Groups::default();
        for (grp, units) in sets.iter().enumerate() {
            for unit in units {
                groups.grp.push(index(grp));
                groups.unit.push(*unit);
            }
        }
        groups
    }

    /// Each group's units here and in `other`, once each.
    pub fn union(&self, other: &Groups) -> Groups {
        let mut seen = std::collections::HashSet::new();
        let mut out = Groups::default();
        for (grp, unit) in self.pairs().chain(other.pairs()) {
            if seen.insert((grp, unit)) {
                out.grp.push(grp);
                out.unit.push(unit);
            }
        }
        out
    }

    fn pairs(&self) -> impl Iterator<Item = (i32, Uuid)> + '_ {
        self.grp.iter().copied().zip(self.unit.iter().copied())
    }
}

pub fn index(grp: usize) -> i32 {
    i32::try_from(grp).unwrap_or(i32::MAX)
}

#[derive(QueryableByName)]
struct GroupUnit {
    #[diesel(sql_type = Integer)]
    grp: i32,
    #[diesel(sql_type = SqlUuid)]
    unit_id: Uuid,
}

/// For each unit asked, the units that were on `day` inside its subtree or that of one of its
/// predecessors (merged units), as groups in the order asked.
pub async fn units_on(conn: &mut AsyncPgConnection, units: &[Uuid], day: NaiveDate) -> Result<Groups, ApiError> {
    let grp: Vec<i32> = (0..units.len()).map(index).collect();
    let rows: Vec<GroupUnit> = crate::db::prepared(
        "WITH RECURSIVE lineage(grp, id) AS (
             SELECT * FROM unnest($1::integer[], $2::uuid[])
             UNION SELECT lineage.grp, l.predecessor_id FROM org_unit_links l JOIN lineage ON l.successor_id = lineage.id
         ), roots AS (
             SELECT lineage.grp, p.path FROM org_unit_periods p JOIN lineage ON p.unit_id = lineage.id
             WHERE p.valid_from <= $3 AND (p.valid_to IS NULL OR p.valid_to > $3)
         )
         SELECT DISTINCT r.grp, up.unit_id FROM org_unit_periods up JOIN roots r ON up.path <@ r.path
         WHERE up.valid_from <= $3 AND (up.valid_to IS NULL OR up.valid_to > $3)
         ORDER BY 1",
    )
    .bind::<Array<Integer>, _>(&grp)
    .bind::<Array<SqlUuid>, _>(units)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    Ok(Groups { grp: rows.iter().map(|r| r.grp).collect(), unit: rows.iter().map(|r| r.unit_id).collect() })
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    regular: i64,
    #[diesel(sql_type = BigInt)]
    honorary: i64,
}

/// Regular and honorary members placed on `day` in the units that make up `unit` that day:
/// its subtree as it was, and before it existed, its predecessors' (the one rule of the
/// reports, `reports::groups::units_on`; docs/figures.md).
pub async fn members_on(conn: &mut AsyncPgConnection, unit: Uuid, day: NaiveDate) -> Result<(i64, i64), ApiError> {
    let units = units_on(conn, &[unit], day).await?;
    if units.unit.is_empty() {
        return Ok((0, 0));
    }
    let counts: Counts = crate::db::prepared(
        "SELECT count(*) FILTER (WHERE m.member_type = 'regular') AS regular,
                count(*) FILTER (WHERE m.member_type = 'honorary') AS honorary
         FROM member_placements p
         JOIN members m ON m.id = p.member_id
         WHERE p.unit_id = ANY($2) AND p.valid_from <= $1 AND (p.valid_to IS NULL OR p.valid_to > $1)",
    )
    .bind::<Date, _>(day)
    .bind::<Array<SqlUuid>, _>(&units.unit)
    .get_result(conn)
    .await?;
    Ok((counts.regular, counts.honorary))
}
