//! Coverage (tỷ lệ tập hợp) of each group of units on a day, by the rule of docs/figures.md:
//! only units with a count of women aged 18+ take part, numerator and denominator alike.
//!
//! A unit's count on a day is its latest count on or before it; a unit that absorbed others by
//! a merge adds their last counts before the merge, unless its own count is dated on or after
//! the merge (it then covers them already). Walking each group's tree from the top, a counted
//! unit covers its whole subtree; an uncounted one hands over to its children; what no count
//! covers is left out, with its members, and named.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::figures::{CoverageLeftOut, UnitRef};
use super::groups::Groups;
use crate::http::ApiError;

/// Units named in `left_out.units` at most.
const NAMED_AT_MOST: usize = 20;

/// The parts of a group's coverage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageParts {
    /// Regular members of the counted units.
    pub members: i64,
    /// Their women aged 18+; `None` when no unit of the group has a count.
    pub women: Option<i64>,
    pub left_out: CoverageLeftOut,
}

#[derive(QueryableByName)]
struct UnitOnDay {
    #[diesel(sql_type = SqlUuid)]
    unit_id: Uuid,
    #[diesel(sql_type = Text)]
    path: String,
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = SqlUuid)]
    unit_id: Uuid,
    #[diesel(sql_type = Date)]
    as_of: NaiveDate,
    #[diesel(sql_type = BigInt)]
    women: i64,
}

#[derive(QueryableByName)]
struct Merge {
    #[diesel(sql_type = SqlUuid)]
    predecessor_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    successor_id: Uuid,
    #[diesel(sql_type = Date)]
    effective_on: NaiveDate,
}

#[derive(QueryableByName)]
struct Placed {
    #[diesel(sql_type = SqlUuid)]
    unit_id: Uuid,
    #[diesel(sql_type = BigInt)]
    members: i64,
}

/// Counts of women 18+ (every count on or before the day) and merges into a unit.
struct Counts {
    recorded: HashMap<Uuid, Vec<(NaiveDate, i64)>>,
    merged_into: HashMap<Uuid, Vec<(Uuid, NaiveDate)>>,
}

impl Counts {
    /// The count of `unit` on `day`: its latest, plus the last counts before the merge of the
    /// units merged into it since. `None` when a part is missing.
    fn on(&self, unit: Uuid, day: NaiveDate, depth: u8) -> Option<i64> {
        let own = self.recorded.get(&unit).and_then(|c| c.iter().filter(|(d, _)| *d <= day).max_by_key(|(d, _)| *d));
        let since = own.map(|(d, _)| *d);
        let absorbed: Vec<(Uuid, NaiveDate)> = self
            .merged_into
            .get(&unit)
            .map(|m| m.iter().copied().filter(|(_, on)| *on <= day && since.is_none_or(|d| d < *on)).collect())
            .unwrap_or_default();
        if absorbed.is_empty() || depth > 16 {
            return own.map(|(_, n)| *n);
        }
        let mut total = own.map_or(0, |(_, n)| *n);
        for (predecessor, on) in absorbed {
            total += self.on(predecessor, on.pred_opt()?, depth + 1)?;
        }
        Some(total)
    }
}

async fn counts(conn: &mut AsyncPgConnection, units: &[Uuid], day: NaiveDate) -> Result<Counts, ApiError> {
    let merges: Vec<Merge> = crate::db::prepared(
        "WITH RECURSIVE m AS (
             SELECT predecessor_id, successor_id, effective_on FROM org_unit_links
             WHERE kind = 'merge' AND successor_id = ANY($1) AND effective_on <= $2
             UNION
             SELECT l.predecessor_id, l.successor_id, l.effective_on FROM org_unit_links l
             JOIN m ON l.successor_id = m.predecessor_id WHERE l.kind = 'merge')
         SELECT * FROM m",
    )
    .bind::<Array<SqlUuid>, _>(units)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    let mut all: Vec<Uuid> = units.to_vec();
    all.extend(merges.iter().map(|m| m.predecessor_id));
    let rows: Vec<Count> = crate::db::prepared(
        "SELECT unit_id, as_of, women_18_plus::bigint AS women FROM org_unit_population
         WHERE unit_id = ANY($1) AND as_of <= $2",
    )
    .bind::<Array<SqlUuid>, _>(&all)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    let mut recorded: HashMap<Uuid, Vec<(NaiveDate, i64)>> = HashMap::new();
    for row in rows {
        recorded.entry(row.unit_id).or_default().push((row.as_of, row.women));
    }
    let mut merged_into: HashMap<Uuid, Vec<(Uuid, NaiveDate)>> = HashMap::new();
    for m in merges {
        merged_into.entry(m.successor_id).or_default().push((m.predecessor_id, m.effective_on));
    }
    Ok(Counts { recorded, merged_into })
}

/// Regular members placed in each of `units` on `day`.
async fn placed(conn: &mut AsyncPgConnection, units: &[Uuid], day: NaiveDate) -> Result<HashMap<Uuid, i64>, ApiError> {
    let rows: Vec<Placed> = crate::db::prepared(
        "WITH honorary AS MATERIALIZED (SELECT id FROM members WHERE member_type <> 'regular')
         SELECT pl.unit_id, count(*) AS members FROM member_placements pl
         WHERE pl.unit_id = ANY($1) AND pl.valid_from <= $2 AND (pl.valid_to IS NULL OR pl.valid_to > $2)
           AND pl.member_id NOT IN (SELECT id FROM honorary)
         GROUP BY 1",
    )
    .bind::<Array<SqlUuid>, _>(units)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.unit_id, r.members)).collect())
}

/// Coverage parts of each group (`end`: the units making up each group on `day`);
/// `members_end` are the groups' regular members, used as they are when the top is counted.
pub async fn coverage(
    conn: &mut AsyncPgConnection,
    end: &Groups,
    day: NaiveDate,
    members_end: &[i64],
) -> Result<Vec<CoverageParts>, ApiError> {
    let distinct: Vec<Uuid> = end.unit.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    let shape: Vec<UnitOnDay> = crate::db::prepared(
        "SELECT unit_id, path::text AS path, name FROM org_unit_periods
         WHERE unit_id = ANY($1) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)",
    )
    .bind::<Array<SqlUuid>, _>(&distinct)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    let counts = counts(conn, &distinct, day).await?;
    let counted: HashMap<Uuid, i64> = distinct.iter().filter_map(|u| counts.on(*u, day, 0).map(|n| (*u, n))).collect();
    let shape: HashMap<Uuid, (String, String)> = shape.into_iter().map(|u| (u.unit_id, (u.path, u.name))).collect();
    let mut members_of: Vec<Vec<Uuid>> = vec![Vec::new(); members_end.len()];
    for (grp, unit) in end.grp.iter().zip(&end.unit) {
        if let Some(set) = usize::try_from(*grp).ok().and_then(|g| members_of.get_mut(g)) {
            set.push(*unit);
        }
    }
    // Members per unit only where a group's top is not counted (the numerator is then a sum).
    let needed: Vec<Uuid> = members_of
        .iter()
        .filter(|units| !units.is_empty() && !tops(units, &shape).iter().all(|t| counted.contains_key(t)))
        .flatten()
        .copied()
        .collect();
    let per_unit = if needed.is_empty() { HashMap::new() } else { placed(conn, &needed, day).await? };
    Ok(members_of.iter().zip(members_end).map(|(units, all)| parts(units, *all, &shape, &counted, &per_unit)).collect())
}

/// The units of `units` whose parent (on the day) is not among them.
fn tops(units: &[Uuid], shape: &HashMap<Uuid, (String, String)>) -> Vec<Uuid> {
    let paths: HashSet<&str> = units.iter().filter_map(|u| shape.get(u)).map(|(p, _)| p.as_str()).collect();
    units
        .iter()
        .copied()
        .filter(|u| {
            shape.get(u).and_then(|(p, _)| p.rsplit_once('.')).is_none_or(|(parent, _)| !paths.contains(parent))
        })
        .collect()
}

/// One group's coverage parts from its units, the counted ones and members per unit.
fn parts(
    units: &[Uuid],
    members_all: i64,
    shape: &HashMap<Uuid, (String, String)>,
    counted: &HashMap<Uuid, i64>,
    per_unit: &HashMap<Uuid, i64>,
) -> CoverageParts {
    let tops = tops(units, shape);
    if !tops.is_empty() && tops.iter().all(|t| counted.contains_key(t)) {
        let women = tops.iter().filter_map(|t| counted.get(t)).sum();
        let left_out = CoverageLeftOut { members: Some(0), ..CoverageLeftOut::default() };
        return CoverageParts { members: members_all, women: Some(women), left_out };
    }
    // Children of each unit within the group, by path.
    let by_path: HashMap<&str, Uuid> =
        units.iter().filter_map(|u| shape.get(u).map(|(p, _)| (p.as_str(), *u))).collect();
    let mut children: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for unit in units {
        if let Some((parent, _)) = shape.get(unit).and_then(|(p, _)| p.rsplit_once('.'))
            && let Some(parent) = by_path.get(parent)
        {
            children.entry(*parent).or_default().push(*unit);
        }
    }
    let mut out = CoverageParts::default();
    let mut women = None;
    let mut left_members = 0;
    let mut named: Vec<(String, UnitRef)> = Vec::new();
    let mut stack: Vec<Uuid> = tops;
    while let Some(unit) = stack.pop() {
        let subtree = subtree(unit, &children);
        if let Some(n) = counted.get(&unit) {
            women = Some(women.unwrap_or(0) + n);
            out.members += subtree.iter().filter_map(|u| per_unit.get(u)).sum::<i64>();
            continue;
        }
        let own = per_unit.get(&unit).copied().unwrap_or(0);
        if subtree.iter().any(|u| counted.contains_key(u)) {
            // Partly counted below: only the members placed on this unit itself are left out.
            left_members += own;
            stack.extend(children.get(&unit).into_iter().flatten().copied());
        } else {
            out.left_out.units += 1;
            left_members += subtree.iter().filter_map(|u| per_unit.get(u)).sum::<i64>();
            if let Some((_, name)) = shape.get(&unit) {
                named.push((name.clone(), UnitRef { unit_id: unit, name: name.clone() }));
            }
        }
    }
    named.sort_by(|a, b| crate::text::collate::compare(&a.0, &b.0));
    out.left_out.named = named.into_iter().take(NAMED_AT_MOST).map(|(_, u)| u).collect();
    out.left_out.members = Some(left_members);
    out.women = women;
    out
}

/// `unit` and everything under it within the group.
fn subtree(unit: Uuid, children: &BTreeMap<Uuid, Vec<Uuid>>) -> Vec<Uuid> {
    let mut out = vec![unit];
    let mut i = 0;
    while let Some(next) = out.get(i).copied() {
        out.extend(children.get(&next).into_iter().flatten().copied());
        i += 1;
    }
    out
}
