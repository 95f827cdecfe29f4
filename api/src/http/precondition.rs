//! Optimistic concurrency: every mutable resource has a `version`; its ETag is `"<version>"`,
//! and changes must name the version they were based on in `If-Match`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};

use super::error::ApiError;
use super::text::Text;

/// The strong ETag of a resource version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// A strong ETag of content that has no version of its own (the contract): a digest of it.
pub fn etag_of(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(content);
    format!("\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>())
}

/// A parsed `If-Match` header. Missing header → 428.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *` — any current version.
    Any,
    /// Versions named by strong ETags. Weak tags (`W/"3"`) never match (RFC 9110 uses the
    /// strong comparison for If-Match), so they are dropped.
    Versions(Vec<i32>),
}

impl IfMatch {
    pub fn parse(value: &str) -> Result<IfMatch, ApiError> {
        let value = value.trim();
        if value == "*" {
            return Ok(IfMatch::Any);
        }
        let mut versions = Vec::new();
        for tag in value.split(',').map(str::trim) {
            if tag.starts_with("W/") {
                continue;
            }
            let version = tag
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse::<i32>().ok())
                .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "If-Match",
                    "invalid_format",
                    Text::new(
                        "If-Match phải là ETag nhận được từ GET, ví dụ \"3\".",
                        "If-Match must be an ETag received from GET, such as \"3\".",
                    ),
                )
            })?;
            versions.push(version);
        }
        Ok(IfMatch::Versions(versions))
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.headers().get(header::IF_MATCH) {
            None => Err(ApiError::PreconditionRequired),
            Some(value) => match value.to_str() {
                Ok(text) => IfMatch::parse(text),
                Err(_) => IfMatch::parse("\u{0}"),
            },
        };
        ready(result)
    }
}

/// `If-Match` where it is optional (a roster is a whole state): absent is `None`; present but
/// malformed is the same 400 as where it is required. actix's `Option<IfMatch>` would swallow
/// the error and act as if the header were absent, applying a change the client conditioned.
pub struct OptionalIfMatch(pub Option<IfMatch>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().get(header::IF_MATCH).is_none() {
            return ready(Ok(OptionalIfMatch(None)));
        }
        let parsed = IfMatch::from_request(req, payload).into_inner();
        ready(parsed.map(|if_match| OptionalIfMatch(Some(if_match))))
    }
}

/// Checks `If-Match` against the current version of a resource read (and locked) in the
/// same transaction. On mismatch the 412 carries the current ETag and representation.
pub fn check(if_match: &IfMatch, version: i32, current: impl FnOnce() -> serde_json::Value) -> Result<(), ApiError> {
    let matches = match if_match {
        IfMatch::Any => true,
        IfMatch::Versions(versions) => versions.contains(&version),
    };
    if matches { Ok(()) } else { Err(ApiError::PreconditionFailed { etag: etag(version), current: Some(current()) }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_if_match() {
        assert_eq!(IfMatch::parse("*").unwrap(), IfMatch::Any);
        assert!(check(&IfMatch::parse("\"3\"").unwrap(), 3, || serde_json::json!({})).is_ok());
        assert!(check(&IfMatch::parse("\"2\", \"3\"").unwrap(), 3, || serde_json::json!({})).is_ok());
        assert!(check(&IfMatch::parse("W/\"3\"").unwrap(), 3, || serde_json::json!({})).is_err());
        assert!(check(&IfMatch::parse("\"4\"").unwrap(), 3, || serde_json::json!({})).is_err());
        assert!(IfMatch::parse("3").is_err());
    }
}
