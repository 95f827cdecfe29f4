//! Who authorized which app (ủy quyền): the officer's own view (`/me/authorized-apps`, where
//! she ends an app's access at once) and an app manager's view of an app's users.

use std::collections::HashMap;

use actix_web::{HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::access::{managed_app, own_grants};
use super::wire::{AppAuthorization, AuthorizedApp, OAuthAppListQuery};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::{ApiError, ApiQuery, Page, PageRequest};
use crate::oauth::scopes;
use crate::schema::{oauth_apps as a, oauth_consents as c, sessions, users};
use crate::state::AppState;

/// Live grants (sessions) per (app, user) among `apps` × `users`.
async fn live_grants(
    conn: &mut AsyncPgConnection,
    apps: &[Uuid],
    users: &[Uuid],
) -> Result<HashMap<(Uuid, Uuid), i64>, ApiError> {
    let rows: Vec<(Option<Uuid>, Uuid, i64)> = sessions::table
        .filter(sessions::oauth_app_id.eq_any(apps))
        .filter(sessions::user_id.eq_any(users))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .group_by((sessions::oauth_app_id, sessions::user_id))
        .select((sessions::oauth_app_id, sessions::user_id, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(app, user, n)| Some(((app?, user), n))).collect())
}

/// Ends every grant of `app` for `user` and forgets her consent; whether there was any.
pub async fn revoke_for_user(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    user: Uuid,
    reason: &str,
) -> Result<bool, ApiError> {
    let consents = diesel::delete(c::table.filter(c::app_id.eq(app)).filter(c::user_id.eq(user))).execute(conn).await?;
    let grants = diesel::update(
        sessions::table
            .filter(sessions::oauth_app_id.eq(app))
            .filter(sessions::user_id.eq(user))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((sessions::revoked_at.eq(diesel::dsl::now), sessions::revoked_reason.eq(reason)))
    .execute(conn)
    .await?;
    Ok(consents + grants > 0)
}

/// An app the officer allowed, with her consent.
#[derive(Queryable)]
struct MyAppRow {
    app_id: Uuid,
    client_id: String,
    client_name: String,
    owner: String,
    logo_text: Option<String>,
    scopes: Vec<Option<String>>,
    granted_at: DateTime<Utc>,
}

/// Apps I authorized
///
/// The third-party apps the caller allowed to act for her (ứng dụng đã cấp quyền), with the
/// scopes she allowed. Needs `me:read`, through her own login or API token (an app acting for
/// her cannot list the others: 403).
#[utoipa::path(
    tag = "me",
    operation_id = "list_my_authorized_apps",
    security(("bearer" = ["me:read"])),
    params(OAuthAppListQuery),
    responses(
        (status = 200, description = "A page of apps, by app id.", body = super::wire::AuthorizedAppPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[get("/me/authorized-apps")]
pub async fn list_my_authorized_apps(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<OAuthAppListQuery>,
) -> Result<web::Json<Page<AuthorizedApp>>, ApiError> {
    let me = own_grants(&caller, Permission::MeRead)?;
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let mut select = c::table
        .inner_join(a::table)
        .filter(c::user_id.eq(me))
        .select((a::id, a::client_id, a::client_name, a::owner, a::logo_text, c::scopes, c::granted_at))
        .order(a::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(a::id.gt(after));
    }
    let rows: Vec<MyAppRow> = select.load(&mut conn).await?;
    let apps: Vec<Uuid> = rows.iter().map(|r| r.app_id).collect();
    let live = live_grants(&mut conn, &apps, &[me]).await?;
    Ok(web::Json(Page::from_rows(
        rows,
        page.limit,
        |r| r.app_id,
        |r| AuthorizedApp {
            active_grants: live.get(&(r.app_id, me)).copied().unwrap_or(0),
            scope: scopes::join(&scopes::from_stored(&r.scopes)),
            app_id: r.app_id,
            client_id: r.client_id,
            client_name: r.client_name,
            owner: r.owner,
            logo_text: r.logo_text,
            granted_at: r.granted_at,
        },
    )))
}

/// Revoke an app's access
///
/// Ends every grant the caller gave the app: its access and refresh tokens stop working at
/// once, and it must ask her consent again. Needs `me:write`, through her own login or API
/// token. 404 when she never authorized it.
#[utoipa::path(
    tag = "me",
    operation_id = "delete_my_authorized_app",
    security(("bearer" = ["me:write"])),
    params(("app_id" = Uuid, Path, description = "The app's id (`app_id` of the list).")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[delete("/me/authorized-apps/{app_id}")]
pub async fn delete_my_authorized_app(
    caller: Caller,
    state: web::Data<AppState>,
    app_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let me = own_grants(&caller, Permission::MeWrite)?;
    let app = app_id.into_inner();
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        if !revoke_for_user(conn, app, me, "revoked_by_user").await? {
            return Err(ApiError::NotFound);
        }
        caller.audit(conn, AuditEvent::new("oauth.authorization_revoke").object("oauth_app", app)).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An officer who allowed the app, with her consent.
#[derive(Queryable)]
struct AuthorizationRow {
    user_id: Uuid,
    username: String,
    scopes: Vec<Option<String>>,
    granted_at: DateTime<Utc>,
}

/// Who authorized an app
///
/// The officers who allowed the app to act for them, with the scopes each allowed.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "list_oauth_app_authorizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "App id."), OAuthAppListQuery),
    responses(
        (status = 200, description = "A page of authorizations, by user id.", body = super::wire::AppAuthorizationPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/oauth-apps/{id}/authorizations")]
pub async fn list_oauth_app_authorizations(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<OAuthAppListQuery>,
) -> Result<web::Json<Page<AppAuthorization>>, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    managed_app(&mut conn, &caller, id, false).await?;
    let mut select = c::table
        .inner_join(users::table)
        .filter(c::app_id.eq(id))
        .select((users::id, users::username, c::scopes, c::granted_at))
        .order(users::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(users::id.gt(after));
    }
    let rows: Vec<AuthorizationRow> = select.load(&mut conn).await?;
    let people: Vec<Uuid> = rows.iter().map(|r| r.user_id).collect();
    let live = live_grants(&mut conn, &[id], &people).await?;
    Ok(web::Json(Page::from_rows(
        rows,
        page.limit,
        |r| r.user_id,
        |r| AppAuthorization {
            active_grants: live.get(&(id, r.user_id)).copied().unwrap_or(0),
            scope: scopes::join(&scopes::from_stored(&r.scopes)),
            user_id: r.user_id,
            username: r.username,
            granted_at: r.granted_at,
        },
    )))
}
