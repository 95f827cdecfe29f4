//! Several report units computed in one pass. A province and its hundred communes are one set
//! of queries, not a hundred: each query joins the rows once with `(group, unit)` pairs passed
//! as two arrays and answers per group. Group numbers are positions in the list of units asked.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Integer, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::period::Period;
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

/// A count per group and key.
#[derive(QueryableByName)]
pub struct GroupKeyed {
    #[diesel(sql_type = Integer)]
    pub grp: i32,
    #[diesel(sql_type = SqlText)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub value: i64,
}

/// Runs `sql` (binding `$1` groups, `$2` units, `$3` first day, `$4` last day; rows `grp, key,
/// value`) and files the answers by group.
pub async fn keyed(
    conn: &mut AsyncPgConnection,
    sql: &str,
    groups: &Groups,
    p: &Period,
    n: usize,
) -> Result<Vec<BTreeMap<String, i64>>, ApiError> {
    let rows: Vec<GroupKeyed> = diesel::sql_query(sql)
        .bind::<Array<Integer>, _>(&groups.grp)
        .bind::<Array<SqlUuid>, _>(&groups.unit)
        .bind::<Date, _>(p.from)
        .bind::<Date, _>(p.to)
        .load(conn)
        .await?;
    Ok(by_group(rows, n))
}

pub fn by_group(rows: Vec<GroupKeyed>, n: usize) -> Vec<BTreeMap<String, i64>> {
    let mut out = vec![BTreeMap::new(); n];
    for row in rows {
        if let Some(map) = usize::try_from(row.grp).ok().and_then(|g| out.get_mut(g)) {
            *map.entry(row.key).or_insert(0) += row.value;
        }
    }
    out
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
    let rows: Vec<GroupUnit> = diesel::sql_query(
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
