//! The proptest strategy of random histories: small enough that a case plays in seconds.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::history::{Fate, FeePeriod, History, Meeting, Nurture, Pair, Payment, Person, Support, Unit};

pub fn day(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 1).unwrap() + chrono::Days::new(u64::from(offset))
}

pub fn history() -> impl Strategy<Value = History> {
    (prop::collection::vec(1usize..=2, 2..=3), any::<bool>(), 30u32..=420)
        .prop_flat_map(|(branch_counts, merges, merge_day)| {
            let communes = branch_counts.len();
            let mut next = communes + 1;
            let branches_of: Vec<Vec<Unit>> = branch_counts
                .iter()
                .map(|n| {
                    let ids = (next..next + n).collect();
                    next += n;
                    ids
                })
                .collect();
            let branches: Vec<Unit> = branches_of.iter().flatten().copied().collect();
            let units = next;
            let merge = merges.then_some((communes, day(merge_day)));
            let person = (
                prop::sample::select(branches.clone()),
                0u32..=400,
                prop::bool::weighted(0.2),
                any::<bool>(),
                prop::option::weighted(0.5, 1u32..=80),
                prop::bool::weighted(0.25),
            )
                .prop_flat_map({
                    let branches = branches.clone();
                    move |(branch, joined, honorary, card, back, recruited)| {
                        let fate = prop_oneof![
                            3 => Just(Fate::Stays),
                            2 => (prop::sample::select(branches.clone()), 1u32..=300).prop_map(move |(to, after)| {
                                if to == branch { Fate::Stays } else { Fate::Transfer { to, on: day(joined + after) } }
                            }),
                            1 => (1u32..=300).prop_map(move |after| Fate::Leave { on: day(joined + after) }),
                            1 => (1u32..=300).prop_map(move |after| Fate::Removal { on: day(joined + after) }),
                            1 => (1u32..=300).prop_map(move |after| Fate::Death { on: day(joined + after) }),
                        ];
                        fate.prop_map(move |fate| {
                            let back = match fate {
                                Fate::Leave { on } | Fate::Removal { on } => {
                                    back.map(|b| on + chrono::Days::new(b.into()))
                                }
                                _ => None,
                            };
                            let recruited = recruited && !honorary;
                            Person {
                                branch,
                                joined_on: day(joined),
                                honorary,
                                card,
                                fate,
                                back,
                                recruited,
                                party: false,
                                civil_servant: false,
                            }
                        })
                    }
                });
            let counts = prop::collection::vec((0..units, 0u32..=450, 1i64..=40), 0..=4)
                .prop_map(|c| c.into_iter().map(|(u, d, n)| (u, day(d), n)).collect::<Vec<_>>());
            let meetings = prop::collection::vec(
                (prop::sample::select(branches.clone()), 90u32..=450, prop::collection::vec(any::<bool>(), 10)),
                0..=4,
            );
            let support = prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    prop::sample::select(vec!["capital_loan", "grant", "job"]),
                    1i64..=50,
                    prop::sample::select(vec!["union_fund", "donor", "other"]),
                    0u32..=300,
                    prop::bool::weighted(0.2),
                    prop::option::weighted(0.3, 1u32..=60),
                ),
                0..=5,
            );
            let pairs = prop::collection::vec(
                (
                    prop::sample::select(branches.clone()),
                    prop::sample::select(branches),
                    0u32..=450,
                    prop::option::weighted(0.6, (any::<bool>(), 1u32..=250)),
                ),
                0..=3,
            );
            let schedules = prop::collection::vec(
                (0..=communes, prop::sample::select(vec![FeePeriod::Month, FeePeriod::Quarter, FeePeriod::Year])),
                0..=2,
            );
            let payments = prop::collection::vec((any::<prop::sample::Index>(), 0u32..=364, 1u32..=12), 0..=8);
            let fees = (schedules, payments);
            let nurtures = prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    any::<prop::sample::Index>(),
                    0u32..=200,
                    prop::option::weighted(0.6, (1u32..=150, prop::option::weighted(0.5, 1u32..=100))),
                ),
                0..=2,
            );
            let pairs = (pairs, nurtures);
            (
                Just(branches_of),
                Just(merge),
                prop::collection::vec(person, 3..=10),
                counts,
                meetings,
                support,
                pairs,
                fees,
            )
        })
        .prop_map(
            |(
                branches_of,
                merge,
                mut people,
                mut counts,
                meetings,
                support,
                (pairs, nurtures),
                (mut schedules, payments),
            )| {
                counts.sort_by_key(|(u, d, _)| (*u, *d));
                counts.dedup_by_key(|(u, d, _)| (*u, *d));
                let meetings =
                    meetings.into_iter().map(|(branch, d, present)| Meeting { branch, on: day(d), present }).collect();
                let support = support
                    .into_iter()
                    .map(|(who, kind, amount, source, after, voided, outcome)| {
                        let person = who.index(people.len());
                        let on = people[person].joined_on + chrono::Days::new(after.into());
                        let amount = if kind == "job" { 0 } else { amount * 100_000 };
                        let out_of_poverty = outcome.map(|o| on + chrono::Days::new(o.into()));
                        Support { person, kind, amount, source, on, voided, out_of_poverty }
                    })
                    .collect();
                let mut mentees = std::collections::BTreeSet::new();
                let pairs = pairs
                    .into_iter()
                    .filter(|(mentor, mentee, ..)| mentor != mentee && mentees.insert(*mentee))
                    .map(|(mentor, mentee, start, closed)| Pair {
                        mentor,
                        mentee,
                        started_on: day(start),
                        closed: closed.map(|(achieved, after)| (achieved, day(start + after))),
                    })
                    .collect();
                // A nurture pair of two people who joined directly, both in the union on its first
                // day (then marked a Party member and a civil servant); one per mentee.
                let mut nurtured = std::collections::BTreeSet::new();
                let mut kept = Vec::new();
                for (mentor, mentee, after, stages) in nurtures {
                    let (mentor, mentee) = (mentor.index(people.len()), mentee.index(people.len()));
                    let on = people[mentor].joined_on.max(people[mentee].joined_on) + chrono::Days::new(after.into());
                    let model = History { people: people.clone(), ..History::default() };
                    let active = |i: usize| !people[i].recruited && model.placed(&people[i], on).is_some();
                    if mentor == mentee
                        || !active(mentor)
                        || !active(mentee)
                        || people[mentor].civil_servant
                        || people[mentee].party
                        || !nurtured.insert(mentee)
                    {
                        continue;
                    }
                    people[mentor].party = true;
                    people[mentee].civil_servant = true;
                    let introduced = stages.map(|(a, _)| on + chrono::Days::new(a.into()));
                    let admitted =
                        stages.and_then(|(_, b)| b).zip(introduced).map(|(b, i)| i + chrono::Days::new(b.into()));
                    kept.push(Nurture { mentor, mentee, started_on: on, introduced, admitted });
                }
                schedules.sort_by_key(|(u, _)| *u);
                schedules.dedup_by_key(|(u, _)| *u);
                let mut h = History {
                    branches_of,
                    merge,
                    people,
                    counts,
                    meetings,
                    support,
                    pairs,
                    nurtures: kept,
                    schedules,
                    payments: Vec::new(),
                };
                // A fee is paid at the branch she is in that day, for a period of the schedule
                // applying there (none applying: no payment).
                let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
                for (who, offset, number) in payments {
                    let person = who.index(h.people.len());
                    let on = first + chrono::Days::new(offset.into());
                    let Some(branch) = h.placed(&h.people[person], on) else { continue };
                    let Some(period) = h.applying(branch, on) else { continue };
                    let number = (number - 1) % period.count() + 1;
                    h.payments.push(Payment { person, branch, on, period, number });
                }
                // A meeting no one of the branch could attend has no roster: not generated.
                let keep: Vec<bool> =
                    h.meetings.iter().map(|m| h.people.iter().any(|p| h.placed(p, m.on) == Some(m.branch))).collect();
                let mut keep = keep.into_iter();
                h.meetings.retain(|_| keep.next().unwrap_or(false));
                h
            },
        )
}
