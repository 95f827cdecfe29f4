//! Checking a user name and password: the one path for `POST /auth/login` and the sign-in page
//! of third-party apps (OAuth), so both share the throttles, the bounded hashing and the audit.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;
use uuid::Uuid;

use super::RequestMeta;
use super::passwords::{self, MAX_LENGTH};
use super::throttle::{self, Policy, ip_subject, user_subject};
use crate::audit::{self, AuditActor, AuditEvent, Outcome};
use crate::db::in_transaction;
use crate::http::ApiError;
use crate::schema::users;
use crate::state::AppState;

#[derive(Queryable)]
struct Account {
    id: Uuid,
    username: String,
    password_hash: String,
    active: bool,
    token_version: i32,
    home_unit_id: Uuid,
}

/// An account whose password was just checked.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub id: Uuid,
    pub username: String,
    pub token_version: i32,
}

/// The per-account throttle policy (logins and `/me/password`).
pub fn user_policy(state: &AppState) -> Policy {
    policies(state).0
}

/// The per-account and per-address throttle policies.
pub fn policies(state: &AppState) -> (Policy, Policy) {
    let auth = &state.config.auth;
    let user = Policy { max_failures: auth.login_max_failures, window: auth.login_window, block: auth.login_block };
    let ip = Policy { max_failures: auth.login_max_failures_per_ip, ..user };
    (user, ip)
}

/// Checks `password` for `username`. Unknown user, wrong password and a disabled account are
/// the same `401 invalid_credentials`; repeated failures for one name or from one address are
/// `429`. Success and failure are audited (`auth.login`; `via` names the app whose sign-in
/// page was used).
pub async fn check_password(
    state: &AppState,
    meta: &RequestMeta,
    username: &str,
    password: &str,
    via: Option<&str>,
) -> Result<LoggedIn, ApiError> {
    let username = username.trim().to_lowercase();
    if password.chars().count() > MAX_LENGTH || username.len() > 64 {
        return Err(ApiError::InvalidCredentials);
    }
    let (user_policy, ip_policy) = policies(state);
    let mut conn = state.pool.get().await?;
    if let Some(ip) = &meta.client_ip
        && let Some(seconds) = throttle::blocked_for(&mut conn, &[ip_subject(ip)]).await?
    {
        return Err(ApiError::TooManyRequests(seconds));
    }
    // The attempt is counted against the name before the password is checked (and forgotten
    // on success), so parallel guesses cannot all pass a check made before any was counted.
    let subject = user_subject(&username);
    let reserved = in_transaction(&mut conn, async |conn| {
        throttle::reserve_attempt(conn, &subject, user_policy).await.map_err(ApiError::from)
    })
    .await?;
    if let Some(seconds) = reserved {
        return Err(ApiError::TooManyRequests(seconds));
    }
    let account: Option<Account> = users::table
        .filter(users::username.eq(&username))
        .select((
            users::id,
            users::username,
            users::password_hash,
            users::status.eq("active"),
            users::token_version,
            users::home_unit_id,
        ))
        .first(&mut conn)
        .await
        .optional()?;

    // Verify off the async workers; an unknown name costs the same time as a known one. The
    // pooled connection goes back first: logins waiting for a hashing slot must not hold the
    // connections that reads need (measured: a login flood took reads from 1.5 ms to 656 ms).
    drop(conn);
    let params = state.config.auth.password_hash;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let candidate = password.to_owned();
    let (matches, rehash) = state
        .password_gate
        .run(move || match stored {
            Some(phc) if passwords::verify(&candidate, &phc) => {
                let rehash =
                    passwords::needs_rehash(&phc, params).then(|| passwords::hash(&candidate, params).ok()).flatten();
                (true, rehash)
            }
            Some(_) => (false, None),
            None => {
                passwords::verify_dummy(&candidate, params);
                (false, None)
            }
        })
        .await?;

    let via = via.map(|client_id| json!({"via_app": client_id})).unwrap_or_else(|| json!({}));
    let mut conn = state.pool.get().await?;
    match account {
        Some(account) if matches && account.active => {
            in_transaction(&mut conn, async |conn| {
                throttle::clear(conn, &user_subject(&username)).await?;
                let update = diesel::update(users::table.find(account.id));
                match rehash {
                    Some(phc) => {
                        update
                            .set((users::last_login_at.eq(diesel::dsl::now), users::password_hash.eq(phc)))
                            .execute(conn)
                            .await?
                    }
                    None => update.set(users::last_login_at.eq(diesel::dsl::now)).execute(conn).await?,
                };
                let event = AuditEvent::new("auth.login")
                    .object("user", account.id)
                    .unit(account.home_unit_id)
                    .details(via.clone());
                audit::record(conn, &AuditActor::user(account.id, &account.username), meta, event).await
            })
            .await?;
            Ok(LoggedIn { id: account.id, username: account.username, token_version: account.token_version })
        }
        account => {
            let reason = match &account {
                None => "unknown_user",
                Some(a) if !a.active => "account_disabled",
                Some(_) => "wrong_password",
            };
            in_transaction(&mut conn, async |conn| {
                // The name's failure was counted by the reservation; the address's is counted now.
                if let Some(ip) = &meta.client_ip {
                    throttle::record_failure(conn, &ip_subject(ip), ip_policy).await?;
                }
                // The typed name of an unknown account is not kept: it may be a mistyped password.
                let mut details = via.clone();
                details["reason"] = json!(reason);
                let event = AuditEvent::new("auth.login").outcome(Outcome::Failure).details(details);
                let event = match &account {
                    Some(a) => event.object("user", a.id).unit(a.home_unit_id),
                    None => event,
                };
                audit::record(conn, &AuditActor::anonymous(), meta, event).await
            })
            .await?;
            Err(ApiError::InvalidCredentials)
        }
    }
}
