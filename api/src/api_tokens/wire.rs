use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Permission;

/// An API token as listed (never with its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9b01",
    "name": "xuất báo cáo hằng tháng",
    "prefix": "chh_Xy3kP9aB",
    "scopes": ["reports:read", "org_units:read"],
    "created_at": "2026-11-29T08:00:00Z",
    "expires_at": "2027-02-27T08:00:00Z",
    "last_used_at": null,
    "revoked_at": null
}))]
pub struct ApiToken {
    pub id: Uuid,
    /// What the token is for (tên gợi nhớ).
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    /// The permissions the token is limited to (within its owner's roles).
    pub scopes: Vec<Permission>,
    pub created_at: DateTime<Utc>,
    /// After this instant the token no longer works.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use, recorded to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new API token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "xuất báo cáo hằng tháng", "scopes": ["reports:read"], "expires_in_days": 90}))]
pub struct NewApiToken {
    /// What the token is for, 1–100 characters.
    pub name: String,
    /// Permissions the token may use; each must be one its owner holds.
    pub scopes: Vec<String>,
    /// Lifetime in days, 1–365 (default 90).
    pub expires_in_days: Option<u32>,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret to send as `Authorization: Bearer …`. Store it now: it is never shown again.
    #[schema(example = "chh_Xy3kP9aBq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j")]
    pub secret: String,
}

/// Query of the token list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApiTokenListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(ApiTokenPage, ApiToken, "API tokens");
