//! Several report units computed in one pass. A province and its hundred communes are one set
//! of queries, not a hundred: each query joins the rows once with `(group, unit)` pairs passed
//! as two arrays and answers per group. Group numbers are positions in the list of units asked.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Integer, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

pub use crate::org_units::lineage::{Groups, index, units_on};

use super::period::Period;
use crate::http::ApiError;

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
    sql: &'static str,
    groups: &Groups,
    p: &Period,
    n: usize,
) -> Result<Vec<BTreeMap<String, i64>>, ApiError> {
    let rows: Vec<GroupKeyed> = crate::db::prepared(sql)
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
