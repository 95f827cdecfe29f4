//! Small-count suppression (ẩn số nhỏ) for every aggregate a machine client can reach — JSON,
//! CSV, XLSX and SVG are all drawn from figures that went through here:
//!
//! 1. **Primary**: a count whose size is 1–4 (either sign: a growth of −3 is three people)
//!    could point at a person in a hamlet: it is hidden (`null`), with every ratio, net figure
//!    and money total built on it.
//! 2. **Complementary**: where a unit is shown with its children (`group_by=child`), a cell
//!    hidden in exactly one child could be recovered as the parent minus the other children;
//!    the smallest other child's cell is hidden too.
//! 3. **Time**: machine clients read whole periods that have ended (`reports::handlers`), so
//!    consecutive days or a running month cannot be differenced; trend points under 5 members
//!    are left out of charts.
//! 4. Nothing a machine client reads names a person, nor carries free text (adjustment reasons).

use std::collections::BTreeMap;

use serde_json::Value;

use super::figures::{Kpis, Ratio};
use super::trend::TrendPoint;

const SMALLEST_SHOWN: i64 = 5;

fn is_small(v: i64) -> bool {
    (1..SMALLEST_SHOWN).contains(&v.abs())
}

fn hide(value: &mut Option<i64>) -> bool {
    match value {
        Some(v) if is_small(*v) => {
            *value = None;
            true
        }
        _ => false,
    }
}

fn hide_ratio(ratio: &mut Ratio) -> bool {
    let hidden = hide(&mut ratio.numerator) | hide(&mut ratio.denominator);
    if hidden {
        ratio.percent = None;
    }
    hidden
}

fn hide_map(map: &mut BTreeMap<String, Option<i64>>) -> bool {
    map.values_mut().fold(false, |any, v| hide(v) | any)
}

/// Hides every count under 5; returns the figures marked `suppressed` if anything was hidden.
pub fn suppress(mut k: Kpis) -> Kpis {
    let m = &mut k.members;
    let mut hidden = false;
    for value in [
        &mut m.start,
        &mut m.end,
        &mut m.honorary_end,
        &mut m.joins,
        &mut m.reinstatements,
        &mut m.transfers_in,
        &mut m.transfers_out,
        &mut m.leavers,
        &mut m.removals,
        &mut m.deaths,
        &mut m.year_before,
    ] {
        hidden |= hide(value);
    }
    // Net figures reveal the hidden parts: hide them when any part is.
    if hidden {
        m.net_change = None;
        m.other_moves = None;
    }
    hidden |= hide_ratio(&mut m.growth) | hide_ratio(&mut m.growth_year);
    hidden |= hide_ratio(&mut k.coverage.coverage) | hide(&mut k.coverage.left_out.members);
    let e = &mut k.engagement;
    hidden |= hide_ratio(&mut e.participation) | hide_ratio(&mut e.meeting_attendance);
    hidden |= hide(&mut e.absent_three_running);
    let p = &mut k.pairs;
    hidden |= hide_map(&mut p.active_by_kind) | hide_map(&mut p.achieved_by_kind) | hide_ratio(&mut p.outcomes_reached);
    hidden |= hide(&mut p.prospects_recruited) | hide(&mut p.party_introductions) | hide(&mut p.party_admissions);
    let s = &mut k.support;
    let few_households = hide(&mut s.households);
    hidden |= few_households | hide(&mut s.entries) | hide(&mut s.jobs) | hide(&mut s.out_of_poverty);
    if few_households {
        // Money given to fewer than 5 households points at them.
        s.amount_vnd = None;
        s.amount_vnd_by_kind.values_mut().for_each(|v| *v = None);
        s.amount_vnd_by_source.values_mut().for_each(|v| *v = None);
    }
    hidden |= hide_ratio(&mut k.cards_and_fees.card_holders);
    if let Some(fee) = k.cards_and_fees.fee_paid.as_mut() {
        hidden |= hide_ratio(fee);
    }
    k.suppressed = hidden;
    k
}

/// Complementary suppression of a unit (`shown[0]`) and its children (`shown[1..]`), already
/// suppressed one by one from `raw`: for every figure hidden in exactly one child while the
/// unit shows it, the smallest other child's value is hidden too — or, when no other child
/// shows one, the unit's own.
pub fn complement(raw: &[Kpis], shown: &mut [Kpis]) {
    if shown.len() < 3 || raw.len() != shown.len() {
        return;
    }
    let raw: Vec<Value> = raw.iter().filter_map(|k| serde_json::to_value(k).ok()).collect();
    let mut out: Vec<Value> = shown.iter().filter_map(|k| serde_json::to_value(k).ok()).collect();
    if raw.len() != shown.len() || out.len() != shown.len() {
        return;
    }
    let mut paths = Vec::new();
    leaves(&raw[0], String::new(), &mut paths);
    for path in paths {
        let hidden: Vec<usize> = (1..out.len())
            .filter(|&i| {
                out[i].pointer(&path).is_some_and(Value::is_null) && raw[i].pointer(&path).is_some_and(Value::is_i64)
            })
            .collect();
        let parent_shown = out[0].pointer(&path).is_some_and(Value::is_i64);
        if hidden.len() != 1 || !parent_shown {
            continue;
        }
        let partner = (1..out.len())
            .filter(|i| !hidden.contains(i))
            .filter_map(|i| out[i].pointer(&path).and_then(Value::as_i64).map(|v| (v.abs(), i)))
            .min();
        // No other child shows this cell (each is absent or already hidden): the hidden one
        // would be the parent's value minus nothing, so the parent's cell is hidden instead.
        let i = partner.map_or(0, |(_, i)| i);
        if let Some(cell) = out[i].pointer_mut(&path) {
            *cell = Value::Null;
            out[i]["suppressed"] = Value::Bool(true);
        }
    }
    for (k, value) in shown.iter_mut().zip(out) {
        if let Ok(mut back) = serde_json::from_value::<Kpis>(value) {
            derived_follow(&mut back);
            *k = back;
        }
    }
}

/// `shown` with every figure hidden that `mask` hides (and what is built on it): a unit's view
/// as a child of its parent, hidden where its view as the parent of its children hides.
pub fn hide_where(shown: Kpis, mask: &Kpis) -> Kpis {
    let (Ok(mut out), Ok(mask)) = (serde_json::to_value(&shown), serde_json::to_value(mask)) else { return shown };
    let mut paths = Vec::new();
    leaves(&out, String::new(), &mut paths);
    let mut changed = false;
    for path in paths {
        if mask.pointer(&path).is_some_and(Value::is_null)
            && let Some(cell) = out.pointer_mut(&path)
        {
            *cell = Value::Null;
            changed = true;
        }
    }
    if !changed {
        return shown;
    }
    out["suppressed"] = Value::Bool(true);
    match serde_json::from_value::<Kpis>(out) {
        Ok(mut back) => {
            derived_follow(&mut back);
            back
        }
        Err(_) => shown,
    }
}

/// JSON pointers of the integer figures (never the threshold, never a percent).
fn leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                if key == "threshold_percent" || key == "period" || key == "criteria_codes" {
                    continue;
                }
                leaves(item, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Number(n) if n.is_i64() => out.push(at),
        _ => {}
    }
}

/// What is built on a hidden part is hidden: a ratio's percent, the net figures, money given
/// to households that are hidden.
fn derived_follow(k: &mut Kpis) {
    let m = &mut k.members;
    let parts =
        [m.joins, m.reinstatements, m.transfers_in, m.transfers_out, m.leavers, m.removals, m.deaths, m.start, m.end];
    if parts.iter().any(Option::is_none) {
        m.net_change = None;
        m.other_moves = None;
    }
    for ratio in [
        &mut m.growth,
        &mut m.growth_year,
        &mut k.coverage.coverage,
        &mut k.engagement.participation,
        &mut k.engagement.meeting_attendance,
        &mut k.pairs.outcomes_reached,
        &mut k.cards_and_fees.card_holders,
    ] {
        if ratio.numerator.is_none() || ratio.denominator.is_none() {
            ratio.percent = None;
        }
    }
    if let Some(fee) = k.cards_and_fees.fee_paid.as_mut()
        && (fee.numerator.is_none() || fee.denominator.is_none())
    {
        fee.percent = None;
    }
    if k.support.households.is_none() {
        k.support.amount_vnd = None;
        k.support.amount_vnd_by_kind.values_mut().for_each(|v| *v = None);
        k.support.amount_vnd_by_source.values_mut().for_each(|v| *v = None);
    }
}

/// A trend as a machine client may see it: months with 1–4 members are left out (with their
/// attendance).
pub fn trend(points: Vec<TrendPoint>) -> Vec<TrendPoint> {
    points.into_iter().filter(|p| !is_small(p.members)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_of_either_sign_are_small() {
        assert!(is_small(1) && is_small(4) && is_small(-3));
        assert!(!is_small(0) && !is_small(5) && !is_small(-5));
    }
}
