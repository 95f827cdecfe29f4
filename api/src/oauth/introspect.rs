//! `POST /oauth/introspect` (RFC 7662): for resource servers and machine clients, never for
//! public apps. A confidential app learns about its own tokens, a machine client about the
//! tokens of apps registered within its subtree; anything else, and every dead token, is just
//! `{"active": false}`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::Ltree;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::client_auth::{self, Introspector};
use super::errors::{Failure, OAuthError, answer, no_store_json};
use super::held::{self, TokenKind};
use super::{form, issuer::issuer, scopes};
use crate::auth::principal::is_within;
use crate::http::{ApiError, Lang, Text};
use crate::schema::{oauth_apps, org_units};
use crate::state::AppState;

/// An introspection request (RFC 7662 §2.1). The caller authenticates with HTTP Basic (or
/// `client_id`/`client_secret` in the form): a confidential app or a machine client.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl"}))]
pub struct IntrospectRequest {
    /// The access or refresh token to look into.
    pub token: Option<String>,
    /// `access_token` or `refresh_token` (a hint; both are looked for).
    pub token_type_hint: Option<String>,
    /// The caller's id (instead of HTTP Basic): a confidential app or a machine client.
    pub client_id: Option<String>,
    /// The caller's secret (instead of HTTP Basic).
    pub client_secret: Option<String>,
}

/// What a token is (RFC 7662 §2.2). A dead or unknown token has `active: false` and nothing else.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({
    "active": true,
    "scope": "members:read me:read",
    "client_id": "app_q3N8vX2kLm7RtY5wZp1aBc",
    "sub": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01",
    "token_type": "Bearer",
    "exp": 1764404100,
    "iat": 1764403200,
    "iss": "https://chihoi.example.vn"
}))]
pub struct Introspection {
    /// Whether the token is alive and the caller may know about it.
    pub active: bool,
    /// The scopes granted, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The app the token was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The officer's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `Bearer` for an access token, `refresh_token` for a refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// When it expires (seconds since 1970).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// When it was issued (seconds since 1970).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// The issuer (this server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

/// Introspect a token (OAuth 2.0)
///
/// For resource servers and machine clients: is this token alive, for which app, officer and
/// scopes. A public app gets 401; a token the caller may not learn about is
/// `{"active": false}`, as is any dead one.
#[utoipa::path(
    tag = "oauth",
    operation_id = "create_oauth_introspection",
    security(()),
    request_body(content = IntrospectRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "What the token is.", body = Introspection),
        (status = 400, description = "RFC 6749 error `invalid_request`.", body = super::token::OAuthErrorBody),
        (status = 401, description = "RFC 6749 error `invalid_client`: no credentials, or a public app's.", body = super::token::OAuthErrorBody),
    )
)]
#[post("/oauth/introspect")]
pub async fn create_oauth_introspection(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::from_accept_language(
        req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    answer(introspect(&req, &state, &body).await, lang)
}

async fn introspect(req: &HttpRequest, state: &AppState, body: &[u8]) -> Result<HttpResponse, Failure> {
    let form: IntrospectRequest = form::read(req, body)?;
    let mut conn = state.pool.get().await?;
    let caller =
        client_auth::introspector(&mut conn, req, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let token = form
        .token
        .as_deref()
        .filter(|t| t.len() <= 4096)
        .ok_or_else(|| OAuthError::invalid_request(Text::new("Thiếu token.", "token is missing.")))?;
    let inactive = || no_store_json(&Introspection::default());
    let Some(held) = held::find(&mut conn, &state.jwt, token).await?.filter(|h| h.live) else {
        return Ok(inactive());
    };
    let Some(app_id) = held.app else {
        return Ok(inactive());
    };
    let found: Option<(String, Ltree)> = oauth_apps::table
        .inner_join(org_units::table)
        .filter(oauth_apps::id.eq(app_id))
        .filter(oauth_apps::status.eq("active"))
        .select((oauth_apps::client_id, org_units::path))
        .first(&mut conn)
        .await
        .optional()?;
    let Some((client_id, app_path)) = found else {
        return Ok(inactive());
    };
    let may_know = match &caller {
        Introspector::App(app) => app.id == app_id,
        Introspector::Machine { unit_path } => is_within(&app_path.0, unit_path),
    };
    if !may_know {
        return Ok(inactive());
    }
    Ok(no_store_json(&Introspection {
        active: true,
        scope: Some(scopes::join(&scopes::from_stored(&held.scopes.unwrap_or_default()))),
        client_id: Some(client_id),
        sub: Some(held.user.to_string()),
        token_type: Some(if held.kind == TokenKind::Access { "Bearer" } else { "refresh_token" }.to_owned()),
        exp: Some(held.expires_at),
        iat: held.issued_at,
        iss: Some(issuer(req, &state.config.auth)),
    }))
}
