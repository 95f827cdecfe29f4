//! `/api/v1/me`: the caller's own account, roles and effective permissions; her password.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, get, post, web};
use uuid::Uuid;

use super::password_change;
use super::queries;
use super::wire::{EffectivePermission, Me, PasswordChange, RoleGrant, User};
use crate::audit::AuditActor;
use crate::auth::principal::Actor;
use crate::auth::wire::TokenPair;
use crate::auth::{Caller, Permission, sessions};
use crate::db::in_transaction;
use crate::http::{ApiError, ApiJson};
use crate::state::AppState;

/// Who am I
///
/// The caller's account (or machine client), roles with their units, and every permission
/// with the units where it holds.
#[utoipa::path(
    tag = "users",
    operation_id = "get_me",
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The caller.", body = Me),
        (status = 401, response = crate::http::responses::Unauthorized),
    )
)]
#[get("/me")]
pub async fn get_me(caller: Caller, state: web::Data<AppState>) -> Result<web::Json<Me>, ApiError> {
    let mut conn = state.pool.get().await?;
    let principal = &caller.principal;
    let (actor_type, user, client_id, roles) = match &principal.actor {
        Actor::User { id, api_token_id, .. } => {
            let (user, _) = queries::find(&mut conn, *id).await?.ok_or(ApiError::Unauthorized)?;
            let grants = queries::grants(&mut conn, *id).await?;
            let roles = grants.into_iter().filter_map(|(g, name, _)| RoleGrant::from_row(g, name)).collect();
            let kind = if api_token_id.is_some() { "api_token" } else { "user" };
            (kind, Some(User::from(user)), None, roles)
        }
        Actor::Client { id, .. } => ("client", None, Some(*id), Vec::new()),
    };
    let mut by_permission: BTreeMap<Permission, Vec<Uuid>> = BTreeMap::new();
    for permission in Permission::ON_UNITS {
        for grant in principal.grants.iter().filter(|g| g.role.permissions().contains(&permission)) {
            if principal.scope(permission).contains(&grant.unit_path) {
                by_permission.entry(permission).or_default().push(grant.unit_id);
            }
        }
    }
    let permissions = by_permission
        .into_iter()
        .map(|(permission, mut org_unit_ids)| {
            org_unit_ids.sort();
            org_unit_ids.dedup();
            EffectivePermission { permission, org_unit_ids }
        })
        .collect();
    Ok(web::Json(Me { actor_type: actor_type.into(), user, client_id, roles, permissions }))
}

/// Change my password
///
/// Needs the current password. Every session of the account ends (other devices must log in
/// again) and a new session is returned for this one.
#[utoipa::path(
    tag = "users",
    operation_id = "update_my_password",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Changed; new tokens for this device.", body = TokenPair),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[post("/me/password")]
pub async fn update_my_password(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<PasswordChange>,
) -> Result<web::Json<TokenPair>, ApiError> {
    // Her own login only: an app acting for her never changes her password.
    let (Some(_), Actor::User { id, username, .. }) = (caller.principal.first_party_session(), &caller.principal.actor)
    else {
        return Err(ApiError::Forbidden);
    };
    let (id, username) = (*id, username.clone());
    let body = body.into_inner();
    let actor = AuditActor::of(&caller.principal.actor);
    password_change::change(&state, &actor, &caller.meta, (id, &username), &body.current_password, &body.new_password)
        .await?;
    let user_agent =
        req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut conn = state.pool.get().await?;
    let tokens = in_transaction(&mut conn, async |conn| {
        let token_version = crate::auth::sessions::current_token_version(conn, id).await?;
        sessions::start(conn, &state, id, token_version, &caller.meta, user_agent.as_deref()).await
    })
    .await?;
    Ok(web::Json(tokens))
}
