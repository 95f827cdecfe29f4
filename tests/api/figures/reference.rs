//! A slow, obvious reference for the report figures, straight from their definitions in
//! docs/figures.md, computed from the test's own record of what happened (never from the
//! server's tables).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::history::{Fate, History, Meeting, Nurture, Pair, Support, Unit};

impl History {
    /// Days of a person's own meetings up to `day`, newest first, with whether she came.
    fn her_meetings(&self, i: usize, day: NaiveDate) -> Vec<(NaiveDate, bool)> {
        let p = &self.people[i];
        let mut seen: Vec<(NaiveDate, bool)> = self
            .meetings
            .iter()
            .filter(|m| m.on <= day && self.placed(p, m.on) == Some(m.branch))
            .map(|m| (m.on, m.present.get(i).copied().unwrap_or(false)))
            .collect();
        seen.sort_by_key(|(on, _)| std::cmp::Reverse(*on));
        seen
    }

    fn regular_in(&self, units: &BTreeSet<Unit>, day: NaiveDate) -> Vec<usize> {
        (0..self.people.len())
            .filter(|i| !self.people[*i].honorary)
            .filter(|i| self.placed(&self.people[*i], day).is_some_and(|b| units.contains(&b)))
            .collect()
    }

    /// A unit's count of women on `day` (docs/figures.md, coverage).
    fn count(&self, unit: Unit, day: NaiveDate) -> Option<i64> {
        let own = self.counts.iter().filter(|(u, on, _)| *u == unit && *on <= day).max_by_key(|(_, on, _)| *on);
        match self.merge {
            Some((source, on)) if unit == self.first_commune() && on <= day && own.is_none_or(|o| o.1 < on) => {
                let before = on.pred_opt()?;
                Some(own.map_or(0, |o| o.2) + self.count(source, before)?)
            }
            _ => own.map(|o| o.2),
        }
    }

    /// The figures of `unit` over `from..=to`, as JSON paths of `/reports/kpis` → value.
    pub fn figures(&self, unit: Unit, from: NaiveDate, to: NaiveDate) -> BTreeMap<&'static str, Value> {
        let start_units = self.units_on(unit, from);
        let end_units = self.units_on(unit, to);
        let all: BTreeSet<Unit> = start_units.union(&end_units).copied().collect();
        let in_period = |d: NaiveDate| from <= d && d <= to;
        let start = self.regular_in(&start_units, from).len() as i64;
        let end_people = self.regular_in(&end_units, to);
        let end = end_people.len() as i64;
        let year_before_day = a_year_before(to);
        let year_before = self.regular_in(&self.units_on(unit, year_before_day), year_before_day).len() as i64;
        let (mut joins, mut back) = (0, 0);
        let (mut came, mut went, mut left, mut removed, mut died) = (0, 0, 0, 0, 0);
        for p in self.people.iter().filter(|p| !p.honorary) {
            if in_period(p.joined_on) && all.contains(&p.branch) {
                joins += 1;
            }
            if p.back.is_some_and(in_period)
                && matches!(p.fate, Fate::Leave { .. } | Fate::Removal { .. })
                && all.contains(&p.branch)
            {
                back += 1;
            }
            match p.fate {
                Fate::Transfer { to: dest, on } if in_period(on) => {
                    let (from_in, to_in) = (all.contains(&p.branch), all.contains(&dest));
                    if to_in && !from_in {
                        came += 1;
                    }
                    if from_in && !to_in {
                        went += 1;
                    }
                }
                Fate::Leave { on } if in_period(on) && all.contains(&p.branch) => left += 1,
                Fate::Removal { on } if in_period(on) && all.contains(&p.branch) => removed += 1,
                Fate::Death { on } if in_period(on) && all.contains(&p.branch) => died += 1,
                _ => {}
            }
        }
        let honorary_end = (0..self.people.len())
            .filter(|i| self.people[*i].honorary)
            .filter(|i| self.placed(&self.people[*i], to).is_some_and(|b| end_units.contains(&b)))
            .count() as i64;
        let cards = end_people.iter().filter(|i| self.people[**i].card).count() as i64;

        // Coverage: from the top, a counted unit covers its subtree.
        let tops: Vec<Unit> =
            end_units.iter().copied().filter(|u| self.parent(*u, to).is_none_or(|p| !end_units.contains(&p))).collect();
        let (mut women, mut covered_members, mut left_units, mut left_members) = (None::<i64>, 0, 0, 0);
        let mut stack = tops;
        while let Some(u) = stack.pop() {
            let below = self.subtree(u, to);
            let members_of = |units: &BTreeSet<Unit>| self.regular_in(units, to).len() as i64;
            if let Some(n) = self.count(u, to) {
                women = Some(women.unwrap_or(0) + n);
                covered_members += members_of(&below);
            } else if below.iter().any(|b| self.count(*b, to).is_some()) {
                left_members += members_of(&BTreeSet::from([u]));
                stack
                    .extend(self.units().into_iter().filter(|c| self.exists(*c, to) && self.parent(*c, to) == Some(u)));
            } else {
                left_units += 1;
                left_members += members_of(&below);
            }
        }

        // Meetings of the units in the period; who came.
        let meetings: Vec<&Meeting> =
            self.meetings.iter().filter(|m| all.contains(&m.branch) && in_period(m.on)).collect();
        let (mut expected, mut present) = (0, 0);
        let mut came_once = BTreeSet::new();
        for m in &meetings {
            let here = BTreeSet::from([m.branch]);
            expected += self.regular_in(&here, m.on).len() as i64;
            for (i, p) in self.people.iter().enumerate() {
                if m.present.get(i).copied().unwrap_or(false) && self.placed(p, m.on) == Some(m.branch) {
                    came_once.insert(i);
                    if !p.honorary {
                        present += 1;
                    }
                }
            }
        }
        let participants = end_people.iter().filter(|i| came_once.contains(i)).count() as i64;
        let absent_three = end_people
            .iter()
            .filter(|i| {
                let last = self.her_meetings(**i, to);
                last.len() >= 3 && last[..3].iter().all(|(_, came)| !came)
            })
            .count() as i64;

        // Support recorded in the units, not voided, given in the period.
        let given: Vec<&Support> = self
            .support
            .iter()
            .filter(|s| !s.voided && in_period(s.on) && all.contains(&self.home(&self.people[s.person], s.on)))
            .collect();
        let regular = |s: &Support| !self.people[s.person].honorary;
        let households: BTreeSet<usize> = given.iter().filter(|s| regular(s)).map(|s| s.person).collect();
        let mut by_kind = serde_json::Map::new();
        let mut by_source = serde_json::Map::new();
        for s in &given {
            let add = |map: &mut serde_json::Map<String, Value>, key: &str| {
                let sum = map.get(key).and_then(Value::as_i64).unwrap_or(0) + s.amount;
                map.insert(key.to_owned(), json!(sum));
            };
            add(&mut by_kind, s.kind);
            add(&mut by_source, s.source);
        }
        let out_of_poverty: BTreeSet<usize> = self
            .support
            .iter()
            .filter(|s| !s.voided && all.contains(&self.home(&self.people[s.person], s.on)))
            .filter(|s| s.out_of_poverty.is_some_and(in_period))
            .filter(|s| regular(s))
            .map(|s| s.person)
            .collect();

        // Pairs of the units' branches (a pair belongs to its mentee).
        let pairs: Vec<&Pair> = self.pairs.iter().filter(|p| all.contains(&p.mentee)).collect();
        let active = pairs.iter().filter(|p| p.started_on <= to && p.closed.is_none_or(|(_, on)| on > to)).count();
        let closed_in = |achieved: bool| {
            pairs.iter().filter(|p| p.closed.is_some_and(|(a, on)| a == achieved && in_period(on))).count() as i64
        };
        // Party nurture pairs belong to the mentee's branch when they started.
        let nurtures: Vec<&Nurture> = self
            .nurtures
            .iter()
            .filter(|n| self.placed(&self.people[n.mentee], n.started_on).is_some_and(|b| all.contains(&b)))
            .collect();
        let nurturing = nurtures.iter().filter(|n| n.started_on <= to && n.admitted.is_none_or(|on| on > to)).count();
        let admitted = nurtures.iter().filter(|n| n.admitted.is_some_and(in_period)).count() as i64;
        let introduced = nurtures.iter().filter(|n| n.introduced.is_some_and(in_period)).count() as i64;
        let (achieved, ended) = (closed_in(true) + admitted, closed_in(false));
        let by_kind_of = |twins: i64, nurture: i64| {
            let mut kinds = serde_json::Map::new();
            for (kind, n) in [("branch_twin", twins), ("party_nurture", nurture)] {
                if n > 0 {
                    kinds.insert(kind.to_owned(), json!(n));
                }
            }
            Value::Object(kinds)
        };

        // Fees: the report's unit collects by the schedule applying to it now; a member paid
        // when she paid that kind of period, the one containing `to`.
        // (A merged unit is kept under its successor: the successor's schedule applies to it.)
        let now = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or(to);
        let own = self.schedules.iter().find(|(s, _)| *s == unit).map(|(_, p)| *p);
        let applying = match self.merge {
            Some((source, _)) if unit == source => own.or_else(|| self.applying(self.first_commune(), now)),
            _ => self.applying(unit, now),
        };
        let fee_paid = applying.map(|period| {
            let number = period.containing(to);
            end_people
                .iter()
                .filter(|i| self.payments.iter().any(|p| p.person == **i && p.period == period && p.number == number))
                .count() as i64
        });

        let recruited =
            self.people.iter().filter(|p| p.recruited && in_period(p.joined_on) && all.contains(&p.branch)).count()
                as i64;
        let net = joins + back + came - went - left - removed - died;
        let coverage = match women {
            Some(women) => ratio_of(covered_members, women),
            None => json!({"numerator": covered_members, "denominator": null, "percent": null}),
        };
        // Above 100 % (counts here are small: a percent over 100 is more members than women).
        let stale = women.is_some_and(|w| w > 0 && covered_members > w);
        let ratio = ratio_of;
        let some = |v: i64| json!(v);
        BTreeMap::from([
            ("/members/start", some(start)),
            ("/members/end", some(end)),
            ("/members/honorary_end", some(honorary_end)),
            ("/members/joins", some(joins)),
            ("/members/reinstatements", some(back)),
            ("/members/transfers_in", some(came)),
            ("/members/transfers_out", some(went)),
            ("/members/leavers", some(left)),
            ("/members/removals", some(removed)),
            ("/members/deaths", some(died)),
            ("/members/net_change", some(net)),
            ("/members/other_moves", some(end - start - net)),
            ("/members/growth", ratio(end - start, start)),
            ("/members/year_before", some(year_before)),
            ("/members/growth_year", ratio(end - year_before, year_before)),
            ("/coverage/women_18_plus", json!(women)),
            ("/coverage/coverage", coverage.clone()),
            ("/coverage/stale", json!(stale)),
            ("/coverage/flagged", json!(!stale && coverage["percent"].as_f64().is_some_and(|p| p < 60.0))),
            ("/coverage/partial", json!(left_units > 0 || left_members > 0)),
            ("/coverage/left_out/units", some(left_units)),
            ("/coverage/left_out/members", some(left_members)),
            ("/engagement/meetings", some(meetings.len() as i64)),
            ("/engagement/meeting_attendance", ratio(present, expected)),
            ("/engagement/participation", ratio(participants, end)),
            ("/engagement/absent_three_running", some(absent_three)),
            ("/pairs/active_by_kind", by_kind_of(active as i64, nurturing as i64)),
            ("/pairs/achieved_by_kind", by_kind_of(closed_in(true), admitted)),
            ("/pairs/outcomes_reached", ratio(achieved, achieved + ended)),
            ("/pairs/prospects_recruited", some(recruited)),
            ("/pairs/party_introductions", some(introduced)),
            ("/pairs/party_admissions", some(admitted)),
            ("/support/households", some(households.len() as i64)),
            ("/support/entries", some(given.len() as i64)),
            ("/support/amount_vnd", some(given.iter().map(|s| s.amount).sum())),
            ("/support/amount_vnd_by_kind", Value::Object(by_kind)),
            ("/support/amount_vnd_by_source", Value::Object(by_source)),
            ("/support/jobs", some(given.iter().filter(|s| s.kind == "job").count() as i64)),
            ("/support/out_of_poverty", some(out_of_poverty.len() as i64)),
            ("/cards_and_fees/card_holders", ratio(cards, end)),
            ("/cards_and_fees/fee_paid", fee_paid.map_or(Value::Null, |paid| ratio(paid, end))),
        ])
    }

    /// The scorecard of branch `unit` over `from..=to`: months with a meeting of ÷ months in
    /// the period, and the members each "biết" is a share of (no contact, verification or need
    /// is generated: every share is 0 of them).
    pub fn scorecard(&self, unit: Unit, from: NaiveDate, to: NaiveDate) -> BTreeMap<&'static str, Value> {
        let months: BTreeSet<(i32, u32)> = self
            .meetings
            .iter()
            .filter(|m| m.branch == unit && from <= m.on && m.on <= to)
            .map(|m| (m.on.year(), m.on.month()))
            .collect();
        let in_period = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
        let members = self.regular_in(&self.units_on(unit, to), to).len() as i64;
        BTreeMap::from([
            ("/activity/months/numerator", json!(months.len())),
            ("/activity/months/denominator", json!(in_period)),
            ("/face/share/numerator", json!(0)),
            ("/face/share/denominator", json!(members)),
            ("/needs/share/denominator", json!(members)),
        ])
    }
}

/// A ratio as the report writes it: its parts and the percent (`null` over 0).
fn ratio_of(numerator: i64, denominator: i64) -> Value {
    let percent = (denominator != 0).then(|| hundredths(numerator, denominator) as f64 / 100.0);
    json!({"numerator": numerator, "denominator": denominator, "percent": percent})
}

/// numerator ÷ denominator in hundredths of a percent, rounded half away from zero, in
/// integers (so that the percent is exact).
fn hundredths(numerator: i64, denominator: i64) -> i64 {
    let (n, d) = ((numerator * 10_000).abs(), denominator.abs());
    let magnitude = (2 * n + d) / (2 * d);
    if (numerator < 0) != (denominator < 0) { -magnitude } else { magnitude }
}

/// The same day a year before (28 February for a 29th): the report's `year_before` day.
fn a_year_before(day: NaiveDate) -> NaiveDate {
    day.with_year(day.year() - 1).or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, day.month(), 28)).unwrap_or(day)
}
