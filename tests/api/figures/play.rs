//! Plays a generated history through the API, everything dated in the order of its date.

use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::history::{Fate, History, Meeting, Nurture, Pair, Payment, Person, Support, Unit};
use crate::helpers::{As, ROOT_UNIT};
use crate::reports::{event, transfer};

const GIVEN: [&str; 10] = ["An", "Bình", "Cúc", "Dung", "Đào", "Giang", "Hạnh", "Lan", "Mai", "Nga"];

/// Plays `h` through the API, everything dated in the order of its date; returns the server's
/// unit ids, by model unit.
pub async fn play(admin: &As<'_>, app: &crate::helpers::TestApp, h: &History) -> Vec<String> {
    let mut ids = vec![app.unit(ROOT_UNIT, "province", "Tỉnh Thử Ngẫu Nhiên").await];
    for c in h.communes() {
        ids.push(app.unit(&ids[0], "commune", &format!("Xã Thứ {c}")).await);
    }
    for (c, branches) in h.branches_of.iter().enumerate() {
        for b in branches {
            assert_eq!(ids.len(), *b);
            ids.push(app.unit(&ids[c + 1], "branch", &format!("Chi hội ấp {b}")).await);
        }
    }
    for (unit, period) in &h.schedules {
        let body = json!({"unit_id": ids[*unit], "year": 2025, "period": period.name(), "amount_vnd": 2000});
        admin.create("/api/v1/fee-schedules", &body).await;
    }
    enum Step<'a> {
        Merge(Unit),
        Fee(&'a Payment),
        Join(usize, &'a Person),
        Fate(usize, &'a Fate),
        Back(usize),
        Meeting(&'a Meeting),
        Support(&'a Support),
        PairStart(usize, &'a Pair),
        PairClose(usize, bool),
        NurtureStart(usize, &'a Nurture),
        Stage(usize, &'static str),
    }
    let mut steps: Vec<(NaiveDate, u8, Step)> = Vec::new();
    if let Some((source, on)) = h.merge {
        steps.push((on, 0, Step::Merge(source)));
    }
    for (i, p) in h.people.iter().enumerate() {
        steps.push((p.joined_on, 1, Step::Join(i, p)));
        if let Fate::Transfer { on, .. } | Fate::Leave { on } | Fate::Removal { on } | Fate::Death { on } = p.fate {
            steps.push((on, 2, Step::Fate(i, &p.fate)));
        }
        if let Some(back) = p.back {
            steps.push((back, 2, Step::Back(i)));
        }
    }
    steps.extend(h.meetings.iter().map(|m| (m.on, 3, Step::Meeting(m))));
    steps.extend(h.support.iter().map(|s| (s.on, 4, Step::Support(s))));
    for (i, pair) in h.pairs.iter().enumerate() {
        steps.push((pair.started_on, 5, Step::PairStart(i, pair)));
        if let Some((achieved, on)) = pair.closed {
            steps.push((on, 6, Step::PairClose(i, achieved)));
        }
    }
    steps.extend(h.payments.iter().map(|p| (p.on, 7, Step::Fee(p))));
    for (i, n) in h.nurtures.iter().enumerate() {
        steps.push((n.started_on, 5, Step::NurtureStart(i, n)));
        steps.extend(n.introduced.map(|on| (on, 6, Step::Stage(i, "introduced"))));
        steps.extend(n.admitted.map(|on| (on, 6, Step::Stage(i, "admitted"))));
    }
    steps.sort_by_key(|(d, order, _)| (*d, *order));
    let mut people = vec![String::new(); h.people.len()];
    let mut pairs = vec![String::new(); h.pairs.len()];
    let mut nurtures = vec![String::new(); h.nurtures.len()];
    for (on, _, step) in steps {
        // The year's figures read between any two writes: kept by the server (reports/cache.rs),
        // they must not outlive the write that follows (`differential` reads them last).
        warm_cache(admin, &ids).await;
        let on = on.to_string();
        match step {
            Step::Merge(source) => {
                let merged = admin
                    .post_json(
                        &format!("/api/v1/org-units/{}/merge", ids[1]),
                        &json!({"sources": [ids[source]], "effective_on": on}),
                    )
                    .await;
                assert_eq!(merged.status(), StatusCode::OK, "{}", merged.text().await.unwrap());
            }
            Step::Join(i, p) if p.recruited => {
                let body = json!({"family_name": "Trần", "middle_name": "Thị", "given_name": GIVEN[i % 10],
                    "birth_year": 1970 + i, "unit_id": ids[p.branch]});
                let prospect = admin.create("/api/v1/prospects", &body).await["id"].as_str().unwrap().to_owned();
                let body = json!({"joined_on": on, "card_number": p.card.then(|| format!("HV-{i:04}"))});
                let member = admin.create(&format!("/api/v1/prospects/{prospect}/convert"), &body).await;
                people[i] = member["id"].as_str().unwrap().to_owned();
            }
            Step::Join(i, p) => {
                let body = json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": GIVEN[i % 10],
                    "birth_year": 1970 + i, "joined_on": on, "unit_id": ids[p.branch],
                    "member_type": if p.honorary { "honorary" } else { "regular" },
                    "card_number": p.card.then(|| format!("HV-{i:04}")), "civil_servant": p.civil_servant,
                    "party_member": p.party, "party_joined_on": p.party.then_some("2010-05-19")});
                people[i] = admin.create("/api/v1/members", &body).await["id"].as_str().unwrap().to_owned();
            }
            Step::Fate(i, Fate::Transfer { to, .. }) => transfer(admin, &people[i], &ids[*to], &on).await,
            Step::Fate(i, Fate::Leave { .. }) => event(admin, &people[i], "leave", &on).await,
            Step::Fate(i, Fate::Removal { .. }) => event(admin, &people[i], "removal", &on).await,
            Step::Fate(i, Fate::Death { .. }) => event(admin, &people[i], "death", &on).await,
            Step::Fate(_, Fate::Stays) => {}
            Step::Back(i) => event(admin, &people[i], "reinstatement", &on).await,
            Step::Meeting(m) => record_meeting(admin, h, &ids, &people, m).await,
            Step::Support(s) => {
                let amount = (s.kind != "job").then_some(s.amount);
                let quantity = (s.kind == "job").then_some(1);
                let body = json!({"member_id": people[s.person], "kind": s.kind, "amount_vnd": amount,
                    "quantity": quantity, "source": s.source, "given_on": on});
                let id = admin.create("/api/v1/support", &body).await["id"].as_str().unwrap().to_owned();
                let mut edits = Vec::new();
                if let Some(day) = s.out_of_poverty {
                    edits.push(json!({"outcome": "out_of_poverty", "outcome_on": day.to_string()}));
                }
                if s.voided {
                    edits.push(json!({"status": "voided", "void_reason": "Ghi nhầm"}));
                }
                for edit in edits {
                    let edited = admin.patch_json(&format!("/api/v1/support/{id}"), Some("*"), &edit).await;
                    assert_eq!(edited.status(), StatusCode::OK, "{}", edited.text().await.unwrap());
                }
            }
            Step::PairStart(i, pair) => {
                let body = json!({"kind": "branch_twin", "mentor_id": ids[pair.mentor], "mentee_id": ids[pair.mentee],
                    "started_on": on});
                pairs[i] = admin.create("/api/v1/pairs", &body).await["id"].as_str().unwrap().to_owned();
            }
            Step::NurtureStart(i, n) => {
                let body = json!({"kind": "party_nurture", "mentor_id": people[n.mentor],
                    "mentee_id": people[n.mentee], "started_on": on});
                nurtures[i] = admin.create("/api/v1/pairs", &body).await["id"].as_str().unwrap().to_owned();
            }
            Step::Stage(i, stage) => {
                let body = json!({"stage": stage, "reached_on": on, "reason": "Chi bộ xét"});
                let moved = admin.post_json(&format!("/api/v1/pairs/{}/stage", nurtures[i]), &body).await;
                assert_eq!(moved.status(), StatusCode::OK, "{}", moved.text().await.unwrap());
            }
            Step::Fee(p) => {
                let body = json!({"unit_id": ids[p.branch], "year": 2025, "period_no": p.number, "paid_on": on,
                    "member_ids": [people[p.person]]});
                admin.create("/api/v1/fee-payments", &body).await;
            }
            Step::PairClose(i, achieved) => {
                let body = json!({"status": if achieved { "achieved" } else { "ended" }, "ended_on": on});
                let closed = admin.post_json(&format!("/api/v1/pairs/{}/close", pairs[i]), &body).await;
                assert_eq!(closed.status(), StatusCode::OK, "{}", closed.text().await.unwrap());
            }
        }
    }
    for (unit, on, women) in &h.counts {
        warm_cache(admin, &ids).await;
        admin
            .create(
                &format!("/api/v1/org-units/{}/population", ids[*unit]),
                &json!({"as_of": on.to_string(), "women_18_plus": women}),
            )
            .await;
    }
    ids
}

/// Reads the province's 2025 figures with its communes, as `differential` does last.
async fn warm_cache(admin: &As<'_>, ids: &[String]) {
    let read = admin.get(&format!("/api/v1/reports/kpis?unit={}&period=2025&group_by=child", ids[0])).await;
    assert_eq!(read.status(), StatusCode::OK);
}

/// A meeting of `m.branch` and its roster: everyone placed in the branch that day.
async fn record_meeting(admin: &As<'_>, h: &History, ids: &[String], people: &[String], m: &Meeting) {
    let body = json!({"unit_id": ids[m.branch], "kind": "monthly_meeting",
        "starts_at": format!("{}T08:00:00+07:00", m.on), "title": format!("Sinh hoạt {}", m.on)});
    let meeting = admin.create("/api/v1/activities", &body).await["id"].as_str().unwrap().to_owned();
    let entries: Vec<Value> = h
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| h.placed(p, m.on) == Some(m.branch))
        .map(|(i, _)| {
            let status = if m.present.get(i).copied().unwrap_or(false) { "present" } else { "absent" };
            json!({"member_id": people[i], "status": status})
        })
        .collect();
    let roster = admin
        .request(Method::PUT, &format!("/api/v1/activities/{meeting}/attendance"))
        .json(&json!({"entries": entries}))
        .send()
        .await
        .unwrap();
    assert_eq!(roster.status(), StatusCode::OK, "{}", roster.text().await.unwrap());
}
