//! "3 biết": knowing her face (contacts, photo), her circumstances and her needs; prospects and
//! their conversion; a member's own view of her record.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, TestApp, assert_problem, field_error, spawn_app};

async fn branch_with_member(app: &TestApp) -> (String, String) {
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    let member = app
        .admin()
        .await
        .create("/api/v1/members", &json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": "Hòa", "birth_year": 1985, "joined_on": "2010-03-08", "unit_id": branch}))
        .await;
    (branch, member["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_home_visit_updates_needs_and_circumstances_with_history() {
    let app = spawn_app().await;
    let (branch, id) = branch_with_member(&app).await;
    app.user_with_role("chi-hoi-truong", &branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);

    let unvisited: Value = head.get("/api/v1/members?no_contact_months=1").await.json().await.unwrap();
    assert_eq!(unvisited["items"][0]["id"], id.as_str(), "never visited: on the list to visit");
    let visit = head
        .create(
            &format!("/api/v1/members/{id}/contacts"),
            &json!({"contacted_on": "2026-11-02", "method": "home_visit", "note": "Con gái ốm"}),
        )
        .await;
    assert_eq!(visit["method"], "home_visit");
    let member: Value = head.get(&format!("/api/v1/members/{id}")).await.json().await.unwrap();
    assert_eq!(member["last_contact_on"], "2026-11-02");
    let since = chrono::Utc::now().date_naive() - chrono::Duration::days(20);
    let recent = head
        .create(
            &format!("/api/v1/members/{id}/contacts"),
            &json!({"contacted_on": since.to_string(), "method": "zalo"}),
        )
        .await;
    assert_eq!(recent["method"], "zalo");
    let stale: Value = head.get("/api/v1/members?no_contact_months=1").await.json().await.unwrap();
    assert_eq!(stale["items"], json!([]), "visited within the month: off the list");

    let profile = head.get(&format!("/api/v1/members/{id}/profile")).await;
    assert_eq!(profile.headers().get("etag").unwrap(), "\"0\"");
    let put = head
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{id}/profile"))
        .header("If-Match", "\"0\"")
        .json(&json!({"poverty_status": "near_poor", "circumstances": ["single_mother"], "notes": "Nuôi hai con"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let second = head
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{id}/profile"))
        .header("If-Match", "\"1\"")
        .json(&json!({"poverty_status": "escaped_poverty", "circumstances": ["single_mother"], "verified_on": "2026-11-20"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let revisions: Value = head.get(&format!("/api/v1/members/{id}/profile/revisions")).await.json().await.unwrap();
    let statuses: Vec<&str> =
        revisions.as_array().unwrap().iter().map(|r| r["poverty_status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["escaped_poverty", "near_poor"]);
    let bad = head
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{id}/profile"))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "poor", "circumstances": ["lonely"]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "circumstances[0]")["code"], "invalid_value");

    let need = head
        .create(
            &format!("/api/v1/members/{id}/needs"),
            &json!({"kind": "capital", "description": "Vay 10 triệu nuôi bò"}),
        )
        .await;
    let by_need: Value = head.get("/api/v1/members?need=capital").await.json().await.unwrap();
    assert_eq!(by_need["items"].as_array().unwrap().len(), 1);
    let met = head
        .patch_json(
            &format!("/api/v1/needs/{}", need["id"].as_str().unwrap()),
            Some("\"1\""),
            &json!({"status": "met", "met_on": "2026-11-25"}),
        )
        .await;
    assert_eq!(met.json::<Value>().await.unwrap()["status"], "met");
    let by_need: Value = head.get("/api/v1/members?need=capital").await.json().await.unwrap();
    assert_eq!(by_need["items"], json!([]), "only open needs match");
    let single_mothers: Value = head.get("/api/v1/members?circumstance=single_mother").await.json().await.unwrap();
    assert_eq!(single_mothers["items"].as_array().unwrap().len(), 1);

    // A group leader records visits but never reads circumstances or needs.
    let group = app.unit(&branch, "group", "Tổ 1").await;
    app.user_with_role("to-truong", &group, "group_leader").await;
    let leader = app.session("to-truong").await;
    let leader = app.with_token(&leader.access_token);
    let moved =
        app.admin().await.patch_json(&format!("/api/v1/members/{id}"), Some("*"), &json!({"unit_id": group})).await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(
        leader.post_json(&format!("/api/v1/members/{id}/contacts"), &json!({"method": "phone"})).await.status(),
        StatusCode::CREATED
    );
    assert_problem(leader.get(&format!("/api/v1/members/{id}/profile")).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_problem(leader.get(&format!("/api/v1/members/{id}/needs")).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn photos_are_checked_images_with_caching() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, id) = branch_with_member(&app).await;
    let png: Vec<u8> = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[0u8; 64][..]].concat();
    let put = admin
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{id}/photo"))
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let etag = put.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    let got = admin.get(&format!("/api/v1/members/{id}/photo")).await;
    assert_eq!(got.headers().get("cache-control").unwrap(), "private, max-age=86400");
    assert_eq!(got.headers().get("content-type").unwrap(), "image/png");
    assert_eq!(got.bytes().await.unwrap().to_vec(), png);
    let cached = admin
        .request(reqwest::Method::GET, &format!("/api/v1/members/{id}/photo"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    let fake = admin
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{id}/photo"))
        .header("content-type", "image/jpeg")
        .body("not a jpeg")
        .send()
        .await
        .unwrap();
    assert_problem(fake, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let huge = admin
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{id}/photo"))
        .header("content-type", "image/jpeg")
        .body(vec![0xFFu8; 600 * 1024])
        .send()
        .await
        .unwrap();
    assert_problem(huge, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_eq!(admin.delete(&format!("/api/v1/members/{id}/photo"), None).await.status(), StatusCode::NO_CONTENT);
    assert_problem(admin.get(&format!("/api/v1/members/{id}/photo")).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_prospect_becomes_a_member_without_retyping() {
    let app = spawn_app().await;
    let (branch, sponsor) = branch_with_member(&app).await;
    app.user_with_role("chi-hoi-truong", &branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let young = head
        .post_json(
            "/api/v1/prospects",
            &json!({"family_name": "Lê", "given_name": "Mai", "birth_year": 2015, "unit_id": branch}),
        )
        .await;
    let problem = assert_problem(young, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "birth_year")["code"], "too_young");
    let prospect = head
        .create("/api/v1/prospects", &json!({"family_name": "Lê", "middle_name": "Thị", "given_name": "Mai", "birth_year": 1998, "phone": "0987 654 321", "address": "Ấp Rẫy", "unit_id": branch, "assigned_member_id": sponsor}))
        .await;
    let id = prospect["id"].as_str().unwrap();
    let listed: Value =
        head.get(&format!("/api/v1/prospects?assigned_member_id={sponsor}")).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let converted = head
        .post_json(
            &format!("/api/v1/prospects/{id}/convert"),
            &json!({"joined_on": "2026-11-20", "card_number": "VL-000987"}),
        )
        .await;
    assert_eq!(converted.status(), StatusCode::CREATED);
    let member: Value = converted.json().await.unwrap();
    assert_eq!(member["full_name"], "Lê Thị Mai");
    assert_eq!(member["phone"], "+84987654321");
    assert_eq!(member["prospect_id"], id);
    let after: Value = head.get(&format!("/api/v1/prospects/{id}")).await.json().await.unwrap();
    assert_eq!(after["status"], "converted");
    assert_eq!(after["converted_member_id"], member["id"]);
    let again = head.post_json(&format!("/api/v1/prospects/{id}/convert"), &json!({})).await;
    assert_problem(again, StatusCode::CONFLICT, "prospect_not_open").await;
}

#[tokio::test]
async fn a_member_reads_and_corrects_her_own_record() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (branch, id) = branch_with_member(&app).await;
    let account = app.user_with_role("hoa.nguyen", &branch, "member").await;
    let me = app.session("hoa.nguyen").await;
    let me = app.with_token(&me.access_token);
    assert_problem(me.get("/api/v1/me/member").await, StatusCode::NOT_FOUND, "not_found").await;
    admin.patch_json(&format!("/api/v1/users/{account}"), Some("*"), &json!({"member_id": id})).await;

    let mine = me.get("/api/v1/me/member").await;
    let etag = mine.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    let mine: Value = mine.json().await.unwrap();
    assert_eq!(mine["full_name"], "Nguyễn Thị Hòa");
    assert!(mine["sensitive"].is_object(), "her own data, in full");
    assert_problem(me.get(&format!("/api/v1/members/{id}")).await, StatusCode::NOT_FOUND, "not_found").await;
    let corrected = me.patch_json("/api/v1/me/member", Some(&etag), &json!({"phone": "0912 000 111"})).await;
    assert_eq!(corrected.json::<Value>().await.unwrap()["phone"], "+84912000111");
    let not_allowed = me.patch_json("/api/v1/me/member", Some("*"), &json!({"given_name": "Hoa"})).await;
    assert_problem(not_allowed, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let history: Value = me.get("/api/v1/me/member/events").await.json().await.unwrap();
    assert_eq!(history["items"][0]["kind"], "join");
    let request = me.create("/api/v1/me/data-requests", &json!({"kind": "export"})).await;
    assert_eq!(request["status"], "open");
}
