//! Reading a request body with a size limit — refused early by `Content-Length`, and enforced
//! while streaming for chunked bodies (413 either way) — and a time limit: a body that stops
//! arriving for `idle`, or takes longer than its size could need on a slow link (30 s plus
//! 32 KiB/s of the limit), is answered 408, so a client that never finishes cannot hold a
//! worker's connection and memory.

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

use super::error::ApiError;

pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

pub async fn read_limited(
    mut payload: Payload,
    declared: Option<usize>,
    limit: usize,
    idle: Duration,
) -> Result<Bytes, ApiError> {
    if declared.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let deadline = Instant::now() + Duration::from_secs(30 + (limit as u64 / (32 * 1024)));
    let mut body = BytesMut::new();
    loop {
        let wait = idle.min(deadline.saturating_duration_since(Instant::now()));
        let Ok(next) = tokio::time::timeout(wait, payload.next()).await else {
            return Err(ApiError::RequestTimeout);
        };
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => ApiError::PayloadTooLarge(limit),
            other => ApiError::MalformedJson(other.to_string()),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
