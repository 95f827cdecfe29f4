//! Activities and attendance ("có sinh hoạt"): a 60-member roster in one request, retries that
//! change nothing, members outside the unit named, absentees followed across a transfer, and
//! the "3 có" month flags.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{As, assert_problem, field_error, spawn_app};
use crate::members::{member, tree};

pub async fn meeting(who: &As<'_>, unit: &str, day: &str) -> String {
    meeting_at(who, unit, day, "08:00").await
}

/// A monthly meeting of `unit` on `day` at `time` (Vietnam time); returns its id.
pub async fn meeting_at(who: &As<'_>, unit: &str, day: &str, time: &str) -> String {
    let body = json!({"unit_id": unit, "kind": "monthly_meeting", "starts_at": format!("{day}T{time}:00+07:00"),
                      "title": format!("Sinh hoạt {day}")});
    who.create("/api/v1/activities", &body).await["id"].as_str().unwrap().to_owned()
}

pub async fn roster(who: &As<'_>, activity: &str, entries: Value) -> reqwest::Response {
    who.request(Method::PUT, &format!("/api/v1/activities/{activity}/attendance"))
        .json(&json!({"entries": entries}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_whole_roster_in_one_request_and_a_retry_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let given = ["Lan", "Hoa", "Mai", "Cúc", "Đào", "Huệ", "Hồng", "Thu", "Nga", "Yến", "Hạnh", "Loan"];
    let mut ids = Vec::new();
    for i in 0..60 {
        let m = member(&admin, &t.group, "Nguyễn", "Thị", given[i % given.len()]).await;
        ids.push(m["id"].as_str().unwrap().to_owned());
    }
    let outsider = member(&admin, &t.other_branch, "Lê", "Thị", "Xa").await["id"].as_str().unwrap().to_owned();
    app.user_with_role("chi-hoi-truong", &t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let activity = meeting(&head, &t.branch, "2026-11-15").await;
    let fetched: Value = head.get(&format!("/api/v1/activities/{activity}")).await.json().await.unwrap();
    assert_eq!(fetched["expected"], 60, "the branch's active members that day");

    let entries: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"member_id": id, "status": match i % 10 { 0 => "absent", 1 => "excused", _ => "present" }}))
        .collect();
    let mut with_outsider = entries.clone();
    with_outsider.push(json!({"member_id": outsider, "status": "present"}));
    let rejected = roster(&head, &activity, Value::Array(with_outsider)).await;
    let problem = assert_problem(rejected, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "entries[60].member_id")["code"], "outside_unit");
    let nothing: Value = head.get(&format!("/api/v1/activities/{activity}/attendance")).await.json().await.unwrap();
    assert_eq!(nothing["entries"], json!([]), "a rejected roster writes nothing");
    assert_eq!(nothing["not_recorded"].as_array().unwrap().len(), 60);

    let first = roster(&head, &activity, Value::Array(entries.clone())).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    let sheet: Value = first.json().await.unwrap();
    assert_eq!((sheet["summary"]["present"].as_i64(), sheet["summary"]["excused"].as_i64()), (Some(48), Some(6)));
    assert_eq!(sheet["summary"]["rate_percent"], 80.0);
    assert_eq!(sheet["not_recorded"], json!([]));
    let again = roster(&head, &activity, Value::Array(entries)).await;
    assert_eq!(again.headers().get("etag").unwrap().to_str().unwrap(), etag, "the retry changed nothing");
    let audit: Value = admin.get("/api/v1/audit-events?action=activity.attendance").await.json().await.unwrap();
    assert_eq!(audit["items"][0]["details"]["changed"], 0);
    // A roster recorded offline against an older version gets 412 and the current roster.
    let stale = head
        .request(Method::PUT, &format!("/api/v1/activities/{activity}/attendance"))
        .header("If-Match", "\"1\"")
        .json(&json!({"entries": []}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(stale, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    assert_eq!(problem["current"]["summary"]["present"], 48);
    // A malformed If-Match is refused, not taken as absent (the fuzzer's `If-Match: {}` was
    // applied as if unconditioned), on the roster and on one member alike.
    for (method, path, body) in [
        (Method::PUT, format!("/api/v1/activities/{activity}/attendance"), json!({"entries": []})),
        (Method::PATCH, format!("/api/v1/activities/{activity}/attendance/{}", ids[1]), json!({"status": "absent"})),
    ] {
        let malformed = head.request(method, &path).header("If-Match", "{}").json(&body).send().await.unwrap();
        let problem = assert_problem(malformed, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(field_error(&problem, "If-Match")["code"], "invalid_format", "{path}");
    }
    let unchanged: Value = head.get(&format!("/api/v1/activities/{activity}/attendance")).await.json().await.unwrap();
    assert_eq!(unchanged["summary"]["present"], 48, "neither malformed request wrote");

    // One member at a time, and the member's own history.
    let changed = head
        .patch_json(
            &format!("/api/v1/activities/{activity}/attendance/{}", ids[0]),
            None,
            &json!({"status": "present"}),
        )
        .await;
    assert_eq!(changed.json::<Value>().await.unwrap()["summary"]["present"], 49);
    let history: Value = head.get(&format!("/api/v1/members/{}/attendance", ids[0])).await.json().await.unwrap();
    assert_eq!(history["items"][0]["status"], "present");
    let listed: Value =
        head.get(&format!("/api/v1/activities?unit={}&from=2026-11-01", t.branch)).await.json().await.unwrap();
    assert_eq!(listed["items"][0]["attendance"]["present"], 49);
    let future = head
        .post_json("/api/v1/activities", &json!({"unit_id": t.branch, "kind": "monthly_meeting", "starts_at": "2099-01-01T08:00:00Z", "title": "Sau", "status": "held"}))
        .await;
    assert_eq!(
        field_error(&assert_problem(future, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "status")["code"],
        "in_future"
    );
}

#[tokio::test]
async fn absentees_follow_a_member_across_a_transfer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let hoa = member(&admin, &t.branch, "Nguyễn", "Thị", "Hòa").await["id"].as_str().unwrap().to_owned();
    let lan = member(&admin, &t.branch, "Trần", "Thị", "Lan").await["id"].as_str().unwrap().to_owned();
    let mai = member(&admin, &t.branch, "Lê", "Thị", "Mai").await["id"].as_str().unwrap().to_owned();
    let cuc = member(&admin, &t.other_branch, "Võ", "Thị", "Cúc").await["id"].as_str().unwrap().to_owned();
    for (day, lan_status) in [("2025-01-12", "absent"), ("2025-02-09", "present")] {
        let id = meeting(&admin, &t.branch, day).await;
        roster(
            &admin,
            &id,
            json!([{"member_id": hoa, "status": "absent"}, {"member_id": lan, "status": lan_status},
                                    {"member_id": mai, "status": "excused"}]),
        )
        .await;
    }
    // Hòa moves to the other commune's branch; she misses her first meeting there too.
    let transfer = admin
        .create(
            &format!("/api/v1/members/{hoa}/transfers"),
            &json!({"to_unit_id": t.other_branch, "requested_on": "2025-02-20"}),
        )
        .await;
    let accepted = admin
        .post_json(
            &format!("/api/v1/transfers/{}/accept", transfer["id"].as_str().unwrap()),
            &json!({"decided_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let march_there = meeting(&admin, &t.other_branch, "2025-03-09").await;
    roster(
        &admin,
        &march_there,
        json!([{"member_id": hoa, "status": "absent"}, {"member_id": cuc, "status": "present"}]),
    )
    .await;
    let march_here = meeting(&admin, &t.branch, "2025-03-09").await;
    roster(
        &admin,
        &march_here,
        json!([{"member_id": lan, "status": "absent"}, {"member_id": mai, "status": "absent"}]),
    )
    .await;

    let there: Value =
        admin.get(&format!("/api/v1/org-units/{}/absentees?meetings=3", t.other_branch)).await.json().await.unwrap();
    let names: Vec<&str> =
        there["items"].as_array().unwrap().iter().map(|a| a["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Nguyễn Thị Hòa"], "her last three meetings span both branches");
    let here: Value =
        admin.get(&format!("/api/v1/org-units/{}/absentees?meetings=3", t.branch)).await.json().await.unwrap();
    let names: Vec<&str> = here["items"].as_array().unwrap().iter().map(|a| a["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Lê Thị Mai"], "Lan came in February; Hòa is no longer here");
    assert_eq!(here["items"][0]["last_present_on"], Value::Null);
    let too_big = admin.get(&format!("/api/v1/org-units/{}/absentees?meetings=20", t.branch)).await;
    assert_problem(too_big, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn three_haves_flags_a_missed_month_and_spending_without_income() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let mai = member(&admin, &t.branch, "Trần", "Thị", "Mai").await["id"].as_str().unwrap().to_owned();
    admin
        .create(
            &format!("/api/v1/members/{mai}/pioneer-designations"),
            &json!({"from_on": "2024-12-01", "reason": "Đi đầu nuôi bò"}),
        )
        .await;
    let jan = meeting(&admin, &t.branch, "2025-01-12").await;
    roster(&admin, &jan, json!([{"member_id": mai, "status": "present"}])).await;
    let fund = format!("/api/v1/funds/{}/entries", t.branch);
    admin.create(&fund, &json!({"category": "fees", "amount_vnd": 100000, "entry_on": "2025-01-12"})).await;
    let mar = meeting(&admin, &t.branch, "2025-03-09").await;
    roster(&admin, &mar, json!([{"member_id": mai, "status": "present"}])).await;
    admin
        .create(
            &fund,
            &json!({"category": "activity", "amount_vnd": 200000, "entry_on": "2025-03-09", "activity_id": mar}),
        )
        .await;

    let view: Value = admin
        .get(&format!("/api/v1/org-units/{}/three-haves?from=2025-01&to=2025-03", t.commune))
        .await
        .json()
        .await
        .unwrap();
    let branch = &view["items"][0];
    assert_eq!(branch["unit_id"], t.branch.as_str());
    let flags: Vec<(bool, bool, bool)> = branch["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["has_pioneers"].as_bool().unwrap(),
                m["has_activity"].as_bool().unwrap(),
                m["has_resources"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(flags, [(true, true, true), (true, false, true), (true, true, false)]);
    assert_eq!(branch["months"][2]["balance_vnd"], -100000, "spent more than it had");
    assert_eq!(branch["months"][0]["attendance_rate_percent"], 100.0);
    let balance: Value = admin
        .get(&format!("/api/v1/funds/{}/balance?from=2025-01-01&to=2025-12-31", t.branch))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((balance["income_vnd"].as_i64(), balance["spending_vnd"].as_i64()), (Some(100000), Some(200000)));
    let other = view["items"].as_array().unwrap().iter().find(|b| b["unit_id"] == t.other_branch.as_str());
    assert!(other.is_none(), "the other commune's branch is not below this commune");
    let wrong = admin.get(&format!("/api/v1/org-units/{}/three-haves?from=2025-01&to=2027-03", t.commune)).await;
    assert_problem(wrong, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn fees_follow_the_province_schedule_and_list_who_has_not_paid() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let hoa = member(&admin, &t.branch, "Nguyễn", "Thị", "Hòa").await["id"].as_str().unwrap().to_owned();
    let anh = member(&admin, &t.group, "Phạm", "Thị", "Ánh").await["id"].as_str().unwrap().to_owned();
    member(&admin, &t.group, "Lê", "Thị", "Bích").await;
    let province: Value = admin.get(&format!("/api/v1/org-units/{}", t.commune)).await.json().await.unwrap();
    admin
        .create(
            "/api/v1/fee-schedules",
            &json!({"unit_id": province["parent_id"], "year": 2026, "period": "month", "amount_vnd": 2000}),
        )
        .await;
    app.user_with_role("chi-hoi-truong", &t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let collect =
        json!({"unit_id": t.branch, "year": 2026, "period_no": 11, "paid_on": "2026-11-15", "member_ids": [hoa, anh]});
    let first: Value = head.create("/api/v1/fee-payments", &collect).await;
    assert_eq!((first["recorded"].as_i64(), first["amount_vnd_total"].as_i64()), (Some(2), Some(4000)));
    let again: Value = head.create("/api/v1/fee-payments", &collect).await;
    assert_eq!(again["recorded"], 0);
    assert_eq!(again["already_paid"].as_array().unwrap().len(), 2, "paid once per period");
    let bad = head
        .post_json(
            "/api/v1/fee-payments",
            &json!({"unit_id": t.branch, "year": 2026, "period_no": 13, "member_ids": [hoa]}),
        )
        .await;
    assert_eq!(
        field_error(&assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "period_no")["code"],
        "out_of_range"
    );

    let unpaid: Value = head
        .get(&format!("/api/v1/org-units/{}/unpaid-fees?year=2026&period_no=11", t.branch))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> =
        unpaid["items"].as_array().unwrap().iter().map(|u| u["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Lê Thị Bích"]);
    assert_eq!(unpaid["items"][0]["amount_due_vnd"], 2000);
    let fund: Value =
        head.get(&format!("/api/v1/funds/{}/entries?category=fees", t.branch)).await.json().await.unwrap();
    assert_eq!(fund["items"][0]["amount_vnd"], 4000, "the collection is fee income of the branch fund");
    let entry = fund["items"][0]["id"].as_str().unwrap();
    let voided = head
        .patch_json(
            &format!("/api/v1/fund-entries/{entry}"),
            Some("*"),
            &json!({"status": "voided", "void_reason": "Nhập nhầm"}),
        )
        .await;
    assert_eq!(voided.status(), StatusCode::OK);
    let balance: Value =
        head.get(&format!("/api/v1/funds/{}/balance?from=2026-01-01", t.branch)).await.json().await.unwrap();
    assert_eq!(balance["closing_vnd"], 0, "voided entries leave the balance");
    app.user_with_role("to-truong", &t.group, "group_leader").await;
    let leader = app.session("to-truong").await;
    let leader = app.with_token(&leader.access_token);
    assert_problem(leader.get(&format!("/api/v1/funds/{}/balance", t.group)).await, StatusCode::NOT_FOUND, "not_found")
        .await;

    // Social-network groups and her consent to be added.
    let channels = head
        .request(Method::PUT, &format!("/api/v1/org-units/{}/channels", t.branch))
        .json(&json!({"channels": [{"platform": "zalo", "name": "Chi hội ấp Rẫy", "url": "https://zalo.me/g/abc"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(channels.status(), StatusCode::OK);
    let insecure = head
        .request(Method::PUT, &format!("/api/v1/org-units/{}/channels", t.branch))
        .json(&json!({"channels": [{"platform": "zalo", "name": "X", "url": "http://zalo.me/g/abc"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_error(
            &assert_problem(insecure, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await,
            "channels[0].url"
        )["code"],
        "invalid_format"
    );
    let consent = head
        .request(Method::PUT, &format!("/api/v1/members/{hoa}/channel-consents"))
        .json(&json!({"consents": [{"platform": "zalo", "consented": true, "decided_on": "2026-11-15"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(consent.json::<Value>().await.unwrap()[0]["consented"], true);

    // One consent per network: a body of thousands (once thousands of upserts in one request,
    // found by the fuzzer as a 10-second answer) or a repeated network is refused, naming the
    // field, and nothing is written.
    let flood: Vec<Value> =
        (0..5000).map(|_| json!({"platform": "zalo", "consented": false, "decided_on": "2026-11-20"})).collect();
    let flooded = head
        .request(Method::PUT, &format!("/api/v1/members/{hoa}/channel-consents"))
        .json(&json!({ "consents": flood }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(flooded, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "consents")["code"], "too_many");
    let repeated = head
        .request(Method::PUT, &format!("/api/v1/members/{hoa}/channel-consents"))
        .json(&json!({"consents": [
            {"platform": "facebook", "consented": true},
            {"platform": "zalo", "consented": false},
            {"platform": "zalo", "consented": true}
        ]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(repeated, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "consents[2].platform")["code"], "duplicate");
    let kept: Value = head.get(&format!("/api/v1/members/{hoa}/channel-consents")).await.json().await.unwrap();
    assert_eq!(kept, json!([{"platform": "zalo", "consented": true, "decided_on": "2026-11-15"}]));
    let groups: Vec<Value> = (0..21)
        .map(|i| json!({"platform": "zalo", "name": format!("Nhóm {i}"), "url": "https://zalo.me/g/abc"}))
        .collect();
    let too_many = head
        .request(Method::PUT, &format!("/api/v1/org-units/{}/channels", t.branch))
        .json(&json!({ "channels": groups }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(too_many, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "channels")["code"], "too_many");
    let cleared = head
        .request(Method::PUT, &format!("/api/v1/org-units/{}/channels", t.branch))
        .json(&json!({"channels": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(cleared.json::<Value>().await.unwrap(), json!([]), "an empty list removes the groups");
}
