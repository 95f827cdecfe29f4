//! "1+1" pairs: eligibility by kind, one active pair per mentee, scope on both sides, stages
//! forward (back only by an officer with a reason), a recruit closing when she joins, Party
//! admission recorded, sensitive kinds hidden from those without `members:sensitive`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, assert_problem, field_error, spawn_app};
use crate::members::{Tree, tree};

async fn person(who: &As<'_>, unit: &str, given: &str, extra: Value) -> String {
    let mut body = json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": given, "birth_year": 1985,
                          "joined_on": "2015-03-08", "unit_id": unit});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    who.create("/api/v1/members", &body).await["id"].as_str().unwrap().to_owned()
}

async fn open(who: &As<'_>, kind: &str, mentor: &str, mentee: &str) -> reqwest::Response {
    who.post_json(
        "/api/v1/pairs",
        &json!({"kind": kind, "mentor_id": mentor, "mentee_id": mentee, "started_on": "2025-03-01"}),
    )
    .await
}

async fn stage(who: &As<'_>, pair: &str, stage: &str, day: &str, reason: &str) -> reqwest::Response {
    who.post_json(&format!("/api/v1/pairs/{pair}/stage"), &json!({"stage": stage, "reached_on": day, "reason": reason}))
        .await
}

struct People {
    t: Tree,
    party: String,
    leader: String,
    plain: String,
}

async fn people(app: &crate::helpers::TestApp) -> People {
    let admin = app.admin().await;
    let t = tree(app).await;
    let party = person(&admin, &t.branch, "Mai", json!({"party_member": true, "party_joined_on": "2010-05-19"})).await;
    let leader = person(&admin, &t.group, "Hoa", json!({})).await;
    admin
        .create(
            &format!("/api/v1/org-units/{}/positions", t.group),
            &json!({"member_id": leader, "kind": "group_leader", "started_on": "2024-01-01"}),
        )
        .await;
    let plain = person(&admin, &t.group, "Lan", json!({})).await;
    People { t, party, leader, plain }
}

#[tokio::test]
async fn party_nurture_checks_both_sides_and_moves_forward_to_admission() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let p = people(&app).await;

    // Eligibility by kind, reported per side.
    let wrong = open(&admin, "party_nurture", &p.plain, &p.plain).await;
    let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentee_id")["code"], "same_as_mentor");
    let wrong = open(&admin, "party_nurture", &p.plain, &p.leader).await;
    let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentor_id")["code"], "not_party_member");
    let wrong = open(&admin, "party_nurture", &p.party, &p.plain).await;
    let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentee_id")["code"], "not_nurture_candidate");

    let opened = open(&admin, "party_nurture", &p.party, &p.leader).await;
    assert_eq!(opened.status(), StatusCode::CREATED);
    let pair: Value = opened.json().await.unwrap();
    let id = pair["id"].as_str().unwrap();
    assert_eq!((pair["stage"].as_str(), pair["mentor"]["name"].as_str()), (Some("nurturing"), Some("Nguyễn Thị Mai")));
    let twice = open(&admin, "party_nurture", &p.party, &p.leader).await;
    let problem = assert_problem(twice, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentee_id")["code"], "already_paired");

    // Forward only, dated in order; an officer reverts with a reason.
    assert_eq!(stage(&admin, id, "introduced", "2025-11-20", "").await.status(), StatusCode::OK);
    let early = stage(&admin, id, "admitted", "2025-10-01", "").await;
    assert_eq!(
        field_error(&assert_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "reached_on")
            ["code"],
        "before_previous_stage"
    );
    app.user_with_role("chi-hoi-truong", &p.t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let back = stage(&head, id, "nurturing", "2025-11-25", "Nhập nhầm").await;
    assert_eq!(
        field_error(&assert_problem(back, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "stage")["code"],
        "backwards"
    );
    let officer = app.user_with_role("chu-tich-xa", &p.t.commune, "commune_officer").await;
    assert!(!officer.is_empty());
    let officer = app.session("chu-tich-xa").await;
    let officer = app.with_token(&officer.access_token);
    let no_reason = stage(&officer, id, "nurturing", "2025-11-25", "").await;
    assert_eq!(
        field_error(&assert_problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "reason")
            ["code"],
        "required"
    );
    let reverted: Value = stage(&officer, id, "nurturing", "2025-11-25", "Chưa đủ hồ sơ").await.json().await.unwrap();
    assert_eq!(reverted["stage"], "nurturing");
    assert_eq!(reverted["stages"].as_array().unwrap().last().unwrap()["reverted"], true);

    // Admission achieves the pair and records her Party membership.
    stage(&head, id, "introduced", "2025-12-01", "").await;
    let done: Value = stage(&head, id, "admitted", "2026-05-19", "").await.json().await.unwrap();
    assert_eq!((done["status"].as_str(), done["ended_on"].as_str()), (Some("achieved"), Some("2026-05-19")));
    let her: Value = admin.get(&format!("/api/v1/members/{}?include=sensitive", p.leader)).await.json().await.unwrap();
    assert_eq!(her["sensitive"]["party_member"], true);
    assert_eq!(her["sensitive"]["party_joined_on"], "2026-05-19");
    let after = stage(&admin, id, "admitted", "2026-05-20", "").await;
    assert_problem(after, StatusCode::CONFLICT, "pair_closed").await;
    let introduced: Value = admin.get("/api/v1/pairs?kind=party_nurture&status=achieved").await.json().await.unwrap();
    assert_eq!(introduced["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_recruit_closes_itself_when_the_prospect_joins() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let p = people(&app).await;
    let prospect = admin
        .create(
            "/api/v1/prospects",
            &json!({"family_name": "Lê", "given_name": "Thu", "birth_year": 1999, "unit_id": p.t.branch}),
        )
        .await;
    let prospect_id = prospect["id"].as_str().unwrap();
    let pair: Value = open(&admin, "recruit", &p.plain, prospect_id).await.json().await.unwrap();
    let assigned: Value = admin.get(&format!("/api/v1/prospects/{prospect_id}")).await.json().await.unwrap();
    assert_eq!(assigned["assigned_member_id"], p.plain.as_str(), "the mentor brings her in");
    let manual = admin
        .post_json(&format!("/api/v1/pairs/{}/close", pair["id"].as_str().unwrap()), &json!({"status": "achieved"}))
        .await;
    assert_eq!(
        field_error(&assert_problem(manual, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "status")["code"],
        "achieved_by_joining"
    );

    let member: Value =
        admin.create(&format!("/api/v1/prospects/{prospect_id}/convert"), &json!({"joined_on": "2025-09-02"})).await;
    let closed: Value =
        admin.get(&format!("/api/v1/pairs/{}", pair["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(closed["status"], "achieved");
    assert_eq!(closed["ended_on"], "2025-09-02");
    assert_eq!(closed["result_member_id"], member["id"]);
    let hers: Value = admin.get(&format!("/api/v1/members/{}/pairs", p.plain)).await.json().await.unwrap();
    assert_eq!(hers[0]["id"], closed["id"], "her page shows the pair she mentored");
}

#[tokio::test]
async fn both_sides_must_be_in_scope_and_sensitive_kinds_stay_hidden() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let p = people(&app).await;
    let outsider = person(&admin, &p.t.other_branch, "Cúc", json!({})).await;
    app.user_with_role("chi-hoi-truong", &p.t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let foreign = open(&head, "sponsor", &outsider, &p.plain).await;
    assert_problem(foreign, StatusCode::NOT_FOUND, "not_found").await;

    let no_hardship = open(&head, "sponsor", &p.party, &p.plain).await;
    let problem = assert_problem(no_hardship, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentee_id")["code"], "not_in_hardship");
    let profile = head
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{}/profile", p.plain))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "near_poor", "circumstances": ["single_mother"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(profile.status(), StatusCode::OK);
    let sponsor: Value = open(&head, "sponsor", &p.party, &p.plain).await.json().await.unwrap();
    assert_eq!(sponsor["status"], "active");

    // A group leader sees the group's ordinary pairs, never a sponsor pair (it reveals hardship).
    app.user_with_role("to-truong", &p.t.group, "group_leader").await;
    let leader = app.session("to-truong").await;
    let leader = app.with_token(&leader.access_token);
    let listed: Value = leader.get("/api/v1/pairs").await.json().await.unwrap();
    assert_eq!(listed["items"], json!([]));
    let hidden = leader.get(&format!("/api/v1/pairs/{}", sponsor["id"].as_str().unwrap())).await;
    assert_problem(hidden, StatusCode::NOT_FOUND, "not_found").await;
    let twin = open(&admin, "branch_twin", &p.t.branch, &p.t.other_branch).await;
    assert_eq!(twin.status(), StatusCode::CREATED);
    let not_branch = open(&admin, "branch_twin", &p.t.branch, &p.t.group).await;
    let problem = assert_problem(not_branch, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentee_id")["code"], "not_a_branch");
    let the_other_commune = app.user_with_role("xa-khac", &p.t.other_commune, "commune_officer").await;
    assert!(!the_other_commune.is_empty());
    let other = app.session("xa-khac").await;
    let other = app.with_token(&other.access_token);
    let theirs: Value = other.get("/api/v1/pairs?kind=branch_twin").await.json().await.unwrap();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1, "the helped branch's commune sees the twin pair");
}

#[tokio::test]
async fn check_ins_are_dated_and_kinds_are_extensible_by_admins() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let p = people(&app).await;
    let problem = assert_problem(
        open(&admin, "knowledge_share", &p.plain, &p.t.other_branch).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_error(&problem, "mentor_id")["code"], "not_civil_servant");
    let officer_member = person(&admin, &p.t.branch, "Hạnh", json!({"civil_servant": true})).await;
    let coach = open(&admin, "knowledge_share", &officer_member, &p.t.other_branch).await;
    assert_eq!(coach.status(), StatusCode::CREATED, "a civil servant coaches a branch");

    let kinds: Value = admin.get("/api/v1/pair-kinds").await.json().await.unwrap();
    let codes: Vec<&str> = kinds.as_array().unwrap().iter().map(|k| k["code"].as_str().unwrap()).collect();
    assert!(["recruit", "party_nurture", "sponsor", "branch_twin"].iter().all(|c| codes.contains(c)), "{codes:?}");
    let new_kind = json!({"code": "zalo_buddy", "name_vi": "Bạn đồng hành Zalo", "name_en": "Zalo buddy",
                          "mentor_type": "member", "mentee_type": "member", "mentor_rules": ["active_member"],
                          "stages": ["connected", "active_online"], "achieved_stage": "active_online"});
    admin.create("/api/v1/pair-kinds", &new_kind).await;
    let bad_rule = admin
        .post_json(
            "/api/v1/pair-kinds",
            &json!({"code": "odd", "name_vi": "Lạ", "name_en": "Odd", "mentor_type": "org_unit",
                                                  "mentee_type": "member", "mentor_rules": ["party_member"]}),
        )
        .await;
    let problem = assert_problem(bad_rule, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "mentor_rules[0]")["code"], "rule_not_applicable");
    app.user_with_role("chu-tich-xa", &p.t.commune, "commune_officer").await;
    let officer = app.session("chu-tich-xa").await;
    let officer = app.with_token(&officer.access_token);
    assert_problem(officer.post_json("/api/v1/pair-kinds", &new_kind).await, StatusCode::FORBIDDEN, "forbidden").await;

    let buddy: Value = open(&admin, "zalo_buddy", &p.plain, &p.leader).await.json().await.unwrap();
    let id = buddy["id"].as_str().unwrap();
    let path = format!("/api/v1/pairs/{id}/checkins");
    admin.create(&path, &json!({"checked_on": "2025-04-01", "note": "Đã vào nhóm Zalo chi hội"})).await;
    admin.create(&path, &json!({"checked_on": "2025-05-01", "note": "Tham gia sinh hoạt trực tuyến"})).await;
    let future = admin.post_json(&path, &json!({"checked_on": "2099-01-01", "note": "?"})).await;
    assert_problem(future, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let page: Value = admin.get(&format!("{path}?limit=1")).await.json().await.unwrap();
    assert_eq!(page["items"][0]["note"], "Tham gia sinh hoạt trực tuyến");
    let next: Value = admin
        .get(&format!("{path}?limit=1&cursor={}", page["next_cursor"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"][0]["note"], "Đã vào nhóm Zalo chi hội");
    let done: Value = stage(&admin, id, "active_online", "2025-05-01", "").await.json().await.unwrap();
    assert_eq!(done["status"], "achieved");
}
