//! API-token scopes hold on `/me/*` as everywhere: a token made for reading members cannot read
//! its owner's sensitive data, change her record or file requests in her name.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};
use crate::members::{member, tree};

#[tokio::test]
async fn api_token_scopes_hold_on_me_endpoints() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let hoa = member(&admin, &t.branch, "Nguyễn", "Thị", "Hòa").await;
    let account = app.user_with_role("hoa.head", &t.branch, "branch_head").await;
    admin.patch_json(&format!("/api/v1/users/{account}"), Some("*"), &json!({"member_id": hoa["id"]})).await;
    let session = app.session("hoa.head").await;
    let owner = app.with_token(&session.access_token);
    let created =
        owner.create("/api/v1/api-tokens", &json!({"name": "chỉ đọc hội viên", "scopes": ["members:read"]})).await;
    let script = app.with_token(created["secret"].as_str().unwrap());
    let before: Value = owner.get("/api/v1/me/member").await.json().await.unwrap();

    // The token does what its scope says.
    assert_eq!(script.get(&format!("/api/v1/members?unit={}", t.branch)).await.status(), StatusCode::OK);
    // And nothing of /me/* beyond it.
    for path in
        ["/api/v1/me/personal-data", "/api/v1/me/member", "/api/v1/me/member/events", "/api/v1/me/member/attendance"]
    {
        assert_problem(script.get(path).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let patched = script.patch_json("/api/v1/me/member", Some("*"), &json!({"phone": "0912 000 999"})).await;
    assert_problem(patched, StatusCode::FORBIDDEN, "forbidden").await;
    let deletion = script.post_json("/api/v1/me/data-requests", &json!({"kind": "deletion"})).await;
    assert_problem(deletion, StatusCode::FORBIDDEN, "forbidden").await;
    let consents = script
        .request(Method::PUT, "/api/v1/me/member/channel-consents")
        .json(&json!({"consents": []}))
        .send()
        .await
        .unwrap();
    assert_problem(consents, StatusCode::FORBIDDEN, "forbidden").await;

    // Nothing changed, and no request was filed.
    let after: Value = owner.get("/api/v1/me/member").await.json().await.unwrap();
    assert_eq!(after, before);
    let audit: Value = admin.get("/api/v1/audit-events?action=member.personal_data_export").await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(0), "no copy was made: {audit}");

    // A token made with `me:read` reads her own record and still cannot change it.
    let reader = owner.create("/api/v1/api-tokens", &json!({"name": "hồ sơ của tôi", "scopes": ["me:read"]})).await;
    let reader = app.with_token(reader["secret"].as_str().unwrap());
    assert_eq!(reader.get("/api/v1/me/personal-data").await.status(), StatusCode::OK);
    let patched = reader.patch_json("/api/v1/me/member", Some("*"), &json!({"phone": "0912 000 999"})).await;
    assert_problem(patched, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(reader.get(&format!("/api/v1/members?unit={}", t.branch)).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
}

#[tokio::test]
async fn a_machine_client_has_no_self() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let machine = app.machine_token(&t.commune).await;
    let machine = app.with_token(&machine);
    for path in ["/api/v1/me/personal-data", "/api/v1/me/member"] {
        assert_problem(machine.get(path).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
}
