//! The support ledger: amounts fit their kind, links are hers, a linked need becomes met,
//! corrections keep every earlier version, voided entries stay but leave the totals, and every
//! read needs `members:sensitive` and is audited.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, field_error, spawn_app};
use crate::members::{member, tree};

#[tokio::test]
async fn support_meets_needs_follows_pairs_and_keeps_its_history() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let mai = member(&admin, &t.branch, "Trần", "Thị", "Mai").await["id"].as_str().unwrap().to_owned();
    let hoa = member(&admin, &t.group, "Nguyễn", "Thị", "Hòa").await["id"].as_str().unwrap().to_owned();
    let other = member(&admin, &t.group, "Lê", "Thị", "Lan").await["id"].as_str().unwrap().to_owned();
    admin
        .request(reqwest::Method::PUT, &format!("/api/v1/members/{hoa}/profile"))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "poor", "circumstances": ["single_mother"]}))
        .send()
        .await
        .unwrap();
    let need = admin
        .create(&format!("/api/v1/members/{hoa}/needs"), &json!({"kind": "capital", "description": "Nuôi bò"}))
        .await;
    let pair = admin
        .create(
            "/api/v1/pairs",
            &json!({"kind": "sponsor", "mentor_id": mai, "mentee_id": hoa, "started_on": "2026-01-05"}),
        )
        .await;
    app.user_with_role("chi-hoi-truong", &t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);

    let loan = json!({"member_id": hoa, "kind": "capital_loan", "amount_vnd": 10_000_000, "source": "sponsor_pair",
                      "pair_id": pair["id"], "given_on": "2026-03-15", "need_id": need["id"], "mark_need_met": true});
    let bad = head
        .post_json("/api/v1/support", &json!({"member_id": hoa, "kind": "capital_loan", "source": "sponsor_pair"}))
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "amount_vnd")["code"], "required");
    assert_eq!(field_error(&problem, "pair_id")["code"], "required");
    let not_hers = head
        .post_json(
            "/api/v1/support",
            &json!({"member_id": other, "kind": "capital_loan", "amount_vnd": 1,
        "source": "sponsor_pair", "pair_id": pair["id"], "need_id": need["id"]}),
        )
        .await;
    let problem = assert_problem(not_hers, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "pair_id")["code"], "not_her_pair");
    assert_eq!(field_error(&problem, "need_id")["code"], "not_her_need");
    let rice = head
        .post_json(
            "/api/v1/support",
            &json!({"member_id": hoa, "kind": "rice", "amount_vnd": 500000, "source": "donor"}),
        )
        .await;
    assert_eq!(
        field_error(&assert_problem(rice, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "quantity")["code"],
        "required"
    );

    let entry = head.create("/api/v1/support", &loan).await;
    let id = entry["id"].as_str().unwrap();
    let needs: Value = head.get(&format!("/api/v1/members/{hoa}/needs")).await.json().await.unwrap();
    assert_eq!((needs[0]["status"].as_str(), needs[0]["met_on"].as_str()), (Some("met"), Some("2026-03-15")));
    let gift = head
        .create(
            "/api/v1/support",
            &json!({"member_id": hoa, "kind": "rice", "quantity": 20, "source": "donor",
                                           "source_detail": "Chùa Phước Long", "given_on": "2026-01-20"}),
        )
        .await;
    assert_eq!(gift["quantity_unit"], "kg", "the kind's unit by default");

    // Follow-up and outcome: versioned, the earlier state kept.
    let outcome = head
        .patch_json(
            &format!("/api/v1/support/{id}"),
            Some("\"1\""),
            &json!({"outcome": "out_of_poverty", "outcome_on": "2026-11-20"}),
        )
        .await;
    assert_eq!(outcome.status(), StatusCode::OK);
    let stale =
        head.patch_json(&format!("/api/v1/support/{id}"), Some("\"1\""), &json!({"amount_vnd": 12_000_000})).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let revisions: Value = head.get(&format!("/api/v1/support/{id}/revisions")).await.json().await.unwrap();
    assert_eq!(revisions[0]["version"], 1);
    assert_eq!(revisions[0]["snapshot"]["outcome"], Value::Null);

    // Voiding keeps the entry but takes it out of totals and default lists.
    let no_reason = head
        .patch_json(
            &format!("/api/v1/support/{}", gift["id"].as_str().unwrap()),
            Some("*"),
            &json!({"status": "voided"}),
        )
        .await;
    assert_eq!(
        field_error(
            &assert_problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await,
            "void_reason"
        )["code"],
        "required"
    );
    head.patch_json(
        &format!("/api/v1/support/{}", gift["id"].as_str().unwrap()),
        Some("*"),
        &json!({"status": "voided", "void_reason": "Ghi trùng"}),
    )
    .await;
    let household: Value = head.get(&format!("/api/v1/members/{hoa}/support")).await.json().await.unwrap();
    assert_eq!(household["total_vnd"], 10_000_000);
    assert_eq!(household["entries"].as_array().unwrap().len(), 2, "the voided entry is still shown");
    assert_eq!(household["needs"][0]["status"], "met");
    let listed: Value =
        head.get(&format!("/api/v1/support?pair_id={}", pair["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let all: Value =
        head.get("/api/v1/support?include_voided=true&from=2026-01-01&to=2026-12-31").await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    // Sensitive: a group leader may not read it; every read is audited.
    app.user_with_role("to-truong", &t.group, "group_leader").await;
    let leader = app.session("to-truong").await;
    let leader = app.with_token(&leader.access_token);
    assert_problem(leader.get("/api/v1/support").await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(leader.get(&format!("/api/v1/support/{id}")).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(leader.get(&format!("/api/v1/members/{hoa}/support")).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let audit: Value = admin.get("/api/v1/audit-events?action=support.read_sensitive").await.json().await.unwrap();
    assert!(audit["items"].as_array().unwrap().len() >= 3, "list and revision reads are audited: {audit}");
    assert!(!audit.to_string().contains("10000000"), "amounts never reach the audit trail");
}
