//! `POST /batch`: several operations recorded offline (a visit, a need update, an attendance
//! change…) sent in one request. Each runs as its own request against this server, in order,
//! with the caller's credentials, and gets its own result: one bad item loses nothing else.

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::http::canonical::canonical_path;
use crate::http::problem::from_error;
use crate::http::rate_limit::{Budget, charge_address};
use crate::http::route_table::RouteTable;
use crate::http::validate::Validator;
use crate::http::{ApiError, ApiJson, Lang, Text};
use crate::state::AppState;

/// At most this many operations per batch.
pub const MAX_OPERATIONS: usize = 50;

/// An HTTP method an operation may use.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum BatchMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// One operation: what would otherwise be one request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchOperation {
    /// Your label for it, echoed in its result.
    #[serde(default)]
    pub label: String,
    pub method: BatchMethod,
    /// Path with query, under `/api/v1/` (not `/api/v1/auth/…`, not `/api/v1/batch`).
    pub path: String,
    /// JSON body, for POST, PUT and PATCH.
    pub body: Option<Value>,
    /// `If-Match` for this operation.
    pub if_match: Option<String>,
    /// `Idempotency-Key` for this operation (recommended for every POST: a retried batch then
    /// replays what already succeeded).
    pub idempotency_key: Option<String>,
}

/// Operations to run in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"operations": [
    {"label": "visit", "method": "POST", "path": "/api/v1/members/0193a5c8-0000-7000-8000-000000000001/contacts",
     "body": {"contacted_on": "2026-11-20", "method": "home_visit"}, "idempotency_key": "app-7f3a-1"},
    {"label": "need", "method": "PATCH", "path": "/api/v1/needs/0193a5c8-0000-7000-8000-0000000000aa",
     "body": {"status": "met", "met_on": "2026-11-20"}, "if_match": "\"2\""}]}))]
pub struct BatchRequest {
    /// 1–50 operations.
    #[schema(min_items = 1, max_items = 50)]
    pub operations: Vec<BatchOperation>,
}

/// The result of one operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// Your label.
    pub label: String,
    /// Its HTTP status (a problem+json `body` when 4xx/5xx).
    pub status: u16,
    /// Its `ETag`, if any.
    pub etag: Option<String>,
    /// Its `Location`, if any.
    pub location: Option<String>,
    /// Its JSON body (`null` when empty or not JSON).
    #[schema(value_type = Option<Object>)]
    pub body: Option<Value>,
}

/// Results in the order of the operations.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One per operation.
    pub results: Vec<BatchResult>,
}

/// Paths a batch may not reach, whatever their spelling: logins and tokens (their own limits),
/// batches (no nesting).
const REFUSED_PREFIXES: [&str; 3] = ["/api/v1/auth/", "/api/v1/batch", "/api/v1/oauth"];

fn method_of(method: BatchMethod) -> reqwest::Method {
    match method {
        BatchMethod::Get => reqwest::Method::GET,
        BatchMethod::Post => reqwest::Method::POST,
        BatchMethod::Put => reqwest::Method::PUT,
        BatchMethod::Patch => reqwest::Method::PATCH,
        BatchMethod::Delete => reqwest::Method::DELETE,
    }
}

/// Each operation's path in its one canonical spelling (`path?query`), after checking that it
/// names a route of this API that a batch may run with that method.
fn check(operations: &[BatchOperation], routes: &RouteTable) -> Result<Vec<String>, ApiError> {
    let mut v = Validator::new();
    v.check(
        (1..=MAX_OPERATIONS).contains(&operations.len()),
        "operations",
        "out_of_range",
        Text::owned(format!("Từ 1 đến {MAX_OPERATIONS} thao tác."), format!("1 to {MAX_OPERATIONS} operations.")),
    );
    let mut canonical = Vec::with_capacity(operations.len());
    for (i, op) in operations.iter().enumerate() {
        let (path, query) = op.path.split_once('?').map_or((op.path.as_str(), None), |(p, q)| (p, Some(q)));
        let method = method_of(op.method);
        let routed = canonical_path(path).ok().filter(|path| {
            op.path.len() <= 2000
                && path.starts_with("/api/v1/")
                && !REFUSED_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
                && routes.allowed(path).is_some_and(|methods| methods.iter().any(|m| m.as_str() == method.as_str()))
                && !query.is_some_and(|q| q.contains('#'))
        });
        v.check(
            routed.is_some(),
            &format!("operations[{i}].path"),
            "not_allowed",
            Text::new(
                "Đường dẫn phải là một địa chỉ của API dưới /api/v1/ với phương thức này (trừ auth, oauth và batch).",
                "The path must be a route of this API under /api/v1/ taking this method (not auth, oauth or batch).",
            ),
        );
        canonical.push(match (routed, query) {
            (Some(path), Some(query)) => format!("{path}?{query}"),
            (Some(path), None) => path,
            (None, _) => String::new(),
        });
    }
    v.finish()?;
    Ok(canonical)
}

/// Run a batch
///
/// Runs the operations in order, each as its own request with the caller's credentials (so
/// each has its own permission checks, validation, transaction and audit), and answers 200 with
/// every result. Give each POST an `idempotency_key`: a batch retried after a network failure
/// then replays what succeeded instead of doing it twice. Limits: 50 operations, the request
/// body limit (`CHIHOI_MAX_BODY_BYTES`), 30 s per operation; each operation counts against the
/// caller's rate limits (per token and per address: a spent budget answers that operation 429).
/// A path is judged in its one canonical spelling (percent-decoded once; dot segments, empty
/// segments and encoded slashes refused) and must be a route of this API that takes the
/// method: `auth`, `oauth` and `batch` are refused however they are spelt.
#[utoipa::path(tag = "sync", operation_id = "run_batch", security(("bearer" = [])),
    request_body = BatchRequest,
    responses((status = 200, description = "Every result, in order.", body = BatchResponse),
        (status = 400, response = crate::http::responses::BadRequest),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 422, response = crate::http::responses::Unprocessable)))]
#[post("/batch")]
pub async fn run_batch(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<BatchRequest>,
) -> Result<web::Json<BatchResponse>, ApiError> {
    let operations = body.into_inner().operations;
    let paths = check(&operations, &state.routes)?;
    let base = format!("http://{}", state.local_addr);
    let copied = |name: header::HeaderName| req.headers().get(&name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let authorization = copied(header::AUTHORIZATION).unwrap_or_default();
    let language = copied(header::ACCEPT_LANGUAGE);
    let request_id = copied(header::HeaderName::from_static("x-request-id")).unwrap_or_default();
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let mut results = Vec::with_capacity(operations.len());
    for (i, (op, path)) in operations.into_iter().zip(paths).enumerate() {
        let method = method_of(op.method);
        // The inner request comes from this server's own address, which the per-address
        // limits do not count: charge it to the batch's sender here.
        let (bare, query) = path.split_once('?').unwrap_or((&path, ""));
        let kind = if matches!(op.method, BatchMethod::Get) {
            actix_web::http::Method::GET
        } else {
            actix_web::http::Method::POST
        };
        let budget = Budget::of(&kind, bare, query);
        if let Err(seconds) = charge_address(&state, budget, caller.meta.client_ip.as_deref()) {
            let problem = ApiError::TooManyRequests(seconds);
            let body = serde_json::to_value(from_error(&problem, lang, &request_id)).ok();
            results.push(BatchResult { label: op.label, status: 429, etag: None, location: None, body });
            continue;
        }
        let mut call = state.http.request(method, format!("{base}{path}")).header("authorization", &authorization);
        if !request_id.is_empty() {
            call = call.header("x-request-id", format!("{request_id}.{i}"));
        }
        if let Some(language) = &language {
            call = call.header("accept-language", language);
        }
        if let Some(tag) = &op.if_match {
            call = call.header("if-match", tag);
        }
        if let Some(key) = &op.idempotency_key {
            call = call.header("idempotency-key", key);
        }
        if let Some(body) = &op.body {
            call = call.json(body);
        }
        let result = match call.send().await {
            Ok(response) => {
                let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let (status, etag, location) = (response.status().as_u16(), header("etag"), header("location"));
                let bytes = response.bytes().await.unwrap_or_default();
                BatchResult { label: op.label, status, etag, location, body: serde_json::from_slice(&bytes).ok() }
            }
            Err(error) => {
                tracing::warn!(error = %error, "batch operation could not be sent");
                BatchResult { label: op.label, status: 503, etag: None, location: None, body: None }
            }
        };
        results.push(result);
    }
    Ok(web::Json(BatchResponse { results }))
}
