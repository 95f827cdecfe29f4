//! Third-party apps (ứng dụng bên thứ ba) as the API shows them. Field names follow RFC 7591
//! client metadata (`client_name`, `redirect_uris`, `token_endpoint_auth_method`, `scope`), so
//! OAuth tools recognise them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// How the app authenticates at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    /// A public app (mobile, desktop): no secret; PKCE proves it is the same app.
    None,
    /// A confidential app (a server) sending its secret with HTTP Basic.
    ClientSecretBasic,
    /// A confidential app sending `client_secret` in the form.
    ClientSecretPost,
}

impl TokenEndpointAuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenEndpointAuthMethod::None => "none",
            TokenEndpointAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenEndpointAuthMethod::ClientSecretPost => "client_secret_post",
        }
    }

    pub fn parse(text: &str) -> TokenEndpointAuthMethod {
        match text {
            "client_secret_basic" => TokenEndpointAuthMethod::ClientSecretBasic,
            "client_secret_post" => TokenEndpointAuthMethod::ClientSecretPost,
            _ => TokenEndpointAuthMethod::None,
        }
    }

    pub fn is_confidential(self) -> bool {
        self != TokenEndpointAuthMethod::None
    }
}

/// Whether an app may obtain tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppStatus {
    Active,
    /// Cannot sign anyone in; every token it holds stops working at once.
    Disabled,
}

impl AppStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppStatus::Active => "active",
            AppStatus::Disabled => "disabled",
        }
    }
}

/// A registered third-party app (ứng dụng bên thứ ba) that signs officers in with OAuth 2.0.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9c11",
    "client_id": "app_q3N8vX2kLm7RtY5wZp1aBc",
    "client_name": "Sổ tay chi hội",
    "owner": "Công ty phần mềm Mê Kông",
    "logo_text": "ST",
    "org_unit_id": "0193a5c8-0000-7000-8000-00000000c001",
    "redirect_uris": ["http://127.0.0.1/callback", "vn.hoilhpn.sotay:/oauth/callback"],
    "scope": "members:read members:write me:read",
    "token_endpoint_auth_method": "none",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "client_id_issued_at": 1764403200,
    "client_secret_prefix": null,
    "status": "active",
    "last_used_at": null,
    "version": 1,
    "created_at": "2026-11-29T08:00:00Z",
    "updated_at": "2026-11-29T08:00:00Z"
}))]
pub struct OAuthApp {
    pub id: Uuid,
    /// The OAuth 2.0 `client_id` (issued by chihoi).
    pub client_id: String,
    /// The app's name, shown to officers on the consent page.
    pub client_name: String,
    /// Who makes and runs the app (chủ sở hữu), shown on the consent page.
    pub owner: String,
    /// Up to 4 characters drawn as the app's badge (no image is loaded from elsewhere).
    pub logo_text: Option<String>,
    /// The unit whose subtree the app may reach: its tokens cover nothing outside it.
    pub org_unit_id: Uuid,
    /// Where the authorization response may be sent. Matched exactly, except the port of
    /// loopback URIs (RFC 8252 §7.3).
    pub redirect_uris: Vec<String>,
    /// The scopes the app may ask for, space-separated.
    pub scope: String,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    /// Always `authorization_code` and `refresh_token`.
    pub grant_types: Vec<String>,
    /// Always `code`.
    pub response_types: Vec<String>,
    /// When the client id was issued (seconds since 1970, RFC 7591).
    pub client_id_issued_at: i64,
    /// The first characters of the current secret (confidential apps).
    pub client_secret_prefix: Option<String>,
    pub status: AppStatus,
    /// Last token issued to it.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An app with its secret: returned once, at registration and at each rotation, for
/// confidential apps.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthAppWithSecret {
    #[serde(flatten)]
    pub app: OAuthApp,
    /// `client_secret` (confidential apps only). Store it now: it is never shown again.
    #[schema(example = "chs_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v")]
    pub client_secret: Option<String>,
    /// 0: the secret does not expire (RFC 7591).
    pub client_secret_expires_at: Option<i64>,
}

/// A new app.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "client_name": "Sổ tay chi hội",
    "owner": "Công ty phần mềm Mê Kông",
    "logo_text": "ST",
    "org_unit_id": "0193a5c8-0000-7000-8000-00000000c001",
    "redirect_uris": ["http://127.0.0.1/callback", "vn.hoilhpn.sotay:/oauth/callback"],
    "scope": "members:read members:write me:read",
    "token_endpoint_auth_method": "none"
}))]
pub struct NewOAuthApp {
    /// 1–100 characters.
    pub client_name: String,
    /// 1–200 characters.
    pub owner: String,
    /// Up to 4 characters.
    pub logo_text: Option<String>,
    /// The caller needs `apps:manage` there.
    pub org_unit_id: Uuid,
    /// 1–10 URIs: `https`, `http` to 127.0.0.1 or [::1] only, or a private-use scheme that is
    /// a reverse domain name (`vn.hoilhpn.sotay:/cb`); no fragment.
    #[schema(min_items = 1, max_items = 10)]
    pub redirect_uris: Vec<String>,
    /// Scopes the app may ask for, space-separated; `apps:manage` and `clients:manage` are
    /// never given to apps.
    pub scope: String,
    /// `none` (default) for mobile and desktop apps.
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
}

/// Changes to an app (its client id and kind stay).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct OAuthAppPatch {
    /// 1–100 characters.
    pub client_name: Option<String>,
    /// 1–200 characters.
    pub owner: Option<String>,
    /// Up to 4 characters; empty removes it.
    pub logo_text: Option<String>,
    /// The whole new list (1–10), under the registration's rules.
    #[schema(min_items = 1, max_items = 10)]
    pub redirect_uris: Option<Vec<String>>,
    /// Narrowing it ends the grants that hold a scope no longer allowed.
    pub scope: Option<String>,
    /// `disabled` ends every grant's tokens at once.
    pub status: Option<AppStatus>,
}

/// Query of the app list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OAuthAppListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(OAuthAppPage, OAuthApp, "third-party apps");

/// An officer's authorization of an app (ủy quyền), as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppAuthorization {
    /// The officer's account.
    pub user_id: Uuid,
    /// Her user name.
    pub username: String,
    /// The scopes she allowed, space-separated.
    pub scope: String,
    /// When she first allowed the app.
    pub granted_at: DateTime<Utc>,
    /// Grants (sessions) of the app for her still alive.
    pub active_grants: i64,
}

crate::page_schema!(AppAuthorizationPage, AppAuthorization, "authorizations of an app");

/// An app the caller authorized (ứng dụng đã cấp quyền).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "app_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9c11",
    "client_id": "app_q3N8vX2kLm7RtY5wZp1aBc",
    "client_name": "Sổ tay chi hội",
    "owner": "Công ty phần mềm Mê Kông",
    "logo_text": "ST",
    "scope": "members:read me:read",
    "granted_at": "2026-11-29T08:00:00Z",
    "active_grants": 1
}))]
pub struct AuthorizedApp {
    /// The app's id: `DELETE /me/authorized-apps/{app_id}` revokes it.
    pub app_id: Uuid,
    /// The app's OAuth `client_id`.
    pub client_id: String,
    /// The app's name.
    pub client_name: String,
    /// Who makes and runs it.
    pub owner: String,
    /// Its badge text.
    pub logo_text: Option<String>,
    /// The scopes she allowed, space-separated.
    pub scope: String,
    /// When she first allowed it.
    pub granted_at: DateTime<Utc>,
    /// Grants (sessions) of the app for her still alive.
    pub active_grants: i64,
}

crate::page_schema!(AuthorizedAppPage, AuthorizedApp, "apps the caller authorized");
