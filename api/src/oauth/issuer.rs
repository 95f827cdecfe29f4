//! The issuer identifier (RFC 8414 §2, RFC 9207): `CHIHOI_PUBLIC_URL` when configured (set it
//! in production), else the origin the request was sent to, so metadata fetched from an address
//! names that address. Forwarded headers are believed only from trusted proxies.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::config::AuthConfig;

fn trusted_peer(req: &HttpRequest, auth: &AuthConfig) -> bool {
    req.peer_addr().is_some_and(|peer| auth.trusted_proxies.iter().any(|p| *p == peer.ip().to_string()))
}

/// A host as a URL may hold it: a name or address with an optional port.
fn plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

pub fn issuer(req: &HttpRequest, auth: &AuthConfig) -> String {
    if let Some(url) = &auth.public_url {
        return url.clone();
    }
    let forwarded = |name: &str| {
        trusted_peer(req, auth)
            .then(|| req.headers().get(name).and_then(|v| v.to_str().ok()))
            .flatten()
            .map(|v| v.split(',').next().unwrap_or("").trim().to_owned())
    };
    let scheme = match forwarded("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    let host = forwarded("x-forwarded-host")
        .or_else(|| req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned))
        .filter(|h| plausible_host(h))
        .unwrap_or_else(|| req.app_config().host().to_owned());
    format!("{scheme}://{host}")
}
