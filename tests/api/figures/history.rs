//! The model of a random history (issue 18): a tree of units with a merge or not, people and
//! what became of them, meetings, support, pairs, fees, and where each stood on a day.
//! `generate.rs` makes histories, `reference.rs` computes their figures, `play.rs` plays them
//! through the API.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

/// Units of the generated tree: 0 is the province, then the communes, then the branches.
pub type Unit = usize;

#[derive(Debug, Clone)]
pub enum Fate {
    Stays,
    Transfer { to: Unit, on: NaiveDate },
    Leave { on: NaiveDate },
    Removal { on: NaiveDate },
    Death { on: NaiveDate },
}

#[derive(Debug, Clone)]
pub struct Person {
    pub branch: Unit,
    pub joined_on: NaiveDate,
    pub honorary: bool,
    pub card: bool,
    pub fate: Fate,
    /// Reinstated on this day, after leaving or being removed.
    pub back: Option<NaiveDate>,
    /// Joined as a prospect brought in (người được vận động) converted into a member (regular).
    pub recruited: bool,
    /// A Party member (she may nurture), a civil servant (she may be nurtured).
    pub party: bool,
    pub civil_servant: bool,
}

/// A party-nurture pair (bồi dưỡng giới thiệu đảng viên) of two people, and the days its
/// mentee was introduced and admitted (admission achieves the pair).
#[derive(Debug, Clone)]
pub struct Nurture {
    pub mentor: usize,
    pub mentee: usize,
    pub started_on: NaiveDate,
    pub introduced: Option<NaiveDate>,
    pub admitted: Option<NaiveDate>,
}

/// Support given to a person (`kind` "capital_loan" or "grant" with an amount, "job" with a
/// quantity), perhaps voided, perhaps taking her household out of poverty on a later day.
#[derive(Debug, Clone)]
pub struct Support {
    pub person: usize,
    pub kind: &'static str,
    pub amount: i64,
    pub source: &'static str,
    pub on: NaiveDate,
    pub voided: bool,
    pub out_of_poverty: Option<NaiveDate>,
}

/// A "1+1" pair of two branches (chi hội mạnh giúp chi hội yếu), perhaps closed: achieved or
/// ended, on a day.
#[derive(Debug, Clone)]
pub struct Pair {
    pub mentor: Unit,
    pub mentee: Unit,
    pub started_on: NaiveDate,
    pub closed: Option<(bool, NaiveDate)>,
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
#[derive(Debug, Clone, Default)]
pub struct History {
    pub branches_of: Vec<Vec<Unit>>,
    pub merge: Option<(Unit, NaiveDate)>,
    pub people: Vec<Person>,
    pub counts: Vec<(Unit, NaiveDate, i64)>,
    pub meetings: Vec<Meeting>,
    pub support: Vec<Support>,
    pub pairs: Vec<Pair>,
    pub nurtures: Vec<Nurture>,
    /// Fee schedules of 2025: the unit (province or commune) and its period.
    pub schedules: Vec<(Unit, FeePeriod)>,
    /// Fees paid in 2025: who, at which branch, on which day, for which period (its kind, as
    /// the schedule applying to the branch that day says, and its number).
    pub payments: Vec<Payment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeePeriod {
    Month,
    Quarter,
    Year,
}

impl FeePeriod {
    pub fn name(self) -> &'static str {
        match self {
            FeePeriod::Month => "month",
            FeePeriod::Quarter => "quarter",
            FeePeriod::Year => "year",
        }
    }

    pub fn count(self) -> u32 {
        match self {
            FeePeriod::Month => 12,
            FeePeriod::Quarter => 4,
            FeePeriod::Year => 1,
        }
    }

    /// The number of the period `day` falls in.
    pub fn containing(self, day: NaiveDate) -> u32 {
        match self {
            FeePeriod::Month => day.month(),
            FeePeriod::Quarter => day.month().div_ceil(3),
            FeePeriod::Year => 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub person: usize,
    pub branch: Unit,
    pub on: NaiveDate,
    pub period: FeePeriod,
    pub number: u32,
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

    pub fn first_commune(&self) -> Unit {
        1
    }

    /// Whether `unit` exists on `day`: a merged commune ends the day before its merge.
    pub fn exists(&self, unit: Unit, day: NaiveDate) -> bool {
        !matches!(self.merge, Some((source, on)) if unit == source && day >= on)
    }

    /// The parent of `unit` on `day`.
    pub fn parent(&self, unit: Unit, day: NaiveDate) -> Option<Unit> {
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

    pub fn subtree(&self, top: Unit, day: NaiveDate) -> BTreeSet<Unit> {
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
            Fate::Leave { on } | Fate::Removal { on } => {
                (day < on || person.back.is_some_and(|b| b <= day)).then_some(person.branch)
            }
            Fate::Death { on } => (day < on).then_some(person.branch),
        }
    }

    /// The schedule of 2025 that applies to `unit` in the tree of `day`: its own or its nearest
    /// ancestor's.
    pub fn applying(&self, unit: Unit, day: NaiveDate) -> Option<FeePeriod> {
        let mut at = Some(unit);
        while let Some(u) = at {
            if let Some((_, period)) = self.schedules.iter().find(|(s, _)| *s == u) {
                return Some(*period);
            }
            at = self.parent(u, day);
        }
        None
    }

    /// The branch a person's record names on `day` (her last one after she left or died).
    pub fn home(&self, person: &Person, day: NaiveDate) -> Unit {
        match person.fate {
            Fate::Transfer { to, on } if on <= day => to,
            _ => person.branch,
        }
    }
}
