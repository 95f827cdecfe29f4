use actix_web::{HttpResponse, get, web};
use serde_json::json;

use super::wire::{Health, Readiness, ReadinessChecks, ServiceInfo};
use crate::config::Environment;
use crate::db::migrations;
use crate::http::ApiError;
use crate::openapi::version::CONTRACT_VERSION;
use crate::state::AppState;

/// Liveness probe
///
/// Answers 200 while the process runs, whether or not the database is reachable.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_health",
    security(()),
    responses((status = 200, description = "The process is alive.", body = Health))
)]
#[get("/healthz")]
pub async fn get_health() -> web::Json<Health> {
    web::Json(Health { status: "ok".into() })
}

/// Readiness probe
///
/// 200 when PostgreSQL answers and every migration of this build is applied; otherwise 503
/// problem+json with `Retry-After` and the failing `checks` (`{"shutdown": "draining"}` once
/// the process got SIGTERM). Load balancers route traffic by it.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_readiness",
    security(()),
    responses(
        (status = 200, description = "Ready to serve.", body = Readiness),
        (status = 503, response = crate::http::responses::NotReady),
    )
)]
#[get("/readyz")]
pub async fn get_readiness(state: web::Data<AppState>) -> Result<web::Json<Readiness>, ApiError> {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::NotReady(json!({"shutdown": "draining"})));
    }
    let mut conn = match state.pool.get().await {
        Ok(conn) => conn,
        Err(_) => {
            return Err(ApiError::NotReady(json!({"database": "unreachable", "migrations": "unknown"})));
        }
    };
    let migrations = match migrations::applied_versions(&mut conn).await {
        Ok(applied) if state.expected_migrations.is_subset(&applied) => "ok",
        Ok(_) => "pending",
        Err(error) => {
            let database_ok = !matches!(ApiError::from(error), ApiError::Unavailable(_));
            let database = if database_ok { "ok" } else { "unreachable" };
            let migrations = if database_ok { "pending" } else { "unknown" };
            return Err(ApiError::NotReady(json!({"database": database, "migrations": migrations})));
        }
    };
    if migrations != "ok" {
        return Err(ApiError::NotReady(json!({"database": "ok", "migrations": migrations})));
    }
    Ok(web::Json(Readiness {
        status: "ready".into(),
        checks: ReadinessChecks { database: "ok".into(), migrations: "ok".into() },
    }))
}

/// Prometheus metrics
///
/// OpenMetrics text: `http_requests_total` and `http_request_duration_seconds` by method, route
/// pattern and status; `http_requests_in_flight`; `db_pool_connections` by state. Route labels
/// are patterns (`/api/v1/settings/{key}`), never concrete paths, so cardinality stays bounded.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    security(()),
    responses((
        status = 200,
        description = "Metrics in the OpenMetrics text format.",
        content_type = "application/openmetrics-text",
        body = String,
        example = "# TYPE http_requests counter\nhttp_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3\n# EOF\n"
    ))
)]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}

/// Service information
///
/// Name, versions and links of this server. No authentication needed.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_service_info",
    security(()),
    responses((status = 200, description = "About this server.", body = ServiceInfo))
)]
#[get("/api/v1")]
pub async fn get_service_info(state: web::Data<AppState>) -> web::Json<ServiceInfo> {
    let demo_data = match state.pool.get().await {
        Ok(mut conn) => crate::seed::is_loaded(&mut conn).await.ok(),
        Err(_) => None,
    };
    web::Json(ServiceInfo {
        demo_data,
        name: "chihoi".into(),
        description: "API quản lý công tác hội viên, mô hình \"1+1\" và \"3 có 3 biết\" của Hội LHPN".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        build: option_env!("CHIHOI_BUILD").unwrap_or("dev").into(),
        contract_version: CONTRACT_VERSION.into(),
        environment: match state.config.environment {
            Environment::Local => "local".into(),
            Environment::Production => "production".into(),
        },
        docs_url: "/docs/".into(),
        openapi_url: "/openapi.json".into(),
    })
}

/// OpenAPI document
///
/// This contract, as OpenAPI 3.1 JSON. Identical to `openapi/openapi.json` in the repository.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_openapi",
    security(()),
    responses((
        status = 200,
        description = "The OpenAPI 3.1 document (`ETag`; `If-None-Match` answers 304).",
        headers(("ETag" = String, description = "Digest of the document.")),
        content_type = "application/json",
        body = Object,
        example = json!({"openapi": "3.1.0", "info": {"title": "chihoi API", "version": "0.2.0"}})
    ))
)]
#[get("/openapi.json")]
pub async fn get_openapi(state: web::Data<AppState>) -> HttpResponse {
    // Half a megabyte that changes only with a release: revalidated (ETag), not fetched again.
    let tag = crate::http::etag_of(state.openapi_json.as_bytes());
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((actix_web::http::header::ETAG, tag))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .body(state.openapi_json.as_str().to_owned())
}
