use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials for logging in (đăng nhập).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "demo-branch", "password": "ấp Rẫy có đủ 3 biết"}))]
pub struct LoginRequest {
    /// User name (tên đăng nhập), case-insensitive.
    pub username: String,
    /// Password (mật khẩu).
    pub password: String,
}

/// Tokens issued at login or refresh.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "chr_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"
}))]
pub struct TokenPair {
    /// JWT to send as `Authorization: Bearer …`; valid for `expires_in` seconds (≤ 15 minutes).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// Opaque token for `POST /api/v1/auth/refresh`. Single use: each refresh returns a new
    /// one, and presenting a used one again ends the whole session.
    pub refresh_token: String,
}

impl TokenPair {
    pub fn bearer(access_token: String, expires_in: u64, refresh_token: String) -> Self {
        TokenPair { access_token, token_type: "Bearer".into(), expires_in, refresh_token }
    }
}

/// A refresh token to exchange (làm mới phiên).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "chr_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"}))]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// OAuth 2.0 client credentials request (RFC 6749 §4.4), as a form or JSON. The credentials may
/// instead come in an `Authorization: Basic` header.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "grant_type": "client_credentials",
    "client_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
    "client_secret": "chs_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"
}))]
pub struct ClientTokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    /// The machine client's id.
    pub client_id: Option<String>,
    /// The machine client's secret.
    pub client_secret: Option<String>,
    /// Ignored: a client's rights come from its binding (aggregates of its subtree).
    pub scope: Option<String>,
}

/// An access token for a machine client.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900
}))]
pub struct ClientToken {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds; request a new token when it runs out (there is no refresh token).
    pub expires_in: u64,
}
