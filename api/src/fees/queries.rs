//! Queries of fees shared beyond the fee endpoints (reports read the applying schedules).

use diesel::QueryableByName;
use diesel::sql_types::{Array, Integer, Text as SqlText};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::period::FeePeriod;
use crate::http::ApiError;

#[derive(QueryableByName)]
struct Applying {
    #[diesel(sql_type = Integer)]
    unit: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = SqlText)]
    period: String,
}

/// For each unit (by path), the id and period of the schedule that applies to it in a year: its
/// own, or the nearest ancestor's. One query for any number of units (a province report asks
/// for its hundred communes).
pub async fn applying_each(
    conn: &mut AsyncPgConnection,
    unit_paths: &[&str],
    year: i32,
) -> Result<Vec<Option<(Uuid, FeePeriod)>>, ApiError> {
    let positions: Vec<i32> = (0..unit_paths.len()).map(|i| i32::try_from(i).unwrap_or(i32::MAX)).collect();
    let found: Vec<Applying> = crate::db::prepared(
        "SELECT DISTINCT ON (x.unit) x.unit, s.id, s.period
         FROM fee_schedules s JOIN org_units u ON u.id = s.unit_id
         JOIN unnest($1::integer[], $2::text[]) AS x(unit, path) ON x.path::ltree <@ u.path
         WHERE s.year = $3 ORDER BY x.unit, nlevel(u.path) DESC",
    )
    .bind::<Array<Integer>, _>(&positions)
    .bind::<Array<SqlText>, _>(unit_paths)
    .bind::<Integer, _>(year)
    .load(conn)
    .await?;
    let mut out = vec![None; unit_paths.len()];
    for row in found {
        if let Some(slot) = usize::try_from(row.unit).ok().and_then(|i| out.get_mut(i)) {
            *slot = Some((row.id, FeePeriod::parse(&row.period)));
        }
    }
    Ok(out)
}
