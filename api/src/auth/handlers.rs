//! `/api/v1/auth`: login, refresh, logout, and the client-credentials token endpoint.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;
use uuid::Uuid;

use super::login::{self, policies};
use super::sessions::{self, Presenter, Rotation};
use super::throttle;
use super::tokens::{CLIENT_SECRET_PREFIX, REFRESH_PREFIX, digest};
use super::wire::{ClientToken, ClientTokenRequest, LoginRequest, RefreshRequest, TokenPair};
use super::{Caller, RequestMeta};
use crate::audit::{self, AuditActor, AuditEvent, Outcome};
use crate::db::in_transaction;
use crate::http::form::FormOrJson;
use crate::http::{ApiError, ApiJson};
use crate::schema::machine_clients;
use crate::state::AppState;

/// Log in
///
/// Exchanges a user name and password for an access token (JWT, ≤ 15 minutes) and a refresh
/// token. Unknown user, wrong password and a disabled account get the same 401. Repeated
/// failures for one user name or from one address are answered 429 with `Retry-After`.
/// For chihoi's own first-party tools and curl only: a third-party app never asks for an
/// officer's password — it signs her in with OAuth 2.0 (`GET /oauth/authorize`).
#[utoipa::path(
    tag = "auth",
    operation_id = "create_session",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in.", body = TokenPair),
        (status = 401, response = crate::http::responses::InvalidCredentials),
        (status = 429, response = crate::http::responses::TooManyRequests),
    )
)]
#[post("/auth/login")]
pub async fn create_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let meta = RequestMeta::of(&req, &state.config.auth.trusted_proxies);
    let user_agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let account = login::check_password(&state, &meta, &username, &password, None).await?;
    let mut conn = state.pool.get().await?;
    let tokens = in_transaction(&mut conn, async |conn| {
        sessions::start(conn, &state, account.id, account.token_version, &meta, user_agent.as_deref()).await
    })
    .await?;
    Ok(web::Json(tokens))
}

/// Refresh tokens
///
/// Exchanges a refresh token for a new access token and a new refresh token. Each refresh
/// token works once: presenting a used one again revokes its whole session (it has leaked).
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_session",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = TokenPair),
        (status = 401, response = crate::http::responses::Unauthorized),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let token = body.into_inner().refresh_token;
    if !token.starts_with(REFRESH_PREFIX) || token.len() > 200 {
        return Err(ApiError::InvalidRefreshToken);
    }
    let meta = RequestMeta::of(&req, &state.config.auth.trusted_proxies);
    let mut conn = state.pool.get().await?;
    let rotation = in_transaction(&mut conn, async |conn| {
        let rotation = sessions::rotate(conn, &state, &token, Presenter::FirstParty).await?;
        if let Rotation::Reused { user, session } = &rotation {
            let event = AuditEvent::new("auth.refresh_token_reused")
                .outcome(Outcome::Denied)
                .object("session", session)
                .details(json!({"user_id": user, "effect": "session revoked"}));
            audit::record(conn, &AuditActor::anonymous(), &meta, event).await?;
        }
        Ok::<_, ApiError>(rotation)
    })
    .await?;
    match rotation {
        Rotation::Rotated { tokens, .. } => Ok(web::Json(tokens)),
        Rotation::Reused { .. } | Rotation::WiderScope | Rotation::Invalid => Err(ApiError::InvalidRefreshToken),
    }
}

/// Log out
///
/// Ends the caller's session: its refresh token and every access token of the session stop
/// working at once. Other sessions (other devices) are not affected.
#[utoipa::path(
    tag = "auth",
    operation_id = "delete_session",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[post("/auth/logout")]
pub async fn delete_session(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let session = caller.principal.session_id().ok_or(ApiError::Forbidden)?;
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        sessions::revoke(conn, session, "logout").await?;
        caller.audit(conn, AuditEvent::new("auth.logout").object("session", session)).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Credentials from `Authorization: Basic` or, failing that, from the body.
pub fn client_credentials(req: &HttpRequest, body: &ClientTokenRequest) -> Option<(Uuid, String)> {
    let from_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(id, secret)| (id.to_owned(), secret.to_owned())));
    let (id, secret) = from_header.or_else(|| Some((body.client_id.clone()?, body.client_secret.clone()?)))?;
    Some((Uuid::parse_str(id.trim()).ok()?, secret))
}

/// Digest comparison that takes the same time wherever the first difference is.
pub fn same_digest(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Token for a machine client
///
/// OAuth 2.0 client credentials grant for higher-level (province, legacy district) systems.
/// Send `grant_type=client_credentials` with `client_id` and `client_secret` as a form, as JSON
/// or with HTTP Basic. The token reads aggregates of the client's subtree only.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_client_token",
    security(()),
    request_body(content = ClientTokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token.", body = ClientToken),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 429, response = crate::http::responses::TooManyRequests),
    )
)]
#[post("/auth/token")]
pub async fn create_client_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: FormOrJson<ClientTokenRequest>,
) -> Result<web::Json<ClientToken>, ApiError> {
    let body = body.0;
    if body.grant_type != "client_credentials" {
        return Err(ApiError::UnsupportedGrantType);
    }
    client_credentials_grant(&req, &state, &body).await.map(web::Json)
}

/// The client credentials grant of a machine client (also taken at `POST /oauth/token`).
pub async fn client_credentials_grant(
    req: &HttpRequest,
    state: &AppState,
    body: &ClientTokenRequest,
) -> Result<ClientToken, ApiError> {
    let meta = RequestMeta::of(req, &state.config.auth.trusted_proxies);
    let (client_id, secret) = client_credentials(req, body).ok_or(ApiError::InvalidClient)?;
    let subject = format!("client:{client_id}");
    let mut conn = state.pool.get().await?;
    if let Some(seconds) = throttle::blocked_for(&mut conn, std::slice::from_ref(&subject)).await? {
        return Err(ApiError::TooManyRequests(seconds));
    }
    let client: Option<(Vec<u8>, bool, i32, Uuid, String)> = machine_clients::table
        .find(client_id)
        .select((
            machine_clients::secret_hash,
            machine_clients::status.eq("active"),
            machine_clients::token_version,
            machine_clients::org_unit_id,
            machine_clients::name,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    let valid = secret.starts_with(CLIENT_SECRET_PREFIX)
        && client.as_ref().is_some_and(|(hash, active, ..)| *active && same_digest(hash, &digest(&secret)));
    let (user_policy, _) = policies(state);
    let actor = AuditActor { kind: "client", id: Some(client_id), name: client.as_ref().map(|c| c.4.clone()) };
    let unit = client.as_ref().map(|c| c.3);
    match client {
        Some((_, _, token_version, _, _)) if valid => {
            let (access_token, expires_in) = sessions::client_token(state, client_id, token_version)?;
            in_transaction(&mut conn, async |conn| {
                throttle::clear(conn, &subject).await?;
                diesel::update(machine_clients::table.find(client_id))
                    .set(machine_clients::last_used_at.eq(diesel::dsl::now))
                    .execute(conn)
                    .await?;
                let mut event = AuditEvent::new("auth.client_token").object("machine_client", client_id);
                event.org_unit_id = unit;
                audit::record(conn, &actor, &meta, event).await
            })
            .await?;
            Ok(ClientToken { access_token, token_type: "Bearer".into(), expires_in })
        }
        _ => {
            in_transaction(&mut conn, async |conn| {
                throttle::record_failure(conn, &subject, user_policy).await?;
                let mut event =
                    AuditEvent::new("auth.client_token").outcome(Outcome::Failure).object("machine_client", client_id);
                event.org_unit_id = unit;
                audit::record(conn, &actor, &meta, event).await
            })
            .await?;
            Err(ApiError::InvalidClient)
        }
    }
}
