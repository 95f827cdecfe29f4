//! The audit trail records writes, logins and their failures, role and token changes; auditors
//! read it within their scope; nobody, not even the application's own database role, rewrites it.

use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, ROOT_UNIT, assert_problem, spawn_app};

#[tokio::test]
async fn writes_and_logins_are_audited_with_field_names_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let user = app.user_with_role("hoa.nguyen", &province, "province_officer").await;
    app.login("hoa.nguyen", "definitely wrong").await;
    app.session("hoa.nguyen").await;
    let events: Value = admin.get(&format!("/api/v1/audit-events?object_id={user}")).await.json().await.unwrap();
    let seen: Vec<(String, String)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["outcome"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("auth.login", "success"),
        ("auth.login", "failure"),
        ("user.role_grant", "success"),
        ("user.create", "success"),
    ];
    assert_eq!(seen, expected.map(|(a, o)| (a.to_owned(), o.to_owned())));
    let text = events.to_string();
    assert!(!text.contains(PASSWORD) && !text.contains("definitely wrong"), "no password in the audit trail");
    let create = events["items"].as_array().unwrap().last().unwrap();
    assert!(create["fields"].as_array().unwrap().contains(&json!("password")), "the field name is recorded");
    assert!(create["request_id"].is_string());
    assert_eq!(create["actor_name"], "root-admin");
}

#[tokio::test]
async fn auditors_see_their_subtree_and_others_nothing() {
    let app = spawn_app().await;
    let p1 = app.unit(ROOT_UNIT, "province", "Tỉnh Một").await;
    let p2 = app.unit(ROOT_UNIT, "province", "Tỉnh Hai").await;
    app.user_with_role("kiem-tra-1", &p1, "auditor").await;
    app.user_with_role("can-bo-1", &p1, "province_officer").await;
    app.user_with_role("nguoi-o-2", &p2, "member").await;
    let auditor = app.session("kiem-tra-1").await;
    let auditor = app.with_token(&auditor.access_token);
    let events: Value = auditor.get("/api/v1/audit-events?limit=200").await.json().await.unwrap();
    let units: Vec<&str> =
        events["items"].as_array().unwrap().iter().filter_map(|e| e["org_unit_id"].as_str()).collect();
    assert!(!units.is_empty());
    assert!(units.iter().all(|u| *u == p1), "only events of the auditor's province: {units:?}");
    assert_problem(
        auditor.get(&format!("/api/v1/audit-events?org_unit_id={p2}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let officer = app.session("can-bo-1").await;
    assert_problem(
        app.with_token(&officer.access_token).get("/api/v1/audit-events").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn the_trail_is_append_only_for_the_application_role() {
    let app = spawn_app().await;
    app.admin().await;
    let mut db = app.db().await;
    for statement in ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events"] {
        let error = diesel::sql_query(statement).execute(&mut db).await.unwrap_err();
        assert!(
            error.to_string().contains("permission denied") || error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    let events: Value = app.admin().await.get("/api/v1/audit-events").await.json().await.unwrap();
    assert!(!events["items"].as_array().unwrap().is_empty());
}
