//! `Idempotency-Key` for POST: the first response is stored with the request's fingerprint
//! and replayed for retries, so a branch head on a weak network can resend safely.
//!
//! The key is claimed in its own short statement (so a concurrent duplicate sees it at once and
//! gets 409), then the handler's writes and the stored response commit in one transaction:
//! either both exist or neither. A failed request releases its claim so it can be retried. A
//! claim that could not be released (its connection died: a failover, a restart) is taken over
//! by the same request as soon as the database session that made it is gone — the claim names
//! its backend, and a retry looks it up in `pg_stat_activity` — or after `STALE_CLAIM` at the
//! latest (a server that died with its connection still open).

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Double, Text as SqlText};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::text::Text;
use crate::db::{DbPool, in_transaction};
use crate::schema::idempotency_keys;

pub const HEADER: &str = "Idempotency-Key";
const MAX_KEY_LEN: usize = 255;
/// After this long an unfinished claim is considered abandoned (the server died mid-request).
const STALE_CLAIM: Duration = Duration::from_secs(60);

/// The optional `Idempotency-Key` header of a request.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.headers().get(HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(key) if !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic()) => {
                    Ok(IdempotencyKey(Some(key.to_owned())))
                }
                _ => Err(ApiError::invalid_parameter(
                    HEADER,
                    "invalid_format",
                    Text::new(
                        "Idempotency-Key phải gồm 1–255 ký tự ASCII in được (nên dùng UUID).",
                        "Idempotency-Key must be 1–255 printable ASCII characters (a UUID is best).",
                    ),
                )),
            },
        };
        ready(result)
    }
}

/// A response produced inside the transaction, storable for replay.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The body shows a secret once: only the fact of the creation is stored, and a replay
    /// answers `409 secret_not_replayed` (with the created object's `Location`).
    withholds_secret: bool,
}

/// Stored instead of a body that held a secret.
const WITHHELD: &[u8] = b"{\"secret_withheld\":true}";

impl StoredResponse {
    pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Result<Self, ApiError> {
        Ok(StoredResponse {
            status,
            headers: vec![(header::CONTENT_TYPE.to_string(), "application/json".into())],
            body: serde_json::to_vec(body).map_err(ApiError::internal)?,
            withholds_secret: false,
        })
    }

    /// Like `json`, for a body that shows a secret once (a token, a client secret, a signing
    /// key): the idempotency record never holds it.
    pub fn json_with_secret<T: Serialize>(status: StatusCode, body: &T) -> Result<Self, ApiError> {
        Ok(StoredResponse { withholds_secret: true, ..StoredResponse::json(status, body)? })
    }

    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn into_response(self, replayed: bool) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str()))
            {
                response.insert_header((name, value));
            }
        }
        if replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.body(self.body)
    }
}

/// What identifies a request for idempotency: who sent it, with which key, and a fingerprint
/// of what it asked.
pub struct IdempotentRequest {
    caller: String,
    key: Option<String>,
    method: String,
    path: String,
    fingerprint: Vec<u8>,
    ttl: Duration,
}

impl IdempotentRequest {
    pub fn new<B: Serialize>(
        req: &HttpRequest,
        caller: impl Into<String>,
        key: IdempotencyKey,
        body: &B,
        ttl: Duration,
    ) -> Self {
        let method = req.method().to_string();
        let path = req.uri().path_and_query().map_or_else(|| req.path().to_owned(), |p| p.to_string());
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b"\n");
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
        hasher.update(serde_json::to_vec(body).unwrap_or_default());
        IdempotentRequest {
            caller: caller.into(),
            key: key.0,
            method,
            path,
            fingerprint: hasher.finalize().to_vec(),
            ttl,
        }
    }
}

/// Runs `work` in a transaction, honouring the request's `Idempotency-Key` if it has one.
pub async fn execute(
    pool: &DbPool,
    request: IdempotentRequest,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<StoredResponse, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.get().await?;
    let Some(key) = request.key.clone() else {
        let response = in_transaction(&mut conn, work).await?;
        return Ok(response.into_response(false));
    };
    if let Some(stored) = claim(&mut conn, &request, &key).await? {
        return Ok(stored.into_response(true));
    }
    let result = in_transaction(&mut conn, async |conn| {
        let response = work(conn).await?;
        complete(conn, &request.caller, &key, &response).await?;
        Ok(response)
    })
    .await;
    match result {
        Ok(response) => Ok(response.into_response(false)),
        Err(error) => {
            if let Err(release_error) = release(&mut conn, &request.caller, &key).await {
                tracing::warn!(error = %release_error, "could not release idempotency key");
            }
            Err(error)
        }
    }
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Bool)]
    #[allow(dead_code)]
    claimed: bool,
}

#[derive(Queryable)]
struct ExistingKey {
    request_method: String,
    request_path: String,
    fingerprint: Vec<u8>,
    response_status: Option<i16>,
    response_headers: Option<serde_json::Value>,
    response_body: Option<Vec<u8>>,
}

/// Claims the key. `Ok(None)`: go ahead. `Ok(Some(_))`: replay this stored response.
async fn claim(
    conn: &mut AsyncPgConnection,
    request: &IdempotentRequest,
    key: &str,
) -> Result<Option<StoredResponse>, ApiError> {
    // A new key, an expired record, or an abandoned claim of the very same request is taken.
    let claimed: Vec<Claimed> = diesel::sql_query(
        "INSERT INTO idempotency_keys
             (caller, key, request_method, request_path, fingerprint, locked_at, expires_at, claimed_by_pid)
         VALUES ($1, $2, $3, $4, $5, now(), now() + make_interval(secs => $6::double precision), pg_backend_pid())
         ON CONFLICT (caller, key) DO UPDATE SET
             request_method = EXCLUDED.request_method,
             request_path = EXCLUDED.request_path,
             fingerprint = EXCLUDED.fingerprint,
             locked_at = now(),
             claimed_by_pid = pg_backend_pid(),
             response_status = NULL,
             response_headers = NULL,
             response_body = NULL,
             created_at = now(),
             expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at < now()
            OR (idempotency_keys.response_status IS NULL
                AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                AND idempotency_keys.request_path = EXCLUDED.request_path
                AND (idempotency_keys.locked_at < now() - make_interval(secs => $7::double precision)
                     -- The session that claimed it is gone (a pid reused since started later).
                     OR (idempotency_keys.claimed_by_pid IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                         WHERE a.pid = idempotency_keys.claimed_by_pid
                                           AND a.backend_start <= idempotency_keys.locked_at))))
         RETURNING true AS claimed",
    )
    .bind::<SqlText, _>(&request.caller)
    .bind::<SqlText, _>(key)
    .bind::<SqlText, _>(&request.method)
    .bind::<SqlText, _>(&request.path)
    .bind::<Bytea, _>(&request.fingerprint)
    .bind::<Double, _>(request.ttl.as_secs_f64())
    .bind::<Double, _>(STALE_CLAIM.as_secs_f64())
    .load(conn)
    .await?;
    if !claimed.is_empty() {
        return Ok(None);
    }

    let existing: Option<ExistingKey> = idempotency_keys::table
        .filter(idempotency_keys::caller.eq(&request.caller))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::request_method,
            idempotency_keys::request_path,
            idempotency_keys::fingerprint,
            idempotency_keys::response_status,
            idempotency_keys::response_headers,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some(existing) = existing else {
        // Released between our insert and this read: the client may simply retry.
        return Err(ApiError::IdempotencyInProgress);
    };
    if existing.fingerprint != request.fingerprint
        || existing.request_method != request.method
        || existing.request_path != request.path
    {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let (Some(status), Some(body)) = (existing.response_status, existing.response_body) else {
        return Err(ApiError::IdempotencyInProgress);
    };
    let headers: Vec<(String, String)> = existing
        .response_headers
        .and_then(|h| serde_json::from_value::<Vec<(String, String)>>(h).ok())
        .unwrap_or_default();
    if body == WITHHELD {
        let location = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("location")).map(|(_, v)| v.clone());
        return Err(ApiError::Conflict {
            code: "secret_not_replayed",
            detail: Text::owned(
                format!(
                    "Yêu cầu này đã được thực hiện ({}); bí mật chỉ hiển thị một lần và không được lưu để gửi lại. Hãy thu hồi và tạo mới nếu chưa lưu được.",
                    location.as_deref().unwrap_or("-")
                ),
                format!(
                    "This request was already carried out ({}); its secret is shown once and is not kept for replays. Revoke it and create a new one if it was lost.",
                    location.as_deref().unwrap_or("-")
                ),
            ),
            field: None,
        });
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| ApiError::internal("stored idempotent status is invalid"))?;
    Ok(Some(StoredResponse { status, headers, body, withholds_secret: false }))
}

async fn complete(
    conn: &mut AsyncPgConnection,
    caller: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<(), ApiError> {
    let headers = serde_json::to_value(&response.headers).map_err(ApiError::internal)?;
    diesel::update(
        idempotency_keys::table.filter(idempotency_keys::caller.eq(caller)).filter(idempotency_keys::key.eq(key)),
    )
    .set((
        idempotency_keys::response_status.eq(Some(i16::try_from(response.status.as_u16()).unwrap_or(500))),
        idempotency_keys::response_headers.eq(Some(headers)),
        idempotency_keys::response_body.eq(Some(if response.withholds_secret { WITHHELD } else { &response.body })),
        idempotency_keys::locked_at.eq(None::<chrono::DateTime<chrono::Utc>>),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

async fn release(conn: &mut AsyncPgConnection, caller: &str, key: &str) -> Result<(), ApiError> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::caller.eq(caller))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::response_status.is_null()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes expired records; run periodically by the server.
pub async fn purge_expired(conn: &mut AsyncPgConnection) -> Result<usize, ApiError> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.lt(diesel::dsl::now)))
        .execute(conn)
        .await?)
}
