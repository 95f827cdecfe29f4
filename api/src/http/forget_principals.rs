//! Writes that may change who someone is empty this instance's principal cache
//! (`auth::principal_cache`) before their answer leaves, so a client that logs out or removes a
//! grant and calls again is refused on that very call, without waiting for `NOTIFY chihoi_auth`
//! to travel back from PostgreSQL.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

/// Writes that cannot change any principal (route patterns, by prefix): answering them does not
/// empty the cache. Every other write does, so a new route is safe by default.
const WRITES_THAT_KEEP_PRINCIPALS: &[&str] = &[
    // A login only adds a session: nothing kept is about it yet (and a flood of logins must not
    // make every read pay for its principal again).
    "/api/v1/auth/login",
    "/api/v1/activities",
    "/api/v1/members",
    "/api/v1/prospects",
    "/api/v1/pairs",
    "/api/v1/support",
    "/api/v1/sync",
];

/// Middleware: a write that may have changed who someone is empties this instance's cache before
/// its answer leaves, whatever the answer (a failed write changed nothing, forgetting is cheap).
pub async fn forget_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let safe = req.method().is_safe();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await?;
    if !safe
        && let Some(state) = state
        && !keeps_principals(response.request().match_pattern().as_deref())
    {
        state.principals.forget_all();
    }
    Ok(response)
}

fn keeps_principals(route: Option<&str>) -> bool {
    route.is_some_and(|route| {
        WRITES_THAT_KEEP_PRINCIPALS
            .iter()
            .any(|prefix| route.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_routes_keep_principals() {
        assert!(keeps_principals(Some("/api/v1/activities/{id}/attendance")));
        assert!(keeps_principals(Some("/api/v1/auth/login")));
        assert!(!keeps_principals(Some("/api/v1/auth/logout")));
        assert!(!keeps_principals(Some("/api/v1/membersx")));
        assert!(!keeps_principals(Some("/api/v1/users/{id}/roles")));
        assert!(!keeps_principals(None));
    }
}
