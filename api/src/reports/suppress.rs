//! Small-count suppression for machine clients: a count from 1 to 4 could point at a person
//! in a hamlet, so aggregates sent to other systems hide it (`null`), along with any ratio or
//! money total built on it.

use std::collections::BTreeMap;

use super::figures::{Kpis, Ratio};

const SMALLEST_SHOWN: i64 = 5;

fn hide(value: &mut Option<i64>) -> bool {
    match value {
        Some(v) if (1..SMALLEST_SHOWN).contains(v) => {
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
    hidden |= hide_ratio(&mut k.coverage.coverage);
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
