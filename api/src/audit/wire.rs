use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One audit event (sự kiện kiểm tra). Names fields, never their values.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1042,
    "occurred_at": "2026-11-29T08:01:02Z",
    "actor_type": "user",
    "actor_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
    "actor_name": "demo-commune",
    "action": "user.role_grant",
    "outcome": "success",
    "object_type": "user",
    "object_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a99",
    "org_unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "fields": ["role", "org_unit_id"],
    "request_id": "01a2275c-be1c-738c-ba8e-ac051a4a6ecf",
    "client_ip": "127.0.0.1",
    "details": {"role": "branch_head"}
}))]
pub struct AuditEventView {
    /// Increasing sequence number.
    pub id: i64,
    /// When it happened (UTC).
    pub occurred_at: DateTime<Utc>,
    /// `user`, `api_token`, `client`, `system` or `anonymous`.
    pub actor_type: String,
    /// Account or client id of the actor.
    pub actor_id: Option<Uuid>,
    /// User name or client name of the actor at the time.
    pub actor_name: Option<String>,
    /// What was done, e.g. `auth.login`, `user.disable`, `member.read_sensitive`.
    pub action: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Kind of object acted on.
    pub object_type: Option<String>,
    /// Id of the object acted on.
    pub object_id: Option<String>,
    /// Unit the event belongs to; decides which auditors see it.
    pub org_unit_id: Option<Uuid>,
    /// Names of the fields written or read.
    pub fields: Vec<String>,
    /// Request id (as in `X-Request-Id` and the server logs).
    pub request_id: Option<String>,
    /// Client address.
    pub client_ip: Option<String>,
    /// Non-sensitive particulars (codes, ids).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Query of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditEventListQuery {
    /// Only events by this actor.
    pub actor_id: Option<Uuid>,
    /// Only this action, e.g. `auth.login`.
    #[param(example = "auth.login")]
    pub action: Option<String>,
    /// Only events about this kind of object, e.g. `user`.
    pub object_type: Option<String>,
    /// Only events about this object.
    pub object_id: Option<String>,
    /// Only events of this unit's subtree.
    pub org_unit_id: Option<Uuid>,
    /// Only events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(AuditEventPage, AuditEventView, "audit events");
