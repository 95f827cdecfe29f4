//! Principals kept in memory (auth::principal_cache): a request with a token checked a moment
//! ago skips the database, and yet whatever changes who someone is — through another instance,
//! through `chihoi` on the command line or through plain SQL — is obeyed at once, long before
//! the kept entry would expire.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ROOT_UNIT, spawn_app_on, spawn_app_with};

/// Entries that would live a minute: anything refused sooner was refused by a notification.
fn long_lived(env: &mut std::collections::HashMap<String, String>) {
    env.insert("CHIHOI_AUTH_CACHE_TTL_MS".into(), "60000".into());
}

/// How long a notification may take to arrive here (it takes milliseconds).
const NOTIFIED_WITHIN: Duration = Duration::from_secs(3);

/// `auth_principal_lookups_total{source="…"}` from `/metrics`.
async fn lookups(app: &crate::helpers::TestApp, source: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let prefix = format!("auth_principal_lookups_total{{source=\"{source}\"}} ");
    text.lines().find_map(|line| line.strip_prefix(&prefix)).map_or(0, |n| n.trim().parse().unwrap())
}

/// Polls `check` until it holds or `NOTIFIED_WITHIN` passes; returns how long it took.
async fn within_notification<F, Fut>(mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < NOTIFIED_WITHIN, "still not obeyed after {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Waits until the app's listener is up, which is when it starts keeping principals.
async fn keeping(app: &crate::helpers::TestApp, token: &str) {
    let before = lookups(app, "cached").await;
    within_notification(|| async {
        app.with_token(token).get("/api/v1/me").await;
        lookups(app, "cached").await > before
    })
    .await;
}

#[tokio::test]
async fn a_token_checked_a_moment_ago_is_not_looked_up_again() {
    let app = spawn_app_with(long_lived).await;
    let admin = app.admin().await;
    keeping(&app, &admin.token).await;
    let (cached, database) = (lookups(&app, "cached").await, lookups(&app, "database").await);
    for _ in 0..10 {
        assert_eq!(admin.get("/api/v1/me").await.status(), StatusCode::OK);
    }
    assert_eq!(lookups(&app, "cached").await, cached + 10, "ten requests, ten principals from memory");
    assert_eq!(lookups(&app, "database").await, database, "and none from the database");
}

#[tokio::test]
async fn a_logout_at_another_instance_is_obeyed_here_at_once() {
    let here = spawn_app_with(long_lived).await;
    let there = spawn_app_on(&here.database_url, long_lived).await;
    here.admin().await;
    let phone = here.session("root-admin").await;
    keeping(&here, &phone.access_token).await;

    let out = there.with_token(&phone.access_token).post_json("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    within_notification(|| async {
        here.with_token(&phone.access_token).get("/api/v1/me").await.status() == StatusCode::UNAUTHORIZED
    })
    .await;
}

#[tokio::test]
async fn a_grant_removed_with_sql_is_obeyed_at_once() {
    let app = spawn_app_with(long_lived).await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    app.user_with_role("can-bo-xa", &commune, "commune_officer").await;
    let officer = app.session("can-bo-xa").await;
    let as_officer = app.with_token(&officer.access_token);
    keeping(&app, &officer.access_token).await;
    assert_eq!(as_officer.get(&format!("/api/v1/org-units/{commune}")).await.status(), StatusCode::OK);

    // As a database administrator (or `chihoi user` on another machine) would.
    let mut db = app.db().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("DELETE FROM role_grants WHERE role = 'commune_officer'"),
        &mut db,
    )
    .await
    .unwrap();
    within_notification(|| async {
        as_officer.get(&format!("/api/v1/org-units/{commune}")).await.status() != StatusCode::OK
    })
    .await;
}

#[tokio::test]
async fn a_machine_client_suspended_with_sql_is_refused_at_once() {
    let app = spawn_app_with(long_lived).await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let token = app.machine_token(&province).await;
    let system = app.with_token(&token);
    let kpis = format!("/api/v1/reports/kpis?unit={province}&period=2025");
    assert_eq!(system.get(&kpis).await.status(), StatusCode::OK);
    let before = lookups(&app, "cached").await;
    within_notification(|| async {
        system.get(&kpis).await;
        lookups(&app, "cached").await > before
    })
    .await;

    let mut db = app.db().await;
    diesel_async::RunQueryDsl::execute(diesel::sql_query("UPDATE machine_clients SET status = 'disabled'"), &mut db)
        .await
        .unwrap();
    within_notification(|| async { system.get(&kpis).await.status() == StatusCode::UNAUTHORIZED }).await;
}
