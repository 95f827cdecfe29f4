//! Operational endpoints and the middleware every response goes through.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn health_and_readiness_answer_when_all_is_well() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["migrations"], "ok");
}

#[tokio::test]
async fn readiness_reports_pending_migrations() {
    let app = spawn_app().await;
    {
        use diesel_async::RunQueryDsl;
        let mut db = app.db().await;
        diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)")
            .execute(&mut db)
            .await
            .unwrap();
    }
    let response = app.get("/readyz").await;
    assert_eq!(response.headers().get("retry-after").unwrap(), "5");
    let problem = crate::helpers::assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "not_ready").await;
    assert_eq!(problem["checks"]["database"], "ok");
    assert_eq!(problem["checks"]["migrations"], "pending");
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let response = app
        .request(reqwest::Method::GET, "/healthz")
        .header("x-request-id", "zalo-sync:2026-11-29.001")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap(), "zalo-sync:2026-11-29.001");

    // A hostile id (spaces, or too long) is replaced, not echoed into logs and headers.
    for bad in ["has spaces", &"x".repeat(200)] {
        let response = app.request(reqwest::Method::GET, "/healthz").header("x-request-id", bad).send().await.unwrap();
        let id = response.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
        assert_ne!(id, bad);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "generated id {id} is a UUID");
    }

    let generated = app.get("/healthz").await;
    let id = generated.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    for path in ["/api/v1/settings", "/api/v1/settings/missing.key", "/healthz"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store", "{path}");
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY", "{path}");
        assert!(headers.get("content-security-policy").is_some(), "{path}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for _ in 0..3 {
        admin.get("/api/v1/settings").await;
    }
    admin.get("/api/v1/settings/no.such").await;
    app.get("/api/v1/settings").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("content-type").unwrap().to_str().unwrap().starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/settings",status="200"} 3"#), "{text}");
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/api/v1/settings/{key}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains(r#"db_pool_connections{state="max_size"} 8"#), "{text}");
}

#[tokio::test]
async fn service_info_names_the_contract_version() {
    let app = spawn_app().await;
    let info: Value = app.get("/api/v1").await.json().await.unwrap();
    let contract: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(info["name"], "chihoi");
    assert_eq!(info["contract_version"], contract["info"]["version"]);
    assert_eq!(info["docs_url"], "/docs/");
    assert_eq!(info["environment"], "local");
}

#[tokio::test]
async fn cors_is_closed_unless_configured() {
    let closed = spawn_app().await;
    let preflight = closed
        .request(reqwest::Method::OPTIONS, "/api/v1/settings")
        .header("origin", "https://app.example.vn")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());

    let open = spawn_app_with(|env| {
        env.insert("CHIHOI_CORS_ORIGINS".into(), "https://app.example.vn".into());
    })
    .await;
    let preflight = open
        .request(reqwest::Method::OPTIONS, "/api/v1/settings")
        .header("origin", "https://app.example.vn")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,idempotency-key")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers().get("access-control-allow-origin").unwrap(), "https://app.example.vn");
    let other = open
        .request(reqwest::Method::OPTIONS, "/api/v1/settings")
        .header("origin", "https://evil.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn docs_page_is_served_by_the_binary() {
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(redirect.headers().get("location").unwrap(), "/docs/");
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let initializer = app.get("/docs/swagger-initializer.js").await.text().await.unwrap();
    assert!(initializer.contains("/openapi.json"), "{initializer}");
}
