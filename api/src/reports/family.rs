//! What a machine client (aggregates only) sees of one unit's figures. Complementary
//! suppression only protects a hidden cell if every way of asking hides the same partner:
//! asked alone, a child showed the partner that `group_by=child` had hidden, and the hidden
//! cell came back as the parent's total minus its siblings. So a unit's figures are always
//! suppressed within its **family** — its parent and the parent's open children, each frozen
//! where a report of the same period has been submitted and live otherwise — and the one rule
//! (`suppress::complement`) decides, whether the unit is asked alone, with its children, or as
//! a frozen report.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::compute::kpis_of;
use super::figures::Kpis;
use super::period::Period;
use super::suppress::{complement, hide_where, suppress};
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;
use crate::org_units::queries;
use crate::schema::report_submissions as s;

/// A parent and its children (`ids[0]` the parent) with the figures a reader can hold of
/// each for one period: the submitted report where there is one, else the live figures.
pub struct Family {
    ids: Vec<Uuid>,
    raw: Vec<Kpis>,
}

impl Family {
    /// The family `unit` is a child in: `None` for a unit without a parent.
    pub async fn of(
        conn: &mut AsyncPgConnection,
        unit: &OrgUnitRow,
        period: &Period,
    ) -> Result<Option<Family>, ApiError> {
        let Some(parent) = unit.parent_id else { return Ok(None) };
        let Some(parent) = queries::find(conn, parent).await? else { return Ok(None) };
        let mut units = vec![parent.clone()];
        units.extend(queries::open_children(conn, &parent).await?);
        if !units.iter().any(|u| u.id == unit.id) {
            units.push(unit.clone());
        }
        let raw = kpis_of(conn, &units, period, None).await?;
        Ok(Some(Family::from_figures(conn, &units, raw, period).await?))
    }

    /// The family of `units` (parent first) from their live figures `raw`.
    pub async fn from_figures(
        conn: &mut AsyncPgConnection,
        units: &[OrgUnitRow],
        mut raw: Vec<Kpis>,
        period: &Period,
    ) -> Result<Family, ApiError> {
        let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
        let frozen: Vec<(Uuid, serde_json::Value)> = s::table
            .filter(s::unit_id.eq_any(&ids))
            .filter(s::period.eq(&period.label))
            .filter(s::status.eq_any(["submitted", "accepted"]))
            .select((s::unit_id, s::figures))
            .load(conn)
            .await?;
        let frozen: HashMap<Uuid, Kpis> =
            frozen.into_iter().filter_map(|(id, f)| serde_json::from_value(f).ok().map(|k| (id, k))).collect();
        for (k, id) in raw.iter_mut().zip(&ids) {
            if let Some(f) = frozen.get(id) {
                *k = f.clone();
            }
        }
        Ok(Family { ids, raw })
    }

    /// The parent's id.
    pub fn parent(&self) -> Option<Uuid> {
        self.ids.as_slice().first().copied()
    }

    /// `own`, the raw figures of the child `unit`, as a machine client may see them: suppressed
    /// one by one, then complementarily with the parent and the other children. The family
    /// keeps one order whichever member is asked (so a tie for the partner to hide is broken
    /// the same way every time: otherwise each child, asked alone, would not be the partner).
    pub fn view(&self, unit: Uuid, own: Kpis) -> Kpis {
        let mut raw = self.raw.clone();
        let at = match self.ids.iter().skip(1).position(|id| *id == unit) {
            Some(i) => i + 1,
            None => {
                raw.push(own.clone());
                raw.len() - 1
            }
        };
        raw[at] = own.clone();
        let mut shown: Vec<Kpis> = raw.iter().cloned().map(suppress).collect();
        complement(&raw, &mut shown);
        shown.into_iter().nth(at).unwrap_or_else(|| suppress(own))
    }
}

/// `own`, the raw figures of `unit` over `period`, as a machine client may see them: within
/// its family as a child (its parent and siblings), and within its family as a parent (its
/// children), hidden wherever either hides — so that it shows the same asked alone, as a child
/// (`group_by=child`) or as a frozen report.
pub async fn for_machine(
    conn: &mut AsyncPgConnection,
    unit: &OrgUnitRow,
    period: &Period,
    own: Kpis,
) -> Result<Kpis, ApiError> {
    let as_child = match Family::of(conn, unit, period).await? {
        Some(family) => family.view(unit.id, own.clone()),
        None => suppress(own.clone()),
    };
    with_children(conn, unit, period, own, as_child).await
}

/// `shown` (the unit's view as a child) hidden also where the unit's view as the parent of its
/// children hides: a cell hidden in one child and shown in no other is hidden in the parent.
pub async fn with_children(
    conn: &mut AsyncPgConnection,
    unit: &OrgUnitRow,
    period: &Period,
    own: Kpis,
    shown: Kpis,
) -> Result<Kpis, ApiError> {
    let mut units = vec![unit.clone()];
    units.extend(queries::open_children(conn, unit).await?);
    if units.len() < 3 {
        return Ok(shown);
    }
    let raw = kpis_of(conn, &units, period, None).await?;
    let mut family = Family::from_figures(conn, &units, raw, period).await?;
    family.raw[0] = own;
    let mut as_parent: Vec<Kpis> = family.raw.iter().cloned().map(suppress).collect();
    complement(&family.raw, &mut as_parent);
    Ok(match <[Kpis]>::first(&as_parent) {
        Some(mask) => hide_where(shown, mask),
        None => shown,
    })
}
