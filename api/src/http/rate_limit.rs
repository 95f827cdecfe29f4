//! Rate limits per token and per client address, with separate budgets for logins, reads,
//! writes and exports; `429` with `Retry-After` when spent, and the IETF `RateLimit-Policy` and
//! `RateLimit` headers on every API answer (draft-ietf-httpapi-ratelimit-headers). Counters are
//! GCRA cells held in this process (`limiter.rs`): behind several replicas each applies its own.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web;

use super::ApiError;
use super::canonical::{canonical_path, query_value};
use super::context::client_ip;
use super::limiter::Hit;
pub use crate::config::limits::{Budget, Quotas, RateLimits};
use crate::state::AppState;

impl Budget {
    /// The budget of a request, judged on its canonical path and decoded query, so that no
    /// spelling (`/api/v1/%61uth/login`, `format=%78lsx`) moves it to a larger budget.
    pub fn of(method: &Method, path: &str, query: &str) -> Budget {
        let path = canonical_path(path).unwrap_or_else(|_| path.to_owned());
        let format = query_value(query, "format");
        // The sign-in pages and token endpoints of OAuth cost what logins cost.
        if path.starts_with("/api/v1/auth/") || path.starts_with("/oauth/") {
            Budget::Login
        } else if path.ends_with("/export")
            || matches!(format.as_deref(), Some("csv" | "xlsx" | "svg"))
            || path.ends_with("/template")
            || path.ends_with(".svg")
        {
            Budget::Exports
        } else if method == Method::GET || method == Method::HEAD {
            Budget::Reads
        } else {
            Budget::Writes
        }
    }
}

/// Refusals held at once; past this many, a `429` goes out at once (holding costs a little
/// memory per connection, and the bound keeps it little).
const MAX_HELD_REFUSALS: usize = 1024;
static HELD_REFUSALS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_HELD_REFUSALS);

/// Holds a refusal a moment before it is sent. A client that floods without waiting for
/// `Retry-After` then costs one refusal per connection per delay instead of as many as the
/// CPU can write (measured in docs/BENCHMARKS.md, hostile load): refusing is cheap, but not
/// free, and on two cores a flood of cheap refusals is what slowed other users' reads.
/// Unknown API tokens are held the same way (`auth/caller.rs`): each costs a lookup.
pub async fn hold_refusal(delay: std::time::Duration, at_most: std::time::Duration) {
    if delay.is_zero() {
        return;
    }
    if let Ok(_held) = HELD_REFUSALS.try_acquire() {
        tokio::time::sleep(delay.min(at_most)).await;
    }
}

fn bearer_key(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    // Keys are digests: the limiter never holds a usable token.
    Some(crate::auth::tokens::digest(token).iter().take(16).map(|b| format!("{b:02x}")).collect())
}

fn set_headers(headers: &mut actix_web::http::header::HeaderMap, hit: &Hit) {
    let policy = format!("\"{}\";q={};w={}", hit.budget.name(), hit.quota, hit.window);
    let state = format!("\"{}\";r={};t={}", hit.budget.name(), hit.remaining, hit.reset);
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", state)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

/// Counts one request of `budget` from `address` against the per-address quota (the batch
/// endpoint charges each inner operation to the batch's sender this way); `Err(seconds)`
/// when spent. Loopback addresses are not counted, as in the middleware.
pub fn charge_address(state: &AppState, budget: Budget, address: Option<&str>) -> Result<(), u64> {
    let Some(address) = address.filter(|a| a.parse::<std::net::IpAddr>().is_ok_and(|ip| !ip.is_loopback())) else {
        return Ok(());
    };
    match state.rate_limiter.hit(budget, false, address.to_owned()) {
        Some(hit) if !hit.allowed => Err(hit.reset.max(1)),
        _ => Ok(()),
    }
}

/// The middleware: counts the request against each budget that applies to it.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let counted = req.path().starts_with("/api/") || req.path().starts_with("/oauth/");
    if !counted || req.method() == Method::OPTIONS {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let budget = Budget::of(req.method(), req.path(), req.query_string());
    let limits = &state.config.rate_limits;
    let mut hits = Vec::new();
    if let Some(key) = bearer_key(&req) {
        hits.extend(state.rate_limiter.hit(budget, true, key));
    }
    let address = client_ip(req.request(), &state.config.auth.trusted_proxies);
    // The server's own calls (batch operations) and local operators are counted per token only.
    let local = address.as_deref().and_then(|a| a.parse::<std::net::IpAddr>().ok()).is_none_or(|ip| ip.is_loopback());
    if let (Some(address), false) = (address, local) {
        hits.extend(state.rate_limiter.hit(budget, false, address));
    }
    let tightest =
        hits.iter().filter(|h| !h.allowed).max_by_key(|h| h.reset).or_else(|| hits.iter().min_by_key(|h| h.remaining));
    if let Some(refused) = hits.iter().filter(|h| !h.allowed).max_by_key(|h| h.reset) {
        hold_refusal(limits.refusal_delay, std::time::Duration::from_secs(refused.reset)).await;
        let mut response = req.error_response(ApiError::TooManyRequests(refused.reset.max(1)));
        set_headers(response.headers_mut(), refused);
        return Ok(response.map_into_boxed_body());
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    if let Some(hit) = tightest {
        set_headers(response.headers_mut(), hit);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_and_classify() {
        let quotas = Quotas::parse("reads=10/60, writes=2/1").unwrap();
        assert_eq!(quotas.0[&Budget::Reads], (10, 60));
        assert!(Quotas::parse("off").unwrap().0.is_empty());
        assert!(Quotas::parse("reeds=1/60").is_err());
        assert!(Quotas::parse("reads=0/60").is_err());
        assert_eq!(Budget::of(&Method::GET, "/api/v1/members", ""), Budget::Reads);
        assert_eq!(Budget::of(&Method::GET, "/api/v1/reports/kpis", "unit=x&format=xlsx"), Budget::Exports);
        assert_eq!(Budget::of(&Method::POST, "/api/v1/auth/login", ""), Budget::Login);
        assert_eq!(Budget::of(&Method::PATCH, "/api/v1/members/x", ""), Budget::Writes);
        assert_eq!(Budget::of(&Method::POST, "/api/v1/%61uth/login", ""), Budget::Login);
        assert_eq!(Budget::of(&Method::POST, "/oauth/token", ""), Budget::Login);
        assert_eq!(Budget::of(&Method::GET, "/%6fauth/authorize", ""), Budget::Login);
        assert_eq!(Budget::of(&Method::GET, "/api/v1/reports/kpis", "unit=x&format=%78lsx"), Budget::Exports);
        assert_eq!(Budget::of(&Method::GET, "/api/v1/reports/kpis/export", "unit=x&format=csv"), Budget::Exports);
    }
}
