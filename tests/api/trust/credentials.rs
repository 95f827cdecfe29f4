//! Credentials that must not outlive the remedy, and answers that must not tell an outsider
//! about other scopes.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, assert_problem, spawn_app};
use crate::members::tree;

#[tokio::test]
async fn api_tokens_die_with_a_password_change_reset_or_disabling() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let id = app.user_with_role("head-b", &t.branch, "branch_head").await;
    let app = &app;
    let token = |name: &'static str| async move {
        let session = app.session("head-b").await;
        let created = app
            .with_token(&session.access_token)
            .create("/api/v1/api-tokens", &json!({"name": name, "scopes": ["members:read"]}))
            .await;
        created["secret"].as_str().unwrap().to_owned()
    };
    let works = |secret: String| async move { app.with_token(&secret).get("/api/v1/me").await.status() };

    // Her own password change.
    let stolen = token("trước khi đổi mật khẩu").await;
    assert_eq!(works(stolen.clone()).await, StatusCode::OK);
    let session = app.session("head-b").await;
    let changed = app
        .with_token(&session.access_token)
        .post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "Mật khẩu mới hoàn toàn 2026"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(works(stolen).await, StatusCode::UNAUTHORIZED, "a password change ends her API tokens");

    // An officer's reset.
    let reset = admin
        .post_json(
            &format!("/api/v1/users/{id}/password"),
            &json!({"new_password": PASSWORD, "must_change_password": false}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let stolen = token("trước khi đặt lại").await;
    let reset = admin
        .post_json(
            &format!("/api/v1/users/{id}/password"),
            &json!({"new_password": "Đặt lại lần nữa 2026", "must_change_password": false}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(works(stolen).await, StatusCode::UNAUTHORIZED, "a reset ends her API tokens");

    // Disabling, then enabling again: the old token stays dead.
    admin
        .post_json(
            &format!("/api/v1/users/{id}/password"),
            &json!({"new_password": PASSWORD, "must_change_password": false}),
        )
        .await;
    let stolen = token("trước khi khóa").await;
    for status in ["disabled", "active"] {
        let patched = admin.patch_json(&format!("/api/v1/users/{id}"), Some("*"), &json!({"status": status})).await;
        assert_eq!(patched.status(), StatusCode::OK);
    }
    assert_eq!(works(stolen).await, StatusCode::UNAUTHORIZED, "re-enabling brings no old token back");
}

#[tokio::test]
async fn a_taken_cccd_reveals_no_other_scope() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    admin
        .create(
            "/api/v1/members",
            &json!({"family_name": "Võ", "given_name": "Thu", "birth_year": 1985, "cccd": "083185000777",
                    "joined_on": "2012-01-01", "unit_id": t.branch}),
        )
        .await;
    app.user_with_role("head-other", &t.other_branch, "branch_head").await;
    let outsider = app.session("head-other").await;
    let outsider = app.with_token(&outsider.access_token);
    let probe = outsider
        .request(reqwest::Method::POST, "/api/v1/members")
        .header("accept-language", "en")
        .json(&json!({"family_name": "Võ", "given_name": "Thu", "birth_year": 1985, "cccd": "083185000777",
                       "joined_on": "2012-01-01", "unit_id": t.other_branch}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(probe, StatusCode::CONFLICT, "cccd_unavailable").await;
    assert!(problem.get("existing_id").is_none(), "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        !detail.contains("already registered") && !detail.contains("member"),
        "no word of her membership: {detail}"
    );
}

#[tokio::test]
async fn made_up_api_tokens_are_refused_slowly() {
    // A spray of invented API tokens (each a lookup, each a fresh rate-limit key) is answered
    // one per connection per delay: the refusal is held like a 429.
    let app = crate::helpers::spawn_app_with(|env| {
        env.insert("CHIHOI_RATE_LIMIT_DELAY_MS".into(), "300".into());
    })
    .await;
    let asked = std::time::Instant::now();
    let made_up = app.with_token("chh_Zm9yZ2VkLXRva2VuLWZvci10aGUtc3ByYXktdGVzdA").get("/api/v1/me").await;
    assert_problem(made_up, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(asked.elapsed() >= std::time::Duration::from_millis(250), "held {:?}", asked.elapsed());
    let admin = app.admin().await;
    assert_eq!(admin.get("/api/v1/me").await.status(), StatusCode::OK, "real credentials are not held");
}
