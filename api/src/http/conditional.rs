//! HEAD wherever GET is, and conditional GET: a read that carries an `ETag` answers `304 Not
//! Modified` (no body) when the client's `If-None-Match` names it (RFC 9110 §13.1.2, weak
//! comparison). Innermost middleware, so it runs after the route table saw the request.

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;

/// Whether `if_none_match` (a list of entity tags, or `*`) names `etag`, comparing weakly.
pub fn none_match_names(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let etag = opaque(etag);
    if_none_match.split(',').any(|tag| tag.trim() == "*" || opaque(tag) == etag)
}

/// The headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5).
fn not_modified(from: &HeaderMap) -> HttpResponse {
    let mut response = HttpResponse::NotModified();
    for name in [header::ETAG, header::CACHE_CONTROL, header::VARY, header::CONTENT_LOCATION, header::EXPIRES] {
        for value in from.get_all(&name) {
            response.append_header((name.clone(), value.clone()));
        }
    }
    response.finish()
}

pub async fn conditional(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // HEAD is GET without the body: the connection's codec remembers the request was HEAD and
    // sends the headers only, Content-Length included.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let asked = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let response = next.call(req).await?.map_into_boxed_body();
    let Some(asked) = asked else { return Ok(response) };
    let current = response.headers().get(header::ETAG).and_then(|v| v.to_str().ok());
    if response.request().method() != Method::GET || response.status() != StatusCode::OK {
        return Ok(response);
    }
    match current {
        Some(etag) if none_match_names(&asked, etag) => {
            let reply = not_modified(response.headers());
            Ok(response.into_response(reply))
        }
        _ => Ok(response),
    }
}

/// Adds `Vary: Accept-Language` (texts for people follow it) beside what the response varies
/// on already.
pub fn vary_on_language(headers: &mut HeaderMap) {
    let varies = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-language") || v.trim() == "*");
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_any() {
        assert!(none_match_names("\"3\"", "\"3\""));
        assert!(none_match_names("W/\"3\"", "\"3\""));
        assert!(none_match_names("\"1\", \"3\"", "W/\"3\""));
        assert!(none_match_names("*", "\"9\""));
        assert!(!none_match_names("\"4\"", "\"3\""));
    }
}
