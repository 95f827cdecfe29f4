//! History reveals no current secrets: a past day's member list of a branch shows a member who
//! has since left it as that branch knew her, never her current record or sensitive fields.
//! Parameters no column can hold are 400s, not 500s.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, field_error, spawn_app};
use crate::members::tree;
use crate::reports::{member, transfer};

#[tokio::test]
async fn history_reveals_no_current_secrets_of_members_who_left() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let stays =
        member(&admin, &t.branch, "Lan", "2015-03-08", json!({"religion_code": "01", "party_member": true})).await;
    let leaves = member(
        &admin,
        &t.branch,
        "Mai",
        "2015-03-08",
        json!({"religion_code": "01", "party_member": true, "phone": "0912 345 678", "address": "Ấp Lương Thiện"}),
    )
    .await;
    transfer(&admin, &leaves, &t.other_branch, "2025-06-01").await;
    app.user_with_role("head-a", &t.branch, "branch_head").await;
    let head = app.session("head-a").await;
    let head = app.with_token(&head.access_token);

    let then: Value = head
        .get(&format!("/api/v1/members?unit={}&as_of=2025-01-01&include=sensitive", t.branch))
        .await
        .json()
        .await
        .unwrap();
    let items = then["items"].as_array().unwrap();
    let find = |id: &str| items.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("{id} in {then}"));
    assert!(find(&stays)["sensitive"].is_object(), "her own branch's member, in full");
    let former = find(&leaves);
    assert_eq!(former["full_name"], "Nguyễn Thị Mai", "she was a member of this branch then");
    assert!(former.get("sensitive").is_none_or(Value::is_null), "no sensitive field: {former}");
    assert!(former["phone"].is_null(), "no current phone: {former}");
    assert_eq!(former["address"], "", "no current address: {former}");
    assert_eq!(former["unit_id"], t.branch.as_str(), "not where she is now: {former}");

    // A filter on sensitive or current data does not sort her either.
    for filter in ["party=true", "q=5678", "pioneer=false"] {
        let page: Value = head
            .get(&format!("/api/v1/members?unit={}&as_of=2025-01-01&{filter}", t.branch))
            .await
            .json()
            .await
            .unwrap();
        let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert!(!ids.contains(&leaves.as_str()), "{filter}: {page}");
    }
    // Her record today stays out of reach.
    assert_problem(head.get(&format!("/api/v1/members/{leaves}")).await, StatusCode::NOT_FOUND, "not_found").await;
    // The audit trail names only the members whose sensitive fields were read.
    let audit: Value = admin.get("/api/v1/audit-events?action=member.read_sensitive").await.json().await.unwrap();
    let read = audit["items"][0]["details"]["member_ids"].as_array().unwrap().clone();
    assert_eq!(read, vec![json!(stays)], "{audit}");
}

#[tokio::test]
async fn parameters_no_column_can_hold_are_400s() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    for (query, field, code) in [
        (format!("unit={}&as_of=-4713-01-01", t.branch), "as_of", "out_of_range"),
        ("q=ho%00a".to_owned(), "q", "invalid_character"),
        (format!("unit={}&as_of=10000-01-01", t.branch), "as_of", "out_of_range"),
    ] {
        let response = admin.get(&format!("/api/v1/members?{query}")).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(field_error(&problem, field)["code"], code, "{query}");
    }
    let body = admin
        .post_json(
            "/api/v1/members",
            &json!({"family_name": "Lê", "given_name": "Hoa", "birth_year": 1980, "joined_on": "-4713-01-01", "unit_id": t.branch}),
        )
        .await;
    let problem = assert_problem(body, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "joined_on")["code"], "out_of_range");
    let nul = admin
        .post_json(
            "/api/v1/members",
            &json!({"family_name": "Lê", "given_name": "Hoa", "birth_year": 1980, "joined_on": "2015-01-01", "address": "a\u{0}b", "unit_id": t.branch}),
        )
        .await;
    let problem = assert_problem(nul, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "address")["code"], "invalid_character");
}
