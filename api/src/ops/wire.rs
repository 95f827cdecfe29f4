use serde::Serialize;
use utoipa::ToSchema;

/// Liveness (tiến trình còn sống).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: String,
}

/// Readiness (sẵn sàng phục vụ): the database answers and its schema is current.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}))]
pub struct Readiness {
    /// `ready`.
    pub status: String,
    /// Each check and its state.
    pub checks: ReadinessChecks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    /// `ok` when a pooled connection answered, else `unreachable`.
    pub database: String,
    /// `ok` when every migration of this build is applied, else `pending` or `unknown`.
    pub migrations: String,
}

/// What this server is (thông tin dịch vụ).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "name": "chihoi",
    "description": "API quản lý công tác hội viên, mô hình \"1+1\" và \"3 có 3 biết\" của Hội LHPN",
    "version": "0.1.0",
    "build": "3f2c1ab",
    "contract_version": "0.2.0",
    "environment": "local",
    "demo_data": true,
    "docs_url": "/docs/",
    "openapi_url": "/openapi.json"
}))]
pub struct ServiceInfo {
    pub name: String,
    /// One line about the service, in Vietnamese.
    pub description: String,
    /// Version of the server software.
    pub version: String,
    /// Source revision the binary was built from (`dev` when unknown).
    pub build: String,
    /// Version of the OpenAPI contract (`info.version` of `/openapi.json`). A breaking change
    /// to a published field bumps its major part.
    pub contract_version: String,
    /// `local` or `production`. Local installations may hold demo data.
    pub environment: String,
    /// True when the clearly marked demonstration data set is loaded (dữ liệu mẫu): never trust
    /// such an installation with real data. `null` when the database cannot be reached.
    pub demo_data: Option<bool>,
    /// Interactive documentation.
    pub docs_url: String,
    /// The OpenAPI 3.1 document.
    pub openapi_url: String,
}
