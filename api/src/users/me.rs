//! `/api/v1/me`: the caller's own account, roles and effective permissions; her password.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, get, post, web};
use uuid::Uuid;

use super::handlers::hash_password;
use super::queries;
use super::wire::{EffectivePermission, Me, PasswordChange, RoleGrant, User};
use crate::audit::AuditEvent;
use crate::auth::passwords::{self, policy_issue};
use crate::auth::principal::Actor;
use crate::auth::wire::TokenPair;
use crate::auth::{Caller, Permission, sessions, throttle};
use crate::db::in_transaction;
use crate::http::{ApiError, ApiJson, FieldIssue, Text};
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
    let Actor::User { id, username, session_id: Some(_), .. } = &caller.principal.actor else {
        return Err(ApiError::Forbidden);
    };
    let (id, username) = (*id, username.clone());
    let body = body.into_inner();
    let mut conn = state.pool.get().await?;
    // Guessing the current password with a stolen session is throttled like a login, on the
    // same counter: the attempt is counted before the check and forgotten on success.
    let subject = throttle::user_subject(&username);
    let policy = crate::auth::handlers::user_policy(&state);
    let reserved = in_transaction(&mut conn, async |conn| {
        throttle::reserve_attempt(conn, &subject, policy).await.map_err(ApiError::from)
    })
    .await?;
    if let Some(seconds) = reserved {
        return Err(ApiError::TooManyRequests(seconds));
    }
    let stored = queries::password_hash(&mut conn, id).await?;
    let current = body.current_password.clone();
    // The connection goes back to the pool while the password is checked (see the login).
    drop(conn);
    let matches = state.password_gate.run(move || passwords::verify(&current, &stored)).await?;
    let mut conn = state.pool.get().await?;
    if matches {
        throttle::clear(&mut conn, &subject).await?;
    } else {
        return Err(ApiError::Validation(vec![FieldIssue::new(
            "current_password",
            "mismatch",
            Text::new("Mật khẩu hiện tại không đúng.", "The current password is wrong."),
        )]));
    }
    if let Some(issue) = policy_issue("new_password", &body.new_password, &username) {
        return Err(ApiError::Validation(vec![issue]));
    }
    if body.new_password == body.current_password {
        return Err(ApiError::invalid_field(
            "new_password",
            "unchanged",
            Text::new("Mật khẩu mới phải khác mật khẩu cũ.", "The new password must differ from the current one."),
        ));
    }
    let phc = hash_password(&state, body.new_password).await?;
    let user_agent =
        req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let tokens = in_transaction(&mut conn, async |conn| {
        queries::set_password(conn, id, &phc, false).await?;
        sessions::revoke_all(conn, id, "password_changed").await?;
        let (user, _) = queries::find(conn, id).await?.ok_or(ApiError::Unauthorized)?;
        caller
            .audit(
                conn,
                AuditEvent::new("user.password_change").object("user", id).unit(user.home_unit_id).fields(["password"]),
            )
            .await?;
        let token_version = crate::auth::sessions::current_token_version(conn, id).await?;
        sessions::start(conn, &state, id, token_version, &caller.meta, user_agent.as_deref()).await
    })
    .await?;
    Ok(web::Json(tokens))
}
