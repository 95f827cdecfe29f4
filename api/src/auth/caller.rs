//! The `Caller` extractor: a handler that takes one is authenticated, and knows who asks, from
//! where, under which request id. Every credential is checked on every request.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use super::jwt::{TYPE_CLIENT, TYPE_USER};
use super::lookup;
use super::principal::{Actor, Principal};
use super::principal_cache::TokenKey;
use super::tokens::{API_TOKEN_PREFIX, digest};
use crate::http::ApiError;
use crate::http::context::{RequestId, client_ip};
use crate::state::AppState;

/// Routes an account that must change its password may still use.
const ALLOWED_BEFORE_PASSWORD_CHANGE: &[&str] = &["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl RequestMeta {
    /// For work no request asked for (housekeeping jobs).
    pub fn none() -> RequestMeta {
        RequestMeta { request_id: None, client_ip: None }
    }

    pub fn of(req: &HttpRequest, trusted_proxies: &[String]) -> RequestMeta {
        RequestMeta {
            request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
            client_ip: client_ip(req, trusted_proxies),
        }
    }
}

#[derive(Clone)]
pub struct Caller {
    pub principal: Principal,
    pub meta: RequestMeta,
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty() && t.len() <= 4096)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let path = req.path().to_owned();
        let meta = state.as_ref().map(|s| RequestMeta::of(req, &s.config.auth.trusted_proxies));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::Unauthorized)?;
            let principal = authenticate(&state, &token).await?;
            let must_change = matches!(principal.actor, Actor::User { must_change_password: true, .. });
            if must_change && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path.as_str()) {
                return Err(ApiError::PasswordChangeRequired);
            }
            Ok(Caller { principal, meta: meta.unwrap_or(RequestMeta { request_id: None, client_ip: None }) })
        })
    }
}

async fn authenticate(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    if token.starts_with(API_TOKEN_PREFIX) {
        let mut conn = state.pool.get().await?;
        let found = lookup::user_by_api_token(&mut conn, &digest(token)).await?;
        drop(conn);
        if found.is_none() {
            // Made-up tokens each cost a lookup, and minting them defeats the per-token
            // limits: the refusal is held like a 429, so a flood of them is slow to send.
            let delay = state.config.rate_limits.refusal_delay;
            crate::http::rate_limit::hold_refusal(delay, delay).await;
        }
        return found.ok_or(ApiError::Unauthorized);
    }
    // A forged or expired token is refused before any database work.
    let claims = state.jwt.verify(token).ok_or(ApiError::Unauthorized)?;
    let subject = Uuid::parse_str(&claims.sub).map_err(|_| ApiError::Unauthorized)?;
    let key = match claims.typ.as_str() {
        TYPE_USER => {
            let session = claims.sid.as_deref().and_then(|s| Uuid::parse_str(s).ok()).ok_or(ApiError::Unauthorized)?;
            TokenKey::Session { user: subject, session, version: claims.ver }
        }
        TYPE_CLIENT => TokenKey::Client { client: subject, version: claims.ver },
        _ => return Err(ApiError::Unauthorized),
    };
    if let Some(principal) = state.principals.get(&key) {
        state.metrics.principal_lookup("cached");
        return Ok(principal);
    }
    state.metrics.principal_lookup("database");
    let generation = state.principals.generation();
    let mut conn = state.pool.get().await?;
    let principal = match key {
        TokenKey::Session { user, session, version } => {
            lookup::user_by_session(&mut conn, user, session, version).await?
        }
        TokenKey::Client { client, version } => lookup::client(&mut conn, client, version).await?,
    };
    let principal = principal.ok_or(ApiError::Unauthorized)?;
    state.principals.keep(key, &principal, generation);
    Ok(principal)
}

impl Caller {
    /// Whether `permission` holds on the unit at `unit_path`: the one check every access
    /// module (`*/access.rs`) makes, so a reviewer reads who may reach what there.
    pub fn can(&self, permission: crate::auth::Permission, unit_path: &str) -> bool {
        self.principal.can(permission, unit_path)
    }

    /// 403 unless `permission` holds on the unit at `unit_path`.
    pub fn require(&self, permission: crate::auth::Permission, unit_path: &str) -> Result<(), ApiError> {
        if self.can(permission, unit_path) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// 403 for machine clients: what follows names people, and a machine client of a
    /// higher-level system reads aggregates only.
    pub fn require_person(&self) -> Result<(), ApiError> {
        match self.principal.actor {
            Actor::User { .. } => Ok(()),
            Actor::Client { .. } => Err(ApiError::Forbidden),
        }
    }

    /// 403 unless the self permission holds (a person's own data; see `Principal::may_on_self`).
    pub fn require_self(&self, permission: crate::auth::Permission) -> Result<(), ApiError> {
        if self.principal.may_on_self(permission) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// The units where `permission` holds, for the `WHERE` clause of a query; 403 when there
    /// are none at all.
    pub fn scope(&self, permission: crate::auth::Permission) -> Result<Scope, ApiError> {
        let paths = self.principal.scope(permission);
        if paths.is_empty() { Err(ApiError::Forbidden) } else { Ok(Scope { paths }) }
    }

    /// The owner of idempotency keys: the credential, not only the person — a response stored
    /// for one API token is never replayed to another of the same owner. A person's sessions
    /// share her keys (a phone that logs in again may still retry what it sent).
    pub fn idempotency_owner(&self) -> String {
        match &self.principal.actor {
            Actor::User { id, api_token_id: Some(token), .. } => format!("user:{id}:api_token:{token}"),
            Actor::User { id, oauth_app_id: Some(app), .. } => format!("user:{id}:oauth_app:{app}"),
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Client { id, .. } => format!("client:{id}"),
        }
    }
}

/// The subtrees a query may touch. Every query that lists or finds scoped objects takes one,
/// so a handler cannot forget the caller's scope.
#[derive(Debug, Clone)]
pub struct Scope {
    paths: Vec<String>,
}

impl Scope {
    /// The subtree roots, as ltree values for `path <@ ANY(…)` filters.
    pub fn paths(&self) -> Vec<diesel_ltree::Ltree> {
        self.paths.iter().cloned().map(diesel_ltree::Ltree).collect()
    }

    pub fn contains(&self, unit_path: &str) -> bool {
        self.paths.iter().any(|p| super::principal::is_within(unit_path, p))
    }
}
