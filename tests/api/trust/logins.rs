//! Password guessing is bounded: parallel logins cannot race past the throttle, `/me/password`
//! is throttled on the same counter, and hashing has a bound of its own.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, ROOT_UNIT, spawn_app_with};

#[tokio::test]
async fn the_login_throttle_holds_under_parallel_guesses() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_LOGIN_MAX_FAILURES".into(), "5".into());
        env.insert("CHIHOI_RATE_LIMITS_PER_ADDRESS".into(), "off".into());
    })
    .await;
    app.user_with_role("target", ROOT_UNIT, "member").await;
    let guesses = (0..20).map(|i| {
        let app = &app;
        async move { app.login("target", &format!("wrong guess number {i}")).await.status() }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 5, "at most 5 guesses reach the password check: {statuses:?}");
    assert_eq!(checked + refused, 20, "{statuses:?}");
    // Even the right password is refused while the name is blocked.
    assert_eq!(app.login("target", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn me_password_is_throttled_like_a_login() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_LOGIN_MAX_FAILURES".into(), "3".into());
    })
    .await;
    app.user_with_role("victim", ROOT_UNIT, "member").await;
    // A stolen session guesses the current password to take the account over.
    let stolen = app.session("victim").await;
    let thief = app.with_token(&stolen.access_token);
    let mut statuses = Vec::new();
    for i in 0..5 {
        let response = thief
            .post_json(
                "/api/v1/me/password",
                &json!({"current_password": format!("guess {i} guess"), "new_password": "Mật khẩu của kẻ gian 2026"}),
            )
            .await;
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let right = thief
        .post_json(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "Mật khẩu của kẻ gian 2026"}),
        )
        .await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS, "blocked even with the right one");
    assert_eq!(app.login("victim", "Mật khẩu của kẻ gian 2026").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_forged_forwarded_for_does_not_escape_the_per_address_limit() {
    // Behind a proxy that appends the address it saw, a client writes its own hops to the left
    // of it; choosing a new one each time must not buy a new login budget.
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_RATE_LIMITS_PER_ADDRESS".into(), "login=3/86400".into());
        env.insert("CHIHOI_TRUSTED_PROXIES".into(), "127.0.0.1".into());
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let forged = format!("198.51.100.{}, 203.0.113.7", i + 1);
        let response = app
            .request(Method::POST, "/api/v1/auth/login")
            .header("x-forwarded-for", forged)
            .json(&json!({"username": "nobody", "password": "wrong password here"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(&statuses[..3], &[StatusCode::UNAUTHORIZED; 3], "{statuses:?}");
    assert_eq!(&statuses[3..], &[StatusCode::TOO_MANY_REQUESTS; 3], "the proxy saw one client: {statuses:?}");
    let hops = app
        .request(Method::POST, "/api/v1/auth/login")
        .header("x-forwarded-for", "192.0.2.50")
        .json(&json!({"username": "nobody", "password": "wrong password here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(hops.status(), StatusCode::UNAUTHORIZED, "another client has its own budget");
}
