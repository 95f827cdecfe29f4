//! Database outages: the server starts without PostgreSQL, answers 503 quickly while it is down,
//! and recovers by itself when it returns. Each test runs its own cluster, stopped at will.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::private_pg::PrivateCluster;
use crate::helpers::{TestApp, assert_problem, spawn_app_on};

fn short_waits(env: &mut std::collections::HashMap<String, String>) {
    env.insert("CHIHOI_DB_WAIT_MS".into(), "1000".into());
    env.insert("CHIHOI_DB_CONNECT_TIMEOUT_MS".into(), "1000".into());
}

async fn wait_until_ready(app: &TestApp, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if app.get("/readyz").await.status() == StatusCode::OK {
            return;
        }
        assert!(Instant::now() < deadline, "not ready within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn readiness_flips_when_postgres_stops_and_recovers_when_it_returns() {
    let cluster = PrivateCluster::start_new();
    chihoi::db::migrations::run_pending(&cluster.url()).await.unwrap();
    let app = spawn_app_on(&cluster.url(), short_waits).await;
    let admin = app.admin().await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    assert_eq!(admin.get("/api/v1/settings").await.status(), StatusCode::OK);

    cluster.stop();

    let started = Instant::now();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.headers().get("retry-after").unwrap(), "5");
    let problem = assert_problem(ready, StatusCode::SERVICE_UNAVAILABLE, "not_ready").await;
    assert_eq!(problem["checks"]["database"], "unreachable");
    let settings = admin.get("/api/v1/settings").await;
    assert_eq!(settings.headers().get("retry-after").unwrap(), "5");
    assert_problem(settings, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
    // "Within about three seconds": generous bound for a loaded machine; typical is well under 1 s.
    assert!(started.elapsed() < Duration::from_secs(8), "503s took {:?}", started.elapsed());
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK, "the process stays alive");

    cluster.start();
    wait_until_ready(&app, Duration::from_secs(30)).await;
    assert_eq!(admin.get("/api/v1/settings").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_server_starts_while_postgres_is_down_and_migrates_when_it_comes() {
    let cluster = PrivateCluster::start_new();
    cluster.stop();
    let app = spawn_app_on(&cluster.url(), |env| {
        short_waits(env);
        env.insert("CHIHOI_MIGRATE".into(), "auto".into());
    })
    .await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let problem = assert_problem(app.get("/readyz").await, StatusCode::SERVICE_UNAVAILABLE, "not_ready").await;
    assert_eq!(problem["checks"]["database"], "unreachable");
    // An API token can only be checked in the database: the answer is 503, not 401.
    let token_check = app.with_token("chh_0000000000000000000000000000000000000000000").get("/api/v1/settings").await;
    assert_problem(token_check, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;

    cluster.start();
    // The background migrator retries with backoff (at most 30 s apart).
    wait_until_ready(&app, Duration::from_secs(60)).await;
    let created =
        app.admin().await.post_json("/api/v1/settings", &serde_json::json!({"key": "after.outage", "value": 1})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
}
