//! `POST /oauth/token` (RFC 6749 §3.2): the authorization code grant with PKCE, refresh with
//! rotation and reuse detection, and the machine clients' client credentials grant. Answers
//! are never cached.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::apps::models::AppRow;
use super::codes;
use super::errors::{Failure, OAuthError, answer, no_store_json};
use super::{client_auth, form, pkce, scopes};
use crate::audit::{self, AuditActor, AuditEvent, Outcome};
use crate::auth::sessions::{self, AppGrant, Presenter, Rotation};
use crate::auth::tokens::REFRESH_PREFIX;
use crate::auth::wire::{ClientTokenRequest, TokenPair};
use crate::auth::{RequestMeta, handlers::client_credentials_grant};
use crate::db::in_transaction;
use crate::http::{ApiError, Lang, Text};
use crate::schema::{oauth_apps, users};
use crate::state::AppState;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// A token request (RFC 6749 §4.1.3, §6, §4.4), as `application/x-www-form-urlencoded`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "grant_type": "authorization_code",
    "code": "chc_Zq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1",
    "redirect_uri": "http://127.0.0.1:53124/callback",
    "client_id": "app_q3N8vX2kLm7RtY5wZp1aBc",
    "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
}))]
pub struct TokenRequest {
    /// `authorization_code`, `refresh_token` or `client_credentials` (machine clients).
    pub grant_type: String,
    /// The code from the authorization response (`authorization_code`).
    pub code: Option<String>,
    /// The same `redirect_uri` as in the authorization request (`authorization_code`).
    pub redirect_uri: Option<String>,
    /// The PKCE verifier whose S256 challenge started the flow (`authorization_code`).
    pub code_verifier: Option<String>,
    /// The app (public apps send it here; confidential ones may use HTTP Basic instead).
    pub client_id: Option<String>,
    /// A confidential app's secret (`client_secret_post`), or a machine client's.
    pub client_secret: Option<String>,
    /// The refresh token to exchange (`refresh_token`).
    pub refresh_token: Option<String>,
    /// On refresh: fewer scopes than granted (never more).
    pub scope: Option<String>,
}

/// Tokens for an app (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "chr_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c",
    "scope": "members:read me:read"
}))]
pub struct OAuthTokens {
    /// JWT for `Authorization: Bearer …`, limited to `scope`, the officer's roles and the
    /// app's subtree; `expires_in` seconds (≤ 15 minutes).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// Single use: each refresh returns a new one; presenting a used one again ends the grant.
    pub refresh_token: String,
    /// The scopes granted, space-separated.
    pub scope: String,
}

impl OAuthTokens {
    fn of(pair: TokenPair, scopes: &[crate::auth::Permission]) -> Self {
        OAuthTokens {
            access_token: pair.access_token,
            token_type: pair.token_type,
            expires_in: pair.expires_in,
            refresh_token: pair.refresh_token,
            scope: scopes::join(scopes),
        }
    }
}

/// Token endpoint (OAuth 2.0)
///
/// For third-party apps: exchange an authorization code (with its PKCE verifier; single use,
/// 60 s; presenting it again revokes the tokens it gave) or a refresh token (rotated: each
/// works once, and a reused one ends the whole grant; `scope` may narrow, never widen). For
/// machine clients: `client_credentials`. Errors follow RFC 6749 §5.2
/// (`{"error": "invalid_grant", "error_description": …}`), not problem details.
#[utoipa::path(
    tag = "oauth",
    operation_id = "create_oauth_token",
    security(()),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens (`Cache-Control: no-store`): `OAuthTokens` for apps, `ClientToken` for machine clients.", body = OAuthTokens),
        (status = 400, description = "RFC 6749 error: `invalid_request`, `invalid_grant`, `invalid_scope`, `unsupported_grant_type`.", body = OAuthErrorBody),
        (status = 401, description = "RFC 6749 error `invalid_client`.", body = OAuthErrorBody),
        (status = 429, response = crate::http::responses::TooManyRequests),
    )
)]
#[post("/oauth/token")]
pub async fn create_oauth_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::from_accept_language(
        req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    answer(token(&req, &state, &body).await, lang)
}

/// An RFC 6749 §5.2 error.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_grant", "error_description": "Mã ủy quyền không hợp lệ, đã dùng hoặc hết hạn."}))]
pub struct OAuthErrorBody {
    /// The RFC 6749 error code.
    pub error: String,
    /// What went wrong, in Vietnamese (English with `Accept-Language: en`).
    pub error_description: String,
}

async fn token(req: &HttpRequest, state: &AppState, body: &[u8]) -> Result<HttpResponse, Failure> {
    let form: TokenRequest = form::read(req, body)?;
    match form.grant_type.as_str() {
        "authorization_code" => authorization_code(req, state, &form).await,
        "refresh_token" => refresh(req, state, &form).await,
        "client_credentials" => {
            let request = ClientTokenRequest {
                grant_type: form.grant_type.clone(),
                client_id: form.client_id.clone(),
                client_secret: form.client_secret.clone(),
                scope: form.scope.clone(),
            };
            match client_credentials_grant(req, state, &request).await {
                Ok(token) => Ok(no_store_json(&token)),
                Err(ApiError::InvalidClient) => Err(OAuthError::invalid_client().into()),
                Err(other) => Err(other.into()),
            }
        }
        _ => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            Text::new(
                "Chỉ nhận authorization_code, refresh_token và client_credentials.",
                "Only authorization_code, refresh_token and client_credentials are supported.",
            ),
        )
        .into()),
    }
}

fn bad_code() -> Failure {
    OAuthError::invalid_grant(Text::new(
        "Mã ủy quyền không hợp lệ, đã dùng hoặc hết hạn.",
        "The authorization code is invalid, used or expired.",
    ))
    .into()
}

/// What presenting a code led to, decided inside the transaction and answered after it.
enum CodeOutcome {
    Tokens(OAuthTokens),
    /// Used before: its grant was revoked.
    Reused,
    Refused(Failure),
}

async fn authorization_code(req: &HttpRequest, state: &AppState, form: &TokenRequest) -> Result<HttpResponse, Failure> {
    let mut conn = state.pool.get().await?;
    let app = client_auth::app(&mut conn, req, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let code =
        form.code.as_deref().filter(|c| c.starts_with(codes::CODE_PREFIX) && c.len() <= 100).ok_or_else(bad_code)?;
    let meta = RequestMeta::of(req, &state.config.auth.trusted_proxies);
    let user_agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    let outcome = in_transaction(&mut conn, async |conn| {
        let Some(row) = codes::find_for_update(conn, code).await? else {
            return Ok(CodeOutcome::Refused(bad_code()));
        };
        // Another app's code proves nothing about this one: refused, left as it is.
        if row.app_id != app.id {
            return Ok(CodeOutcome::Refused(bad_code()));
        }
        if row.used_at.is_some() {
            if let Some(session) = row.session_id {
                sessions::revoke(conn, session, "authorization_code_reuse").await?;
            }
            let event = AuditEvent::new("oauth.code_reused")
                .outcome(Outcome::Denied)
                .object("oauth_app", app.id)
                .details(json!({"client_id": app.client_id, "user_id": row.user_id, "effect": "grant revoked"}));
            audit::record(conn, &AuditActor::anonymous(), &meta, event).await?;
            return Ok(CodeOutcome::Reused);
        }
        // Spent now, whatever follows: a code gets one try.
        codes::mark_used(conn, code, None).await?;
        if row.expires_at < chrono::Utc::now() {
            return Ok(CodeOutcome::Refused(bad_code()));
        }
        if form.redirect_uri.as_deref() != Some(row.redirect_uri.as_str()) {
            return Ok(CodeOutcome::Refused(
                OAuthError::invalid_grant(Text::new(
                    "redirect_uri khác với lúc xin mã.",
                    "redirect_uri differs from the authorization request's.",
                ))
                .into(),
            ));
        }
        let verified = form.code_verifier.as_deref().is_some_and(|v| pkce::verifies(v, &row.code_challenge));
        if !verified {
            return Ok(CodeOutcome::Refused(
                OAuthError::invalid_grant(Text::new(
                    "code_verifier không khớp (PKCE).",
                    "code_verifier does not match the challenge (PKCE).",
                ))
                .into(),
            ));
        }
        let account: Option<(String, i32)> = users::table
            .find(row.user_id)
            .filter(users::status.eq("active"))
            .filter(users::must_change_password.eq(false))
            .select((users::username, users::token_version))
            .first(conn)
            .await
            .optional()?;
        let Some((username, token_version)) = account else {
            return Ok(CodeOutcome::Refused(bad_code()));
        };
        let granted = scopes::from_stored(&row.scopes);
        let grant = AppGrant {
            app_id: app.id,
            client_id: app.client_id.clone(),
            scopes: granted.iter().map(|p| p.as_str().to_owned()).collect(),
        };
        let (session, pair) =
            sessions::start_session(conn, state, row.user_id, token_version, Some(&grant), &meta, user_agent).await?;
        codes::mark_used(conn, code, Some(session)).await?;
        issued(conn, &app, (row.user_id, &username), &meta, "authorization_code", &granted).await?;
        Ok::<_, ApiError>(CodeOutcome::Tokens(OAuthTokens::of(pair, &granted)))
    })
    .await?;
    match outcome {
        CodeOutcome::Tokens(tokens) => Ok(no_store_json(&tokens)),
        CodeOutcome::Reused => Err(bad_code()),
        CodeOutcome::Refused(failure) => Err(failure),
    }
}

/// Records a token issued to an app and when the app was last used.
async fn issued(
    conn: &mut diesel_async::AsyncPgConnection,
    app: &AppRow,
    (user, username): (uuid::Uuid, &str),
    meta: &RequestMeta,
    grant_type: &str,
    granted: &[crate::auth::Permission],
) -> Result<(), ApiError> {
    diesel::update(oauth_apps::table.find(app.id))
        .set(oauth_apps::last_used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    let event = AuditEvent::new("oauth.token").object("oauth_app", app.id).details(json!({
        "client_id": app.client_id,
        "grant_type": grant_type,
        "scope": scopes::join(granted),
    }));
    audit::record(conn, &AuditActor::user(user, username), meta, event).await
}

async fn refresh(req: &HttpRequest, state: &AppState, form: &TokenRequest) -> Result<HttpResponse, Failure> {
    let mut conn = state.pool.get().await?;
    let app = client_auth::app(&mut conn, req, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let bad_refresh = || -> Failure {
        OAuthError::invalid_grant(Text::new(
            "Mã làm mới không hợp lệ, đã dùng hoặc hết hạn.",
            "The refresh token is invalid, used or expired.",
        ))
        .into()
    };
    let token = form
        .refresh_token
        .as_deref()
        .filter(|t| t.starts_with(REFRESH_PREFIX) && t.len() <= 200)
        .ok_or_else(bad_refresh)?;
    let narrow_to: Option<Vec<String>> = match form.scope.as_deref() {
        None => None,
        Some(text) => match scopes::parse(text) {
            Ok(list) => Some(list.iter().map(|p| p.as_str().to_owned()).collect()),
            Err(_) => return Err(invalid_scope()),
        },
    };
    let meta = RequestMeta::of(req, &state.config.auth.trusted_proxies);
    let presenter = Presenter::App { app_id: app.id, client_id: &app.client_id, narrow_to: narrow_to.as_deref() };
    let (rotation, granted) = in_transaction(&mut conn, async |conn| {
        let rotation = sessions::rotate(conn, state, token, presenter).await?;
        let mut granted = Vec::new();
        match &rotation {
            Rotation::Reused { user, session } => {
                let event = AuditEvent::new("oauth.refresh_token_reused")
                    .outcome(Outcome::Denied)
                    .object("session", session)
                    .details(json!({"client_id": app.client_id, "user_id": user, "effect": "grant revoked"}));
                audit::record(conn, &AuditActor::anonymous(), &meta, event).await?;
            }
            Rotation::Rotated { user, session, .. } => {
                let username: String = users::table.find(*user).select(users::username).first(conn).await?;
                granted = session_scopes(conn, *session).await?;
                issued(conn, &app, (*user, &username), &meta, "refresh_token", &granted).await?;
            }
            Rotation::WiderScope | Rotation::Invalid => {}
        }
        Ok::<_, ApiError>((rotation, granted))
    })
    .await?;
    match rotation {
        Rotation::Rotated { tokens, .. } => Ok(no_store_json(&OAuthTokens::of(tokens, &granted))),
        Rotation::WiderScope => Err(invalid_scope()),
        Rotation::Reused { .. } | Rotation::Invalid => Err(bad_refresh()),
    }
}

fn invalid_scope() -> Failure {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        Text::new("Phạm vi rộng hơn phạm vi đã được cấp.", "The scope is wider than the one granted."),
    )
    .into()
}

/// The scopes a grant holds now.
async fn session_scopes(
    conn: &mut diesel_async::AsyncPgConnection,
    session: uuid::Uuid,
) -> Result<Vec<crate::auth::Permission>, ApiError> {
    use crate::schema::sessions as s;
    let stored: Option<Vec<Option<String>>> = s::table.find(session).select(s::scopes).first(conn).await?;
    Ok(scopes::from_stored(&stored.unwrap_or_default()))
}
