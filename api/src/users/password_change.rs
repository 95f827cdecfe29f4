//! Changing one's own password, shared by `POST /me/password` and the OAuth sign-in pages
//! (an officer who must change her password does it there before an app gets a token).

use uuid::Uuid;

use super::handlers::hash_password;
use super::queries;
use crate::audit::{self, AuditActor, AuditEvent};
use crate::auth::passwords::{self, policy_issue};
use crate::auth::{RequestMeta, sessions, throttle};
use crate::db::in_transaction;
use crate::http::{ApiError, FieldIssue, Text};
use crate::state::AppState;

/// Checks `current` (throttled like a login, on the same counter: the attempt is counted
/// before the check and forgotten on success), then sets `new` if the policy takes it, ends
/// every session of the account and records it. Field errors name `current_password` or
/// `new_password`.
pub async fn change(
    state: &AppState,
    actor: &AuditActor,
    meta: &RequestMeta,
    (id, username): (Uuid, &str),
    current: &str,
    new: &str,
) -> Result<(), ApiError> {
    let mut conn = state.pool.get().await?;
    let subject = throttle::user_subject(username);
    let policy = crate::auth::login::user_policy(state);
    let reserved = in_transaction(&mut conn, async |conn| {
        throttle::reserve_attempt(conn, &subject, policy).await.map_err(ApiError::from)
    })
    .await?;
    if let Some(seconds) = reserved {
        return Err(ApiError::TooManyRequests(seconds));
    }
    let stored = queries::password_hash(&mut conn, id).await?;
    let candidate = current.to_owned();
    // The connection goes back to the pool while the password is checked (see the login).
    drop(conn);
    let matches = state.password_gate.run(move || passwords::verify(&candidate, &stored)).await?;
    let mut conn = state.pool.get().await?;
    if !matches {
        return Err(ApiError::Validation(vec![FieldIssue::new(
            "current_password",
            "mismatch",
            Text::new("Mật khẩu hiện tại không đúng.", "The current password is wrong."),
        )]));
    }
    throttle::clear(&mut conn, &subject).await?;
    if let Some(issue) = policy_issue("new_password", new, username) {
        return Err(ApiError::Validation(vec![issue]));
    }
    if new == current {
        return Err(ApiError::invalid_field(
            "new_password",
            "unchanged",
            Text::new("Mật khẩu mới phải khác mật khẩu cũ.", "The new password must differ from the current one."),
        ));
    }
    let phc = hash_password(state, new.to_owned()).await?;
    in_transaction(&mut conn, async |conn| {
        queries::set_password(conn, id, &phc, false).await?;
        sessions::revoke_all(conn, id, "password_changed").await?;
        let (user, _) = queries::find(conn, id).await?.ok_or(ApiError::Unauthorized)?;
        let event =
            AuditEvent::new("user.password_change").object("user", id).unit(user.home_unit_id).fields(["password"]);
        audit::record(conn, actor, meta, event).await
    })
    .await
}
