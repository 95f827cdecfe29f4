//! Privacy rights (Law 91/2025/QH15): a member's full copy, consents per purpose, erasure that
//! keeps every figure, and the retention job.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::activities::meeting;
use crate::helpers::{ROOT_UNIT, TestApp, assert_problem, field_error, spawn_app};
use crate::reports::{event, member, roster};

struct Branch {
    commune: String,
    branch: String,
}

async fn branch(app: &TestApp) -> Branch {
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Lễ").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    Branch { commune, branch }
}

#[tokio::test]
async fn the_copy_holds_everything_about_her_and_who_looked() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let b = branch(&app).await;
    let extra = json!({"cccd": "079175012345", "phone": "0912 345 678", "card_number": "QN-0042"});
    let lan = member(&admin, &b.branch, "Lan", "2015-03-08", extra).await;
    admin
        .create(&format!("/api/v1/members/{lan}/needs"), &json!({"kind": "capital", "description": "Vốn nuôi bò"}))
        .await;
    admin
        .create(
            &format!("/api/v1/members/{lan}/consents"),
            &json!({"purpose": "circumstances_and_needs", "legal_basis": "consent", "granted": true, "decided_on": "2026-01-05", "evidence": "Phiếu ký"}),
        )
        .await;
    let held = meeting(&admin, &b.branch, "2026-02-05").await;
    roster(&admin, &held, &[&lan], &[]).await;

    let response = admin.get(&format!("/api/v1/members/{lan}/personal-data")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let copy: Value = response.json().await.unwrap();
    assert_eq!(copy["format"], "chihoi.personal-data.v1");
    assert_eq!(copy["member"]["cccd"], "079175012345");
    assert_eq!(copy["member"]["phone"], "+84912345678");
    assert_eq!(copy["needs"][0]["description"], "Vốn nuôi bò");
    assert_eq!(copy["consents"][0]["purpose"], "circumstances_and_needs");
    assert_eq!(copy["attendance"][0]["status"], "present");
    assert_eq!(copy["events"][0]["kind"], "join");
    assert_eq!(copy["placements"].as_array().unwrap().len(), 1);
    assert_eq!(copy["erasure"], Value::Null);
    assert!(copy["member"].get("search_key").is_none(), "internal keys are not her data");

    // The copy itself is in the processing log of the next copy.
    let again: Value = admin.get(&format!("/api/v1/members/{lan}/personal-data")).await.json().await.unwrap();
    let actions: Vec<&str> =
        again["processing_log"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"member.personal_data_export"), "{actions:?}");

    // A branch head without members:sensitive cannot take the copy.
    app.user_with_role("truong.chi.hoi", &b.branch, "group_leader").await;
    let head = app.session("truong.chi.hoi").await;
    let head = app.with_token(&head.access_token);
    let denied = head.get(&format!("/api/v1/members/{lan}/personal-data")).await;
    assert!(matches!(denied.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", denied.status());

    // Her own copy through her account.
    let account = app.user_with_role("lan.nguyen", &b.branch, "member").await;
    admin.patch_json(&format!("/api/v1/users/{account}"), Some("*"), &json!({"member_id": lan})).await;
    let me = app.session("lan.nguyen").await;
    let mine: Value = app.with_token(&me.access_token).get("/api/v1/me/personal-data").await.json().await.unwrap();
    assert_eq!(mine["member"]["id"], lan.as_str());
    assert_eq!(mine["needs"][0]["kind"], "capital");
}

#[tokio::test]
async fn consents_are_appended_and_the_latest_is_in_force() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let b = branch(&app).await;
    let lan = member(&admin, &b.branch, "Lan", "2015-03-08", json!({})).await;
    let path = format!("/api/v1/members/{lan}/consents");
    let given = admin
        .create(
            &path,
            &json!({"purpose": "photo", "legal_basis": "consent", "granted": true, "decided_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(given["current"], true);
    admin.create(&path, &json!({"purpose": "photo", "legal_basis": "consent", "granted": false})).await;
    admin
        .create(&path, &json!({"purpose": "membership_registry", "legal_basis": "legal_obligation", "granted": true}))
        .await;
    let list: Value = admin.get(&path).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let photo_now: Vec<&Value> = items.iter().filter(|c| c["purpose"] == "photo" && c["current"] == true).collect();
    assert_eq!(photo_now.len(), 1);
    assert_eq!(photo_now[0]["granted"], false, "the withdrawal is in force");

    let bad = admin.post_json(&path, &json!({"purpose": "marketing", "legal_basis": "consent", "granted": true})).await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    field_error(&problem, "purpose");
    let future = admin
        .post_json(
            &path,
            &json!({"purpose": "photo", "legal_basis": "consent", "granted": true, "decided_on": "2999-01-01"}),
        )
        .await;
    let problem = assert_problem(future, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    field_error(&problem, "decided_on");
}

#[tokio::test]
async fn erasure_anonymizes_her_and_keeps_every_figure() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let b = branch(&app).await;
    let extra = json!({"cccd": "079175012345", "phone": "0912 345 678", "card_number": "QN-0042"});
    let lan = member(&admin, &b.branch, "Lan", "2015-03-08", extra).await;
    let mai = member(&admin, &b.branch, "Mai", "2015-03-08", json!({})).await;
    admin
        .create(&format!("/api/v1/members/{lan}/needs"), &json!({"kind": "capital", "description": "Vốn nuôi bò"}))
        .await;
    admin
        .create(
            "/api/v1/support",
            &json!({"member_id": lan, "kind": "grant", "amount_vnd": 500_000, "source": "donor", "given_on": "2025-08-10", "notes": "Con ốm"}),
        )
        .await;
    let held = meeting(&admin, &b.branch, "2025-08-05").await;
    roster(&admin, &held, &[&lan], &[&mai]).await;
    let kpis = format!("/api/v1/reports/kpis?unit={}&period=2025-Q3", b.commune);
    let before: Value = admin.get(&kpis).await.json().await.unwrap();

    let body = json!({"reason": "Theo đơn ngày 20/11/2026"});
    let active = admin.post_json(&format!("/api/v1/members/{lan}/erasure"), &body).await;
    assert_problem(active, StatusCode::CONFLICT, "member_active").await;
    let missing_reason = admin.post_json(&format!("/api/v1/members/{lan}/erasure"), &json!({"reason": " "})).await;
    let problem = assert_problem(missing_reason, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    field_error(&problem, "reason");

    event(&admin, &lan, "leave", "2025-12-31").await;
    let erased = admin.create(&format!("/api/v1/members/{lan}/erasure"), &body).await;
    assert_eq!(erased["basis"], "request");
    assert!(erased["purged"].as_array().unwrap().iter().any(|f| f == "members.cccd"));

    let record: Value = admin.get(&format!("/api/v1/members/{lan}")).await.json().await.unwrap();
    let text = record.to_string();
    for trace in ["Lan", "079175012345", "912345678", "QN-0042"] {
        assert!(!text.contains(trace), "{trace} is still in {text}");
    }
    assert_eq!(record["family_name"], "Ẩn danh");
    let copy: Value = admin.get(&format!("/api/v1/members/{lan}/personal-data")).await.json().await.unwrap();
    assert_eq!(copy["member"]["cccd"], Value::Null);
    assert_eq!(copy["needs"][0]["description"], "");
    assert_eq!(copy["support"][0]["notes"], "");
    assert_eq!(copy["erasure"]["reason"], "Theo đơn ngày 20/11/2026");
    let search: Value = admin.get("/api/v1/members?q=Lan").await.json().await.unwrap();
    assert!(search["items"].as_array().unwrap().is_empty(), "she is not found by her old name");

    // Every figure of the period is what it was.
    let after: Value = admin.get(&kpis).await.json().await.unwrap();
    assert_eq!(before["unit"]["members"], after["unit"]["members"]);
    assert_eq!(before["unit"]["engagement"], after["unit"]["engagement"]);
    assert_eq!(before["unit"]["support"], after["unit"]["support"]);
    assert_eq!(after["unit"]["support"]["amount_vnd"], 500_000);

    let twice = admin.post_json(&format!("/api/v1/members/{lan}/erasure"), &body).await;
    assert_problem(twice, StatusCode::CONFLICT, "already_erased").await;
    let audit: Value =
        admin.get(&format!("/api/v1/audit-events?object_type=member&object_id={lan}")).await.json().await.unwrap();
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "member.erased"), "{audit}");
}

#[tokio::test]
async fn retention_anonymizes_only_memberships_ended_long_ago() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let b = branch(&app).await;
    let long_gone = member(&admin, &b.branch, "Xưa", "2010-03-08", json!({"phone": "0912 000 001"})).await;
    let recent = member(&admin, &b.branch, "Mới", "2010-03-08", json!({"phone": "0912 000 002"})).await;
    let staying = member(&admin, &b.branch, "Ở lại", "2010-03-08", json!({"phone": "0912 000 003"})).await;
    event(&admin, &long_gone, "leave", "2015-06-30").await;
    event(&admin, &recent, "leave", "2025-06-30").await;

    let run: Value = admin.post_json("/api/v1/privacy/retention/run", &json!({})).await.json().await.unwrap();
    assert_eq!(run["retention_years"], 5);
    assert_eq!(run["anonymized"], 1);
    let gone: Value = admin.get(&format!("/api/v1/members/{long_gone}")).await.json().await.unwrap();
    assert_eq!(gone["family_name"], "Ẩn danh");
    for kept in [&recent, &staying] {
        let m: Value = admin.get(&format!("/api/v1/members/{kept}")).await.json().await.unwrap();
        assert_eq!(m["family_name"], "Nguyễn", "{kept}");
    }
    let again: Value = admin.post_json("/api/v1/privacy/retention/run", &json!({})).await.json().await.unwrap();
    assert_eq!(again["anonymized"], 0);

    app.user_with_role("can.bo.xa", &b.commune, "commune_officer").await;
    let officer = app.session("can.bo.xa").await;
    let refused = app.with_token(&officer.access_token).post_json("/api/v1/privacy/retention/run", &json!({})).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
}
