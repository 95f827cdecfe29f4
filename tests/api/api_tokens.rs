//! API tokens for scripts: shown once, limited to scopes, revocable, expiring, and unable to
//! mint more tokens.

use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, assert_problem, field_error, spawn_app};

#[tokio::test]
async fn a_token_works_within_its_scopes_until_revoked() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = admin
        .create(
            "/api/v1/api-tokens",
            &json!({"name": "xuất báo cáo", "scopes": ["org_units:read"], "expires_in_days": 30}),
        )
        .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("chh_"));
    assert_eq!(created["prefix"].as_str().unwrap(), &secret[..12]);

    let script = app.with_token(&secret);
    assert_eq!(script.get("/api/v1/org-units").await.status(), StatusCode::OK);
    assert_problem(script.get("/api/v1/users").await, StatusCode::FORBIDDEN, "forbidden").await;
    let me: Value = script.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["actor_type"], "api_token");
    assert_eq!(me["permissions"].as_array().unwrap().len(), 1, "{me}");
    // A token cannot manage tokens, whatever its scopes.
    assert_problem(script.get("/api/v1/api-tokens").await, StatusCode::FORBIDDEN, "forbidden").await;

    // Listed without its secret, with its use recorded.
    let list: Value = admin.get("/api/v1/api-tokens").await.json().await.unwrap();
    let listed = &list["items"][0];
    assert!(listed.get("secret").is_none());
    assert!(listed["last_used_at"].is_string());

    let id = created["id"].as_str().unwrap();
    assert_eq!(admin.delete(&format!("/api/v1/api-tokens/{id}"), None).await.status(), StatusCode::NO_CONTENT);
    assert_problem(script.get("/api/v1/org-units").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let audit: Value = admin.get("/api/v1/audit-events?object_type=api_token").await.json().await.unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["api_token.revoke", "api_token.create"]);
}

#[tokio::test]
async fn scopes_must_be_held_and_known() {
    let app = spawn_app().await;
    let branch = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    app.user_with_role("truong-chi-hoi", &branch, "branch_head").await;
    let session = app.session("truong-chi-hoi").await;
    let response = app
        .with_token(&session.access_token)
        .post_json("/api/v1/api-tokens", &json!({"name": "x", "scopes": ["users:read", "audit:read", "fly:high"]}))
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "scopes[1]")["code"], "not_held");
    assert_eq!(field_error(&problem, "scopes[2]")["code"], "invalid_value");
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = admin.create("/api/v1/api-tokens", &json!({"name": "ngắn hạn", "scopes": ["org_units:read"]})).await;
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(app.with_token(secret).get("/api/v1/org-units").await.status(), StatusCode::OK);
    let mut db = app.db().await;
    diesel::sql_query("UPDATE api_tokens SET expires_at = now() - interval '1 second'").execute(&mut db).await.unwrap();
    assert_problem(app.with_token(secret).get("/api/v1/org-units").await, StatusCode::UNAUTHORIZED, "unauthorized")
        .await;
}

#[tokio::test]
async fn others_tokens_are_invisible() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = admin.create("/api/v1/api-tokens", &json!({"name": "của admin", "scopes": ["org_units:read"]})).await;
    app.user_with_role("nguoi-khac", ROOT_UNIT, "member").await;
    let other = app.session("nguoi-khac").await;
    let other = app.with_token(&other.access_token);
    let list: Value = other.get("/api/v1/api-tokens").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    let id = created["id"].as_str().unwrap();
    assert_problem(other.delete(&format!("/api/v1/api-tokens/{id}"), None).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_eq!(
        app.with_token(created["secret"].as_str().unwrap()).get("/api/v1/org-units").await.status(),
        StatusCode::OK
    );
}
