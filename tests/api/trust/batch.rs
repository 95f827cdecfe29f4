//! `POST /batch` cannot reach what its filter refuses by spelling a path otherwise, cannot
//! nest, and counts each inner operation against the sender's rate limits.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, field_error, spawn_app_with};

#[tokio::test]
async fn batch_cannot_bypass_its_path_filter_or_the_rate_limits() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_RATE_LIMITS_PER_ADDRESS".into(), "login=3/86400,reads=5/86400".into());
        env.insert("CHIHOI_TRUSTED_PROXIES".into(), "127.0.0.1".into());
    })
    .await;
    let admin = app.admin().await;
    let login = json!({"username": "root-admin", "password": PASSWORD});
    let batch = |operations: Value| {
        admin
            .request(Method::POST, "/api/v1/batch")
            .header("x-forwarded-for", "203.0.113.9")
            .json(&json!({"operations": operations}))
            .send()
    };
    // Every spelling of the login route, and of the batch itself, is refused before anything runs.
    for path in [
        "/api/v1/%61uth/login",
        "/api/v1/x/%2e%2e/auth/login",
        "/api/v1/x/../auth/login",
        "/api/v1/auth%2Flogin",
        "/api/v1/AUTH/login",
        "/api/v1/%62atch",
        "/api/v1/batch",
        "/api/v1/members//x",
        "/api/v1/no-such-route",
    ] {
        let refused = batch(json!([{"method": "POST", "path": path, "body": login}])).await.unwrap();
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(field_error(&problem, "operations[0].path")["code"], "not_allowed", "{path}");
    }
    let audit: Value = admin.get("/api/v1/audit-events?action=auth.login").await.json().await.unwrap();
    let logins = audit["items"].as_array().unwrap().len();
    assert_eq!(logins, 1, "only the test's own login: {audit}");

    // The same spelling sent straight to the server spends the login budget, not the reads.
    let direct = |path: &'static str| {
        app.request(Method::POST, path).header("x-forwarded-for", "198.51.100.4").json(&login).send()
    };
    for _ in 0..3 {
        let response = direct("/api/v1/%61uth/login").await.unwrap();
        assert_eq!(response.headers()["ratelimit-policy"], "\"login\";q=3;w=86400");
    }
    assert_problem(direct("/api/v1/auth/login").await.unwrap(), StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // Inner operations count against the sender's address: 5 reads a day (the batch itself is
    // a write), so the sixth read of one batch is refused on its own.
    let reads: Vec<Value> =
        (0..6).map(|i| json!({"label": format!("r{i}"), "method": "GET", "path": "/api/v1/me"})).collect();
    let response = batch(Value::Array(reads)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let results: Value = response.json().await.unwrap();
    let statuses: Vec<u64> =
        results["results"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    assert_eq!(results["results"][5]["body"]["code"], "rate_limited");
}
