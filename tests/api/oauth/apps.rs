//! Registering apps: who may, on which units, with which redirect URIs and scopes; the secret
//! of a confidential app shown once; deletion ends every grant.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::flow::{fixture, tokens};
use crate::helpers::{field_error, spawn_app};

fn new_app(unit: &str) -> Value {
    json!({
        "client_name": "Ứng dụng xã",
        "owner": "Hội LHPN xã",
        "org_unit_id": unit,
        "redirect_uris": ["https://ung-dung.example.vn/cb"],
        "scope": "reports:read",
    })
}

#[tokio::test]
async fn a_commune_officer_registers_apps_for_her_commune_only_and_a_branch_head_none() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let other_commune = app.unit(crate::helpers::ROOT_UNIT, "commune", "Xã khác").await;
    app.user_with_role("can-bo-xa", &fx.commune, "commune_officer").await;
    let officer = app.session("can-bo-xa").await;
    let officer = app.with_token(&officer.access_token);
    let created = officer.post_json("/api/v1/oauth-apps", &new_app(&fx.commune)).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert!(created["client_id"].as_str().unwrap().starts_with("app_"));
    assert_eq!(created["token_endpoint_auth_method"], "none");
    assert!(created["client_secret"].is_null(), "a public app has no secret");
    assert_eq!(officer.post_json("/api/v1/oauth-apps", &new_app(&other_commune)).await.status(), StatusCode::NOT_FOUND);
    // She sees her commune's apps, not others'.
    let admin = app.admin().await;
    let elsewhere = admin.create("/api/v1/oauth-apps", &new_app(&other_commune)).await;
    let listed: Value = officer.get("/api/v1/oauth-apps").await.json().await.unwrap();
    let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&created["id"].as_str().unwrap()) && !ids.contains(&elsewhere["id"].as_str().unwrap()));
    assert_eq!(
        officer.get(&format!("/api/v1/oauth-apps/{}", elsewhere["id"].as_str().unwrap())).await.status(),
        StatusCode::NOT_FOUND
    );

    let head = app.session("ray").await;
    let head = app.with_token(&head.access_token);
    assert_eq!(head.post_json("/api/v1/oauth-apps", &new_app(&fx.branch)).await.status(), StatusCode::FORBIDDEN);
    // An app's own token never registers apps (apps:manage is not an app scope).
    let as_app = tokens(&fx, "members:read").await;
    let by_app = app
        .with_token(as_app["access_token"].as_str().unwrap())
        .post_json("/api/v1/oauth-apps", &new_app(&fx.commune))
        .await;
    assert!(
        by_app.status() == StatusCode::FORBIDDEN || by_app.status() == StatusCode::NOT_FOUND,
        "{}",
        by_app.status()
    );
}

#[tokio::test]
async fn unsafe_redirect_uris_and_forbidden_scopes_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    let cases = [
        (json!({"redirect_uris": ["http://ung-dung.example.vn/cb"]}), "redirect_uris[0]"),
        (json!({"redirect_uris": ["https://a.vn/cb", "javascript:alert(1)"]}), "redirect_uris[1]"),
        (json!({"redirect_uris": ["https://a.vn/cb#frag"]}), "redirect_uris[0]"),
        (json!({"redirect_uris": ["myapp:/cb"]}), "redirect_uris[0]"),
        (json!({"redirect_uris": []}), "redirect_uris"),
        (json!({"scope": "members:read apps:manage"}), "scope"),
        (json!({"scope": "clients:manage"}), "scope"),
        (json!({"scope": ""}), "scope"),
        (json!({"client_name": ""}), "client_name"),
        (json!({"logo_text": "QUÁ DÀI"}), "logo_text"),
    ];
    for (change, field) in cases {
        let mut body = new_app(&fx.commune);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = admin.post_json("/api/v1/oauth-apps", &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{change}");
        let problem: Value = response.json().await.unwrap();
        field_error(&problem, field);
    }
    let many: Vec<String> = (0..11).map(|i| format!("https://a.vn/cb{i}")).collect();
    let mut body = new_app(&fx.commune);
    body["redirect_uris"] = json!(many);
    assert_eq!(admin.post_json("/api/v1/oauth-apps", &body).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_confidential_apps_secret_is_shown_once_and_rotates_and_deleting_an_app_ends_its_grants() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    let mut body = new_app(&fx.commune);
    body["token_endpoint_auth_method"] = json!("client_secret_post");
    let created = admin.create("/api/v1/oauth-apps", &body).await;
    let secret = created["client_secret"].as_str().unwrap();
    assert_eq!(created["client_secret_expires_at"], 0);
    let id = created["id"].as_str().unwrap();
    let read: Value = admin.get(&format!("/api/v1/oauth-apps/{id}")).await.json().await.unwrap();
    assert!(read.get("client_secret").is_none(), "never shown again");
    assert!(secret.starts_with(read["client_secret_prefix"].as_str().unwrap()));
    let rotated: Value =
        admin.post_json(&format!("/api/v1/oauth-apps/{id}/secret"), &json!({})).await.json().await.unwrap();
    assert_ne!(rotated["client_secret"].as_str().unwrap(), secret);
    let public_rotation = admin.post_json(&format!("/api/v1/oauth-apps/{}/secret", fx.app_id), &json!({})).await;
    assert_eq!(public_rotation.status(), StatusCode::CONFLICT);

    let issued = tokens(&fx, "me:read").await;
    assert_eq!(admin.delete(&format!("/api/v1/oauth-apps/{}", fx.app_id), None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.with_token(issued["access_token"].as_str().unwrap()).get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(admin.get(&format!("/api/v1/oauth-apps/{}", fx.app_id)).await.status(), StatusCode::NOT_FOUND);
}
