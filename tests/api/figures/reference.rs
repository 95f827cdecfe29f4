//! A slow, obvious reference for the report figures, straight from their definitions in
//! docs/figures.md, computed from the test's own record of what happened (never from the
//! server's tables), and the model a random history is generated from.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

/// Units of the generated tree: 0 is the province, then the communes, then the branches.
pub type Unit = usize;

#[derive(Debug, Clone)]
pub enum Fate {
    Stays,
    Transfer { to: Unit, on: NaiveDate },
    Leave { on: NaiveDate },
    Death { on: NaiveDate },
}

#[derive(Debug, Clone)]
pub struct Person {
    pub branch: Unit,
    pub joined_on: NaiveDate,
    pub honorary: bool,
    pub card: bool,
    pub fate: Fate,
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub branch: Unit,
    pub on: NaiveDate,
    /// Per person (by index): present at the meeting, if placed in the branch that day.
    pub present: Vec<bool>,
}

/// A history: communes (each with its branches), an optional merge of commune `source` into
/// the first commune, people, counts of women 18+, meetings.
#[derive(Debug, Clone)]
pub struct History {
    pub branches_of: Vec<Vec<Unit>>,
    pub merge: Option<(Unit, NaiveDate)>,
    pub people: Vec<Person>,
    pub counts: Vec<(Unit, NaiveDate, i64)>,
    pub meetings: Vec<Meeting>,
}

impl History {
    pub fn communes(&self) -> Vec<Unit> {
        (1..=self.branches_of.len()).collect()
    }

    pub fn units(&self) -> Vec<Unit> {
        let mut all = vec![0];
        all.extend(self.communes());
        all.extend(self.branches_of.iter().flatten().copied());
        all
    }

    fn first_commune(&self) -> Unit {
        1
    }

    /// Whether `unit` exists on `day`: a merged commune ends the day before its merge.
    fn exists(&self, unit: Unit, day: NaiveDate) -> bool {
        !matches!(self.merge, Some((source, on)) if unit == source && day >= on)
    }

    /// The parent of `unit` on `day`.
    fn parent(&self, unit: Unit, day: NaiveDate) -> Option<Unit> {
        if unit == 0 {
            return None;
        }
        if self.communes().contains(&unit) {
            return Some(0);
        }
        let commune = self.communes().into_iter().find(|c| self.branches_of[c - 1].contains(&unit))?;
        match self.merge {
            Some((source, on)) if commune == source && day >= on => Some(self.first_commune()),
            _ => Some(commune),
        }
    }

    fn subtree(&self, top: Unit, day: NaiveDate) -> BTreeSet<Unit> {
        self.units()
            .into_iter()
            .filter(|u| self.exists(*u, day))
            .filter(|u| {
                let mut at = Some(*u);
                while let Some(unit) = at {
                    if unit == top {
                        return true;
                    }
                    at = self.parent(unit, day);
                }
                false
            })
            .collect()
    }

    /// The units that make up `unit` on `day`: its subtree and its predecessors' that day.
    pub fn units_on(&self, unit: Unit, day: NaiveDate) -> BTreeSet<Unit> {
        let mut lineage = vec![unit];
        if let Some((source, _)) = self.merge
            && unit == self.first_commune()
        {
            lineage.push(source);
        }
        lineage.into_iter().filter(|u| self.exists(*u, day)).flat_map(|u| self.subtree(u, day)).collect()
    }

    /// The branch a person is placed in on `day`.
    pub fn placed(&self, person: &Person, day: NaiveDate) -> Option<Unit> {
        if day < person.joined_on {
            return None;
        }
        match person.fate {
            Fate::Stays => Some(person.branch),
            Fate::Transfer { to, on } => Some(if day < on { person.branch } else { to }),
            Fate::Leave { on } | Fate::Death { on } => (day < on).then_some(person.branch),
        }
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
    pub fn figures(&self, unit: Unit, from: NaiveDate, to: NaiveDate) -> BTreeMap<&'static str, Option<i64>> {
        let start_units = self.units_on(unit, from);
        let end_units = self.units_on(unit, to);
        let all: BTreeSet<Unit> = start_units.union(&end_units).copied().collect();
        let in_period = |d: NaiveDate| from <= d && d <= to;
        let start = self.regular_in(&start_units, from).len() as i64;
        let end_people = self.regular_in(&end_units, to);
        let end = end_people.len() as i64;
        let year_before_day = a_year_before(to);
        let year_before = self.regular_in(&self.units_on(unit, year_before_day), year_before_day).len() as i64;
        let mut joins = 0;
        let (mut came, mut went, mut left, mut died) = (0, 0, 0, 0);
        for p in self.people.iter().filter(|p| !p.honorary) {
            if in_period(p.joined_on) && all.contains(&p.branch) {
                joins += 1;
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

        let net = joins + came - went - left - died;
        BTreeMap::from([
            ("/members/start", Some(start)),
            ("/members/end", Some(end)),
            ("/members/honorary_end", Some(honorary_end)),
            ("/members/joins", Some(joins)),
            ("/members/transfers_in", Some(came)),
            ("/members/transfers_out", Some(went)),
            ("/members/leavers", Some(left)),
            ("/members/deaths", Some(died)),
            ("/members/net_change", Some(net)),
            ("/members/other_moves", Some(end - start - net)),
            ("/members/growth/numerator", Some(end - start)),
            ("/members/year_before", Some(year_before)),
            ("/coverage/women_18_plus", women),
            ("/coverage/coverage/numerator", Some(covered_members)),
            ("/coverage/left_out/units", Some(left_units)),
            ("/coverage/left_out/members", Some(left_members)),
            ("/engagement/meetings", Some(meetings.len() as i64)),
            ("/engagement/meeting_attendance/numerator", Some(present)),
            ("/engagement/meeting_attendance/denominator", Some(expected)),
            ("/engagement/participation/numerator", Some(participants)),
            ("/cards_and_fees/card_holders/numerator", Some(cards)),
        ])
    }
}

/// The same day a year before (28 February for a 29th): the report's `year_before` day.
fn a_year_before(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day.with_year(day.year() - 1).or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, day.month(), 28)).unwrap_or(day)
}
