//! Machine clients of higher-level systems: client credentials, subtree-bound, aggregates only.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, TestApp, assert_problem, spawn_app};

async fn token(app: &TestApp, id: &str, secret: &str) -> reqwest::Response {
    app.request(reqwest::Method::POST, "/api/v1/auth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_province_system_reads_its_subtree_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let vinh_long = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&vinh_long, "commune", "Xã Hưng Nhượng").await;
    let other_province = app.unit(ROOT_UNIT, "province", "Tỉnh Đồng Tháp").await;
    let client =
        admin.create("/api/v1/machine-clients", &json!({"name": "Hệ thống tỉnh", "org_unit_id": vinh_long})).await;
    let id = client["id"].as_str().unwrap().to_owned();
    let secret = client["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("chs_"));

    let response = token(&app, &id, &secret).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh_token").is_none());
    let system = app.with_token(body["access_token"].as_str().unwrap());
    assert_eq!(system.get(&format!("/api/v1/org-units/{commune}")).await.status(), StatusCode::OK);
    assert_problem(
        system.get(&format!("/api/v1/org-units/{other_province}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Never member-level or account data.
    assert_problem(system.get("/api/v1/users").await, StatusCode::FORBIDDEN, "forbidden").await;
    let me: Value = system.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["actor_type"], "client");

    // HTTP Basic works too; a wrong secret does not.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let via_basic = app
        .request(reqwest::Method::POST, "/api/v1/auth/token")
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(via_basic.status(), StatusCode::OK);
    assert_problem(token(&app, &id, "chs_wrong").await, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let unsupported = app.post_json("/api/v1/auth/token", &json!({"grant_type": "password", "client_id": id})).await;
    assert_problem(unsupported, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;

    // Rotating the secret kills the old secret and every token issued with it.
    let rotated = admin.post_json(&format!("/api/v1/machine-clients/{id}/secret"), &json!({})).await;
    assert_eq!(rotated.status(), StatusCode::CREATED);
    let rotated: Value = rotated.json().await.unwrap();
    assert_problem(system.get("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_problem(token(&app, &id, &secret).await, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let fresh: Value = token(&app, &id, rotated["client_secret"].as_str().unwrap()).await.json().await.unwrap();
    let system = app.with_token(fresh["access_token"].as_str().unwrap());
    assert_eq!(system.get("/api/v1/me").await.status(), StatusCode::OK);

    // Disabling works at once as well.
    let disabled =
        admin.patch_json(&format!("/api/v1/machine-clients/{id}"), Some("\"2\""), &json!({"status": "disabled"})).await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_problem(system.get("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_problem(
        token(&app, &id, rotated["client_secret"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    )
    .await;
}
