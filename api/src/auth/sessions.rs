//! Login sessions, rotating refresh tokens and access tokens.

use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::RequestMeta;
use super::jwt::{Claims, TYPE_CLIENT, TYPE_USER};
use super::tokens::{REFRESH_PREFIX, digest, generate};
use super::wire::TokenPair;
use crate::http::ApiError;
use crate::schema::{api_tokens, refresh_tokens, sessions, users};
use crate::state::AppState;

fn ttl(duration: std::time::Duration) -> ChronoDuration {
    ChronoDuration::from_std(duration).unwrap_or(ChronoDuration::days(30))
}

/// A signed access token for a subject, and its lifetime in seconds.
pub fn access_token(
    state: &AppState,
    typ: &str,
    subject: Uuid,
    session: Option<Uuid>,
    token_version: i32,
    app: Option<&AppGrant>,
) -> Result<(String, u64), ApiError> {
    let now = Utc::now().timestamp();
    let lifetime = state.config.auth.access_token_ttl.as_secs();
    let claims = Claims {
        iss: state.jwt.issuer().to_owned(),
        aud: state.jwt.audience().to_owned(),
        sub: subject.to_string(),
        exp: now + i64::try_from(lifetime).unwrap_or(900),
        iat: now,
        jti: Uuid::now_v7().to_string(),
        typ: typ.to_owned(),
        sid: session.map(|s| s.to_string()),
        ver: token_version,
        client_id: app.map(|a| a.client_id.clone()),
        scope: app.map(|a| a.scopes.join(" ")),
    };
    Ok((state.jwt.sign(&claims).map_err(ApiError::internal)?, lifetime))
}

pub fn client_token(state: &AppState, client: Uuid, token_version: i32) -> Result<(String, u64), ApiError> {
    access_token(state, TYPE_CLIENT, client, None, token_version, None)
}

/// What an officer granted a third-party app: the session it opens is marked with the app and
/// limited to the scopes.
#[derive(Debug, Clone)]
pub struct AppGrant {
    pub app_id: Uuid,
    pub client_id: String,
    pub scopes: Vec<String>,
}

async fn new_refresh_token(conn: &mut AsyncPgConnection, state: &AppState, session: Uuid) -> Result<String, ApiError> {
    let token = generate(REFRESH_PREFIX).map_err(ApiError::internal)?;
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(digest(&token)),
            refresh_tokens::session_id.eq(session),
            refresh_tokens::expires_at.eq(Utc::now() + ttl(state.config.auth.refresh_token_ttl)),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Opens a session for a user who just proved who she is.
pub async fn start(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    user: Uuid,
    token_version: i32,
    meta: &RequestMeta,
    user_agent: Option<&str>,
) -> Result<TokenPair, ApiError> {
    start_session(conn, state, user, token_version, None, meta, user_agent).await.map(|(_, tokens)| tokens)
}

/// Opens the session of a grant to an app (in the caller's transaction); returns its id.
pub async fn start_session(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    user: Uuid,
    token_version: i32,
    app: Option<&AppGrant>,
    meta: &RequestMeta,
    user_agent: Option<&str>,
) -> Result<(Uuid, TokenPair), ApiError> {
    let session = Uuid::now_v7();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(session),
            sessions::user_id.eq(user),
            sessions::expires_at.eq(Utc::now() + ttl(state.config.auth.refresh_token_ttl)),
            sessions::client_ip.eq(meta.client_ip.as_deref()),
            sessions::user_agent.eq(user_agent.map(|ua| ua.chars().take(200).collect::<String>())),
            sessions::oauth_app_id.eq(app.map(|a| a.app_id)),
            sessions::scopes.eq(app.map(|a| a.scopes.iter().cloned().map(Some).collect::<Vec<_>>())),
        ))
        .execute(conn)
        .await?;
    let refresh_token = new_refresh_token(conn, state, session).await?;
    let (access_token, expires_in) = access_token(state, TYPE_USER, user, Some(session), token_version, app)?;
    Ok((session, TokenPair::bearer(access_token, expires_in, refresh_token)))
}

/// What presenting a refresh token led to.
pub enum Rotation {
    Rotated {
        user: Uuid,
        session: Uuid,
        tokens: TokenPair,
    },
    /// An already rotated token came back: it leaked. Its session is now revoked.
    Reused {
        user: Uuid,
        session: Uuid,
    },
    /// An app asked for a scope its grant does not hold: refused, the grant unchanged.
    WiderScope,
    Invalid,
}

#[derive(Queryable)]
struct Presented {
    session: Uuid,
    used: bool,
    token_live: bool,
    session_live: bool,
    user: Uuid,
    user_active: bool,
    token_version: i32,
    app: Option<Uuid>,
    scopes: Option<Vec<Option<String>>>,
}

/// Who presents a refresh token: chihoi's own tools (`/auth/refresh`, sessions of logins only)
/// or an app at the token endpoint (its own grants only), possibly asking for fewer scopes.
pub enum Presenter<'a> {
    FirstParty,
    App { app_id: Uuid, client_id: &'a str, narrow_to: Option<&'a [String]> },
}

/// Exchanges a refresh token for a new pair (in the caller's transaction).
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    refresh_token: &str,
    presenter: Presenter<'_>,
) -> Result<Rotation, ApiError> {
    let presented: Option<Presented> = refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(digest(refresh_token)))
        .select((
            refresh_tokens::session_id,
            refresh_tokens::used_at.is_not_null(),
            refresh_tokens::expires_at.gt(diesel::dsl::now),
            sessions::revoked_at.is_null().and(sessions::expires_at.gt(diesel::dsl::now)),
            users::id,
            users::status.eq("active"),
            users::token_version,
            sessions::oauth_app_id,
            sessions::scopes,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(p) = presented else {
        return Ok(Rotation::Invalid);
    };
    // Another party's token proves nothing about this one's family: refused, nothing revoked.
    let own = match &presenter {
        Presenter::FirstParty => p.app.is_none(),
        Presenter::App { app_id, .. } => p.app == Some(*app_id),
    };
    if !own {
        return Ok(Rotation::Invalid);
    }
    if p.used {
        if p.session_live {
            revoke(conn, p.session, "refresh_token_reuse").await?;
        }
        return Ok(Rotation::Reused { user: p.user, session: p.session });
    }
    if !(p.token_live && p.session_live && p.user_active) {
        return Ok(Rotation::Invalid);
    }
    let grant = match presenter {
        Presenter::FirstParty => None,
        Presenter::App { app_id, client_id, narrow_to } => {
            let held: Vec<String> = p.scopes.unwrap_or_default().into_iter().flatten().collect();
            let scopes = match narrow_to {
                Some(asked) if !asked.iter().all(|s| held.contains(s)) => return Ok(Rotation::WiderScope),
                Some(asked) => asked.to_vec(),
                None => held,
            };
            Some(AppGrant { app_id, client_id: client_id.to_owned(), scopes })
        }
    };
    diesel::update(refresh_tokens::table.filter(refresh_tokens::token_hash.eq(digest(refresh_token))))
        .set(refresh_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    // A narrowed grant stays narrow: a later refresh cannot widen it again.
    let scopes = grant.as_ref().map(|g| g.scopes.iter().cloned().map(Some).collect::<Vec<_>>());
    diesel::update(sessions::table.find(p.session))
        .set((
            sessions::last_refreshed_at.eq(diesel::dsl::now),
            sessions::expires_at.eq(Utc::now() + ttl(state.config.auth.refresh_token_ttl)),
            scopes.map(|s| sessions::scopes.eq(s)),
        ))
        .execute(conn)
        .await?;
    let refresh_token = new_refresh_token(conn, state, p.session).await?;
    let (access_token, expires_in) =
        access_token(state, TYPE_USER, p.user, Some(p.session), p.token_version, grant.as_ref())?;
    Ok(Rotation::Rotated {
        user: p.user,
        session: p.session,
        tokens: TokenPair::bearer(access_token, expires_in, refresh_token),
    })
}

pub async fn revoke(conn: &mut AsyncPgConnection, session: Uuid, reason: &str) -> Result<(), ApiError> {
    diesel::update(sessions::table.find(session).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(diesel::dsl::now), sessions::revoked_reason.eq(reason)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session and API token of a user and invalidates her access tokens (disable,
/// password change or reset).
pub async fn revoke_all(conn: &mut AsyncPgConnection, user: Uuid, reason: &str) -> Result<(), ApiError> {
    diesel::update(sessions::table.filter(sessions::user_id.eq(user)).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(diesel::dsl::now), sessions::revoked_reason.eq(reason)))
        .execute(conn)
        .await?;
    // API tokens too: a password change, reset or disabling ends every credential the account
    // made, or a stolen token would outlive the remedy (a re-enabled account starts afresh).
    diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(user)).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    diesel::update(users::table.find(user))
        .set(users::token_version.eq(users::token_version + 1))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn current_token_version(conn: &mut AsyncPgConnection, user: Uuid) -> Result<i32, ApiError> {
    Ok(users::table.find(user).select(users::token_version).first(conn).await?)
}
