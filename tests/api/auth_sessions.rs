//! Login, refresh rotation and reuse detection, logout, and changes that must cut access at once:
//! disabling, role removal, password changes. Throttling and indistinguishable failures.

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, ROOT_UNIT, assert_problem, spawn_app, spawn_app_on, spawn_app_with};

async fn refresh(app: &crate::helpers::TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": token})).await
}

#[tokio::test]
async fn login_gives_short_lived_tokens_and_refresh_rotates_them() {
    let app = spawn_app().await;
    app.admin().await;
    let response = app.login("ROOT-ADMIN", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "user names are case-insensitive");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() <= 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("chr_"));

    let first_refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let rotated = refresh(&app, &first_refresh).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let rotated: Value = rotated.json().await.unwrap();
    let second_refresh = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first_refresh);
    let second_access = rotated["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.with_token(&second_access).get("/api/v1/me").await.status(), StatusCode::OK);

    // The first refresh token comes back: it leaked. The whole session dies.
    assert_problem(refresh(&app, &first_refresh).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    assert_problem(refresh(&app, &second_refresh).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    assert_problem(app.with_token(&second_access).get("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthorized")
        .await;
    let audit: Value =
        app.admin().await.get("/api/v1/audit-events?action=auth.refresh_token_reused").await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "the reuse is audited");
}

#[tokio::test]
async fn logout_ends_only_this_session() {
    let app = spawn_app().await;
    app.admin().await;
    let phone = app.session("root-admin").await;
    let laptop = app.session("root-admin").await;
    let out = app.with_token(&phone.access_token).post_json("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.with_token(&phone.access_token).get("/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_problem(refresh(&app, &phone.refresh_token).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    assert_eq!(app.with_token(&laptop.access_token).get("/api/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn disabling_and_role_removal_take_effect_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    let officer_id = app.user_with_role("can-bo-xa", &commune, "commune_officer").await;
    let officer = app.session("can-bo-xa").await;
    let as_officer = app.with_token(&officer.access_token);
    assert_eq!(as_officer.get("/api/v1/users").await.status(), StatusCode::OK);

    // Remove the role: the very next request lacks it.
    let roles: Value = admin.get(&format!("/api/v1/users/{officer_id}/roles")).await.json().await.unwrap();
    let grant = roles[0]["id"].as_str().unwrap();
    assert_eq!(
        admin.delete(&format!("/api/v1/users/{officer_id}/roles/{grant}"), None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(as_officer.get("/api/v1/users").await, StatusCode::FORBIDDEN, "forbidden").await;

    // Disable: the token stops working and the password no longer logs in.
    let patched =
        admin.patch_json(&format!("/api/v1/users/{officer_id}"), Some("*"), &json!({"status": "disabled"})).await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_problem(as_officer.get("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_problem(refresh(&app, &officer.refresh_token).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token")
        .await;
    assert_problem(app.login("can-bo-xa", PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn a_password_change_ends_other_sessions_and_keeps_this_device_logged_in() {
    let app = spawn_app().await;
    app.admin().await;
    let other_device = app.session("root-admin").await;
    let this_device = app.session("root-admin").await;
    let new_password = "Một cụm từ mới khó đoán 2026";
    let wrong = app
        .with_token(&this_device.access_token)
        .post_json("/api/v1/me/password", &json!({"current_password": "not it at all", "new_password": new_password}))
        .await;
    assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let weak = app
        .with_token(&this_device.access_token)
        .post_json("/api/v1/me/password", &json!({"current_password": PASSWORD, "new_password": "password123"}))
        .await;
    let problem = assert_problem(weak, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "too_common");

    let changed = app
        .with_token(&this_device.access_token)
        .post_json("/api/v1/me/password", &json!({"current_password": PASSWORD, "new_password": new_password}))
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let fresh: Value = changed.json().await.unwrap();
    assert_eq!(
        app.with_token(fresh["access_token"].as_str().unwrap()).get("/api/v1/me").await.status(),
        StatusCode::OK
    );
    for stale in [&other_device.access_token, &this_device.access_token] {
        assert_problem(app.with_token(stale).get("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    assert_problem(app.login("root-admin", PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(app.login("root-admin", new_password).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_first() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin
        .create(
            "/api/v1/users",
            &json!({"username": "moi-vao", "display_name": "Người mới", "home_unit_id": ROOT_UNIT, "password": PASSWORD}),
        )
        .await;
    let session = app.session("moi-vao").await;
    let user = app.with_token(&session.access_token);
    assert_problem(user.get("/api/v1/org-units").await, StatusCode::FORBIDDEN, "password_change_required").await;
    let me: Value = user.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["must_change_password"], true);
    let changed = user
        .post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "Tôi tự chọn mật khẩu này"}),
        )
        .await;
    let tokens: Value = changed.json().await.unwrap();
    let after = app.with_token(tokens["access_token"].as_str().unwrap());
    let me: Value = after.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["must_change_password"], false);
}

#[tokio::test]
async fn failed_logins_look_the_same_whatever_the_reason() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.user_with_role("bi-khoa", ROOT_UNIT, "member").await;
    admin.patch_json(&format!("/api/v1/users/{user}"), Some("*"), &json!({"status": "disabled"})).await;
    let mut bodies = Vec::new();
    for (username, password) in [("no-such-user", PASSWORD), ("root-admin", "wrong password!"), ("bi-khoa", PASSWORD)] {
        let response = app.login(username, password).await;
        let mut body = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        body.as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_account_and_per_address() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_LOGIN_MAX_FAILURES".into(), "3".into());
        env.insert("CHIHOI_LOGIN_MAX_FAILURES_PER_IP".into(), "8".into());
    })
    .await;
    app.admin().await;
    for _ in 0..3 {
        assert_eq!(app.login("root-admin", "wrong password!").await.status(), StatusCode::UNAUTHORIZED);
    }
    // Blocked now, even with the right password; a real and an unknown name behave alike.
    let blocked = app.login("root-admin", PASSWORD).await;
    let retry_after: u64 = blocked.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 900);
    assert_problem(blocked, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    for _ in 0..3 {
        app.login("ghost", "whatever-it-is").await;
    }
    assert_problem(app.login("ghost", "whatever-it-is").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // The address has now failed 6 times; two more distinct names exhaust its budget of 8.
    app.login("third", "x-x-x-x-x").await;
    app.login("fourth", "x-x-x-x-x").await;
    assert_problem(app.login("fifth", "x-x-x-x-x").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[derive(diesel::QueryableByName)]
struct Hash {
    #[diesel(sql_type = Text)]
    password_hash: String,
}

async fn stored_hash(app: &crate::helpers::TestApp, username: &str) -> String {
    let mut db = app.db().await;
    let rows: Vec<Hash> = diesel::sql_query("SELECT password_hash FROM users WHERE username = $1")
        .bind::<Text, _>(username)
        .load(&mut db)
        .await
        .unwrap();
    rows.into_iter().next().unwrap().password_hash
}

#[tokio::test]
async fn passwords_are_argon2id_and_rehashed_when_parameters_rise() {
    let app = spawn_app().await;
    app.admin().await;
    app.user_with_role("hoa.nguyen", ROOT_UNIT, "member").await;
    let hash = stored_hash(&app, "hoa.nguyen").await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");

    // The same database served with a higher memory cost: the next login upgrades the hash.
    let stronger = spawn_app_on(&app.database_url, |env| {
        env.insert("CHIHOI_ARGON2_MEMORY_KIB".into(), "32768".into());
    })
    .await;
    assert_eq!(stronger.login("hoa.nguyen", PASSWORD).await.status(), StatusCode::OK);
    let upgraded = stored_hash(&app, "hoa.nguyen").await;
    assert!(upgraded.starts_with("$argon2id$v=19$m=32768,t=2,p=1$"), "{upgraded}");
    assert_eq!(stronger.login("hoa.nguyen", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn new_passwords_follow_the_policy() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (password, code) in [
        ("short", "too_short"),
        ("iloveyou123", "too_common"),
        ("Mật Khẩu 123", "too_common"),
        ("nguoi-dung-moi", "too_common"),
    ] {
        let response = admin
            .post_json(
                "/api/v1/users",
                &json!({"username": "nguoi-dung-moi", "display_name": "X", "home_unit_id": ROOT_UNIT, "password": password}),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "password", "{password}");
        assert_eq!(problem["errors"][0]["code"], code, "{password}");
    }
}
