//! Finding the grant a presented token belongs to: a refresh token by its digest, an access
//! token by the session it names (RFC 7009 and RFC 7662 take either).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::jwt::{JwtKeys, TYPE_USER};
use crate::auth::tokens::{REFRESH_PREFIX, digest};
use crate::http::ApiError;
use crate::schema::{refresh_tokens, sessions, users};

/// A grant (session) a token belongs to, and what the token itself says.
pub struct Held {
    pub session: Uuid,
    pub app: Option<Uuid>,
    pub user: Uuid,
    pub scopes: Option<Vec<Option<String>>>,
    /// The grant and the token are alive (not revoked, used or expired; the account active
    /// and its password unchanged since the token).
    pub live: bool,
    pub issued_at: Option<i64>,
    pub expires_at: i64,
    pub kind: TokenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

type SessionRow =
    (Uuid, Option<Uuid>, Uuid, Option<Vec<Option<String>>>, Option<DateTime<Utc>>, DateTime<Utc>, bool, i32);

fn session_columns() -> (
    sessions::id,
    sessions::oauth_app_id,
    sessions::user_id,
    sessions::scopes,
    sessions::revoked_at,
    sessions::expires_at,
    diesel::dsl::Eq<users::status, &'static str>,
    users::token_version,
) {
    (
        sessions::id,
        sessions::oauth_app_id,
        sessions::user_id,
        sessions::scopes,
        sessions::revoked_at,
        sessions::expires_at,
        users::status.eq("active"),
        users::token_version,
    )
}

/// The grant of `token`, if it is one of ours (`None`: unknown, forged or unreadable).
pub async fn find(conn: &mut AsyncPgConnection, keys: &JwtKeys, token: &str) -> Result<Option<Held>, ApiError> {
    let now = Utc::now();
    if token.starts_with(REFRESH_PREFIX) {
        type Found = (SessionRow, Option<DateTime<Utc>>, DateTime<Utc>, DateTime<Utc>);
        let found: Option<Found> = refresh_tokens::table
            .inner_join(sessions::table.inner_join(users::table))
            .filter(refresh_tokens::token_hash.eq(digest(token)))
            .select((
                session_columns(),
                refresh_tokens::used_at,
                refresh_tokens::created_at,
                refresh_tokens::expires_at,
            ))
            .first(conn)
            .await
            .optional()?;
        return Ok(found.map(|((session, app, user, scopes, revoked, expires, active, _), used, created, until)| {
            Held {
                session,
                app,
                user,
                scopes,
                live: revoked.is_none() && expires.min(until) > now && active && used.is_none(),
                issued_at: Some(created.timestamp()),
                expires_at: expires.min(until).timestamp(),
                kind: TokenKind::Refresh,
            }
        }));
    }
    let Some(claims) = keys.verify(token) else {
        return Ok(None);
    };
    let session = claims.sid.as_deref().and_then(|s| Uuid::parse_str(s).ok());
    let (Some(session), true) = (session, claims.typ == TYPE_USER) else {
        return Ok(None);
    };
    let found: Option<SessionRow> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session))
        .select(session_columns())
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(session, app, user, scopes, revoked, _, active, version)| Held {
        session,
        app,
        user,
        scopes,
        live: revoked.is_none() && active && version == claims.ver && claims.exp > now.timestamp(),
        issued_at: Some(claims.iat),
        expires_at: claims.exp,
        kind: TokenKind::Access,
    }))
}
