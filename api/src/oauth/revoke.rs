//! `POST /oauth/revoke` (RFC 7009): an app gives back a token. Revoking either token of a grant
//! ends the grant (its refresh token and every access token of it, at once). A token the
//! server does not know is answered 200 (the app cannot learn what exists); another app's
//! token is refused and left alone.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::errors::{Failure, OAuthError, answer};
use super::{client_auth, form, held};
use crate::audit::{self, AuditActor, AuditEvent};
use crate::auth::{RequestMeta, sessions};
use crate::db::in_transaction;
use crate::http::{ApiError, Lang, Text};
use crate::state::AppState;

/// A revocation request (RFC 7009 §2.1).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "chr_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c", "token_type_hint": "refresh_token", "client_id": "app_q3N8vX2kLm7RtY5wZp1aBc"}))]
pub struct RevokeRequest {
    /// An access or refresh token the app holds.
    pub token: Option<String>,
    /// `access_token` or `refresh_token` (a hint; both are looked for).
    pub token_type_hint: Option<String>,
    /// The app (a public app sends only this).
    pub client_id: Option<String>,
    /// A confidential app's secret (`client_secret_post`).
    pub client_secret: Option<String>,
}

/// Revoke a token (OAuth 2.0)
///
/// Ends the grant the token belongs to: its refresh token and all its access tokens stop
/// working at once. Answers 200 for a token that is unknown or already dead.
#[utoipa::path(
    tag = "oauth",
    operation_id = "create_oauth_revocation",
    security(()),
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Revoked (or nothing to revoke)."),
        (status = 400, description = "RFC 6749 error: `invalid_request`, or `unauthorized_client` for another app's token.", body = super::token::OAuthErrorBody),
        (status = 401, description = "RFC 6749 error `invalid_client`.", body = super::token::OAuthErrorBody),
    )
)]
#[post("/oauth/revoke")]
pub async fn create_oauth_revocation(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::from_accept_language(
        req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    answer(revoke(&req, &state, &body).await, lang)
}

async fn revoke(req: &HttpRequest, state: &AppState, body: &[u8]) -> Result<HttpResponse, Failure> {
    let form: RevokeRequest = form::read(req, body)?;
    let mut conn = state.pool.get().await?;
    let app = client_auth::app(&mut conn, req, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let token = form
        .token
        .as_deref()
        .filter(|t| t.len() <= 4096)
        .ok_or_else(|| OAuthError::invalid_request(Text::new("Thiếu token.", "token is missing.")))?;
    let ok = || HttpResponse::Ok().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).finish();
    let Some(held) = held::find(&mut conn, &state.jwt, token).await? else {
        return Ok(ok());
    };
    if held.app != Some(app.id) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            Text::new("Token này không cấp cho ứng dụng của bạn.", "This token was not issued to your app."),
        )
        .into());
    }
    let meta = RequestMeta::of(req, &state.config.auth.trusted_proxies);
    in_transaction(&mut conn, async |conn| {
        sessions::revoke(conn, held.session, "revoked_by_app").await?;
        let event = AuditEvent::new("oauth.revoke").object("session", held.session).details(json!({
            "client_id": app.client_id,
            "user_id": held.user,
            "token_type": if held.kind == held::TokenKind::Refresh { "refresh_token" } else { "access_token" },
        }));
        audit::record(conn, &AuditActor::oauth_app(app.id, &app.client_id), &meta, event).await
    })
    .await?;
    Ok(ok())
}
