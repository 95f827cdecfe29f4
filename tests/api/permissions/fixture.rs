//! The world each matrix test acts in: root → P1, P2; P1 → C1, C2; C1 → B1, B2; B1 → G1, G2,
//! and in every one of those units ("places") the objects an operation may target, all made by
//! the root administrator.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::{As, ROOT_UNIT, TestApp};

/// A unit of the fixture with what lives in it.
#[derive(Clone)]
pub struct Place {
    pub unit: String,
    pub child_level: &'static str,
    pub resident: String,
    pub resident_grant: String,
    pub client: String,
    /// A confidential third-party app registered on the unit (its secret can be rotated).
    pub oauth_app: String,
    /// Branch or group where this place's members live (the unit itself below communes).
    pub home: String,
    /// An active member of `home`, target of reads and writes.
    pub member: String,
    /// An active member of `home` nobody else touches, for starting a transfer.
    pub mover: String,
    /// A member of `home` who has left, for an erasure.
    pub former: String,
    /// A pending transfer out of `home` (to cancel).
    pub outgoing: String,
    /// Pending transfers into `home` from a unit nobody in the test sees (accept, reject).
    pub incoming: [String; 2],
    /// That unit, where transfers go out to.
    pub incoming_from: String,
    pub prospect: String,
    pub need: String,
    pub position: String,
    /// A pair of a kind with stages (`matrix_steps`), mentor `member`, mentee `mentee`.
    pub pair: String,
    /// A pair of a kind without stages (`matrix_plain`), to close.
    pub pair_to_close: String,
    /// A member of `home` who can be a mentee of a new `matrix_plain` pair.
    pub mentee: String,
    /// A support entry of `member`.
    pub support: String,
    /// A meeting held in `home`.
    pub activity: String,
    /// An income entry of the unit's fund.
    pub fund_entry: String,
    /// The unit's 2026 fee schedule.
    pub fee_schedule: String,
    /// An open pioneer designation of `mentee`.
    pub designation: String,
    /// Empty child units to close, merge (target, source) and split; the place itself for groups.
    pub to_close: String,
    pub merge_target: String,
    pub merge_source: String,
    pub to_split: String,
    /// A child unit (the place itself for groups) to rate, whose reports the place's officers
    /// decide: two submitted reports of it, to accept and to return.
    pub rated: String,
    pub report_to_accept: String,
    pub report_to_return: String,
    /// A draft report of the place's unit, to adjust and submit.
    pub report_draft: String,
    /// The root administrator's subscription to the place's events, and one of its deliveries.
    pub webhook: String,
    pub delivery: String,
    /// A unit two levels down and another parent for it at the level of its own parent.
    pub to_move: (String, String),
}

pub struct Fixture {
    pub places: HashMap<&'static str, Place>,
    /// A job the root administrator started: nobody else may see it.
    pub foreign_job: String,
    /// The import template, a valid file for dry runs.
    pub import_file: String,
}

const GIVEN: [&str; 12] = ["Lan", "Hoa", "Mai", "Cúc", "Đào", "Huệ", "Hồng", "Thu", "Nga", "Yến", "Hạnh", "Loan"];

/// A member in `unit`, made by `who`; returns her id.
pub async fn member(who: &As<'_>, unit: &str, n: usize) -> String {
    let body = json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": GIVEN[n % GIVEN.len()],
                      "birth_year": 1960 + (n % 30) as i32, "joined_on": "2015-03-08", "unit_id": unit});
    who.create("/api/v1/members", &body).await["id"].as_str().unwrap().to_owned()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

fn below(level: &str) -> Option<&'static str> {
    match level {
        "central" => Some("province"),
        "province" => Some("commune"),
        "commune" => Some("branch"),
        "branch" => Some("group"),
        _ => None,
    }
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin().await;
    let mut units: HashMap<&'static str, String> = HashMap::from([("root", ROOT_UNIT.to_owned())]);
    let mut levels: HashMap<&'static str, &'static str> = HashMap::from([("root", "central")]);
    for (key, parent, level) in [
        ("P1", "root", "province"),
        ("P2", "root", "province"),
        ("C1", "P1", "commune"),
        ("C2", "P1", "commune"),
        ("B1", "C1", "branch"),
        ("B2", "C1", "branch"),
        ("G1", "B1", "group"),
        ("G2", "B1", "group"),
    ] {
        units.insert(key, app.unit(&units[parent], level, &format!("Đơn vị {key}")).await);
        levels.insert(key, level);
    }
    // Where incoming transfers come from: a branch outside every place.
    let far_province = app.unit(ROOT_UNIT, "province", "Tỉnh xa").await;
    let far_commune = app.unit(&far_province, "commune", "Xã xa").await;
    let far = app.unit(&far_commune, "branch", "Chi hội xa").await;
    let import_file = admin.get("/api/v1/imports/members/template").await.text().await.unwrap();
    for (code, stages) in [("matrix_steps", json!(["first", "second", "third"])), ("matrix_plain", json!([]))] {
        admin
            .create(
                "/api/v1/pair-kinds",
                &json!({"code": code, "name_vi": code, "name_en": code, "mentor_type": "member",
                                                   "mentee_type": "member", "stages": stages}),
            )
            .await;
    }
    let mut n = 0;
    let mut places = HashMap::new();
    for key in ["root", "P1", "P2", "C1", "C2", "B1", "B2", "G1", "G2"] {
        let unit = units[key].clone();
        let level = levels[key];
        let child_level = below(level).unwrap_or("group");
        // The home: a chain of units down to a branch, or the unit itself.
        let mut home = unit.clone();
        let mut home_level = level;
        while home_level != "branch" && home_level != "group" {
            let next = below(home_level).unwrap();
            home = app.unit(&home, next, &format!("Nơi ở {key} {next}")).await;
            home_level = next;
        }
        let resident = app.user_with_role(&format!("resident-{}", key.to_lowercase()), &unit, "member").await;
        let roles: Value = admin.get(&format!("/api/v1/users/{resident}/roles")).await.json().await.unwrap();
        let client = admin
            .create("/api/v1/machine-clients", &json!({"name": format!("client {key}"), "org_unit_id": unit}))
            .await;
        let oauth_app = admin
            .create(
                "/api/v1/oauth-apps",
                &json!({"client_name": format!("app {key}"), "owner": "Matrix", "org_unit_id": unit,
                        "redirect_uris": ["https://app.example.vn/cb"], "scope": "members:read",
                        "token_endpoint_auth_method": "client_secret_basic"}),
            )
            .await;
        let mut next_member = async |unit: &str| {
            n += 1;
            member(&admin, unit, n).await
        };
        let webhook = id(&admin
            .create(
                "/api/v1/webhooks",
                &json!({"unit_id": unit, "url": "http://127.0.0.1:9/hook", "events": ["member.joined"]}),
            )
            .await["webhook"]);
        let member_id = next_member(&home).await;
        let mover = next_member(&home).await;
        let former = next_member(&home).await;
        admin
            .create(
                &format!("/api/v1/members/{former}/events"),
                &json!({"kind": "leave", "occurred_on": "2020-01-01", "reason": "Chuyển đi xa"}),
            )
            .await;
        let leaving = next_member(&home).await;
        let arriving = [next_member(&far).await, next_member(&far).await];
        let transfer = |who: String, to: String| {
            let admin = &admin;
            async move {
                id(&admin
                    .create(
                        &format!("/api/v1/members/{who}/transfers"),
                        &json!({"to_unit_id": to, "reason": "Theo gia đình"}),
                    )
                    .await)
            }
        };
        let outgoing = transfer(leaving, far.clone()).await;
        let incoming =
            [transfer(arriving[0].clone(), home.clone()).await, transfer(arriving[1].clone(), home.clone()).await];
        let prospect = id(&admin
            .create(
                "/api/v1/prospects",
                &json!({"family_name": "Trần", "middle_name": "Thị", "given_name": "Bé", "birth_year": 2000, "unit_id": home}),
            )
            .await);
        let need = id(&admin
            .create(
                &format!("/api/v1/members/{member_id}/needs"),
                &json!({"kind": "capital", "description": "Vay vốn"}),
            )
            .await);
        let position = id(&admin
            .create(
                &format!("/api/v1/org-units/{unit}/positions"),
                &json!({"member_id": member_id, "kind": "committee_member", "started_on": "2024-01-01"}),
            )
            .await);
        admin
            .create(
                &format!("/api/v1/org-units/{unit}/population"),
                &json!({"as_of": "2026-01-01", "women_18_plus": 100}),
            )
            .await;
        let mentee = next_member(&home).await;
        let stepper = next_member(&home).await;
        let pair_of = async |kind: &str, mentee: &str| {
            id(&admin
                .create(
                    "/api/v1/pairs",
                    &json!({"kind": kind, "mentor_id": member_id, "mentee_id": mentee, "started_on": "2025-01-01"}),
                )
                .await)
        };
        let pair = pair_of("matrix_steps", &stepper).await;
        let pair_to_close = pair_of("matrix_plain", &stepper).await;
        let support = id(&admin
            .create(
                "/api/v1/support",
                &json!({"member_id": member_id, "kind": "grant", "amount_vnd": 500000, "source": "union_fund"}),
            )
            .await);
        let activity = id(&admin
            .create("/api/v1/activities", &json!({"unit_id": home, "kind": "monthly_meeting",
                                                 "starts_at": "2026-01-10T08:00:00+07:00", "title": "Sinh hoạt tháng 1"}))
            .await);
        let fund_entry = id(&admin
            .create(&format!("/api/v1/funds/{unit}/entries"), &json!({"category": "donation", "amount_vnd": 1000}))
            .await);
        let fee_schedule = id(&admin
            .create(
                "/api/v1/fee-schedules",
                &json!({"unit_id": unit, "year": 2026, "period": "month", "amount_vnd": 2000}),
            )
            .await);
        let designation = id(&admin
            .create(
                &format!("/api/v1/members/{mentee}/pioneer-designations"),
                &json!({"from_on": "2025-01-01", "reason": "Tiên phong"}),
            )
            .await);
        let png: Vec<u8> = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[0u8; 64][..]].concat();
        let photo = admin
            .request(reqwest::Method::PUT, &format!("/api/v1/members/{member_id}/photo"))
            .header("content-type", "image/png")
            .body(png)
            .send()
            .await
            .unwrap();
        assert!(photo.status().is_success(), "photo: {}", photo.status());
        let spare = async |name: &str| match below(level) {
            Some(child) => app.unit(&unit, child, &format!("{name} {key}")).await,
            None => unit.clone(),
        };
        let (to_close, merge_target, merge_source, to_split) =
            (spare("Đóng").await, spare("Nhận").await, spare("Nhập").await, spare("Tách").await);
        let rated = spare("Xếp loại").await;
        let report = async |unit: &str, period: &str, submit: bool| {
            let draft =
                id(&admin.create("/api/v1/report-submissions", &json!({"unit_id": unit, "period": period})).await);
            if submit {
                let submitted = admin
                    .request(reqwest::Method::POST, &format!("/api/v1/report-submissions/{draft}/submit"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(submitted.status(), reqwest::StatusCode::OK, "submit the fixture report");
            }
            draft
        };
        let report_to_accept = report(&rated, "2025-11", true).await;
        let report_to_return = report(&rated, "2025-12", true).await;
        let report_draft = report(&unit, "2025-10", false).await;
        let deliveries: Value =
            admin.get(&format!("/api/v1/webhooks/{webhook}/deliveries")).await.json().await.unwrap();
        let delivery = id(&deliveries["items"][0]);
        let to_move = match (below(level), below(level).and_then(below)) {
            (Some(child), Some(grandchild)) => {
                let from = app.unit(&unit, child, &format!("Cũ {key}")).await;
                let to = app.unit(&unit, child, &format!("Mới {key}")).await;
                (app.unit(&from, grandchild, &format!("Chuyển {key}")).await, to)
            }
            (Some(child), None) => (app.unit(&unit, child, &format!("Chuyển {key}")).await, unit.clone()),
            _ => (unit.clone(), units["B1"].clone()),
        };
        places.insert(
            key,
            Place {
                unit,
                child_level,
                resident,
                resident_grant: roles[0]["id"].as_str().unwrap().to_owned(),
                client: id(&client),
                oauth_app: id(&oauth_app),
                home,
                member: member_id,
                mover,
                former,
                outgoing,
                incoming,
                incoming_from: far.clone(),
                prospect,
                need,
                position,
                pair,
                pair_to_close,
                mentee,
                support,
                activity,
                fund_entry,
                fee_schedule,
                designation,
                to_close,
                merge_target,
                merge_source,
                to_split,
                rated,
                report_to_accept,
                report_to_return,
                report_draft,
                webhook,
                delivery,
                to_move,
            },
        );
    }
    admin.create("/api/v1/settings", &json!({"key": "test.matrix", "value": 1})).await;
    let job = admin
        .request(reqwest::Method::POST, &format!("/api/v1/imports/members?unit={far}&dry_run=true"))
        .header("content-type", "text/csv")
        .body(import_file.clone())
        .send()
        .await
        .unwrap();
    let foreign_job = id(&job.json().await.unwrap());
    Fixture { places, foreign_job, import_file }
}
