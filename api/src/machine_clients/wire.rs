use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Client status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    /// Cannot obtain tokens; its tokens stop working at once.
    Disabled,
}

impl ClientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Active => "active",
            ClientStatus::Disabled => "disabled",
        }
    }
}

/// A machine client (hệ thống tích hợp).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9c01",
    "name": "Hệ thống báo cáo Hội LHPN tỉnh Vĩnh Long",
    "org_unit_id": "0193a5c8-0000-7000-8000-00000000b001",
    "secret_prefix": "chs_A1b2C3d4",
    "status": "active",
    "last_used_at": null,
    "version": 1,
    "created_at": "2026-11-29T08:00:00Z",
    "updated_at": "2026-11-29T08:00:00Z"
}))]
pub struct MachineClient {
    /// Also the OAuth 2.0 `client_id`.
    pub id: Uuid,
    /// Which system this is.
    pub name: String,
    /// The subtree whose aggregates it may read.
    pub org_unit_id: Uuid,
    /// The first characters of the current secret.
    pub secret_prefix: String,
    pub status: ClientStatus,
    /// Last token issued.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A client with its secret: returned once, at creation and at each rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MachineClientWithSecret {
    #[serde(flatten)]
    pub client: MachineClient,
    /// `client_secret` for the token endpoint. Store it now: it is never shown again.
    #[schema(example = "chs_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v")]
    pub client_secret: String,
}

/// A new machine client.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Hệ thống báo cáo Hội LHPN tỉnh Vĩnh Long", "org_unit_id": "0193a5c8-0000-7000-8000-00000000b001"}))]
pub struct NewMachineClient {
    /// Which system this is, 1–100 characters.
    pub name: String,
    /// The subtree it may read aggregates of; the caller needs `clients:manage` there.
    pub org_unit_id: Uuid,
}

/// Changes to a machine client.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct MachineClientPatch {
    pub name: Option<String>,
    pub status: Option<ClientStatus>,
}

/// Query of the client list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MachineClientListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(MachineClientPage, MachineClient, "machine clients");
