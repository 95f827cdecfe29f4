//! The member registry: Vietnamese names, citizen ids and phones validated; search that ignores
//! diacritics; Vietnamese order; sensitive fields gated and audited; lifecycle and transfers.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, ROOT_UNIT, TestApp, assert_problem, field_error, spawn_app};

pub struct Tree {
    pub commune: String,
    pub branch: String,
    pub group: String,
    pub other_commune: String,
    pub other_branch: String,
}

pub async fn tree(app: &TestApp) -> Tree {
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    let group = app.unit(&branch, "group", "Tổ 1").await;
    let other_commune = app.unit(&province, "commune", "Xã Lương Hòa").await;
    let other_branch = app.unit(&other_commune, "branch", "Chi hội ấp Lương Thiện").await;
    Tree { commune, branch, group, other_commune, other_branch }
}

pub async fn member(who: &As<'_>, unit: &str, family: &str, middle: &str, given: &str) -> Value {
    who.create("/api/v1/members", &json!({"family_name": family, "middle_name": middle, "given_name": given, "joined_on": "2015-03-08", "unit_id": unit, "birth_year": 1980})).await
}

#[tokio::test]
async fn registration_normalizes_names_phones_and_checks_the_cccd() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let created = admin
        .create(
            "/api/v1/members",
            &json!({"family_name": " nguyễn ", "middle_name": "Thị", "given_name": "Hoà", "birth_date": "1985-03-12",
                    "cccd": "083 185 000 123", "phone": "0912.345.678", "joined_on": "2010-03-08", "unit_id": t.branch,
                    "ethnicity_code": "01", "religion_code": "00"}),
        )
        .await;
    assert_eq!(created["given_name"], "Hòa", "one tone placement");
    assert_eq!(created["family_name"], "nguyễn");
    assert_eq!(created["phone"], "+84912345678");
    assert_eq!(created["cccd_masked"], "********0123");
    assert_eq!(created["birth_year"], 1985);
    assert!(created.get("sensitive").is_none(), "sensitive fields only on request");

    let problems = admin
        .post_json(
            "/api/v1/members",
            &json!({"family_name": "Trần", "given_name": "Lan1", "birth_year": 1990, "cccd": "083085000999",
                    "phone": "0112345678", "joined_on": "2030-01-01", "unit_id": t.branch, "ethnicity_code": "99"}),
        )
        .await;
    let problem = assert_problem(problems, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "given_name")["code"], "invalid_format");
    assert_eq!(field_error(&problem, "cccd")["code"], "sex_mismatch");
    assert_eq!(field_error(&problem, "phone")["code"], "invalid_format");
    assert_eq!(field_error(&problem, "joined_on")["code"], "in_future");

    let unknown_code = admin.post_json("/api/v1/members", &json!({"family_name": "Trần", "given_name": "Lan", "joined_on": "2020-01-01", "unit_id": t.branch, "ethnicity_code": "99"})).await;
    let problem = assert_problem(unknown_code, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "ethnicity_code")["code"], "unknown_code");

    let at_commune = admin
        .post_json(
            "/api/v1/members",
            &json!({"family_name": "Trần", "given_name": "Lan", "joined_on": "2020-01-01", "unit_id": t.commune}),
        )
        .await;
    let problem = assert_problem(at_commune, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "unit_id")["code"], "not_a_branch_or_group");

    let legacy = admin.create("/api/v1/members", &json!({"family_name": "Lê", "given_name": "Mai", "birth_year": 1960, "cccd": "321456789", "joined_on": "1990-01-01", "unit_id": t.branch})).await;
    assert_eq!(legacy["cccd_legacy"], true);
}

#[tokio::test]
async fn a_duplicate_cccd_names_the_existing_member_only_to_those_who_may_see_her() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let first = admin.create("/api/v1/members", &json!({"family_name": "Võ", "given_name": "Thu", "birth_year": 1985, "cccd": "083185000777", "joined_on": "2012-01-01", "unit_id": t.branch})).await;
    let again = admin.post_json("/api/v1/members", &json!({"family_name": "Võ", "given_name": "Thu", "birth_year": 1985, "cccd": "083185000777", "joined_on": "2012-01-01", "unit_id": t.group})).await;
    let problem = assert_problem(again, StatusCode::CONFLICT, "duplicate_cccd").await;
    assert_eq!(problem["field"], "cccd");
    assert_eq!(problem["existing_id"], first["id"]);

    app.user_with_role("can-bo-luong-hoa", &t.other_commune, "commune_officer").await;
    let other = app.session("can-bo-luong-hoa").await;
    let other = app.with_token(&other.access_token);
    let elsewhere = other.post_json("/api/v1/members", &json!({"family_name": "Võ", "given_name": "Thu", "birth_year": 1985, "cccd": "083185000777", "joined_on": "2012-01-01", "unit_id": t.other_branch})).await;
    let problem = assert_problem(elsewhere, StatusCode::CONFLICT, "cccd_unavailable").await;
    assert!(problem.get("existing_id").is_none(), "another commune's member stays anonymous: {problem}");
}

#[tokio::test]
async fn search_ignores_diacritics_and_lists_sort_the_vietnamese_way() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    for (family, middle, given) in [
        ("Nguyễn", "Thị", "Hòa"),
        ("Trần", "Thị", "Hoà"),
        ("Đặng", "Thị", "Đào"),
        ("Lê", "Văn", "Anh"),
        ("Nguyễn", "Thị", "Ánh"),
        ("Phạm", "Thị", "Ân"),
    ] {
        member(&admin, &t.branch, family, middle, given).await;
    }
    let found: Value = admin.get("/api/v1/members?q=hoa").await.json().await.unwrap();
    let names: Vec<&str> =
        found["items"].as_array().unwrap().iter().map(|m| m["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Nguyễn Thị Hòa", "Trần Thị Hòa"]);
    let full: Value = admin.get("/api/v1/members?q=nguyen%20thi%20hoa").await.json().await.unwrap();
    assert_eq!(full["items"].as_array().unwrap().len(), 1);
    let dao: Value = admin.get("/api/v1/members?q=dang%20thi%20dao").await.json().await.unwrap();
    assert_eq!(dao["items"][0]["full_name"], "Đặng Thị Đào", "đ folds to d");

    let all: Value = admin.get(&format!("/api/v1/members?unit={}&limit=4", t.commune)).await.json().await.unwrap();
    let first_page: Vec<&str> =
        all["items"].as_array().unwrap().iter().map(|m| m["given_name"].as_str().unwrap()).collect();
    assert_eq!(first_page, ["Anh", "Ánh", "Ân", "Đào"]);
    let next: Value = admin
        .get(&format!("/api/v1/members?unit={}&limit=4&cursor={}", t.commune, all["next_cursor"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    let second_page: Vec<&str> =
        next["items"].as_array().unwrap().iter().map(|m| m["full_name"].as_str().unwrap()).collect();
    assert_eq!(second_page, ["Nguyễn Thị Hòa", "Trần Thị Hòa"], "same given name: by middle, then family");

    // A search is paged in the same order (its sort is written differently, see queries.rs).
    let searched: Value = admin.get("/api/v1/members?q=thi&limit=3").await.json().await.unwrap();
    let page_one: Vec<&str> =
        searched["items"].as_array().unwrap().iter().map(|m| m["full_name"].as_str().unwrap()).collect();
    assert_eq!(page_one, ["Nguyễn Thị Ánh", "Phạm Thị Ân", "Đặng Thị Đào"]);
    let cursor = searched["next_cursor"].as_str().unwrap();
    let rest: Value = admin.get(&format!("/api/v1/members?q=thi&limit=3&cursor={cursor}")).await.json().await.unwrap();
    let page_two: Vec<&str> =
        rest["items"].as_array().unwrap().iter().map(|m| m["full_name"].as_str().unwrap()).collect();
    assert_eq!(page_two, ["Nguyễn Thị Hòa", "Trần Thị Hòa"]);
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn sensitive_fields_need_the_permission_and_every_read_is_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let created = admin
        .create("/api/v1/members", &json!({"family_name": "Thạch", "given_name": "Sa Rươl", "birth_year": 1979, "joined_on": "2001-01-01", "unit_id": t.branch, "ethnicity_code": "05", "religion_code": "01", "party_member": true}))
        .await;
    let id = created["id"].as_str().unwrap();
    app.user_with_role("chi-hoi-truong", &t.branch, "branch_head").await;
    app.user_with_role("to-truong", &t.group, "group_leader").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let everyday: Value = head.get(&format!("/api/v1/members/{id}")).await.json().await.unwrap();
    assert!(everyday.get("sensitive").is_none());
    let full: Value = head.get(&format!("/api/v1/members/{id}?include=sensitive")).await.json().await.unwrap();
    assert_eq!(full["sensitive"]["ethnicity_code"], "05");
    assert_eq!(full["sensitive"]["party_member"], true);
    let party: Value = head.get("/api/v1/members?party=true").await.json().await.unwrap();
    assert_eq!(party["items"].as_array().unwrap().len(), 1);

    let leader = app.session("to-truong").await;
    let leader = app.with_token(&leader.access_token);
    assert_problem(
        leader.get(&format!("/api/v1/members/{id}?include=sensitive")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(leader.get("/api/v1/members?party=true").await, StatusCode::FORBIDDEN, "forbidden").await;
    let bad = head.get(&format!("/api/v1/members/{id}?include=everything")).await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;

    let audit: Value = admin.get("/api/v1/audit-events?action=member.read_sensitive").await.json().await.unwrap();
    let events = audit["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "the single read and the filtered list; the everyday read wrote nothing");
    assert!(
        audit.to_string().contains("ethnicity_code") && !audit.to_string().contains("\"05\""),
        "field names, never values"
    );
}

#[tokio::test]
async fn a_transfer_between_communes_is_seen_by_both_and_never_counted_twice() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let hoa = member(&admin, &t.branch, "Nguyễn", "Thị", "Hòa").await;
    let id = hoa["id"].as_str().unwrap();
    app.user_with_role("gui", &t.commune, "commune_officer").await;
    app.user_with_role("nhan", &t.other_commune, "commune_officer").await;
    let sender = app.session("gui").await;
    let sender = app.with_token(&sender.access_token);
    let receiver = app.session("nhan").await;
    let receiver = app.with_token(&receiver.access_token);

    assert_problem(receiver.get(&format!("/api/v1/members/{id}")).await, StatusCode::NOT_FOUND, "not_found").await;
    let transfer = sender
        .create(
            &format!("/api/v1/members/{id}/transfers"),
            &json!({"to_unit_id": t.other_branch, "requested_on": "2025-10-01", "reason": "Theo chồng"}),
        )
        .await;
    let transfer_id = transfer["id"].as_str().unwrap();
    assert_eq!(transfer["status"], "pending");

    // Both sides see it; she still counts only where she was.
    let incoming: Value =
        receiver.get("/api/v1/transfers?direction=incoming&status=pending").await.json().await.unwrap();
    assert_eq!(incoming["items"][0]["member_name"], "Nguyễn Thị Hòa");
    assert_eq!(receiver.get(&format!("/api/v1/members/{id}")).await.status(), StatusCode::OK);
    let outgoing: Value = sender.get("/api/v1/transfers?direction=outgoing").await.json().await.unwrap();
    assert_eq!(outgoing["items"].as_array().unwrap().len(), 1);
    let count = |unit: &str, day: &str| format!("/api/v1/members?unit={unit}&as_of={day}");
    for (unit, expected) in [(&t.commune, 1), (&t.other_commune, 0)] {
        let page: Value = admin.get(&count(unit, "2025-10-15")).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), expected);
    }
    // The sender cannot accept its own request.
    let self_accept = sender
        .post_json(&format!("/api/v1/transfers/{transfer_id}/accept"), &json!({"decided_on": "2025-10-20"}))
        .await;
    assert_problem(self_accept, StatusCode::FORBIDDEN, "forbidden").await;

    let accepted = receiver
        .post_json(&format!("/api/v1/transfers/{transfer_id}/accept"), &json!({"decided_on": "2025-10-20"}))
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    for (day, here, there) in [("2025-10-19", 1, 0), ("2025-10-20", 0, 1), ("2026-01-01", 0, 1)] {
        let sending: Value = admin.get(&count(&t.commune, day)).await.json().await.unwrap();
        let receiving: Value = admin.get(&count(&t.other_commune, day)).await.json().await.unwrap();
        assert_eq!(
            (sending["items"].as_array().unwrap().len(), receiving["items"].as_array().unwrap().len()),
            (here, there),
            "on {day}"
        );
    }
    assert_problem(sender.get(&format!("/api/v1/members/{id}")).await, StatusCode::NOT_FOUND, "not_found").await;
    let history: Value = receiver.get(&format!("/api/v1/members/{id}/events")).await.json().await.unwrap();
    let kinds: Vec<&str> = history["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["join", "transfer_out", "transfer_in"]);
}

#[tokio::test]
async fn leaving_and_reinstatement_are_events_with_dates() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let lan = member(&admin, &t.branch, "Trần", "Thị", "Lan").await;
    let id = lan["id"].as_str().unwrap();
    let left = admin
        .create(
            &format!("/api/v1/members/{id}/events"),
            &json!({"kind": "leave", "occurred_on": "2024-06-01", "reason": "Đi làm ăn xa"}),
        )
        .await;
    assert_eq!(left["status"], "left");
    let again = admin
        .post_json(&format!("/api/v1/members/{id}/events"), &json!({"kind": "death", "occurred_on": "2024-07-01"}))
        .await;
    assert_problem(again, StatusCode::CONFLICT, "invalid_status").await;
    let early = admin
        .post_json(
            &format!("/api/v1/members/{id}/events"),
            &json!({"kind": "reinstatement", "occurred_on": "2024-05-01"}),
        )
        .await;
    assert_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let back = admin
        .create(&format!("/api/v1/members/{id}/events"), &json!({"kind": "reinstatement", "occurred_on": "2025-02-01"}))
        .await;
    assert_eq!(back["status"], "active");
    for (day, expected) in [("2024-05-31", 1), ("2024-12-31", 0), ("2025-02-01", 1)] {
        let page: Value =
            admin.get(&format!("/api/v1/members?unit={}&as_of={day}", t.branch)).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), expected, "on {day}");
    }
}
