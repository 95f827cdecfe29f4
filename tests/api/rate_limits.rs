//! Rate limits: separate budgets for reads, writes, exports and logins, per token and per client
//! address, with `429`, `Retry-After` and the IETF `RateLimit` headers.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app_with};

#[tokio::test]
async fn each_budget_runs_out_on_its_own_and_says_when_to_come_back() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_RATE_LIMITS".into(), "reads=4/86400,writes=2/86400,exports=1/86400".into());
        env.insert("CHIHOI_RATE_LIMITS_PER_ADDRESS".into(), "login=2/86400,reads=100/86400".into());
        env.insert("CHIHOI_TRUSTED_PROXIES".into(), "127.0.0.1".into());
        env.insert("CHIHOI_RATE_LIMIT_DELAY_MS".into(), "300".into());
    })
    .await;
    // Windows of a day: no window ends during the test.
    let admin = app.admin().await;
    let remaining = |r: &reqwest::Response| {
        let state = r.headers()["ratelimit"].to_str().unwrap().to_owned();
        state.strip_prefix("\"reads\";r=").unwrap().split(';').next().unwrap().parse::<u32>().unwrap()
    };
    let first = admin.get("/api/v1/me").await;
    assert_eq!(first.headers()["ratelimit-policy"], "\"reads\";q=4;w=86400");
    let mut left = remaining(&first);
    while left > 0 {
        let response = admin.get("/api/v1/me").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(remaining(&response), left - 1, "one read spent");
        left -= 1;
    }
    let asked = std::time::Instant::now();
    let refused = admin.get("/api/v1/me").await;
    // A refusal is held a moment (a tarpit), so a client that ignores Retry-After cannot make
    // the server refuse as fast as its CPU allows.
    assert!(asked.elapsed() >= std::time::Duration::from_millis(250), "held {:?}", asked.elapsed());
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry));
    assert!(refused.headers()["ratelimit"].to_str().unwrap().starts_with("\"reads\";r=0;"));
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // Writes have their own budget; exports theirs.
    let written = admin.post_json("/api/v1/settings", &json!({"key": "test.limits", "value": 1})).await;
    assert_eq!(written.status(), StatusCode::CREATED);
    assert_eq!(written.headers()["ratelimit-policy"], "\"writes\";q=2;w=86400");
    let template = admin.get("/api/v1/imports/members/template").await;
    assert_eq!(template.status(), StatusCode::OK);
    assert_problem(admin.get("/api/v1/imports/members/template").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited")
        .await;

    // Another token has its own budget.
    let second = app.session("root-admin").await;
    let other = app.with_token(&second.access_token);
    assert_eq!(other.get("/api/v1/me").await.status(), StatusCode::OK);

    // Logins are limited per client address (behind a trusted proxy, its X-Forwarded-For).
    let login = |address: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login")
            .header("x-forwarded-for", address)
            .json(&json!({"username": "nobody", "password": "wrong password here"}))
            .send()
    };
    assert_eq!(login("203.0.113.7").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login("203.0.113.7").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_problem(login("203.0.113.7").await.unwrap(), StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(login("198.51.100.20").await.unwrap().status(), StatusCode::UNAUTHORIZED, "another address");
}
