//! Authorization codes: single use, 60 seconds, kept only as their digest, bound to the app,
//! the redirect URI and the PKCE challenge. A code presented twice has leaked: the grant it
//! was exchanged for is revoked (RFC 6749 §4.1.2, RFC 9700 §4.5).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::scopes;
use crate::auth::Permission;
use crate::auth::tokens::{digest, generate};
use crate::http::ApiError;
use crate::schema::oauth_codes as c;

pub const CODE_PREFIX: &str = "chc_";
pub const CODE_SECONDS: i64 = 60;

/// A new code for `user`'s grant to `app` (in the caller's transaction).
pub async fn issue(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    user: Uuid,
    redirect_uri: &str,
    scopes: &[Permission],
    code_challenge: &str,
) -> Result<String, ApiError> {
    let code = generate(CODE_PREFIX).map_err(ApiError::internal)?;
    let now = Utc::now();
    diesel::insert_into(c::table)
        .values((
            c::code_hash.eq(digest(&code)),
            c::app_id.eq(app),
            c::user_id.eq(user),
            c::redirect_uri.eq(redirect_uri),
            c::scopes.eq(scopes::to_stored(scopes)),
            c::code_challenge.eq(code_challenge),
            c::created_at.eq(now),
            c::expires_at.eq(now + chrono::Duration::seconds(CODE_SECONDS)),
        ))
        .execute(conn)
        .await?;
    // Codes long dead are of no use, even as evidence of reuse (their grants live on their own).
    diesel::delete(c::table.filter(c::expires_at.lt(now - chrono::Duration::days(1)))).execute(conn).await?;
    Ok(code)
}

/// A code as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = c, check_for_backend(diesel::pg::Pg))]
pub struct CodeRow {
    pub app_id: Uuid,
    pub user_id: Uuid,
    pub redirect_uri: String,
    pub scopes: Vec<Option<String>>,
    pub code_challenge: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub session_id: Option<Uuid>,
}

/// The code, locked until the end of the caller's transaction.
pub async fn find_for_update(conn: &mut AsyncPgConnection, code: &str) -> Result<Option<CodeRow>, ApiError> {
    Ok(c::table.find(digest(code)).select(CodeRow::as_select()).for_update().first(conn).await.optional()?)
}

/// Marks the code used, with the grant it opened (None when it was spent on a failed try).
pub async fn mark_used(conn: &mut AsyncPgConnection, code: &str, session: Option<Uuid>) -> Result<(), ApiError> {
    diesel::update(c::table.find(digest(code)))
        .set((c::used_at.eq(diesel::dsl::now), c::session_id.eq(session)))
        .execute(conn)
        .await?;
    Ok(())
}
