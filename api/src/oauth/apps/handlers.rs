//! `/api/v1/oauth-apps`: registering third-party apps (ứng dụng bên thứ ba). Open dynamic
//! registration (RFC 7591) is off: an admin, or a unit's officer for her unit, registers apps.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use base64::Engine;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use super::access::{managed_app, may_register_on};
use super::models::AppRow;
use super::validate;
use super::wire::{
    AppStatus, NewOAuthApp, OAuthApp, OAuthAppListQuery, OAuthAppPatch, OAuthAppWithSecret, TokenEndpointAuthMethod,
};
use crate::audit::AuditEvent;
use crate::auth::tokens::{CLIENT_SECRET_PREFIX, digest, generate, shown_part};
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::Validator;
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, etag, precondition};
use crate::oauth::scopes;
use crate::org_units::access::visible_unit;
use crate::schema::{oauth_apps as a, oauth_consents, org_units, sessions};
use crate::state::AppState;

fn with_etag(status: StatusCode, app: &OAuthApp) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(app.version))).json(app)
}

/// A new client id: `app_` and 22 random characters.
fn new_client_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(format!("app_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// List third-party apps
///
/// Apps registered on units where the caller holds `apps:manage`, oldest first.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "list_oauth_apps",
    security(("bearer" = [])),
    params(OAuthAppListQuery),
    responses(
        (status = 200, description = "A page of apps.", body = super::wire::OAuthAppPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[get("/oauth-apps")]
pub async fn list_oauth_apps(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<OAuthAppListQuery>,
) -> Result<web::Json<Page<OAuthApp>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::AppsManage)?;
    let mut conn = state.pool.get().await?;
    let mut select = a::table
        .inner_join(org_units::table)
        .filter(org_units::path.contained_by_any(scope.paths()))
        .select(AppRow::as_select())
        .order(a::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(a::id.gt(after));
    }
    let rows: Vec<AppRow> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, OAuthApp::from)))
}

/// Register a third-party app
///
/// A public app (`token_endpoint_auth_method: none`, for mobile and desktop apps) gets no
/// secret and must use PKCE; a confidential app (a server) gets `client_secret`, shown this
/// once. The app reaches only the subtree of `org_unit_id`.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "create_oauth_app",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewOAuthApp,
    responses(
        (status = 201, description = "Registered.", body = OAuthAppWithSecret),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 422, response = crate::http::responses::Unprocessable),
    )
)]
#[post("/oauth-apps")]
pub async fn create_oauth_app(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewOAuthApp>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut v = Validator::new();
    let client_name = validate::name(&mut v, "client_name", &body.client_name, 100);
    let owner = validate::name(&mut v, "owner", &body.owner, 200);
    let logo_text = validate::logo_text(&mut v, body.logo_text.as_deref());
    let redirect_uris = validate::redirect_uris(&mut v, &body.redirect_uris);
    let scope = validate::scope(&mut v, &body.scope);
    v.finish()?;
    let method = body.token_endpoint_auth_method.unwrap_or(TokenEndpointAuthMethod::None);
    let secret =
        if method.is_confidential() { Some(generate(CLIENT_SECRET_PREFIX).map_err(ApiError::internal)?) } else { None };
    let client_id = new_client_id()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, body.org_unit_id, Permission::OrgUnitsRead).await?;
        may_register_on(&caller, &unit.path.0)?;
        let row: AppRow = diesel::insert_into(a::table)
            .values((
                a::id.eq(Uuid::now_v7()),
                a::client_id.eq(&client_id),
                a::client_name.eq(&client_name),
                a::owner.eq(&owner),
                a::logo_text.eq(logo_text.as_deref()),
                a::org_unit_id.eq(unit.id),
                a::redirect_uris.eq(redirect_uris.iter().cloned().map(Some).collect::<Vec<_>>()),
                a::scopes.eq(scopes::to_stored(&scope)),
                a::token_endpoint_auth_method.eq(method.as_str()),
                a::secret_hash.eq(secret.as_deref().map(digest)),
                a::secret_prefix.eq(secret.as_deref().map(shown_part)),
                a::created_by.eq(caller.principal.user_id()),
            ))
            .returning(AppRow::as_returning())
            .get_result(conn)
            .await?;
        let app = OAuthApp::from(row);
        let event = AuditEvent::new("oauth_app.create").object("oauth_app", app.id).unit(unit.id).fields([
            "client_name",
            "owner",
            "redirect_uris",
            "scope",
            "token_endpoint_auth_method",
        ]);
        caller.audit(conn, event).await?;
        let location = format!("/api/v1/oauth-apps/{}", app.id);
        let version = app.version;
        let body = OAuthAppWithSecret {
            client_secret_expires_at: secret.as_ref().map(|_| 0),
            client_secret: secret.clone(),
            app,
        };
        Ok(StoredResponse::json_with_secret(StatusCode::CREATED, &body)?
            .header(header::LOCATION, location)
            .header(header::ETAG, etag(version)))
    })
    .await
}

/// Get a third-party app
///
/// One registered third-party app: its name, owner, redirect URIs, allowed scopes and status; the
/// secret of a confidential app is never shown again.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "get_oauth_app",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "App id.")),
    responses(
        (status = 200, description = "The app.", body = OAuthApp, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/oauth-apps/{id}")]
pub async fn get_oauth_app(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let (row, _) = managed_app(&mut conn, &caller, id.into_inner(), false).await?;
    Ok(with_etag(StatusCode::OK, &OAuthApp::from(row)))
}

/// Ends the app's grants (`scopes` None: all of them; else those holding a scope outside it),
/// and forgets the consents they came from.
async fn end_grants(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    keep_within: Option<&[Option<String>]>,
    reason: &str,
) -> Result<(), ApiError> {
    use diesel::PgArrayExpressionMethods;
    let live = sessions::table.filter(sessions::oauth_app_id.eq(app)).filter(sessions::revoked_at.is_null());
    let update = (sessions::revoked_at.eq(diesel::dsl::now), sessions::revoked_reason.eq(reason));
    match keep_within {
        None => {
            diesel::update(live).set(update).execute(conn).await?;
            diesel::delete(oauth_consents::table.filter(oauth_consents::app_id.eq(app))).execute(conn).await?;
        }
        Some(allowed) => {
            let allowed = allowed.to_vec();
            diesel::update(live.filter(diesel::dsl::not(sessions::scopes.assume_not_null().is_contained_by(&allowed))))
                .set(update)
                .execute(conn)
                .await?;
            diesel::delete(
                oauth_consents::table
                    .filter(oauth_consents::app_id.eq(app))
                    .filter(diesel::dsl::not(oauth_consents::scopes.is_contained_by(&allowed))),
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// Change a third-party app
///
/// Rename it, change its redirect URIs or scopes, or disable it (its tokens stop working at
/// once; enabling it again does not bring them back). Narrowing `scope` ends the grants that
/// hold a scope no longer allowed.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "update_oauth_app",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "App id."),
        ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`."),
    ),
    request_body = OAuthAppPatch,
    responses(
        (status = 200, description = "Changed.", body = OAuthApp, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 422, response = crate::http::responses::Unprocessable),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/oauth-apps/{id}")]
pub async fn update_oauth_app(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<OAuthAppPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut v = Validator::new();
    let client_name = patch.client_name.as_deref().map(|n| validate::name(&mut v, "client_name", n, 100));
    let owner = patch.owner.as_deref().map(|n| validate::name(&mut v, "owner", n, 200));
    let logo_text = patch.logo_text.as_deref().map(|t| validate::logo_text(&mut v, Some(t)));
    let redirect_uris = patch.redirect_uris.as_deref().map(|u| validate::redirect_uris(&mut v, u));
    let scope = patch.scope.as_deref().map(|s| scopes::to_stored(&validate::scope(&mut v, s)));
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let app = in_transaction(&mut conn, async |conn| {
        let (current, _) = managed_app(conn, &caller, id, true).await?;
        precondition::check(&if_match, current.version, || {
            serde_json::to_value(OAuthApp::from(current.clone())).unwrap_or_default()
        })?;
        let disabling = patch.status == Some(AppStatus::Disabled) && current.is_active();
        let row: AppRow = diesel::update(a::table.find(id))
            .set((
                client_name.map(|n| a::client_name.eq(n)),
                owner.map(|n| a::owner.eq(n)),
                logo_text.map(|t| a::logo_text.eq(t)),
                redirect_uris.map(|u| a::redirect_uris.eq(u.into_iter().map(Some).collect::<Vec<_>>())),
                scope.clone().map(|s| a::scopes.eq(s)),
                patch.status.map(|s| a::status.eq(s.as_str())),
                a::version.eq(a::version + 1),
                a::updated_at.eq(diesel::dsl::now),
            ))
            .returning(AppRow::as_returning())
            .get_result(conn)
            .await?;
        if disabling {
            end_grants(conn, id, None, "app_disabled").await?;
        } else if let Some(scope) = &scope {
            end_grants(conn, id, Some(scope), "app_scope_narrowed").await?;
        }
        let action = if disabling { "oauth_app.disable" } else { "oauth_app.update" };
        let fields: Vec<&str> = [
            ("client_name", patch.client_name.is_some()),
            ("owner", patch.owner.is_some()),
            ("logo_text", patch.logo_text.is_some()),
            ("redirect_uris", patch.redirect_uris.is_some()),
            ("scope", patch.scope.is_some()),
            ("status", patch.status.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, changed)| changed.then_some(f))
        .collect();
        let event = AuditEvent::new(action).object("oauth_app", id).unit(row.org_unit_id).fields(fields);
        caller.audit(conn, event).await?;
        Ok::<_, ApiError>(OAuthApp::from(row))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, &app))
}

/// Delete a third-party app
///
/// Removes the app, every grant officers gave it and every token it holds. The audit trail
/// keeps what it did.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "delete_oauth_app",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "App id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[delete("/oauth-apps/{id}")]
pub async fn delete_oauth_app(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        let (row, _) = managed_app(conn, &caller, id, true).await?;
        // Sessions, consents and codes go with it (ON DELETE CASCADE).
        diesel::delete(a::table.find(id)).execute(conn).await?;
        caller.audit(conn, AuditEvent::new("oauth_app.delete").object("oauth_app", id).unit(row.org_unit_id)).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a confidential app's secret
///
/// Issues a new `client_secret` (returned once); the old one stops working at once. Tokens
/// already issued stay valid. A public app has no secret: 409.
#[utoipa::path(
    tag = "oauth_apps",
    operation_id = "create_oauth_app_secret",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "App id.")),
    responses(
        (status = 201, description = "New secret.", body = OAuthAppWithSecret),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/oauth-apps/{id}/secret")]
pub async fn create_oauth_app_secret(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let secret = generate(CLIENT_SECRET_PREFIX).map_err(ApiError::internal)?;
    let mut conn = state.pool.get().await?;
    let app = in_transaction(&mut conn, async |conn| {
        let (current, _) = managed_app(conn, &caller, id, true).await?;
        if !current.auth_method().is_confidential() {
            return Err(ApiError::Conflict {
                code: "public_app",
                detail: crate::http::Text::new(
                    "Ứng dụng công khai không có mã bí mật (dùng PKCE).",
                    "A public app has no secret (it uses PKCE).",
                ),
                field: Some("token_endpoint_auth_method".into()),
            });
        }
        let row: AppRow = diesel::update(a::table.find(id))
            .set((
                a::secret_hash.eq(digest(&secret)),
                a::secret_prefix.eq(shown_part(&secret)),
                a::version.eq(a::version + 1),
                a::updated_at.eq(diesel::dsl::now),
            ))
            .returning(AppRow::as_returning())
            .get_result(conn)
            .await?;
        let event = AuditEvent::new("oauth_app.rotate_secret")
            .object("oauth_app", id)
            .unit(row.org_unit_id)
            .fields(["client_secret"]);
        caller.audit(conn, event).await?;
        Ok(OAuthApp::from(row))
    })
    .await?;
    Ok(HttpResponse::Created().insert_header((header::ETAG, etag(app.version))).json(OAuthAppWithSecret {
        app,
        client_secret: Some(secret),
        client_secret_expires_at: Some(0),
    }))
}
