//! The request-context middleware: request id, tracing span, security headers, metrics, and the
//! rendering of every error response as RFC 9457 problem+json in the caller's language.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};
use tracing::Instrument;

use super::error::ApiError;
use super::problem::{self, PROBLEM_CONTENT_TYPE};
use super::text::Lang;
use crate::state::AppState;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the current request, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// An incoming `X-Request-Id` is kept when it is short and plain; otherwise a UUIDv7 is made.
fn request_id_from(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_REQUEST_ID_LEN
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = request_id_from(&req);
    let lang = Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(RequestId(request_id.clone()));
    req.extensions_mut().insert(lang);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().clone();
    // The path without its query string: queries may carry names being searched for.
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %method,
        path = %req.path(),
    );
    if let Some(state) = &state {
        state.metrics.request_started();
    }

    // Handlers' and extractors' errors arrive as responses carrying the error; an `Err` here
    // could only come from an inner middleware, and none of ours returns one.
    let response = next.call(req).instrument(span.clone()).await?.map_into_boxed_body();
    let own_body = response.response().extensions().contains::<super::problem::OwnBody>();
    let failed = response.status().is_client_error() || response.status().is_server_error();
    let mut response = if failed && !own_body { render_problem(response, lang, &request_id, &span) } else { response };
    set_standard_headers(&mut response, &request_id);
    // While draining, kept-alive clients are told to reconnect (to another replica).
    if state.as_ref().is_some_and(|s| s.draining.load(std::sync::atomic::Ordering::Relaxed)) {
        response.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    }

    let status = response.status().as_u16();
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        state.metrics.request_finished(method.as_str(), &route, status, elapsed);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            route = %route,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request completed"
        );
    });
    Ok(response)
}

fn render_problem(
    response: ServiceResponse<BoxBody>,
    lang: Lang,
    request_id: &str,
    span: &tracing::Span,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let api_error = response.response().error().and_then(|e| e.as_error::<ApiError>());
    let body = match api_error {
        Some(error) => {
            let cause = match error {
                ApiError::Internal(cause) => Some(cause.to_string()),
                ApiError::Unavailable(cause) => Some(cause.clone()),
                _ => None,
            };
            if let Some(cause) = cause {
                span.in_scope(|| tracing::error!(code = error.code(), cause = %cause, "request failed"));
            }
            problem::from_error(error, lang, request_id)
        }
        None => {
            if status.is_server_error() {
                let cause = response.response().error().map(ToString::to_string);
                span.in_scope(|| tracing::error!(cause = ?cause, "request failed"));
            }
            problem::from_status(status, lang, request_id)
        }
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    response.map_body(|head, _| {
        head.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
        // The title and detail follow Accept-Language: say which, and let caches key on it.
        head.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
        super::conditional::vary_on_language(head.headers_mut());
        head.headers_mut().remove(header::CONTENT_LENGTH);
        head.headers_mut().remove(header::CONTENT_ENCODING);
        BoxBody::new(bytes)
    })
}

fn set_standard_headers(response: &mut ServiceResponse<BoxBody>, request_id: &str) {
    let is_docs = response.request().path().starts_with("/docs");
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    if is_docs {
        // Swagger UI is served by this binary: scripts and styles from itself only.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
            ),
        );
    } else if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // (The sign-in pages of OAuth set their own, naming their styles and form targets.)
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if is_docs { "no-cache" } else { "no-store" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest
/// `X-Forwarded-For` hop that is not itself a trusted proxy. Hops are read from the right: each
/// proxy appends what it saw, so everything left of the last untrusted hop was written by the
/// client and proves nothing (taking the leftmost would let anyone pick their own address and
/// escape the per-address limits).
pub fn client_ip(req: &HttpRequest, trusted_proxies: &[String]) -> Option<String> {
    let peer = req.peer_addr().map(|a| a.ip().to_string())?;
    let trusted = |addr: &str| trusted_proxies.iter().any(|p| p == addr);
    if !trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            // Garbage from the client: the hop that appended it is the client as far as we know.
            Err(_) => break,
            Ok(ip) => {
                client = ip.to_string();
                if !trusted(&client) {
                    break;
                }
            }
        }
    }
    Some(client)
}
