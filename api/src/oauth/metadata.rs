//! `GET /.well-known/oauth-authorization-server` (RFC 8414): what an app's OAuth library reads
//! to find the endpoints. Only what chihoi does is listed: the code flow with PKCE S256, no
//! implicit or password grant.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::issuer::issuer;
use super::scopes;
use crate::state::AppState;

/// Authorization server metadata (RFC 8414 §2).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "issuer": "https://chihoi.example.vn",
    "authorization_endpoint": "https://chihoi.example.vn/oauth/authorize",
    "token_endpoint": "https://chihoi.example.vn/oauth/token",
    "revocation_endpoint": "https://chihoi.example.vn/oauth/revoke",
    "introspection_endpoint": "https://chihoi.example.vn/oauth/introspect",
    "response_types_supported": ["code"],
    "response_modes_supported": ["query"],
    "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
    "code_challenge_methods_supported": ["S256"],
    "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
    "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
    "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    "scopes_supported": ["members:read", "me:read"],
    "authorization_response_iss_parameter_supported": true,
    "ui_locales_supported": ["vi", "en"],
    "service_documentation": "https://chihoi.example.vn/docs/"
}))]
pub struct ServerMetadata {
    /// The address this document was fetched from (or `CHIHOI_PUBLIC_URL`); also the `iss`
    /// of every authorization response.
    pub issuer: String,
    /// Where the browser goes to sign in and allow (`/oauth/authorize`).
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged (`/oauth/token`).
    pub token_endpoint: String,
    /// Where tokens are given back (RFC 7009).
    pub revocation_endpoint: String,
    /// Where resource servers look into tokens (RFC 7662).
    pub introspection_endpoint: String,
    /// `code` only.
    pub response_types_supported: Vec<&'static str>,
    /// `query` only.
    pub response_modes_supported: Vec<&'static str>,
    /// No implicit and no password grant.
    pub grant_types_supported: Vec<&'static str>,
    /// `S256` only.
    pub code_challenge_methods_supported: Vec<&'static str>,
    /// How apps authenticate at the token endpoint.
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// How apps authenticate at the revocation endpoint.
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    /// Confidential callers only.
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    /// The scopes apps may be registered for.
    pub scopes_supported: Vec<&'static str>,
    /// RFC 9207: authorization responses carry `iss`.
    pub authorization_response_iss_parameter_supported: bool,
    /// The pages' languages (`ui_locales`).
    pub ui_locales_supported: Vec<&'static str>,
    /// The API's documentation.
    pub service_documentation: String,
}

/// OAuth server metadata
///
/// RFC 8414 authorization server metadata, for OAuth libraries (AppAuth and others) to find
/// the endpoints.
#[utoipa::path(
    tag = "oauth",
    operation_id = "get_oauth_server_metadata",
    security(()),
    responses((status = 200, description = "The metadata.", body = ServerMetadata))
)]
#[get("/.well-known/oauth-authorization-server")]
pub async fn get_oauth_server_metadata(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let issuer = issuer(&req, &state.config.auth);
    let auth_methods = vec!["none", "client_secret_basic", "client_secret_post"];
    let metadata = ServerMetadata {
        authorization_endpoint: format!("{issuer}/oauth/authorize"),
        token_endpoint: format!("{issuer}/oauth/token"),
        revocation_endpoint: format!("{issuer}/oauth/revoke"),
        introspection_endpoint: format!("{issuer}/oauth/introspect"),
        response_types_supported: vec!["code"],
        response_modes_supported: vec!["query"],
        grant_types_supported: vec!["authorization_code", "refresh_token", "client_credentials"],
        code_challenge_methods_supported: vec!["S256"],
        token_endpoint_auth_methods_supported: auth_methods.clone(),
        revocation_endpoint_auth_methods_supported: auth_methods,
        introspection_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
        scopes_supported: scopes::for_apps().map(|p| p.as_str()).collect(),
        authorization_response_iss_parameter_supported: true,
        ui_locales_supported: vec!["vi", "en"],
        service_documentation: format!("{issuer}/docs/"),
        issuer,
    };
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=3600")).json(metadata)
}
