//! The live figures of a unit and its children, as the caller may see them. This function owns
//! the report's snapshot: every figure it returns — the units' own, and for a machine client
//! the families each is suppressed within (`family.rs`) — is read in one `REPEATABLE READ`
//! snapshot, so a parent, its children and the siblings a hidden cell is checked against all
//! describe the same moment even while rosters are being written. With room in `pool`, the
//! computation fans out over two more connections on that snapshot (`compute::kpis_of`).

use diesel_async::AsyncPgConnection;

use super::compute::kpis_of;
use super::family::{Family, for_machine, with_children};
use super::figures::Kpis;
use super::period::Period;
use crate::db::{DbPool, in_report_snapshot};
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;

/// The figures of `units` (the unit asked, then its children) over `period`, in that order;
/// for a machine client (`machine`) each one suppressed within its families.
pub async fn live_figures(
    conn: &mut AsyncPgConnection,
    pool: &DbPool,
    units: &[OrgUnitRow],
    period: &Period,
    machine: bool,
) -> Result<Vec<Kpis>, ApiError> {
    in_report_snapshot(conn, async |conn| {
        let computed = kpis_of(conn, units, period, Some(pool)).await?;
        let (Some(unit), Some(own), true) = (units.first(), computed.first(), machine) else { return Ok(computed) };
        let mut shown = vec![for_machine(conn, unit, period, own.clone()).await?];
        if computed.len() > 1 {
            let family = Family::from_figures(conn, units, computed.clone(), period).await?;
            for (child, k) in units[1..].iter().zip(&computed[1..]) {
                let as_child = family.view(child.id, k.clone());
                shown.push(with_children(conn, child, period, k.clone(), as_child).await?);
            }
        }
        Ok(shown)
    })
    .await
}
